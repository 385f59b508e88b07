"""Running a command that writes (`ask`, `chat`, `run`): open the store and the service, stop
cleanly on SIGINT/SIGTERM, and close both whatever failed before, so a command never hangs and
never skips its final write."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import AsyncIterator, Iterator

from bot.core.index import settle
from bot.core.service import Service
from bot.core.store import Location, Store

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
CATALOG_CHECK = 10.0  # seconds between checks of the catalog's version while serving
# Collect young objects every 50,000 allocations instead of 700: a request makes many
# short-lived ones, and each collection pauses every request in the loop.
GC_THRESHOLDS = (50_000, 20, 100)


@contextlib.asynccontextmanager
async def open_service(
    db_path: Location, *, owners: frozenset[str] = frozenset(), cooldown_seconds: float = 0.0
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


@contextlib.asynccontextmanager
async def following_catalog(service: Service, every: float = CATALOG_CHECK) -> AsyncIterator[None]:
    """While the block runs, keep the service on the catalog as stored (follow_catalog)."""
    task = asyncio.create_task(follow_catalog(service, every), name="ostbot-catalog")
    try:
        yield
    finally:
        task.cancel()
        await asyncio.wait({task})


async def follow_catalog(service: Service, every: float = CATALOG_CHECK) -> None:
    """When another process changes the catalog (`ostbot db import`, `/reload`), build the
    new index and switch to it, without a restart: at once when the database says so
    (PostgreSQL's NOTIFY), else at the next check of the catalog's version, every `every`
    seconds. Requests are answered from the old index until the new one is whole."""
    async with service.store.catalog_changes() as changed:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(every):
                    await changed.wait()
            changed.clear()
            try:
                if await service.store.catalog_version() != service.catalog_version:
                    await service.reload()
                    log.info("the catalog changed: now %d tracks", len(service.index.tracks))
            except Exception as exc:  # the database is away: try again at the next check
                log.warning(
                    "could not check the catalog for changes: %s",
                    service.store.describe_failure(exc),
                )


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


def tune_gc_for_serving() -> None:
    """For a long-running process, once started: what start-up built is frozen out of the
    collector's way (`settle`), and young objects are collected less often. Cuts the pauses
    that made the slowest requests slow under load (see `ostbot bench`)."""
    settle()
    gc.set_threshold(*GC_THRESHOLDS)
