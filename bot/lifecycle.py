"""Running a command that writes (`ask`, `chat`, `run`): open the store and the service, stop
cleanly on SIGINT/SIGTERM, and close both whatever failed before, so a command never hangs and
never skips its final write."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from bot.core.service import Service
from bot.core.store import Store

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.asynccontextmanager
async def open_service(
    db_path: Path, *, owners: frozenset[str] = frozenset(), cooldown_seconds: float = 0.0
) -> AsyncIterator[Service]:
    """The service on the store at db_path. On the way out, what is queued is written (within
    the writer's deadline; StoreUnavailable says what was not) and the store is closed even
    when the body, the service or the final write failed."""
    store = await Store.open(db_path)
    try:
        service = await Service.create(store, owners=owners, cooldown_seconds=cooldown_seconds)
        try:
            yield service
        finally:
            await service.close()
    finally:
        await store.close()


@contextlib.contextmanager
def stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """Turn SIGINT and SIGTERM into `stop` while the block runs (in the running loop)."""
    loop = asyncio.get_running_loop()
    installed = []
    for sig in STOP_SIGNALS:
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
