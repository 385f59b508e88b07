"""Slash commands, autocomplete and buttons through real discord.Interaction objects."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import discord
import pytest

from bot.adapters.discord_adapter import OstClient
from bot.core.cooldown import Cooldown
from bot.core.index import CatalogIndex
from bot.core.models import Reply, Request
from bot.core.service import Service
from bot.core.store import Store
from tests.support import slow_core
from tests.support.discord_kit import (
    GUILD_ID,
    NO_EMBEDS,
    OTHER_USER_ID,
    USER_ID,
    Call,
    Harness,
    make_settings,
)


@pytest.fixture
async def bot(service: Service) -> Harness:
    return await Harness.start(service)


def only(calls: list[Call]) -> Call:
    assert len(calls) == 1, calls
    return calls[0]


# ------------------------------------------------------------------ slash -> core command


@pytest.mark.parametrize(
    ("command", "options", "arg"),
    [
        ("recommend", {"text": "a healing OST"}, "a healing OST"),
        ("mood", {"name": "healing"}, "healing"),
        ("drama", {"name": "Goblin"}, "Goblin"),
        ("similar", {"track": "Stay With Me"}, "Stay With Me"),
        ("artist", {"name": "Baekhyun"}, "Baekhyun"),
        ("moods", {}, ""),
        ("dramas", {}, ""),
        ("dramas", {"page": "2016"}, "2016"),
        ("another", {}, ""),
        ("like", {"track": "2"}, "2"),
        ("dislike", {}, ""),
        ("history", {}, ""),
        ("help", {}, ""),
        ("about", {}, ""),
        ("reload", {}, ""),
    ],
)
async def test_each_slash_command_reaches_the_core_as_that_command(
    service: Service, handled: list[Request], command: str, options: dict[str, str], arg: str
) -> None:
    bot = await Harness.start(service)
    calls = await bot.slash(command, **options)
    (request,) = handled
    # A command with its argument, never text for the core to read again.
    assert (request.command, request.arg, request.text) == (command, arg, "")
    assert request.platform == "discord"
    assert request.user_id == str(USER_ID)
    assert request.chat_id != ""
    assert request.action is None
    # Answered at once with a message (not left unanswered), within limits (the recorder checks).
    assert calls[0].is_callback and calls[0].payload["type"] == 4


async def test_recommend_answers_with_one_embed_per_card_and_buttons(
    bot: Harness, service: Service
) -> None:
    call = only(await bot.slash("recommend", text="3 healing OSTs"))
    message = call.message
    assert message["content"].startswith("Here are 3")
    embeds = message["embeds"]
    assert len(embeds) == 3
    assert [e["title"][:3] for e in embeds] == ["1. ", "2. ", "3. "]
    for embed in embeds:
        names = [f["name"] for f in embed["fields"]]
        assert names[:2] == ["Artist", "Drama"] and "Why" in names
        assert embed["url"].startswith("https://www.youtube.com/")
    assert embeds[-1]["footer"]["text"]  # the core's footer, once, at the end
    rows = message["components"]
    # One row per track: 👍 👎 and the listen links; "Another" on its own row.
    assert [len(r["components"]) for r in rows] == [4, 4, 4, 1]
    first = rows[0]["components"]
    assert first[0]["custom_id"].startswith("like:") and first[0]["label"] == "1 👍"
    assert first[1]["custom_id"].startswith("dislike:")
    assert {b["style"] for b in first[2:]} == {5} and first[2]["label"] == "YouTube"
    assert rows[-1]["components"][0]["custom_id"].startswith("more:")
    assert not call.ephemeral


async def test_five_cards_fit_in_five_rows_with_links(bot: Harness) -> None:
    call = only(await bot.slash("recommend", text="5 OSTs"))
    rows = call.message["components"]
    assert len(call.message["embeds"]) == 5
    assert len(rows) == 5
    assert [len(r["components"]) for r in rows] == [4, 4, 4, 4, 5]
    assert rows[-1]["components"][-1]["custom_id"].startswith("more:")


async def test_history_is_ephemeral_and_help_is_not(bot: Harness) -> None:
    await bot.slash("recommend", text="healing")
    history = only(await bot.slash("history"))
    assert history.ephemeral
    assert "•" in history.text  # it lists what was shown
    help_ = only(await bot.slash("help"))
    assert not help_.ephemeral


async def test_reload_is_refused_to_non_owners_and_done_for_owners(
    store: Store, tmp_path: Path
) -> None:
    owner = f"discord:{USER_ID}"
    service = await Service.create(store, owners=frozenset({owner}))
    try:
        bot = await Harness.start(service)
        refused = only(await bot.slash_as("reload", user_id=OTHER_USER_ID))
        done = only(await bot.slash("reload"))
    finally:
        await service.close()
    assert refused.ephemeral and done.ephemeral
    assert "owner" in refused.text.lower()
    assert "tracks" in done.text.lower() and "owner" not in done.text.lower()


async def test_korean_locale_reaches_the_core(bot: Harness, handled: list[Request]) -> None:
    call = only(await bot.slash_as("help", locale="ko"))
    assert handled[0].locale == "ko"
    assert any("\uac00" <= ch <= "\ud7a3" for ch in call.text)


async def test_a_direct_message_slash_command_works(bot: Harness) -> None:
    call = only(await bot.slash_as("recommend", {"text": "healing"}, dm=True))
    assert call.message["embeds"]


async def test_without_embed_links_the_reply_is_plain_text_with_buttons(bot: Harness) -> None:
    calls = await bot.slash_as("recommend", {"text": "2 sad OSTs"}, permissions=NO_EMBEDS)
    assert all(not c.message.get("embeds") for c in calls)
    text = "\n".join(c.text for c in calls)
    assert "1. " in text and "2. " in text and "youtube.com" in text
    assert any(c.custom_ids() for c in calls)  # buttons need no Embed Links permission


async def test_setup_hook_syncs_globally_or_to_the_development_guild(service: Service) -> None:
    globally = await Harness.start(service)
    assert globally.synced == [None]
    settings = make_settings(discord_guild_id=GUILD_ID)
    dev = await Harness.start(service, settings)
    assert dev.synced == [GUILD_ID]
    assert {c.name for c in dev.client.tree.get_commands(guild=discord.Object(id=GUILD_ID))} >= {
        "recommend",
        "history",
    }


# ------------------------------------------------------------------------ autocomplete


async def test_drama_autocomplete_is_fuzzy_and_capped(bot: Harness) -> None:
    choices = await bot.autocomplete("drama", "name", "gobln")
    assert choices[0]["value"] == "Goblin"
    everything = await bot.autocomplete("drama", "name", "")
    assert len(everything) == 25
    assert all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in everything)


async def test_mood_autocomplete_understands_korean(bot: Harness) -> None:
    choices = await bot.autocomplete("mood", "name", "힐링")
    assert choices[0]["value"] == "healing"


async def test_track_autocomplete_finds_titles(bot: Harness) -> None:
    choices = await bot.autocomplete("similar", "track", "stay wth me")
    assert "Stay With Me" in [c["value"] for c in choices[:3]]
    assert len(choices) <= 25


async def test_autocomplete_follows_a_catalog_reload(bot: Harness, service: Service) -> None:
    before = await bot.autocomplete("drama", "name", "goblin")
    index = service.index
    service.index = replace_dramas(index, keep="Goblin")
    after = await bot.autocomplete("drama", "name", "")
    assert before and [c["value"] for c in after] == ["Goblin"]


def replace_dramas(index: CatalogIndex, keep: str) -> CatalogIndex:
    catalog = index.catalog
    dramas = {k: v for k, v in catalog.dramas.items() if k == keep}
    tracks = [tr for tr in catalog.tracks if tr.drama == keep]
    return CatalogIndex(replace(catalog, dramas=dramas, tracks=tracks))


# ----------------------------------------------------------------------------- buttons


async def test_another_button_recommends_again_without_repeats(bot: Harness) -> None:
    first = only(await bot.slash("recommend", text="2 healing OSTs"))
    (more,) = [i for i in first.custom_ids() if i.startswith("more:")]
    second = only(await bot.press(more, first.message))
    assert second.message["embeds"] and not second.ephemeral
    titles = {e["title"][3:] for e in first.message["embeds"]}
    assert titles.isdisjoint(e["title"][3:] for e in second.message["embeds"])


async def test_like_button_records_feedback_for_whoever_pressed(
    bot: Harness, service: Service
) -> None:
    first = only(await bot.slash("recommend", text="healing"))
    like = next(i for i in first.custom_ids() if i.startswith("like:"))
    answer = only(await bot.press(like, first.message, user_id=OTHER_USER_ID))
    assert answer.ephemeral and "like" in answer.text.lower()
    key = like.split(":", 1)[1]
    assert (await service.users.get(f"discord:{OTHER_USER_ID}")).feedback == {key: 1}
    assert key not in (await service.users.get(f"discord:{USER_ID}")).feedback


async def test_buttons_still_work_after_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "ost.db"
    store = await Store.open(db)
    service = await Service.create(store, rng=random.Random(7))
    old = await Harness.start(service)
    first = only(await old.slash("recommend", text="2 romantic OSTs"))
    await service.close()
    await store.close()

    # A new process: new store connection, new service, new client; only the database remains.
    store = await Store.open(db)
    service = await Service.create(store, rng=random.Random(8))
    try:
        new = await Harness.start(service)
        more = next(i for i in first.custom_ids() if i.startswith("more:"))
        again = only(await new.press(more, first.message))
        dislike = next(i for i in first.custom_ids() if i.startswith("dislike:"))
        disliked = only(await new.press(dislike, first.message))
        feedback = (await service.users.get(f"discord:{USER_ID}")).feedback
    finally:
        await service.close()
        await store.close()
    assert len(again.message["embeds"]) == 2
    assert "romantic" in again.message["content"]
    shown = {e["title"] for e in first.message["embeds"]}
    assert shown.isdisjoint(e["title"] for e in again.message["embeds"])  # history survived
    assert disliked.ephemeral and feedback == {dislike.split(":", 1)[1]: -1}


def message_with_button(custom_id: str) -> dict[str, object]:
    """An old message of the bot's carrying one button (discord.py routes a press by it)."""
    button = {"type": 2, "style": 2, "label": "x", "custom_id": custom_id}
    return {"content": "old message", "components": [{"type": 1, "components": [button]}]}


@pytest.mark.parametrize(
    "custom_id", ["like:ffffffffffff", "dislike:0", "more:zzzzzzzz", "like:DROP TABLE tracks;--"]
)
async def test_stale_or_forged_buttons_get_a_polite_private_answer(
    bot: Harness, custom_id: str
) -> None:
    answer = only(await bot.press(custom_id, message_with_button(custom_id)))
    assert answer.ephemeral
    assert "button" in answer.text.lower()
    assert "Traceback" not in answer.text


# ---------------------------------------------------------- deadlines, limits, failures


async def test_slow_core_is_deferred_then_followed_up(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow_core(service, monkeypatch, 0.2)
    bot = await Harness.start(service, defer_after=0.05)
    calls = await bot.slash("history")
    assert [c.is_callback for c in calls] == [True, False]
    defer, followup = calls
    assert defer.payload["type"] == 5  # "thinking…"
    assert defer.payload["data"]["flags"] & 64  # private from the start, like the answer
    assert followup.path.startswith("/webhooks/") and followup.payload["content"]


async def test_a_slow_stale_button_is_answered_only_to_whoever_pressed(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The core would have answered "Another" publicly, but this button has expired: the notice
    # is for the presser only, so the deferral must not have decided on a public answer.
    slow_core(service, monkeypatch, 0.2)
    bot = await Harness.start(service, defer_after=0.05)
    calls = await bot.press("more:zzzzzzzz", message_with_button("more:zzzzzzzz"))
    assert [c.is_callback for c in calls] == [True, False]
    defer, notice = calls
    assert defer.payload["type"] == 6  # acknowledged, nothing shown to anyone yet
    assert notice.ephemeral and "button" in notice.text.lower()


async def test_a_slow_button_still_answers_publicly_when_the_reply_is_public(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = await Harness.start(service, defer_after=0.05)
    first = only(await bot.slash("recommend", text="2 healing OSTs"))
    more = next(i for i in first.custom_ids() if i.startswith("more:"))
    like = next(i for i in first.custom_ids() if i.startswith("like:"))
    slow_core(service, monkeypatch, 0.2)
    defer, again = await bot.press(more, first.message)
    assert defer.payload["type"] == 6
    assert not again.ephemeral and again.message["embeds"]  # new picks, for the channel
    defer, noted = await bot.press(like, first.message)
    assert defer.payload["type"] == 6 and noted.ephemeral


async def test_fast_core_is_answered_without_deferring(bot: Harness) -> None:
    calls = await bot.slash("about")
    assert [c.payload.get("type") for c in calls] == [4]


async def test_cooldown_answers_privately_with_the_wait(
    service: Service, handled: list[Request]
) -> None:
    service.cooldown = Cooldown(30)
    bot = await Harness.start(service)
    first = only(await bot.slash("recommend", text="healing"))
    slow = only(await bot.slash("mood", name="sad"))
    info = only(await bot.slash("moods"))  # not rate limited
    other = only(await bot.slash_as("recommend", {"text": "sad"}, user_id=OTHER_USER_ID))
    more = next(i for i in first.custom_ids() if i.startswith("more:"))
    pressed = only(await bot.press(more, first.message))  # "another" is rate limited too
    assert slow.ephemeral and "try again in 30 s" in slow.text
    assert pressed.ephemeral and "try again in" in pressed.text
    assert [r.command for r in handled] == ["recommend", "mood", "moods", "recommend", None]
    assert not info.ephemeral and other.message["embeds"]


async def test_a_crash_in_the_core_gets_an_apology_not_silence(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(request: Request) -> Reply:
        raise RuntimeError("database on fire")

    service.handle = broken  # type: ignore[method-assign]
    bot = await Harness.start(service)
    call = only(await bot.slash("recommend", text="healing"))
    assert call.ephemeral and "went wrong" in call.text
    assert "database on fire" not in call.text
    assert "database on fire" in caplog.text  # logged for the operator


async def test_a_long_info_reply_is_split_within_limits(bot: Harness, service: Service) -> None:
    real = service.handle

    async def long(request: Request) -> Reply:
        reply = await real(request)
        return replace(reply, text="\n".join(f"line {i} " + "x" * 90 for i in range(300)))

    service.handle = long  # type: ignore[method-assign]
    calls = await bot.slash("about")
    assert len(calls) > 1 and calls[0].is_callback and not calls[1].is_callback
    assert "line 0 " in calls[0].text and "line 100 " in "".join(c.text for c in calls)


def test_client_uses_default_intents_without_message_content(bot: Harness) -> None:
    client: OstClient = bot.client
    assert client.intents.message_content is False
    assert client.intents.value == discord.Intents.default().value
    mentions = client.allowed_mentions
    assert mentions is not None
    assert not (mentions.everyone or mentions.users or mentions.roles or mentions.replied_user)
