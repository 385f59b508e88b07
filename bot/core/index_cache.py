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
import json
import logging
import struct
import sys
import zlib
from array import array
from collections.abc import Callable, Hashable, Iterable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

import bot
from bot.core.index import (
    THEME_FLAG,
    CatalogIndex,
    Columns,
    ColumnsBuilder,
    Entity,
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

T = TypeVar("T", bound=Hashable)


class CacheError(ValueError):
    """The saved index cannot be used."""


@functools.cache
def code_stamp() -> str:
    """Changes with the code that builds an index, so a new ostbot never reads an old layout."""
    stamp = f"{FORMAT}:{bot.__version__}:koroman {koroman_version()}"
    digest = hashlib.blake2b(stamp.encode(), digest_size=8)
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


def koroman_version() -> str:
    """The romaniser's version: its spellings are part of every saved index."""
    try:
        return metadata.version("koroman")
    except metadata.PackageNotFoundError:
        return "?"


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


class Writer:
    def __init__(self) -> None:
        self.frames: list[bytes] = [MAGIC]

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

    def table(self, values: Sequence[Hashable]) -> None:
        """Distinct values in order of first use, then each value's place among them."""
        places: dict[Hashable, int] = {}
        ids = [places.setdefault(v, len(places)) for v in values]
        self.json(list(places))
        self.ints(ids)

    def names(self, names: dict[str, Entity]) -> None:
        """Name -> entity: the names, then the entities (kind and name) as a table."""
        self.json(list(names))
        self.table([(e.kind, e.name) for e in names.values()])

    def ids(self, found: IdMap) -> None:
        names, numbers, many = found.parts()
        self.json(names)
        self.ints(numbers)
        self.json(many)


def encode(cols: Columns) -> bytes:
    w = Writer()
    w.json({"format": FORMAT, "n": len(cols)})
    w.json(cols.keys)
    w.ints(cols.key_order)
    w.packed(cols.titles)
    w.packed(cols.titles_ko)
    w.table(cols.artists)
    w.table(cols.dramas)
    w.ints(cols.years)
    w.table(cols.tags)
    w.ints(-1 if p is None else p for p in cols.parts)
    w.table(cols.aliases)
    w.packed(cols.titles_en)
    w.ints(cols.fame)
    w.ints(cols.flags)
    w.json(
        [
            [
                *(d.title, d.title_ko, d.year, d.year_end, d.network),
                *(d.aliases, d.genres, d.sources, d.notes),
            ]
            for d in cols.drama_info.values()
        ]
    )
    w.json([[a.name, a.name_ko, a.aliases, a.groups, a.voice] for a in cols.artist_info.values()])
    w.json(cols.acts)
    w.names(cols.names)
    w.names(cols.hangul_names)
    w.json(sorted(cols.ambiguous))
    w.ids(cols.title_keys)
    w.ids(cols.hangul_title_keys)
    w.json(cols.korean_names)
    for spaceless in (cols.spaceless_names, cols.spaceless_titles):
        sums, places = spaceless.parts()
        w.ints(sums, "I")
        w.ints(places)
    for readings in (cols.latin_readings, cols.hangul_readings):
        w.json({key: [[e.kind, e.name] for e in ents] for key, ents in readings.items()})
    w.json(cols.short_forms)
    return b"".join(w.frames)


# ------------------------------------------------------------------------- decoding


class Reader:
    """The sections of a saved index, in order; every check failure is a CacheError."""

    def __init__(self, data: bytes) -> None:
        if not data.startswith(MAGIC):
            raise CacheError("not a saved index")
        self.data = memoryview(data)
        self.at = len(MAGIC)

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

    def ints(self, n: int, typecode: str = "i", lo: int = -(2**31), hi: int = 2**31) -> array[int]:
        numbers = array(typecode)
        _check(numbers.itemsize == 4, "this machine's integers differ")
        numbers.frombytes(self.raw())
        if sys.byteorder == "big":
            numbers.byteswap()
        _check(len(numbers) == n, "a column of the wrong length")
        _check(not numbers or (lo <= min(numbers) and max(numbers) < hi), "a number out of range")
        return numbers

    def packed(self, n: int) -> PackedStrs:
        text = self.text()
        ends = self.ints(n, "I", 0, len(text) + 1)
        try:
            return PackedStrs.packed(text, ends)
        except ValueError as exc:
            raise CacheError(str(exc)) from exc

    def table(self, n: int, share: Sharer, check: Callable[[Any], T]) -> list[T]:
        table = [share(check(v)) for v in _list(self.json())]
        return [table[i] for i in self.ints(n, lo=0, hi=len(table))]

    def names(self, share: Sharer) -> dict[str, Entity]:
        keys = _strs(self.json())
        entities = self.table(len(keys), share, lambda v: _entity(v, share))
        return dict(zip(keys, entities, strict=True))

    def spaceless(self, names: Sequence[str]) -> Spaceless:
        n = len(names)
        sums = self.ints(n, "I", 0, 2**32)
        try:
            return Spaceless(names, sums, self.ints(n, lo=0, hi=max(n, 1)))
        except ValueError as exc:
            raise CacheError(str(exc)) from exc

    def readings(self, share: Sharer) -> dict[str, tuple[Entity, ...]]:
        return {
            _str(key): tuple(_entity(v, share) for v in _list(ents))
            for key, ents in _dict(self.json()).items()
        }

    def ids(self, n: int) -> IdMap:
        names = _strs(self.json())
        numbers = self.ints(len(names), lo=-len(names), hi=n)
        many = [tuple(_list(v)) for v in _list(self.json())]
        _check(all(type(i) is int and 0 <= i < n for v in many for i in v), "an id out of range")
        try:
            return IdMap.packed(names, numbers, many)
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
    head = r.json()
    _check(type(head) is dict and head.get("format") == FORMAT, "unknown format")
    n = _int(head["n"])
    share = Sharer()
    cols = Columns(keys=_strs(r.json(), n), key_order=r.ints(n, lo=0, hi=n))
    cols.titles, cols.titles_ko = r.packed(n), r.packed(n)
    cols.artists = r.table(n, share, _str)
    cols.dramas = r.table(n, share, _str)
    cols.years = [share(y) for y in r.ints(n)]
    known = vocabulary.tags

    def tags(value: Any) -> tuple[str, ...]:
        names = tuple(share(t) for t in _strs(value))
        _check(all(t in known for t in names), "a tag the vocabulary does not have")
        return names

    cols.tags = r.table(n, share, tags)
    cols.parts = [None if p == -1 else share(p) for p in r.ints(n, lo=-1)]
    cols.aliases = r.table(n, share, lambda v: tuple(_strs(v)))
    cols.titles_en = r.packed(n)
    cols.fame = array("B", r.ints(n, lo=0, hi=MAX_POINTS + 1))
    cols.flags = array("B", r.ints(n, lo=0, hi=THEME_FLAG << 1))
    for row in _list(r.json()):
        title, title_ko, year, year_end, network, aliases, genres, sources, notes = row
        title = share(_str(title))  # the same string as the tracks' drama column
        cols.drama_info[title] = Drama(
            title=title,
            title_ko=share(_str(title_ko)),
            year=share(_int(year)),
            year_end=share(_opt_int(year_end)),
            network=share(_str(network)),
            aliases=_strings(aliases, share),
            genres=_strings(genres, share),
            sources=_strings(sources, share),
            notes=_str(notes),
        )
    for name, name_ko, aliases, groups, voice in _list(r.json()):
        name = share(_str(name))
        _check(voice == "" or voice in ACT_VOICES, "an unknown voice")
        cols.artist_info[name] = Artist(
            name=name,
            name_ko=_str(name_ko),
            aliases=_strings(aliases, share),
            groups=_strings(groups, share),
            voice=share(_str(voice)),
        )
    cols.acts = {
        _str(credit): tuple(share(_str(a)) for a in _list(acts))
        for credit, acts in _dict(r.json()).items()
    }
    cols.names = r.names(share)
    cols.hangul_names = r.names(share)
    cols.ambiguous = set(_strs(r.json()))
    cols.title_keys = r.ids(n)
    cols.hangul_title_keys = r.ids(n)
    cols.korean_names = {_str(k): share(_str(v)) for k, v in _dict(r.json()).items()}
    cols.spaceless_names = r.spaceless(list(cols.names))
    cols.spaceless_titles = r.spaceless(cols.title_keys.parts()[0])
    cols.latin_readings, cols.hangul_readings = r.readings(share), r.readings(share)
    cols.short_forms = {_str(k): share(_str(v)) for k, v in _dict(r.json()).items()}
    r.end()
    return cols


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise CacheError(what)


def _list(value: Any, n: int | None = None) -> list[Any]:
    _check(type(value) is list and (n is None or len(value) == n), "a list of the wrong shape")
    return value  # type: ignore[no-any-return]


def _dict(value: Any) -> dict[str, Any]:
    _check(type(value) is dict, "expected an object")
    return value  # type: ignore[no-any-return]


def _str(value: Any) -> str:
    _check(type(value) is str, "expected a string")
    return value  # type: ignore[no-any-return]


def _int(value: Any) -> int:
    _check(type(value) is int, "expected a whole number")
    return value  # type: ignore[no-any-return]


def _opt_int(value: Any) -> int | None:
    return None if value is None else _int(value)


def _strs(value: Any, n: int | None = None) -> list[str]:
    items = _list(value, n)
    _check(all(type(v) is str for v in items), "expected strings")
    return items


def _strings(value: Any, share: Sharer) -> tuple[str, ...]:
    """A shared tuple of shared strings: 10,000 dramas often name the same few sources."""
    return share(tuple(share(v) for v in _strs(value)))


def _entity(value: Any, share: Sharer) -> Entity:
    kind, name = _list(value, 2)
    _check(kind in KINDS, "an unknown kind of name")
    return Entity(share(kind), share(_str(name)))
