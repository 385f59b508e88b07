"""Free text -> a command or a recommendation query.

The parser works on tokens of the normalised message. Names are matched first (dramas,
artists, and track titles after "like"), then moods, years and counts in what is left, and
finally small typos ("goblen", "romantc") against the same vocabularies.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.core.index import COMMON_WORDS, CatalogIndex, Entity
from bot.core.text import has_hangul, norm, squash

MAX_COUNT = 5  # tracks in one reply: fits Discord's 25 buttons and Telegram's 4096 chars

# Words that carry no meaning for ranking once names and moods are found.
FILLER = frozenset(
    [
        "a",
        "an",
        "the",
        "some",
        "something",
        "anything",
        "any",
        "me",
        "i",
        "im",
        "want",
        "wanna",
        "need",
        "please",
        "pls",
        "plz",
        "recommend",
        "recommendation",
        "recommendations",
        "suggest",
        "suggestion",
        "give",
        "show",
        "play",
        "find",
        "get",
        "song",
        "songs",
        "ost",
        "osts",
        "track",
        "tracks",
        "music",
        "soundtrack",
        "soundtracks",
        "kdrama",
        "k",
        "drama",
        "dramas",
        "korean",
        "series",
        "from",
        "by",
        "of",
        "in",
        "for",
        "to",
        "with",
        "and",
        "or",
        "that",
        "is",
        "are",
        "be",
        "one",
        "ones",
        "good",
        "best",
        "nice",
        "great",
        "tune",
        "tunes",
        "listen",
        "hear",
        "feel",
        "feeling",
        "mood",
        "vibe",
        "vibes",
        "kind",
        "type",
        "about",
        "can",
        "you",
        "could",
        "would",
        "let",
        "lets",
        "us",
        "really",
        "very",
        "so",
        "just",
        "more",
        "other",
        "korea",
        "what",
        "whats",
        "which",
        "my",
        "your",
        "something",
        "somethin",
        "sing",
        "sung",
        "sang",
        "by",
        "bgm",
        "theme",
        "themes",
        "ballad",
        "ballads",
        "playlist",
        "hey",
        "hi",
        "hello",
        "ostbot",
        "bot",
    ]
)
PLURAL = frozenset(
    ["songs", "osts", "tracks", "soundtracks", "some", "ones", "ballads", "tunes", "few", "couple"]
)
KO_FILLER = ("추천", "해줘", "해주세요", "노래", "곡", "들려", "주세요", "좀", "오에스티", "드라마")

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "couple": 2,
    "few": 3,
    "several": 3,
}
KO_NUMBERS = {"한": 1, "두": 2, "세": 3, "네": 4, "다섯": 5, "여섯": 6, "일곱": 7, "열": 10}
RECENT = frozenset(["recent", "latest", "new", "newest", "newer", "lately", "current"])
KO_RECENT = ("최근", "최신", "요즘")
OLD = frozenset(["old", "older", "classic", "classics", "oldies"])
KO_OLD = ("옛날", "고전", "명작")
CUE_BEFORE = frozenset(["from", "in", "of"])
CUE_AFTER = frozenset(["ost", "osts", "soundtrack", "drama"])
BARE = frozenset("ost osts soundtrack song songs drama the k kdrama music".split())
# After "another"/"다른": words that still mean "the next pick", not a new request.
MORE_FILLER = frozenset("거 곡 것 노래 줘 하나 더 추천 추천해줘 one song please pls plz".split())

# Command words. Korean forms come after the English ones.
COMMANDS: dict[str, str] = {
    "help": "help",
    "h": "help",
    "?": "help",
    "start": "help",
    "commands": "help",
    "도움말": "help",
    "도움": "help",
    "사용법": "help",
    "moods": "moods",
    "mood": "moods",
    "tags": "moods",
    "무드": "moods",
    "분위기": "moods",
    "dramas": "dramas",
    "드라마목록": "dramas",
    "드라마들": "dramas",
    "drama": "drama",
    "show": "drama",
    "드라마": "drama",
    "artist": "artist",
    "singer": "artist",
    "가수": "artist",
    "아티스트": "artist",
    "similar": "similar",
    "비슷한": "similar",
    "another": "another",
    "next": "another",
    "more": "another",
    "again": "another",
    "다른": "another",
    "다른거": "another",
    "또": "another",
    "다음": "another",
    "like": "like",
    "👍": "like",
    "좋아": "like",
    "좋아요": "like",
    "dislike": "dislike",
    "👎": "dislike",
    "싫어": "dislike",
    "싫어요": "dislike",
    "별로": "dislike",
    "history": "history",
    "기록": "history",
    "히스토리": "history",
    "about": "about",
    "info": "about",
    "stats": "about",
    "정보": "about",
    "소개": "about",
    "recommend": "recommend",
    "rec": "recommend",
    "추천": "recommend",
    "추천해줘": "recommend",
    "reload": "reload",
}
# Commands whose argument is required to mean that command; on their own they are requests.
NEEDS_ARG = frozenset({"drama", "artist", "similar"})


@dataclass(frozen=True)
class Query:
    tags: tuple[str, ...] = ()
    drama: str | None = None
    artist: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    similar_to: str | None = None  # track key
    count: int = 1
    asked: int | None = None  # the count asked for, when above MAX_COUNT
    unknown: tuple[str, ...] = ()  # words that matched nothing
    suggestions: tuple[str, ...] = ()  # near misses, for "did you mean"

    @property
    def is_empty(self) -> bool:
        return not (
            self.tags
            or self.drama
            or self.artist
            or self.year_from
            or self.year_to
            or self.similar_to
        )

    def to_json(self) -> str:
        data = asdict(self)
        for k in ("unknown", "suggestions"):
            data.pop(k)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str) -> Query:
        data = json.loads(raw)
        data["tags"] = tuple(data.get("tags", ()))
        allowed = {f for f in cls.__dataclass_fields__ if f not in ("unknown", "suggestions")}
        return cls(**{k: v for k, v in data.items() if k in allowed})


@dataclass(frozen=True)
class Command:
    name: str
    arg: str = ""
    query: Query | None = None


@dataclass
class _Tokens:
    words: list[str]
    used: list[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.used = [False] * len(self.words)

    def free(self, i: int, j: int) -> bool:
        return not any(self.used[i:j])

    def take(self, i: int, j: int) -> None:
        for k in range(i, j):
            self.used[k] = True

    def spans(self, longest: int) -> Iterator[tuple[int, int, str]]:
        """Untaken runs of words, longest first, as (start, end, text).

        Lazy, so words taken while iterating are skipped from then on.
        """
        n = len(self.words)
        for size in range(min(longest, n), 0, -1):
            for i in range(n - size + 1):
                if self.free(i, i + size):
                    yield i, i + size, " ".join(self.words[i : i + size])

    def left(self) -> list[tuple[int, str]]:
        return [(i, w) for i, w in enumerate(self.words) if not self.used[i]]


class Parser:
    def __init__(self, index: CatalogIndex) -> None:
        self.index = index
        vocab = index.vocabulary
        self.phrases = vocab.english_phrases()
        self.stems = sorted(vocab.korean_stems().items(), key=lambda kv: -len(kv[0]))
        self.max_phrase = max(len(p.split()) for p in self.phrases)
        # Typo tolerance only for words long enough that one edit is still recognisable.
        self.fuzzy_phrases = [p for p in self.phrases if len(p) >= 4 and " " not in p]
        self.fuzzy_names = [n for n in index.names if len(n) >= 4 and n not in index.ambiguous]

    # ---------------------------------------------------------------- commands

    def parse(self, text: str) -> Command:
        words = text.split()
        while words and words[0].startswith("@"):  # "@ostbot recommend ..."
            words = words[1:]
        if not words:
            return Command("empty")
        head = words[0].lstrip("/!").split("@", 1)[0].casefold()  # "/help@ostbot"
        rest = " ".join(words[1:]).strip()
        name = COMMANDS.get(head)
        if name is None:
            return Command("recommend", text, self.query(" ".join(words)))
        if name == "recommend":  # on its own: any good song
            return Command("recommend", rest, self.query(rest))
        if name == "moods" and rest:
            return Command("recommend", rest, self.query(rest))
        if name in NEEDS_ARG and not rest:
            return Command("need_name", name)
        if name == "like" and rest and not re.fullmatch(r"\d+", rest):
            # "like Stay With Me" asks for similar songs, unless the name is one of the
            # tracks just shown; the service decides that, so pass both readings on.
            return Command("like", rest, self.query(" ".join(words)))
        if name == "another" and rest:
            if all(w.casefold() in MORE_FILLER for w in rest.split()):
                return Command("another")
            if head not in ("another", "next", "more", "again"):
                return Command("recommend", text, self.query(" ".join(words)))
        return Command(name, rest)

    # ------------------------------------------------------------------ queries

    def query(self, text: str) -> Query:
        index = self.index
        nt = norm(text)
        tokens = _Tokens(nt.split())
        q: dict[str, object] = {}
        suggestions: list[str] = []

        similar = self._similar(text, tokens)
        if similar is not None:
            q["similar_to"] = index.tracks[similar].key

        drama, artist = self._names(tokens)
        hangul_hits = self._hangul_names(text)
        for ent in hangul_hits:
            if ent.kind == "drama" and drama is None:
                drama = ent.name
            elif ent.kind != "drama" and artist is None:
                artist = ent.name

        tags = self._moods(tokens)
        hangul_text = " ".join(w for _, w in tokens.left() if has_hangul(w))
        flat = _without_names(hangul_text, hangul_hits, index)
        for stem, tag in self.stems:
            if stem in flat and tag not in tags:
                tags.append(tag)

        year_from, year_to = self._years(tokens, text)
        count, plural = self._count(tokens, text)

        # Typos: what is left, against moods, dramas and artists.
        for i, word in tokens.left():
            if (
                word in FILLER
                or word in COMMON_WORDS  # "life" is a word, not a typo of the drama "Live"
                or len(word) < 4
                or word.isdigit()
                or has_hangul(word)
            ):
                continue
            hit = self._fuzzy(word, tokens, i)
            if hit is None:
                continue
            kind, value, consumed = hit
            if kind == "tag" and value not in tags:
                tags.append(value)
            elif kind == "drama" and drama is None:
                drama = value
            elif kind in ("artist", "group") and artist is None:
                artist = value
            tokens.take(i, i + consumed)

        unknown = tuple(
            w
            for _, w in tokens.left()
            if w not in FILLER
            and not w.isdigit()
            and not has_hangul(w)
            and w not in RECENT
            and w not in OLD
            and w not in NUMBER_WORDS
        )
        for word in unknown:
            suggestions.extend(self._suggest(word))

        asked = None
        if count is None:
            count = 3 if plural else 1
        if count > MAX_COUNT:
            asked, count = count, MAX_COUNT
        return Query(
            tags=tuple(tags),
            drama=drama,
            artist=artist,
            year_from=year_from,
            year_to=year_to,
            similar_to=q.get("similar_to"),  # type: ignore[arg-type]
            count=max(1, count),
            asked=asked,
            unknown=unknown,
            suggestions=tuple(dict.fromkeys(suggestions))[:3],
        )

    # ------------------------------------------------------------------ pieces

    def _names(self, tokens: _Tokens) -> tuple[str | None, str | None]:
        index = self.index
        drama = artist = None
        words = tokens.words
        for i, j, key in tokens.spans(index.max_name_tokens):
            ent = index.names.get(key)
            if ent is None:
                continue
            if key in index.ambiguous and not self._cued(tokens, i, j):
                continue
            if ent.kind == "drama" and drama is None:
                drama = ent.name
            elif ent.kind != "drama" and artist is None:
                artist = ent.name
            else:
                continue
            tokens.take(i, j)
            # "from X" / "by X": the cue word is spent too.
            if i > 0 and words[i - 1] in ("from", "by", "of") and not tokens.used[i - 1]:
                tokens.take(i - 1, i)
        return drama, artist

    def _cued(self, tokens: _Tokens, i: int, j: int) -> bool:
        words = tokens.words
        before = words[i - 1] if i > 0 else ""
        after = words[j] if j < len(words) else ""
        if before in CUE_BEFORE or before == "by" or after in CUE_AFTER:
            return True
        if " ".join(words[i:j]) in self.phrases:
            return False  # "winter songs" is a season, not the singer Winter
        rest = [w for k, w in enumerate(words) if not (i <= k < j) and w not in BARE]
        return not rest  # the name is (almost) the whole request: "Life", "Life OST"

    def _hangul_names(self, text: str) -> list[Entity]:
        if not has_hangul(text):
            return []
        flat = squash(text)
        hits: list[Entity] = []
        for key in self.index.hangul_by_length:
            if key in flat:
                hits.append(self.index.hangul_names[key])
                flat = flat.replace(key, " ")
        return hits

    def _moods(self, tokens: _Tokens) -> list[str]:
        tags: list[str] = []
        for i, j, key in tokens.spans(self.max_phrase):
            tag = self.phrases.get(key)
            if tag is None:
                continue
            tokens.take(i, j)
            if tag not in tags:
                tags.append(tag)
        return tags

    def _similar(self, raw: str, tokens: _Tokens) -> int | None:
        """'like X', 'similar to X', 'X 같은 노래', 'X랑 비슷한' -> the track X."""
        index = self.index
        words = tokens.words
        for i, w in enumerate(words):
            if w not in ("like", "similar", "resembling"):
                continue
            start = i + 1
            if w == "similar" and start < len(words) and words[start] == "to":
                start += 1
            for size in range(min(index.max_title_tokens + 3, len(words) - start), 0, -1):
                span = words[start : start + size]
                hit = self._title(span)
                if hit is not None:
                    idx, used = hit
                    tokens.take(i, start + used)
                    return idx
        if has_hangul(raw):
            m = re.search(r"(.+?)\s*(?:같은|랑 비슷|이랑 비슷|과 비슷|와 비슷|비슷한|느낌)", raw)
            if m:
                flat = squash(m.group(1))
                for key in index.hangul_titles_by_length:
                    if flat.endswith(key) and len(key) >= 2:
                        return index.hangul_titles[key][0]
        return None

    def _title(self, span: list[str]) -> tuple[int, int] | None:
        """Match a track title at the start of span; 'X by ARTIST' picks among namesakes."""
        index = self.index
        for size in range(len(span), 0, -1):
            key = " ".join(span[:size])
            found = index.titles.get(key)
            if not found and len(key) >= 6 and size == len(span):
                best = process.extractOne(
                    key, index.titles.keys(), scorer=OSA.distance, score_cutoff=_allowed(key)
                )
                found = index.titles.get(best[0]) if best else None
            if not found:
                continue
            rest = span[size:]
            used = size
            if len(found) > 1 and len(rest) >= 2 and rest[0] == "by":
                who = " ".join(rest[1:])
                for idx in found:
                    if who in norm(index.tracks[idx].artist):
                        return idx, len(span)
            return found[0], used
        return None

    def _years(self, tokens: _Tokens, raw: str) -> tuple[int | None, int | None]:
        index = self.index
        year_from = year_to = None
        years: list[int] = []
        mode = ""
        for i, w in tokens.left():
            decade = re.fullmatch(r"((?:19|20)?\d0)s", w)
            if decade:
                d = int(decade.group(1))
                d = d + (1900 if d >= 50 else 2000) if d < 100 else d
                year_from, year_to = d, d + 9
                tokens.take(i, i + 1)
                continue
            m = re.fullmatch(r"((?:19|20)\d\d)(?:년대|년)?", w)
            if m:
                if w.endswith("년대"):
                    d = int(m.group(1))
                    year_from, year_to = d, d + 9
                else:
                    years.append(int(m.group(1)))
                tokens.take(i, i + 1)
                prev = tokens.words[i - 1] if i else ""
                if prev in ("before", "until", "pre"):
                    mode = "before"
                    tokens.take(i - 1, i)
                elif prev in ("after", "since"):
                    mode = "after"
                    tokens.take(i - 1, i)
            elif w in RECENT or any(k in w for k in KO_RECENT):
                year_from = index.max_year - 2
                tokens.take(i, i + 1)
            elif w in OLD or any(k in w for k in KO_OLD):
                year_to = index.max_year - 10
                tokens.take(i, i + 1)
        if "이전" in raw or "전에" in raw:
            mode = mode or "before"
        if "이후" in raw or "부터" in raw:
            mode = mode or "after"
        if years:
            lo, hi = min(years), max(years)
            if mode == "before":
                year_to = lo - 1
            elif mode == "after":
                year_from = lo
            else:
                year_from, year_to = lo, hi
        return year_from, year_to

    def _count(self, tokens: _Tokens, raw: str) -> tuple[int | None, bool]:
        count = None
        plural = False
        for i, w in tokens.left():
            if w in PLURAL:
                plural = True
            if count is None and re.fullmatch(r"\d{1,3}", w):
                count = int(w)
                tokens.take(i, i + 1)
            elif count is None and w in NUMBER_WORDS:
                count = NUMBER_WORDS[w]
                tokens.take(i, i + 1)
            elif count is None and re.fullmatch(r"\d{1,3}(곡|개|개만)", w):
                count = int(re.match(r"\d+", w).group())  # type: ignore[union-attr]
                tokens.take(i, i + 1)
        if count is None and has_hangul(raw):
            m = re.search(r"(한|두|세|네|다섯|여섯|일곱|열)\s*(?:곡|개)", raw)
            if m:
                count = KO_NUMBERS[m.group(1)]
            elif re.search(r"몇\s*(?:곡|개)|노래들|곡들", raw):
                plural = True
        return count, plural

    def _fuzzy(self, word: str, tokens: _Tokens, i: int) -> tuple[str, str, int] | None:
        """Nearest mood, drama or artist for a misspelt word (or two-word span)."""
        index = self.index
        best: tuple[float, str, str, int] | None = None
        spans = [(word, 1)]
        if i + 1 < len(tokens.words) and not tokens.used[i + 1]:
            spans.append((f"{word} {tokens.words[i + 1]}", 2))
        for span, size in spans:
            limit = _allowed(span)
            for kind, choices in (("tag", self.fuzzy_phrases), ("name", self.fuzzy_names)):
                hit = process.extractOne(span, choices, scorer=OSA.distance, score_cutoff=limit)
                if hit is None:
                    continue
                dist = float(hit[1])
                if best is None or dist < best[0]:
                    if kind == "tag":
                        best = (dist, "tag", self.phrases[hit[0]], size)
                    else:
                        ent = index.names[hit[0]]
                        best = (dist, ent.kind, ent.name, size)
        if best is None:
            return None
        return best[1], best[2], best[3]

    def _suggest(self, word: str) -> list[str]:
        """Looser near misses for 'did you mean'."""
        if len(word) < 4:
            return []
        out = []
        hits = process.extract(
            word, self.fuzzy_names, scorer=OSA.distance, score_cutoff=max(1, len(word) // 3)
        )
        for name, _dist, _ in hits[:2]:
            ent = self.index.names[name]
            out.append(ent.name)
        return out


def _allowed(text: str) -> int:
    """Edits tolerated for a word of this length."""
    n = len(text)
    return 1 if n <= 7 else 2 if n <= 15 else 3


def _without_names(text: str, hits: list[Entity], index: CatalogIndex) -> str:
    """Drop Hangul names so a title like 사랑의 불시착 does not read as 사랑 (romantic)."""
    if not text:
        return ""
    flat = squash(text)
    for key in index.hangul_by_length:
        if key in flat and index.hangul_names[key] in hits:
            flat = flat.replace(key, " ")
    for key in index.hangul_titles_by_length:
        if len(key) >= 3 and key in flat:
            flat = flat.replace(key, " ")
    return flat


def merge(base: Query, extra: Query) -> Query:
    """Fold a follow-up into a saved query (used by 'another' with words after it)."""
    return replace(
        base,
        tags=extra.tags or base.tags,
        drama=extra.drama or base.drama,
        artist=extra.artist or base.artist,
    )
