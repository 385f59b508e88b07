"""What a message says: `Said`, what `Parser.read` hands out, and the `Mention`s in it.

Apart from the reading code, so that what reads a `Said` (the conversation, the converse
feature) needs only this.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.query import Query


@dataclass(slots=True)
class Mention:
    """Something the message names: a tag, an occasion, a drama, an artist, a song, years."""

    kind: str  # tag | occasion | drama | artist | title | years | era | popularity
    value: object
    first: int  # the first word it covers
    last: int  # the last word it covers (inclusive)
    at: int = 0  # its first character in the flat text (orders two things in one word)
    weight: float = 1.0
    negated: bool = False
    relative: int = 0  # +1 "more X" / "sadder", -1 "less X"
    cue: str = ""  # artist | drama: what a cue said it is
    other: str | None = None  # the other reading of a name that is two things

    @property
    def pos(self) -> tuple[int, int]:
        return self.first, self.at

    def copy(self) -> Mention:
        return Mention(
            self.kind,
            self.value,
            self.first,
            self.last,
            self.at,
            self.weight,
            self.negated,
            self.relative,
            self.cue,
            self.other,
        )


@dataclass(slots=True)
class Said:
    """What one message says, before the conversation decides what it means."""

    text: str
    query: Query
    mentions: list[Mention] = field(default_factory=list)
    signals: set[str] = field(default_factory=set)  # lexicon categories said
    smalltalk: list[str] = field(default_factory=list)  # kinds, in order
    refs: list[int] = field(default_factory=list)  # ordinals said (1-based; -1 = the last)
    titles: list[int] = field(default_factory=list)  # tracks named by title, best first
    title: str | None = None  # the title as said
    count: int | None = None
    unknown: list[str] = field(default_factory=list)
    leftover: int = 0  # words that are neither understood nor filler
    browse_arg: str = ""
    # "with snow in the title": a word the song's title has (in Korean also without the
    # particle it may carry: 사랑이 -> 사랑, though 노을 stays 노을), best reading first.
    title_words: tuple[str, ...] = ()
    pinned: list[int] = field(default_factory=list)  # titles pinned by a name beside them

    def has(self, signal: str) -> bool:
        return signal in self.signals

    @property
    def content(self) -> bool:
        """Whether the message asks for anything by itself."""
        return not self.query.is_empty or bool(self.titles)

    @property
    def mood_changes(self) -> list[Mention]:
        return [m for m in self.mentions if m.relative]

    def copy(self) -> Said:
        """A copy that shares nothing mutable (the query is frozen): what Parser.read hands
        out, so that no caller can change the reading it remembers."""
        return Said(
            self.text,
            self.query,
            [m.copy() for m in self.mentions],
            set(self.signals),
            list(self.smalltalk),
            list(self.refs),
            list(self.titles),
            self.title,
            self.count,
            list(self.unknown),
            self.leftover,
            self.browse_arg,
            self.title_words,
            list(self.pinned),
        )
