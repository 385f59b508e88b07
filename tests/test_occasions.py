"""data/occasions.toml: every occasion checked against moods.toml, like the catalog's tags."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.catalog import load_vocabulary
from bot.core.lexicon import lexicon
from bot.core.occasions import OccasionError, Occasions
from bot.core.text import norm

GOOD = """
[study]
means = "Studying."
say = { en = "for studying", ko = "공부할 때 듣기 좋은" }
en = ["study"]
ko = ["공부"]
tags = { healing = 0.6 }
energy = ["low"]
avoid = ["tense"]
"""


def test_the_shipped_occasions_are_valid_and_cover_the_issue() -> None:
    occasions = Occasions.load(load_vocabulary())
    wanted = {"study", "focus", "sleep", "rain", "wedding", "birthday", "drive", "workout"}
    wanted |= {"exam", "lonely", "breakup", "graduation", "christmas", "commute"}
    assert wanted <= set(occasions.items)
    for occasion in occasions.items.values():
        assert occasion.means and occasion.en and occasion.ko and occasion.tags


def test_no_phrase_means_two_things() -> None:
    """A phrase is an occasion or a mood, never both (one place for each word)."""
    vocab = load_vocabulary()
    occasions = Occasions.load(vocab)
    moods = set(vocab.english_phrases())
    assert not moods & set(occasions.english_phrases())
    assert not set(vocab.korean_stems()) & set(occasions.korean_stems())
    assert not set(vocab.emoji()) & set(occasions.emoji())
    smalltalk = {norm(p) for ps in lexicon().smalltalk.en.values() for p in ps}
    assert not smalltalk & moods and not smalltalk & set(occasions.english_phrases())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("healing = 0.6", "sadd = 0.6"), "unknown tag 'sadd'"),
        (("healing = 0.6", "healing = 1.5"), "weight"),
        (('energy = ["low"]', 'energy = ["slow"]'), "energy 'slow'"),
        (('avoid = ["tense"]', 'avoid = ["healing"]'), "both wanted and avoided"),
        (('means = "Studying."', 'mean = "Studying."'), "unknown key"),
        (('say = { en = "for studying", ko = "공부할 때 듣기 좋은" }', ""), "lacks say"),
        (("healing = 0.6", "low-energy = 0.6"), "energy; list it under energy"),
        (('ko = ["공부"]', 'ko = ["공부"]\nko_verbs = ["공부"]'), "not a verb ending in 다"),
        (('ko = ["공부"]', 'ko = ["공부"]\nko_verbs = ["자다"]'), "too short"),
        (('avoid = ["tense"]', 'avoid = ["tense"]\nafter = "party"'), "no other occasion 'party'"),
        (('avoid = ["tense"]', 'avoid = ["tense"]\nafter = "study"'), "no other occasion 'study'"),
    ],
)
def test_mistakes_are_named(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    path = tmp_path / "occasions.toml"
    path.write_text(GOOD.replace(*change), encoding="utf-8")
    with pytest.raises(OccasionError, match=message):
        Occasions.load(load_vocabulary(), path)
    path.write_text(GOOD, encoding="utf-8")
    assert set(Occasions.load(load_vocabulary(), path).items) == {"study"}


def test_a_korean_verb_stands_for_its_forms(tmp_path: Path) -> None:
    path = tmp_path / "occasions.toml"
    path.write_text(GOOD.replace('ko = ["공부"]', 'ko = ["공부"]\nko_verbs = ["재우다"]'))
    stems = Occasions.load(load_vocabulary(), path).korean_stems()
    assert {"재우", "재울", "재운", "재워"} <= set(stems)
