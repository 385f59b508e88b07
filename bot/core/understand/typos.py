"""Typos of what no other step understood: names, moods and (in a look-up or "like X")
titles within a few edits, never for an everyday word. The matching itself is in fuzzy.py.
"""

from __future__ import annotations

from bot.core.text import has_hangul
from bot.core.understand.fuzzy import _allowed, _fuzzy
from bot.core.understand.names import _Names
from bot.core.understand.said import Mention


class _Typos(_Names):
    """Misspelt names, moods and titles in what is left."""

    def _typos(self) -> None:
        """Misspelt names and moods, never for a word people really use."""
        p = self.p
        words = self.words
        n = len(words)
        for i, w in enumerate(words):
            if self.used[i] or has_hangul(w) or w.isdigit() or len(w) < 4:
                continue
            if p.is_word(w) or w in p.table or w in p.quiet:
                continue
            best: tuple[float, str, object, int, int] | None = None
            for start in range(max(0, i - 3), i + 1):
                for end in range(i + 1, min(n, start + 6) + 1):
                    if not self.free(start, end):
                        continue
                    span = " ".join(words[start:end])
                    limit = _allowed(span)
                    kinds = ["name"]
                    if end - start == 1:
                        kinds.append("tag")
                    if self.lookup or self.similar:
                        kinds.append("title")
                    for kind in kinds:
                        choices = p.near(kind, span, limit)
                        if not choices:
                            continue
                        process, OSA = _fuzzy()
                        hit = process.extractOne(
                            span, choices, scorer=OSA.distance, score_cutoff=limit
                        )
                        if hit is None:
                            continue
                        dist = float(hit[1]) - 0.01 * (end - start)
                        if best is None or dist < best[0]:
                            best = (dist, kind, hit[0], start, end)
            if best is None:
                continue
            _, kind, value, start, end = best
            if kind == "tag":
                self.mentions.append(Mention("tag", p.phrases[str(value)], start, end - 1))
            elif kind == "title":
                self._add_title(start, end, str(value), list(p.index.titles[str(value)]))
                continue
            else:
                ent, other = self._choose(p.readings(str(value)), self._cue(start, end)[1])
                kind_name = "drama" if ent.kind == "drama" else "artist"
                self.mentions.append(Mention(kind_name, ent.name, start, end - 1, other=other))
                self._spend_cue(start)
            self.take(start, end)
