"""Free text -> a registry command, and a message -> what it says (`Said`).

`parse` finds the command a message starts with (its words come from data/commands.toml); a
message that starts with none is free text. `read` reads free text into what it says: the
constraints of a request (a `Query`: moods with weights, energy, occasion, drama, artist,
years, count and what to leave out), and the signals the conversation needs to tell a new
request from a follow-up, a look-up, a like or small talk.

How a message is read, in order:

1. Words (`bot.core.tokens`): folded, with how each was typed (a capital in mid-sentence, a
   quote) and where punctuation falls; a stretched word ("hiii", "sooo") as the one it
   stretches. A word of a title said as such ("with snow in the title", "제목에 눈") is set
   aside first, so it is no mood. "like" as a verb or a feeling ("I would like", "feels
   like") is marked, so it never makes "songs like <title>".
2. Spans of words, longest first, against every vocabulary at once: catalog names (with their
   romanised and hand-written aliases, their short forms and spellings without spaces), song
   titles, moods, occasions and the lexicon's small words. A name that is also an everyday
   word ("Crush", "Punch", "rain") is taken only with a cue: "by Crush", "Punch OST", a capital
   in mid-sentence, quotes, pointing ("the crush one"), a name beside it it shares songs with
   ("crush cloy ost"), or nothing else in the message. A song title needs one too.
3. Korean, with spaces ignored: names and titles at the start of a word (외로운 is not 로운,
   드라이브 is not 라이브; a name's word goes on only with particles; a lexicon word covering it
   keeps it a word: 내 스타일), cued beside it or a few words on with only moods between (거미
   슬픈 노래); fans' short forms of big dramas with a cue (눈여 노래); then misspelt names (one
   jamo off), then mood, occasion and lexicon stems. A mood's feel is that mood (겨울 느낌),
   and the time after an occasion is what comes after it ("after the party", 회식 끝나고).
4. Emoji, years (parts of decades, ranges), counts, moods in other forms ("sadder", "snows"),
   and typos of what is left (never of an everyday word).
5. Exclusions: an English "not / no / without / except / anything but" excludes what follows
   to the end of its clause; a Korean "말고 / 빼고 / 아닌 / 없이 / 제외" the nearest thing said
   before it. An excluded era is a range left out.
6. Follow-up words said in passing (inside a message that asks for something of its own) are
   dropped, and small talk is looked for again with hedges left out ("what even is an ost").
   Praise or a pan ("daebak", "mid") is a like or a dislike only of a song pointed at.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import cast

from bot.core.commands import Arg, Command, Registry, registry
from bot.core.index import CatalogIndex, Entity, Spaceless, everyday
from bot.core.lexicon import Lexicon, everyday_english, everyday_korean, lexicon
from bot.core.occasions import Occasions
from bot.core.popularity import ASKS
from bot.core.query import MAX_COUNT, Query
from bot.core.text import emoji_key, has_hangul, norm, parse_int, squash
from bot.core.tokens import Message, tokenize
from bot.core.vocabulary import FILTER_KINDS

__all__ = ["MAX_COUNT", "RECOMMEND", "Mention", "Parser", "Query", "Said"]


def _fuzzy() -> tuple[ModuleType, ModuleType]:
    """rapidfuzz's search and the edit distance typos are measured in (OSA: a swap of two
    letters is one edit), loaded on the first typo: a message without one never needs it."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    return process, OSA


RECOMMEND = "recommend"  # the command free text stands for
YEAR = re.compile(r"((?:19|20)\d\d)(?:년도|년대|년)?")
HANGUL_TAIL = re.compile(r"[가-힣]+")
DECADE = re.compile(r"((?:19|20)?\d0)s")
COUNT_KO_DIGITS = re.compile(r"(\d{1,3})")
# Messages whose reading each parser remembers: people send the same words again and again
# ("another", "sad songs", "힐링 OST 추천해줘"), and reading one costs a few hundred
# microseconds. A parser belongs to one catalog index, so its memory goes with it.
READ_CACHE = 2048


@dataclass(slots=True)
class Mention:
    """Something the message names: a tag, an occasion, a drama, an artist, a song, years."""

    kind: str  # tag | occasion | drama | artist | title | years | era | popularity
    value: object
    first: int  # the first word it covers
    last: int  # the last word it covers (inclusive)
    at: int = 0  # its first character in the flat text (orders two things in one word)
    weight: float = 1.0
    negated: bool = False
    relative: int = 0  # +1 "more X" / "sadder", -1 "less X"
    cue: str = ""  # artist | drama: what a cue said it is
    other: str | None = None  # the other reading of a name that is two things

    @property
    def pos(self) -> tuple[int, int]:
        return self.first, self.at

    def copy(self) -> Mention:
        return Mention(
            self.kind,
            self.value,
            self.first,
            self.last,
            self.at,
            self.weight,
            self.negated,
            self.relative,
            self.cue,
            self.other,
        )


@dataclass(slots=True)
class Said:
    """What one message says, before the conversation decides what it means."""

    text: str
    query: Query
    mentions: list[Mention] = field(default_factory=list)
    signals: set[str] = field(default_factory=set)  # lexicon categories said
    smalltalk: list[str] = field(default_factory=list)  # kinds, in order
    refs: list[int] = field(default_factory=list)  # ordinals said (1-based; -1 = the last)
    titles: list[int] = field(default_factory=list)  # tracks named by title, best first
    title: str | None = None  # the title as said
    count: int | None = None
    unknown: list[str] = field(default_factory=list)
    leftover: int = 0  # words that are neither understood nor filler
    browse_arg: str = ""
    # "with snow in the title": a word the song's title has (in Korean also without the
    # particle it may carry: 사랑이 -> 사랑, though 노을 stays 노을), best reading first.
    title_words: tuple[str, ...] = ()
    pinned: list[int] = field(default_factory=list)  # titles pinned by a name beside them

    def has(self, signal: str) -> bool:
        return signal in self.signals

    @property
    def content(self) -> bool:
        """Whether the message asks for anything by itself."""
        return not self.query.is_empty or bool(self.titles)

    @property
    def mood_changes(self) -> list[Mention]:
        return [m for m in self.mentions if m.relative]

    def copy(self) -> Said:
        """A copy that shares nothing mutable (the query is frozen): what Parser.read hands
        out, so that no caller can change the reading it remembers."""
        return Said(
            self.text,
            self.query,
            [m.copy() for m in self.mentions],
            set(self.signals),
            list(self.smalltalk),
            list(self.refs),
            list(self.titles),
            self.title,
            self.count,
            list(self.unknown),
            self.leftover,
            self.browse_arg,
            self.title_words,
            list(self.pinned),
        )


class Parser:
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
        # The tables for typos (below) are made on the first typo: a one-shot `ask` without
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

    # ------------------------------------------------------- tables made on first use

    def near(self, kind: str, text: str, limit: int) -> list[str]:
        """Names ("name"), moods ("tag") or titles ("title") long enough that one edit is
        still recognisable and that may be within `limit` edits of text (see _by_length)."""
        buckets = self._fuzzy.get(kind)
        if buckets is None:
            buckets = self._fuzzy[kind] = self._fuzzy_buckets(kind)
        return _near(buckets, text, limit)

    def _fuzzy_buckets(self, kind: str) -> Buckets | PackedBuckets:
        index = self.index
        if kind == "name":  # the index's own strings: no copy of them
            return _by_length(n for n in index.names if len(n) >= 4 and n not in index.ambiguous)
        if kind == "tag":
            return _by_length(p for p in self.phrases if len(p) >= 5 and " " not in p)
        # Titles exist only packed (IdMap): packed here too, so they are not kept twice.
        return _packed_by_length(index.titles.names(), lambda _, t: len(t) >= 6 and not everyday(t))

    @functools.cached_property
    def fuzzy_names(self) -> list[str]:
        """Names for "did you mean" (`suggest`)."""
        index = self.index
        return [n for n in index.names if len(n) >= 4 and n not in index.ambiguous]

    @functools.cached_property
    def by_length(self) -> PackedBuckets:
        """Long names without their spaces (9 letters or more, no everyday word), for names
        misspelt across words ("hotel de luna"); a form two names share counts for the
        first, as in `CatalogIndex.spaceless_names`."""
        index = self.index
        spaceless, ambiguous = index.spaceless_names, index.ambiguous

        def first_long(i: int, flat: str) -> bool:
            name = names[i]
            return len(flat) >= 9 and name not in ambiguous and spaceless.find(flat) == i

        names = spaceless.names()
        return _packed_by_length(names, first_long, Spaceless.fold)

    @functools.cached_property
    def hangul_near(self) -> dict[tuple[str, int], tuple[str, list[str]]]:
        """Hangul names by their first consonant and length, spelt in jamo (packed, see
        PackedBuckets) beside the names: a typo is one jamo off (클라스 for 클라쓰, 불시차
        for 불시착), seldom in the first consonant."""
        names = [k for k in self.index.hangul_names if len(k) >= HANGUL_NEAR_SINGLE]
        places: dict[tuple[str, int], list[int]] = {}
        for i, k in enumerate(names):
            if has_hangul(k):
                places.setdefault((_jamo(k)[0], len(k)), []).append(i)
        # A bucket at a time, so that the names in jamo never all exist at once.
        return {
            key: (PACK.join(_jamo(names[i]) for i in ids), [names[i] for i in ids])
            for key, ids in places.items()
        }

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

    def near_name(self, squashed: str) -> str | None:
        """A name within an edit or two of a span written out ("hotel de luna", "quen of
        tears"), compared without spaces; only names of about the same length are tried."""
        limit = _allowed(squashed)
        candidates = _near(self.by_length, squashed, limit)
        if not candidates:
            return None
        process, OSA = _fuzzy()
        hit = process.extractOne(squashed, candidates, scorer=OSA.distance, score_cutoff=limit)
        return self.index.spaceless_names.get(str(hit[0])) if hit else None

    def near_hangul(self, text: str) -> str | None:
        """A Hangul name one jamo away from text (two for names of 8 syllables or more),
        of the same first consonant and about the same length."""
        first = _jamo(text[0])[0]
        # One character more or less: a syllable of two jamo, or a digit (김사부 for 김사부3).
        sizes = (len(text) - 1, len(text), len(text) + 1)
        jamos: list[str] = []
        names: list[str] = []
        for n in sizes:
            bucket = self.hangul_near.get((first, n))
            if bucket is not None:
                jamos += bucket[0].split(PACK)
                names += bucket[1]
        if not names:
            return None
        limit = 1 if len(text) < 8 else 2
        process, OSA = _fuzzy()
        hit = process.extractOne(_jamo(text), jamos, scorer=OSA.distance, score_cutoff=limit)
        return names[hit[2]] if hit else None

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


_JAMO = unicodedata.normalize("NFKC", "ㅋㅎㅠㅜㄱㄴㄷㅅㅇㅈㅊ")
_LAUGH_OR_TEARS = frozenset(unicodedata.normalize("NFKC", "ㅋㅎㅠㅜ"))
MAX_HESITATION = 4  # words a message of hesitation alone has at most ("hmm, well, um, idk")


def _jamo(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# Hangul names bent by typo tolerance: a word of at least 3 syllables on its own (이태원클라스),
# at least 4 across words (호텔 델루마, 사랑의 불시차); never a short everyday word.
HANGUL_NEAR_SINGLE = 3
HANGUL_NEAR_SPAN = 4
HANGUL_NEAR_WORDS = 4  # words a misspelt name may cover
# Lexicon meanings that judge a song pointed at ("the 2nd one is beautiful"): a title said alone
# ("Beautiful") is still the title.
JUDGING = ("praise", "pan")
SHORT_FORM_SONGS = 8  # songs a drama needs here for a two-syllable short form (눈여, 사불)
STEM_REACH = 3  # characters before a Hangul name a lexicon word covering it may start
# Endings tried on a word no list has, for its mood or occasion ("snows", "crying").
INFLECTIONS = ("ing", "es", "ed", "s")


Buckets = dict[tuple[str, int], list[str]]
# Buckets whose names are joined into one string, for names that exist only here (100,000
# short strings cost 50 bytes of header each); split when searched. Names never hold PACK.
PackedBuckets = dict[tuple[str, int], str]
PACK = "\x00"


def _by_length(names: Iterable[str]) -> Buckets:
    """Names by first letter and length: a typo seldom changes the first letter ("goblen",
    "quen of tears"), and k edits change a length by at most k, so a search needs only a
    few of them even in a catalog of a hundred thousand songs."""
    out: Buckets = {}
    for name in names:
        if name:
            out.setdefault((name[0], len(name)), []).append(name)
    return out


def _near(buckets: Buckets | PackedBuckets, text: str, limit: int) -> list[str]:
    """Names that may be within `limit` edits of text (same first letter, near length)."""
    n = len(text)
    first = text[:1]
    out: list[str] = []
    for size in range(n - limit, n + limit + 1):
        names = buckets.get((first, size))
        if names is not None:
            out += names.split(PACK) if isinstance(names, str) else names
    return out


def _packed_by_length(
    names: Sequence[str],
    keep: Callable[[int, str], bool],
    fold: Callable[[str], str] = str,
) -> PackedBuckets:
    """The names kept (`keep(i, folded name)`), folded, by first letter and length as
    `_by_length`, each bucket packed: made a bucket at a time, so that the folded names never
    all exist at once (100,000 short strings made and dropped leave the heap in holes)."""
    places: dict[tuple[str, int], list[int]] = {}
    for i, name in enumerate(names):
        flat = fold(name)
        if flat and keep(i, flat):
            places.setdefault((flat[0], len(flat)), []).append(i)
    return {key: PACK.join(fold(names[i]) for i in ids) for key, ids in places.items()}


def _allowed(text: str) -> int:
    """Edits tolerated for a word of this length."""
    n = len(text)
    return 1 if n <= 8 else 2 if n <= 15 else 3


class _Reading:
    """One message being read: the words claimed so far and what they were found to be."""

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

    # ------------------------------------------------------------------- run

    def run(self) -> None:
        p, said = self.p, self.said
        # Per word, once: a number, a lexicon word, a word that looks like a typo.
        self.digit = [w.isdigit() for w in self.words]
        self.known = [w in p.table for w in self.words]
        self.typo = [
            w.isalpha() and len(w) >= 3 and not k and not p.is_word(w)
            for w, k in zip(self.words, self.known, strict=True)
        ]
        self._pre_signals()
        self._title_word()
        self._jamo_words()
        self._spans()
        self._hangul_names()
        self._short_names_ko()
        self._hangul_near_names()
        self._stems()
        self._emoji()
        self._a_feel()
        self._aftermath()
        self._years()
        self._count()
        self._inflections()
        self._typos()
        self._negation()
        self._relative()
        self._in_passing()
        self._talk_hedged()
        said.mentions = sorted(self.mentions, key=lambda m: m.pos)
        said.unknown = [
            w
            for i, w in enumerate(self.words)
            if not self.used[i]
            and i not in self.verb_like
            and not has_hangul(w)
            and not w.isdigit()
            and w not in p.quiet
            and not self._jamo_run(w)
        ]
        said.leftover = len(said.unknown)
        if any(w in p.lex.intents.request for w in self.words) or self._kind_asked():
            said.signals.add("request")
        self._moods_not_moves()
        # "ok now ballads by female singers": follow-up words that only open the message.
        marked = [i for i, meaning in self.marks if meaning == "op:markers"]
        if marked and all(self.words[i] in p.lex.intents.openers for i in marked):
            said.signals.add("openers")
        last = self.words[-1] if self.words else ""
        if has_hangul(last) and last.endswith(p.lex.follow_endings_ko) and len(last) > 1:
            said.signals.add("op:markers")  # "이별 노래로": make it breakup songs
            said.signals.discard("openers")
        tokens = self.msg.tokens
        for m in self.mentions:
            k = m.last + 1  # "IU는?", "Davichi는요": and IU? (a Latin name, a topic ending)
            if m.kind in ("drama", "artist") and k < len(tokens) and not tokens[m.last].hangul:
                glued = tokens[k].start == tokens[m.last].end
                if glued and self.words[k] in p.lex.topic_endings_ko:
                    said.signals.add("op:markers")
        flat = self.msg.flat.text
        # A word that points at a song, even inside a longer phrase ("not that one").
        this = p.lex.references
        if any(w in this.this for w in self.words) or any(squash(k) in flat for k in this.this_ko):
            said.signals.add("pointer")
        if any(w in p.lex.smalltalk.reaction for w in self.words) or any(
            k in flat for k in p.reaction_keys
        ):
            said.signals.add("reaction")
        if said.refs or "this" in said.signals:
            # "the 2nd one is daebak", "last one kinda mid": praise of a song pointed at.
            if "praise" in said.signals and "dislike" not in said.signals:
                said.signals.add("like")
            if "pan" in said.signals and "like" not in said.signals:
                said.signals.add("dislike")
        if "list" in said.signals:
            self._listing()
        if "browse" in said.signals:
            said.browse_arg = self.browse_arg()
        said.query = self._query()

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

    def _jamo_words(self) -> None:
        """ "ㅋㅋㅋ" and "ㅎㅎ" laugh, whatever their length; "ㅠㅠ" cries (an emoji, below)."""
        laugh = unicodedata.normalize("NFKC", "ㅋㅎ")
        for i, w in enumerate(self.words):
            if w and all(ch in laugh for ch in w) and (len(w) >= 2 or w == laugh[0]):
                self.said.smalltalk.append("laugh")
                self.said.signals.add("talk:laugh")
                self.take(i, i + 1)
        if self._hesitating():
            self.said.smalltalk.append("hesitation")
            self.said.signals.add("talk:hesitation")
            self.take(0, len(self.words))

    def _hesitating(self) -> bool:
        """Hesitation alone ("hmm", "음..", "well", "🤔", "...") or keys mashed in jamo
        ("ㅁㄴㅇㄹ"): it asks for nothing, so it is small talk, not "another"."""
        talk = self.p.lex.smalltalk
        if len(self.words) > MAX_HESITATION:
            return False
        if not all(w in talk.hesitation or self._mashed(w) for w in self.words):
            return False
        text = self.msg.text
        for tok in self.msg.tokens:  # what is left besides the words: dots, emoji
            text = text[: tok.start] + " " * (tok.end - tok.start) + text[tok.end :]
        thinking = any(e in text for e in talk.hesitation_emoji)
        for e in talk.hesitation_emoji:
            text = text.replace(e, " ")
        marks = set(text) - set(" \t\n\ufe0f")
        # "?" alone asks how to ask; "hmm?" and "🤔?" hesitate.
        allowed = set(".…,~") | (set("?!") if self.words or thinking else set())
        return marks <= allowed and bool(self.words or thinking or marks)

    def _mashed(self, word: str) -> bool:
        """Jamo that spell no word of the lexicon (ㅇㅋ, ㄴㄴ, said twice: ㅇㅋㅇㅋ) nor
        laughter or tears."""
        if not all("\u1100" <= ch <= "\u11ff" for ch in word):
            return False
        half = word[: len(word) // 2]
        said = squash(word) in self.p.stem_keys or (half * 2 == word and half in self.p.stem_keys)
        return not said and not set(word) <= _LAUGH_OR_TEARS

    def _jamo_run(self, word: str) -> bool:
        return bool(word) and all(ch in _JAMO for ch in word)

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

    def _use_words(self, a: int, b: int) -> None:
        """Words wholly inside characters a..b-1 are used."""
        flat = self.msg.flat
        first, last = flat.token_span(a, b)
        for t in range(first, last + 1):
            start = flat.starts[t]
            end = flat.starts[t + 1] if t + 1 < len(flat.starts) else len(flat.text)
            if a <= start and end <= b:
                self.used[t] = True

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

    def _talk_hedged(self) -> None:
        """Small talk with a word more: "what even is an ost", "what exactly are osts", and
        the Korean "OST가 뭔데", "오에스티가 무슨 뜻이야" (an OST word, a particle, a question)."""
        said, p = self.said, self.p
        if said.smalltalk or any(m.kind != "era" for m in self.mentions):
            return
        hedges = p.lex.smalltalk.hedges
        plain = " " + " ".join(w for w in self.words if w not in hedges) + " "
        found = [kind for phrase, kind in p.talk_phrases.items() if f" {phrase} " in plain]
        if "list" not in said.signals and p.define_ko.search(self.msg.flat.text):
            found.append("what_is_ost")
        for kind in dict.fromkeys(found):
            said.smalltalk.append(kind)
            said.signals.add(f"talk:{kind}")

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

    # ---------------------------------------------------------------- the query

    def _seed(self, ids: list[int], dramas: list[str], artists: list[str]) -> str:
        """The song "like X" means: the one of that title the message pins, else the best
        known (its drama and artists have the most songs here)."""
        index = self.p.index

        def rank(t: int) -> tuple[int, int, int, int]:
            tr = index.tracks[t]
            acts = index.credit(tr.artist)
            pinned = (tr.drama in dramas) + sum(
                t in index.artist_track_sets.get(a, frozenset()) for a in artists
            )
            known = len(index.drama_tracks.get(tr.drama, ())) + sum(
                len(index.artist_tracks.get(a, ())) for a in acts
            )
            fame, drama_fame = index.renown(t)  # issue 10: sourced popularity first
            return -pinned, -fame, -drama_fame, -known

        return index.tracks[min(ids, key=rank)].key

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

    def _query(self) -> Query:
        p, said = self.p, self.said
        vocab = p.index.vocabulary.tags
        energies = set(p.index.vocabulary.energies())
        weights: dict[str, float] = {}
        energy: list[str] = []
        not_tags: list[str] = []
        not_energy: list[str] = []
        dramas: list[str] = []
        artists: list[str] = []
        not_dramas: list[str] = []
        not_artists: list[str] = []
        not_tracks: list[str] = []
        not_years: list[tuple[int, int]] = []
        year_from = year_to = None
        occasion = None
        avoid: list[str] = []
        occasion_energy: list[str] = []  # what occasions suggest, when no energy is said
        other = None
        similar_to: list[int] | None = None
        eras: list[Mention] = []
        voice: list[str] = []  # issue 10: voice and form tags are conditions, not moods
        known: set[str] = set()  # issue 10: how well known (popularity.ASKS)
        for m in said.mentions:
            if m.kind == "tag" and vocab[str(m.value)].kind in FILTER_KINDS:
                if not m.negated:  # "not a duet" is not something the catalog can say
                    voice.append(str(m.value))
            elif m.kind == "popularity":
                known.add("deep" if m.negated else str(m.value))  # "not popular": deep cuts
            elif m.kind == "tag":
                tag = str(m.value)
                if vocab[tag].kind == "energy":
                    (not_energy if m.negated or m.relative < 0 else energy).append(tag)
                elif m.negated or m.relative < 0:
                    not_tags.extend([tag, *vocab[tag].near])
                else:
                    weights[tag] = max(weights.get(tag, 0.0), m.weight)
            elif m.kind == "occasion":
                occ = p.occasions.items[str(m.value)]
                if m.negated:
                    not_tags.extend(occ.main)
                    not_energy.extend(occ.energy if len(occ.energy) < 3 else ())
                    continue
                occasion = occasion or occ.name
                for tag, w in occ.tags:
                    weights[tag] = max(weights.get(tag, 0.0), w * 0.8)
                occasion_energy.extend(occ.energy)
                avoid.extend(occ.avoid)
            elif m.kind == "drama":
                (not_dramas if m.negated else dramas).append(str(m.value))
                other = other or m.other
            elif m.kind == "artist":
                (not_artists if m.negated else artists).append(str(m.value))
                other = other or m.other
            elif m.kind == "title":
                ids = list(m.value)  # type: ignore[call-overload]
                if m.negated:
                    not_tracks.extend(p.index.tracks[t].key for t in ids)
                elif m.cue == "similar" and similar_to is None:
                    similar_to = ids
            elif m.kind == "years":
                lo, hi = cast(tuple[int | None, int | None], m.value)
                if m.negated:
                    not_years.append((lo or 0, hi or 9999))
                else:
                    year_from, year_to = lo, hi
            elif m.kind == "era":
                lo, hi = self._era(str(m.value))
                if m.negated:  # "옛날 노래 말고", "nothing too recent": the era left out
                    not_years.append((lo or 0, hi or 9999))
                else:
                    eras.append(m)
        if eras and year_from is None and year_to is None:
            era = str(self._wished(eras).value)
            year_from, year_to = self._era(era, dramas, artists)
        # What is said outright wins over what an occasion suggests: an energy said replaces
        # the occasion's ("after the party, something quiet"), a mood said leaves out the
        # occasion's moods that go against it, and counts more than the rest.
        explicit = {
            str(m.value)
            for m in said.mentions
            if m.kind == "tag" and not m.negated and m.relative >= 0
        }
        if not energy:
            energy = occasion_energy
        against = {x for t in explicit for x in vocab[t].opposite} - explicit
        weights = {t: w for t, w in weights.items() if t not in against}
        tags = [t for t in weights if t not in not_tags]
        if explicit & {t for t in weights if vocab[t].kind == "mood"}:
            for t in weights:
                if t not in explicit:
                    weights[t] *= 0.4
        tags.sort(key=lambda t: (t not in explicit, -weights[t]))
        # An occasion's avoid list gives way to what was asked for outright.
        not_tags += [t for t in avoid if t not in explicit]
        energy_allowed = [e for e in dict.fromkeys(energy) if e not in not_energy]
        if energy and not energy_allowed:
            energy_allowed = []
        count = said.count
        plural = "plural" in said.signals
        asked = None
        if count is None:
            count = 3 if plural else 1
        if count > MAX_COUNT:
            asked, count = count, MAX_COUNT
        # "Jin from BTS": the group only says which Jin.
        members = {a for g in artists for a in p.index.group_members.get(g, ())}
        if any(a in members for a in artists):
            artists = [
                a for a in artists if not set(p.index.group_members.get(a, ())) & set(artists)
            ]
        drama = dramas[0] if dramas else None
        artist = artists[0] if artists else None
        return Query(
            tags=tuple(tags),
            weights=tuple((t, round(weights[t], 3)) for t in tags if weights[t] != 1.0),
            energy=tuple(e for e in energy_allowed if e in energies),
            drama=drama,
            artist=artist,
            also_artists=tuple(dict.fromkeys(a for a in artists[1:] if a != artist)),
            year_from=year_from,
            year_to=year_to,
            occasion=occasion,
            voice=tuple(dict.fromkeys(voice)),
            popularity=next((ask for ask in ASKS if ask in known), None),
            count=max(1, count),
            asked=asked,
            not_tags=tuple(dict.fromkeys(not_tags)),
            not_energy=tuple(dict.fromkeys(not_energy)),
            not_dramas=tuple(dict.fromkeys(d for d in not_dramas if d != drama)),
            not_artists=tuple(dict.fromkeys(not_artists)),
            not_tracks=tuple(dict.fromkeys(not_tracks)),
            not_years=tuple(not_years),
            similar_to=self._seed(similar_to, dramas, artists) if similar_to else None,
            title=said.title,
            other=other,
            unknown=tuple(said.unknown),
            suggestions=(),
        )
