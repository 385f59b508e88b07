"""Rendering: every reply stays inside Discord's limits and pings no one, whatever comes in."""

from __future__ import annotations

from dataclasses import replace

import discord.ext.test as dpytest
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.adapters.discord_adapter import (
    MAX_MESSAGES,
    NO_MENTIONS,
    Outgoing,
    button_layout,
    render,
    safe,
)
from bot.core.models import Action, Card, Link, Reply, ReplyKind, Track, Visibility
from bot.core.service import Service
from tests.support.discord_kit import JSON, NO_EMBEDS, Harness, check_message_payload, open_chat

HOSTILE = [
    "x" * 100_000,
    "recommend " + "healing " * 12_000,
    "**@everyone** __@here__ <@&123> <@123> <@!123456789012345678> <@&123456789012345678>",
    "drama @everyone",
    "similar <@&987654321098765432> ||spoiler|| `code` ```block```",
    "artist > quote\n# heading\n[click](https://evil.example/@everyone)",
    "🎵" * 3000 + "👨‍👩‍👧‍👦🇰🇷",
    "\x00\x01\x02\x1b[31mred\x7f\u202eevil\u200b\ufeff\ud800",
    "'; DROP TABLE tracks; --",
    '" OR 1=1 -- <script>alert(1)</script>',
    "힐링 " * 20_000,
]


def as_payload(out: Outgoing) -> JSON:
    """What discord.py would put on the wire for this message."""
    payload: JSON = {
        "content": out.content,
        "embeds": [e.to_dict() for e in out.embeds],
        "allowed_mentions": NO_MENTIONS.to_dict(),
    }
    if out.view is not None:
        payload["components"] = out.view.to_components()
    return payload


def check_all(messages: list[Outgoing]) -> None:
    assert 1 <= len(messages) <= MAX_MESSAGES
    for out in messages:
        check_message_payload(as_payload(out))
    assert all(out.view is None for out in messages[:-1])  # buttons come once, at the end


# ------------------------------------------------------------- hostile input, end to end


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
async def test_hostile_slash_input_gets_a_safe_reply(service: Service, text: str) -> None:
    bot = await Harness.start(service)
    for command, option in [
        ("recommend", "text"),
        ("mood", "name"),
        ("drama", "name"),
        ("similar", "track"),
        ("artist", "name"),
    ]:
        calls = await bot.slash(command, **{option: text})
        # The recorder has already checked every payload against the limits and for mentions.
        assert calls and all(c.payload["type"] == 4 for c in calls if c.is_callback)
        assert "Traceback" not in "".join(c.text for c in calls)


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
async def test_hostile_mentions_get_a_safe_reply(service: Service, text: str) -> None:
    chat = await open_chat(service, [])
    # dpytest can only build mentions of members it knows: point the fake ones at a real one.
    friend = dpytest.get_config().members[1]
    text = text.replace("<@!123456789012345678>", f"<@!{friend.id}>")
    try:
        sent = await chat.say(f"<@{chat.me.id}> {text}")
    finally:
        await dpytest.empty_queue()
    assert sent  # record_channel_sends checked each one


@pytest.mark.parametrize("text", HOSTILE[:4], ids=range(4))
async def test_hostile_input_without_embed_links_is_safe_too(service: Service, text: str) -> None:
    bot = await Harness.start(service)
    calls = await bot.slash_as("recommend", {"text": text}, permissions=NO_EMBEDS)
    assert calls and not any(c.message.get("embeds") for c in calls)


def test_safe_shows_markup_literally_and_breaks_every_mention() -> None:
    shown = safe("**@everyone** <@&123> <@!123456789012345678> a_b\x00c")
    assert "@everyone" not in shown and "<@&1" not in shown and "<@!1" not in shown
    assert "\\*\\*" in shown  # bold markers escaped, so they show as asterisks
    assert "\x00" not in shown


# --------------------------------------------------------------- rendering, directly

printable = st.text(st.characters(codec="utf-8"), min_size=0, max_size=400)
word = st.text(st.characters(codec="utf-8"), min_size=1, max_size=300)


@st.composite
def cards(draw: st.DrawFn) -> Card:
    title = draw(word)
    track = Track(
        title=title,
        artist=draw(word),
        drama=draw(word),
        year=draw(st.integers(1990, 2030)),
        tags=tuple(draw(st.lists(word, max_size=8))),
        title_ko=draw(st.one_of(st.none(), word)),
    )
    links = tuple(
        Link(draw(printable), "https://example.com/" + draw(st.text("ab%/", max_size=700)))
        for _ in range(draw(st.integers(0, 3)))
    )
    ids = st.one_of(
        st.text("abc123", min_size=1, max_size=12),
        st.integers(85, 120).map(lambda n: "a" * n),  # around Discord's 100-character cap
    )
    actions = tuple(
        Action(f"{verb}:{draw(ids)}", draw(printable), verb) for verb in ("like", "dislike")
    )
    return Card(
        track=track,
        title=f"{title} ({draw(printable)})",
        artist=f"{track.artist} ({draw(printable)})",
        drama=f"{track.drama} · {draw(printable)} ({track.year})",
        tags=track.tags,
        reason=draw(st.text(st.characters(codec="utf-8"), max_size=3000)),
        links=links,
        actions=actions,
        locale=draw(st.sampled_from(["en", "ko"])),
    )


@st.composite
def replies(draw: st.DrawFn) -> Reply:
    return Reply(
        text=draw(st.text(st.characters(codec="utf-8"), max_size=12_000)),
        kind=draw(st.sampled_from(list(ReplyKind))),
        cards=tuple(draw(st.lists(cards(), max_size=12))),
        actions=tuple(
            Action("more:" + draw(st.text("xyz0", min_size=1, max_size=10)), draw(printable), "x")
            for _ in range(draw(st.integers(0, 2)))
        ),
        footer=draw(st.text(st.characters(codec="utf-8"), max_size=3000)),
        title=draw(printable),
        visibility=draw(st.sampled_from(list(Visibility))),
        locale=draw(st.sampled_from(["en", "ko"])),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reply=replies(), rich=st.booleans())
def test_any_reply_renders_within_every_limit(reply: Reply, rich: bool) -> None:
    check_all(render(reply, rich=rich))


def card(n: int, *, links: int = 2) -> Card:
    track = Track(title=f"Song {n}", artist="Singer", drama="Show", year=2016, tags=("sad",))
    return Card(
        track=track,
        title=track.title,
        artist=track.artist,
        drama="Show (2016)",
        tags=track.tags,
        reason="sad",
        links=tuple(Link(f"L{i}", f"https://example.com/{n}/{i}") for i in range(links)),
        actions=(Action(f"like:{n}", "👍", "like"), Action(f"dislike:{n}", "👎", "dislike")),
    )


def reply_with(n_cards: int, *, links: int = 2, **kwargs: object) -> Reply:
    another = (Action("more:abc", "Another", "another"),)
    return Reply(
        "Here you go:",
        cards=tuple(card(i, links=links) for i in range(1, n_cards + 1)),
        actions=another,
        footer="footer",
        kind=ReplyKind.RECOMMENDATION,
        **kwargs,  # type: ignore[arg-type]
    )


def test_links_are_dropped_before_track_buttons() -> None:
    rows = button_layout(reply_with(6))
    buttons = [b for row in rows for b in row]
    assert len(rows) <= 5
    assert all(b.url is None for b in buttons)  # every link went first
    ids = [b.custom_id for b in buttons]
    assert {f"like:{n}" for n in range(1, 7)} | {f"dislike:{n}" for n in range(1, 7)} <= set(ids)
    assert "more:abc" in ids


def test_without_room_for_links_each_track_keeps_its_own_row() -> None:
    rows = button_layout(reply_with(3, links=4))  # 6 buttons a track would need 2 rows each
    ids = [[b.custom_id for b in row] for row in rows]
    assert ids == [
        ["like:1", "dislike:1"],
        ["like:2", "dislike:2"],
        ["like:3", "dislike:3"],
        ["more:abc"],
    ]


def test_oversized_track_button_ids_are_left_out() -> None:
    reply = reply_with(1)
    long_card = replace(
        reply.cards[0], actions=(Action("like:" + "a" * 96, "👍", "like"), *reply.cards[0].actions)
    )
    ids = [b.custom_id for row in button_layout(replace(reply, cards=(long_card,))) for b in row]
    assert ids == ["like:1", "dislike:1", None, None, "more:abc"]


def test_track_buttons_are_cut_only_when_25_buttons_cannot_hold_them() -> None:
    rows = button_layout(reply_with(13))
    ids = [b.custom_id for row in rows for b in row]
    assert len(ids) == 25 and len(rows) == 5
    assert "more:abc" in ids  # "Another" survives
    assert ids[:24] == [f"{v}:{n}" for n in range(1, 13) for v in ("like", "dislike")]


def test_more_than_ten_cards_spread_over_messages() -> None:
    messages = render(reply_with(12))
    check_all(messages)
    assert [len(m.embeds) for m in messages] == [10, 2]
    assert messages[0].content == "Here you go:" and messages[1].content is None
    assert messages[-1].embeds[-1].footer.text == "footer"


def test_oversized_button_ids_are_left_out_rather_than_rejected() -> None:
    long_id = "like:" + "a" * 200
    reply = Reply("x", actions=(Action(long_id, "bad", "like"), Action("more:1", "ok", "x")))
    ids = [b.custom_id for row in button_layout(reply) for b in row]
    assert ids == ["more:1"]


def test_long_text_goes_into_embeds_without_losing_lines() -> None:
    lines = [f"• line {i:03} " + "x" * 50 for i in range(120)]  # ~7.5k characters
    messages = render(Reply("\n".join(lines), title="Goblin"))
    check_all(messages)
    assert all(m.content is None for m in messages)
    text = "\n".join(e.description or "" for m in messages for e in m.embeds)
    assert all(f"line {i:03}" in text for i in range(120))
    assert messages[0].embeds[0].title == "Goblin"


def test_short_text_is_plain_content_with_the_footer() -> None:
    (out,) = render(Reply("Liked it.", footer="tip"))
    assert out.content == "Liked it.\n\ntip" and not out.embeds and out.view is None


def test_an_endless_reply_is_cut_to_a_few_messages() -> None:
    messages = render(Reply("word " * 100_000), rich=False)
    check_all(messages)
    assert len(messages) == MAX_MESSAGES and messages[-1].content is not None
    assert messages[-1].content.endswith("…")
