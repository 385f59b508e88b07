"""Numbers in messages: whatever `int()` reads is a number, anything else is text, and no
Unicode digit or numeral makes the core raise."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.models import ReplyKind
from bot.core.service import Service
from bot.core.text import parse_int
from tests.support import ask

# Every character Python calls a digit, a decimal or a numeral: "7", "٣", "²", "❶", "፩", "Ⅻ", "½".
NUMERALS = tuple(
    ch
    for ch in map(chr, range(sys.maxunicode + 1))
    if ch.isdigit() or ch.isdecimal() or unicodedata.numeric(ch, None) is not None
)
# The ones that broke the core: still "digits" after the core's NFKC folding, yet not int()'s.
DIGITS_INT_REFUSES = tuple(
    ch
    for ch in NUMERALS
    if (folded := unicodedata.normalize("NFKC", ch)).isdigit() and parse_int(folded) is None
)
# Every command that takes a number, in English and Korean, and the counts in a request.
NUMBER_COMMANDS = (
    "like {}",
    "dislike {}",
    "좋아요 {}",
    "싫어요 {}",
    "dramas {}",
    "드라마목록 {}",
    "{} sad songs",
    "{}곡 추천해줘",
)


def int_or_none(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def test_the_numerals_include_the_ones_isdigit_accepts_and_int_refuses() -> None:
    assert {"❶", "➀", "፩"} <= set(DIGITS_INT_REFUSES) and len(DIGITS_INT_REFUSES) > 60
    assert {"7", "٣", "²", "Ⅻ", "½"} <= set(NUMERALS) and len(NUMERALS) > 1800


@given(st.text(alphabet=st.sampled_from(NUMERALS) | st.sampled_from(" +-_0") | st.characters()))
def test_parse_int_agrees_with_int(text: str) -> None:
    assert parse_int(text) == int_or_none(text)


def test_parse_int_reads_every_decimal_digit() -> None:
    assert parse_int("٣") == 3 and parse_int(" 12 ") == 12 and parse_int("-2") == -2
    assert parse_int("❶") is None and parse_int("²") is None and parse_int("1" * 5000) is None


async def test_like_a_numeral_int_refuses_is_answered_as_a_name(service: Service) -> None:
    await service.handle(ask("3 sad songs"))
    for text in ("like ❶", "싫어요 ➀", "dislike ፩"):
        reply = await service.handle(ask(text))
        assert reply.kind is ReplyKind.HINT and reply.text


async def test_like_a_decimal_digit_of_any_script_picks_that_track(service: Service) -> None:
    shown = (await service.handle(ask("3 sad songs"))).cards
    reply = await service.handle(ask("like ٢"))  # Arabic-Indic two
    assert reply.kind is ReplyKind.FEEDBACK and shown[1].track.title in reply.text


async def test_dramas_reads_a_page_number_in_any_script(service: Service) -> None:
    assert "page 2 of" in (await service.handle(ask("dramas ٢"))).text
    assert "page 1 of" in (await service.handle(ask("dramas ፩"))).text


async def test_a_superscript_is_the_digit_it_folds_to(service: Service) -> None:
    shown = (await service.handle(ask("3 sad songs"))).cards
    reply = await service.handle(ask("dislike ²"))
    assert reply.kind is ReplyKind.FEEDBACK and shown[1].track.title in reply.text


@pytest.mark.parametrize("template", NUMBER_COMMANDS)
async def test_every_digit_int_refuses_after_every_number_command_is_answered(
    service: Service, template: str
) -> None:
    await service.handle(ask("3 sad songs", user="numerals"))
    for ch in DIGITS_INT_REFUSES:
        reply = await service.handle(ask(template.format(ch), user="numerals"))
        assert reply.text or reply.cards, (template, ch)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    template=st.sampled_from(NUMBER_COMMANDS),
    number=st.text(alphabet=st.sampled_from(NUMERALS) | st.sampled_from(" +-_"), max_size=6),
    tail=st.text(max_size=40),
)
async def test_generated_numbers_and_text_are_answered(
    service: Service, template: str, number: str, tail: str
) -> None:
    reply = await service.handle(ask(f"{template.format(number)} {tail}", user="generated"))
    assert reply.text or reply.cards
