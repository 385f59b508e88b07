"""`Parser`: the tables one catalog's messages are read against, and the ways in.

`parse` finds the registry command a message starts with; `read` reads free text into a
`Said` by running a `_Reading` (reading.py) and remembers recent readings (READ_CACHE). The
tables every reading looks words up in (English phrases, Korean stems, emoji, cue words) are
built once per catalog index; those only some messages need (typo buckets, fans' short forms
of drama titles, the Latin spellings of names) on first use.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable

from bot.core.commands import Arg, Command, Registry, registry
from bot.core.index import CatalogIndex, Entity
from bot.core.lexicon import Lexicon, everyday_english, everyday_korean, lexicon
from bot.core.occasions import Occasions
from bot.core.popularity import ASKS
from bot.core.query import Query
from bot.core.text import emoji_key, has_hangul, norm, squash
from bot.core.tokens import tokenize
from bot.core.understand.fuzzy import (
    Buckets,
    PackedBuckets,
    _fuzzy,
    _TypoTables,
)
from bot.core.understand.reading import _Reading
from bot.core.understand.said import Said

RECOMMEND = "recommend"  # the command free text stands for
HANGUL_TAIL = re.compile(r"[가-힣]+")
# Messages whose reading each parser remembers: people send the same words again and again
# ("another", "sad songs", "힐링 OST 추천해줘"), and reading one costs a few hundred
# microseconds. A parser belongs to one catalog index, so its memory goes with it.
READ_CACHE = 2048
SHORT_FORM_SONGS = 8  # songs a drama needs here for a two-syllable short form (눈여, 사불)


class Parser(_TypoTables):
    def __init__(
        self,
        index: CatalogIndex,
        words: Lexicon | None = None,
        commands: Registry | None = None,
    ) -> None:
        self.index = index
        self.lex = lex = words or lexicon()
        self.commands = commands or registry()
        vocab = index.vocabulary
        self.occasions = Occasions.load(vocab)
        self.english = everyday_english()
        self.korean_words = everyday_korean()
        # Every English phrase the message is matched against, with what it means.
        self.table: dict[str, list[str]] = {}
        for phrase, tag in vocab.english_phrases().items():
            self._learn(phrase, f"tag:{tag}")
        for phrase, name in self.occasions.english_phrases().items():
            self._learn(phrase, f"occ:{name}")
        english: list[tuple[Iterable[str], str]] = [
            (lex.recent, "era:recent"),
            (lex.latest, "era:latest"),
            (lex.old, "era:old"),
            (lex.negation.before, "neg"),
            (lex.smalltalk.any, "any"),
            (lex.intents.lookup, "lookup"),
            (lex.intents.wish, "request"),
            (lex.intents.list, "list"),
            (lex.intents.browse_dramas, "browse:dramas"),
            (lex.intents.browse_moods, "browse:moods"),
            (lex.intents.browse_about, "browse:about"),
            (lex.references.this, "this"),
            (lex.feedback.like, "like"),
            (lex.feedback.dislike, "dislike"),
            (lex.feedback.praise, "praise"),
            (lex.feedback.pan, "pan"),
            (lex.smalltalk.feeling, "feeling"),
            *((words, f"talk:{kind}") for kind, words in lex.smalltalk.en.items()),
            *(([p for p, a in lex.popularity.items() if a == ask], f"pop:{ask}") for ask in ASKS),
            *(
                (getattr(lex.refine, name), f"op:{name}")
                for name in lex.refine.__dataclass_fields__
                if not name.endswith("_ko")
            ),
        ]
        for phrases_en, meaning in english:
            self._learn_all(phrases_en, meaning)
        for word, n in lex.references.ordinals.items():
            self._learn(norm(word), f"ord:{n}")
        refine = lex.refine
        self.longest = max(len(k.split()) for k in self.table)
        # Korean stems (spaces removed), longest first, with what they mean.
        stems: dict[str, list[str]] = {}

        def stem(text: str, meaning: str) -> None:
            key = squash(text)
            if key and meaning not in stems.get(key, ()):
                stems.setdefault(key, []).append(meaning)

        for key, tag in vocab.korean_stems().items():
            stem(key, f"tag:{tag}")
        for key, name in self.occasions.korean_stems().items():
            stem(key, f"occ:{name}")
        korean: list[tuple[Iterable[str], str]] = [
            (lex.recent_ko, "era:recent"),
            (lex.latest_ko, "era:latest"),
            (lex.old_ko, "era:old"),
            (lex.negation.after_ko, "negafter"),
            (lex.negation.before_ko, "neg"),
            (lex.smalltalk.any_ko, "any"),
            (lex.intents.lookup_ko, "lookup"),
            (lex.intents.list_ko, "list"),
            (lex.intents.browse_dramas_ko, "browse:dramas"),
            (lex.intents.browse_moods_ko, "browse:moods"),
            (lex.intents.request_ko, "request"),
            (lex.references.this_ko, "this"),
            (lex.feedback.like_ko, "like"),
            (lex.feedback.dislike_ko, "dislike"),
            (lex.feedback.praise_ko, "praise"),
            (lex.feedback.pan_ko, "pan"),
            (lex.smalltalk.feeling_ko, "feeling"),
            (lex.similar_ko, "similar_ko"),
            *((words, f"talk:{kind}") for kind, words in lex.smalltalk.ko.items()),
            *((stems_ko, f"pop:{ask}") for ask, stems_ko in lex.popularity_ko),
            *(
                (getattr(refine, name), f"op:{name[:-3]}")
                for name in refine.__dataclass_fields__
                if name.endswith("_ko")
            ),
        ]
        for words_ko, meaning in korean:
            for word in words_ko:
                stem(word, meaning)
        for word, n in lex.references.ordinals_ko.items():
            stem(word, f"ord:{n}")
        self.stems = sorted(stems.items(), key=lambda kv: -len(kv[0]))
        self.stem_keys = frozenset(stems)
        self.similar_keys = tuple(squash(k) for k in lex.similar_ko)
        self.lookup_keys = tuple(squash(k) for k in lex.intents.lookup_ko)
        self.reaction_keys = tuple(squash(k) for k in lex.smalltalk.reaction_ko)
        # Only stems with Hangul (and "ost" glued to Korean) are looked for in Korean text.
        self.stems_by_first: dict[str, list[tuple[str, list[str]]]] = {}
        for key, meanings in self.stems:
            if has_hangul(key) or key.startswith("ost"):
                self.stems_by_first.setdefault(key[0], []).append((key, meanings))
        # Emoji: moods, occasions, and the lexicon's (👍, 🎵).
        self.emoji: dict[str, list[str]] = {}
        for e, tag in vocab.emoji().items():
            self.emoji.setdefault(e, []).append(f"tag:{tag}")
        for e, name in self.occasions.emoji().items():
            self.emoji.setdefault(e, []).append(f"occ:{name}")
        for e in lex.feedback.like_emoji:
            self.emoji.setdefault(emoji_key(e), []).append("like")
        for e in lex.feedback.dislike_emoji:
            self.emoji.setdefault(emoji_key(e), []).append("dislike")
        for e in lex.intents.request_emoji:
            self.emoji.setdefault(emoji_key(e), []).append("request")
        self.emoji = {unicodedata.normalize("NFKC", k): v for k, v in self.emoji.items()}
        self.emoji_by_length = sorted(self.emoji, key=len, reverse=True)
        self.emoji_chars = frozenset(k[0] for k in self.emoji)
        # Drama short forms ("itaewon"), names that are two things ("punch") and names without
        # their spaces ("hoteldelluna") come with the index, built once per catalog.
        self.short_forms = index.short_forms
        self.latin_readings = index.latin_readings
        self.hangul_readings = index.hangul_readings
        self._latin_of: dict[str, str | tuple[str, ...]] | None = None  # see latin_names
        self._initials: dict[str, str] | None = None  # see initials
        self.phrases = vocab.english_phrases()
        # The tables for typos (fuzzy.py) are made on the first typo: a one-shot `ask` without
        # one does not pay for them, and they are most of a parser at 100,000 tracks.
        # Hangul names by their first consonant and length, spelt in jamo: a typo is one jamo
        # off (클라스 for 클라쓰, 불시차 for 불시착), seldom in the first consonant.
        # Words without which no title word is said: "title", "name", "제목에".
        intents = lex.intents
        self.title_triggers = frozenset(
            {p.split()[-1] for p in intents.title_after}
            | {p.split()[0] for p in intents.title_lead}
            | set(intents.title_ko)
        )
        self.particles_by_last: dict[str, list[str]] = {}
        for x in lex.names.particles_ko:
            self.particles_by_last.setdefault(x[-1], []).append(x)
        self.similar_ko = re.compile(
            r"(.+?)\s*(?:" + "|".join(map(re.escape, lex.similar_ko)) + ")"
        )
        self.count_ko = re.compile(
            "("
            + "|".join(map(re.escape, sorted(lex.numbers_ko, key=len, reverse=True)))
            + r")\s*(?:"
            + "|".join(map(re.escape, lex.units_ko))
            + ")"
        )
        self.count_digits = re.compile(
            r"(\d{1,3})(?:" + "|".join(map(re.escape, lex.units_ko)) + ")"
        )
        self.requests = lex.intents.request
        # Cue words that may stand between two names said together ("Beautiful ost crush").
        self.joiners = lex.names.cue_before | lex.names.cue_after | lex.names.cue_pointed
        # Small talk phrases of several words, to find again with hedges taken out.
        self.talk_phrases = {
            norm(phrase): kind
            for kind, phrases in lex.smalltalk.en.items()
            for phrase in phrases
            if " " in norm(phrase)
        }
        # Recent readings, least recently used first (see `read`).
        self._readings: OrderedDict[tuple[str, str], Said] = OrderedDict()
        self._fuzzy: dict[str, Buckets | PackedBuckets] = {}  # see `near`
        self.define_ko = re.compile(
            "(?:"
            + "|".join(map(re.escape, sorted(lex.smalltalk.define_ost_ko, key=len, reverse=True)))
            + ")(?:"
            + "|".join(map(re.escape, lex.names.particles_ko))
            + ")?(?:"
            + "|".join(squash(x) for x in sorted(lex.smalltalk.define_ko, key=len, reverse=True))
            + ")"
        )
        self.quiet = (
            lex.filler
            | lex.era_words
            | frozenset(lex.numbers)
            | lex.intents.request
            | lex.negation.clause_end
            | lex.names.cue_before
            | lex.cue_after
            | lex.bare
        )

    @functools.cached_property
    def networks(self) -> set[str]:
        return {norm(d.network).replace(" ", "") for d in self.index.dramas.values()}

    @functools.cached_property
    def genres(self) -> set[str]:
        return {norm(g) for d in self.index.dramas.values() for g in d.genres}

    def _learn(self, phrase: str, meaning: str) -> None:
        if phrase:
            found = self.table.setdefault(phrase, [])
            if meaning not in found:
                found.append(meaning)

    def _learn_all(self, phrases: Iterable[str], meaning: str) -> None:
        for phrase in phrases:
            self._learn(norm(phrase), meaning)

    # ---------------------------------------------------------------- commands

    def parse(self, text: str) -> Command | None:
        """The command a message asks for; None when it says nothing at all.

        A message that starts with no command word is free text (`recommend` with the whole
        message). A command word is read as the message's first word(s), less a leading
        "/" or "!" and a trailing "@botname" ("/help@ostbot"). A command that takes nothing,
        followed by more than filler ("more upbeat please", "another sad one"), is free text
        too: a follow-up, not the bare command.
        """
        words = text.split()
        while words and words[0].startswith("@"):  # "@ostbot recommend ..."
            words = words[1:]
        if not words:
            return None
        head = words[0].lstrip("/!").split("@", 1)[0]
        found = self.commands.match([head, *words[1:]])
        if found is None:
            return Command(RECOMMEND, " ".join(words))
        spec, used = found
        rest = words[used:]
        filler = self.lex.command_filler
        only_filler = all(w.casefold().strip("!?.,~") in filler for w in rest)
        if spec.arg is Arg.NONE and rest and not only_filler:
            return Command(RECOMMEND, " ".join(words))
        if spec.arg is Arg.TRACK and rest and only_filler:
            return Command(RECOMMEND, " ".join(words))  # "비슷한 거": "something similar"
        return spec.command(" ".join(rest))

    # ------------------------------------------------------------------ reading

    def listing(self, text: str) -> str:
        """What a listing of dramas is narrowed by, in plain words ("2016 page 2", "kbs"):
        the rest of "dramas from 2016", "드라마 목록 2페이지 보여줘" is left out."""
        said = Said(text=text, query=Query())
        state = _Reading(self, tokenize(text, self.lex.shorthand, self.knows), said, "")
        state.run()
        return said.browse_arg if "browse" in said.signals else state.browse_arg()

    def query(self, text: str, prefer: str = "") -> Query:
        """The constraints a message states (what a request for it would ask for)."""
        return self.read(text, prefer).query

    def read(self, text: str, prefer: str = "") -> Said:
        """Everything the message says. `prefer` ("artist" or "drama") reads a name that is
        both as that one (the `artist` and `drama` commands).

        A reading depends on nothing but the text, `prefer` and this parser's catalog, so
        recent ones are remembered (READ_CACHE); each caller gets its own copy."""
        key = (text, prefer)
        said = self._readings.get(key)
        if said is None:
            said = self._readings[key] = self._read(text, prefer)
            if len(self._readings) > READ_CACHE:
                self._readings.popitem(last=False)
        else:
            self._readings.move_to_end(key)
        return said.copy()

    def _read(self, text: str, prefer: str) -> Said:
        msg = tokenize(text, self.lex.shorthand, self.knows)
        said = Said(text=text, query=Query())
        state = _Reading(self, msg, said, prefer)
        state.run()
        return said

    # ---------------------------------------------------------------- names

    def initials(self) -> dict[str, str]:
        """Korean fans' short forms of drama titles, the first syllable of each word: 눈물의
        여왕 눈여, 사랑의 불시착 사불, 이태원 클라쓰 이클. Only forms that stand for one drama
        and are no name and no word of the lexicon; two syllables only for a well-known drama
        and no everyday Korean word (아이 is a child, 기사 an article: checked in their Latin
        spellings against words-ko.txt). Worked out on first use (a few ms); they need a cue to
        be read (`_short_names_ko`)."""
        if self._initials is None:
            from bot.core.romanize import latin_forms

            found: dict[str, set[str]] = {}
            for d in self.index.dramas.values():
                for name in (d.title_ko, *d.aliases):
                    words = [w for w in re.split(r"[\s,:\-]+", name) if w]
                    if len(words) < 2 or not all(HANGUL_TAIL.match(w) for w in words):
                        continue
                    found.setdefault("".join(w[0] for w in words), set()).add(d.title)
            index = self.index

            def known(title: str) -> int:
                return len(index.drama_tracks.get(title, ()))

            # Two dramas, one short form: the one with at least twice the other's songs here
            # (눈여 is 눈물의 여왕, 2024, before 눈의 여왕, 2006), else neither.
            best: dict[str, str] = {}
            for short, titles in found.items():
                ranked = sorted(titles, key=lambda t: (-known(t), t))
                if len(ranked) == 1 or known(ranked[0]) >= max(1, 2 * known(ranked[1])):
                    best[short] = ranked[0]
            self._initials = {
                short: title
                for short, title in best.items()
                if short not in index.hangul_names
                and short not in index.hangul_titles
                and short not in self.stem_keys
                and short not in self.lex.names.everyday_ko
                # Two syllables are often a word: only for a drama known enough to be
                # shortened (by its number of songs here, as `known` weighs names), and no
                # everyday word in Latin letters.
                and (
                    len(short) > 2
                    or (
                        known(title) >= SHORT_FORM_SONGS
                        and not any(f in self.korean_words for f in latin_forms(short))
                    )
                )
            }
        return self._initials

    def latin_names(self, name: str) -> tuple[str, ...]:
        """Every Latin key the index knows a drama or an act by, romanised ones included
        ("taeyangui huye" for Descendants of the Sun): what pins a title beside it. Worked out
        once, on first use, from the index's names: the index's own key for a name known by
        one, a tuple of them for the others (a set for each cost 7.7 MB at +100,000 tracks)."""
        if self._latin_of is None:
            found: dict[str, str | tuple[str, ...]] = {}
            for key, ent in self.index.names.items():
                had = found.get(ent.name)
                # Each key of the index once: no key is repeated here.
                found[ent.name] = (
                    key if had is None else (had, key) if isinstance(had, str) else (*had, key)
                )
            for key, ents in self.latin_readings.items():
                for ent in ents:
                    had = found.get(ent.name, ())
                    keys = (had,) if isinstance(had, str) else had
                    if key not in keys:
                        found[ent.name] = (*keys, key)
            self._latin_of = found
        had = self._latin_of.get(name, ())
        return (had,) if isinstance(had, str) else had

    def readings(self, key: str) -> list[Entity]:
        """Every entity a normalised name may be (a drama and an artist for "punch")."""
        first = self.index.names.get(key)
        out = [first] if first is not None else []
        out += [e for e in self.latin_readings.get(key, ()) if e not in out]
        return out

    def known(self, ent: Entity) -> int:
        """How well known a drama or artist is here: its number of songs."""
        if ent.kind == "drama":
            return len(self.index.drama_tracks.get(ent.name, ()))
        return len(self.index.artist_tracks.get(ent.name, ()))

    def suggest(self, words: list[str]) -> list[str]:
        """Names near words that matched nothing, for "did you mean"."""
        out: list[str] = []
        for word in words:
            if len(word) < 5 or self.is_word(word):
                continue
            process, OSA = _fuzzy()
            hits = process.extract(
                word, self.fuzzy_names, scorer=OSA.distance, score_cutoff=max(1, len(word) // 3)
            )
            for name, _dist, _ in hits[:2]:
                ent = self.index.names[name]
                if ent.name not in out:
                    out.append(ent.name)
        return out[:3]

    def is_word(self, word: str) -> bool:
        """An everyday English word, or an everyday Korean one written in Latin letters."""
        return word in self.english or word in self.korean_words

    def knows(self, word: str) -> int:
        """How well a word is known as written: 2 for a word of the lexicon, the moods or
        the catalog's names, 1 for an everyday word, 0 for none (then it may be a stretched
        word: "hiii", "sooo", `tokens.unstretch`)."""
        if (
            word in self.table
            or word in self.quiet
            or word in self.lex.shorthand
            or word in self.index.names
            or word in self.index.titles
        ):
            return 2
        return 1 if self.is_word(word) else 0
