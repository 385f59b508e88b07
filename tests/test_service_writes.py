"""What the service tells users when it writes: a like only once it is saved, an honest
apology when the database will not take writes, and no waiting behind other users' writes."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.core import userstate
from bot.core.messages import t
from bot.core.models import ReplyKind, Request
from bot.core.service import Service
from bot.core.store import Store, StoreUnavailable, Write
from bot.lifecycle import open_service
from tests.support import ask


def refuse_writes(service: Service) -> asyncio.Event:
    """Make every batch fail as a read-only database does until the returned event is set."""
    fixed = asyncio.Event()
    apply = service.store.apply

    async def failing(ops: Sequence[Write], *, wait: float = 5.0) -> None:
        if not fixed.is_set():
            exc = sqlite3.OperationalError("attempt to write a readonly database")
            exc.sqlite_errorcode = sqlite3.SQLITE_READONLY
            raise exc
        await apply(ops, wait=wait)

    service.store.apply = failing  # type: ignore[method-assign]
    return fixed


def stall_writes(service: Service) -> asyncio.Event:
    """Hold every batch until the returned event is set."""
    go = asyncio.Event()
    apply = service.store.apply

    async def stalled(ops: Sequence[Write], *, wait: float = 5.0) -> None:
        await go.wait()
        await apply(ops, wait=wait)

    service.store.apply = stalled  # type: ignore[method-assign]
    return go


async def test_a_like_is_only_noted_once_saved(service: Service) -> None:
    shown = await service.handle(ask("3 sad songs", user="fan"))
    fixed = refuse_writes(service)
    refused = await service.handle(ask("like 2", user="fan"))
    assert refused.text == t("not_saved", "en") and refused.kind is ReplyKind.HINT
    assert (await service.users.get("console:fan")).feedback == {}
    fixed.set()
    noted = await service.handle(ask("like 2", user="fan"))
    assert noted.kind is ReplyKind.FEEDBACK and noted.text.startswith("Noted: you like")
    key = shown.cards[1].track.key
    assert (await service.store.user_state("console:fan")).feedback == {key: 1}


async def test_buttons_get_the_same_honest_answer(service: Service) -> None:
    shown = await service.handle(ask("3 sad songs", user="fan", platform="telegram"))
    key = shown.cards[0].track.key
    fixed = refuse_writes(service)
    reply = await service.handle(
        Request("telegram", "fan", "c1", action=f"dislike:{key}", locale="ko")
    )
    assert reply.text == t("not_saved", "ko")
    fixed.set()  # the database is back: what was shown is saved on close


async def test_a_database_that_takes_nothing_gets_an_apology(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(userstate, "ROOM_WAIT", 0.05)
    service.writer.limit = 2
    fixed = refuse_writes(service)
    replies = [await service.handle(ask("sad songs", user=f"u{n}")) for n in range(3)]
    assert [r.kind for r in replies[:1]] == [ReplyKind.RECOMMENDATION]
    assert replies[-1].text == t("store_unavailable", "en")
    assert "console:u2" not in [op.user for op in service.writer._queue]  # nothing half-done
    fixed.set()


async def test_an_old_another_button_does_not_wait_for_the_queue(service: Service) -> None:
    go = stall_writes(service)
    first = await service.handle(ask("sad songs from Goblin", user="old"))
    for n in range(200):  # other users' writes pile up behind the stalled batch
        await service.handle(ask("healing", user=f"busy{n}"))
    service.picks._queries.clear()  # as after many other requests: only the writer has it
    button = first.actions[0].id
    more = await asyncio.wait_for(service.handle(Request("console", "old", "c1", action=button)), 2)
    assert more.kind is ReplyKind.RECOMMENDATION and more.cards[0].track.drama == "Goblin"
    assert service.writer.pending > 200  # answered while all of that was still queued
    go.set()


async def test_no_repeats_survive_leaving_the_cache(service: Service) -> None:
    service.users.limit = 1
    seen: set[str] = set()
    rounds = len(service.index.drama_tracks["Goblin"]) // 3  # before the pool is used up
    assert rounds >= 4
    go = stall_writes(service)  # first with nothing saved yet, then with everything saved
    for n in range(rounds):
        if n == rounds // 2:
            go.set()
            await service.writer.drain()
        reply = await service.handle(ask("songs from Goblin", user="a"))
        keys = {c.track.key for c in reply.cards}
        assert len(keys) == 3 and not keys & seen, f"a repeat in round {n}"
        seen |= keys
        await service.handle(ask("healing", user=f"other{n}"))  # over the limit: "a" may go


async def test_the_store_is_closed_whatever_failed_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed: list[Store] = []
    real_close = Store.close

    async def spy(store: Store) -> None:
        closed.append(store)
        await real_close(store)

    async def failing_close(service: Service) -> None:
        raise StoreUnavailable("could not save 3 write(s) for 1 user(s): database is locked")

    monkeypatch.setattr(Store, "close", spy)
    monkeypatch.setattr(Service, "close", failing_close)
    with pytest.raises(StoreUnavailable):
        async with open_service(tmp_path / "db.sqlite"):
            raise RuntimeError("an adapter failed")  # and then the final write fails too
    assert len(closed) == 1
