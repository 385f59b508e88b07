"""HTML rendering for Telegram: hostile text never breaks parse mode or the size limits."""

from __future__ import annotations

import html
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import InputTextMessageContent

from bot.adapters.telegram_adapter import (
    MESSAGE_LIMIT,
    TOAST_LIMIT,
    clean,
    inline_results,
    keyboard,
    pack_html,
    render_html,
    toast,
    utf16_len,
    visible_text,
)
from bot.core.models import Action, Card, Link, Reply, ReplyKind, Suggestion, Track
from bot.core.service import Service
from tests.support.telegram_kit import (
    USER_ID,
    callback_data,
    check_html,
    message_update,
    running,
)

HOSTILE = [
    "<b>bold</b> </i> <a href='x'>link</a> <script>alert(1)</script>",
    "&amp; &lt; &#x27; &nonsense; & &&",
    "@everyone @here <@123> @ostbot_test_bot",
    "'; DROP TABLE tracks; -- \" OR 1=1",
    "💖🎧🇰🇷 👩‍👩‍👧‍👦 \u200d\u202e RTL \u0000\u0007\u001b[31m",
    "\ud800 lone surrogate",
    "쓸쓸하고 찬란하神-도깨비",
]

hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(alphabet=st.sampled_from("<>&;'\"/bi #x27 \n🎧가\u0000\u200d"), max_size=300),
    st.text(max_size=300),
)


def track(title: str, artist: str = "Ailee", drama: str = "Goblin") -> Track:
    # A fixed key: the core hashes names as UTF-8, which a lone surrogate cannot be (a catalog
    # read from UTF-8 files never holds one); the renderer must survive it all the same.
    key = f"{abs(hash((title, artist, drama))) % 16**12:012x}"
    return Track(
        title=title, artist=artist, drama=drama, year=2016, tags=("sad",), title_ko="눈", key=key
    )


def card(title: str, reason: str = "sad", artist: str = "Ailee", drama: str = "Goblin") -> Card:
    tr = track(title, artist, drama)
    return Card(
        track=tr,
        title=f"{title} (눈)",
        artist=f"{artist} (<에일리>)",
        drama=f"{drama} · <도깨비> (2016)",
        tags=("sad",),
        reason=reason,
        links=(
            Link("YouTube", "https://www.youtube.com/results?search_query=x"),
            Link("<evil>", "javascript:alert(1)"),  # not a web URL: never a button
        ),
        actions=(
            Action(f"like:{tr.key}", "👍", "like"),
            Action(f"dislike:{tr.key}", "👎", "dislike"),
        ),
    )


def reply(text: str, cards: tuple[Card, ...] = (), footer: str = "") -> Reply:
    return Reply(
        text=text,
        kind=ReplyKind.RECOMMENDATION if cards else ReplyKind.INFO,
        cards=cards,
        actions=(Action("more:abc123", "Another", "another"),) if cards else (),
        footer=footer,
    )


def shown_without_whitespace(chunks: list[str]) -> str:
    return "".join("".join(check_html(c).split()) for c in chunks)


def expected_without_whitespace(*parts: str) -> str:
    return "".join("".join(clean(p).split()) for p in parts)


def assert_fits(chunks: list[str]) -> None:
    assert chunks, "a reply must produce at least one message"
    for chunk in chunks:
        assert 1 <= utf16_len(chunk) <= MESSAGE_LIMIT
        assert check_html(chunk).strip()  # Telegram refuses messages with nothing visible


# ------------------------------------------------------------------------ properties


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=hostile_text, title=hostile_text, reason=hostile_text, footer=hostile_text)
def test_any_reply_renders_to_valid_html_within_limits(
    text: str, title: str, reason: str, footer: str
) -> None:
    r = reply(text, (card(title or "x", reason), card("Beautiful")), footer)
    chunks = render_html(r)
    assert_fits(chunks)
    shown = shown_without_whitespace(chunks)
    for part in (text, title, reason, footer):
        assert expected_without_whitespace(part) in shown  # nothing lost, nothing unescaped


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from("<&>ab\n🎧"), min_size=1, max_size=3000),
    limit=st.integers(min_value=30, max_value=400),
)
def test_small_limits_still_split_cleanly(text: str, limit: int) -> None:
    # A small limit forces splits inside lines and between escaped characters.
    chunks = pack_html([[("b", line)] for line in text.split("\n")], limit)
    for chunk in chunks:
        assert utf16_len(chunk) <= limit
        check_html(chunk)
    assert shown_without_whitespace(chunks) == expected_without_whitespace(text)


@settings(max_examples=100, deadline=None)
@given(ids=st.lists(st.text(max_size=120), max_size=6))
def test_keyboard_never_carries_more_than_64_bytes(ids: list[str]) -> None:
    cards = tuple(card(f"t{i}") for i in range(3))
    actions = tuple(Action(i, "x", "another") for i in ids)
    markup = keyboard(Reply("x", cards=cards, actions=actions)).to_dict()
    data = callback_data(markup)
    assert all(1 <= len(d.encode()) <= 64 for d in data)
    fitting = [i for i in ids if 1 <= len(i.encode()) <= 64]
    assert data[len(cards) * 2 :] == fitting  # the ones that fit are all kept, in order


@settings(max_examples=100, deadline=None)
@given(text=hostile_text)
def test_toasts_fit_a_callback_answer(text: str) -> None:
    out = toast(Reply(text * 5))
    assert len(out) <= TOAST_LIMIT
    assert not any(unicodedata.category(ch) in ("Cc", "Cs") for ch in out)  # no control chars


# ------------------------------------------------------------------------ examples


def test_100k_characters_of_markup_split_into_valid_messages() -> None:
    text = ("<b>x</b> &amp; </i> 🎧 " * 5000)[:100_000]
    chunks = render_html(reply(text))
    assert len(chunks) > 100_000 // MESSAGE_LIMIT
    assert_fits(chunks)
    assert shown_without_whitespace(chunks) == expected_without_whitespace(text)


def test_100k_character_catalog_title_is_split_too() -> None:
    chunks = render_html(reply("intro", (card("<i>" * 33_000),)))
    assert_fits(chunks)
    assert "<i>" * 100 in "".join(check_html(c) for c in chunks)


def test_cards_look_right() -> None:
    (chunk,) = render_html(reply("Here is one <sad> OST", (card("Beautiful & <Sad>"),), "Enjoy"))
    assert chunk.splitlines() == [
        "Here is one &lt;sad&gt; OST",
        "",
        "<b>1. Beautiful &amp; &lt;Sad&gt; (눈)</b> — Ailee (&lt;에일리&gt;)",
        "<i>Goblin · &lt;도깨비&gt; (2016)</i> · sad",
        "Why: sad",
        "",
        "<i>Enjoy</i>",
    ]


def test_splits_fall_between_lines_when_they_can() -> None:
    lines = [f"line {i} <&>" for i in range(2000)]
    chunks = render_html(reply("\n".join(lines)))
    assert len(chunks) > 1
    for chunk in chunks:
        for line in check_html(chunk).splitlines():
            assert line in lines  # no line was cut in half


def test_keyboard_layout() -> None:
    markup = keyboard(reply("x", (card("A"), card("B")))).to_dict()
    rows = markup["inline_keyboard"]
    assert [[b["text"] for b in row] for row in rows] == [
        ["1 👍", "1 👎", "YouTube"],
        ["2 👍", "2 👎", "YouTube"],
        ["Another"],
    ]


def test_inline_results_are_single_valid_cards() -> None:
    cards = (card("A <b>"), card("B"))
    results = inline_results([Suggestion(f"{c.track.title} — Ailee", "x", c) for c in cards])
    assert [r.title for r in results] == ["A <b> — Ailee", "B — Ailee"]
    for r in results:
        content = r.input_message_content
        assert isinstance(content, InputTextMessageContent)
        text = content.message_text
        assert not text.startswith("<b>1. ")  # a shared single card needs no number
        check_html(text)
        assert r.reply_markup is not None
        assert "more:" not in str(r.reply_markup.to_dict())


def test_visible_text_round_trips_escaping() -> None:
    for text in HOSTILE:
        assert visible_text(html.escape(clean(text))) == clean(text)


@pytest.mark.parametrize("text", HOSTILE)
def test_clean_removes_what_telegram_rejects(text: str) -> None:
    out = clean(text)
    assert all(ch == " " or not (ord(ch) < 32 or 0xD800 <= ord(ch) <= 0xDFFF) for ch in out)
    out.encode("utf-8")  # a lone surrogate would make the request unencodable


# ------------------------------------------------------------------------ end to end


async def test_hostile_messages_through_the_bot(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    texts = [*HOSTILE, "x" * 100_000, "<b>" * 30_000]
    async with running(service) as tg:
        for text in texts:
            await tg.feed(message_update(text))
            await tg.feed(message_update(f"/recommend {text}"))
            await tg.feed(message_update(f"/drama {text}"))
    assert "Telegram update failed" not in caplog.text
    sent = tg.sent()
    assert len(sent) >= 3 * len(texts)
    for params in sent:
        assert params["chat_id"] == USER_ID and params["parse_mode"] == "HTML"
        assert_fits([params["text"]])
        assert all(len(d.encode()) <= 64 for d in callback_data(params.get("reply_markup")))
