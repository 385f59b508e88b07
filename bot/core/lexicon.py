"""The request lexicon (data/lexicon.toml): filler, number, era, cue and similarity words.

Read once and checked like the mood vocabulary: every list the parser needs must be present,
hold words, and nothing unknown may sit beside them (a misspelt key would otherwise be ignored
silently).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.core.popularity import ASKS
from bot.core.shipped import DATA_DIR
from bot.core.text import norm

LEXICON_FILE = DATA_DIR / "lexicon.toml"

Words = frozenset[str]


class LexiconError(ValueError):
    """data/lexicon.toml is missing, unreadable or incomplete."""


@dataclass(frozen=True)
class Lexicon:
    filler: Words
    plural: Words
    plural_ko: tuple[str, ...]
    numbers: dict[str, int]
    numbers_ko: dict[str, int]
    units_ko: tuple[str, ...]
    recent: Words
    recent_ko: tuple[str, ...]
    old: Words
    old_ko: tuple[str, ...]
    before: Words
    after: Words
    before_ko: tuple[str, ...]
    after_ko: tuple[str, ...]
    cue_before: Words
    cue_after: Words
    bare: Words
    spent: Words
    similar: Words
    similar_joiner: Words
    similar_ko: tuple[str, ...]
    command_filler: Words
    openers: Words
    # How well known the songs should be: English phrase -> one of popularity.ASKS, and per
    # ask its Korean stems, in ASKS order (the first found wins).
    popularity: dict[str, str]
    popularity_ko: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def era_words(self) -> Words:
        return self.recent | self.old

    @classmethod
    def load(cls, path: Path = LEXICON_FILE) -> Lexicon:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise LexiconError(f"{path.name}: {exc}") from exc
        read = _Reader(path.name, raw)
        lexicon = cls(
            filler=read.words("filler"),
            plural=read.words("plural"),
            plural_ko=read.stems("plural_ko"),
            numbers=read.numbers("numbers.en"),
            numbers_ko=read.numbers("numbers.ko"),
            units_ko=read.stems("numbers.units_ko"),
            recent=read.words("years.recent"),
            recent_ko=read.stems("years.recent_ko"),
            old=read.words("years.old"),
            old_ko=read.stems("years.old_ko"),
            before=read.words("years.before"),
            after=read.words("years.after"),
            before_ko=read.stems("years.before_ko"),
            after_ko=read.stems("years.after_ko"),
            cue_before=read.words("cues.before"),
            cue_after=read.words("cues.after"),
            bare=read.words("cues.bare"),
            spent=read.words("cues.spent"),
            similar=read.words("similar.en"),
            similar_joiner=read.words("similar.en_joiner"),
            similar_ko=read.stems("similar.ko"),
            command_filler=read.words("commands.filler"),
            openers=read.words("commands.openers"),
            popularity={
                phrase: ask
                for ask in reversed(ASKS)  # the first in ASKS wins a phrase listed twice
                for phrase in read.phrases(f"popularity.{ask}")
            },
            popularity_ko=tuple((ask, read.stems(f"popularity.{ask}_ko")) for ask in ASKS),
        )
        read.check_nothing_else()
        return lexicon


@cache
def lexicon() -> Lexicon:
    """The shipped lexicon, read once."""
    return Lexicon.load()


class _Reader:
    """Takes values out of the parsed TOML by dotted key, remembering what was read."""

    def __init__(self, name: str, raw: dict[str, object]) -> None:
        self.name = name
        self.raw = raw
        self.read: set[str] = set()

    def _get(self, key: str) -> object:
        node: object = self.raw
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise LexiconError(f"{self.name}: {key} is missing")
            node = node[part]
        self.read.add(key)
        return node

    def stems(self, key: str) -> tuple[str, ...]:
        value = self._get(key)
        if not isinstance(value, list) or not value:
            raise LexiconError(f"{self.name}: {key} must be a non-empty list of words")
        for word in value:
            if not isinstance(word, str) or not word.strip() or word != word.strip():
                raise LexiconError(f"{self.name}: {key} has an empty or padded word {word!r}")
        return tuple(value)

    def words(self, key: str) -> Words:
        """English words are compared with the normalised message: lower case, no spaces."""
        stems = self.stems(key)
        for word in stems:
            if word != word.casefold() or " " in word:
                raise LexiconError(f"{self.name}: {key}: {word!r} must be one lower-case word")
        return frozenset(stems)

    def phrases(self, key: str) -> tuple[str, ...]:
        """English phrases of one or more words, written as the normalised message reads."""
        stems = self.stems(key)
        for phrase in stems:
            if phrase != norm(phrase):
                raise LexiconError(
                    f"{self.name}: {key}: {phrase!r} must be written as {norm(phrase)!r}"
                )
        return stems

    def numbers(self, key: str) -> dict[str, int]:
        value = self._get(key)
        if not isinstance(value, dict) or not value:
            raise LexiconError(f"{self.name}: {key} must be a table of words and numbers")
        for word, n in value.items():
            if not isinstance(n, int) or isinstance(n, bool) or n < 1:
                raise LexiconError(f"{self.name}: {key}.{word} must be a whole number above 0")
        return dict(value)

    def check_nothing_else(self) -> None:
        def leaves(node: dict[str, object], prefix: str) -> list[str]:
            out = []
            for k, v in node.items():
                path = f"{prefix}{k}"
                if path in self.read:
                    continue
                out += leaves(v, path + ".") if isinstance(v, dict) else [path]
            return out

        unknown = leaves(self.raw, "")
        if unknown:
            raise LexiconError(f"{self.name}: unknown key(s) {', '.join(sorted(unknown))}")
