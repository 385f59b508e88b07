"""A message as words: what the parser matches names, moods and small words against.

Each word keeps what matching needs besides its folded form: how it was typed (a capital in
mid-sentence is a cue that it is a name), whether it was quoted, and whether punctuation follows
it (where an exclusion such as "no ballads, something upbeat" stops). Korean is also read
with the spaces taken out (`Flat`), since people write 사랑의불시착 and 사랑의 불시착 alike;
every character there still knows which word it came from.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise, product

from bot.core.text import has_hangul

_APOSTROPHES = re.compile(r"['’‘`´]")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Within a word, Hangul and the rest apart: "goblin에서" is "goblin" + "에서", and "도깨비ost"
# two words.
_SCRIPT = re.compile(
    r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]+|[^\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]+"
)
# "I", "I'm", "I've": always capitalised, never a name for that.
_PRONOUNS = frozenset({"i", "im", "ive", "id", "ill"})
_QUOTED = re.compile(
    r"(?:(?<=^)|(?<=[\s(]))['\"‘“«「](?P<inner>[^'\"’”»」]{2,80}?)['\"’”»」](?=$|[\s?!.,:;)])"
)
_BREAKS = frozenset(",.!?;:~…()[]|")
# A letter said again and again ("hiii", "sooo", "thxx"), or a syllable ("hahahaha").
_RUN = re.compile(r"([a-z])\1+")
_REPEATED_PAIR = re.compile(r"([a-z]{2})\1{2,}")
MAX_RUNS = 4  # runs of letters tried per word (2**4 spellings at most)


@dataclass(slots=True)
class Token:
    text: str  # folded: lower case, no apostrophes ("What's" -> "whats")
    raw: str  # as typed
    start: int  # where it starts in the message
    end: int
    brk: bool = False  # punctuation between this word and the next
    quoted: bool = False
    hashed: bool = False  # written "#2"
    possessive: bool = False  # written "Goblin's": the name is the word less its s

    @property
    def capital(self) -> bool:
        return self.raw[:1].isupper()

    @property
    def hangul(self) -> bool:
        return has_hangul(self.text)


@dataclass
class Message:
    text: str
    tokens: list[Token]
    shouting: bool  # written all in capitals: capitals say nothing then
    flat: Flat = field(init=False)

    def __post_init__(self) -> None:
        self.flat = Flat(self.tokens)

    @property
    def words(self) -> list[str]:
        return [t.text for t in self.tokens]

    def sentence_start(self, i: int) -> bool:
        """Whether word i begins the message or a sentence (a capital there says nothing)."""
        if i == 0:
            return True
        gap = self.text[self.tokens[i - 1].end : self.tokens[i].start]
        return any(ch in ".!?" for ch in gap)

    def named(self, i: int, j: int) -> bool:
        """Words i..j-1 are written like a name: quoted, or capitalised in mid-sentence."""
        toks = self.tokens[i:j]
        if toks and all(t.quoted for t in toks):
            return True
        if self.shouting or not toks:
            return False
        first = toks[0]
        if not first.capital or first.hangul or self.sentence_start(i):
            return False
        if len(toks) == 1 and first.text in _PRONOUNS:
            return False
        # "Stay With Me", "Crash Landing on You": capitals, small words allowed inside.
        return all(t.capital or t.text.isdigit() or len(t.text) <= 3 for t in toks)


def unstretch(word: str, known: Callable[[str], int]) -> str | None:
    """The word a stretched one stands for: "hiii" hi, "heyyy" hey, "thxx" thx, "sooo" so,
    "goood" good, "hahahaha" haha; None when it is no stretched word.

    `known` ranks a spelling: 2 for a word that means something to the parser (or a name), 1
    for an everyday word, 0 for none. A spelling is taken only when it ranks above the word as
    written; a letter doubled at the end counts only for a word that ranks 0 ("thxx", but not
    "soo"). Each run of a letter is tried at two letters, then at one (so "goood" is good, not
    god); a syllable said three times or more is tried twice and three times (haha, hahaha).
    """
    rank = known(word)
    if rank >= 2:
        return None
    candidates: list[str] = []
    pair = _REPEATED_PAIR.fullmatch(word)
    if pair:
        candidates += [pair.group(1) * 2, pair.group(1) * 3]
    runs = [m for m in _RUN.finditer(word) if len(m.group()) >= 3 or m.end() == len(word)]
    if not any(len(m.group()) >= 3 for m in runs) and rank:
        runs = []
    if 0 < len(runs) <= MAX_RUNS:
        # Two letters for every run first, then every mix of two and one, fewest letters last.
        choices = [(min(2, len(m.group())), 1) for m in runs]
        for sizes in sorted(product(*choices), key=lambda s: -sum(s)):
            out, at = [], 0
            for m, size in zip(runs, sizes, strict=True):
                out += [word[at : m.start()], m.group(1) * size]
                at = m.end()
            candidates.append("".join(out) + word[at:])
    best, best_rank = None, rank
    for candidate in dict.fromkeys(c for c in candidates if c != word):
        found = known(candidate)
        if found > best_rank:
            best, best_rank = candidate, found
            if found >= 2:
                break
    return best


def tokenize(
    text: str,
    shorthand: Mapping[str, str] | None = None,
    known: Callable[[str], int] | None = None,
) -> Message:
    """The message as words; `shorthand` spellings ("u") read as what they stand for, and,
    given what words are `known`, a stretched word ("hiii", "thxx") as the one it stretches."""
    text = unicodedata.normalize("NFKC", text)
    quoted = [(m.start("inner"), m.end("inner")) for m in _QUOTED.finditer(text)]
    plain = _APOSTROPHES.sub(" ", text)  # keeps offsets: one character for one
    tokens: list[Token] = []
    for whole in _WORD.finditer(plain):
        for m in _SCRIPT.finditer(whole.group()):
            raw = m.group()
            start = whole.start() + m.start()
            tokens.append(
                Token(
                    text=raw.casefold(),
                    raw=raw,
                    start=start,
                    end=start + len(raw),
                    quoted=any(a <= start and start + len(raw) <= b for a, b in quoted),
                    hashed=start > 0 and text[start - 1] == "#",
                )
            )
    # Rejoin what an apostrophe split inside a word: "what's" -> "whats", "can't" -> "cant".
    joined: list[Token] = []
    for tok in tokens:
        prev = joined[-1] if joined else None
        if (
            prev is not None
            and prev.end + 1 == tok.start
            and _APOSTROPHES.match(text[prev.end])
            and not tok.quoted
            and not (prev.quoted and not tok.quoted)
            and tok.text in {"s", "t", "re", "ll", "ve", "d", "m"}
        ):
            joined[-1] = Token(
                prev.text + tok.text,
                prev.raw + tok.raw,
                prev.start,
                tok.end,
                quoted=prev.quoted,
                possessive=tok.text == "s",
            )
        else:
            joined.append(tok)
    for tok in joined:
        stretched = _RUN.search(tok.text) or _REPEATED_PAIR.fullmatch(tok.text)
        if known is not None and tok.text.isascii() and stretched:
            tok.text = unstretch(tok.text, known) or tok.text
        if shorthand and tok.text in shorthand:
            tok.text = shorthand[tok.text]
    for a, b in pairwise(joined):
        gap = text[a.end : b.start]
        a.brk = any(ch in _BREAKS for ch in gap)
    if joined:
        joined[-1].brk = True
    letters = [ch for ch in text if ch.isascii() and ch.isalpha()]
    shouting = len(letters) >= 4 and all(ch.isupper() for ch in letters)
    return Message(text, joined, shouting)


class Flat:
    """The message's words joined without spaces, each character pointing back to its word."""

    def __init__(self, tokens: list[Token]) -> None:
        chars: list[str] = []
        owner: list[int] = []
        self.starts: list[int] = []
        for i, tok in enumerate(tokens):
            self.starts.append(len(chars))
            chars.extend(tok.text)
            owner.extend([i] * len(tok.text))
        self.text = "".join(chars)
        self.owner = owner
        self.claimed = [False] * len(chars)

    def token_span(self, a: int, b: int) -> tuple[int, int]:
        """The words (first, last inclusive) that characters a..b-1 lie in."""
        return self.owner[a], self.owner[b - 1]

    def word_start(self, a: int) -> bool:
        return a == 0 or self.owner[a - 1] != self.owner[a]

    def word_end(self, b: int) -> bool:
        return b == len(self.text) or self.owner[b] != self.owner[b - 1]

    def free(self, a: int, b: int) -> bool:
        return not any(self.claimed[a:b])

    def claim(self, a: int, b: int) -> None:
        for k in range(a, b):
            self.claimed[k] = True

    def rest_of_word(self, b: int) -> str:
        """The characters after b up to the end of its word."""
        if b >= len(self.text):
            return ""
        end = b
        while end < len(self.text) and self.owner[end] == self.owner[b - 1]:
            end += 1
        return self.text[b:end]

    def find_all(self, key: str) -> list[int]:
        out = []
        start = self.text.find(key)
        while start >= 0:
            out.append(start)
            start = self.text.find(key, start + 1)
        return out
