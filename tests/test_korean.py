"""Korean particles chosen by the final consonant, and Latin spellings of Hangul names."""

from __future__ import annotations

import pytest

from bot.core.korean import attach, particle
from bot.core.messages import t
from bot.core.romanize import latin_forms


@pytest.mark.parametrize(
    ("word", "which", "expected"),
    [
        ("대장금", "이라는", "이라는"),  # ends in ㅁ
        ("도깨비", "이라는", "라는"),
        ("그대를 봅니다", "을", "를"),
        ("백현", "이", "이"),
        ("태연", "은", "은"),
        ("서울", "으로", "로"),  # ㄹ takes 로
        ("봄", "으로", "으로"),
        ("Urban Zakapa", "을", "를"),  # read 자카파
        ("Moon", "과", "과"),  # 문
        ("EXO", "은", "는"),  # 엑소, spelled out
        ("2016", "이", "이"),  # 육
        ("1988", "을", "을"),  # 팔
        ("IU", "가", "가"),
    ],
)
def test_particle_follows_the_final_consonant(word: str, which: str, expected: str) -> None:
    assert particle(word, which) == expected


def test_quoted_and_in_templates() -> None:
    assert attach("그대를 봅니다", "을", "'") == "'그대를 봅니다'를"
    assert t("no_drama", "ko", name="대장금") == '"대장금"이라는 드라마를 찾지 못했어요.'
    assert t("no_drama", "ko", name="도깨비") == '"도깨비"라는 드라마를 찾지 못했어요.'
    liked = t("liked", "ko", artist="Urban Zakapa", title="Wish")
    assert "'Wish'를" in liked and "(를)" not in liked


@pytest.mark.parametrize(
    ("name", "spelling"),
    [
        ("도깨비", "dokkaebi"),
        ("사랑의 불시착", "sarangui bulsichak"),
        ("이태원 클라쓰", "itaewon keullasseu"),  # as it sounds
        ("백예린", "baekyerin"),  # letter by letter, as names are typed
        ("김필", "kimpil"),  # a surname with k
    ],
)
def test_latin_forms(name: str, spelling: str) -> None:
    assert spelling in latin_forms(name)
    assert latin_forms("Goblin") == []
