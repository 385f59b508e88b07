"""Writes behind the reply: batched, retried when the database fails, flushed on close."""

from __future__ import annotations

import asyncio

import pytest

from bot.core.store import Rate, Shown, Store, Write
from bot.core.userstate import UserCache, WriteBehind


class FlakyStore:
    """Fails the first `failures` batches, then records what it is given."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.batches: list[list[Write]] = []

    async def apply(self, ops: list[Write]) -> None:
        if self.failures:
            self.failures -= 1
            raise OSError("disk full")
        self.batches.append(list(ops))


async def test_close_writes_everything(store: Store) -> None:
    writer = WriteBehind(store)
    writer.submit(Shown("u", 1, ("a",)), Rate("u", "a", 1))
    writer.submit(Shown("u", 2, ("b",)))
    await writer.close()
    state = await store.user_state("u")
    assert state.heard == {"a", "b"} and state.feedback == {"a": 1}


async def test_a_failed_batch_is_retried_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    flaky = FlakyStore(failures=1)
    writer = WriteBehind(flaky)  # type: ignore[arg-type]
    with pytest.raises(OSError):
        writer.submit(Shown("u", 1, ("a",)))
        await writer.flush()
    assert writer.pending == 1  # nothing lost
    writer.submit(Shown("u", 2, ("b",)))
    await writer.close()
    assert [[op.keys for op in batch] for batch in flaky.batches] == [[("a",), ("b",)]]  # type: ignore[union-attr]


async def test_background_flush_recovers(monkeypatch: pytest.MonkeyPatch) -> None:
    flaky = FlakyStore(failures=1)
    writer = WriteBehind(flaky)  # type: ignore[arg-type]
    real_sleep = asyncio.sleep
    monkeypatch.setattr(asyncio, "sleep", lambda _s: real_sleep(0))
    writer.submit(Rate("u", "k", -1))
    for _ in range(50):
        await real_sleep(0.01)
        if flaky.batches:
            break
    assert flaky.batches == [[Rate("u", "k", -1, at=flaky.batches[0][0].at)]]
    await writer.close()


async def test_cold_user_sees_their_own_pending_writes(store: Store) -> None:
    writer = WriteBehind(store)
    cache = UserCache(store, writer, limit=1)
    writer.submit(Shown("first", 1, ("x",)))
    state = await cache.get("first")  # flushes first, so the database has "x"
    assert state.heard == {"x"}
    await cache.get("second")  # evicts "first" (limit 1)
    writer.submit(Shown("first", 2, ("y",)))
    again = await cache.get("first")
    assert again.heard == {"x", "y"}
    await writer.close()
