"""`ostbot run`: one asyncio loop for every adapter whose token is set.

With no token the console chat runs instead. SIGINT/SIGTERM stop everything under a timeout;
then what is queued is written and the store is closed, whatever failed before.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from bot.adapters.common import STOP_GRACE, UNWIND
from bot.config import Settings
from bot.core.service import Service
from bot.core.store import Location
from bot.lifecycle import following_catalog, open_service, stop_on_signals, tune_gc_for_serving

log = logging.getLogger(__name__)

# Adapters finish their replies within STOP_GRACE on their own; past this they are cancelled.
# A stop must end well inside a supervisor's grace (Docker sends SIGKILL after 10 s) with room
# left for the final database write after it.
STOP_TIMEOUT = STOP_GRACE + 1.0

Serve = Callable[[Service, Settings, asyncio.Event], Coroutine[Any, Any, None]]


def adapters_for(settings: Settings) -> list[tuple[str, Serve]]:
    """The adapters whose tokens are set. Imports happen here, only when needed."""
    chosen: list[tuple[str, Serve]] = []
    if settings.discord_token:
        from bot.adapters.discord_adapter import serve as serve_discord

        chosen.append(("discord", serve_discord))
    if settings.telegram_token:
        from bot.adapters.telegram_adapter import serve as serve_telegram

        chosen.append(("telegram", serve_telegram))
    return chosen


async def run(settings: Settings, db_path: Location) -> int:
    stop = asyncio.Event()
    with stop_on_signals(stop):
        async with (
            open_service(
                db_path, owners=settings.owners, cooldown_seconds=settings.cooldown_seconds
            ) as service,
            following_catalog(service),
        ):
            tune_gc_for_serving()
            adapters = adapters_for(settings)
            if not adapters:
                from bot.adapters.console import chat

                log.info("no DISCORD_TOKEN or TELEGRAM_TOKEN set: starting the console chat")
                await chat(service, stop=stop)
                return 0
            return await supervise(adapters, service, settings, stop)


async def supervise(
    adapters: list[tuple[str, Serve]], service: Service, settings: Settings, stop: asyncio.Event
) -> int:
    """Run adapters until stop is set or one fails; then stop the rest cleanly."""
    tasks: dict[asyncio.Task[None], str] = {
        asyncio.create_task(serve(service, settings, stop), name=name): name
        for name, serve in adapters
    }
    waiter = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({*tasks, waiter}, return_when=asyncio.FIRST_COMPLETED)
    failed = 0
    for task in tasks:
        if task in done and task.exception() is not None:
            failed = 1
            log.error("%s adapter stopped: %r", tasks[task], task.exception())
    stop.set()
    pending = [t for t in tasks if not t.done()]
    if pending:
        finished, late = await asyncio.wait(pending, timeout=STOP_TIMEOUT)
        for task in late:
            log.warning("%s adapter did not stop in %.1fs; cancelling", tasks[task], STOP_TIMEOUT)
            task.cancel()
        if late:  # let them unwind (close their connections) before the store is closed
            await asyncio.wait(late, timeout=UNWIND)
        for task in finished:
            if not task.cancelled() and task.exception() is not None:
                failed = 1
                log.error("%s adapter failed while stopping: %r", tasks[task], task.exception())
    waiter.cancel()
    return failed
