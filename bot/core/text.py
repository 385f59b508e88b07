"""Text normalisation shared by the catalog index and the request parser."""

from __future__ import annotations

import re
import unicodedata

# Messages are read up to this many characters; the rest of a 100 kB paste is ignored.
MAX_INPUT_CHARS = 500

_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_LATIN = re.compile(r"[A-Za-z]")
_APOSTROPHES = re.compile(r"['’‘`´]")
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_SPACES = re.compile(r"\s+")


def has_hangul(text: str) -> bool:
    return _HANGUL.search(text) is not None


def has_latin(text: str) -> bool:
    return _LATIN.search(text) is not None


def clean_input(text: str) -> tuple[str, bool]:
    """Strip control and format characters and cap the length.

    Returns the cleaned text and whether it was truncated.
    """
    text = unicodedata.normalize("NFKC", text)
    kept = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat[0] == "C":  # control, format, surrogate, private use, unassigned
            kept.append(" " if ch in "\t\n\r" else "")
        else:
            kept.append(ch)
    cleaned = _SPACES.sub(" ", "".join(kept)).strip()
    truncated = len(cleaned) > MAX_INPUT_CHARS
    return cleaned[:MAX_INPUT_CHARS], truncated


def parse_int(text: str) -> int | None:
    """The whole number in `text` as `int()` reads it, or None when it is not one.

    `str.isdigit()` is no test for this: it accepts superscripts and other numerals ("²", "❶",
    "፩") that `int()` refuses. Asking `int()` itself is the only check that always agrees.
    """
    try:
        return int(text)
    except ValueError:  # not a number, or more digits than int() will read
        return None


def norm(text: str) -> str:
    """Fold a name or message for matching: case, width, punctuation and spacing.

    "Guardian: The Lonely and Great God" -> "guardian the lonely and great god";
    "It's Okay" -> "its okay"; "Twenty-Five Twenty-One" -> "twenty five twenty one".
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _APOSTROPHES.sub("", text)
    text = _NON_WORD.sub(" ", text).replace("_", " ")
    return _SPACES.sub(" ", text).strip()


def squash(text: str) -> str:
    """`norm` without spaces: Korean names are often written with or without them."""
    return norm(text).replace(" ", "")


def shorten(text: str, limit: int) -> str:
    """Cut text to `limit` characters with an ellipsis, for echoing user input back."""
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"
