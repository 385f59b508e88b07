"""The catalog's figures as the README shows them, computed from data/ so they cannot drift.

`python -m bot.ops.figures` prints the block; `python -m bot.ops.figures --write` puts it into
README.md between the markers; tests/test_figures.py fails when the README's block differs
from what data/ gives.
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

README = Path(__file__).resolve().parents[2] / "README.md"
BEGIN = "<!-- catalog figures: python -m bot.ops.figures --write -->"
END = "<!-- end of catalog figures -->"
# Five-year spans, as fans think of the eras; the last one is open.
SPANS = ((2000, 2004), (2005, 2009), (2010, 2014), (2015, 2019), (2020, 2024), (2025, 2025))


def _n(number: int) -> str:
    return f"{number:,}"


def _counts(items: Iterable[tuple[str, int]]) -> str:
    return ", ".join(f"{name} {_n(n)}" for name, n in items)


def figures(catalog: Catalog) -> str:
    """The README block (markdown, without the markers)."""
    dramas = catalog.dramas
    years = [d.year for d in dramas.values()]
    lines = [
        f"**{_n(len(dramas))} dramas ({min(years)}–{max(years)}) and {_n(len(catalog.tracks))}"
        f" tracks** by {_n(len(catalog.artists))} artists.",
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


def block(readme: str) -> str:
    """The figures block of a README's text, without the markers ("" when there is none)."""
    if BEGIN not in readme or END not in readme:
        return ""
    return readme.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n")


def main(argv: list[str]) -> int:
    text = figures(load_catalog())
    if argv[1:] != ["--write"]:
        print(text)
        return 0
    readme = README.read_text(encoding="utf-8")
    if BEGIN not in readme or END not in readme:
        print(f"{README.name}: no figures markers ({BEGIN} ... {END})", file=sys.stderr)
        return 1
    head, rest = readme.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    README.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
