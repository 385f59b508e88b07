"""An in-memory index over the catalog: name lookup and tag bitmasks for fast ranking.

Every request is answered from here without touching SQL. It is built in two steps:
`Columns.build` does the text work (normalising every name and title, splitting credits),
which is what `bot.core.index_cache` keeps between starts, keyed by the catalog's version; the
index then groups tracks by tags, years, dramas and artists, which is quick. Tracks are kept as
columns, one list per field with repeated strings and tuples shared, rather than one object
per track: at 100,000 tracks that is a fraction of the memory, and `index.tracks[i]` still
gives a Track.
"""

from __future__ import annotations

import gc
import math
import zlib
from array import array
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Container, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import accumulate, islice
from operator import ge, gt
from typing import Any, Self, TypeVar, overload

from bot.core.catalog import Catalog, multiword, split_credit
from bot.core.lexicon import everyday_english, everyday_korean, lexicon
from bot.core.models import Artist, Drama, Track, TrackRow
from bot.core.popularity import scores
from bot.core.romanize import latin_forms
from bot.core.text import has_hangul, norm, squash
from bot.core.vocabulary import Vocabulary
from bot.core.voice import INSTRUMENTAL, TRACK_VOICES, act_voice, track_voices, voice_flags

# A track's flags (Columns.flags): its voices (bit i for TRACK_VOICES[i]) and this bit when
# a source names it its drama's main theme.
THEME_FLAG = 1 << len(TRACK_VOICES)


def everyday(key: str) -> bool:
    """Whether a normalised name is everyday language, so it needs a cue to be the name: one
    word among the commonest English words ("Crush", "Life"), or two of the very commonest
    ("Once Again", "Two Months"; not "Mr. Sunshine")."""
    words = key.split()
    common = everyday_english()
    rank = lexicon().names.everyday_rank
    if len(words) == 1:
        return common.get(key, rank) < rank
    return len(words) == 2 and all(common.get(w, rank) < rank // 5 for w in words)


def too_short(key: str) -> bool:
    """Whether a name is too short to be a name without a cue: one character ("V", "N"), or
    two that are not two letters ("15", "美"). Two letters that are no everyday word ("iu",
    "dk") are a name anywhere: people type IU in lower case beside a drama ("the iu song from
    crash landing on you"), and nothing else is spelled so."""
    return len(key) <= 1 or (len(key) == 2 and not (key.isascii() and key.isalpha()))


@dataclass(frozen=True, slots=True)
class Entity:
    kind: str  # drama | artist | group
    name: str  # canonical drama title or artist name


H = TypeVar("H", bound=Hashable)
K = TypeVar("K")


@contextmanager
def gc_paused() -> Iterator[None]:
    """Building an index allocates hundreds of thousands of containers; collecting cycles
    among them midway finds none and costs a large share of the build."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def acts_of(acts: Mapping[str, tuple[str, ...]], credit: str) -> tuple[str, ...]:
    """The acts in a credit: most credits name one act, and are not in `acts` (a tuple for
    each of 20,000 single-act credits would cost more than the rest of the mapping)."""
    found = acts.get(credit)
    return (credit,) if found is None else found


def settle() -> None:
    """Move everything alive now (the index above all) out of the garbage collector's way.

    For long-running commands, once started. A full collection walks every tracked object:
    with 100,000 tracks, a pause of tens of milliseconds in the middle of some request.
    Frozen objects are skipped by collections and still freed when nothing refers to them.
    """
    gc.collect()
    gc.freeze()


@dataclass
class Columns:
    """The catalog, one list per track field, plus the text work of an index build."""

    keys: Sequence[str] = field(default_factory=list)  # HexKeys once built
    titles: Sequence[str] = field(default_factory=list)
    titles_ko: Sequence[str] = field(default_factory=list)  # "" where there is none
    artists: list[str] = field(default_factory=list)  # the credit as written
    dramas: list[str] = field(default_factory=list)
    years: array[int] = field(default_factory=lambda: array("i"))
    tags: list[tuple[str, ...]] = field(default_factory=list)
    parts: list[int | None] = field(default_factory=list)
    aliases: list[tuple[str, ...]] = field(default_factory=list)
    titles_en: Sequence[str] = field(default_factory=list)  # "" where there is none
    # Popularity points, 0-100 (bot/core/popularity.py), and flags (THEME_FLAG, voices).
    fame: array[int] = field(default_factory=lambda: array("B"))
    flags: array[int] = field(default_factory=lambda: array("B"))
    drama_info: dict[str, Drama] = field(default_factory=dict)
    artist_info: dict[str, Artist] = field(default_factory=dict)
    # The text work: the acts of each credit that names more than one act (see acts_of),
    # every name and title in its lookup form.
    acts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    names: dict[str, Entity] = field(default_factory=dict)
    hangul_names: dict[str, Entity] = field(default_factory=dict)
    ambiguous: set[str] = field(default_factory=set)
    title_keys: IdMap = field(default_factory=lambda: IdMap({}))
    hangul_title_keys: IdMap = field(default_factory=lambda: IdMap({}))
    key_order: array[int] = field(default_factory=lambda: array("i"))  # see KeyIndex
    korean_names: dict[str, str] = field(default_factory=dict)
    # For the parser: names and titles without their spaces (see Spaceless), the names that
    # are two things ("punch": a drama and a singer) with every reading, Latin and Hangul, and
    # the drama names' short forms ("itaewon" for Itaewon Class).
    spaceless_names: Spaceless = field(default_factory=lambda: Spaceless.of([]))
    spaceless_titles: Spaceless = field(default_factory=lambda: Spaceless.of([]))
    latin_readings: dict[str, tuple[Entity, ...]] = field(default_factory=dict)
    hangul_readings: dict[str, tuple[Entity, ...]] = field(default_factory=dict)
    short_forms: dict[str, str] = field(default_factory=dict)
    title_words: int = 1  # the most words in a title (title_keys), at least 1

    def __len__(self) -> int:
        return len(self.keys)

    @classmethod
    def build(
        cls,
        dramas: dict[str, Drama],
        artists: dict[str, Artist],
        rows: Iterable[TrackRow],
        fame: Mapping[str, tuple[int, bool]] | None = None,
    ) -> Columns:
        """Columns from the catalog's rows, with every name and title normalised; `fame` is
        each known track's popularity (popularity.scores)."""
        builder = ColumnsBuilder(dramas, artists, fame)
        builder.add(rows)
        return builder.finish()

    @classmethod
    def of(cls, catalog: Catalog) -> Columns:
        return cls.build(
            dict(catalog.dramas),
            dict(catalog.artists),
            (
                (
                    *(t.key, t.title, t.title_ko, t.artist, t.drama, t.year, t.tags, t.part),
                    *(t.aliases, t.title_en),
                )
                for t in catalog.tracks
            ),
            scores(catalog.signals),
        )

    def _text_work(self, share: Sharer) -> None:
        multi = multiword(self.artist_info)
        korean_words = everyday_korean()
        credits = dict.fromkeys(self.artists)
        for credit in credits:
            acts = tuple(share(name) for name in split_credit(credit, multi))
            if acts != (credit,):
                self.acts[credit] = acts
        groups = {g for a in self.artist_info.values() for g in a.groups}

        def add_name(name: str, entity: Entity) -> None:
            if not name:
                return
            if has_hangul(name):
                key = squash(name)
                if key:  # one syllable too (첸, 비): the parser wants a cue for those
                    self.hangul_names.setdefault(key, entity)
                # And its Latin spellings: "dokkaebi", "sarangui bulsichak", "baek yerin".
                for form in latin_forms(name):
                    if len(form.replace(" ", "")) >= 4:
                        add_latin(form, entity, romanised=True)
                return
            add_latin(norm(name), entity)

        def add_latin(key: str, entity: Entity, *, romanised: bool = False) -> None:
            if not key:
                return
            self.names.setdefault(key, entity)
            if too_short(key) or everyday(key) or (romanised and key in korean_words):
                self.ambiguous.add(key)  # "Life", "Winter", "Once Again": needs a cue

        for d in self.drama_info.values():
            entity = share(Entity("drama", d.title))
            for name in (d.title, d.title_ko, *d.aliases):
                add_name(name, entity)
            # What Korean replies call each drama: the shortest Hangul name (도깨비 over
            # 쓸쓸하고 찬란하神-도깨비), the official title on a tie.
            official = d.title_ko
            hangul = [(len(n.replace(" ", "")), n != official, n) for n in (official, *d.aliases)]
            short = min((h for h in hangul if has_hangul(h[2])), default=None)
            if short is not None:
                self.korean_names[d.title] = short[2]
        credited = {name for credit in credits for name in acts_of(self.acts, credit)}
        self._voices()
        for name in sorted(set(self.artist_info) | credited | groups):
            a = self.artist_info.get(name)
            entity = share(Entity("group" if name in groups else "artist", name))
            forms = [name]
            if a:
                forms += [a.name_ko, *a.aliases]
                for g in a.groups:
                    forms += [f"{g} {name}", f"{g}'s {name}", f"{g}s {name}"]
            for form in forms:
                add_name(form, entity)

        # Track titles, for look-ups, "something like Stay With Me" and "like <title>": the
        # English title ("Snow Flower" for 눈꽃) as well as the title, Hangul title and aliases;
        # a Hangul title also under its Latin spellings ("nunkkot" for 눈꽃).
        latin: dict[str, Ids] = {}
        hangul_titles: dict[str, Ids] = {}
        for i, (title, title_ko, aliases, title_en) in enumerate(
            zip(self.titles, self.titles_ko, self.aliases, self.titles_en, strict=True)
        ):
            keys: set[str] = set()
            for name in (title, title_en, title_ko, *aliases):
                if not name:
                    continue
                if has_hangul(name):
                    add_id(hangul_titles, squash(name), i)
                    keys.update(f for f in latin_forms(name) if len(f.replace(" ", "")) >= 4)
                else:
                    keys.add(norm(name))
            for key in sorted(keys):
                add_id(latin, key, i)
        prominence = self._prominence()
        for found in (latin, hangul_titles):
            for name, ids in found.items():
                if isinstance(ids, tuple):
                    found[name] = tuple(sorted(ids, key=prominence))
        self.title_keys, self.hangul_title_keys = IdMap(latin), IdMap(hangul_titles)
        self.title_words = max((k.count(" ") + 1 for k in latin), default=1)
        self.key_order = KeyIndex.order_of(self.keys)
        self.keys = HexKeys.of(self.keys)
        self.spaceless_names = Spaceless.of(list(self.names))
        self.spaceless_titles = Spaceless.of(self.title_keys.names())
        self.latin_readings, self.hangul_readings = self._readings(groups, share)
        self.short_forms = short_forms(self.names, self.title_keys)

    def _readings(
        self, groups: set[str], share: Sharer
    ) -> tuple[dict[str, tuple[Entity, ...]], dict[str, tuple[Entity, ...]]]:
        """Every entity each drama or artist name may be, for the names that are two things
        ("punch" is a drama and a singer): the names index keeps one reading of each."""
        latin: dict[str, list[Entity]] = {}
        hangul: dict[str, list[Entity]] = {}

        def reading(name: str, ent: Entity) -> None:
            if not name:
                return
            table, key = (hangul, squash(name)) if has_hangul(name) else (latin, norm(name))
            found = table.setdefault(key, [])
            if ent not in found:
                found.append(ent)

        for d in self.drama_info.values():
            drama = share(Entity("drama", d.title))
            for name in (d.title, d.title_ko, *d.aliases):
                reading(name, drama)
        for name, a in self.artist_info.items():
            ent = share(Entity("group" if name in groups else "artist", name))
            for form in (name, a.name_ko, *a.aliases):
                reading(form, ent)
        return (
            {k: tuple(ents) for k, ents in latin.items() if len(ents) > 1},
            {k: tuple(ents) for k, ents in hangul.items() if len(ents) > 1},
        )

    def _voices(self) -> None:
        """Each track's voices, from its credited acts (bot/core/voice.py), into its flags."""
        info = self.artist_info

        def voice(name: str) -> str:
            a = info.get(name)
            if a is None:
                return ""
            groups = (info[g].voice if g in info else "" for g in a.groups)
            return act_voice(a.voice, groups)

        known: dict[tuple[str, bool], int] = {}
        flags = self.flags
        for i, (credit, tags) in enumerate(zip(self.artists, self.tags, strict=True)):
            case = (credit, INSTRUMENTAL in tags)
            found = known.get(case)
            if found is None:
                voices = [voice(a) for a in acts_of(self.acts, credit)]
                found = known[case] = voice_flags(track_voices(voices, case[1]))
            flags[i] |= found

    def _prominence(self) -> Callable[[int], tuple[int, int]]:
        """How to order tracks that share a title, best known first: by their own popularity,
        then by their drama's (a song from a drama with a chart No. 1 is likelier the one
        meant), then in catalog order."""
        fame, dramas = self.fame, self.dramas
        best = drama_fame(dramas, fame)
        return lambda i: (-fame[i], -best.get(dramas[i], 0))


def drama_fame(dramas: Sequence[str], fame: Sequence[int]) -> dict[str, int]:
    """Each drama's best-known song's popularity points (dramas with none left out)."""
    best: dict[str, int] = {}
    for drama, points in zip(dramas, fame, strict=True):
        if points > best.get(drama, 0):
            best[drama] = points
    return best


def short_forms(names: Mapping[str, Entity], titles: Container[str]) -> dict[str, str]:
    """The first words of exactly one drama's name, when they say enough on their own:
    "itaewon" (Itaewon Class), "crash landing" (Crash Landing on You)."""
    english, korean = everyday_english(), everyday_korean()
    counts: dict[str, list[str]] = {}
    for key, ent in names.items():
        if ent.kind != "drama":
            continue
        words = key.split()
        for n in range(1, len(words)):
            prefix = " ".join(words[:n])
            if prefix in names or prefix in titles:
                continue  # "Beautiful" is the song, not short for Beautiful Days
            long_enough = len(prefix) >= 0.6 * len(key)
            distinctive = any(
                len(w) >= 5 and w not in english and w not in korean for w in words[:n]
            )
            if long_enough or distinctive:
                counts.setdefault(prefix, []).append(ent.name)
    return {p: names[0] for p, names in counts.items() if len(set(names)) == 1}


# Track ids under a name while building: a bare int for the usual single track.
Ids = int | tuple[int, ...]


def add_id(ids: dict[str, Ids], key: str, i: int) -> None:
    found = ids.get(key)
    if found is None:
        ids[key] = i
    else:
        ids[key] = (found, i) if isinstance(found, int) else (*found, i)


def ascending(values: Sequence[Any], *, strictly: bool = False) -> bool:
    """Whether values are in ascending order (each greater than the last, `strictly`),
    compared in C: a check of 100,000 values read back from a saved index."""
    return not any(map(ge if strictly else gt, values, islice(values, 1, None)))


def checksum(text: str) -> int:
    """A stable 32-bit checksum of a string (Python's own hash changes from run to run)."""
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


class Checksums:
    """Where a name is among names, found by its checksum: for 100,000 names in little
    memory, where a dict would hold a second string and an entry for each (9 MB).

    The names' checksums, sorted, and beside each its name's place (8 bytes a name); a look-up
    compares the one or two names with the same checksum. Two equal names: the first counts.
    """

    __slots__ = ("_names", "_places", "_sums")

    def __init__(self, names: Sequence[str], sums: array[int], places: array[int]) -> None:
        """`sums` ascending, `places[k]` the position in `names` of the name with checksum
        `sums[k]` (ties in ascending position)."""
        if len(sums) != len(places) or len(places) != len(names):
            raise ValueError("checksums: the parts do not fit")
        if places and not 0 <= min(places) <= max(places) < len(names):
            raise ValueError("checksums: a place out of range")
        if not ascending(sums):
            raise ValueError("checksums: not in order")
        self._names, self._sums, self._places = names, sums, places

    @staticmethod
    def fold(name: str) -> str:
        """The form a name is looked up by."""
        return name

    @classmethod
    def of(cls, names: Sequence[str]) -> Self:
        # The places sorted by their sums (a stable sort, so ties stay in ascending place)
        # rather than (sum, place) tuples made and sorted: half the time, and an index build
        # makes four of these over 100,000 names or more.
        sums = list(map(checksum, map(cls.fold, names)))
        places = sorted(range(len(names)), key=sums.__getitem__)
        return cls(names, array("I", map(sums.__getitem__, places)), array("i", places))

    def parts(self) -> tuple[array[int], array[int]]:
        return self._sums, self._places

    def names(self) -> Sequence[str]:
        return self._names

    def find(self, text: str) -> int:
        """The place of the first name whose form is `text`, or -1."""
        sums, places, names, fold = self._sums, self._places, self._names, self.fold
        target = checksum(text)
        k = bisect_left(sums, target)
        while k < len(sums) and sums[k] == target:
            if fold(names[places[k]]) == text:
                return places[k]
            k += 1
        return -1

    def get(self, text: str) -> str | None:
        """The first name whose form is `text`, or None."""
        place = self.find(text)
        return None if place < 0 else self._names[place]


class Spaceless(Checksums):
    """Names by their form without spaces: "hoteldelluna" -> "hotel del luna"."""

    __slots__ = ()

    @staticmethod
    def fold(name: str) -> str:
        return name.replace(" ", "")


class IdMap(Mapping[str, tuple[int, ...]]):
    """Name -> the ids of the tracks that carry it, for 100,000 titles in little memory.

    The names in order, packed into one string (PackedStrs) and found by their checksums; for
    each a number: the track id, or -k for the k-th tuple of several ids.
    """

    __slots__ = ("_find", "_many", "_names", "_numbers")

    def __init__(self, found: dict[str, Ids]) -> None:
        names = sorted(found)
        many: list[tuple[int, ...]] = []
        numbers = array("i")
        for name in names:
            value = found[name]
            if isinstance(value, int):
                numbers.append(value)
            else:
                many.append(value)
                numbers.append(-len(many))
        packed = PackedStrs(names)
        self._set(packed, numbers, many, Checksums.of(packed))

    @classmethod
    def packed(
        cls,
        names: PackedStrs,
        numbers: array[int],
        many: list[tuple[int, ...]],
        sums: array[int],
        places: array[int],
    ) -> IdMap:
        """From the parts of an earlier IdMap (see `parts`); checks that they fit."""
        if len(names) != len(numbers) or (numbers and min(numbers) < -len(many)):
            raise ValueError("id map: numbers do not fit")
        out = cls.__new__(cls)
        out._set(names, numbers, many, Checksums(names, sums, places))
        return out

    def _set(
        self,
        names: PackedStrs,
        numbers: array[int],
        many: list[tuple[int, ...]],
        find: Checksums,
    ) -> None:
        self._names = names
        self._numbers = numbers
        self._many = many
        self._find = find

    def parts(
        self,
    ) -> tuple[PackedStrs, array[int], list[tuple[int, ...]], array[int], array[int]]:
        return self._names, self._numbers, self._many, *self._find.parts()

    def _at(self, pos: int) -> tuple[int, ...]:
        number = self._numbers[pos]
        return (number,) if number >= 0 else self._many[-number - 1]

    def _pos(self, key: object) -> int:
        return self._find.find(key) if isinstance(key, str) else -1

    def __getitem__(self, key: str) -> tuple[int, ...]:
        pos = self._pos(key)
        if pos < 0:
            raise KeyError(key)
        return self._at(pos)

    def get(self, key: str, default: tuple[int, ...] | None = None) -> tuple[int, ...] | None:  # type: ignore[override]
        pos = self._pos(key)
        return self._at(pos) if pos >= 0 else default

    def __contains__(self, key: object) -> bool:
        return self._pos(key) >= 0

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._numbers)

    def names(self) -> PackedStrs:
        return self._names


HEX_DIGITS = "0123456789abcdef"
KEY_DIGITS = 12  # a track key: 12 hex digits (models.track_key)


class HexKeys(Sequence[str]):
    """Track keys as the numbers their 12 hex digits spell: 8 bytes a track instead of a
    61-byte string (6 MB at 100,000 tracks). A key is written out when asked for."""

    __slots__ = ("_numbers",)

    def __init__(self, numbers: array[int]) -> None:
        if numbers.typecode != "q" or (numbers and not 0 <= min(numbers) <= max(numbers) < 2**48):
            raise ValueError("track keys: a number out of range")
        self._numbers = numbers

    @classmethod
    def of(cls, keys: Sequence[str]) -> Sequence[str]:
        """The keys as numbers when every one is a track key, else as they are."""
        if isinstance(keys, HexKeys) or not all(map(is_key, keys)):
            return keys
        return cls(array("q", (int(k, 16) for k in keys)))

    def numbers(self) -> array[int]:
        return self._numbers

    def __len__(self) -> int:
        return len(self._numbers)

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [f"{n:012x}" for n in self._numbers[i]]
        return f"{self._numbers[i]:012x}"


def is_key(key: object) -> bool:
    """Whether `key` is written as a track key is: 12 lower-case hex digits."""
    return isinstance(key, str) and len(key) == KEY_DIGITS and not key.strip(HEX_DIGITS)


class KeyIndex(Mapping[str, int]):
    """Track key -> track id: the keys in sorted order as positions into the key column
    (for HexKeys, also the numbers in that order, searched in C)."""

    __slots__ = ("_keys", "_order", "_sorted")

    def __init__(self, keys: Sequence[str], order: array[int]) -> None:
        """`order` lists the track ids by ascending key; it must make the keys strictly
        ascending (so every key is unique)."""
        if len(order) != len(keys) or (order and not 0 <= min(order) <= max(order) < len(keys)):
            raise ValueError("key order: ids out of range")
        self._keys = keys
        self._order = order
        # Hex digits in lower case sort as the numbers they spell.
        self._sorted: array[int] | None = None
        if isinstance(keys, HexKeys):
            self._sorted = array("q", map(keys.numbers().__getitem__, order))
            ordered: Sequence[Any] = self._sorted
        else:
            ordered = list(map(keys.__getitem__, order))
        if not ascending(ordered, strictly=True):
            raise ValueError("key order: keys not unique and ascending")

    @staticmethod
    def order_of(keys: Sequence[str]) -> array[int]:
        return array("i", sorted(range(len(keys)), key=keys.__getitem__))

    def find(self, key: object) -> int:
        """The id of the track with this key, or -1."""
        if not isinstance(key, str):
            return -1
        order = self._order
        if self._sorted is not None:
            if not is_key(key):
                return -1
            number = int(key, 16)
            pos = bisect_left(self._sorted, number)
            return order[pos] if pos < len(order) and self._sorted[pos] == number else -1
        keys = self._keys
        pos = bisect_left(order, key, key=keys.__getitem__)
        return order[pos] if pos < len(order) and keys[order[pos]] == key else -1

    def __getitem__(self, key: str) -> int:
        found = self.find(key)
        if found < 0:
            raise KeyError(key)
        return found

    def get(self, key: str, default: int | None = None) -> int | None:  # type: ignore[override]
        found = self.find(key)
        return found if found >= 0 else default

    def __contains__(self, key: object) -> bool:
        return self.find(key) >= 0

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def order(self) -> array[int]:
        return self._order


class PackedStrs(Sequence[str]):
    """Strings stored as one string and their end offsets.

    A title read a few times per reply does not need its own object all the time: 100,000
    separate strings cost about 50 bytes of header each, more than most titles' text.
    """

    __slots__ = ("_ends", "_text")

    def __init__(self, values: Iterable[str]) -> None:
        values = list(values)
        self._text = "".join(values)
        self._ends = array("I", accumulate(map(len, values)))

    @classmethod
    def packed(cls, text: str, ends: array[int]) -> PackedStrs:
        """From the parts of an earlier PackedStrs (see `parts`); checks that they fit."""
        if ends and (ends[-1] != len(text) or not ascending(ends)):
            raise ValueError("packed strings: offsets do not fit the text")
        out = cls.__new__(cls)
        out._text, out._ends = text, ends
        return out

    def parts(self) -> tuple[str, array[int]]:
        return self._text, self._ends

    def __len__(self) -> int:
        return len(self._ends)

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        ends = self._ends
        if i < 0:
            i += len(ends)
        return self._text[ends[i - 1] if i else 0 : ends[i]]

    def __iter__(self) -> Iterator[str]:
        # Sequence's own __iter__ indexes one string at a time (an index build walks the
        # titles half a million times at 100,000 tracks); this slices from one end to the next.
        text, start = self._text, 0
        for end in self._ends:
            yield text[start:end]
            start = end


class ColumnsBuilder:
    """Columns from rows that arrive in batches, so a store can stream 100,000 of them
    without holding them all as rows first."""

    def __init__(
        self,
        dramas: dict[str, Drama],
        artists: dict[str, Artist],
        fame: Mapping[str, tuple[int, bool]] | None = None,
    ) -> None:
        self.cols = Columns(drama_info=dramas, artist_info=artists)
        self.share = Sharer()
        self.fame = fame or {}
        self.keys: list[str] = []
        self.titles: list[str] = []
        self.titles_ko: list[str] = []
        self.titles_en: list[str] = []

    def add(self, rows: Iterable[TrackRow]) -> None:
        cols, share, fame = self.cols, self.share, self.fame
        with gc_paused():
            for key, title, title_ko, artist, drama, year, tags, part, aliases, title_en in rows:
                self.keys.append(key)
                self.titles.append(title)
                self.titles_ko.append(title_ko or "")
                self.titles_en.append(title_en or "")
                cols.artists.append(share(artist))
                cols.dramas.append(share(drama))
                cols.years.append(year)
                cols.tags.append(share(tags))
                cols.parts.append(share(part))
                cols.aliases.append(share(aliases))
                points, theme = fame.get(key, (0, False))
                cols.fame.append(points)
                cols.flags.append(THEME_FLAG if theme else 0)

    def finish(self) -> Columns:
        cols = self.cols
        with gc_paused():
            # Packed first, so the strings as read are gone before the text work adds more.
            cols.titles, cols.titles_ko = PackedStrs(self.titles), PackedStrs(self.titles_ko)
            cols.titles_en = PackedStrs(self.titles_en)
            cols.keys = self.keys
            self.keys, self.titles, self.titles_ko, self.titles_en = [], [], [], []
            cols._text_work(self.share)
        return cols


class Sharer:
    """One object for each distinct value, so a drama named by 10,000 tracks is stored once."""

    def __init__(self) -> None:
        self._seen: dict[object, object] = {}

    def __call__(self, value: H) -> H:
        return self._seen.setdefault(value, value)  # type: ignore[return-value]

    def many(self, values: Sequence[H]) -> list[H]:
        """Each value shared, in one pass in C (a call per value costs most of a start)."""
        return list(map(self._seen.setdefault, values, values))  # type: ignore[arg-type]


class TrackList(Sequence[Track]):
    """The tracks as a read-only list; each Track is made from the columns when asked for.

    Loops over many tracks should read the columns (`keys`, `track_drama`, ...) instead.
    It holds the columns, not the index: no reference cycle, so an index replaced by a
    reload is freed at once, even after `settle` froze it out of the garbage collector's way.
    """

    __slots__ = ("_cols",)

    def __init__(self, cols: Columns) -> None:
        self._cols = cols

    def __len__(self) -> int:
        return len(self._cols.keys)

    @overload
    def __getitem__(self, i: int) -> Track: ...

    @overload
    def __getitem__(self, i: slice) -> list[Track]: ...

    def __getitem__(self, i: int | slice) -> Track | list[Track]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        c = self._cols
        return Track(
            title=c.titles[i],
            artist=c.artists[i],
            drama=c.dramas[i],
            year=c.years[i],
            tags=c.tags[i],
            title_ko=c.titles_ko[i] or None,
            part=c.parts[i],
            aliases=c.aliases[i],
            key=c.keys[i],
            title_en=c.titles_en[i] or None,
        )

    def __iter__(self) -> Iterator[Track]:
        for i in range(len(self)):
            yield self[i]


class Credits(Sequence[tuple[str, ...]]):
    """The acts credited on each track, from its credit."""

    __slots__ = ("_acts", "_artists")

    def __init__(self, artists: Sequence[str], acts: Mapping[str, tuple[str, ...]]) -> None:
        self._artists, self._acts = artists, acts

    def __len__(self) -> int:
        return len(self._artists)

    @overload
    def __getitem__(self, i: int) -> tuple[str, ...]: ...

    @overload
    def __getitem__(self, i: slice) -> list[tuple[str, ...]]: ...

    def __getitem__(self, i: int | slice) -> tuple[str, ...] | list[tuple[str, ...]]:
        if isinstance(i, slice):
            return [acts_of(self._acts, a) for a in self._artists[i]]
        return acts_of(self._acts, self._artists[i])


class LazySets(Mapping[str, frozenset[int]]):
    """frozenset views of lists, made on first use (few artists are ever filtered by)."""

    def __init__(self, lists: Mapping[str, Sequence[int]]) -> None:
        self._lists = lists
        self._made: dict[str, frozenset[int]] = {}

    def __getitem__(self, name: str) -> frozenset[int]:
        made = self._made.get(name)
        if made is None:
            made = self._made[name] = frozenset(self._lists[name])
        return made

    def __iter__(self) -> Iterator[str]:
        return iter(self._lists)

    def __len__(self) -> int:
        return len(self._lists)


class CatalogIndex:
    def __init__(self, catalog: Catalog) -> None:
        self._assemble(Columns.of(catalog), catalog.vocabulary)

    @classmethod
    def from_columns(cls, cols: Columns, vocabulary: Vocabulary) -> CatalogIndex:
        index = cls.__new__(cls)
        index._assemble(cols, vocabulary)
        return index

    def _assemble(self, cols: Columns, vocabulary: Vocabulary) -> None:
        with gc_paused():
            self._assemble_columns(cols, vocabulary)

    def _assemble_columns(self, cols: Columns, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.dramas: dict[str, Drama] = cols.drama_info
        self.artists: dict[str, Artist] = cols.artist_info
        # The columns: field f of track i is track_f[i].
        self.keys: Sequence[str] = cols.keys
        self.track_title: Sequence[str] = cols.titles
        self.track_title_ko: Sequence[str] = cols.titles_ko  # "" where there is none
        self.track_artist: list[str] = cols.artists
        self.track_drama: list[str] = cols.dramas
        self.years: array[int] = cols.years
        self.track_tags: list[tuple[str, ...]] = cols.tags
        self.track_part: list[int | None] = cols.parts
        self.track_aliases: list[tuple[str, ...]] = cols.aliases
        self.track_title_en: Sequence[str] = cols.titles_en  # "" where there is none
        self.fame: array[int] = cols.fame  # popularity points, 0-100
        self.flags: array[int] = cols.flags
        self.drama_fame: dict[str, int] = (
            drama_fame(cols.dramas, cols.fame) if any(cols.fame) else {}
        )
        self.tracks: Sequence[Track] = TrackList(cols)
        n = len(cols)
        self.by_key: Mapping[str, int] = KeyIndex(cols.keys, cols.key_order)
        self._acts = cols.acts
        self._multiword = multiword(self.artists)

        # Tags as bits, so scoring a track is one dictionary lookup on its mask.
        self.tag_bits: dict[str, int] = {name: 1 << i for i, name in enumerate(vocabulary.tags)}
        # A mask also says who sings (the vocabulary's voice tags), whether the track is well
        # known (any popularity signal) and whether it is a main theme: conditions a request
        # can set are then checked once per group of tracks, not once per track.
        self.known_bit = 1 << len(vocabulary.tags)
        self.theme_bit = self.known_bit << 1
        per_set = Counter(cols.tags)
        set_masks = {tags: self._mask(tags) for tags in per_set}
        extra: dict[tuple[int, bool], int] = {}
        self.masks: list[int] = []
        for tags, flags, points in zip(cols.tags, cols.flags, cols.fame, strict=True):
            mask = set_masks[tags]
            if flags or points:
                case = (flags, points > 0)
                more = extra.get(case)
                if more is None:
                    more = extra[case] = self._flag_mask(flags, points > 0)
                mask |= more
            self.masks.append(mask)
        df: Counter[str] = Counter()
        for tags, count in per_set.items():
            for tag in set(tags):
                df[tag] += count
        total = max(1, n)
        self.idf: dict[str, float] = {
            tag: math.log((total + 1) / (df.get(tag, 0) + 1)) + 1.0 for tag in vocabulary.tags
        }
        self.tag_counts: Counter[str] = df
        # Lists of track ids are arrays of 32-bit ints: at 100,000 tracks, one int object per
        # id in every list would cost more than the lists themselves.
        # Tracks by tag mask, each group in year order (a range of years is one slice of it).
        # Most requests say nothing of voices or main themes, so the groups they walk leave
        # those bits out (`key_mask`): a third as many groups; the full masks group the tracks
        # again in `by_mask` for the requests that do (an array shared where the two agree).
        self.flag_bits = self.mask_of(TRACK_VOICES) | self.theme_bit
        self.key_mask = ~self.flag_bits
        by_mask: dict[int, array[int]] = {}
        groups: dict[int, array[int]] = {}
        for i in sorted(range(n), key=cols.years.__getitem__):
            mask = self.masks[i]
            _append(by_mask, mask, i)
            _append(groups, mask & self.key_mask, i)
        self.by_mask: dict[int, array[int]] = {m: by_mask[m] for m in dict.fromkeys(self.masks)}
        self.mask_groups: dict[int, array[int]] = {}
        for mask in self.by_mask:
            key = mask & self.key_mask
            if key not in self.mask_groups:
                same = by_mask.get(key)
                self.mask_groups[key] = (
                    same if same is not None and same == groups[key] else groups[key]
                )

        self.group_members: dict[str, set[str]] = defaultdict(set)
        for name, artist in self.artists.items():
            for group in artist.groups:
                self.group_members[group].add(name)
        acts = cols.acts
        # The acts credited on each track, looked up from its credit when asked for.
        self.credits: Sequence[tuple[str, ...]] = Credits(self.track_artist, acts)
        dramas: dict[str, array[int]] = {}
        self.artist_tracks: dict[str, array[int]] = {}
        for i, (drama, credit) in enumerate(zip(cols.dramas, cols.artists, strict=True)):
            _append(dramas, drama, i)
            for name in acts_of(acts, credit):
                _append(self.artist_tracks, name, i)
        # A drama's tracks are usually stored together: a range then.
        self.drama_tracks: dict[str, Sequence[int]] = {d: _run(f) for d, f in dramas.items()}
        for group, members in self.group_members.items():
            own = set(self.artist_tracks.get(group, ()))
            for member in members:
                own.update(self.artist_tracks.get(member, ()))
            self.artist_tracks[group] = array("i", sorted(own))
        self.artist_track_sets: Mapping[str, frozenset[int]] = LazySets(self.artist_tracks)
        self.min_year = min(self.years, default=2000)
        self.max_year = max(self.years, default=2000)
        self.korean_names: dict[str, str] = cols.korean_names

        # Name lookup. English-ish names by normalised form, Hangul names by squashed form.
        self.names: dict[str, Entity] = cols.names
        self.hangul_names: dict[str, Entity] = cols.hangul_names
        self.ambiguous: set[str] = cols.ambiguous
        # Track titles, for "something like Stay With Me" and "like <title>".
        self.titles: IdMap = cols.title_keys
        self.hangul_titles: IdMap = cols.hangul_title_keys
        # Longest first, so "사랑의 불시착" wins over a shorter name inside it.
        self.hangul_by_length = sorted(self.hangul_names, key=_longest_first)
        self.hangul_titles_by_length = sorted(self.hangul_titles, key=_longest_first)
        self._longest_hangul_name = len(self.hangul_by_length[0]) if self.hangul_by_length else 0
        self._longest_hangul_title = (
            len(self.hangul_titles_by_length[0]) if self.hangul_titles_by_length else 0
        )
        self.spaceless_names: Spaceless = cols.spaceless_names
        self.spaceless_titles: Spaceless = cols.spaceless_titles
        self.latin_readings: dict[str, tuple[Entity, ...]] = cols.latin_readings
        self.hangul_readings: dict[str, tuple[Entity, ...]] = cols.hangul_readings
        self.short_forms: dict[str, str] = cols.short_forms
        self.max_name_tokens = max((k.count(" ") + 1 for k in self.names), default=1)
        self.max_title_tokens = cols.title_words

    def _flag_mask(self, flags: int, known: bool) -> int:
        mask = self.known_bit if known else 0
        if flags & THEME_FLAG:
            mask |= self.theme_bit
        for i, name in enumerate(TRACK_VOICES):
            if flags >> i & 1:
                mask |= self.tag_bits.get(name, 0)
        return mask

    def _mask(self, tags: tuple[str, ...]) -> int:
        bits = self.tag_bits
        mask = 0
        for tag in tags:
            mask |= bits.get(tag, 0)
        return mask

    @property
    def catalog(self) -> Catalog:
        """The catalog this index was built from, as objects (for tools and tests)."""
        return Catalog(self.vocabulary, dict(self.dramas), dict(self.artists), list(self.tracks))

    # ------------------------------------------------------------------ helpers

    def mask_of(self, tags: tuple[str, ...]) -> int:
        return self._mask(tags)

    def moods_of(self, i: int) -> tuple[str, ...]:
        tags = self.vocabulary.tags
        return tuple(t for t in self.track_tags[i] if tags[t].kind == "mood")

    def renown(self, i: int) -> tuple[int, int]:
        """How well known track i is, to choose among songs of one title: its popularity
        points, then its drama's best song's (bot/core/popularity.py)."""
        return self.fame[i], self.drama_fame.get(self.track_drama[i], 0)

    def artist_ko(self, credit: str) -> str:
        names = self.credit(credit)
        kos = [self.artists[n].name_ko if n in self.artists else "" for n in names]
        if not all(kos):
            return ""
        return " & ".join(kos)

    def credit(self, artist: str) -> list[str]:
        acts = self._acts.get(artist)
        return list(acts) if acts is not None else split_credit(artist, self._multiword)

    def hangul_names_in(self, flat: str) -> list[str]:
        """The Hangul names (squashed) found in squashed text, in hangul_by_length order.

        Looks up the text's substrings instead of testing every name against the text.
        """
        return _found_in(flat, self.hangul_names, self._longest_hangul_name)

    def hangul_titles_in(self, flat: str) -> list[str]:
        """The Hangul titles (squashed) found in squashed text, longest first."""
        return _found_in(flat, self.hangul_titles, self._longest_hangul_title)

    def soundtrack(self, drama: str) -> list[Track]:
        items = [self.tracks[i] for i in self.drama_tracks.get(drama, ())]
        return sorted(items, key=lambda t: (t.part is None, t.part or 0))

    def together(self, drama: str, artists: Iterable[str]) -> list[int]:
        """The songs of a drama sung by any of the artists (a group counts its members), in
        soundtrack order: "the gummy song from hotel del luna"."""
        sung = [self.artist_track_sets.get(a, frozenset()) for a in artists]
        ids = sorted(
            self.drama_tracks.get(drama, ()),
            key=lambda i: (self.tracks[i].part is None, self.tracks[i].part or 0),
        )
        return [i for i in ids if any(i in s for s in sung)]


def _append(lists: dict[K, array[int]], key: K, i: int) -> None:
    found = lists.get(key)
    if found is None:
        lists[key] = found = array("i")
    found.append(i)


def _run(ids: array[int]) -> Sequence[int]:
    """Ascending ids as a range when they are consecutive (a range costs no memory per id)."""
    return range(ids[0], ids[-1] + 1) if ids[-1] - ids[0] + 1 == len(ids) else ids


def _longest_first(name: str) -> tuple[int, str]:
    return -len(name), name


def _found_in(flat: str, names: Container[str], longest: int) -> list[str]:
    spans = {
        flat[i:j] for i in range(len(flat)) for j in range(i + 2, min(len(flat), i + longest) + 1)
    }
    return sorted((span for span in spans if span in names), key=_longest_first)
