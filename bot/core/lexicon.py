"""The request lexicon (data/lexicon.toml): the small words the parser reads requests by.

Read once and checked like the mood vocabulary: every list the parser needs must be present,
hold words, and nothing unknown may sit beside them (a misspelt key would otherwise be ignored
silently).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

from bot.core.popularity import ASKS
from bot.core.shipped import DATA_DIR
from bot.core.text import norm

LEXICON_FILE = DATA_DIR / "lexicon.toml"
WORDS_EN = DATA_DIR / "words-en.txt"
WORDS_KO = DATA_DIR / "words-ko.txt"

Words = frozenset[str]


class LexiconError(ValueError):
    """data/lexicon.toml is missing, unreadable or incomplete."""


Phrases = frozenset[str]
Table = dict[str, int]


@dataclass(frozen=True)
class Names:
    """When a word is a name: cues, everyday words and Korean particles."""

    everyday_rank: int
    everyday_ko: Words
    cue_before: Words
    cue_after: Words
    artist_cue_after: Words
    cue_pointed: Words
    pointed_ko: tuple[str, ...]
    cue_ko: tuple[str, ...]
    artist_cue: Words
    drama_cue: Words
    drama_only_cue: Words
    particles_ko: tuple[str, ...]
    window_ko: int
    window_cue_ko: tuple[str, ...]
    window_pass_ko: tuple[str, ...]


@dataclass(frozen=True)
class Intents:
    request: Words
    wish: Phrases
    request_ko: tuple[str, ...]
    request_emoji: tuple[str, ...]
    lookup: Phrases
    lookup_ko: tuple[str, ...]
    list: Phrases
    list_ko: tuple[str, ...]
    list_dramas: tuple[str, ...]
    list_moods: tuple[str, ...]
    list_songs: tuple[str, ...]
    kinds: Words
    kinds_ko: tuple[str, ...]
    openers: Words
    title_before: Words
    title_after: Phrases
    title_lead: Phrases
    title_ko: tuple[str, ...]
    title_end_ko: tuple[str, ...]
    browse_dramas: Phrases
    browse_dramas_ko: tuple[str, ...]
    browse_moods: Phrases
    browse_moods_ko: tuple[str, ...]
    browse_about: Phrases
    browse_page: Words
    browse_page_ko: tuple[str, ...]


@dataclass(frozen=True)
class Negation:
    before: Phrases
    clause_end: Words
    after_ko: tuple[str, ...]
    before_ko: tuple[str, ...]


@dataclass(frozen=True)
class Refine:
    markers: Phrases
    markers_ko: tuple[str, ...]
    more: Phrases
    more_ko: tuple[str, ...]
    count_change: Phrases
    calmer: Phrases
    calmer_ko: tuple[str, ...]
    livelier: Phrases
    livelier_ko: tuple[str, ...]
    older: Phrases
    older_ko: tuple[str, ...]
    newer: Phrases
    newer_ko: tuple[str, ...]
    more_of: Phrases
    less_of: Phrases
    more_of_ko: tuple[str, ...]
    less_of_ko: tuple[str, ...]
    same_artist: Phrases
    same_artist_ko: tuple[str, ...]
    same_drama: Phrases
    same_drama_ko: tuple[str, ...]
    same_vibe: Phrases
    same_vibe_ko: tuple[str, ...]
    similar: Phrases
    similar_ko: tuple[str, ...]
    reject: Phrases
    reject_ko: tuple[str, ...]
    the_artist: Phrases
    the_artist_ko: tuple[str, ...]
    the_drama: Phrases
    the_drama_ko: tuple[str, ...]


@dataclass(frozen=True)
class References:
    ordinals: Table
    ordinals_ko: Table
    number_words: Words
    determiners: Words
    this: Phrases
    this_ko: tuple[str, ...]


@dataclass(frozen=True)
class FeedbackWords:
    like: Phrases
    like_emoji: tuple[str, ...]
    like_ko: tuple[str, ...]
    dislike: Phrases
    dislike_emoji: tuple[str, ...]
    dislike_ko: tuple[str, ...]
    # Words that judge a song only when one is pointed at ("the 2nd one is daebak", "첫번째 거
    # 완전 내 스타일", "last one kinda mid"): a like (praise) or a dislike (pan) then.
    praise: Phrases
    praise_ko: tuple[str, ...]
    pan: Phrases
    pan_ko: tuple[str, ...]


# Small talk, by what it answers: greeting, thanks, bye, laugh, praise, ok, sorry, what_is_ost,
# about_bot, how_are_you, help, chat.
SMALLTALK = (
    "greeting",
    "thanks",
    "bye",
    "laugh",
    "praise",
    "ok",
    "sorry",
    "what_is_ost",
    "about_bot",
    "how_are_you",
    "help",
    "chat",
)


@dataclass(frozen=True)
class Smalltalk:
    en: dict[str, Phrases]  # kind -> phrases
    ko: dict[str, tuple[str, ...]]
    repeat_jamo: tuple[str, ...]
    hesitation: Words  # said alone: "hmm", "음", "well"
    hesitation_emoji: tuple[str, ...]  # "🤔"
    hedges: Words
    define_ost_ko: tuple[str, ...]
    define_ko: tuple[str, ...]
    reaction: Phrases
    reaction_ko: tuple[str, ...]
    feeling: Phrases
    feeling_ko: tuple[str, ...]
    any: Phrases
    any_ko: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    filler: Words
    plural: Words
    plural_ko: tuple[str, ...]
    numbers: dict[str, int]
    numbers_ko: dict[str, int]
    units_ko: tuple[str, ...]
    not_counts_after: Words  # "episode 5": no count
    recent: Words
    recent_ko: tuple[str, ...]
    latest: Words
    latest_ko: tuple[str, ...]
    old: Phrases
    old_ko: tuple[str, ...]
    era_years: dict[str, int]  # latest, recent, old: how many years back each reaches
    decade_parts: dict[str, tuple[int, int]]  # "early" -> (0, 4): years into a decade
    range_joiners: Words  # "2003 to 2007"
    range_opener: Words  # "between 2005 and 2009"
    wished_nouns: Words  # what an era said of the songs asked for stands beside
    before: Words
    after: Words
    since: Words
    aftermath: Words  # "after the party": what comes after an occasion
    aftermath_between: Words
    aftermath_ko: tuple[str, ...]
    before_ko: tuple[str, ...]
    after_ko: tuple[str, ...]
    before_word_ko: tuple[str, ...]
    after_word_ko: tuple[str, ...]
    cue_before: Words
    cue_after: Words
    bare: Words
    bare_ko: Words  # beside a name in Latin letters: "Punch 노래"
    spent: Words
    similar: Words
    similar_joiner: Words
    similar_not_after: Words
    similar_ko: tuple[str, ...]
    follow_endings_ko: tuple[str, ...]
    topic_endings_ko: tuple[str, ...]
    command_filler: Words
    openers: Words
    confirm: Words
    shorthand: dict[str, str]
    names: Names
    intents: Intents
    negation: Negation
    refine: Refine
    references: References
    feedback: FeedbackWords
    smalltalk: Smalltalk
    # How well known the songs should be: English phrase -> one of popularity.ASKS, and per
    # ask its Korean stems, in ASKS order (the first found wins).
    popularity: dict[str, str]
    popularity_ko: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def era_words(self) -> Words:
        return self.recent | self.latest | self.old

    @classmethod
    def load(cls, path: Path = LEXICON_FILE) -> Lexicon:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise LexiconError(f"{path.name}: {exc}") from exc
        read = _Reader(path.name, raw)
        lexicon = cls(
            filler=read.words("filler"),
            plural=read.words("plural"),
            plural_ko=read.stems("plural_ko"),
            numbers=read.numbers("numbers.en"),
            numbers_ko=read.numbers("numbers.ko"),
            units_ko=read.stems("numbers.units_ko"),
            not_counts_after=read.words("numbers.not_after"),
            recent=read.words("years.recent"),
            recent_ko=read.stems("years.recent_ko"),
            latest=read.words("years.latest"),
            latest_ko=read.stems("years.latest_ko"),
            era_years=read.numbers("years.spans"),
            old=read.phrases("years.old"),
            decade_parts=read.pairs("years.decade_parts"),
            range_joiners=read.words("years.range_joiners"),
            range_opener=read.words("years.range_opener"),
            wished_nouns=read.words("years.wished_nouns"),
            old_ko=read.stems("years.old_ko"),
            before=read.words("years.before"),
            after=read.words("years.after"),
            since=read.words("years.since"),
            aftermath=read.words("aftermath.en"),
            aftermath_between=read.words("aftermath.between"),
            aftermath_ko=read.stems("aftermath.ko"),
            before_ko=read.stems("years.before_ko"),
            after_ko=read.stems("years.after_ko"),
            before_word_ko=read.stems("years.before_word_ko"),
            after_word_ko=read.stems("years.after_word_ko"),
            cue_before=read.words("cues.before"),
            cue_after=read.words("cues.after"),
            bare=read.words("cues.bare"),
            bare_ko=read.words("cues.bare_ko"),
            spent=read.words("cues.spent"),
            similar=read.words("similar.en"),
            similar_joiner=read.words("similar.en_joiner"),
            similar_not_after=read.words("similar.not_after"),
            similar_ko=read.stems("similar.ko"),
            follow_endings_ko=read.stems("endings.follow_ko"),
            topic_endings_ko=read.stems("endings.topic_ko"),
            command_filler=read.words("commands.filler"),
            openers=read.words("commands.openers"),
            confirm=read.words("commands.confirm"),
            shorthand=read.strings("shorthand.en"),
            names=Names(
                everyday_rank=read.number("names.everyday_rank"),
                everyday_ko=frozenset(read.stems("names.everyday_ko")),
                cue_before=read.words("names.cue_before"),
                cue_after=read.words("names.cue_after"),
                artist_cue_after=read.words("names.artist_cue_after"),
                cue_pointed=read.words("names.cue_pointed"),
                pointed_ko=read.stems("names.pointed_ko"),
                cue_ko=read.stems("names.cue_ko"),
                artist_cue=frozenset(read.stems("names.artist_cue")),
                drama_cue=frozenset(read.stems("names.drama_cue")),
                drama_only_cue=read.words("names.drama_only_cue"),
                particles_ko=tuple(sorted(read.stems("names.particles_ko"), key=len, reverse=True)),
                window_ko=read.number("names.window_ko"),
                window_cue_ko=read.stems("names.window_cue_ko"),
                window_pass_ko=read.stems("names.window_pass_ko"),
            ),
            intents=Intents(
                request=read.words("intents.request"),
                wish=read.phrases("intents.wish"),
                request_ko=read.stems("intents.request_ko"),
                request_emoji=read.stems("intents.request_emoji"),
                lookup=read.phrases("intents.lookup"),
                lookup_ko=read.stems("intents.lookup_ko"),
                list=read.phrases("intents.list"),
                list_ko=read.stems("intents.list_ko"),
                list_dramas=read.stems("intents.list_dramas"),
                list_moods=read.stems("intents.list_moods"),
                list_songs=read.stems("intents.list_songs"),
                kinds=read.words("intents.kinds"),
                kinds_ko=read.stems("intents.kinds_ko"),
                openers=read.words("intents.openers"),
                title_before=read.words("intents.title_before"),
                title_after=read.phrases("intents.title_after"),
                title_lead=read.phrases("intents.title_lead"),
                title_ko=read.stems("intents.title_ko"),
                title_end_ko=read.stems("intents.title_end_ko"),
                browse_dramas=read.phrases("intents.browse_dramas"),
                browse_dramas_ko=read.stems("intents.browse_dramas_ko"),
                browse_moods=read.phrases("intents.browse_moods"),
                browse_moods_ko=read.stems("intents.browse_moods_ko"),
                browse_about=read.phrases("intents.browse_about"),
                browse_page=read.words("intents.browse_page"),
                browse_page_ko=read.stems("intents.browse_page_ko"),
            ),
            negation=Negation(
                before=read.phrases("negation.before"),
                clause_end=read.words("negation.clause_end"),
                after_ko=read.stems("negation.after_ko"),
                before_ko=read.stems("negation.before_ko"),
            ),
            refine=Refine(**read.section("refine", Refine)),
            references=References(
                ordinals=read.table("references.ordinals"),
                ordinals_ko=read.table("references.ordinals_ko"),
                number_words=read.words("references.number_words"),
                determiners=read.words("references.determiners"),
                this=read.phrases("references.this"),
                this_ko=read.stems("references.this_ko"),
            ),
            feedback=FeedbackWords(
                like=read.phrases("feedback.like"),
                like_emoji=read.stems("feedback.like_emoji"),
                like_ko=read.stems("feedback.like_ko"),
                dislike=read.phrases("feedback.dislike"),
                dislike_emoji=read.stems("feedback.dislike_emoji"),
                dislike_ko=read.stems("feedback.dislike_ko"),
                praise=read.phrases("feedback.praise"),
                praise_ko=read.stems("feedback.praise_ko"),
                pan=read.phrases("feedback.pan"),
                pan_ko=read.stems("feedback.pan_ko"),
            ),
            smalltalk=Smalltalk(
                en={kind: read.phrases(f"smalltalk.{kind}") for kind in SMALLTALK},
                ko={kind: read.stems(f"smalltalk.{kind}_ko") for kind in SMALLTALK},
                repeat_jamo=read.stems("smalltalk.repeat_jamo"),
                hesitation=read.words("smalltalk.hesitation")
                | read.words("smalltalk.hesitation_ko"),
                hesitation_emoji=read.stems("smalltalk.hesitation_emoji"),
                hedges=read.words("smalltalk.hedges"),
                define_ost_ko=read.stems("smalltalk.define_ost_ko"),
                define_ko=read.stems("smalltalk.define_ko"),
                reaction=read.phrases("smalltalk.reaction"),
                reaction_ko=read.stems("smalltalk.reaction_ko"),
                feeling=read.phrases("smalltalk.feeling"),
                feeling_ko=read.stems("smalltalk.feeling_ko"),
                any=read.phrases("smalltalk.any"),
                any_ko=read.stems("smalltalk.any_ko"),
            ),
            popularity={
                phrase: ask
                for ask in reversed(ASKS)  # the first in ASKS wins a phrase listed twice
                for phrase in read.phrases(f"popularity.{ask}")
            },
            popularity_ko=tuple((ask, read.stems(f"popularity.{ask}_ko")) for ask in ASKS),
        )
        if set(lexicon.era_years) != {"latest", "recent", "old"}:
            raise LexiconError(f"{path.name}: years.spans needs latest, recent and old")
        read.check_nothing_else()
        return lexicon


@cache
def lexicon() -> Lexicon:
    """The shipped lexicon, read once."""
    return Lexicon.load()


class _Reader:
    """Takes values out of the parsed TOML by dotted key, remembering what was read."""

    def __init__(self, name: str, raw: dict[str, object]) -> None:
        self.name = name
        self.raw = raw
        self.read: set[str] = set()

    def _get(self, key: str) -> object:
        node: object = self.raw
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise LexiconError(f"{self.name}: {key} is missing")
            node = node[part]
        self.read.add(key)
        return node

    def stems(self, key: str) -> tuple[str, ...]:
        value = self._get(key)
        if not isinstance(value, list) or not value:
            raise LexiconError(f"{self.name}: {key} must be a non-empty list of words")
        for word in value:
            if not isinstance(word, str) or not word.strip() or word != word.strip():
                raise LexiconError(f"{self.name}: {key} has an empty or padded word {word!r}")
        return tuple(value)

    def words(self, key: str) -> Words:
        """English words are compared with the normalised message: lower case, no spaces."""
        stems = self.stems(key)
        for word in stems:
            if word != word.casefold() or " " in word:
                raise LexiconError(f"{self.name}: {key}: {word!r} must be one lower-case word")
        return frozenset(stems)

    def phrases(self, key: str) -> Phrases:
        """English phrases of one or more words, as the normalised message has them."""
        stems = self.stems(key)
        for phrase in stems:
            if norm(phrase) != phrase:
                raise LexiconError(
                    f"{self.name}: {key}: {phrase!r} must be lower case, no punctuation"
                )
        return frozenset(stems)

    def section(self, key: str, shape: Any) -> dict[str, Any]:
        """Every field of a dataclass of word lists: Korean stems (`*_ko`), else phrases."""
        return {
            name: (self.stems if name.endswith("_ko") else self.phrases)(f"{key}.{name}")
            for name in (f.name for f in fields(shape))
        }

    def strings(self, key: str) -> dict[str, str]:
        """A table of words and what they stand for ("u" = "you")."""
        value = self._get(key)
        if not isinstance(value, dict) or not value:
            raise LexiconError(f"{self.name}: {key} must be a table of words")
        for word, meaning in value.items():
            if not isinstance(meaning, str) or norm(meaning) != meaning or norm(word) != word:
                raise LexiconError(f"{self.name}: {key}.{word} must be lower-case words")
        return dict(value)

    def number(self, key: str) -> int:
        value = self._get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise LexiconError(f"{self.name}: {key} must be a whole number above 0")
        return value

    def table(self, key: str) -> dict[str, int]:
        """Words and whole numbers (negative allowed: -1 is "the last")."""
        value = self._get(key)
        if not isinstance(value, dict) or not value:
            raise LexiconError(f"{self.name}: {key} must be a table of words and numbers")
        for word, n in value.items():
            if not isinstance(n, int) or isinstance(n, bool) or n == 0:
                raise LexiconError(f"{self.name}: {key}.{word} must be a whole number, not 0")
        return dict(value)

    def pairs(self, key: str) -> dict[str, tuple[int, int]]:
        """Words and two whole numbers, the first not above the second: early = [0, 4]."""
        value = self._get(key)
        if not isinstance(value, dict) or not value:
            raise LexiconError(f"{self.name}: {key} must be a table of words and number pairs")
        out: dict[str, tuple[int, int]] = {}
        for word, pair in value.items():
            if (
                not isinstance(pair, list)
                or len(pair) != 2
                or not all(isinstance(n, int) and not isinstance(n, bool) for n in pair)
                or not 0 <= pair[0] <= pair[1]
            ):
                raise LexiconError(
                    f"{self.name}: {key}.{word} must be two whole numbers, low first"
                )
            out[word] = (pair[0], pair[1])
        return out

    def numbers(self, key: str) -> dict[str, int]:
        value = self._get(key)
        if not isinstance(value, dict) or not value:
            raise LexiconError(f"{self.name}: {key} must be a table of words and numbers")
        for word, n in value.items():
            if not isinstance(n, int) or isinstance(n, bool) or n < 1:
                raise LexiconError(f"{self.name}: {key}.{word} must be a whole number above 0")
        return dict(value)

    def check_nothing_else(self) -> None:
        def leaves(node: dict[str, object], prefix: str) -> list[str]:
            out = []
            for k, v in node.items():
                path = f"{prefix}{k}"
                if path in self.read:
                    continue
                out += leaves(v, path + ".") if isinstance(v, dict) else [path]
            return out

        unknown = leaves(self.raw, "")
        if unknown:
            raise LexiconError(f"{self.name}: unknown key(s) {', '.join(sorted(unknown))}")


@cache
def everyday_english() -> dict[str, int]:
    """Everyday English words (data/words-en.txt) -> their frequency rank, 0 the commonest."""
    words = _word_list(WORDS_EN)
    return dict(zip(words, range(len(words)), strict=True))


@cache
def everyday_korean() -> frozenset[str]:
    """Everyday Korean words written in Latin letters (data/words-ko.txt): "taeyang", "sarang"."""
    return frozenset(_word_list(WORDS_KO))


def _word_list(path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise LexiconError(f"{path.name}: {exc}") from exc
    # 30,000 words are read at every start. The generated files keep their comments at the
    # top: past them, when no other line is empty or a comment, the lines are the words.
    top = 0
    while top < len(lines) and (not lines[top] or lines[top].startswith("#")):
        top += 1
    body = lines[top:]
    if "" in body or "\n#" in "\n" + "\n".join(body):  # searched in C, not line by line
        return [line for line in body if line and not line.startswith("#")]
    return body
