"""The built catalog index, kept in the database between starts.

Building an index normalises every name and title, which is most of a start at 100,000
tracks, while the catalog rarely changes from one start to the next. So the text work
(`Columns`) is saved, keyed by the catalog's version (which every data/ reload and every import
changes) and by a stamp of the code that built it, and a start with the same key reads it back.

What is read back is never trusted: it is JSON (parsing it runs no code, unlike pickle),
compressed, with a checksum, and checked field by field before use. Anything stale, corrupt or
malformed is ignored with a warning and rebuilt from the catalog tables.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import logging
import struct
import sys
import zlib
from array import array
from collections.abc import Hashable, Iterable, Mapping, Sequence
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

import bot
from bot.core.index import (
    THEME_FLAG,
    CatalogIndex,
    Columns,
    ColumnsBuilder,
    Entity,
    HexKeys,
    IdMap,
    PackedStrs,
    Sharer,
    Spaceless,
    gc_paused,
)
from bot.core.models import Artist, Drama
from bot.core.popularity import MAX_POINTS, scores
from bot.core.shipped import DATA_DIR
from bot.core.store import Store
from bot.core.vocabulary import Vocabulary
from bot.core.voice import ACT_VOICES

log = logging.getLogger(__name__)

# Bump when the layout below changes (2: English titles, popularity, voices; 3: the parser's
# names without spaces, names that are two things and short forms).
FORMAT = 3
MAGIC = b"ostbot-index\x00"
DIGEST = 16  # bytes of blake2b over the JSON
MAX_SIZE = 1 << 30  # a saved index never decompresses to more than this
KINDS = frozenset({"drama", "artist", "group"})
Entities = dict[str, dict[str, Entity]]  # the entities read so far, by kind and name

T = TypeVar("T", bound=Hashable)


class CacheError(ValueError):
    """The saved index cannot be used."""


@functools.cache
def code_stamp() -> str:
    """Changes with the code that builds an index, so a new ostbot never reads an old layout."""
    stamp = f"{FORMAT}:{bot.__version__}"
    digest = hashlib.blake2b(stamp.encode(), digest_size=8)
    digest.update(koroman_code())
    modules = (
        *("index.py", "index_cache.py", "text.py", "catalog.py", "romanize.py"),
        *("popularity.py", "voice.py"),
    )
    for module in modules:
        try:
            digest.update((Path(__file__).parent / module).read_bytes())
        except OSError:  # installed without sources: the version and format still count
            continue
    # The names an index marks as everyday words come from these.
    for name in ("lexicon.toml", "words-en.txt", "words-ko.txt"):
        try:
            digest.update((DATA_DIR / name).read_bytes())
        except OSError:
            continue
    return digest.hexdigest()


def koroman_code() -> bytes:
    """The romaniser's code: its spellings are part of every saved index. Read from its
    files, found without importing it (importlib.metadata, for its version, would cost every
    start several milliseconds)."""
    spec = importlib.util.find_spec("koroman")
    if spec is None:
        return b"?"
    if spec.submodule_search_locations:  # a package: every module of it
        paths = sorted(p for d in spec.submodule_search_locations for p in Path(d).glob("*.py"))
    else:
        paths = [Path(spec.origin)] if spec.origin else []
    code = []
    for path in paths:
        try:
            code.append(path.read_bytes())
        except OSError:
            code.append(b"?")
    return b"\x00".join(code)


async def load_index(store: Store, vocabulary: Vocabulary) -> CatalogIndex:
    """The saved index if it is current and sound; else build it and save it for next time."""
    version = f"{await store.catalog_version()}/{code_stamp()}"
    data = await store.cached_index(version)
    if data is not None:
        try:
            index = CatalogIndex.from_columns(decode(data, vocabulary), vocabulary)
        except (CacheError, ValueError) as exc:  # ValueError: KeyIndex found keys out of order
            log.warning("ignoring the saved catalog index (%s): rebuilding it", exc)
        else:
            return index
    known = await store.load(tracks=False)
    builder = ColumnsBuilder(known.dramas, known.artists, scores(known.signals))
    async for rows in store.track_rows():
        builder.add(rows)
    cols = builder.finish()
    # Saved only if no import or reload landed while it was read (it would not match).
    if f"{await store.catalog_version()}/{code_stamp()}" == version:
        try:
            await store.save_index(version, encode(cols))
        except Exception as exc:  # a read-only or busy database: the next start rebuilds
            log.warning("could not save the catalog index: %s", exc)
    return CatalogIndex.from_columns(cols, vocabulary)


# ------------------------------------------------------------------------- encoding
#
# A saved index is MAGIC and then one frame per section, in a fixed order: the length of the
# compressed section (4 bytes), a blake2b digest of the section (16 bytes), the section
# compressed with zlib. A section is JSON, UTF-8 text, or a little-endian array of 32-bit
# integers (never one Python int per number). Sections are read one at a time, so a start
# never holds the whole index twice.
#
# Every string but the track keys and titles is written once, in a pool, and everywhere else
# by its place in it; every tuple once, in a table of its column. So reading back makes each
# distinct string and tuple once (as the build shares them) and no short-lived object per
# value: at 100,000 tracks, a start's time and memory (the heap fragments when small objects
# come and go between the ones that stay).

KIND_CODES = {"drama": "d", "artist": "a", "group": "g"}
KIND_OF_CODE = {code: kind for kind, code in KIND_CODES.items()}


class Writer:
    def __init__(self) -> None:
        self.frames: list[bytes] = [MAGIC]
        self.pool: dict[str, int] = {}  # see `strings`, and `encode` for where it goes

    def raw(self, data: bytes) -> None:
        packed = zlib.compress(data, 1)
        digest = hashlib.blake2b(data, digest_size=DIGEST).digest()
        self.frames.append(struct.pack(">I", len(packed)) + digest + packed)

    def json(self, value: object) -> None:
        self.raw(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())

    def text(self, value: str) -> None:
        self.raw(value.encode("utf-8", "surrogatepass"))

    def ints(self, values: Iterable[int], typecode: str = "i") -> None:
        numbers = array(typecode, values)
        if sys.byteorder == "big":
            numbers.byteswap()
        self.raw(numbers.tobytes())

    def packed(self, strings: Sequence[str]) -> None:
        text, ends = (strings if isinstance(strings, PackedStrs) else PackedStrs(strings)).parts()
        self.text(text)
        self.ints(ends, "I")

    def place(self, value: str) -> int:
        return self.pool.setdefault(value, len(self.pool))

    def strings(self, values: Iterable[str]) -> None:
        """Strings by their places in the pool."""
        self.ints(map(self.place, values), "I")

    def tuples(self, values: Sequence[tuple[str, ...]]) -> None:
        """A column of tuples of strings: the distinct tuples (their strings, then their
        sizes), then each value's place among them."""
        places: dict[tuple[str, ...], int] = {}
        ids = [places.setdefault(v, len(places)) for v in values]
        self.strings(s for t in places for s in t)
        self.ints(map(len, places), "I")
        self.ints(ids, "I")

    def entities(self, entities: Iterable[Entity]) -> None:
        """Kinds as one letter each, then names."""
        made = list(entities)
        self.text("".join(KIND_CODES[e.kind] for e in made))
        self.strings(e.name for e in made)


def encode(cols: Columns) -> bytes:
    w = Writer()
    n = len(cols)
    hex_keys = isinstance(cols.keys, HexKeys)
    head = {"format": FORMAT, "n": n, "keys": "hex" if hex_keys else "text"}
    w.json({**head, "title_words": cols.title_words})
    if isinstance(cols.keys, HexKeys):
        w.ints(cols.keys.numbers(), "q")
    else:
        w.json(list(cols.keys))
    w.ints(cols.key_order)
    w.packed(cols.titles)
    w.packed(cols.titles_ko)
    w.packed(cols.titles_en)
    pool_at = len(w.frames)  # the pool goes here, once every string has its place
    w.strings(cols.artists)
    w.strings(cols.dramas)
    w.ints(cols.years)
    w.tuples(cols.tags)
    w.ints(-1 if p is None else p for p in cols.parts)
    w.tuples(cols.aliases)
    w.ints(cols.fame)
    w.ints(cols.flags)
    dramas = list(cols.drama_info.values())
    w.ints([len(dramas)], "I")
    for field in ("title", "title_ko", "network", "notes"):
        w.strings(getattr(d, field) for d in dramas)
    w.ints(d.year for d in dramas)
    w.ints(-1 if d.year_end is None else d.year_end for d in dramas)
    for field in ("aliases", "genres", "sources"):
        w.tuples([getattr(d, field) for d in dramas])
    # Each drama's short Korean name (Columns.korean_names): its place among the drama's
    # Hangul names (0 the title, k its k-th alias), -1 for none.
    w.ints(
        -1
        if d.title not in cols.korean_names
        else (d.title_ko, *d.aliases).index(cols.korean_names[d.title])
        for d in dramas
    )
    artists = list(cols.artist_info.values())
    w.ints([len(artists)], "I")
    for field in ("name", "name_ko", "voice"):
        w.strings(getattr(a, field) for a in artists)
    for field in ("aliases", "groups"):
        w.tuples([getattr(a, field) for a in artists])
    w.ints([len(cols.acts)], "I")
    w.strings(cols.acts)
    w.tuples(list(cols.acts.values()))
    # Every entity a name stands for, once; then the names, with their entities' places.
    entities: dict[Entity, int] = {}
    named = (cols.names, cols.hangul_names)
    readings = (cols.latin_readings, cols.hangul_readings)
    for ent in (
        *(e for names in named for e in names.values()),
        *(e for found in readings for ents in found.values() for e in ents),
    ):
        entities.setdefault(ent, len(entities))
    w.ints([len(entities)], "I")
    w.entities(entities)
    for names in named:
        w.ints([len(names)], "I")
        w.strings(names)
        w.ints(map(entities.__getitem__, names.values()), "I")
    for found in readings:
        w.ints([len(found)], "I")
        w.strings(found)
        flat = [entities[e] for ents in found.values() for e in ents]
        w.ints(flat, "I")
        w.ints(map(len, found.values()), "I")
    w.ints([len(cols.ambiguous)], "I")
    w.strings(sorted(cols.ambiguous))
    for id_map in (cols.title_keys, cols.hangul_title_keys):
        titles, numbers, many, sums, places = id_map.parts()
        w.ints([len(titles), len(many)], "I")
        w.packed(titles)
        w.ints(numbers)
        w.ints((i for ids in many for i in ids), "I")
        w.ints(map(len, many), "I")
        w.ints(sums, "I")
        w.ints(places)
    for spaceless in (cols.spaceless_names, cols.spaceless_titles):
        sums, places = spaceless.parts()
        w.ints(sums, "I")
        w.ints(places)
    w.ints([len(cols.short_forms)], "I")
    w.strings(cols.short_forms)
    w.strings(cols.short_forms.values())
    pool = Writer()
    pool.json(list(w.pool))
    w.frames.insert(pool_at, pool.frames[1])
    return b"".join(w.frames)


# ------------------------------------------------------------------------- decoding


class Reader:
    """The sections of a saved index, in order; every check failure is a CacheError."""

    def __init__(self, data: bytes) -> None:
        if not data.startswith(MAGIC):
            raise CacheError("not a saved index")
        self.data = memoryview(data)
        self.at = len(MAGIC)
        self.pool: list[str] = []

    def raw(self) -> bytes:
        head = self.data[self.at : self.at + 4 + DIGEST]
        if len(head) < 4 + DIGEST:
            raise CacheError("truncated")
        (size,) = struct.unpack(">I", head[:4])
        start = self.at + 4 + DIGEST
        self.at = start + size
        if self.at > len(self.data):
            raise CacheError("truncated")
        unzip = zlib.decompressobj()
        try:
            data = unzip.decompress(self.data[start : self.at], MAX_SIZE)
        except zlib.error as exc:
            raise CacheError(f"corrupt: {exc}") from exc
        if unzip.unconsumed_tail or not unzip.eof:
            raise CacheError("corrupt or too large")
        if hashlib.blake2b(data, digest_size=DIGEST).digest() != head[4:]:
            raise CacheError("checksum mismatch")
        return data

    def end(self) -> None:
        if self.at != len(self.data):
            raise CacheError("unexpected data after the index")

    def json(self) -> Any:
        try:
            return json.loads(self.raw())
        except (ValueError, RecursionError) as exc:
            raise CacheError(f"unreadable: {exc}") from exc

    def text(self) -> str:
        try:
            return self.raw().decode("utf-8", "surrogatepass")
        except UnicodeDecodeError as exc:
            raise CacheError(f"unreadable: {exc}") from exc

    def ints(
        self, n: int, typecode: str = "i", lo: int | None = None, hi: int | None = None
    ) -> array[int]:
        """n 32-bit integers (64-bit for "q"), each at least `lo` and below `hi` where those
        are given (a bound costs a pass over the numbers; unsigned ones need no lower one)."""
        numbers = array(typecode)
        _check(numbers.itemsize == (8 if typecode == "q" else 4), "this machine's integers differ")
        numbers.frombytes(self.raw())
        if sys.byteorder == "big":
            numbers.byteswap()
        _check(n < 0 or len(numbers) == n, "a column of the wrong length")
        if numbers and lo is not None:
            _check(lo <= min(numbers), "a number out of range")
        if numbers and hi is not None:
            _check(max(numbers) < hi, "a number out of range")
        return numbers

    def count(self, *hi: int) -> list[int]:
        """How many of something follow (a section of its own, so a wrong one is refused
        before anything is made of it)."""
        found = self.ints(len(hi), "I").tolist()
        _check(all(k <= h for k, h in zip(found, hi, strict=True)), "a count out of range")
        return found

    def packed(self, n: int) -> PackedStrs:
        text = self.text()
        ends = self.ints(n, "I")  # PackedStrs.packed checks they ascend to the text's end
        try:
            return PackedStrs.packed(text, ends)
        except ValueError as exc:
            raise CacheError(str(exc)) from exc

    def read_pool(self) -> None:
        self.pool = _strs(self.json())

    def strings(self, n: int) -> list[str]:
        """n strings from the pool. (Places are unsigned, so none counts from the end; one
        past the pool is an IndexError.)"""
        return list(map(self.pool.__getitem__, self.ints(n, "I")))

    def tuples(self, n: int, share: Sharer, words: Mapping[str, str] | None = None) -> list[Any]:
        """A column of n tuples of strings (`words`: only these, as these objects)."""
        flat = self.strings(-1)
        if words is not None:
            flat = list(map(words.__getitem__, flat))  # KeyError: a word not allowed
        sizes = self.ints(-1, "I")
        _check(sum(sizes) == len(flat), "tuples of the wrong sizes")
        items = iter(flat)
        table = [share(tuple(islice(items, k))) for k in sizes]
        return list(map(table.__getitem__, self.ints(n, "I")))

    def entities(self, n: int) -> list[Entity]:
        kinds = [KIND_OF_CODE[c] for c in self.text()]  # KeyError: an unknown kind
        _check(len(kinds) == n, "entities of the wrong number")
        return list(map(Entity, kinds, self.strings(n)))

    def places(self, n: int, table: list[T]) -> list[T]:
        return list(map(table.__getitem__, self.ints(n, "I")))

    def spaceless(self, names: Sequence[str]) -> Spaceless:
        n = len(names)
        sums = self.ints(n, "I")
        try:
            return Spaceless(names, sums, self.ints(n))  # which checks the places
        except ValueError as exc:
            raise CacheError(str(exc)) from exc


def decode(data: bytes, vocabulary: Vocabulary) -> Columns:
    """Columns from a saved index; CacheError if anything about it is off."""
    with gc_paused():
        try:
            return _columns(Reader(data), vocabulary)
        except CacheError:
            raise
        except (TypeError, KeyError, IndexError, ValueError) as exc:
            raise CacheError(f"malformed: {exc!r}") from exc


def _columns(r: Reader, vocabulary: Vocabulary) -> Columns:
    """The sections in the order `encode` wrote them, each checked as a whole (a check per
    value in Python would cost most of a start at 100,000 tracks)."""
    head = r.json()
    _check(type(head) is dict and head.get("format") == FORMAT, "unknown format")
    n = _int(head["n"])
    share = Sharer()
    title_words = _int(head["title_words"])
    if head.get("keys") == "hex":
        try:
            keys: Sequence[str] = HexKeys(r.ints(n, "q"))
        except ValueError as exc:
            raise CacheError(str(exc)) from exc
    else:
        keys = _strs(r.json(), n)
    # The key order is checked by the index's KeyIndex (a ValueError: see load_index).
    cols = Columns(keys=keys, key_order=r.ints(n))
    cols.titles, cols.titles_ko, cols.titles_en = r.packed(n), r.packed(n), r.packed(n)
    r.read_pool()
    cols.artists = r.strings(n)
    cols.dramas = r.strings(n)
    cols.years = r.ints(n)
    cols.tags = r.tuples(n, share, {t: t for t in vocabulary.tags})
    cols.parts = [None if p == -1 else p for p in r.ints(n, lo=-1)]
    cols.aliases = r.tuples(n, share)
    cols.fame = array("B", r.ints(n, lo=0, hi=MAX_POINTS + 1))
    cols.flags = array("B", r.ints(n, lo=0, hi=THEME_FLAG << 1))
    (k,) = r.count(len(r.pool))
    title, title_ko, network, notes = (r.strings(k) for _ in range(4))
    year, year_end = share.many(r.ints(k).tolist()), share.many(r.ints(k, lo=-1).tolist())
    aliases, genres, sources = (r.tuples(k, share) for _ in range(3))
    korean = r.ints(k, lo=-1)
    drama_rows = (title, title_ko, year, year_end, network, aliases, genres, sources, notes)
    for t, t_ko, y, end, net, also, kinds, seen, note in zip(*drama_rows, strict=True):
        drama = Drama(t, t_ko, y, None if end == -1 else end, net, also, kinds, seen, note)
        cols.drama_info[t] = drama
    for drama, short in zip(cols.drama_info.values(), korean, strict=True):
        if short >= 0:
            cols.korean_names[drama.title] = (drama.title_ko, *drama.aliases)[short]
    (k,) = r.count(len(r.pool))
    name, name_ko, voice = (r.strings(k) for _ in range(3))
    _check(set(voice) <= {"", *ACT_VOICES}, "an unknown voice")
    a_aliases, groups = r.tuples(k, share), r.tuples(k, share)
    for a in zip(name, name_ko, a_aliases, groups, voice, strict=True):
        cols.artist_info[a[0]] = Artist(*a)
    (k,) = r.count(len(r.pool))
    cols.acts = dict(zip(r.strings(k), r.tuples(k, share), strict=True))
    (k,) = r.count(len(KIND_CODES) * len(r.pool))
    entities = r.entities(k)
    for names in (cols.names, cols.hangul_names):
        (k,) = r.count(len(r.pool))
        names.update(zip(r.strings(k), r.places(k, entities), strict=True))
    for found in (cols.latin_readings, cols.hangul_readings):
        (k,) = r.count(len(r.pool))
        keys = r.strings(k)
        flat = iter(r.places(-1, entities))
        sizes = r.ints(k, "I")
        found.update((key, tuple(islice(flat, k))) for key, k in zip(keys, sizes, strict=True))
        _check(next(flat, None) is None, "readings of the wrong sizes")
    (k,) = r.count(len(r.pool))
    cols.ambiguous = set(r.strings(k))
    cols.title_keys, cols.hangul_title_keys = _id_map(r, n), _id_map(r, n)
    cols.spaceless_names = r.spaceless(list(cols.names))
    cols.spaceless_titles = r.spaceless(cols.title_keys.names())
    (k,) = r.count(len(r.pool))
    cols.short_forms = dict(zip(r.strings(k), r.strings(k), strict=True))
    cols.title_words = title_words
    r.end()
    return cols


def _id_map(r: Reader, n: int) -> IdMap:
    k, m = r.count(2**31, n)
    names = r.packed(k)
    numbers = r.ints(k, hi=n)  # IdMap.packed checks the negative ones
    flat = r.ints(-1, "I", hi=n)
    sizes = r.ints(m, "I")
    _check(sum(sizes) == len(flat), "ids of the wrong sizes")
    items = iter(flat)
    many = [tuple(islice(items, size)) for size in sizes]
    sums, places = r.ints(k, "I"), r.ints(k)  # checked by Checksums
    try:
        return IdMap.packed(names, numbers, many, sums, places)
    except ValueError as exc:
        raise CacheError(str(exc)) from exc


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise CacheError(what)


def _list(value: Any, n: int | None = None) -> list[Any]:
    _check(type(value) is list and (n is None or len(value) == n), "a list of the wrong shape")
    return value  # type: ignore[no-any-return]


def _int(value: Any) -> int:
    _check(type(value) is int, "expected a whole number")
    return value  # type: ignore[no-any-return]


def _strs(value: Any, n: int | None = None) -> list[str]:
    items = _list(value, n)
    _check(set(map(type, items)) <= {str}, "expected strings")
    return items
