"""Signals the conversation reads beside the constraints: a look-up, "like" as a verb, a
like or a dislike, a request of its own, a listing of dramas or moods (and what narrows it),
and follow-up words said only in passing.
"""

from __future__ import annotations

import re

from bot.core.text import has_hangul, parse_int
from bot.core.understand.state import _State


class _Signals(_State):
    """What the message says to the conversation beside its constraints."""

    def _kind_asked(self) -> bool:
        """ "female singer ballads", "여자 가수 발라드": a song noun that says what is asked
        for, with something else asked for beside it, is a request of its own."""
        intents = self.p.lex.intents
        at = {
            i
            for i, w in enumerate(self.words)
            if w in intents.kinds or (has_hangul(w) and w.startswith(intents.kinds_ko))
        }
        return bool(at) and any(
            m.kind != "era" and not set(range(m.first, m.last + 1)) <= at for m in self.mentions
        )

    def _listing(self) -> None:
        """ "2016년 드라마 뭐 있어?", "what moods do you know": a listing of the catalog's
        dramas or moods, when that is what the message names and no song, drama or artist."""
        intents = self.p.lex.intents
        if any(m.kind in ("drama", "artist", "title") for m in self.mentions):
            return

        def says(nouns: tuple[str, ...]) -> bool:
            return any(w in nouns or (has_hangul(w) and w.startswith(nouns)) for w in self.words)

        if says(intents.list_songs):
            return
        for nouns, meaning in ((intents.list_dramas, "dramas"), (intents.list_moods, "moods")):
            if says(nouns):
                self.said.signals.update(("browse", f"browse:{meaning}"))
                return

    def browse_arg(self) -> str:
        """What a listing is narrowed by: a year, a network or genre, a page ("page 2")."""
        out: list[str] = []
        for m in self.mentions:
            if m.kind == "years" and m.value[0] is not None:  # type: ignore[index]
                out.append(str(m.value[0]))  # type: ignore[index]
        words = self.words
        pages = self.p.lex.intents.browse_page
        for i, w in enumerate(words):
            if w.isdigit() and len(w) <= 3 and (i > 0 and words[i - 1] in pages):
                out.append(f"page {w}")
            elif len(w) <= 3 and self.said.count is not None and self.said.count == parse_int(w):
                out.append(f"page {w}")  # "dramas 2": no count of dramas, a page
            page = re.fullmatch(r"(\d{1,3})(?:페이지|쪽|p)", w)
            if page:
                out.append(f"page {page.group(1)}")
        for w in words:
            if w in self.p.genres or (
                w in self.said.unknown and any(n.startswith(w) for n in self.p.networks if n)
            ):
                out.append(w)
        return " ".join(dict.fromkeys(out))

    def _pre_signals(self) -> None:
        """What the whole message is about, needed before names are weighed: a look-up
        ("who sings ...") makes a title a title."""
        text = " " + " ".join(self.words) + " "
        self.lookup = any(f" {p} " in text for p in self.p.lex.intents.lookup) or any(
            k in self.msg.flat.text for k in self.p.lookup_keys
        )
        # "I would like", "feels like": "like" as a verb, or how something feels; "like,"
        # said in passing. No "songs like X".
        not_after = self.p.lex.similar_not_after
        self.verb_like = {
            i
            for i, w in enumerate(self.words)
            if w == "like"
            and (
                (i > 0 and self.words[i - 1] in not_after)
                or (self.msg.tokens[i].brk and i < len(self.words) - 1)
            )
        }
        self.similar = any(
            w in self.p.lex.similar and i not in self.verb_like for i, w in enumerate(self.words)
        ) or any(k in self.msg.flat.text for k in self.p.similar_keys)
        # Where a like or a dislike is said ("I don't like X" is no "like X"), and a "like"
        # that ends the message ("세 번째 like") is one too.
        table = self.p.table
        n = len(self.words)
        self.sentiment: set[int] = set()
        for size in range(min(3, n), 0, -1):
            for i in range(n - size + 1):
                meanings = table.get(" ".join(self.words[i : i + size]), ())
                if "like" in meanings or "dislike" in meanings:
                    self.sentiment.update(range(i, i + size))
        if n > 1 and self.words[-1] == "like":
            self.sentiment.add(n - 1)
            self.said.signals.add("like")

    def _in_passing(self) -> None:
        """ "ugh monday again... need energy", "im bored again, play something": a follow-up
        word inside a message that asks for something of its own is said in passing, not to
        the last request. It counts at the message's start or end ("sad songs again", "one
        more sad song"), or when the message asks for nothing else."""
        if not any(m.kind != "era" for m in self.mentions) and "any" not in self.said.signals:
            return
        talk = self.p.lex.smalltalk
        asides = talk.en["laugh"] | talk.en["ok"]
        words = self.words
        # Small talk is an aside too: "Thank you. Could you also ..." opens with "also".
        aside = [
            w in self.p.quiet
            or w in asides
            or w in talk.hesitation  # "well, what about IU"
            or self.msg.tokens[i].hangul
            or any(m.startswith("talk:") for m in self.meaning_at.get(i, ()))
            for i, w in enumerate(words)
        ]
        ops = ("op:more", "op:markers")
        quiet = [
            a or any(m in ops for m in self.meaning_at.get(k, ())) for k, a in enumerate(aside)
        ]
        # Where the message's first and last words that say something are.
        first = next((k for k, q in enumerate(quiet) if not q), len(words))
        last = next((k for k in range(len(words) - 1, -1, -1) if not quiet[k]), -1)
        for op in ops:
            spans = [self._span_of(i, op) for i, meaning in self.marks if meaning == op]
            if spans and not any(sp.start <= first or sp.stop > last for sp in spans):
                self.said.signals.discard(op)

    def _moods_not_moves(self) -> None:
        """ "잔잔한 노래 추천해줘", "회식 끝나고 조용한 노래 부탁해요": a mood word that is also a
        follow-up word (calm, 잔잔, 조용, 신나) asks for that mood in a message that asks for
        something of its own; "calmer", "더 잔잔하게", "잔잔한 걸로" still move the last one."""
        said = self.said
        if not said.has("request") or said.has("comparative") or said.has("op:markers"):
            return
        for op in ("op:calmer", "op:livelier"):
            places = [i for i, meaning in self.marks if meaning == op]
            if places and all(
                any(m.startswith("tag:") for m in self.meaning_at.get(i, ())) for i in places
            ):
                said.signals.discard(op)

    def _span_of(self, i: int, meaning: str) -> range:
        """The words a lexicon meaning found at word i covers."""
        j = i
        while meaning in self.meaning_at.get(j + 1, ()):
            j += 1
        return range(i, j + 1)
