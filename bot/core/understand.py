"""Free text -> a registry command, and a request's words -> a recommendation query.

`parse` finds the command a message starts with (its words come from data/commands.toml); a
message that starts with none is a request. `query` reads a request on tokens of the
normalised message: names first (dramas, artists, and track titles after "like"), then moods,
years and counts in what is left, and finally small typos ("goblen", "romantc") against the
same vocabularies. The small words it needs (filler, numbers, eras, cues) are data, in
data/lexicon.toml.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from bot.core.commands import Arg, Command, Registry, registry
from bot.core.index import COMMON_WORDS, CatalogIndex, Entity, Nearest
from bot.core.lexicon import Lexicon, lexicon
from bot.core.popularity import ASKS
from bot.core.text import has_hangul, norm, squash

MAX_COUNT = 5  # tracks in one reply: fits Discord's 25 buttons and Telegram's 4096 chars
RECOMMEND = "recommend"  # the command free text stands for


@dataclass(frozen=True)
class Query:
    tags: tuple[str, ...] = ()
    drama: str | None = None
    artist: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    similar_to: str | None = None  # track key
    # Conditions every pick must meet: voice and form tags (female, duet, instrumental, ...),
    # and how well known the songs are (popularity.ASKS: popular, theme, deep).
    voice: tuple[str, ...] = ()
    popularity: str | None = None
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
            or self.voice
        )  # "popular" alone still wants a song; "you're the best" is not a request

    def to_json(self) -> str:
        data = asdict(self)
        for k in ("unknown", "suggestions"):
            data.pop(k)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str) -> Query:
        data = json.loads(raw)
        data["tags"] = tuple(data.get("tags", ()))
        data["voice"] = tuple(data.get("voice", ()))
        allowed = {f for f in cls.__dataclass_fields__ if f not in ("unknown", "suggestions")}
        return cls(**{k: v for k, v in data.items() if k in allowed})


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
    def __init__(
        self,
        index: CatalogIndex,
        words: Lexicon | None = None,
        commands: Registry | None = None,
    ) -> None:
        self.index = index
        self.lex = words or lexicon()
        self.commands = commands or registry()
        lex = self.lex
        # Words left over that are not worth a "did you mean" or "I didn't recognise".
        self.quiet = lex.filler | lex.era_words | frozenset(lex.numbers)
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
        vocab = index.vocabulary
        self.phrases = vocab.english_phrases()
        self.stems = sorted(vocab.korean_stems().items(), key=lambda kv: -len(kv[0]))
        self.max_phrase = max(len(p.split()) for p in self.phrases)
        self.max_popularity = max((len(p.split()) for p in lex.popularity), default=1)
        self.popularity_ko = [(ask, [squash(s) for s in stems]) for ask, stems in lex.popularity_ko]
        # Typo tolerance only for words long enough that one edit is still recognisable.
        self.fuzzy_phrases = [p for p in self.phrases if len(p) >= 4 and " " not in p]
        self.fuzzy_names = [n for n in index.names if len(n) >= 4 and n not in index.ambiguous]
        self._phrases_near = Nearest(self.fuzzy_phrases)
        self._names_near = Nearest(self.fuzzy_names)

    # ---------------------------------------------------------------- commands

    def parse(self, text: str) -> Command | None:
        """The command a message asks for; None when it says nothing at all.

        A message that starts with no command word is a request (`recommend` with the whole
        message). A command word is read as the message's first word(s), less a leading
        "/" or "!" and a trailing "@botname" ("/help@ostbot").
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
        if spec.arg is Arg.NONE and rest:
            said = " ".join([head, *words[1:used]]).casefold()
            more = all(w.casefold() in self.lex.command_filler for w in rest)
            if said in self.lex.openers and not more:
                # "다른 드라마 추천해줘" asks for a different drama, not "another".
                return Command(RECOMMEND, " ".join(words))
        return spec.command(" ".join(rest))

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
        popularity = self._popularity(tokens, flat)

        year_from, year_to = self._years(tokens, text)
        count, plural = self._count(tokens, text)

        # Typos: what is left, against moods, dramas and artists.
        for i, word in tokens.left():
            if (
                word in self.lex.filler
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
            if w not in self.quiet and not w.isdigit() and not has_hangul(w)
        )
        for word in unknown:
            suggestions.extend(self._suggest(word))

        # Voice and form words ("female singer", "instrumental") are conditions, not moods.
        voice = tuple(t for t in tags if self.index.vocabulary.is_filter(t))
        tags = [t for t in tags if t not in voice]
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
            voice=voice,
            popularity=popularity,
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
            if i > 0 and words[i - 1] in self.lex.spent and not tokens.used[i - 1]:
                tokens.take(i - 1, i)
        return drama, artist

    def _cued(self, tokens: _Tokens, i: int, j: int) -> bool:
        words = tokens.words
        before = words[i - 1] if i > 0 else ""
        after = words[j] if j < len(words) else ""
        if before in self.lex.cue_before or after in self.lex.cue_after:
            return True
        if " ".join(words[i:j]) in self.phrases:
            return False  # "winter songs" is a season, not the singer Winter
        rest = [w for k, w in enumerate(words) if not (i <= k < j) and w not in self.lex.bare]
        return not rest  # the name is (almost) the whole request: "Life", "Life OST"

    def _hangul_names(self, text: str) -> list[Entity]:
        if not has_hangul(text):
            return []
        flat = squash(text)
        hits: list[Entity] = []
        for key in self.index.hangul_names_in(flat):
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

    def _popularity(self, tokens: _Tokens, flat: str) -> str | None:
        """ "popular", "top 10", "main theme", "hidden gems", "숨은 명곡": how well known the
        songs should be (data/lexicon.toml, [popularity]); the strongest ask said wins."""
        found: set[str] = set()
        for i, j, key in tokens.spans(self.max_popularity):
            ask = self.lex.popularity.get(key)
            if ask is not None:
                tokens.take(i, j)
                found.add(ask)
        if flat:
            found.update(ask for ask, stems in self.popularity_ko if any(s in flat for s in stems))
        return next((ask for ask in ASKS if ask in found), None)

    def _similar(self, raw: str, tokens: _Tokens) -> int | None:
        """'like X', 'similar to X', 'X 같은 노래', 'X랑 비슷한' -> the track X."""
        index = self.index
        words = tokens.words
        for i, w in enumerate(words):
            if w not in self.lex.similar:
                continue
            start = i + 1
            if start < len(words) and words[start] in self.lex.similar_joiner:
                start += 1
            for size in range(min(index.max_title_tokens + 3, len(words) - start), 0, -1):
                span = words[start : start + size]
                hit = self._title(span)
                if hit is not None:
                    idx, used = hit
                    tokens.take(i, start + used)
                    return idx
        if has_hangul(raw):
            m = self.similar_ko.search(raw)
            if m:
                flat = squash(m.group(1))
                for key in index.hangul_titles_in(flat):
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
                best = index.titles.nearest(key, _allowed(key))
                # A misspelt title, but not "a sad song" read as the song "Sad Song": a
                # title made only of mood and filler words must be said as it is.
                if best and not self._plain_words(best[0]):
                    found = index.titles.get(best[0])
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

    def _plain_words(self, title: str) -> bool:
        """Whether a title is only words a request says anyway ("sad song", "love")."""
        return all(w in self.phrases or w in self.lex.filler for w in title.split())

    def _years(self, tokens: _Tokens, raw: str) -> tuple[int | None, int | None]:
        index = self.index
        lex = self.lex
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
                if prev in lex.before:
                    mode = "before"
                    tokens.take(i - 1, i)
                elif prev in lex.after:
                    mode = "after"
                    tokens.take(i - 1, i)
            elif w in lex.recent or any(k in w for k in lex.recent_ko):
                year_from = index.max_year - 2
                tokens.take(i, i + 1)
            elif w in lex.old or any(k in w for k in lex.old_ko):
                year_to = index.max_year - 10
                tokens.take(i, i + 1)
        if any(k in raw for k in lex.before_ko):
            mode = mode or "before"
        if any(k in raw for k in lex.after_ko):
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
        lex = self.lex
        count = None
        plural = False
        for i, w in tokens.left():
            if w in lex.plural:
                plural = True
            if count is None and re.fullmatch(r"\d{1,3}", w):
                count = int(w)
                tokens.take(i, i + 1)
            elif count is None and w in lex.numbers:
                count = lex.numbers[w]
                tokens.take(i, i + 1)
            elif count is None and (unit := self.count_digits.fullmatch(w)):
                count = int(unit.group(1))
                tokens.take(i, i + 1)
        if count is None and has_hangul(raw):
            m = self.count_ko.search(raw)
            if m:
                count = lex.numbers_ko[m.group(1)]
            elif any(k in raw for k in lex.plural_ko):
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
            for kind in ("tag", "name"):
                near = self._phrases_near if kind == "tag" else self._names_near
                hit = near.best(span, limit)
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
        for name in self._names_near.top(word, max(1, len(word) // 3), 2):
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
    for key in index.hangul_names_in(flat):
        if key in flat and index.hangul_names[key] in hits:
            flat = flat.replace(key, " ")
    for key in index.hangul_titles_in(flat):
        if len(key) >= 3 and key in flat:
            flat = flat.replace(key, " ")
    return flat
