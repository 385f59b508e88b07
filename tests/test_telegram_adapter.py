"""The Telegram adapter fed real-shaped updates, with the Bot API faked at the HTTP layer."""

from __future__ import annotations

import logging
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from telegram.error import Forbidden

from bot.adapters.common import install_redactor
from bot.adapters.telegram_adapter import visible_text
from bot.core.commands import registry
from bot.core.cooldown import Cooldown
from bot.core.messages import t
from bot.core.models import Reply, Request
from bot.core.service import Service
from bot.core.store import Store
from tests.support.telegram_kit import (
    BOT_USERNAME,
    GROUP_ID,
    OTHER_ID,
    TOKEN,
    USER_ID,
    Harness,
    bot_user,
    callback_data,
    callback_update,
    check_html,
    group_chat,
    group_update,
    inline_update,
    message,
    message_update,
    running,
    urls,
    user,
)

STALE = t("stale_button", "en")


async def recommend(tg: Harness, text: str = "/recommend 3 healing songs") -> dict[str, Any]:
    await tg.feed(message_update(text))
    sent = tg.sent()
    assert sent, "no reply was sent"
    return sent[-1]


# ------------------------------------------------------------------------ commands


# (Telegram text, the core request it must become: command, argument, text). One bot serves them
# all: the fixture that seeds a database is what costs time in these tests.
COMMANDS: list[tuple[str, tuple[str | None, str, str]]] = [
    ("/start", ("help", "", "")),
    ("/start sad_winter", (None, "", "sad winter")),  # a deep link's payload is a request
    ("/help", ("help", "", "")),
    ("/help@ostbot_test_bot", ("help", "", "")),
    ("/recommend sad songs from Goblin", ("recommend", "sad songs from Goblin", "")),
    ("/recommend", ("recommend", "", "")),
    ("/mood healing", ("mood", "healing", "")),
    ("/mood like", ("mood", "like", "")),  # a mood, never a 👍
    ("/mood", ("mood", "", "")),
    ("/moods", ("moods", "", "")),
    ("/drama Goblin", ("drama", "Goblin", "")),
    ("/drama@ostbot_test_bot Goblin", ("drama", "Goblin", "")),
    ("/dramas 2", ("dramas", "2", "")),
    ("/artist Baekhyun", ("artist", "Baekhyun", "")),
    ("/similar Stay With Me", ("similar", "Stay With Me", "")),
    ("/another", ("another", "", "")),
    ("/like 2", ("like", "2", "")),
    ("/dislike", ("dislike", "", "")),
    ("/history", ("history", "", "")),
    ("/about", ("about", "", "")),
    ("/DRAMA Goblin", ("drama", "Goblin", "")),
]


async def test_commands_reach_the_core_as_commands(
    service: Service, handled: list[Request]
) -> None:
    async with running(service) as tg:
        for text, _ in COMMANDS:
            before = len(tg.api.calls)
            await tg.feed(message_update(text))
            assert len(tg.api.calls) > before, f"{text!r} got no answer"
    assert [(r.command, r.arg, r.text) for r in handled] == [core for _, core in COMMANDS]
    for request in handled:
        assert (request.platform, request.user_id, request.chat_id) == ("telegram", "111", "111")
        assert request.locale == "en" and request.action is None
    assert all(p["chat_id"] == USER_ID for p in tg.sent())


async def test_mood_named_like_a_command_records_nothing(service: Service) -> None:
    async with running(service) as tg:
        await recommend(tg)
        tg.clear()
        for name in ("like", "dislike", "history", "reload"):
            await tg.feed(message_update(f"/mood {name}"))
    replies = [visible_text(p["text"]) for p in tg.sent()]
    assert len(replies) == 4
    assert all("didn't catch" in r for r in replies)  # read as moods, and none is one
    state = await service.users.get("telegram:111")
    assert state.feedback == {}


async def test_start_with_a_mood_payload_recommends_that_mood(service: Service) -> None:
    async with running(service) as tg:
        await tg.feed(message_update("/start healing"))
    (reply,) = tg.sent()
    shown = check_html(reply["text"])
    assert "healing" in shown.splitlines()[0].lower()
    assert any(d.startswith("like:") for d in callback_data(reply["reply_markup"]))


async def test_menu_lists_every_command_in_two_languages(service: Service) -> None:
    async with running(service) as tg:
        assert tg.app.post_init is not None
        await tg.app.post_init(tg.app)
    menus = tg.sent("setMyCommands")
    assert [m.get("language_code") for m in menus] == [None, "ko"]
    listed = [spec.name for spec in registry().listed()]
    descriptions = []
    for menu in menus:
        names = [c["command"] for c in menu["commands"]]
        assert names == listed  # the registry's order; reload (owners only) is not listed
        assert {"recommend", "mood", "drama", "artist", "similar", "another", "like"} <= set(names)
        for c in menu["commands"]:
            assert re.fullmatch(r"[a-z0-9_]{1,32}", c["command"])
            assert 1 <= len(c["description"]) <= 256
        descriptions.append([c["description"] for c in menu["commands"]])
    english, korean = descriptions
    assert "(/drama Goblin)" in english[listed.index("drama")]
    assert "(/drama 도깨비)" in korean[listed.index("drama")]


async def test_a_failing_menu_does_not_stop_the_bot(service: Service) -> None:
    async with running(service) as tg:
        tg.api.fail("setMyCommands", (400, {"ok": False, "description": "Bad Request: nope"}))
        assert tg.app.post_init is not None
        await tg.app.post_init(tg.app)  # must not raise
        await tg.feed(message_update("/help"))
    assert len(tg.sent()) == 1


# ------------------------------------------------------------------------ replies


async def test_recommendation_is_escaped_html_with_buttons(service: Service) -> None:
    async with running(service) as tg:
        reply = await recommend(tg)
    assert reply["parse_mode"] == "HTML"
    assert reply["link_preview_options"] == {"is_disabled": True}
    shown = check_html(reply["text"])
    assert "1. " in shown and "3. " in shown
    assert "<b>1. " in reply["text"]
    data = callback_data(reply["reply_markup"])
    likes = [d for d in data if d.startswith("like:")]
    dislikes = [d for d in data if d.startswith("dislike:")]
    assert len(likes) == len(dislikes) == 3
    assert data[-1].startswith("more:")  # "Another" is the last row
    assert all(1 <= len(d.encode()) <= 64 for d in data)
    links = urls(reply["reply_markup"])
    assert len(links) == 6 and all(u.startswith("https://") for u in links)


async def test_catalog_text_is_escaped(service: Service) -> None:
    # "Bon Appétit, Your Majesty" and friends are harmless; make one that is not.
    async with running(service) as tg:
        await tg.feed(message_update("<b>x</b> & <script>"))
    (reply,) = tg.sent()
    assert "<script>" not in reply["text"]
    shown = check_html(reply["text"])
    assert "<b>x</b> & <script>" in shown  # the words survive, as text


async def test_private_free_text_is_answered(service: Service, handled: list[Request]) -> None:
    async with running(service) as tg:
        await tg.feed(message_update("sad songs from Goblin"))
    assert [r.text for r in handled] == ["sad songs from Goblin"]
    (reply,) = tg.sent()
    assert "Goblin" in visible_text(reply["text"])
    assert "reply_parameters" not in reply  # private chats need no quote


async def test_korean_locale_is_passed_on(service: Service, handled: list[Request]) -> None:
    async with running(service) as tg:
        await tg.feed(message_update("/help", sender=user(lang="ko")))
    assert handled[0].locale == "ko"
    assert "추천" in tg.sent()[0]["text"]


async def test_long_replies_are_split_within_the_limit(service: Service) -> None:
    async with running(service) as tg:
        await tg.feed(message_update("/moods"))
        await tg.feed(message_update("/about"))
        await tg.feed(message_update("/dramas"))
    sent = tg.sent()
    assert sent
    for reply in sent:
        assert len(reply["text"].encode("utf-16-le")) // 2 <= 4096
        check_html(reply["text"])


# ------------------------------------------------------------------------ groups


async def test_group_chatter_is_ignored(service: Service, handled: list[Request]) -> None:
    async with running(service) as tg:
        await tg.feed(group_update("anyone watching Goblin tonight?"))
        await tg.feed(group_update("/drama@some_other_bot Goblin"))
        await tg.feed(
            group_update("@someone_else healing please", entities=[mention("@someone_else", 0)])
        )
        await tg.feed(group_update(None, sticker=sticker()))
    assert handled == []
    assert tg.api.calls == []


def mention(name: str, offset: int) -> dict[str, Any]:
    return {"type": "mention", "offset": offset, "length": len(name.encode("utf-16-le")) // 2}


def sticker() -> dict[str, Any]:
    return {
        "file_id": "CAACAgIAAxkBAAIBZ2V",
        "file_unique_id": "AgADcQADr8ZRGg",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": "😍",
    }


async def test_group_mention_is_stripped_and_quoted(
    service: Service, handled: list[Request]
) -> None:
    text = f"💖 @{BOT_USERNAME} sad songs from Goblin"
    entity = mention(f"@{BOT_USERNAME}", 3)  # the emoji is two UTF-16 units
    async with running(service) as tg:
        await tg.feed(group_update(text, entities=[entity], message_id=314))
    assert [r.text for r in handled] == ["💖 sad songs from Goblin"]
    assert handled[0].chat_id == str(GROUP_ID)
    (reply,) = tg.sent()
    assert reply["chat_id"] == GROUP_ID
    assert reply["reply_parameters"]["message_id"] == 314


async def test_group_text_mention_counts(service: Service, handled: list[Request]) -> None:
    entity = {"type": "text_mention", "offset": 0, "length": 6, "user": bot_user()}
    async with running(service) as tg:
        await tg.feed(group_update("OSTbot healing", entities=[entity]))
    assert [r.text for r in handled] == ["healing"]


async def test_group_reply_to_the_bot_is_answered(service: Service, handled: list[Request]) -> None:
    bots_message = message(
        "Here is one OST for you", chat=group_chat(), sender=bot_user(), message_id=9
    )
    someone = message("lol", chat=group_chat(), sender=user(OTHER_ID), message_id=10)
    async with running(service) as tg:
        await tg.feed(group_update("more like this but sad", reply_to_message=bots_message))
        await tg.feed(group_update("same", reply_to_message=someone))
    assert [r.text for r in handled] == ["more like this but sad"]
    assert len(tg.sent()) == 1


async def test_group_commands_and_captions_work(service: Service, handled: list[Request]) -> None:
    caption = f"@{BOT_USERNAME} healing"
    photo = [{"file_id": "AgACAgQ", "file_unique_id": "AQAD", "width": 90, "height": 90}]
    async with running(service) as tg:
        await tg.feed(group_update("/drama Goblin"))
        await tg.feed(
            group_update(
                None,
                photo=photo,
                caption=caption,
                caption_entities=[mention(f"@{BOT_USERNAME}", 0)],
            )
        )
        await tg.feed(group_update(f"/whatever@{BOT_USERNAME} healing"))
    assert [(r.command, r.arg, r.text) for r in handled] == [
        ("drama", "Goblin", ""),
        (None, "", "healing"),
        (None, "", f"/whatever@{BOT_USERNAME} healing"),
    ]


async def test_group_history_goes_to_a_private_chat(service: Service) -> None:
    async with running(service) as tg:
        await recommend(tg)
        tg.clear()
        await tg.feed(group_update("/history", message_id=55))
    private, note = tg.sent()
    assert private["chat_id"] == USER_ID  # the list itself: only to the asker
    assert note["chat_id"] == GROUP_ID and note["reply_parameters"]["message_id"] == 55
    assert note["text"] == "I sent that to you in a private chat."
    assert len(check_html(private["text"]).splitlines()) > 1


async def test_group_history_when_the_user_never_opened_a_chat(service: Service) -> None:
    async with running(service) as tg:
        tg.api.fail(
            "sendMessage", Forbidden("Forbidden: bot can't initiate conversation with a user")
        )
        await tg.feed(group_update("/history"))
    (note,) = tg.sent()
    assert note["chat_id"] == GROUP_ID
    assert urls(note["reply_markup"]) == [f"https://t.me/{BOT_USERNAME}?start=history"]


async def test_cooldown_limits_one_user_and_says_so(service: Service) -> None:
    service.cooldown = Cooldown(60)
    async with running(service) as tg:
        await tg.feed(group_update("/recommend healing"))
        await tg.feed(group_update("/recommend sad", message_id=43))  # the same user at once
        await tg.feed(group_update("/recommend sad", sender=user(OTHER_ID)))
        await tg.feed(group_update("/drama Goblin"))  # not rate limited
        await tg.feed(message_update("/another"))  # the same user elsewhere: still one user
    first, slow, other, drama, again = tg.sent()
    # Never a silent drop: the spammer is told how long to wait, in reply to their message.
    assert "try again in 60 s" in visible_text(slow["text"])
    assert slow["reply_parameters"]["message_id"] == 43
    assert "try again in" in visible_text(again["text"]) and again["chat_id"] == USER_ID
    assert callback_data(first["reply_markup"]) and callback_data(other["reply_markup"])
    assert "Goblin" in visible_text(drama["text"])


# ------------------------------------------------------------------ odd updates


async def test_edited_messages_are_ignored(service: Service, handled: list[Request]) -> None:
    edited = message("/drama Goblin", edit_date=1_700_000_100)
    async with running(service) as tg:
        await tg.feed({"update_id": 1, "edited_message": edited})
        await tg.feed(
            {"update_id": 2, "edited_message": {**edited, "text": "healing", "entities": []}}
        )
    assert handled == [] and tg.api.calls == []


async def test_sticker_or_photo_in_private_gets_the_core_hint(service: Service) -> None:
    photo = [{"file_id": "AgACAgQ", "file_unique_id": "AQAD", "width": 90, "height": 90}]
    async with running(service) as tg:
        await tg.feed(message_update(None, sticker=sticker()))
        await tg.feed(message_update(None, photo=photo))
    hints = [visible_text(p["text"]) for p in tg.sent()]
    empty = t("empty", "en")
    assert hints == [f"{empty}\n{t('try', 'en')}"] * 2


async def test_shared_inline_results_are_not_answered(service: Service) -> None:
    shared = "<b>Beautiful</b> — Crush"
    async with running(service) as tg:
        await tg.feed(message_update(shared, via_bot=bot_user()))
        await tg.feed(group_update(shared, via_bot=bot_user()))
    assert tg.api.calls == []


def test_core_and_console_do_not_import_telegram() -> None:
    code = (
        "import sys, bot.cli, bot.runner, bot.config, bot.adapters.common, bot.adapters.console, "
        "bot.core.service, bot.core.render; "
        "sys.exit(any(m == 'telegram' or m.startswith('telegram.') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


async def test_service_messages_are_ignored(service: Service) -> None:
    async with running(service) as tg:
        await tg.feed(group_update(None, new_chat_members=[user(OTHER_ID)]))
        await tg.feed(group_update(None, new_chat_title="OST lovers"))
    assert tg.api.calls == []


# ------------------------------------------------------------------------ buttons


async def test_like_and_dislike_buttons_answer_with_a_toast(service: Service) -> None:
    async with running(service) as tg:
        reply = await recommend(tg)
        data = callback_data(reply["reply_markup"])
        like = next(d for d in data if d.startswith("like:"))  # track 1
        dislike = [d for d in data if d.startswith("dislike:")][1]  # track 2
        tg.clear()
        await tg.feed(callback_update(like))
        await tg.feed(callback_update(dislike))
    liked, disliked = tg.sent("answerCallbackQuery")
    assert liked["text"].startswith("Noted: you like")
    assert disliked["text"].startswith("Noted: I won't recommend")
    assert len(liked["text"]) <= 200
    assert tg.sent() == []  # feedback never spams the chat
    state = await service.users.get("telegram:111")
    assert state.feedback == {like.split(":")[1]: 1, dislike.split(":")[1]: -1}


async def test_another_button_sends_new_tracks(service: Service) -> None:
    async with running(service) as tg:
        first = await recommend(tg)
        more = callback_data(first["reply_markup"])[-1]
        tg.clear()
        await tg.feed(callback_update(more))
    (answer,) = tg.sent("answerCallbackQuery")
    assert "text" not in answer  # just stops the spinner
    (second,) = tg.sent()
    assert second["chat_id"] == USER_ID
    old = {d for d in callback_data(first["reply_markup"]) if d.startswith("like:")}
    new = {d for d in callback_data(second["reply_markup"]) if d.startswith("like:")}
    assert new and not old & new  # different tracks
    assert callback_data(second["reply_markup"])[-1] == more  # same request, same button


FORGED: list[str | None] = [
    "like:ffffffffffff",  # looks right, no such track
    "more:zzzzzzzz",  # a query that was never saved
    "dislike:<b>",
    "'; DROP TABLE feedback;--",
    "more:" + "9" * 59,  # exactly 64 bytes of nonsense
    "like:" + "a" * 300,  # more than Telegram allows
    "👍" * 40,
    "",
    None,  # a game button carries no data
]


async def test_forged_or_stale_buttons_get_a_polite_answer(service: Service) -> None:
    async with running(service) as tg:
        for data in FORGED:
            await tg.feed(callback_update(data))
    answers = tg.sent("answerCallbackQuery")
    assert [a["text"] for a in answers] == [STALE] * len(FORGED)
    assert tg.sent() == []


async def test_a_query_id_beyond_sqlite_integers_still_gets_a_polite_answer(
    service: Service,
) -> None:
    # 16 base-36 digits overflow SQLite's 64-bit integers; the core raises OverflowError
    # (reported: it should answer "stale button"). The adapter must still answer politely.
    async with running(service) as tg:
        await tg.feed(callback_update("more:zzzzzzzzzzzzzzzz"))
    (answer,) = tg.sent("answerCallbackQuery")
    assert answer["text"] in (STALE, t("error", "en"))
    assert tg.sent() == []


async def test_every_button_press_is_answered_even_when_the_core_fails(
    service: Service, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(request: Request) -> Reply:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(service, "handle", broken)
    async with running(service) as tg:
        await tg.feed(callback_update("like:ffffffffffff"))
    (answer,) = tg.sent("answerCallbackQuery")
    assert "wrong" in answer["text"]
    assert "database is locked" in caplog.text


async def test_buttons_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "restart.db"
    store = await Store.open(db)
    service = await Service.create(store, rng=random.Random(7))
    async with running(service) as tg:
        first = await recommend(tg)
    await service.close()
    await store.close()
    data = callback_data(first["reply_markup"])
    like, more = next(d for d in data if d.startswith("like:")), data[-1]

    store = await Store.open(db)  # a new process: nothing in memory
    service = await Service.create(store, rng=random.Random(8))
    try:
        async with running(service) as tg:
            await tg.feed(callback_update(more))
            await tg.feed(callback_update(like))
            await tg.feed(callback_update("more:zzzzzzzz"))
    finally:
        await service.close()
        await store.close()
    spinner, liked, stale = tg.sent("answerCallbackQuery")
    assert "text" not in spinner
    assert liked["text"].startswith("Noted: you like")
    assert stale["text"] == STALE
    (second,) = tg.sent()
    old = {d for d in data if d.startswith("like:")}
    new = {d for d in callback_data(second["reply_markup"]) if d.startswith("like:")}
    assert new and not old & new  # the history survived too: no repeats


# ------------------------------------------------------------------------ inline


async def test_inline_query_offers_matching_tracks(service: Service) -> None:
    async with running(service) as tg:
        await tg.feed(inline_update("healing"))
    (answer,) = tg.sent("answerInlineQuery")
    results = answer["results"]
    assert len(results) == 10  # the catalog has far more than ten healing songs
    assert answer["is_personal"] is True
    assert len({r["id"] for r in results}) == len(results)
    for r in results:
        assert r["type"] == "article" and len(r["id"].encode()) <= 64
        content = r["input_message_content"]
        assert content["parse_mode"] == "HTML"
        shown = check_html(content["message_text"])
        assert r["title"].split(" — ")[0] in shown
        data = callback_data(r["reply_markup"])
        assert data and all(d.split(":")[0] in ("like", "dislike") for d in data)
        assert all(len(d.encode()) <= 64 for d in data)


async def test_inline_query_keeps_the_chat_history_clean(service: Service) -> None:
    async with running(service) as tg:
        for prefix in ("h", "he", "hea", "heal", "healing"):
            await tg.feed(inline_update(prefix))
    state = await service.users.get("telegram:111")
    assert not state.heard  # keystrokes did not use up the user's songs


ODD_QUERIES = [
    "",
    "   ",
    "<b>",
    "@everyone",
    "'; DROP TABLE tracks;--",
    "\u0000\u202e",
    "x" * 256,
    "reload",
    "history",
]


async def test_inline_odd_queries_do_not_crash(service: Service, handled: list[Request]) -> None:
    async with running(service) as tg:
        for query in ODD_QUERIES:
            await tg.feed(inline_update(query))
    answers = tg.sent("answerInlineQuery")
    assert len(answers) == len(ODD_QUERIES)
    for query, answer in zip(ODD_QUERIES, answers, strict=True):
        assert len(answer["results"]) <= 10
        for r in answer["results"]:
            check_html(r["input_message_content"]["message_text"])
        if not query.strip():
            assert answer["results"], "an empty query offers a few picks"
    assert handled == []  # previews are suggestions: no command ever runs from one
    assert (await service.users.get("telegram:111")).last_query is None


async def test_inline_results_can_be_liked(service: Service) -> None:
    async with running(service) as tg:
        await tg.feed(inline_update("sad"))
        (answer,) = tg.sent("answerInlineQuery")
        like = callback_data(answer["results"][0]["reply_markup"])[0]
        update = callback_update(like)
        query = update["callback_query"]
        del query["message"]
        query["inline_message_id"] = "AgAAAJ4VAQBTdgZtXjcy"
        tg.clear()
        await tg.feed(update)
    (toast,) = tg.sent("answerCallbackQuery")
    assert toast["text"].startswith("Noted: you like")


# ------------------------------------------------------------------------ errors


async def test_errors_are_logged_without_the_token(
    service: Service, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(request: Request) -> Reply:
        raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/sendMessage exploded")

    monkeypatch.setattr(service, "handle", broken)
    undo = install_redactor([TOKEN])
    try:
        with caplog.at_level(logging.INFO):
            async with running(service) as tg:
                await tg.feed(message_update("healing"))
                await tg.feed(
                    group_update(
                        f"@{BOT_USERNAME} healing", entities=[mention(f"@{BOT_USERNAME}", 0)]
                    )
                )
    finally:
        undo()
    assert "exploded" in caplog.text
    assert TOKEN not in caplog.text and TOKEN.split(":")[1] not in caplog.text
    for record in caplog.records:
        assert TOKEN.split(":")[1] not in (record.exc_text or "")
    # The private chat hears about it; the group is left in peace.
    (sorry,) = tg.sent()
    assert sorry["chat_id"] == USER_ID and "wrong" in sorry["text"]
