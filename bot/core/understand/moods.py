"""Moods and occasions beyond the words listed for them: emoji, compared ("sadder") and
inflected ("snows", "crying") forms, a mood's feel (겨울 느낌), a mood moved ("more upbeat",
"덜 신나는"), and the time after an occasion ("after the party", 회식 끝나고).
"""

from __future__ import annotations

from bot.core.text import emoji_key
from bot.core.understand.said import Mention
from bot.core.understand.state import _State

# Endings tried on a word no list has, for its mood or occasion ("snows", "crying").
INFLECTIONS = ("ing", "es", "ed", "s")


class _Moods(_State):
    """Moods and occasions in other forms than the lists have them."""

    def _a_feel(self) -> None:
        """ "겨울 느낌으로요", "설레는 느낌": a mood's feel is that mood, not songs like the
        one shown; "Stay With Me 같은 노래" and "비슷한 거" stay songs like one."""
        flat = self.msg.flat
        for at in self.similar_at:
            word = flat.owner[at]
            before = [m for m in self.mentions if (m.last, m.at) < (word, at) or m.last < word]
            if not before:
                continue
            nearest = max(before, key=lambda m: (m.last, m.at))
            if nearest.kind in ("tag", "occasion") and nearest.last >= word - 1:
                self.said.signals.discard("similar_ko")

    def _aftermath(self) -> None:
        """ "after the party", "회식 끝나고": the time after an occasion is not the occasion;
        it is what occasions.toml says comes after (winding down), or, where it says nothing
        (a breakup, a tiring day), the occasion itself."""
        lex, words = self.p.lex, self.words
        items = self.p.occasions.items
        for m in self.mentions:
            if m.kind != "occasion" or not items[str(m.value)].after or m.last >= len(words):
                continue  # an emoji (said after the words) has no "after"
            k = m.first - 1
            while k >= 0 and words[k] in lex.aftermath_between:
                k -= 1
            if k >= 0 and words[k] in lex.aftermath and not self.used[k]:
                self.used[k] = True
            else:
                nxt = words[m.last + 1] if m.last + 1 < len(words) else ""
                own = words[m.last]
                if not (
                    nxt.startswith(lex.aftermath_ko) or any(x in own[1:] for x in lex.aftermath_ko)
                ):
                    continue
            m.value = items[str(m.value)].after

    # ---------------------------------------------------------------- emoji

    def _emoji(self) -> None:
        text = emoji_key(self.msg.text)
        p = self.p
        if not p.emoji_chars.intersection(text):
            return
        for e in p.emoji_by_length:
            count = text.count(e)
            if not count:
                continue
            text = text.replace(e, " ")
            for meaning in p.emoji[e]:
                head, _, rest = meaning.partition(":")
                self.said.signals.add(meaning if head not in ("tag", "occ") else "emoji")
                if head == "tag":
                    self.mentions.append(Mention("tag", rest, len(self.words), len(self.words)))
                elif head == "occ":
                    self.mentions.append(
                        Mention("occasion", rest, len(self.words), len(self.words))
                    )

    def _inflections(self) -> None:
        """ "sadder", "calmest", "happier": a mood compared."""
        phrases = self.p.phrases
        for i, w in enumerate(self.words):
            if self.used[i] or len(w) < 5 or not w.isalpha():
                continue
            for ending, relative in (("est", 0), ("er", 1)):
                if not w.endswith(ending):
                    continue
                stem = w[: -len(ending)]
                for cand in (stem, stem[:-1], stem + "e", stem[:-1] + "y"):
                    tag = phrases.get(cand)
                    if tag is None or len(cand) < 3:
                        continue
                    self.mentions.append(Mention("tag", tag, i, i, relative=relative))
                    self.take(i, i + 1)
                    if relative:
                        self.said.signals.add("comparative")
                    break
                if self.used[i]:
                    break
        self._plain_inflections()

    def _plain_inflections(self) -> None:
        """ "when it snows", "it rains", "snowed in", "crying": a mood or an occasion word
        with an -s, -ed or -ing it is not listed with."""
        table = self.p.table
        for i, w in enumerate(self.words):
            if self.used[i] or len(w) < 4 or not w.isalpha() or w in table:
                continue
            for ending in INFLECTIONS:
                if not w.endswith(ending) or len(w) - len(ending) < 3:
                    continue
                stem = w[: -len(ending)]
                for cand in (stem, stem + "e", stem[:-1]):
                    meanings = [m for m in table.get(cand, ()) if m.startswith(("tag:", "occ:"))]
                    if meanings:
                        self._meanings(i, i + 1, meanings)
                        break
                if self.used[i]:
                    break

    def _relative(self) -> None:
        """ "more upbeat", "less sad", "더 슬픈", "덜 신나는": a mood moved, not just named."""
        more = {k for k, ms in self.meaning_at.items() if "op:more_of" in ms}
        less = {k for k, ms in self.meaning_at.items() if "op:less_of" in ms}
        for m in self.mentions:
            if m.kind != "tag":
                continue
            if m.first - 1 in more or (m.first in more and m.at > 0):
                m.relative = 1
            elif m.first - 1 in less or (m.first in less and m.at > 0):
                m.relative = -1
        if less or more:
            self.said.signals.add("comparative")
