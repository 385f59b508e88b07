"""Numbers in a message: years (parts of decades, open and closed ranges), the years an era
means ("recent", "옛날"), and counts ("3 songs", "두 곡") told from ordinals ("number 2").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import cast

from bot.core.text import has_hangul
from bot.core.understand.said import Mention
from bot.core.understand.state import _State

YEAR = re.compile(r"((?:19|20)\d\d)(?:년도|년대|년)?")
DECADE = re.compile(r"((?:19|20)?\d0)s")
COUNT_KO_DIGITS = re.compile(r"(\d{1,3})")


class _Numbers(_State):
    """Years, ranges and eras; how many songs; ordinals."""

    # ---------------------------------------------------------------- numbers

    def _years(self) -> None:
        lex = self.p.lex
        words = self.words
        found: list[Mention] = []
        for i, w in enumerate(words):
            if self.used[i]:
                continue
            decade = DECADE.fullmatch(w)
            if decade:
                d = int(decade.group(1))
                d = d + (1900 if d >= 50 else 2000) if d < 100 else d
                # "the early 2000s": part of the decade.
                within = lex.decade_parts.get(words[i - 1] if i else "")
                lo, hi = within or (0, 9)
                first = i - 1 if within else i
                found.append(Mention("years", (d + lo, d + hi), first, i))
                self.take(first, i + 1)
                continue
            m = YEAR.fullmatch(w)
            if not m:
                continue
            glued = False
            year = int(m.group(1))
            self.take(i, i + 1)
            span: tuple[int | None, int | None] = (year, year)
            first = last = i
            nxt = words[i + 1] if i + 1 < len(words) else ""
            if nxt.startswith("년"):
                last = i + 1
                self.take(i + 1, i + 2)
                if nxt.startswith("년대"):
                    part = words[i + 2] if i + 2 < len(words) else ""
                    offsets = lex.decade_parts
                    lo, hi = next((v for k, v in offsets.items() if part.startswith(k)), (0, 9))
                    span = (year + lo, year + hi)
                    if part[:2] in offsets:
                        last = i + 2
                        self.take(i + 2, i + 3)
                rest = nxt.lstrip("년대도")
                glued = bool(rest)  # "2010년부터": what follows is in the word already
                nxt = rest or (words[last + 1] if last + 1 < len(words) else "")
            if w.endswith("년대"):
                span = (year, year + 9)
            prev = words[i - 1] if i else ""
            if prev in lex.before or (prev == "than" and i > 1 and words[i - 2] in lex.old):
                span = (None, year - 1)
                first = i - 1 if prev in lex.before else i - 2
                self.take(first, i)
            elif prev in lex.after | lex.since or (
                prev == "than" and i > 1 and words[i - 2] in lex.recent | lex.latest
            ):
                # "since 2016" counts 2016 in; "after 2015" and "newer than 2015" do not.
                span = (year + (prev not in lex.since), None)
                first = i - 1 if prev in lex.after | lex.since else i - 2
                self.take(first, i)
            elif nxt.startswith(lex.before_ko) or nxt in lex.before_word_ko:
                span = (None, year - 1)
                if not glued:
                    self.take(last + 1, last + 2)
            elif nxt.startswith(lex.after_ko) or nxt in lex.after_word_ko:
                span = (year, None)
                if not glued:
                    self.take(last + 1, last + 2)
            if prev == "than":  # "older than 2015": a year range, not the era "old" too
                self.mentions = [m for m in self.mentions if (m.kind, m.first) != ("era", i - 2)]
            found.append(Mention("years", span, first, last))
        self.mentions += self._ranges(found)

    def _ranges(self, found: list[Mention]) -> list[Mention]:
        """ "from 2003 to 2007", "2010-2015", "between 2005 and 2009", "2010년부터 2015년까지":
        two years with a joiner (or a dash) between, or an open year and the one right after
        it, are one range."""
        out: list[Mention] = []
        joiners = self.p.lex.range_joiners
        for m in found:
            prev = out[-1] if out else None
            if prev is not None and m.first - prev.last <= 2:
                lo, _ = cast(tuple[int | None, int | None], prev.value)
                _, hi = cast(tuple[int | None, int | None], m.value)
                between = self.words[prev.last + 1 : m.first]
                gap = self.msg.text[self.msg.tokens[prev.last].end : self.msg.tokens[m.first].start]
                # "and" joins two years only after "between": "2016 and 2020" are two years.
                opener = self.words[prev.first - 1] if prev.first else ""
                joined = (
                    (between and all(w in joiners for w in between))
                    or (between == ["and"] and opener in self.p.lex.range_opener)
                    or (not between and any(ch in gap for ch in "-~–"))
                )
                opened = not between and prev.value[1] is None  # type: ignore[index]
                if lo is not None and hi is not None and lo <= hi and (joined or opened):
                    self.take(prev.last + 1, m.first)
                    out[-1] = Mention("years", (lo, hi), prev.first, m.last)
                    continue
            out.append(m)
        return out

    def _count(self) -> None:
        lex = self.p.lex
        said = self.said
        count: int | None = None
        plural = False
        for i, w in enumerate(self.words):
            if w in lex.plural:
                plural = True
            if self.used[i]:
                continue
            tok = self.msg.tokens[i]
            if tok.hashed and w.isdigit():
                said.refs.append(int(w))
                self.take(i, i + 1)
                continue
            before = self.words[i - 1] if i > 0 else ""
            if before in lex.not_counts_after and w.isdigit():
                self.take(i - 1, i + 1)  # "episode 5 of goblin": which episode, not how many
                continue
            numbered = before in self.p.lex.references.number_words
            if numbered and w.isdigit() and before not in ("song", "track"):
                said.refs.append(int(w))  # "number 2"
                self.take(i - 1, i + 1)
                continue
            if count is None and re.fullmatch(r"\d{1,3}", w):
                count = int(w)
                self.take(i, i + 1)
            elif count is None and w in lex.numbers:
                count = lex.numbers[w]
                self.take(i, i + 1)
            elif count is None and (unit := self.p.count_digits.fullmatch(w)):
                count = int(unit.group(1))
                self.take(i, i + 1)
        raw = self.msg.text
        if count is None and has_hangul(raw):
            m = self.p.count_ko.search(raw)
            if m:
                count = lex.numbers_ko[m.group(1)]
                if re.search(r"한\s*두\s*(?:곡|개)", raw):
                    count = 2
            elif any(k in raw for k in lex.plural_ko):
                plural = True
            elif re.search(r"(?:^|\s)하나(?:만|\s|$)", raw):
                count = 1
        for i, w in enumerate(self.words):
            if count is None and w == "one" and "op:more" in self.meaning_at.get(i, ()):
                count = 1
        said.count = count
        if plural:
            said.signals.add("plural")

    def _wished(self, said: list[Mention]) -> Mention:
        """Of several eras, the one said of the songs asked for: the nearest to a song word
        ("I don't know the newer dramas. Could you suggest some older sad songs?"), the later
        when two are as near."""
        nouns = (*self.p.lex.intents.list_songs, *self.p.lex.wished_nouns)
        anchors = [
            i
            for i, w in enumerate(self.words)
            if w in nouns or (has_hangul(w) and w.startswith(self.p.lex.intents.list_songs))
        ]
        if not anchors:
            return said[-1]
        return min(
            reversed(said),
            key=lambda m: min(min(abs(a - m.first), abs(a - m.last)) for a in anchors),
        )

    def _era(
        self, era: str, dramas: Iterable[str] = (), artists: Iterable[str] = ()
    ) -> tuple[int | None, int | None]:
        """The years an era means, counted back from the catalog's newest year: "latest" its
        last years, "recent" a few more, "old" everything before the last decade. "Latest"
        with a drama or an artist is their newest songs ("소유 최신곡": Soyou's latest)."""
        index = self.p.index
        years = self.p.lex.era_years
        newest = index.max_year
        if era == "latest":
            scope = [t for d in dramas for t in index.drama_tracks.get(d, ())]
            scope += [t for a in artists for t in index.artist_tracks.get(a, ())]
            if scope:
                newest = max(index.tracks[t].year for t in scope)
        if era == "old":
            return None, newest - years["old"]
        return newest - years[era] + 1, None
