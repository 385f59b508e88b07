"""Korean, read with spaces ignored: names and titles at the start of a word (외로운 is not
로운; a lexicon word covering one keeps it a word: 내 스타일), cued beside it or a few words
on with only moods between (거미 슬픈 노래); fans' short forms of big dramas with a cue (눈여
노래); misspelt names (one jamo off); then the stems of moods, occasions and lexicon words.
"""

from __future__ import annotations

from bot.core.index import Entity
from bot.core.text import has_hangul, squash
from bot.core.understand.fuzzy import HANGUL_NEAR_SINGLE, HANGUL_NEAR_SPAN, HANGUL_NEAR_WORDS
from bot.core.understand.names import _Names
from bot.core.understand.said import Mention

STEM_REACH = 3  # characters before a Hangul name a lexicon word covering it may start


class _Korean(_Names):
    """Korean, spaces ignored: names and titles, short forms, misspelt names, stems."""

    # ---------------------------------------------------------------- Korean

    def _hangul_names(self) -> None:
        """Hangul names and titles, at the start of a word, spaces ignored."""
        p, flat = self.p, self.msg.flat
        index = p.index
        text = flat.text
        if not has_hangul(text):
            return
        longest = max((len(k) for k in index.hangul_by_length[:1]), default=0) or 1
        longest_title = max((len(k) for k in index.hangul_titles_by_length[:1]), default=1)
        for a in range(len(text)):
            if not flat.word_start(a) or flat.claimed[a]:
                continue
            for size in range(min(max(longest, longest_title), len(text) - a), 0, -1):
                b = a + size
                if not flat.free(a, b):
                    continue
                key = text[a:b]
                ent = index.hangul_names.get(key)
                ids = index.hangul_titles.get(key)
                if ent is None and not ids:
                    continue
                if not self._hangul_fits(a, b, key):
                    continue
                if ids and self._hangul_title_wanted(a, b, key, ent is not None):
                    first, last = flat.token_span(a, b)
                    self.said.title = self.said.title or key
                    for t in ids:
                        if t not in self.said.titles:
                            self.said.titles.append(t)
                    after = text[b:]
                    similar = any(after.startswith(x) for x in p.similar_keys)
                    self.mentions.append(
                        Mention(
                            "title", tuple(ids), first, last, at=a, cue="similar" if similar else ""
                        )
                    )
                    flat.claim(a, b)
                    self._use_words(a, b)
                    break
                if ent is not None and self._hangul_name_cued(a, b, key):
                    readings = self._hangul_readings(key, ent)
                    kind = self._hangul_cue_kind(a, b)
                    chosen, other = self._choose(readings, kind)
                    first, last = flat.token_span(a, b)
                    self.mentions.append(
                        Mention(
                            "drama" if chosen.kind == "drama" else "artist",
                            chosen.name,
                            first,
                            last,
                            at=a,
                            cue=kind,
                            other=other,
                        )
                    )
                    flat.claim(a, b)
                    self._use_words(a, b)
                    rest = flat.rest_of_word(b)
                    if rest in self.p.lex.topic_endings_ko:
                        self.said.signals.add("op:markers")  # "다비치는?": and Davichi?
                    nxt = self.words[last + 1] if last + 1 < len(self.words) else ""
                    if (rest or nxt).startswith(self.p.lex.names.pointed_ko):
                        self.said.signals.add("pointed")  # "호텔 델루나 거": the one from it
                    break

    def _short_names_ko(self) -> None:
        """ "눈여 노래 추천", "사불 ost 뭐 있어": a drama by its fans' short form (the first
        syllable of each word of its title), as a word of its own with a cue beside it (a song
        word after it, or nothing else said)."""
        flat = self.msg.flat
        if not has_hangul(flat.text):
            return
        initials = None
        for i, tok in enumerate(self.msg.tokens):
            if self.used[i] or not tok.hangul or len(tok.text) < 2:
                continue
            initials = initials if initials is not None else self.p.initials()
            word = tok.text
            ends = ("", *(x for x in self.p.lex.names.particles_ko if word.endswith(x)))
            for end in ends:
                key = word[: len(word) - len(end)] if end else word
                drama = initials.get(key)
                if drama is None:
                    continue
                a = flat.starts[i]
                b = a + len(key)
                if self._hangul_cue_kind(a, b) or self._hangul_cued(a, b):
                    self.mentions.append(Mention("drama", drama, i, i, at=a, cue="drama"))
                    self.take(i, i + 1)
                    break

    def _hangul_near_names(self) -> None:
        """Misspelt Hangul names, over up to four words, spaces ignored, a particle allowed at
        the end: "사랑의 불시차 ost", "호텔 델루마 노래", "이태원 클라스", "슬기로운 의사생할"."""
        p, tokens = self.p, self.msg.tokens
        if not has_hangul(self.msg.text) or not p.hangul_near:
            return
        n = len(tokens)
        i = 0
        while i < n:
            found = None
            for j in range(min(n, i + HANGUL_NEAR_WORDS), i, -1):
                if any(self.used[k] or not tokens[k].hangul for k in range(i, j)):
                    continue
                text = "".join(tokens[k].text for k in range(i, j))
                least = HANGUL_NEAR_SINGLE if j - i == 1 else HANGUL_NEAR_SPAN
                if len(text) < least:
                    continue
                ends = p.particles_by_last.get(text[-1], ())
                forms = [text, *(text[: -len(x)] for x in ends if text.endswith(x))]
                for form in forms:
                    if len(form) < least or form in p.index.hangul_names:
                        continue
                    key = p.near_hangul(form)
                    if key is not None:
                        found = (j, key)
                        break
                if found:
                    break
            if found is None:
                i += 1
                continue
            j, key = found
            ent = p.index.hangul_names[key]
            a = self.msg.flat.starts[i]
            kind = "drama" if ent.kind == "drama" else "artist"
            self.mentions.append(Mention(kind, ent.name, i, j - 1, at=a))
            self.take(i, j)
            i = j

    def _hangul_fits(self, a: int, b: int, key: str) -> bool:
        """A name ends where its word does, or before a particle or a known word."""
        flat = self.msg.flat
        if flat.word_end(b):
            return True
        rest = flat.rest_of_word(b)
        if self._particles(rest):
            return True
        return (len(key) >= 3 and not has_hangul(rest[:1])) or len(key) >= 4

    def _particles(self, rest: str) -> bool:
        """Whether what follows a name in its word is particles and endings (도깨비에서의,
        백현이가), up to a cue or request word (아이유가부른, 백현노래추천): 슬기로운 is no
        슬기 + 로, though 로 is a particle."""
        lex = self.p.lex
        ends = (*lex.names.cue_ko, *lex.intents.request_ko)
        while rest:
            if any(rest.startswith(x) for x in ends):
                return True
            cut = next((x for x in lex.names.particles_ko if rest.startswith(x)), None)
            if cut is None:
                return False
            rest = rest[len(cut) :]
        return True

    def _hangul_name_cued(self, a: int, b: int, key: str) -> bool:
        lex = self.p.lex.names
        text = self.msg.flat.text
        if any(
            len(k) > len(key) and text.startswith(k, a)
            for k, _ in self.p.stems_by_first.get(key[:1], ())
        ):
            # A longer word of the lexicon starts here: "별로" (not really) is no 별 + 로.
            return self._hangul_cue_kind(a, b) != ""
        if self._inside_stem(a, b):
            # ...or covers it from before: "내 스타일" (my style) is no drama Style.
            return self._hangul_cue_kind(a, b) != ""
        if len(key) >= 2 and key not in lex.everyday_ko and key not in self.p.stem_keys:
            return True
        return (
            self._hangul_cue_kind(a, b) != ""
            or self._hangul_cued(a, b)
            or self._hangul_window(a, b)
        )

    def _inside_stem(self, a: int, b: int) -> bool:
        """Whether a word of the lexicon starting a few characters before a covers a..b-1."""
        text = self.msg.flat.text
        by_first = self.p.stems_by_first
        for start in range(max(0, a - STEM_REACH), a):
            for key, _ in by_first.get(text[start], ()):
                if start + len(key) >= b and text.startswith(key, start):
                    return True
        return False

    def _hangul_window(self, a: int, b: int) -> bool:
        """ "거미 슬픈 노래", "노을 애절한 발라드 곡": a name that opens the request, then only
        moods (or an era) before a song word, is the singer. A verb or anything else between
        leaves it a word: "바다 보면서 듣는 노래", "노을 질 때", "비 오는 날 노래"."""
        flat = self.msg.flat
        first, last = flat.token_span(a, b)
        lex = self.p.lex
        if flat.starts[first] != a or not self._particles(flat.rest_of_word(b)):
            return False
        if any(w not in self.p.quiet for w in self.words[:first]):
            return False
        cues = lex.names.window_cue_ko
        for between, word in enumerate(self.words[last + 1 : last + 2 + lex.names.window_ko]):
            if word.startswith(cues):
                return between > 0
            if not (self._modifier(word) or word in lex.names.window_pass_ko):
                return False
            if word.endswith(cues):
                return True  # "소유 최신곡", "거미 슬픈곡"
        return False

    def _modifier(self, word: str) -> bool:
        """A word that only says what a song is like: a mood, an energy or an era."""
        if has_hangul(word):
            return any(
                word.startswith(key) and any(m.startswith(("tag:", "era:")) for m in meanings)
                for key, meanings in self.p.stems_by_first.get(word[:1], ())
            )
        return any(m.startswith(("tag:", "era:")) for m in self.p.table.get(word, ()))

    def _hangul_cued(self, a: int, b: int) -> bool:
        flat = self.msg.flat
        lex = self.p.lex.names
        after = flat.text[b:]
        # A particle may come between: "거미의 OST", "백현이 노래".
        for x in ("", *(x for x in lex.particles_ko if x not in lex.cue_ko)):
            if after.startswith(x) and any(after[len(x) :].startswith(c) for c in lex.cue_ko):
                return True
        first, last = flat.token_span(a, b)
        # The name is all the message says, give or take song words and the words a follow-up
        # opens with: "거미", "거미 노래", "그럼 거미는요?".
        openers = self.p.lex.refine.markers_ko
        rest = [
            w
            for n, w in enumerate(self.words)
            if not first <= n <= last
            and w not in self.p.lex.bare
            and w not in openers
            and not any(w.startswith(squash(c)) for c in lex.cue_ko)
        ]
        return not rest

    def _hangul_cue_kind(self, a: int, b: int) -> str:
        flat = self.msg.flat
        lex = self.p.lex.names
        first, _ = flat.token_span(a, b)
        before = self.words[first - 1] if first > 0 else ""
        after = flat.text[b:]
        if before in lex.artist_cue or any(
            after.startswith(c) for c in ("가부른", "이부른", "부른")
        ):
            return "artist"
        if before in lex.drama_cue or any(after.startswith(c) for c in ("ost", "오에스티")):
            return "drama"
        if before == "가수" or after.startswith("가수"):
            return "artist"
        return ""

    def _hangul_readings(self, key: str, ent: Entity) -> list[Entity]:
        return [ent, *(e for e in self.p.hangul_readings.get(key, ()) if e != ent)]

    def _hangul_title_wanted(self, a: int, b: int, key: str, is_name: bool) -> bool:
        flat = self.msg.flat
        if self.lookup:
            return True
        after = flat.text[b:]
        if any(after.startswith(x) for x in self.p.similar_keys):
            return True
        first, last = flat.token_span(a, b)
        rest = [
            w
            for n, w in enumerate(self.words)
            if not first <= n <= last and w not in self.p.lex.bare
        ]
        if not rest:
            if key in self.p.stem_keys:
                return False  # "안녕" is a greeting before it is a song
            return not is_name or not flat.rest_of_word(b)
        index = self.p.index
        for t in index.hangul_titles.get(key) or ():
            tr = index.tracks[t]
            forms = self._forms(tr.artist, tr.drama)
            before = flat.text[:a]
            if any(f and (after.startswith(f) or before.endswith(f)) for f in forms):
                return True
        return False

    def _stems(self) -> None:
        """Korean stems (moods, occasions, small words) in what no name has taken."""
        flat = self.msg.flat
        text = flat.text
        if not has_hangul(text):
            return
        # Every stem found, by where it starts (stems are indexed by their first character),
        # then claimed longest first.
        found: list[tuple[int, int, str, list[str]]] = []
        by_first = self.p.stems_by_first
        for a, ch in enumerate(text):
            for key, meanings in by_first.get(ch, ()):
                if text.startswith(key, a):
                    found.append((-len(key), a, key, meanings))
        found.sort()
        for _, a, key, meanings in found:
            b = a + len(key)
            if not flat.free(a, b) or not self._stem_fits(a, b, key, meanings):
                continue
            flat.claim(a, b)
            self._use_words(a, b)
            first, last = flat.token_span(a, b)
            for k in range(first, last + 1):
                self.meaning_at.setdefault(k, []).extend(meanings)
            for meaning in meanings:
                head, _, rest = meaning.partition(":")
                self.said.signals.add(meaning)
                self.marks.append((first, meaning))
                if head == "tag":
                    self.mentions.append(Mention("tag", rest, first, last, at=a))
                elif head == "occ":
                    self.mentions.append(Mention("occasion", rest, first, last, at=a))
                elif head == "era":
                    self.mentions.append(Mention("era", rest, first, last, at=a))
                elif head == "pop":
                    self.mentions.append(Mention("popularity", rest, first, last, at=a))
                elif head == "talk":
                    self.said.smalltalk.append(rest)
                elif head == "ord":
                    self.said.refs.append(int(rest))
                elif head == "browse":
                    self.said.signals.add("browse")
                elif head == "negafter":
                    self.neg_after.append(a)
                elif meaning == "similar_ko":
                    self.similar_at.append(a)
                elif head == "neg":
                    self.neg_before_ko.append(first)

    def _stem_fits(self, a: int, b: int, key: str, meanings: list[str]) -> bool:
        flat = self.msg.flat
        occasion = any(m.startswith("occ:") for m in meanings)
        short = len(key) == 1
        starts_word = ("talk:", "this", "ord:")
        at_start = short or occasion or "neg" in meanings
        if (at_start or any(m.startswith(starts_word) for m in meanings)) and not flat.word_start(
            a
        ):
            return False
        if short:
            rest = flat.rest_of_word(b)
            return not rest or any(rest.startswith(x) for x in self.p.lex.names.particles_ko)
        return True
