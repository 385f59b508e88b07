"""The request set's schema: a case, its turns and what a right answer needs.

Strict: unknown keys and wrong types are errors, so a typo in a key never silently drops a check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from bot.core.text import has_hangul

Kind = Literal["recommendation", "lookup", "info", "feedback", "hint", "smalltalk"]
# Who sings (bot.core.voice.TRACK_VOICES): worked out from artists.csv, never a track tag.
Voice = Literal["female", "male", "girl-group", "boy-group", "group", "solo", "duet"]
Category = Literal[
    "template",
    "natural",
    "question",
    "lookup",
    "occasion",
    "negation",
    "misspelling",
    "romanisation",
    "emoji",
    "smalltalk",
    "korean",
    "ambiguous",
    "everyday-words",
    "browse",
    "feedback",
    "hostile",
    "followup",
    "catalog",
]
CATEGORIES: tuple[str, ...] = get_args(Category)
# Cases in this category may name dramas, artists and songs the catalog does not have yet
# (issue 10 adds them); their names and satisfiability are not checked.
FUTURE = "catalog"
MAX_TURNS = 5
# Per-card keys that depend on the track alone (what the catalog check counts tracks by).
CARD_KEYS = (
    "drama",
    "drama_any",
    "not_drama",
    "artist",
    "artist_any",
    "not_artist",
    "tags_all",
    "tags_any",
    "tags_none",
    "year_min",
    "year_max",
    "not_title",
    "voice",
)


def _listed(value: object) -> object:
    """`not_drama: Goblin` and `not_drama: [Goblin]` mean the same."""
    return [value] if isinstance(value, str) else value


OneOrMany = Annotated[list[str], BeforeValidator(_listed)]
Kinds = Annotated[list[Kind], BeforeValidator(_listed)]


# Keys that point at an earlier turn of the conversation.
REFERENCES = (
    "drama_of",
    "artist_of",
    "like_card",
    "older_than",
    "newer_than",
    "calmer_than",
    "livelier_than",
    "liked",
    "disliked",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class TrackRef(_Strict):
    """A song by its title (or Hangul title or alias), optionally pinned by artist and drama."""

    title: str
    artist: str | None = None
    drama: str | None = None


class CardRef(_Strict):
    """Card `card` of the reply to turn `turn` (both counted from 1)."""

    turn: int = Field(ge=1)
    card: int = Field(ge=1)


class TurnRef(_Strict):
    turn: int = Field(ge=1)


class Expect(_Strict):
    """What a right answer needs. Every key present must hold; all are optional."""

    kind: Kinds | None = None
    lang: Literal["en", "ko"] | None = None
    cards: int | None = Field(default=None, ge=0)
    min_cards: int | None = Field(default=None, ge=0)
    max_cards: int | None = Field(default=None, ge=0)
    no_cards: bool | None = None
    max_chars: int | None = Field(default=None, ge=1)
    # every card
    drama: str | None = None
    drama_any: list[str] | None = None
    not_drama: OneOrMany | None = None
    artist: str | None = None
    artist_any: list[str] | None = None
    not_artist: OneOrMany | None = None
    tags_all: list[str] | None = None
    tags_any: list[str] | None = None
    tags_none: list[str] | None = None
    year_min: int | None = None
    year_max: int | None = None
    not_title: OneOrMany | None = None
    voice: Voice | None = None  # who sings every card: female, male, duet, ...
    # every card, relative to an earlier reply in the conversation
    drama_of: CardRef | None = None
    artist_of: CardRef | None = None
    like_card: CardRef | None = None
    older_than: TurnRef | None = None
    newer_than: TurnRef | None = None
    calmer_than: TurnRef | None = None
    livelier_than: TurnRef | None = None
    # the first card
    track: TrackRef | None = None
    # the reply as a whole (text, cards and buttons)
    mentions: OneOrMany | None = None
    mentions_any: list[str] | None = None
    not_mentions: OneOrMany | None = None
    # the conversation
    fresh: bool | None = None
    repeat_ok: bool | None = None
    liked: CardRef | None = None
    disliked: CardRef | None = None
    # a message with two right readings ("Punch OST": the drama, or the singer's songs)
    one_of: list[Expect] | None = Field(default=None, min_length=2)

    def readings(self) -> list[Expect]:
        """The expectation each right reading must meet: these keys plus one alternative."""
        if not self.one_of:
            return [self]
        base = self.model_dump(exclude_none=True, exclude={"one_of"})
        return [
            Expect.model_validate({**base, **alt.model_dump(exclude_none=True)}, strict=False)
            for alt in self.one_of
        ]

    def refs(self) -> list[tuple[str, int]]:
        """(key, turn) of every reference to an earlier turn, in every reading."""
        out = []
        for key in REFERENCES:
            ref = getattr(self, key)
            if ref is not None:
                out.append((key, ref.turn))
        for alt in self.one_of or ():
            out += alt.refs()
        return out


class Turn(_Strict):
    say: str
    expect: Expect = Expect()


class Case(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)
    category: Category
    say: str | None = None
    expect: Expect | None = None
    turns: list[Turn] | None = Field(default=None, min_length=2, max_length=MAX_TURNS)
    locale: Literal["en", "ko"] | None = None  # the platform's language, when the text has none
    note: str | None = None  # for people: why the case is there, what it cannot check yet

    @property
    def steps(self) -> list[Turn]:
        if self.turns is not None:
            return self.turns
        return [Turn(say=self.say or "", expect=self.expect or Expect())]

    @property
    def korean(self) -> bool:
        return any(has_hangul(t.say) for t in self.steps)


@dataclass(frozen=True)
class Located:
    """A case and the line it starts on."""

    case: Case
    line: int
