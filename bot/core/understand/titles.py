"""Song titles in a message: when words are the song of that title (quoted, pinned by an
artist or drama beside it, after "like", in a look-up), and a word of a title said as such
("with snow in the title", "제목에 눈"), set aside first so that it is no mood.
"""

from __future__ import annotations

from bot.core.text import has_hangul, norm, squash
from bot.core.understand.said import Mention
from bot.core.understand.state import _State

# Lexicon meanings that judge a song pointed at ("the 2nd one is beautiful"): a title said alone
# ("Beautiful") is still the title.
JUDGING = ("praise", "pan")


class _Titles(_State):
    """Song titles said, and a word of a title said as such."""

    def _title_word(self) -> None:
        """ "the goblin song with snow in the title", "제목에 눈 들어간 노래": a word of the
        title, kept as said (it is no mood: "snow" here is not winter)."""
        intents = self.p.lex.intents
        words = self.words
        if not self.p.title_triggers.intersection(words):
            return
        n = len(words)
        for i in range(n):
            for phrase in intents.title_after:
                size = len(phrase.split())
                if " ".join(words[i : i + size]) != phrase or i == 0:
                    continue
                start = i - 1
                while start > max(0, i - 3) and words[start - 1] not in intents.title_before:
                    start -= 1
                if start > 0 and words[start - 1] in intents.title_before:
                    self._said_title_word(start, i, start - 1, i + size)
                    return
                self._said_title_word(i - 1, i, i - 1, i + size)
                return
            for phrase in intents.title_lead:
                size = len(phrase.split())
                if " ".join(words[i : i + size]) != phrase or i + size >= n:
                    continue
                end = i + size + 1
                while end < min(n, i + size + 3) and not self.msg.tokens[end - 1].brk:
                    if words[end] in self.p.lex.names.cue_before:
                        break
                    end += 1
                self._said_title_word(i + size, end, i, end)
                return
        self._title_word_ko()

    def _title_word_ko(self) -> None:
        intents = self.p.lex.intents
        words = self.words
        for i, w in enumerate(words[:-1]):
            if w not in intents.title_ko:
                continue
            parts: list[str] = []
            end = i + 1
            while end < min(len(words), i + 4):
                w = words[end]
                if parts and w.startswith((*intents.title_end_ko, *intents.list_songs)):
                    break
                end += 1
                cut = next((x for x in intents.title_end_ko if w.endswith(x) and w != x), "")
                parts.append(w[: len(w) - len(cut)])
                if cut:
                    break
            word = "".join(parts)
            if word:
                bare = [
                    word[: -len(x)]
                    for x in self.p.lex.names.particles_ko
                    if word.endswith(x) and len(word) > len(x)
                ]
                self.said.title_words = (word, *bare)
                self.take(i, end)
            return

    def _said_title_word(self, a: int, b: int, first: int, last: int) -> None:
        """Words a..b-1 are the word of the title; first..last-1 say so ("with ... title")."""
        if a >= b:
            return
        self.said.title_words = (" ".join(self.words[a:b]),)
        self.take(first, last)

    def _title_wanted(
        self, i: int, j: int, key: str, cued: bool, kind: str, name_key: str | None
    ) -> bool:
        """Whether words i..j-1 mean the song of that title."""
        words = self.words
        before = words[i - 1] if i > 0 else ""
        sentiment = any(m in ("like", "dislike") for m in self.meaning_at.get(i - 1, ()))
        quoted = all(t.quoted for t in self.msg.tokens[i:j])
        if quoted or (self.msg.named(i, j) and (name_key is None or self.lookup or self.similar)):
            return True
        the_song = before in ("called", "titled") or (
            before in ("song", "track") and i >= 2 and words[i - 2] in ("the", "a")
        )
        if self.lookup or the_song:
            return True
        # An everyday word as a title after "like" only written as a title: "like Something",
        # not "like, something sad?".
        plain = j - i == 1 and self.p.is_word(key) and not self.msg.tokens[i].capital
        if (
            before in self.p.lex.similar
            and not sentiment
            and not plain
            and i - 1 not in self.sentiment
            and i - 1 not in self.verb_like
        ):
            return True
        flat = self.msg.flat
        after = flat.text[flat.starts[j] :] if j < len(words) else ""
        if any(after.startswith(x) for x in self.p.similar_keys):
            return True
        if (
            before in self.p.lex.similar_joiner
            and i > 1
            and words[i - 2] in self.p.lex.similar
            and i - 2 not in self.verb_like
        ):
            return True
        # Pinned by an artist or drama beside it: "Flower by Yoon Mi-rae", "My Eyes 10cm",
        # "Beautiful ost crush" (though Beautiful Days is a drama).
        if self._pinned(i, j, key):
            return True
        if name_key is not None and cued and kind:
            return False  # "Once Again OST": the drama
        if name_key is not None:
            return False  # a drama or an artist by the same name: the name, unless asked
        # The title is the whole message ("Stay With Me", "Paradise song"); a one-word title
        # that is an everyday word only when written like one ("Paradise", not "something").
        said_else = [m for m in self.p.table.get(key, ()) if m not in JUDGING]
        if not self._bare(i, j) or said_else:
            return False
        if j - i == 1 and (self.p.is_word(key) or key in self.p.quiet):
            return self.msg.tokens[i].capital and key not in self.p.quiet
        return True

    def _pinned(self, i: int, j: int, key: str) -> bool:
        """An artist or a drama of one of the songs so titled is named right beside it."""
        index = self.p.index
        ids = index.titles.get(key) or ()
        words = self.words
        # Cue words may stand between: "Flower by Yoon Mi-rae", "Beautiful ost crush".
        joiners = self.p.joiners
        spans = []
        k = j
        while k < min(len(words), j + 2) and words[k] in joiners:
            k += 1
        for size in range(min(5, len(words) - k), 0, -1):
            spans.append(" ".join(words[k : k + size]))
        k = i
        while k > max(0, i - 2) and words[k - 1] in joiners | self.p.lex.references.determiners:
            k -= 1
        for size in range(min(5, k), 0, -1):
            spans.append(" ".join(words[k - size : k]))
        flat_after = self.msg.flat.text[
            self.msg.flat.starts[j] if j < len(words) else len(self.msg.flat.text) :
        ]
        flat_before = self.msg.flat.text[: self.msg.flat.starts[i]]
        pinned = []
        for t in ids:
            tr = index.tracks[t]
            forms = self._forms(tr.artist, tr.drama)
            if any(s in forms for s in spans) or any(
                f and (flat_after.startswith(f) or flat_before.endswith(f)) for f in forms
            ):
                pinned.append(t)
        self.said.pinned += [t for t in pinned if t not in self.said.pinned]
        return bool(pinned)

    def _forms(self, credit: str, drama: str) -> set[str]:
        index = self.p.index
        out: set[str] = set(self.p.latin_names(drama))
        for act in index.credit(credit):
            out.add(norm(act))
            out.update(self.p.latin_names(act))
            a = index.artists.get(act)
            if a:
                out.update(norm(x) for x in a.aliases)
                if a.name_ko:
                    out.add(squash(a.name_ko))
        d = index.dramas.get(drama)
        if d:
            out.add(norm(d.title))
            out.update(norm(x) for x in d.aliases if not has_hangul(x))
            out.update(squash(x) for x in (d.title_ko, *d.aliases) if has_hangul(x))
        out.add(norm(credit))
        return {f for f in out if f}

    def _similar_cue(self, i: int, j: int) -> bool:
        """ "like X", "similar to X", "X 같은": the title is the seed of songs like it."""
        words = self.words
        lex = self.p.lex
        k = i - 1
        if k >= 0 and words[k] in lex.similar_joiner:
            k -= 1
        if k >= 0 and words[k] in lex.similar and k not in self.sentiment | self.verb_like:
            return True
        flat = self.msg.flat
        after = flat.text[flat.starts[j] :] if j < len(words) else ""
        return any(after.startswith(x) for x in self.p.similar_keys)

    def _add_title(self, i: int, j: int, key: str, ids: list[int], similar: bool = False) -> None:
        self.said.title = self.said.title or key
        for t in ids:
            if t not in self.said.titles:
                self.said.titles.append(t)
        self.mentions.append(
            Mention("title", tuple(ids), i, j - 1, cue="similar" if similar else "")
        )
        self.take(i, j)
        if similar:
            k = i - 1
            while k >= 0 and self.words[k] in (*self.p.lex.similar, *self.p.lex.similar_joiner):
                self.used[k] = True
                k -= 1
