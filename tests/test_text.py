"""Text folding: the fast path for ASCII gives exactly what the general one gives."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.core import text
from bot.core.text import norm, squash


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_ascii_text_folds_as_any_text_does(value: str) -> None:
    assert norm(value) == text._norm(value)


def test_folding_examples() -> None:
    assert norm("Guardian: The Lonely and Great God") == "guardian the lonely and great god"
    assert norm("It's Okay") == "its okay"
    assert norm("  Twenty-Five__Twenty-One\t") == "twenty five twenty one"
    assert norm("Hotel Del Luna`s OST!") == "hotel del lunas ost"
    assert squash("호텔 델루나") == "호텔델루나"
