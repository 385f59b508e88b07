"""The catalog's figures as the documentation shows them, computed from data/ so they cannot
drift.

Two blocks, each between its markers: the full figures in docs/catalog.md and a one-line
headline in README.md. `python -m bot.ops.figures` prints the full block; `python -m
bot.ops.figures --write` rewrites both; tests/test_figures.py fails when either differs from
what data/ gives.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from bot.core.catalog import Catalog, load_catalog
from bot.core.index import CatalogIndex
from bot.core.text import has_hangul
from bot.core.voice import TRACK_VOICES

ROOT = Path(__file__).resolve().parents[2]
CATALOG_DOC = ROOT / "docs" / "catalog.md"
README = ROOT / "README.md"
BEGIN = "<!-- catalog figures: python -m bot.ops.figures --write -->"
END = "<!-- end of catalog figures -->"
HEADLINE_BEGIN = "<!-- catalog headline: python -m bot.ops.figures --write -->"
HEADLINE_END = "<!-- end of catalog headline -->"
# Five-year spans, as fans think of the eras; the last one is open.
SPANS = ((2000, 2004), (2005, 2009), (2010, 2014), (2015, 2019), (2020, 2024), (2025, 2025))


def _n(number: int) -> str:
    return f"{number:,}"


def _counts(items: Iterable[tuple[str, int]]) -> str:
    return ", ".join(f"{name} {_n(n)}" for name, n in items)


def headline(catalog: Catalog) -> str:
    """How big the catalog is, in one sentence (markdown): the README's, and the first line of
    the full block."""
    years = [d.year for d in catalog.dramas.values()]
    return (
        f"**{_n(len(catalog.dramas))} dramas ({min(years)}–{max(years)}) and"
        f" {_n(len(catalog.tracks))} tracks** by {_n(len(catalog.artists))} artists."
    )


def figures(catalog: Catalog) -> str:
    """The full block of docs/catalog.md (markdown, without the markers)."""
    dramas = catalog.dramas
    lines = [
        headline(catalog),
        "",
        "| aired | dramas | tracks |",
        "|---|---|---|",
    ]
    for lo, hi in SPANS:
        inside = {d.title for d in dramas.values() if lo <= d.year <= hi}
        tracks = sum(1 for t in catalog.tracks if t.drama in inside)
        span = str(lo) if lo == hi else f"{lo}–{hi}"
        lines.append(f"| {span} | {len(inside)} | {_n(tracks)} |")
    networks = Counter(d.network for d in dramas.values())
    kinds = {name: tag.kind for name, tag in catalog.vocabulary.tags.items()}
    moods = Counter(tag for t in catalog.tracks for tag in t.tags if kinds[tag] == "mood")
    forms = Counter(tag for t in catalog.tracks for tag in t.tags if kinds[tag] == "form")
    hangul = [t for t in catalog.tracks if has_hangul(t.title)]
    english = sum(1 for t in hangul if t.title_en)
    voiced = sum(1 for a in catalog.artists.values() if a.voice)
    index = CatalogIndex(catalog)
    voices = Counter(
        name for flags in index.flags for i, name in enumerate(TRACK_VOICES) if flags >> i & 1
    )
    sung = sum(1 for i, flags in enumerate(index.flags) if flags & 3)  # female or male
    kinds_of_signal = Counter(s.signal.replace("_", " ") for s in catalog.signals)
    signalled = len({s.key for s in catalog.signals})
    lines += [
        "",
        f"By network: {_counts(networks.most_common())}.",
        f"Tracks by mood: {_counts(moods.most_common())}.",
        "",
        f"- **English titles**: {_n(len(hangul))} tracks are titled in Hangul; {english} of"
        " them have an official English title (`title_en`), the others say in their notes that"
        " no source showed one.",
        f"- **Voice**: {voiced} of {_n(len(catalog.artists))} artists have a sourced voice;"
        f" {_n(sung)} tracks are all-female or all-male ({_counts(voices.most_common())}).",
        f"- **Popularity**: {len(catalog.signals)} sourced signals on {signalled} tracks"
        f" ({_counts(kinds_of_signal.most_common())}).",
        f"- **Form**: {_counts(forms.most_common())}.",
    ]
    return "\n".join(lines)


def block(text: str, begin: str = BEGIN, end: str = END) -> str:
    """What a document holds between the markers, without them ("" when they are missing)."""
    if begin not in text or end not in text:
        return ""
    return text.split(begin, 1)[1].split(end, 1)[0].strip("\n")


def blocks(catalog: Catalog) -> list[tuple[Path, str, str, str]]:
    """Every generated block: (document, begin marker, end marker, what belongs between)."""
    return [
        (CATALOG_DOC, BEGIN, END, figures(catalog)),
        (README, HEADLINE_BEGIN, HEADLINE_END, headline(catalog)),
    ]


def main(argv: list[str]) -> int:
    catalog = load_catalog()
    if argv[1:] != ["--write"]:
        print(figures(catalog))
        return 0
    for path, begin, end, text in blocks(catalog):
        document = path.read_text(encoding="utf-8")
        if begin not in document or end not in document:
            print(f"{path.name}: no figures markers ({begin} ... {end})", file=sys.stderr)
            return 1
        head, rest = document.split(begin, 1)
        tail = rest.split(end, 1)[1]
        path.write_text(f"{head}{begin}\n{text}\n{end}{tail}", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
