"""A request as constraints: what the songs must be, may be, and must not be.

One message gives one Query ("3 sad songs from Goblin but not by Ailee"); a follow-up changes
the last one ("calmer", "by the same singer"), and the result is saved (as JSON, by id) so that
"another" and every refinement still work after a restart.

Issue 10 adds catalog facts (popularity, voice, instrumental): each becomes a field here, a word
list in data/lexicon.toml and a filter in the recommender, like `energy` and the exclusions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields

MAX_COUNT = 5  # tracks in one reply: fits Discord's 25 buttons and Telegram's 4096 chars

# Fields a saved request does not keep: they describe one message, not the request.
TRANSIENT = frozenset({"unknown", "suggestions"})


@dataclass(frozen=True, slots=True)
class Query:
    # What the songs should be: moods, seasons and scenes, each with a weight (1 = as said).
    tags: tuple[str, ...] = ()
    weights: tuple[tuple[str, float], ...] = ()  # tags whose weight is not 1
    energy: tuple[str, ...] = ()  # energy tags allowed; () = any
    drama: str | None = None
    artist: str | None = None
    also_artists: tuple[str, ...] = ()  # "백현이랑 첸": any of artist and these
    year_from: int | None = None
    year_to: int | None = None
    similar_to: str | None = None  # track key: songs that feel like it
    occasion: str | None = None  # what it is for ("study"), to say so in the reply
    # Who sings and how well known (issue 10), conditions every pick meets (relaxed, and said,
    # when none does): voice and form tags ("female", "duet", "instrumental"), and one of
    # popularity.ASKS ("popular", "theme", "deep").
    voice: tuple[str, ...] = ()
    popularity: str | None = None
    count: int = 1
    asked: int | None = None  # the count asked for, when above MAX_COUNT
    # What the songs must not be (never relaxed).
    not_tags: tuple[str, ...] = ()
    not_energy: tuple[str, ...] = ()
    not_dramas: tuple[str, ...] = ()
    not_artists: tuple[str, ...] = ()
    not_tracks: tuple[str, ...] = ()  # track keys
    not_years: tuple[tuple[int, int], ...] = ()  # inclusive ranges
    # How it was read, for follow-ups: a look-up (not a recommendation), the title said (so
    # "the Goblin one" can pick another song of that name), the other reading of a name that
    # is two things ("artist:Punch"), and whether the era came from a follow-up (then it is
    # not relaxed: "older" with nothing older says so).
    lookup: bool = False
    title: str | None = None
    other: str | None = None
    strict_years: bool = False
    unknown: tuple[str, ...] = ()  # words that matched nothing
    suggestions: tuple[str, ...] = ()  # near misses, for "did you mean"

    @property
    def artists(self) -> tuple[str, ...]:
        return (self.artist, *self.also_artists) if self.artist else self.also_artists

    def weight(self, tag: str) -> float:
        for name, w in self.weights:
            if name == tag:
                return w
        return 1.0

    @property
    def is_empty(self) -> bool:
        """Nothing asked for: any song will do."""
        return not (
            self.tags
            or self.energy
            or self.drama
            or self.artists
            or self.year_from
            or self.year_to
            or self.similar_to
            or self.voice
            or self.popularity
            or self.excludes
        )

    @property
    def excludes(self) -> bool:
        return bool(
            self.not_tags
            or self.not_energy
            or self.not_dramas
            or self.not_artists
            or self.not_tracks
            or self.not_years
        )

    def to_json(self) -> str:
        # Only what differs from a fresh Query: saved requests stay small.
        data = {}
        for name, default in _SAVED:
            value = getattr(self, name)
            if value != default:
                data[name] = value
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str) -> Query:
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise ValueError("a saved request is a JSON object")
        kept: dict[str, object] = {}
        for f in fields(cls):
            if f.name in TRANSIENT or f.name not in data:
                continue
            value = data[f.name]
            if isinstance(value, list):
                value = tuple(tuple(v) if isinstance(v, list) else v for v in value)
            kept[f.name] = value
        return cls(**kept)  # type: ignore[arg-type]


# The fields a saved request keeps, with their defaults (looked up once, not per request).
_SAVED = tuple((f.name, f.default) for f in fields(Query) if f.name not in TRANSIENT)
