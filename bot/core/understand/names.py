"""Spans of words, longest first, against every vocabulary at once; and the names of dramas
and artists among them.

A name that is also an everyday word ("Crush", "Punch", "rain") is taken only with a cue:
"by Crush", "Punch OST", a capital, pointing ("the crush one"), a name beside it it shares
songs with ("crush cloy ost"), or nothing else in the message. A span that could be a title
is weighed as one first (titles.py).
"""

from __future__ import annotations

from bot.core.index import Entity
from bot.core.text import norm
from bot.core.understand.fuzzy import _fuzzy
from bot.core.understand.said import Mention
from bot.core.understand.titles import _Titles


class _Names(_Titles):
    """Spans of words against every vocabulary; names of dramas and artists, and their cues."""

    # ---------------------------------------------------------------- spans

    def _spans(self) -> None:
        """Every vocabulary at once, longest span first."""
        p, n = self.p, len(self.words)
        longest = max(p.longest, p.index.max_name_tokens, p.index.max_title_tokens, 1)
        for size in range(min(longest, n), 0, -1):
            for i in range(n - size + 1):
                j = i + size
                if not self.free(i, j):
                    continue
                if any(self.msg.tokens[k].hangul for k in range(i, j)) and size > 1:
                    continue  # Korean is read with spaces removed, below
                self._span(i, j)

    def _span(self, i: int, j: int) -> None:
        p = self.p
        words = self.words[i:j]
        key = " ".join(words)
        keys = [key]
        last = self.msg.tokens[j - 1]
        if last.possessive and len(last.text) > 2:
            keys.append(" ".join([*words[:-1], last.text[:-1]]))  # "Goblin's" -> "goblin"
        meanings = p.table.get(key, [])
        for k in keys:
            if self._name_or_title(i, j, k, meanings):
                return
        if meanings:
            self._meanings(i, j, meanings)

    # ---------------------------------------------------------------- names

    def _cue(self, i: int, j: int) -> tuple[bool, str]:
        """Whether words i..j-1 are cued as a name, and which kind the cue says."""
        lex = self.p.lex.names
        words = self.words
        k = i - 1
        while k >= 0 and words[k] in ("the", "a", "an"):
            k -= 1
        before = words[k] if k >= 0 else ""
        after = words[j] if j < len(words) else ""
        kind = ""
        cued = False
        if self._cue_word(before, i, j):
            cued = True
            kind = "artist" if before in lex.artist_cue else "drama"
        if after in lex.cue_after:
            cued = True
            kind = kind or "drama"
        if after in lex.artist_cue_after:
            cued, kind = True, "artist"  # "the song V sang"
        kinds = lex.artist_cue | lex.drama_cue
        if after == "the" and j + 1 < len(words) and words[j + 1] in kinds:
            cued = True  # "punch the singer", "punch (the drama) ost": the kind said after
        if self._pointed(i, j):
            cued = True  # "the iu one", "crush's song in goblin"
            self.said.signals.add("pointed")
        elif self._counted(i, j):
            cued = True  # "one wendy song"
        if self.msg.named(i, j) and not self._season(i, j):
            cued = True  # a capital says nothing of "Winter": seasons are written so too
        if self._beside_group(i, j):
            cued, kind = True, "artist"
        if not cued:
            partner = self._partner(i, j)
            if partner:
                cued, kind = True, partner  # "crush cloy ost": Crush sings in CLOY
        if not cued:
            cued = self._bare(i, j)  # the name is (almost) the whole message: "Life OST"
        return cued, kind

    def _pointed(self, i: int, j: int) -> bool:
        """ "the iu one", "the crush song", "crush's song": a song pointed at by its artist or
        its drama."""
        words = self.words
        if j >= len(words) or words[j] not in self.p.lex.names.cue_pointed:
            return False
        return self.msg.tokens[j - 1].possessive or (
            i > 0 and words[i - 1] in self.p.lex.references.determiners
        )

    def _counted(self, i: int, j: int) -> bool:
        """ "one wendy song", "2 taeyeon songs": songs counted by their artist or drama (a
        season's word stays the season: "a few winter songs")."""
        words = self.words
        if j >= len(words) or words[j] not in self.p.lex.names.cue_pointed or i == 0:
            return False
        before = words[i - 1]
        return (before.isdigit() or before in self.p.lex.numbers) and not self._season(i, j)

    def _partner(self, i: int, j: int) -> str:
        """The kind words i..j-1 are read as when a name of the other kind stands beside them
        (cue words between allowed) and the two have songs together: "crush cloy ost", "queen
        of tears crush song". "" when none does."""
        p, words = self.p, self.words
        index = p.index
        ents = p.readings(" ".join(words[i:j]))
        joiners = p.joiners
        spans: list[str] = []
        k = j
        while k < min(len(words), j + 2) and words[k] in joiners:
            k += 1
        spans += [" ".join(words[k : k + n]) for n in range(1, min(6, len(words) - k) + 1)]
        k = i
        while k > max(0, i - 2) and words[k - 1] in joiners:
            k -= 1
        spans += [" ".join(words[k - n : k]) for n in range(1, min(6, k) + 1)]
        for span in spans:
            other = index.names.get(span) or index.names.get(norm(p.short_forms.get(span, "")))
            if other is None:
                continue
            for ent in ents:
                if (ent.kind == "drama") == (other.kind == "drama"):
                    continue
                drama, act = (ent, other) if ent.kind == "drama" else (other, ent)
                if index.together(drama.name, (act.name,)):
                    return "drama" if ent.kind == "drama" else "artist"
        return ""

    def _beside_group(self, i: int, j: int) -> bool:
        """ "Joy from Red Velvet", "Winter (aespa)", "aespa winter": a name beside a group it
        belongs to ("from" or "of" between, or nothing)."""
        index, words = self.p.index, self.words
        ents = self.p.readings(" ".join(words[i:j]))
        members = {e.name for e in ents if e.kind != "drama"}
        if not members:
            return False
        start = j + 1 if j < len(words) and words[j] in ("from", "of") else j
        spans = [words[start : start + size] for size in range(4, 0, -1)]
        spans += [words[max(0, i - size) : i] for size in range(4, 0, -1) if i - size >= 0]
        for span in spans:
            group = index.names.get(" ".join(span)) if span else None
            if group and members & index.group_members.get(group.name, set()):
                return True
        return False

    def _cue_word(self, before: str, i: int, j: int) -> bool:
        """Whether the word before words i..j-1 cues them as a name: "by", "from", ...; "in"
        only a drama ("sad songs in winter" is never the singer Winter)."""
        lex = self.p.lex.names
        if before not in lex.cue_before:
            return False
        if before in lex.drama_only_cue:
            return any(e.kind == "drama" for e in self.p.readings(" ".join(self.words[i:j])))
        return True

    def _season(self, i: int, j: int) -> bool:
        """Whether words i..j-1 are a season's word ("winter", "summer")."""
        vocab = self.p.index.vocabulary.tags
        meanings = self.p.table.get(" ".join(self.words[i:j]), ())
        return any(m.startswith("tag:") and vocab[m[4:]].kind == "season" for m in meanings)

    def _name_or_title(self, i: int, j: int, key: str, meanings: list[str]) -> bool:
        p = self.p
        index = p.index
        squashed = key.replace(" ", "")
        single_word = j - i == 1 and p.is_word(key)
        name_key = key if key in index.names else None
        # Spaces moved ("hotel delluna", "hospital play list"), but not small everyday words
        # run together: "is an" is not Yi San ("isan").
        spaced = j - i == 1 or not all(p.is_word(w) and len(w) <= 3 for w in key.split())
        if name_key is None and j - i <= 4 and len(squashed) >= 4 and not single_word and spaced:
            name_key = p.index.spaceless_names.get(squashed)
        if name_key is None and j - i >= 2 and len(squashed) >= 9 and not meanings:
            name_key = self._near(i, j, squashed)
        if name_key is None and j - i >= 1 and key in p.short_forms:
            name_key = norm(p.short_forms[key])
        title_key = key if key in index.titles else None
        if title_key is None and j - i <= 5 and len(squashed) >= 4 and not single_word:
            title_key = p.index.spaceless_titles.get(squashed)
        if name_key is None and title_key is None:
            return False
        cued, kind = self._cue(i, j)
        content = any(m.split(":")[0] in ("tag", "occ", "era") for m in meanings)
        words_like = bool(meanings)
        # A title, when the message is about songs by name.
        if title_key is not None and self._title_wanted(i, j, title_key, cued, kind, name_key):
            ids = list(index.titles[title_key])
            self._add_title(i, j, title_key, ids, similar=self._similar_cue(i, j))
            return True
        if name_key is None:
            return False
        ambiguous = name_key in index.ambiguous or (
            key in p.short_forms and all(p.is_word(w) for w in key.split())
        )
        if (ambiguous or words_like) and not cued:
            return False
        # A mood word pointed at ("the crush one") or beside a drama it sings in ("crush cloy
        # ost") is the name; "the new one" stays an era.
        moodish = content and all(m.split(":")[0] in ("tag", "occ") for m in meanings)
        named = moodish and (self._pointed(i, j) or bool(self._partner(i, j)))
        if words_like and not self._explicit(i, j) and not named:
            return False  # "something new" is not the singer New: a cue must say so
        if content and not cued:
            return False
        ents = p.readings(name_key)
        if not ents:
            return False
        ent, other = self._choose(ents, kind)
        self.mentions.append(
            Mention(
                "drama" if ent.kind == "drama" else "artist",
                ent.name,
                i,
                j - 1,
                cue=kind,
                other=other,
            )
        )
        self.take(i, j)
        self._spend_cue(i)
        return True

    def _near(self, i: int, j: int, squashed: str) -> str | None:
        """A misspelt name written out in words ("quen of tears", "hotel de luna"): only with
        a word that looks like a typo, or three words or more that are one edit away, and
        never when part of the span is already a name ("sarangui bulsichak sad")."""
        p = self.p
        if j - i > 6 or any(self.digit[i:j]):
            return None
        typo = any(self.typo[i:j])
        if not typo and (j - i < 3 or any(self.known[i:j])):
            return None
        for a in range(i, j):
            for b in range(a + 2, j + 1):
                if (a, b) != (i, j) and " ".join(self.words[a:b]) in p.index.names:
                    return None
        found = p.near_name(squashed)
        if found is None:
            return None
        _, OSA = _fuzzy()
        if not typo and OSA.distance(squashed, found.replace(" ", "")) > 1:
            return None
        return found

    def _explicit(self, i: int, j: int) -> bool:
        """A cue beside the words, or capitals: more than being the whole message."""
        lex = self.p.lex.names
        before = self.words[i - 1] if i > 0 else ""
        after = self.words[j] if j < len(self.words) else ""
        if self._cue_word(before, i, j):
            return True
        if after in lex.artist_cue_after or (self.msg.named(i, j) and not self._season(i, j)):
            return True
        if self._beside_group(i, j):
            return True  # "Joy from Red Velvet", "Winter (aespa)"
        # "Remember OST": written as a name, and a cue after it.
        return self.msg.tokens[i].capital and not self.msg.shouting and after in lex.cue_after

    def _choose(self, ents: list[Entity], kind: str) -> tuple[Entity, str | None]:
        """The reading a cue asks for, else the better-known one; and the other reading."""
        want = (len(ents) > 1 and self._kind_said()) or kind or self.prefer
        if want == "artist":
            picked = [e for e in ents if e.kind != "drama"] or ents
        elif want == "drama":
            picked = [e for e in ents if e.kind == "drama"] or ents
        else:
            picked = sorted(ents, key=lambda e: -self.p.known(e))
        ent = picked[0]
        others = [e for e in ents if e != ent]
        other = f"{others[0].kind}:{others[0].name}" if others else None
        return ent, other

    def _kind_said(self) -> str:
        """The kind of name the message says it means, anywhere in it: "punch ost songs by the
        singer" is the singer. "" when it says neither (or both)."""
        text = f" {' '.join(self.words)} "
        refine = self.p.lex.refine
        artist = any(f" {x} " in text for x in refine.the_artist)
        drama = any(f" {x} " in text for x in refine.the_drama)
        return "" if artist == drama else "artist" if artist else "drama"

    def _spend_cue(self, i: int) -> None:
        """ "from Goblin", "by IU": the cue word is spent with the name."""
        k = i - 1
        while k >= 0 and self.words[k] in ("the", "a", "an") and not self.used[k]:
            k -= 1
        if k >= 0 and not self.used[k] and self.words[k] in self.p.lex.names.cue_before:
            self.used[k] = True
