"""Per-user state kept in memory, and the writes that keep SQLite in step with it.

What is saved, and when (docs/operations.md, "What can be lost", says the same to operators):

- A like or dislike is committed before it is acknowledged: `UserCache.rate` returns only after
  the transaction holding it has committed (`synchronous = FULL`: on the disk). If the database
  does not take it, the caller says so instead of "noted".
- What was shown (the no-repeat memory, `history`, the request behind "another") is written
  behind the reply by one background task, in one transaction per batch. A crash (kill -9, OOM,
  power cut) loses the writes queued at that moment — normally the last few milliseconds of
  requests; then a user may hear a track once more. A clean stop (end of input, SIGINT,
  SIGTERM) writes them all first, within CLOSE_WAIT seconds.
- The queue is bounded: when it holds MAX_PENDING writes, requests wait for room (the bot slows
  down) and nothing is dropped. "database is locked" is retried; a request that has waited
  ROOM_WAIT seconds is told the database is unavailable, and close() reports what it could not
  write, never silently.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections import Counter, OrderedDict, deque
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field

from bot.core.store import (
    Rate,
    SaveQuery,
    Store,
    StoreUnavailable,
    UserState,
    Write,
    describe,
    describe_database_error,
    forget_in,
    is_busy,
)

log = logging.getLogger(__name__)

MAX_USERS = 10_000  # users kept in memory; the rest are read from SQLite on demand
MAX_PENDING = 10_000  # writes queued behind replies; past this, requests wait for room
BATCH = 1_000  # writes per transaction (each batch holds the event loop for a few ms)
ROOM_WAIT = 10.0  # seconds a request waits for room before it is told the database is down
SAVE_WAIT = 5.0  # seconds a like waits for a locked database before it is told so
CLOSE_WAIT = 4.0  # seconds close() spends writing what is queued: a stop takes under 5 s
STATEMENT_GRACE = 0.5  # for a statement still running when CLOSE_WAIT has passed
# A batch waits at most ATTEMPT_WAIT for another connection's write lock, then is tried again
# after RETRY_FIRST, so a stop is never stuck behind a lock. Any other failure pauses
# RETRY_FIRST, doubling up to RETRY_MAX.
ATTEMPT_WAIT = 0.25
RETRY_FIRST, RETRY_MAX = 0.05, 5.0
LOG_EVERY = 30.0  # seconds between log lines while the database keeps failing
EVICT_SCAN = 100  # users looked at per eviction, so a cache full of unsaved users stays cheap


@dataclass(eq=False)
class Turn:
    """One request's hold on a user: their state, and the writes it makes (see
    UserCache.turn and SharedUsers.turn)."""

    state: UserState
    ops: list[Write] = field(default_factory=list)

    def record(self, *ops: Write) -> None:
        self.ops.extend(ops)


@dataclass(eq=False)
class _Durable:
    """A write whose caller waits for its commit."""

    op: Write
    done: asyncio.Future[None]
    deadline: float


@dataclass
class _Failing:
    """The database's current trouble, for log lines and error messages."""

    reason: str = ""
    attempts: int = 0
    logged_at: float = field(default=-LOG_EVERY)


class WriteBehind:
    """A bounded queue of writes and the one task that commits them, a batch at a time."""

    def __init__(self, store: Store, *, limit: int = MAX_PENDING, batch: int = BATCH) -> None:
        self.store = store
        self.limit = limit
        self.batch = batch
        self._queue: deque[Write] = deque()  # written behind the reply
        self._durable: deque[_Durable] = deque()  # awaited by their caller; go first
        self._in_flight = 0
        # Not yet committed, so a reader must not trust the database about them:
        self._users: Counter[str] = Counter()  # writes per user
        self._specs: dict[int, str] = {}  # saved requests by id
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._space = asyncio.Condition()
        # Held while a batch is written, and while forget() deletes a user: one at a time.
        self._turn = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._deadline = 0.0
        self._failing = _Failing()

    # ---------------------------------------------------------------- callers

    @property
    def pending(self) -> int:
        """Writes not yet committed (queued, awaited or in the transaction under way)."""
        return len(self._queue) + len(self._durable) + self._in_flight

    @property
    def queued(self) -> int:
        """Writes waiting behind replies: at most `limit` plus one request's writes."""
        return len(self._queue)

    def holds(self, user: str) -> bool:
        """Whether some of user's writes are not in the database yet."""
        return user in self._users

    def unsaved_spec(self, query_id: int) -> str | None:
        """A saved request that is still on its way to the database."""
        return self._specs.get(query_id)

    async def room(self) -> None:
        """Wait until the queue has room: under too much load the bot slows down, and drops
        nothing. Raises StoreUnavailable when the database took nothing for ROOM_WAIT s."""
        if len(self._queue) < self.limit:
            return
        try:
            async with asyncio.timeout(ROOM_WAIT), self._space:
                await self._space.wait_for(lambda: len(self._queue) < self.limit)
        except TimeoutError:
            raise StoreUnavailable(self._why()) from None

    def submit(self, *ops: Write) -> None:
        """Queue writes behind the reply (call room() first; this never waits)."""
        for op in ops:
            self._queue.append(op)
            self._count(op)
        self._start()

    async def save(self, op: Write) -> None:
        """Write op and return once it is committed. Raises StoreUnavailable if the database
        does not take it (failing, or locked for longer than SAVE_WAIT seconds)."""
        loop = asyncio.get_running_loop()
        entry = _Durable(op, loop.create_future(), loop.time() + SAVE_WAIT)
        self._durable.append(entry)
        self._count(op)
        self._start()
        await entry.done

    async def drain(self) -> None:
        """Wait until everything submitted so far is committed (benchmarks and tests)."""
        self._start()
        await self._idle.wait()

    async def settled(self, user: str) -> bool:
        """Wait until user's writes are committed, so the store can be read for them; False
        if they are not within SAVE_WAIT seconds (the database is failing or locked)."""
        if not self.holds(user):
            return True
        self._start()
        try:
            async with asyncio.timeout(SAVE_WAIT), self._space:
                await self._space.wait_for(lambda: not self.holds(user))
        except TimeoutError:
            return False
        return True

    async def forget(self, user: str) -> dict[str, int]:
        """Delete every row the store keeps about user (see Store.forget_user), and drop their
        writes that are not in it yet: committed afterwards, they would bring rows back.

        Waits for the batch under way, which may hold some of those writes; the next batch
        waits for this. If the store raises, nothing is deleted and nothing dropped. A like
        still waiting for its commit is refused (its caller says it was not saved).
        """
        async with self._turn:
            deleted = await self.store.forget_user(user)
            dropped = [op for op in self._queue if op.user == user]
            self._queue = deque(op for op in self._queue if op.user != user)
            refused = [entry for entry in self._durable if entry.op.user == user]
            self._durable = deque(entry for entry in self._durable if entry.op.user != user)
            for op in dropped:
                self._uncount(op)
            for entry in refused:
                self._uncount(entry.op)
                _settle(entry, StoreUnavailable("deleted with everything else about this user"))
        if dropped:
            async with self._space:  # requests waiting for room may go on
                self._space.notify_all()
        self._start()  # nothing left to write: idle again
        return deleted

    async def close(self) -> None:
        """Write what is queued, within CLOSE_WAIT seconds; then stop.

        Raises StoreUnavailable saying what could not be written, if anything.
        """
        loop = asyncio.get_running_loop()
        self._closing = True
        self._deadline = loop.time() + CLOSE_WAIT
        self._start()
        task = self._task
        if task is not None:
            # The task keeps to the deadline itself; the grace covers a statement that was
            # running when it passed.
            _, late = await asyncio.wait({task}, timeout=CLOSE_WAIT + STATEMENT_GRACE)
            if late:
                task.cancel()
                await asyncio.wait({task})
        left = self.pending
        users = len(self._users)
        for entry in self._durable:
            _settle(entry, StoreUnavailable(self._why()))
        if left:  # the caller reports it (the command's one line on stderr)
            raise StoreUnavailable(
                f"could not save {left} write(s) for {users} user(s): {self._why()}"
            )

    # ----------------------------------------------------------------- writer

    def _count(self, op: Write) -> None:
        self._users[op.user] += 1
        if isinstance(op, SaveQuery):
            self._specs[op.query_id] = op.spec
        self._idle.clear()

    def _uncount(self, op: Write) -> None:
        self._users[op.user] -= 1
        if self._users[op.user] <= 0:
            del self._users[op.user]
        if isinstance(op, SaveQuery) and self._specs.get(op.query_id) == op.spec:
            del self._specs[op.query_id]

    def _start(self) -> None:
        if self._task is None or self._task.done():
            if not (self._queue or self._durable):
                self._idle.set()
                return
            self._task = asyncio.create_task(self._run(), name="ostbot-writer")
        self._wake.set()

    def _why(self) -> str:
        return self._failing.reason or "the database is not taking writes"

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        pause = RETRY_FIRST
        while True:
            if not (self._queue or self._durable):
                self._idle.set()
                if self._closing:
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            exc = await self._write_batch(loop)
            if exc is None:
                pause = RETRY_FIRST
                continue
            if self._closing and (not is_busy(exc) or loop.time() >= self._deadline):
                return  # close() reports what is left
            # A lock is usually gone soon: try again shortly. Anything else backs off.
            delay = RETRY_FIRST if is_busy(exc) else pause
            if self._closing:
                delay = min(delay, max(0.0, self._deadline - loop.time()))
            await asyncio.sleep(delay)
            if not is_busy(exc):
                pause = min(pause * 2, RETRY_MAX)

    async def _write_batch(self, loop: asyncio.AbstractEventLoop) -> Exception | None:
        """Commit the next batch; the error that stopped it, if any (the batch is then queued
        again, see _failed). Taken in the writer's turn, which forget() takes too, so a user's
        rows are never deleted while a batch holding some of their writes is on its way."""
        async with self._turn:
            durable = [self._durable.popleft() for _ in range(min(self.batch, len(self._durable)))]
            behind = [
                self._queue.popleft()
                for _ in range(min(max(self.batch - len(durable), 0), len(self._queue)))
            ]
            if not (durable or behind):
                return None  # forget() dropped what was left while this waited for its turn
            self._in_flight = len(durable) + len(behind)
            wait = ATTEMPT_WAIT
            if self._closing:
                wait = max(0.0, min(wait, self._deadline - loop.time()))
            try:
                await self.store.apply([*behind, *(d.op for d in durable)], wait=wait)
            except Exception as exc:
                self._in_flight = 0
                self._failed(exc, behind, durable, loop.time())
                return exc
            except BaseException:  # cancelled: the transaction was rolled back
                self._in_flight = 0
                self._queue.extendleft(reversed(behind))
                self._durable.extendleft(reversed(durable))
                raise
            self._in_flight = 0
            await self._committed(behind, durable)
            return None

    def _failed(
        self, exc: Exception, behind: list[Write], durable: list[_Durable], now: float
    ) -> None:
        """Nothing of the batch was written: queue it again, except the likes that have
        waited long enough or can't be written at all (their callers say so)."""
        self._queue.extendleft(reversed(behind))
        # What the operator reads when the stop cannot save everything: say what to do.
        reason = (
            describe_database_error(exc, self.store.path)
            if isinstance(exc, sqlite3.Error)
            else describe(exc)
        )
        error = StoreUnavailable(reason)
        kept = []
        for entry in durable:
            if is_busy(exc) and now < entry.deadline and not self._closing:
                kept.append(entry)
            else:
                self._uncount(entry.op)
                _settle(entry, error)
        self._durable.extendleft(reversed(kept))
        failing = self._failing
        failing.reason, failing.attempts = reason, failing.attempts + 1
        if now - failing.logged_at >= LOG_EVERY:
            failing.logged_at = now
            log.warning(
                "could not save to the database (%s); %d writes waiting, retrying",
                reason,
                self.pending,
            )
            log.debug("database write failed", exc_info=exc)

    async def _committed(self, behind: list[Write], durable: list[_Durable]) -> None:
        for op in behind:
            self._uncount(op)
        for entry in durable:
            self._uncount(entry.op)
            _settle(entry, None)
        if self._failing.attempts:
            log.warning("saving to the database again (after %d failures)", self._failing.attempts)
            self._failing = _Failing()
        async with self._space:
            self._space.notify_all()


def _settle(entry: _Durable, error: Exception | None) -> None:
    if entry.done.done():
        return
    if error is None:
        entry.done.set_result(None)
    else:
        entry.done.set_exception(error)


class UserCache:
    """An LRU of UserState, read from the store on first use.

    A user whose writes are not all committed is never evicted: reading them back from the
    database would miss those writes. So a read never has to wait for the write queue. Nor is
    one whose request waits for room in the queue (see reserve()).
    """

    def __init__(self, store: Store, writer: WriteBehind, limit: int = MAX_USERS) -> None:
        self.store = store
        self.writer = writer
        self.limit = limit
        self._users: OrderedDict[str, UserState] = OrderedDict()
        self._waiting: Counter[str] = Counter()  # users whose requests wait for room
        self._forgets = 0  # users forgotten so far (see get)

    def __len__(self) -> int:
        return len(self._users)

    def __contains__(self, user: str) -> bool:
        return user in self._users

    async def get(self, user: str) -> UserState:
        state = self._users.get(user)
        if state is not None:
            self._users.move_to_end(user)
            return state
        while True:
            forgets = self._forgets
            state = await self.store.user_state(user)
            # Someone was forgotten while this was read: if it was this user, the read may
            # predate the deletion. Read again rather than bring deleted state back.
            if forgets == self._forgets:
                break
        state = self._users.setdefault(user, state)  # another request may have read it too
        self._trim()
        return state

    async def forget(self, user: str) -> dict[str, int]:
        """Forget the user in the store (rows and unwritten writes: WriteBehind.forget) and
        here; returns how many rows each table lost."""
        deleted = await self.writer.forget(user)
        self._users.pop(user, None)
        self._forgets += 1
        return deleted

    async def reserve(self, user: str) -> UserState:
        """get(), after waiting for room in the write queue: for a request that will write.
        Raises StoreUnavailable when the database has taken nothing for too long.

        The user is read first and kept in memory while waiting, so once room is given
        nothing is awaited before the caller writes: the queue stays within its bound.
        """
        state = await self.get(user)
        self._waiting[user] += 1
        try:
            await self.writer.room()
        finally:
            self._waiting[user] -= 1
            if not self._waiting[user]:
                del self._waiting[user]
        return state

    @asynccontextmanager
    async def turn(self, user: str) -> AsyncIterator[Turn]:
        """The user's state for a request that will write (reserve() first); the writes
        recorded in the turn are queued behind the reply when it ends. The user stays in
        memory all along."""
        self._waiting[user] += 1
        try:
            turn = Turn(await self.reserve(user))
            yield turn
            if turn.ops:
                self.writer.submit(*turn.ops)
        finally:
            self._waiting[user] -= 1
            if not self._waiting[user]:
                del self._waiting[user]

    async def rate(self, user: str, key: str, value: int) -> None:
        """Like (1) or dislike (-1) a track, committed before this returns."""
        state = await self.get(user)
        await self.writer.save(Rate(user, key, value))
        state.feedback[key] = value

    def unsaved_spec(self, query_id: int) -> str | None:
        return self.writer.unsaved_spec(query_id)

    def _trim(self) -> None:
        looked = 0
        while len(self._users) > self.limit and looked < EVICT_SCAN:
            looked += 1
            user = next(iter(self._users))
            if self.writer.holds(user) or user in self._waiting:
                self._users.move_to_end(user)  # look again once its writes are in
            else:
                del self._users[user]


class SharedUsers:
    """Users of a database that several processes serve from (PostgreSQL): a user's next
    message may reach another process, so memory is never trusted on its own.

    - get() checks the user's version in the database (one indexed read) and uses the state
      kept in memory only if it is still current; else it reads the user again.
    - turn() holds the user's lock in the database for the whole request — state read (or
      validated) under it, the pick, and the writes committed with it before the reply — so
      two processes never pick for one user at once, and what one showed the other knows.
    - A like or dislike is committed in a turn of its own before it is acknowledged.

    Nothing is written behind the reply: what a reply recorded is in the database when the
    user sees it, so a crash loses nothing acknowledged.
    """

    def __init__(self, store: Store, limit: int = MAX_USERS) -> None:
        from bot.core.postgres import PostgresStore, describe_pg_error, is_failure

        if not isinstance(store, PostgresStore):
            raise TypeError("SharedUsers needs a store that several processes share")
        self.store = store
        self.limit = limit
        self._users: OrderedDict[str, UserState] = OrderedDict()
        self._is_failure = is_failure
        self._describe = describe_pg_error

    def __len__(self) -> int:
        return len(self._users)

    async def get(self, user: str) -> UserState:
        try:
            version = await self.store.user_version(user)
            state = self._users.get(user)
            if state is None or state.version != version:
                state = await self.store.user_state(user)
        except Exception as exc:
            raise self._unavailable(exc) from exc
        self._keep(user, state)
        return state

    async def reserve(self, user: str) -> UserState:
        return await self.get(user)

    def turn(self, user: str) -> AbstractAsyncContextManager[Turn]:
        """The user locked in the database until the request's writes are committed (not
        waiting for the server's disk: see PostgresStore.user_turn)."""
        return self._turn(user, durable=False)

    @asynccontextmanager
    async def _turn(self, user: str, *, durable: bool) -> AsyncIterator[Turn]:
        try:
            async with self.store.user_turn(user, durable=durable) as locked:
                version = await locked.version()
                state = self._users.get(user)
                if state is None or state.version != version:
                    state = await locked.state()
                turn = Turn(state)
                yield turn
                if turn.ops:
                    state.version = await locked.apply(turn.ops) or version
        except BaseException as exc:
            # The state in memory may hold changes that were not committed: read it again.
            self._users.pop(user, None)
            if isinstance(exc, Exception) and self._is_failure(exc):
                raise self._unavailable(exc) from exc
            raise
        self._keep(user, state)

    async def rate(self, user: str, key: str, value: int) -> None:
        """Like (1) or dislike (-1) a track, committed before this returns."""
        async with self._turn(user, durable=True) as turn:
            turn.record(Rate(user, key, value))
            turn.state.feedback[key] = value

    def unsaved_spec(self, query_id: int) -> str | None:
        return None  # every saved request is committed before its reply

    def __contains__(self, user: str) -> bool:
        return user in self._users

    async def forget(self, user: str) -> dict[str, int]:
        """Delete every row about the user, under their lock (no process is picking for them
        meanwhile), and forget them here; how many rows each table lost. Another process that
        kept them in memory reads them again: their version is gone with their row."""
        tables = await self.store.user_tables()
        try:
            async with self.store.user_turn(user) as locked:
                deleted = await forget_in(locked.db, tables, user)
        except Exception as exc:
            raise self._unavailable(exc) from exc
        finally:
            self._users.pop(user, None)
        return deleted

    def _keep(self, user: str, state: UserState) -> None:
        self._users[user] = state
        self._users.move_to_end(user)
        while len(self._users) > self.limit:
            self._users.popitem(last=False)

    def _unavailable(self, exc: BaseException) -> StoreUnavailable:
        if isinstance(exc, StoreUnavailable):
            return exc
        reason = self._describe(exc, self.store.url)
        log.warning("the database did not answer: %s", reason)
        return StoreUnavailable(reason)


Users = UserCache | SharedUsers
