"""Per-user state kept in memory and written to SQLite behind the reply.

A request reads its user's history and feedback from memory, and its writes are batched by a
background task into one transaction per batch. So the reply never waits for the disk, a batch
is all-or-nothing, and close() flushes everything before the store closes.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict

from bot.core.store import Store, UserState, Write

log = logging.getLogger(__name__)

MAX_USERS = 10_000  # users kept in memory; the rest are reloaded from SQLite on demand
MAX_PENDING = 100_000  # writes held while the database is unavailable


class WriteBehind:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._pending: list[Write] = []
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    def submit(self, *ops: Write) -> None:
        self._pending.extend(ops)
        if len(self._pending) > MAX_PENDING:
            # The database has been failing for a long time: keep the newest writes.
            dropped = len(self._pending) - MAX_PENDING
            del self._pending[:dropped]
            log.error("database unavailable: dropped %d unsaved writes", dropped)
        if self._closing:
            return  # close() writes it
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="ostbot-writer")
        self._wake.set()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def has_pending(self, user: str) -> bool:
        return any(op.user == user for op in self._pending)

    async def _run(self) -> None:
        delay = 1.0
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self.flush()
                delay = 1.0
            except Exception:  # keep serving; the ops stay queued for the next flush
                log.exception("could not save to the database; retrying in %.0fs", delay)
                if self._closing:
                    return
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)
                self._wake.set()
            if self._closing:
                return

    async def flush(self) -> None:
        async with self._lock:
            batch, self._pending = self._pending, []
            if not batch:
                return
            try:
                await self.store.apply(batch)
            except BaseException:
                self._pending[:0] = batch  # nothing was written: try the whole batch again
                raise

    async def close(self) -> None:
        """Finish the batch in flight (never cut a transaction short), then write the rest."""
        self._closing = True
        if self._task is not None:
            self._wake.set()
            await self._task
            self._task = None
        await self.flush()


class UserCache:
    """An LRU of UserState, loaded from the store on first use."""

    def __init__(self, store: Store, writer: WriteBehind, limit: int = MAX_USERS) -> None:
        self.store = store
        self.writer = writer
        self.limit = limit
        self._users: OrderedDict[str, UserState] = OrderedDict()

    async def get(self, user: str) -> UserState:
        state = self._users.get(user)
        if state is not None:
            self._users.move_to_end(user)
            return state
        if self.writer.has_pending(user):
            await self.writer.flush()  # the database must include this user's latest writes
        state = await self.store.user_state(user)
        state = self._users.setdefault(user, state)
        while len(self._users) > self.limit:
            self._users.popitem(last=False)
        return state
