"""The state of one message being read (`_State`), which every reading step builds on.

A message is read by one object, `_Reading` (reading.py), made of one class per feature
(titles, names, korean, moods, numbers, typos, exclusions, signals, smalltalk, constraints);
each extends `_State`, or the feature whose steps it calls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.text import has_hangul
from bot.core.tokens import Message
from bot.core.understand.said import Mention, Said

if TYPE_CHECKING:
    from bot.core.understand.parser import Parser


class _State:
    """What a message being read has so far: its words, which of them are claimed and what
    they were found to be; and the few steps every feature's reading uses (claiming words,
    recording what the lexicon says of them)."""

    # Set for each message by `_Reading.run` and `_pre_signals`; read by the steps.
    digit: list[bool]
    known: list[bool]
    typo: list[bool]
    sentiment: set[int]

    def __init__(self, parser: Parser, msg: Message, said: Said, prefer: str) -> None:
        self.p = parser
        self.msg = msg
        self.said = said
        self.prefer = prefer
        self.words = msg.words
        self.used = [False] * len(msg.tokens)
        self.marks: list[tuple[int, str]] = []  # (word, lexicon meaning), for scope
        self.mentions: list[Mention] = []
        self.neg_after: list[int] = []  # flat offsets of Korean "말고"
        self.neg_before_ko: list[int] = []
        self.similar_at: list[int] = []  # flat offsets of Korean "같은", "느낌"
        self.meaning_at: dict[int, list[str]] = {}  # word -> what the lexicon read it as
        self.lookup = False
        self.similar = False
        self.verb_like: set[int] = set()  # "like" as a verb ("I would like"), word positions

    def free(self, i: int, j: int) -> bool:
        return not any(self.used[i:j])

    def take(self, i: int, j: int) -> None:
        for k in range(i, j):
            self.used[k] = True
        flat = self.msg.flat
        if i < len(flat.starts):
            a = flat.starts[i]
            b = flat.starts[j] if j < len(flat.starts) else len(flat.text)
            flat.claim(a, b)

    def _use_words(self, a: int, b: int) -> None:
        """Words wholly inside characters a..b-1 are used."""
        flat = self.msg.flat
        first, last = flat.token_span(a, b)
        for t in range(first, last + 1):
            start = flat.starts[t]
            end = flat.starts[t + 1] if t + 1 < len(flat.starts) else len(flat.text)
            if a <= start and end <= b:
                self.used[t] = True

    def _meanings(self, i: int, j: int, meanings: list[str]) -> None:
        said = self.said
        content = [m for m in meanings if m.split(":")[0] in ("tag", "occ", "era", "pop")]
        # "like" as a song title cue ("like Stay With Me") is read with titles; here it is
        # a signal only.
        if meanings == ["this"] and j - i == 1 and not self._points(i):
            meanings = []  # "songs that would...": a relative pronoun, not "that one"
        if {"like", "dislike"} & set(meanings) and self.words[j - 1] in self.p.lex.references.this:
            said.signals.add("this")  # "love it", "hate this": a song pointed at
        for meaning in meanings:
            said.signals.add(meaning)
            head, _, rest = meaning.partition(":")
            if head == "talk":
                said.smalltalk.append(rest)
            elif head == "ord":
                said.refs.append(int(rest))
            elif head == "browse":
                said.signals.add("browse")
            self.marks.append((i, meaning))
            for k in range(i, j):
                self.meaning_at.setdefault(k, []).append(meaning)
        for meaning in content:
            head, _, rest = meaning.partition(":")
            if head == "tag":
                self.mentions.append(Mention("tag", rest, i, j - 1))
            elif head == "occ":
                self.mentions.append(Mention("occasion", rest, i, j - 1))
            elif head == "era":
                self.mentions.append(Mention("era", rest, i, j - 1))
            elif head == "pop":
                self.mentions.append(Mention("popularity", rest, i, j - 1))
        self.take(i, j)

    def _points(self, i: int) -> bool:
        """Whether a lone "this", "that" or "it" points at a song: after a like or a
        dislike ("love it"), after "like" ("more like that"), or ending the message."""
        prev = self.words[i - 1] if i > 0 else ""
        return (
            i - 1 in self.sentiment
            or prev in self.p.lex.similar
            or prev in ("than", "about")
            or i == len(self.words) - 1
        )

    def _bare(self, i: int, j: int) -> bool:
        """Words i..j-1 are the whole message, give or take "the", "song", "ost"."""
        bare, bare_ko = self.p.lex.bare, self.p.lex.bare_ko
        # "Punch 노래": a Latin name, a Korean song word
        latin = not any(has_hangul(w) for w in self.words[i:j])
        return all(
            w in bare or (latin and w in bare_ko)
            for n, w in enumerate(self.words)
            if not i <= n < j
        )
