"""Typo tolerance: the edit distance (rapidfuzz, loaded on the first typo), how many edits a
word of a length tolerates, and names bucketed by first letter and length so that a search
tries only a few of them.

The parser's typo tables are here (`_TypoTables`, which `Parser` extends: `near`,
`near_name`, `near_hangul`), used by the reading steps that look for misspelt names (names.py,
korean.py, typos.py).
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from types import ModuleType

from bot.core.index import CatalogIndex, Spaceless, everyday
from bot.core.text import has_hangul


def _fuzzy() -> tuple[ModuleType, ModuleType]:
    """rapidfuzz's search and the edit distance typos are measured in (OSA: a swap of two
    letters is one edit), loaded on the first typo: a message without one never needs it."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    return process, OSA


def _jamo(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# Hangul names bent by typo tolerance: a word of at least 3 syllables on its own (이태원클라스),
# at least 4 across words (호텔 델루마, 사랑의 불시차); never a short everyday word.
HANGUL_NEAR_SINGLE = 3
HANGUL_NEAR_SPAN = 4
HANGUL_NEAR_WORDS = 4  # words a misspelt name may cover
Buckets = dict[tuple[str, int], list[str]]
# Buckets whose names are joined into one string, for names that exist only here (100,000
# short strings cost 50 bytes of header each); split when searched. Names never hold PACK.
PackedBuckets = dict[tuple[str, int], str]
PACK = "\x00"


def _by_length(names: Iterable[str]) -> Buckets:
    """Names by first letter and length: a typo seldom changes the first letter ("goblen",
    "quen of tears"), and k edits change a length by at most k, so a search needs only a
    few of them even in a catalog of a hundred thousand songs."""
    out: Buckets = {}
    for name in names:
        if name:
            out.setdefault((name[0], len(name)), []).append(name)
    return out


def _near(buckets: Buckets | PackedBuckets, text: str, limit: int) -> list[str]:
    """Names that may be within `limit` edits of text (same first letter, near length)."""
    n = len(text)
    first = text[:1]
    out: list[str] = []
    for size in range(n - limit, n + limit + 1):
        names = buckets.get((first, size))
        if names is not None:
            out += names.split(PACK) if isinstance(names, str) else names
    return out


def _packed_by_length(
    names: Sequence[str],
    keep: Callable[[int, str], bool],
    fold: Callable[[str], str] = str,
) -> PackedBuckets:
    """The names kept (`keep(i, folded name)`), folded, by first letter and length as
    `_by_length`, each bucket packed: made a bucket at a time, so that the folded names never
    all exist at once (100,000 short strings made and dropped leave the heap in holes)."""
    places: dict[tuple[str, int], list[int]] = {}
    for i, name in enumerate(names):
        flat = fold(name)
        if flat and keep(i, flat):
            places.setdefault((flat[0], len(flat)), []).append(i)
    return {key: PACK.join(fold(names[i]) for i in ids) for key, ids in places.items()}


def _allowed(text: str) -> int:
    """Edits tolerated for a word of this length."""
    n = len(text)
    return 1 if n <= 8 else 2 if n <= 15 else 3


class _TypoTables:
    """The parser's tables for typos, made on the first typo (a message without one never
    needs them, and they are most of a parser at 100,000 tracks); `Parser` is one of these."""

    # Set by Parser.__init__.
    index: CatalogIndex
    phrases: dict[str, str]
    _fuzzy: dict[str, Buckets | PackedBuckets]

    # ------------------------------------------------------- tables made on first use

    def near(self, kind: str, text: str, limit: int) -> list[str]:
        """Names ("name"), moods ("tag") or titles ("title") long enough that one edit is
        still recognisable and that may be within `limit` edits of text (see _by_length)."""
        buckets = self._fuzzy.get(kind)
        if buckets is None:
            buckets = self._fuzzy[kind] = self._fuzzy_buckets(kind)
        return _near(buckets, text, limit)

    def _fuzzy_buckets(self, kind: str) -> Buckets | PackedBuckets:
        index = self.index
        if kind == "name":  # the index's own strings: no copy of them
            return _by_length(n for n in index.names if len(n) >= 4 and n not in index.ambiguous)
        if kind == "tag":
            return _by_length(p for p in self.phrases if len(p) >= 5 and " " not in p)
        # Titles exist only packed (IdMap): packed here too, so they are not kept twice.
        return _packed_by_length(index.titles.names(), lambda _, t: len(t) >= 6 and not everyday(t))

    @functools.cached_property
    def fuzzy_names(self) -> list[str]:
        """Names for "did you mean" (`suggest`)."""
        index = self.index
        return [n for n in index.names if len(n) >= 4 and n not in index.ambiguous]

    @functools.cached_property
    def by_length(self) -> PackedBuckets:
        """Long names without their spaces (9 letters or more, no everyday word), for names
        misspelt across words ("hotel de luna"); a form two names share counts for the
        first, as in `CatalogIndex.spaceless_names`."""
        index = self.index
        spaceless, ambiguous = index.spaceless_names, index.ambiguous

        def first_long(i: int, flat: str) -> bool:
            name = names[i]
            return len(flat) >= 9 and name not in ambiguous and spaceless.find(flat) == i

        names = spaceless.names()
        return _packed_by_length(names, first_long, Spaceless.fold)

    @functools.cached_property
    def hangul_near(self) -> dict[tuple[str, int], tuple[str, list[str]]]:
        """Hangul names by their first consonant and length, spelt in jamo (packed, see
        PackedBuckets) beside the names: a typo is one jamo off (클라스 for 클라쓰, 불시차
        for 불시착), seldom in the first consonant."""
        names = [k for k in self.index.hangul_names if len(k) >= HANGUL_NEAR_SINGLE]
        places: dict[tuple[str, int], list[int]] = {}
        for i, k in enumerate(names):
            if has_hangul(k):
                places.setdefault((_jamo(k)[0], len(k)), []).append(i)
        # A bucket at a time, so that the names in jamo never all exist at once.
        return {
            key: (PACK.join(_jamo(names[i]) for i in ids), [names[i] for i in ids])
            for key, ids in places.items()
        }

    def near_name(self, squashed: str) -> str | None:
        """A name within an edit or two of a span written out ("hotel de luna", "quen of
        tears"), compared without spaces; only names of about the same length are tried."""
        limit = _allowed(squashed)
        candidates = _near(self.by_length, squashed, limit)
        if not candidates:
            return None
        process, OSA = _fuzzy()
        hit = process.extractOne(squashed, candidates, scorer=OSA.distance, score_cutoff=limit)
        return self.index.spaceless_names.get(str(hit[0])) if hit else None

    def near_hangul(self, text: str) -> str | None:
        """A Hangul name one jamo away from text (two for names of 8 syllables or more),
        of the same first consonant and about the same length."""
        first = _jamo(text[0])[0]
        # One character more or less: a syllable of two jamo, or a digit (김사부 for 김사부3).
        sizes = (len(text) - 1, len(text), len(text) + 1)
        jamos: list[str] = []
        names: list[str] = []
        for n in sizes:
            bucket = self.hangul_near.get((first, n))
            if bucket is not None:
                jamos += bucket[0].split(PACK)
                names += bucket[1]
        if not names:
            return None
        limit = 1 if len(text) < 8 else 2
        process, OSA = _fuzzy()
        hit = process.extractOne(_jamo(text), jamos, scorer=OSA.distance, score_cutoff=limit)
        return names[hit[2]] if hit else None
