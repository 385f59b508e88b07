"""Text folding and cleaning: the fast paths for ASCII give exactly what the general ones give."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.core import text
from bot.core.text import MAX_INPUT_CHARS, clean_input, norm, squash


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_ascii_text_folds_as_any_text_does(value: str) -> None:
    assert norm(value) == text._norm(value)


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=MAX_INPUT_CHARS + 20))
def test_ascii_input_is_cleaned_as_any_input_is(value: str) -> None:
    assert clean_input(value) == text._clean_input(value)


def test_folding_examples() -> None:
    assert norm("Guardian: The Lonely and Great God") == "guardian the lonely and great god"
    assert norm("It's Okay") == "its okay"
    assert norm("  Twenty-Five__Twenty-One\t") == "twenty five twenty one"
    assert norm("Hotel Del Luna`s OST!") == "hotel del lunas ost"
    assert squash("호텔 델루나") == "호텔델루나"
