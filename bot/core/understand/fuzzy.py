"""Typo tolerance: the edit distance (rapidfuzz, loaded on the first typo), how many edits a
word of a length tolerates, and names bucketed by first letter and length so that a search
tries only a few of them.

Shared by the parser's typo tables (`Parser.near`, `near_name`, `near_hangul`) and the
reading steps that look for misspelt names (names.py, korean.py, typos.py).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from types import ModuleType


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
