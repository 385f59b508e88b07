"""Read and validate the catalog: the shipped data/ folder and import CSV files.

Every problem is reported with its file and line so a curator can fix it in one pass; nothing
is loaded unless the whole input is valid.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO

from bot.core.models import Artist, Drama, Track, track_key
from bot.core.occasions import OccasionError, Occasions
from bot.core.popularity import SIGNALS, YEAR, Signal
from bot.core.shipped import DATA_DIR as DATA_DIR  # re-exported: many modules import it here
from bot.core.text import has_hangul, norm, parse_int
from bot.core.vocabulary import Vocabulary, VocabularyError
from bot.core.voice import ACT_VOICES

# The import/export contract (DESIGN.md): required and optional columns. `title_en` came
# later (issue 10): a file without it still imports, and leaves the stored English titles be.
CSV_REQUIRED = ("title", "artist", "drama", "year", "tags")
CSV_OPTIONAL = ("title_ko", "artist_ko", "drama_ko", "network", "part", "aliases", "title_en")
CSV_COLUMNS = CSV_REQUIRED + CSV_OPTIONAL

DRAMA_COLUMNS = (
    "drama",
    "drama_ko",
    "aliases",
    "year",
    "year_end",
    "network",
    "genres",
    "sources",
    "notes",
)
ARTIST_COLUMNS = ("artist", "artist_ko", "aliases", "groups", "voice", "sources")
TRACK_COLUMNS = (
    "drama",
    "part",
    "title",
    "title_ko",
    "title_en",
    "artist",
    "year",
    "tags",
    "aliases",
    "notes",
)
POPULARITY_COLUMNS = ("drama", "title", "artist", "signal", "value", "source", "notes")
# What a Hangul-titled track without an English title says in its notes (any case): that the
# sources showed none, rather than a translation of ours.
NO_ENGLISH_TITLE = "no english title"

NETWORKS = frozenset(
    {
        *"KBS1 KBS2 MBC SBS tvN JTBC OCN ENA MBN Mnet TVING Wavve Netflix Disney+ Web".split(),
        *("Channel A", "TV Chosun", "Coupang Play"),
    }
)
GENRES = frozenset(
    [
        "romance",
        "melodrama",
        "comedy",
        "medical",
        "legal",
        "thriller",
        "crime",
        "historical",
        "fantasy",
        "youth",
        "family",
        "workplace",
        "music",
        "sports",
        "action",
        "horror",
        "slice-of-life",
        "sci-fi",
        "military",
    ]
)
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection); an
# export writes such a cell with a leading apostrophe, as OWASP advises, and import takes it off.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MIN_YEAR, MAX_YEAR = 1990, 2100
MAX_FIELD = 300  # characters; longer values are a sign of a broken file

# "Chanyeol & Punch", "Heize ft. Punch", "Crush, Punch": the individual acts of a credit.
_CREDIT_SPLIT = re.compile(r"\s+&\s+|\s+(?:ft|feat)\.\s+|,\s+")


def split_credit(artist: str, known: Collection[str] = ()) -> list[str]:
    """The acts in a credit. Names that contain a separator themselves ("Car, the Garden",
    "Savina & Drones") are kept whole when they are in `known`."""
    artist = artist.strip()
    if artist in known:
        return [artist]
    kept: dict[str, str] = {}
    for name in known:
        if name in artist and _CREDIT_SPLIT.search(name):
            token = f"\x00{len(kept)}\x00"
            kept[token] = name
            artist = artist.replace(name, token)
    parts = [name for name in _CREDIT_SPLIT.split(artist) if name]
    for token, name in kept.items():
        parts = [p.replace(token, name) for p in parts]
    return parts


def multiword(names: Iterable[str]) -> frozenset[str]:
    """The names that contain a credit separator themselves ("Car, the Garden").

    `split_credit` only needs these to keep such names whole, and checking a few names per
    credit instead of every known artist keeps a 100,000-row import linear.
    """
    return frozenset(name for name in names if _CREDIT_SPLIT.search(name))


def split_list(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(";") if item.strip())


def split_tags(value: str) -> tuple[str, ...]:
    """Tag names are case-insensitive: "Sad;Low-Energy" is sad;low-energy."""
    return tuple(tag.casefold() for tag in split_list(value))


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class CatalogError(ValueError):
    """The input is invalid; `problems` lists every error found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class DataDirError(CatalogError):
    """The shipped catalog itself (data/) is invalid or unreadable: nothing can start."""

    def __init__(self, problems: list[Problem], data_dir: Path) -> None:
        self.data_dir = data_dir
        super().__init__(problems)


@dataclass
class Catalog:
    vocabulary: Vocabulary
    dramas: dict[str, Drama] = field(default_factory=dict)
    artists: dict[str, Artist] = field(default_factory=dict)
    tracks: list[Track] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)  # popularity, see bot/core/popularity


# ---------------------------------------------------------------- CSV reading


def _records(text: str, name: str, problems: list[Problem]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (first line number, row) for each record, reporting malformed structure."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        problems.append(Problem(name, 1, "empty file: expected a header row"))
        return
    except csv.Error as exc:
        problems.append(Problem(name, 1, f"unreadable header ({exc}): is this a CSV file?"))
        return
    header = [h.strip().lower() for h in header]
    last = reader.line_num
    while True:
        start = last + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.append(Problem(name, start, f"malformed CSV: {exc}"))
            return
        last = reader.line_num
        if not any(c.strip() for c in cells):
            continue  # blank line
        if len(cells) != len(header):
            problems.append(
                Problem(name, start, f"expected {len(header)} fields, found {len(cells)}")
            )
            continue
        yield start, {h: c.strip() for h, c in zip(header, cells, strict=True)}


def _decode(data: bytes, name: str, problems: list[Problem]) -> str | None:
    if b"\x00" in data:
        problems.append(Problem(name, 1, "binary data: expected a UTF-8 CSV file"))
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(Problem(name, line, "not valid UTF-8"))
        return None


def _header(text: str) -> list[str]:
    first = next(csv.reader(io.StringIO(text, newline="")), [])
    return [h.strip().lower() for h in first]


def _check_header(
    text: str, name: str, required: Iterable[str], allowed: Iterable[str], problems: list[Problem]
) -> bool:
    if not text.strip():
        problems.append(Problem(name, 1, "empty file: expected a header row"))
        return False
    try:
        header = _header(text)
    except csv.Error as exc:  # e.g. a cell longer than the csv module's field limit
        problems.append(Problem(name, 1, f"unreadable header ({exc}): is this a CSV file?"))
        return False
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in set(allowed)]
    dupes = sorted({c for c in header if header.count(c) > 1})
    for msg, cols in (
        ("missing column(s)", missing),
        ("unknown column(s)", unknown),
        ("repeated column(s)", dupes),
    ):
        if cols:
            problems.append(Problem(name, 1, f"{msg}: {', '.join(cols)}"))
    return not (missing or unknown or dupes)


def _int(value: str, what: str, name: str, line: int, problems: list[Problem]) -> int | None:
    number = parse_int(value)
    if number is None:
        problems.append(Problem(name, line, f"{what} must be a whole number, got {value!r}"))
    return number


def _too_long(row: dict[str, str], name: str, line: int, problems: list[Problem]) -> bool:
    for col, value in row.items():
        if len(value) > MAX_FIELD and col not in ("sources", "notes", "aliases"):
            problems.append(Problem(name, line, f"{col} is longer than {MAX_FIELD} characters"))
            return True
    return False


def check_tags(tags: tuple[str, ...], vocab: Vocabulary, name: str, line: int) -> list[Problem]:
    """The catalog's tag rules: known tags, none repeated, 1-3 moods, exactly one energy; form
    tags (instrumental, sung-by-cast) optional; voice tags never (they follow from artists)."""
    out: list[Problem] = []
    unknown = [t for t in tags if t not in vocab.tags]
    if unknown:
        out.append(Problem(name, line, f"unknown tag(s): {', '.join(unknown)}"))
    if not tags:
        out.append(Problem(name, line, "at least one tag is required"))
    if len(set(tags)) != len(tags):
        out.append(Problem(name, line, "repeated tag"))
    if tags and not unknown:
        kinds = [vocab.tags[t].kind for t in tags]
        derived = [t for t, kind in zip(tags, kinds, strict=True) if kind == "voice"]
        if derived:
            out.append(
                Problem(
                    name,
                    line,
                    f"{', '.join(derived)}: a voice is worked out from artists.csv, not tagged",
                )
            )
        if not 1 <= kinds.count("mood") <= 3:
            out.append(Problem(name, line, "needs 1-3 mood tags"))
        if kinds.count("energy") != 1:
            out.append(Problem(name, line, "needs exactly one energy tag"))
    return out


# ------------------------------------------------------------ shipped catalog


def fingerprint(data_dir: Path = DATA_DIR) -> str:
    """A hash of the catalog files, so the store knows when data/ changed."""
    digest = hashlib.sha256()
    for fname in ("moods.toml", "dramas.csv", "artists.csv", "tracks.csv", "popularity.csv"):
        path = data_dir / fname
        digest.update(fname.encode())
        try:
            digest.update(path.read_bytes())
        except OSError:  # missing or unreadable: load_catalog says which and why
            digest.update(b"\x00unreadable")
    return digest.hexdigest()[:16]


def load_vocabulary(data_dir: Path = DATA_DIR) -> Vocabulary:
    path = data_dir / "moods.toml"
    try:
        return Vocabulary.load(path)
    except VocabularyError as exc:
        message = str(exc).removeprefix(f"{path}: ")
        raise DataDirError([Problem("moods.toml", 1, message)], data_dir) from exc


def load_catalog(data_dir: Path = DATA_DIR) -> Catalog:
    """Read and validate data/; raise DataDirError listing every problem."""
    problems: list[Problem] = []
    catalog = Catalog(vocabulary=load_vocabulary(data_dir))
    try:  # the occasions name moods: checked against them, like the tracks' tags
        Occasions.load(catalog.vocabulary, data_dir / "occasions.toml")
    except OccasionError as exc:
        problems.append(Problem("occasions.toml", 1, str(exc).removeprefix("occasions.toml: ")))

    def read(fname: str, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
        path = data_dir / fname
        try:
            data = path.read_bytes()
        except OSError as exc:
            problems.append(Problem(fname, 1, f"cannot read: {exc.strerror}"))
            return
        text = _decode(data, fname, problems)
        if text is None or not _check_header(text, fname, columns, columns, problems):
            return
        yield from _records(text, fname, problems)

    drama_lines = _read_dramas(read("dramas.csv", DRAMA_COLUMNS), catalog, problems)
    _read_artists(read("artists.csv", ARTIST_COLUMNS), catalog, problems)
    _read_tracks(read("tracks.csv", TRACK_COLUMNS), catalog, problems)
    _read_popularity(read("popularity.csv", POPULARITY_COLUMNS), catalog, problems)
    if not problems:  # a drama whose tracks were all refused is reported through them
        with_tracks = {t.drama for t in catalog.tracks}
        for drama, line in drama_lines.items():
            if drama not in with_tracks:
                problems.append(Problem("dramas.csv", line, f"{drama}: no track in tracks.csv"))
    if problems:
        raise DataDirError(problems, data_dir)
    return catalog


def _read_dramas(
    rows: Iterable[tuple[int, dict[str, str]]], catalog: Catalog, problems: list[Problem]
) -> dict[str, int]:
    """Read the dramas into the catalog; returns the line of each."""
    f = "dramas.csv"
    lines: dict[str, int] = {}
    names: dict[str, tuple[str, int]] = {}  # normalised name -> (drama, line)
    for line, row in rows:
        title = row["drama"]
        if not title:
            problems.append(Problem(f, line, "drama title is empty"))
            continue
        if title in catalog.dramas:
            problems.append(Problem(f, line, f"duplicate drama {title!r}"))
            continue
        if not has_hangul(row["drama_ko"]):
            problems.append(Problem(f, line, f"{title}: missing Hangul title (drama_ko)"))
        year = _int(row["year"], "year", f, line, problems)
        year_end = _int(row["year_end"], "year_end", f, line, problems) if row["year_end"] else None
        if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
            problems.append(Problem(f, line, f"year {year} out of range"))
        if year is not None and year_end is not None and year_end < year:
            problems.append(Problem(f, line, "year_end is before year"))
        if row["network"] not in NETWORKS:
            problems.append(Problem(f, line, f"unknown network {row['network']!r}"))
        genres = split_list(row["genres"])
        bad = [g for g in genres if g not in GENRES]
        if bad:
            problems.append(Problem(f, line, f"unknown genre(s): {', '.join(bad)}"))
        sources = split_list(row["sources"])
        if not sources:
            problems.append(Problem(f, line, f"{title}: no source URL for its soundtrack"))
        elif not all(s.startswith(("https://", "http://")) for s in sources):
            problems.append(Problem(f, line, "sources must be http(s) URLs"))
        aliases = split_list(row["aliases"])
        for name in (title, *aliases):
            key = norm(name)
            other = names.get(key)
            if other and other[0] != title:
                problems.append(
                    Problem(f, line, f"name {name!r} collides with {other[0]!r} (line {other[1]})")
                )
            names.setdefault(key, (title, line))
        catalog.dramas[title] = Drama(
            title=title,
            title_ko=row["drama_ko"],
            year=year or 0,
            year_end=year_end,
            network=row["network"],
            aliases=aliases,
            genres=genres,
            sources=sources,
            notes=row["notes"],
        )
        lines[title] = line
    return lines


def _read_artists(
    rows: Iterable[tuple[int, dict[str, str]]], catalog: Catalog, problems: list[Problem]
) -> None:
    f = "artists.csv"
    for line, row in rows:
        name = row["artist"]
        if not name:
            problems.append(Problem(f, line, "artist name is empty"))
            continue
        if name in catalog.artists:
            problems.append(Problem(f, line, f"duplicate artist {name!r}"))
            continue
        if row["artist_ko"] and not has_hangul(row["artist_ko"]):
            problems.append(Problem(f, line, "artist_ko must be Hangul"))
        voice = row["voice"]
        if voice and voice not in ACT_VOICES:
            problems.append(
                Problem(f, line, f"unknown voice {voice!r} (one of {', '.join(ACT_VOICES)})")
            )
        sources = split_list(row["sources"])
        if voice and not sources:
            problems.append(Problem(f, line, f"{name}: voice {voice!r} needs a source URL"))
        if not all(s.startswith(("https://", "http://")) for s in sources):
            problems.append(Problem(f, line, "sources must be http(s) URLs"))
        catalog.artists[name] = Artist(
            name=name,
            name_ko=row["artist_ko"],
            aliases=split_list(row["aliases"]),
            groups=split_list(row["groups"]),
            voice=voice,
        )


def _read_tracks(
    rows: Iterable[tuple[int, dict[str, str]]], catalog: Catalog, problems: list[Problem]
) -> None:
    f = "tracks.csv"
    seen: dict[str, int] = {}
    known = multiword(catalog.artists)
    for line, row in rows:
        if _too_long(row, f, line, problems):
            continue
        drama = catalog.dramas.get(row["drama"])
        if drama is None:
            problems.append(Problem(f, line, f"drama {row['drama']!r} is not in dramas.csv"))
            continue
        track = _track_from_row(row, f, line, problems)
        if track is None:
            continue
        if not drama.year <= track.year <= drama.last_year:
            problems.append(
                Problem(
                    f,
                    line,
                    f"year {track.year} is outside {drama.title}'s airing "
                    f"({drama.year}-{drama.last_year})",
                )
            )
        problems.extend(check_tags(track.tags, catalog.vocabulary, f, line))
        for name in split_credit(track.artist, known):
            if name not in catalog.artists:
                problems.append(Problem(f, line, f"artist {name!r} is not in artists.csv"))
        if (
            has_hangul(track.title)
            and not track.title_en
            and NO_ENGLISH_TITLE not in row["notes"].casefold()
        ):
            problems.append(
                Problem(
                    f,
                    line,
                    f"{track.title}: a Hangul title needs title_en, or notes that say no English"
                    " title was seen in the sources",
                )
            )
        if track.key in seen:
            problems.append(Problem(f, line, f"duplicate of line {seen[track.key]}"))
            continue
        seen[track.key] = line
        catalog.tracks.append(track)


def _read_popularity(
    rows: Iterable[tuple[int, dict[str, str]]], catalog: Catalog, problems: list[Problem]
) -> None:
    """Sourced popularity signals, each about a track of tracks.csv (see bot/core/popularity)."""
    f = "popularity.csv"
    keys = {t.key for t in catalog.tracks}
    seen: dict[tuple[str, str, str], int] = {}
    for line, row in rows:
        if _too_long(row, f, line, problems):
            continue
        before = len(problems)
        key = track_key(row["drama"], row["title"], row["artist"])
        if key not in keys:
            what = f"{row['drama']} / {row['title']} / {row['artist']}"
            problems.append(Problem(f, line, f"no track {what} in tracks.csv"))
        signal, value = row["signal"], row["value"]
        if signal not in SIGNALS:
            problems.append(
                Problem(f, line, f"unknown signal {signal!r} (one of {', '.join(SIGNALS)})")
            )
        elif signal == "chart" and not (parse_int(value) or 0) >= 1:
            problems.append(Problem(f, line, f"a chart peak is a position from 1, got {value!r}"))
        elif signal in ("award", "music_show") and not YEAR.search(value):
            problems.append(Problem(f, line, f"{signal} needs its name and year, got {value!r}"))
        sources = split_list(row["source"])
        if not sources:
            problems.append(Problem(f, line, "a signal needs its source URL"))
        elif not all(s.startswith(("https://", "http://")) for s in sources):
            problems.append(Problem(f, line, "source must be http(s) URLs"))
        if len(problems) > before:
            continue
        ident = (key, signal, value)
        if ident in seen:
            problems.append(Problem(f, line, f"duplicate of line {seen[ident]}"))
            continue
        seen[ident] = line
        catalog.signals.append(Signal(key, signal, value, row["source"], row["notes"]))


def _track_from_row(
    row: dict[str, str], f: str, line: int, problems: list[Problem]
) -> Track | None:
    before = len(problems)
    for col in CSV_REQUIRED:
        if not row.get(col):
            problems.append(Problem(f, line, f"{col} is empty"))
    if len(problems) > before:
        return None
    year = _int(row["year"], "year", f, line, problems)
    part = _int(row["part"], "part", f, line, problems) if row.get("part") else None
    if year is None or (row.get("part") and part is None):
        return None
    if not MIN_YEAR <= year <= MAX_YEAR:
        problems.append(Problem(f, line, f"year {year} out of range"))
        return None
    if part is not None and part < 1:
        problems.append(Problem(f, line, "part must be 1 or more"))
        return None
    title_ko = row.get("title_ko") or None
    if title_ko and not has_hangul(title_ko):
        problems.append(Problem(f, line, "title_ko must contain Hangul"))
        return None
    title_en = row.get("title_en") or None
    if title_en and has_hangul(title_en):
        problems.append(Problem(f, line, "title_en must be the English title, not Hangul"))
        return None
    if title_en and norm(title_en) == norm(row["title"]):
        problems.append(Problem(f, line, "title_en repeats the title: leave it blank"))
        return None
    return Track(
        title=row["title"],
        artist=row["artist"],
        drama=row["drama"],
        year=year,
        tags=split_tags(row["tags"]),
        title_ko=title_ko,
        part=part,
        aliases=split_list(row.get("aliases", "")),
        title_en=title_en,
    )


# ---------------------------------------------------------------- import CSV


@dataclass(frozen=True)
class ImportRow:
    line: int
    track: Track  # filed under the drama's canonical title when the file used an alias
    drama_ko: str
    network: str
    artist_ko: str
    # Whether the file has a title_en column: without one, the stored English title is kept.
    title_en_given: bool = True


def parse_import(
    data: bytes, name: str, vocab: Vocabulary, known: Catalog | None = None
) -> list[ImportRow]:
    """Parse an import file in the contract format; raise CatalogError listing every bad row.

    Every row is held to the catalog's own rules (known tags in any case, 1-3 moods, exactly
    one energy tag). With `known` (what the store holds: its dramas and artists are enough),
    a drama named by an alias is filed under its title, and rows are checked against it too:
    a year outside a known drama's airing, or a new drama without a Hangul title.
    """
    problems: list[Problem] = []
    dramas = drama_names(known) if known else {}
    text = _decode(data, name, problems)
    if text is None or not _check_header(text, name, CSV_REQUIRED, CSV_COLUMNS, problems):
        raise CatalogError(problems)
    out: list[ImportRow] = []
    seen: dict[str, int] = {}
    for line, cells in _records(text, name, problems):
        row = {column: restore_cell(value) for column, value in cells.items()}
        if _too_long(row, name, line, problems):
            continue
        track = _track_from_row(row, name, line, problems)
        if track is None:
            continue
        before = len(problems)
        problems.extend(check_tags(track.tags, vocab, name, line))
        for col in ("drama_ko", "artist_ko"):
            if row.get(col) and not has_hangul(row[col]):
                problems.append(Problem(name, line, f"{col} must contain Hangul"))
        if row.get("network") and row["network"] not in NETWORKS:
            problems.append(Problem(name, line, f"unknown network {row['network']!r}"))
        drama = dramas.get(track.drama.casefold())
        if known is not None and drama is None and not row.get("drama_ko"):
            problems.append(Problem(name, line, f"new drama {track.drama!r} needs drama_ko"))
        if drama is not None:
            if not drama.year <= track.year <= drama.last_year:
                problems.append(
                    Problem(
                        name,
                        line,
                        f"year {track.year} is outside {drama.title}'s airing "
                        f"({drama.year}-{drama.last_year})",
                    )
                )
            if drama.title != track.drama:
                track = replace(track, drama=drama.title, key="")  # the key follows the title
        if len(problems) > before:
            continue
        if track.key in seen:
            problems.append(Problem(name, line, f"duplicate of line {seen[track.key]}"))
            continue
        seen[track.key] = line
        out.append(
            ImportRow(
                line=line,
                track=track,
                drama_ko=row.get("drama_ko", ""),
                network=row.get("network", ""),
                artist_ko=row.get("artist_ko", ""),
                title_en_given="title_en" in row,
            )
        )
    if problems:
        raise CatalogError(problems)
    return out


def drama_names(catalog: Catalog) -> dict[str, Drama]:
    """Every name of every drama (title, Hangul title, aliases), case-folded."""
    out: dict[str, Drama] = {}
    for d in catalog.dramas.values():
        for alias in (d.title, d.title_ko, *d.aliases):
            out.setdefault(alias.casefold(), d)
    return out


def export_rows(catalog: Catalog) -> Iterator[dict[str, str]]:
    """Every track as a contract-format row (the inverse of parse_import)."""
    known = multiword(catalog.artists)
    for t in catalog.tracks:
        drama = catalog.dramas.get(t.drama)
        names = split_credit(t.artist, known)
        ko = [catalog.artists[n].name_ko if n in catalog.artists else "" for n in names]
        yield {
            "title": t.title,
            "artist": t.artist,
            "drama": t.drama,
            "year": str(t.year),
            "tags": ";".join(t.tags),
            "title_ko": t.title_ko or "",
            "artist_ko": ko[0] if len(names) == 1 else "",
            "drama_ko": drama.title_ko if drama else "",
            "network": drama.network if drama else "",
            "part": str(t.part) if t.part is not None else "",
            "aliases": ";".join(t.aliases),
            "title_en": t.title_en or "",
        }


def neutralise_cell(value: str) -> str:
    """A cell a spreadsheet shows and never runs: "=HYPERLINK(...)" -> "'=HYPERLINK(...)".

    A value already led by apostrophes before a formula character gets one more ("'=x" ->
    "''=x"), so restore_cell, which takes exactly one off, gives back every value exactly.
    """
    return "'" + value if value.lstrip("'")[:1] in FORMULA_START else value


def restore_cell(value: str) -> str:
    """The inverse of neutralise_cell: "'-ing" -> "-ing"; "'Cause" stays as it is."""
    return value[1:] if value[:1] == "'" and value.lstrip("'")[:1] in FORMULA_START else value


def write_csv(rows: Iterable[dict[str, str]], out: TextIO) -> int:
    """Write rows in the contract format, every cell neutralised (see neutralise_cell)."""
    writer = csv.DictWriter(out, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({column: neutralise_cell(value) for column, value in row.items()})
        count += 1
    return count
