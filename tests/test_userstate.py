"""Writes behind the reply and likes before it: batched, bounded, retried, never dropped."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import aiosqlite
import pytest

from bot.core import userstate
from bot.core.store import (
    Rate,
    SaveQuery,
    Shown,
    SQLiteStore,
    StoreUnavailable,
    UserState,
    Write,
)
from bot.core.userstate import UserCache, WriteBehind


class ScriptedStore:
    """Fails while `errors` has entries (one per attempt), blocks while `gate` is clear, and
    records every batch it commits."""

    path = "scripted.db"

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.gate = asyncio.Event()
        self.gate.set()
        self.batches: list[list[Write]] = []

    async def apply(self, ops: Sequence[Write], *, wait: float = 5.0) -> None:
        await self.gate.wait()
        if self.errors:
            raise self.errors.pop(0)
        self.batches.append(list(ops))

    @property
    def written(self) -> list[Write]:
        return [op for batch in self.batches for op in batch]

    @property
    def shown(self) -> list[Shown]:
        return [op for op in self.written if isinstance(op, Shown)]


def locked() -> sqlite3.OperationalError:
    exc = sqlite3.OperationalError("database is locked")
    exc.sqlite_errorcode = sqlite3.SQLITE_BUSY
    return exc


def readonly() -> sqlite3.OperationalError:
    exc = sqlite3.OperationalError("attempt to write a readonly database")
    exc.sqlite_errorcode = sqlite3.SQLITE_READONLY
    return exc


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(userstate, "RETRY_FIRST", 0.001)
    monkeypatch.setattr(userstate, "RETRY_MAX", 0.01)


@pytest.fixture
async def holder(store: SQLiteStore) -> AsyncIterator[aiosqlite.Connection]:
    """Another connection to the store's file, free to take the write lock."""
    db = await aiosqlite.connect(store.path, isolation_level=None)
    yield db
    if db.in_transaction:
        await db.rollback()
    await db.close()


async def test_close_writes_everything(store: SQLiteStore) -> None:
    writer = WriteBehind(store)
    writer.submit(Shown("u", 1, ("a",)), Rate("u", "a", 1))
    writer.submit(Shown("u", 2, ("b",)))
    await writer.close()
    state = await store.user_state("u")
    assert state.heard == {"a", "b"} and state.feedback == {"a": 1}


async def test_writes_are_batched_into_few_transactions() -> None:
    fake = ScriptedStore()
    fake.gate.clear()  # the first batch is held up while more arrive
    writer = WriteBehind(fake, batch=50)  # type: ignore[arg-type]
    for n in range(120):
        writer.submit(Shown(f"u{n}", n, ("k",)))
        await asyncio.sleep(0)
    fake.gate.set()
    await writer.close()
    assert len(fake.batches) <= 4  # 1 + ceil(119 / 50), not 120 transactions
    assert [op.query_id for op in fake.shown] == list(range(120))


async def test_a_failed_batch_is_retried_whole_and_in_order() -> None:
    fake = ScriptedStore(OSError("disk I/O error"), locked())
    writer = WriteBehind(fake)  # type: ignore[arg-type]
    writer.submit(Shown("u", 1, ("a",)))
    writer.submit(Shown("u", 2, ("b",)))
    await writer.drain()
    assert [op.keys for op in fake.shown] == [("a",), ("b",)]
    assert writer.pending == 0 and not writer.holds("u")
    await writer.close()


async def test_a_like_is_committed_before_rate_returns(store: SQLiteStore) -> None:
    cache = UserCache(store, WriteBehind(store))
    await cache.rate("u", "k1", -1)
    # Straight from the file, through a new connection: nothing was flushed or closed.
    async with (
        aiosqlite.connect(store.path) as db,
        db.execute("SELECT value FROM feedback WHERE user = 'u' AND track_key = 'k1'") as cur,
    ):
        assert await cur.fetchone() == (-1,)
    assert (await cache.get("u")).feedback == {"k1": -1}


async def test_a_like_the_database_refuses_is_not_noted() -> None:
    fake = ScriptedStore(readonly())
    writer = WriteBehind(fake)  # type: ignore[arg-type]
    cache = UserCache(fake, writer)  # type: ignore[arg-type]
    cache._users["u"] = UserState(heard=set(), feedback={})
    with pytest.raises(StoreUnavailable, match="readonly"):
        await cache.rate("u", "k1", 1)
    assert (await cache.get("u")).feedback == {}  # not remembered either
    assert writer.pending == 0  # and not written later behind the user's back
    await writer.close()
    assert fake.written == []


async def test_a_like_waits_out_a_locked_database(
    store: SQLiteStore, holder: aiosqlite.Connection
) -> None:
    cache = UserCache(store, WriteBehind(store))
    await holder.execute("BEGIN IMMEDIATE")  # another process is writing
    like = asyncio.create_task(cache.rate("u", "k1", 1))
    await asyncio.sleep(0.3)
    assert not like.done()
    await holder.commit()
    await asyncio.wait_for(like, 5)
    assert (await store.user_state("u")).feedback == {"k1": 1}
    await cache.writer.close()


async def test_a_full_queue_slows_requests_down_and_drops_nothing() -> None:
    fake = ScriptedStore()
    fake.gate.clear()
    writer = WriteBehind(fake, limit=4, batch=2)  # type: ignore[arg-type]
    most = 0

    async def request(n: int) -> None:
        nonlocal most
        await writer.room()
        writer.submit(Shown("u", n, ("k",)))
        most = max(most, len(writer._queue))

    requests = [asyncio.create_task(request(n)) for n in range(20)]
    await asyncio.sleep(0.05)
    waiting = sum(not r.done() for r in requests)
    assert waiting >= 14  # the rest wait for room instead of growing the queue
    fake.gate.set()
    await asyncio.gather(*requests)
    await writer.close()
    assert sorted(op.query_id or 0 for op in fake.shown) == list(range(20))
    assert most <= 4


async def test_a_request_is_told_when_the_database_takes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(userstate, "ROOM_WAIT", 0.05)
    fake = ScriptedStore(*(readonly() for _ in range(10_000)))
    writer = WriteBehind(fake, limit=1)  # type: ignore[arg-type]
    writer.submit(Shown("u", 1, ("k",)))
    with pytest.raises(StoreUnavailable, match="readonly"):
        await writer.room()
    with pytest.raises(
        StoreUnavailable, match=r"could not save 1 write\(s\) for 1 user\(s\): .*readonly"
    ):
        await writer.close()


async def test_close_gives_up_on_a_locked_database_in_time(
    store: SQLiteStore, holder: aiosqlite.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(userstate, "CLOSE_WAIT", 0.3)
    writer = WriteBehind(store)
    await holder.execute("BEGIN IMMEDIATE")
    writer.submit(Shown("u", 1, ("a",)), Shown("v", 2, ("b",)))
    with pytest.raises(
        StoreUnavailable, match=r"could not save 2 write\(s\) for 2 user\(s\): .*locked"
    ):
        await asyncio.wait_for(writer.close(), 5)


async def test_cold_reads_do_not_wait_for_queued_writes(
    store: SQLiteStore, holder: aiosqlite.Connection
) -> None:
    await store.apply([Shown("cold", 1, ("x",)), Rate("cold", "x", 1)])
    writer = WriteBehind(store)
    cache = UserCache(store, writer)
    await holder.execute("BEGIN IMMEDIATE")  # the writer is stuck behind another process
    writer.submit(*(Shown(f"busy{n}", n, ("k",)) for n in range(5_000)))
    await asyncio.sleep(0.05)
    state = await asyncio.wait_for(cache.get("cold"), 2)
    assert state.heard == {"x"} and state.feedback == {"x": 1}
    assert writer.pending == 5_000  # read while every write was still waiting
    await holder.commit()
    await writer.close()


async def test_a_user_with_unsaved_writes_stays_in_memory(store: SQLiteStore) -> None:
    fake_gate = asyncio.Event()
    real_apply = store.apply

    async def slow_apply(ops: Sequence[Write], *, wait: float = 5.0) -> None:
        await fake_gate.wait()
        await real_apply(ops, wait=wait)

    store.apply = slow_apply  # type: ignore[method-assign]
    writer = WriteBehind(store)
    cache = UserCache(store, writer, limit=1)
    first = await cache.get("first")
    first.heard.add("x")
    writer.submit(Shown("first", 1, ("x",)))
    await cache.get("second")  # over the limit, but "first" is not in the database yet
    assert await cache.get("first") is first
    fake_gate.set()
    await writer.drain()
    await cache.get("second")  # now "first" may go, and comes back from the database
    again = await cache.get("first")
    assert again is not first and again.heard == {"x"}
    await writer.close()


async def test_an_unsaved_request_is_found_without_waiting() -> None:
    fake = ScriptedStore()
    fake.gate.clear()
    writer = WriteBehind(fake)  # type: ignore[arg-type]
    writer.submit(SaveQuery(42, "u", '{"tags": ["sad"]}'))
    await asyncio.sleep(0)
    assert writer.unsaved_spec(42) == '{"tags": ["sad"]}'
    fake.gate.set()
    await writer.drain()
    assert writer.unsaved_spec(42) is None  # from now on the database has it
    await writer.close()


async def test_closing_twice_and_writing_after_close(tmp_path: Path, store: SQLiteStore) -> None:
    writer = WriteBehind(store)
    await writer.close()
    await writer.close()
    writer.submit(Shown("late", 1, ("z",)))  # e.g. an adapter answering during shutdown
    await writer.close()
    assert (await store.user_state("late")).heard == {"z"}


async def test_a_read_overlapping_a_forget_does_not_bring_the_user_back(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    await store.apply([Rate("u", "k", 1), Shown("u", 1, ("k",))])
    writer = WriteBehind(store)
    cache = UserCache(store, writer)
    gate = asyncio.Event()
    read = store.user_state
    reads = 0

    async def slow(user: str) -> UserState:
        nonlocal reads
        reads += 1
        state: UserState = await read(user)
        if reads == 1:
            await gate.wait()  # read before the deletion, returned after it
        return state

    monkeypatch.setattr(store, "user_state", slow)
    reading = asyncio.create_task(cache.get("u"))
    await asyncio.sleep(0.05)
    assert await cache.forget("u") == {
        "feedback": 1,
        "heard": 1,
        "history": 1,
        "queries": 0,
        "users": 1,
    }
    gate.set()
    state = await reading
    assert (state.feedback, state.heard, reads) == ({}, set(), 2)
    assert await cache.get("u") is state
    await writer.close()
