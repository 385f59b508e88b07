"""whoami, mydata and forget me: who you are to the bot, what it keeps about you, and deleting
all of it after a confirmation, on every surface."""

from __future__ import annotations

import asyncio
import io
import random
import re
from collections.abc import Sequence

import pytest

from bot.adapters.console import chat
from bot.core import userstate
from bot.core.features.privacy import CONFIRM_SECONDS, Kept, _digest
from bot.core.models import Reply, ReplyKind, Request, Visibility
from bot.core.service import Service
from bot.core.store import RECENT, Store, Write
from tests.support import rows_mentioning
from tests.support.discord_kit import OTHER_USER_ID, Harness, make_settings
from tests.support.discord_kit import USER_ID as DISCORD_USER
from tests.support.telegram_kit import (
    OTHER_ID,
    callback_data,
    callback_update,
    group_update,
    message_update,
    running,
    settings,
    user,
)

# Distinctive ids: found only where that user's data is.
VICTIM = "victim-7f3a9"
OTHER = "other-1b2c"
STALE = "That button has expired"


def said(user_id: str, text: str, platform: str = "telegram") -> Request:
    return Request(platform, user_id, "chat-1", text=text)


async def say(service: Service, user_id: str, text: str, platform: str = "telegram") -> Reply:
    return await service.handle(said(user_id, text, platform))


async def press(service: Service, user_id: str, payload: str) -> Reply:
    return await service.handle(Request("telegram", user_id, "chat-1", action=payload))


def shown(replies: Sequence[Reply]) -> list[str]:
    return [card.track.key for reply in replies for card in reply.cards]


def confirmation(reply: Reply) -> str:
    (button,) = reply.actions
    assert button.kind == "forget"
    return button.id


async def nothing_kept(store: Store, user: str) -> bool:
    """No row of the user in any table keyed by user, nor anywhere else."""
    counts = await store.user_data(user)
    return set(counts.values()) == {0} and rows_mentioning(store.path, user) == {}


# ----------------------------------------------------------------------------- whoami


async def test_whoami_gives_the_id_owners_are_named_by_on_every_surface(service: Service) -> None:
    out = io.StringIO()
    await chat(service, io.StringIO("whoami\n내 아이디\n"), out, user_id="fan")
    console = out.getvalue()
    assert "You are console:fan to me" in console
    # Korean particles follow the id's last sound: fan -> 팬, a final consonant.
    assert "console:fan이에요" in console and "console:fan을 추가하면" in console

    async with running(service) as tg:
        await tg.feed(message_update("/whoami"))
        await tg.feed(group_update("/whoami"))
    private, to_dm, note = tg.sent()
    assert "You are telegram:111 to me" in private["text"]
    # Asked in a group: answered in the private chat, and the group only hears that it was.
    assert to_dm["chat_id"] == 111 and "telegram:111" in to_dm["text"]
    assert "telegram:111" not in note["text"]

    bot = await Harness.start(service)
    (slash,) = await bot.slash("whoami")
    assert f"You are discord:{DISCORD_USER} to me" in slash.text and slash.ephemeral


async def test_the_id_whoami_gives_makes_an_owner_when_listed(store: Store) -> None:
    stranger = await Service.create(store)
    try:
        reply = await say(stranger, "5678", "whoami")
    finally:
        await stranger.close()
    assert "not an owner" in reply.text and reply.private
    found = re.search(r"You are (\S+) to me", reply.text)
    assert found is not None
    owners = settings(ostbot_owners=f"discord:1, {found.group(1)}").owners  # as OSTBOT_OWNERS
    service = await Service.create(store, owners=owners)
    try:
        again = await say(service, "5678", "whoami")
        reload = await say(service, "5678", "reload")
    finally:
        await service.close()
    assert "You are one of this bot's owners" in again.text
    assert "Catalog reloaded" in reload.text


# ----------------------------------------------------------------------------- mydata


async def test_mydata_counts_what_is_kept_right_after_a_conversation(service: Service) -> None:
    replies = [await say(service, VICTIM, "3 sad songs from Goblin")]
    await say(service, VICTIM, "like 1")
    await say(service, VICTIM, "dislike 2")
    replies.append(await say(service, VICTIM, "another"))
    replies.append(await say(service, VICTIM, "2 healing songs"))
    replies.append(await say(service, VICTIM, "5 romantic songs"))
    keys = shown(replies)
    assert len(keys) > RECENT  # history keeps the last 10 only

    # Asked at once: the writes behind the replies may still be queued.
    reply = await say(service, VICTIM, "mydata")

    assert reply.private and reply.kind is ReplyKind.INFO
    kept = await service.privacy.kept(f"telegram:{VICTIM}")
    assert kept is not None and kept.items() == [
        ("heard", len(set(keys))),
        ("history", RECENT),
        ("likes", 1),
        ("dislikes", 1),
        ("queries", 3),  # "another" asks the same saved request again
        ("users", 1),
    ]
    assert f"songs recommended to you: {len(set(keys))} " in reply.text
    assert f"history: {RECENT} " in reply.text
    assert "likes: 1 " in reply.text and "dislikes: 1 " in reply.text
    assert "saved requests: 3 " in reply.text and "last request: 1 " in reply.text
    assert '"forget me"' in reply.text
    korean = await say(service, VICTIM, "내 정보")
    assert f"추천 기록: {RECENT} " in korean.text and "내 정보 삭제" in korean.text

    nobody = await say(service, "new-user", "my data")
    assert nobody.text == "I keep nothing about you (telegram:new-user)."


async def test_mydata_and_forget_me_cover_a_table_a_later_migration_adds(
    service: Service, store: Store
) -> None:
    user = f"telegram:{VICTIM}"
    async with store._transaction() as db:
        await db.execute("CREATE TABLE playlists (user TEXT NOT NULL, name TEXT NOT NULL)")
        await db.execute("INSERT INTO playlists VALUES (?, 'rainy'), (?, 'gym')", (user, user))
    reply = await say(service, VICTIM, "mydata")
    assert "• playlists: 2" in reply.text
    done = await say(service, VICTIM, "forget me confirm")
    assert "playlists 2" in done.text
    assert await nothing_kept(store, user)


# -------------------------------------------------------------------------- forget me


async def test_forget_me_asks_first_and_deletes_nothing_until_confirmed(
    service: Service, store: Store
) -> None:
    await say(service, VICTIM, "3 sad songs")
    await say(service, VICTIM, "like 1")
    await service.writer.drain()
    before = await store.user_data(f"telegram:{VICTIM}")
    for text in ("forget me", "forget_me please", "delete my data now", "/forget_me", "기록 삭제"):
        reply = await say(service, VICTIM, text)
        assert reply.private and reply.command == "forget_me", text
        assert len(confirmation(reply).encode()) <= 64  # Telegram's callback data limit
    assert '"forget me confirm"' in (await say(service, VICTIM, "forget me")).text
    assert '"내 정보 삭제 확인"' in (await say(service, VICTIM, "내 정보 삭제")).text
    await service.writer.drain()
    assert await store.user_data(f"telegram:{VICTIM}") == before
    # Typed confirmations, where there is no button to press (the console).
    done = await say(service, VICTIM, "forget me confirm", platform="console")
    assert done.text.startswith("Done") and done.private
    for text in ("내 정보 삭제 확인", "FORGET ME YES!"):
        reply = await say(service, VICTIM, text, platform="console")
        assert reply.kind is ReplyKind.FEEDBACK, text


async def test_forget_me_leaves_no_row_and_no_memory_of_the_user(
    service: Service, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim, other = f"telegram:{VICTIM}", f"telegram:{OTHER}"
    first = await say(service, VICTIM, "3 sad songs from Goblin")
    await say(service, VICTIM, "like 1")
    await say(service, VICTIM, "dislike 2")
    await say(service, VICTIM, "another")
    await say(service, VICTIM, "calmer")
    await say(service, VICTIM, "who sings Stay With Me")  # a song in focus
    others = [await say(service, OTHER, "3 healing songs")]
    await say(service, OTHER, "like 1")
    prompt = await say(service, VICTIM, "forget me")
    await service.writer.drain()
    assert rows_mentioning(store.path, victim)  # the victim's data is there to delete

    # Hold the writer in the middle of a batch, with more writes queued behind it: the
    # victim's (a request, a like waiting for its commit) and the other user's.
    gate = asyncio.Event()
    apply = store.apply

    async def held(ops: Sequence[Write], *, wait: float = 5.0) -> None:
        await gate.wait()
        await apply(ops, wait=wait)

    monkeypatch.setattr(store, "apply", held)
    monkeypatch.setattr(userstate, "SAVE_WAIT", 0.05)  # forget me waits no longer for them
    await say(service, VICTIM, "romantic songs")  # taken by the writer: held in its batch
    await asyncio.sleep(0)
    await say(service, VICTIM, "another")  # queued behind it
    others.append(await say(service, OTHER, "upbeat songs"))
    liking = asyncio.create_task(say(service, VICTIM, "like 1"))
    forgetting = asyncio.create_task(press(service, VICTIM, confirmation(prompt)))
    await asyncio.sleep(0.2)
    assert not forgetting.done()  # it waits for the batch under way
    gate.set()
    done, like = await forgetting, await liking
    await service.writer.drain()

    assert done.text.startswith("Done: I deleted everything") and done.private
    assert "likes 1" in done.text and "dislikes 1" in done.text
    assert "Sorry, I couldn't save that" in like.text  # refused, not brought back
    assert await nothing_kept(store, victim)
    # Nothing in memory: no cached state, no write waiting, no song in focus, no saved
    # request behind an old button.
    assert victim not in service.users and not service.writer.holds(victim)
    assert (await press(service, OTHER, first.actions[0].id)).text.startswith(STALE)
    context = await service.converse.context(said(VICTIM, ""))
    assert (context.last, context.shown, context.focus) == (None, (), None)
    # The other user lost nothing, the writes queued during the deletion included.
    state = await store.user_state(other)
    assert state.heard == set(shown(others)) and list(state.feedback.values()) == [1]
    assert state.last_query == int(others[-1].actions[0].id.split(":")[1], 36)
    assert (await store.user_data(other))["queries"] == 2


async def test_forget_me_forgets_the_cooldown_too(store: Store) -> None:
    service = await Service.create(store, rng=random.Random(5), cooldown_seconds=60)
    try:
        assert (await say(service, VICTIM, "sad songs")).cards
        assert "try again in" in (await say(service, VICTIM, "sad songs")).text
        await say(service, VICTIM, "forget me confirm")
        assert (await say(service, VICTIM, "sad songs")).cards
    finally:
        await service.close()


async def test_a_foreign_forged_or_old_confirmation_deletes_nothing(
    service: Service, store: Store
) -> None:
    victim, other = f"telegram:{VICTIM}", f"telegram:{OTHER}"
    for who in (VICTIM, OTHER):
        await say(service, who, "3 sad songs")
        await say(service, who, "like 1")
    prompt = await say(service, VICTIM, "forget me")
    payload = confirmation(prompt)
    when = payload.split(":")[1]
    await service.writer.drain()
    before = {u: await store.user_data(u) for u in (victim, other)}

    not_yours = [
        (OTHER, payload),  # the victim's button, pressed by someone else
        (OTHER, f"forget:{when}:{_digest(victim, when)}"),  # made up for the victim
        (VICTIM, f"forget:{when}:{_digest(other, when)}"),  # made up for the other
        (VICTIM, f"forget:{when}:{_digest(victim, 'x')}"),  # another time's digest
    ]
    for who, forged in not_yours:
        reply = await press(service, who, forged)
        assert reply.text.startswith("That button is for whoever asked"), forged
        assert reply.kind is ReplyKind.HINT and reply.private
    malformed = [
        "forget:",
        "forget:me",
        f"forget:{when}",
        f"forget:{when}:{victim}",
        f"forget:{when}:{_digest(victim, when)}:{other}",
        f"forget:{victim}:{_digest(victim, when)}",
        f"forget:{'1' * 9}:{_digest(victim, '1' * 9)}",
        f"forget:{when}:{_digest(victim, when).upper()}",
        f"forget:{when}:{_digest(victim, when)[:-1]}",
    ]
    for forged in malformed:
        assert (await press(service, VICTIM, forged)).text.startswith(STALE), forged
    clock = service.privacy.clock
    for moved in (CONFIRM_SECONDS + 1, -60):  # too old; from the future
        service.privacy.clock = lambda moved=moved: clock() + moved  # type: ignore[misc]
        reply = await press(service, VICTIM, payload)
        assert reply.text.startswith("That confirmation has expired"), moved
    service.privacy.clock = clock
    await service.writer.drain()
    assert {u: await store.user_data(u) for u in (victim, other)} == before

    # The very same button, pressed in time by the one it was made for.
    assert (await press(service, VICTIM, payload)).text.startswith("Done")
    assert await nothing_kept(store, victim)
    assert await store.user_data(other) == before[other]


async def test_the_confirmation_button_works_after_a_restart(store: Store) -> None:
    first = await Service.create(store)
    try:
        await say(first, VICTIM, "3 sad songs")
        prompt = await say(first, VICTIM, "forget me")
    finally:
        await first.close()
    second = await Service.create(store)
    try:
        done = await press(second, VICTIM, confirmation(prompt))
    finally:
        await second.close()
    assert done.text.startswith("Done") and "songs recommended to you 3" in done.text
    assert await nothing_kept(store, f"telegram:{VICTIM}")


async def test_forgetting_is_all_or_nothing(service: Service, store: Store) -> None:
    await say(service, VICTIM, "3 sad songs")
    await say(service, VICTIM, "like 1")
    await service.writer.drain()
    before = await store.user_data(f"telegram:{VICTIM}")
    async with store._transaction() as db:
        await db.execute(
            "CREATE TRIGGER refuse BEFORE DELETE ON feedback BEGIN SELECT RAISE(ABORT, 'no'); END"
        )
    reply = await say(service, VICTIM, "forget me confirm")
    assert reply.kind is ReplyKind.HINT and "nothing was deleted" in reply.text
    assert await store.user_data(f"telegram:{VICTIM}") == before
    assert f"telegram:{VICTIM}" in service.users  # memory kept what the store kept


def test_kept_shows_every_table_it_does_not_know_by_name() -> None:
    kept = Kept({"heard": 2, "feedback": 3, "zines": 4, "albums": 0}, likes=2, dislikes=1)
    assert kept.items() == [
        ("heard", 2),
        ("history", 0),
        ("likes", 2),
        ("dislikes", 1),
        ("queries", 0),
        ("users", 0),
        ("albums", 0),
        ("zines", 4),
    ]
    assert not kept.empty and Kept({"albums": 0}, 0, 0).empty


# --------------------------------------------------------------- through the adapters


async def test_forget_me_on_telegram_confirms_with_a_button_only_its_user_can_use(
    service: Service, store: Store
) -> None:
    async with running(service) as tg:
        await tg.feed(message_update("/recommend sad songs"))
        await tg.feed(group_update("/forget_me"))  # in a group: the button goes to the DM
        to_dm = tg.sent()[-2]
        (payload,) = callback_data(to_dm["reply_markup"])
        assert to_dm["chat_id"] == 111 and payload.startswith("forget:")
        tg.clear()
        await tg.feed(callback_update(payload, sender=user(OTHER_ID)))
        await tg.feed(callback_update(payload))
    refused, done = tg.sent("answerCallbackQuery")
    assert refused["text"].startswith("That button is for") and refused["show_alert"]
    assert done["text"].startswith("Done: I deleted everything")
    assert tg.sent() == []  # a pop-up for the presser only, nothing in the chat
    await service.writer.drain()
    assert await nothing_kept(store, "telegram:111")


async def test_forget_me_on_discord_confirms_with_a_button_only_its_user_can_use(
    service: Service, store: Store
) -> None:
    bot = await Harness.start(service, make_settings(cooldown_seconds=0))
    await bot.slash("recommend", text="sad songs")
    (prompt,) = await bot.slash("forget_me")
    assert prompt.ephemeral
    (payload,) = prompt.custom_ids()
    (refused,) = await bot.press(payload, prompt.message, user_id=OTHER_USER_ID)
    (done,) = await bot.press(payload, prompt.message)
    assert refused.ephemeral and refused.text.startswith("That button is for")
    assert done.ephemeral and done.text.startswith("Done: I deleted everything")
    (confirmed,) = await bot.slash("forget_me", confirm="confirm")  # typed, no button
    assert confirmed.ephemeral and confirmed.text.startswith("Done: I kept nothing")
    await service.writer.drain()
    assert await nothing_kept(store, f"discord:{DISCORD_USER}")


def test_a_confirmation_is_private_on_every_surface(service: Service) -> None:
    for request in (
        said(VICTIM, "forget me"),
        Request("discord", VICTIM, "c", command="forget_me"),
        Request("telegram", VICTIM, "c", action=service.privacy.confirmation(VICTIM)),
    ):
        assert service.audience(request) is not Visibility.PUBLIC
