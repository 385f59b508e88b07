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
# What must not reach a terminal from catalog or user text: ANSI escape sequences (colours,
# cursor moves, window titles, hyperlinks), C0/C1 control characters other than the newline,
# bidirectional overrides and isolates (they reorder what the reader sees), lone surrogates.
_ESCAPE_SEQUENCES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, erasing
    r"|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC, DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]"  # the other escape sequences
)
_TERMINAL_UNSAFE = re.compile(
    r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def has_hangul(text: str) -> bool:
    return _HANGUL.search(text) is not None


def has_latin(text: str) -> bool:
    return _LATIN.search(text) is not None


def clean_input(text: str) -> tuple[str, bool]:
    """Strip control and format characters and cap the length.

    Returns the cleaned text and whether it was truncated.
    """
    if text.isascii() and text.isprintable():  # most messages: nothing to strip but spaces
        cleaned = " ".join(text.split())
        return cleaned[:MAX_INPUT_CHARS], len(cleaned) > MAX_INPUT_CHARS
    return _clean_input(text)


def _clean_input(text: str) -> tuple[str, bool]:
    """`clean_input` for any text (the path above gives the same answers, faster)."""
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


# `norm` of ASCII text in one pass in C: apostrophes dropped, anything but a letter or a digit
# a space (then runs of spaces made one by split/join). Most names and messages are ASCII.
_ASCII_FOLD = str.maketrans(
    {
        **{chr(c): " " for c in range(128) if not chr(c).isalnum()},
        **dict.fromkeys("'`"),
    }
)


def norm(text: str) -> str:
    """Fold a name or message for matching: case, width, punctuation and spacing.

    "Guardian: The Lonely and Great God" -> "guardian the lonely and great god";
    "It's Okay" -> "its okay"; "Twenty-Five Twenty-One" -> "twenty five twenty one".
    """
    if text.isascii():
        return " ".join(text.lower().translate(_ASCII_FOLD).split())
    return _norm(text)


def _norm(text: str) -> str:
    """`norm` for any text (the ASCII path above gives the same answers, faster)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _APOSTROPHES.sub("", text)
    text = _NON_WORD.sub(" ", text).replace("_", " ")
    return _SPACES.sub(" ", text).strip()


# Emoji are compared without variation selectors and zero-width joiners: "❤️‍🩹" arrives as
# "❤️🩹" once clean_input has removed the joiner (a format character).
_EMOJI_GLUE = re.compile("[\ufe0e\ufe0f\u200d]")


def emoji_key(text: str) -> str:
    """How emoji are compared: the same picture with or without its invisible glue."""
    return _EMOJI_GLUE.sub("", text)


def squash(text: str) -> str:
    """`norm` without spaces: Korean names are often written with or without them."""
    return norm(text).replace(" ", "")


def shorten(text: str, limit: int) -> str:
    """Cut text to `limit` characters with an ellipsis, for echoing user input back."""
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


def terminal_safe(text: str) -> str:
    """Text that cannot drive the terminal it is printed on: escape sequences, control
    characters (newlines excepted; a tab becomes a space) and bidi overrides removed."""
    text = _ESCAPE_SEQUENCES.sub("", text).replace("\t", " ")
    return _TERMINAL_UNSAFE.sub("", text)


def escape_for_terminal(json_text: str) -> str:
    """JSON text with every character terminal_safe removes written as a \\u escape: the same
    strings to a JSON reader, nothing a terminal would act on."""
    return _TERMINAL_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json_text)
