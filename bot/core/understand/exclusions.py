"""Exclusions: an English "not / no / without / except / anything but" excludes what follows
to the end of its clause; a Korean "안" the next thing, "말고 / 빼고 / 아닌 / 없이 / 제외" the
nearest thing said before it.
"""

from __future__ import annotations

from bot.core.understand.state import _State


class _Exclusions(_State):
    """What each exclusion covers."""

    # ---------------------------------------------------------------- negation

    def _negation(self) -> None:
        """Mark what each exclusion covers."""
        lex = self.p.lex.negation
        content = list(self.mentions)
        if not content:
            return
        # English: from the negator to the end of its clause.
        starts = [
            i
            for i, meaning in self.marks
            if meaning == "neg"
            and not (i + 1 < len(self.words) and self.words[i + 1] in ("there", "you", "it"))
        ]
        for start in starts:
            while "neg" in self.meaning_at.get(start + 1, ()):
                start += 1  # "anything but": the scope starts after the whole phrase
            end = len(self.words)
            for k in range(start, len(self.words)):
                if k > start and self.words[k] in lex.clause_end and self._not_neg_word(k):
                    end = k
                    break
                if self.msg.tokens[k].brk:
                    end = k + 1
                    break
            for m in content:
                if start < m.first < end or (m.first == start and m.at > 0):
                    m.negated = True
        # Korean "안 슬픈": the next thing.
        for start in self.neg_before_ko:
            following = [m for m in content if m.first in (start + 1, start + 2)]
            if following:
                min(following, key=lambda m: m.pos).negated = True
        # Korean "말고": the nearest thing said before.
        flat = self.msg.flat
        for at in self.neg_after:
            word = flat.owner[at]
            before = [m for m in content if (m.first, m.at) < (word, at) and m.kind != "emoji"]
            before = [m for m in before if m.first <= word]
            if before:
                target = max(before, key=lambda m: (m.last, m.at))
                target.negated = True

    def _not_neg_word(self, k: int) -> bool:
        """ "but not": "but" starts the exclusion rather than ending it."""
        nxt = self.words[k + 1] if k + 1 < len(self.words) else ""
        return not (self.words[k] == "but" and nxt in ("not", "no", "without"))
