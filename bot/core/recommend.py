"""Query + the user's history and feedback -> ranked picks, each with why it was chosen.

Scoring: each requested tag the track carries adds its rarity (IDF), so "sad winter" prefers
the rarer winter match over one more sad song. Tracks within a band of the best score are
sampled (weighted by score), so the same request does not always open with the same song.

Well-known songs (any sourced popularity signal, see bot/core/popularity.py) get a modest
boost, and a reply of two or more songs to an ordinary request holds one well-known song and
at least one discovery when the band has both. "popular" / "main theme" requests keep to the
well-known songs and rank by popularity much more; "deep cuts" keep to the others. Voice and
form conditions ("female singer", "instrumental") are met by every pick, or relaxed and said.

Heard songs are skipped. When every song that meets a request has been heard, its next picks
("another", "not that one", "calmer") let soft constraints go first, and say so: how well known,
then the energy and the moods (what is closest); a name, a voice, an era or an exclusion never.
Only then does the pool start over, and never with a song of the user's last few replies.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left, bisect_right
from collections import Counter, OrderedDict
from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import accumulate
from operator import itemgetter, mul

from bot.core.index import CatalogIndex
from bot.core.popularity import MAX_POINTS
from bot.core.query import Query

BAND = 0.25  # picks are sampled among tracks within 25% of the best score
KIND_WEIGHT = {"mood": 1.0, "energy": 0.5, "season": 0.8, "scene": 0.8}
# What may be let go for songs not yet heard, before a pool starts over: how well known, the
# energy, the moods (what is closest). Names, voices, eras and exclusions are never.
SOFT = frozenset({"theme", "popularity", "energy", "tags"})
LIKED_ARTIST = 0.5  # share of the best score a liked artist adds
LIKED_TAG = 0.08  # per liked mood the track shares, at most three
# Share of the best score a song with full popularity (100 points) adds: modest in an ordinary
# request (a No. 1 hit can lift a slightly weaker match into the band), as much as the mood
# match itself when well-known songs were asked for.
FAME_BOOST = 0.15
FAME_ASKED = 1.0


Group = tuple[float, Sequence[int], int]  # score, track indices, their shared tag mask
Unit = tuple[float, Sequence[int], bool]  # score, track indices, whether they are well known
# Groups and units of recent rankings kept, in all (see Recommender._rank): many requests
# have the same shape ("sad songs"), and ranking the catalog for one is most of its cost.
RANKED_KEPT = 20_000


@dataclass(eq=False)
class Ranked:
    """The groups a request of one shape ranks (see _groups), in the index's order; best
    first (`groups`) when that is asked for; and, made when first needed, how they are drawn
    from when no like of the user changes the scores: the units in the band and their running
    weights. Shared by requests: never changed once made."""

    found: tuple[Group, ...]
    best: float  # the best score
    _sorted: tuple[Group, ...] | None = None
    plain: tuple[tuple[Unit, ...], list[float]] | None = None

    @property
    def groups(self) -> tuple[Group, ...]:
        """Best first; equal scores in the index's order (a stable sort)."""
        if self._sorted is None:
            self._sorted = tuple(sorted(self.found, key=itemgetter(0), reverse=True))
        return self._sorted


@dataclass(frozen=True)
class Pick:
    index: int
    score: float
    matched: tuple[str, ...]
    liked_artist: str | None = None


@dataclass
class Outcome:
    picks: list[Pick] = field(default_factory=list)
    # theme | popularity | tags | energy | years | voice | artist | drama
    relaxed: list[str] = field(default_factory=list)
    shown_tags: tuple[str, ...] = ()  # the moods offered instead, when tags were relaxed
    restarted: bool = False  # every match had been heard; the cycle starts over
    # What was relaxed because every song that met it had been heard (not for want of one).
    used: list[str] = field(default_factory=list)
    forget: list[str] = field(default_factory=list)  # history to clear on restart
    pool: int = 0
    query: Query | None = None
    outside: bool = False  # the years asked for are outside the catalog: its nearest shown


class Recommender:
    def __init__(self, index: CatalogIndex) -> None:
        self.index = index
        self._ranked: OrderedDict[Hashable, Ranked] = OrderedDict()
        self._kept = 0  # groups and units in _ranked

    # --------------------------------------------------------------- public

    def recommend(
        self,
        query: Query,
        heard: set[str],
        feedback: dict[str, int],
        rng: random.Random,
        recent: Collection[str] = (),
        widen: bool = True,
    ) -> Outcome:
        """Picks for the query. `heard` are the songs the user has heard (skipped until the
        matching songs are used up); `recent` those of their last few replies, which even a
        pool starting over does not give again. With `widen` (the next picks of a request, a
        change to it) soft constraints are let go for songs not yet heard before the pool
        starts over; a request said anew ("the main theme of X" again) starts over."""
        index = self.index
        vocab = index.vocabulary
        if any(vocab.is_filter(t) for t in query.tags):
            # A voice or a form among the moods ("female", "instrumental") is a condition.
            conditions = tuple(t for t in query.tags if vocab.is_filter(t))
            query = replace(
                query,
                tags=tuple(t for t in query.tags if t not in conditions),
                voice=tuple(dict.fromkeys((*query.voice, *conditions))),
            )
        exclude = {k for k, v in feedback.items() if v < 0}  # disliked: never again
        exclude |= self._excluded(query)
        tags = query.tags
        weights: dict[str, float] = dict(query.weights)
        if query.similar_to is not None and query.similar_to in index.by_key:
            target = index.tracks[index.by_key[query.similar_to]]
            exclude.add(target.key)
            kinds = vocab.tags
            # Its moods and energy, not its season or how it is performed.
            seed = tuple(
                t
                for t in target.tags
                if kinds[t].kind in KIND_WEIGHT and kinds[t].kind != "season" and t not in tags
            )
            tags = tags + seed
            # For "like X", its moods matter most; its energy a little.
            weights.update({t: (0.3 if kinds[t].kind == "energy" else 1.0) for t in seed})
        outcome = Outcome(query=query)
        asked = query
        if (query.year_from or query.year_to) and not query.strict_years:
            # "songs from 1999" with nothing before 2004: the oldest there are, said so. A
            # follow-up's era ("newer" at the newest songs) is not moved: nothing, said so.
            lo, hi = query.year_from or 0, query.year_to or 10_000
            if hi < index.min_year:
                asked = replace(query, year_from=index.min_year, year_to=index.min_year + 4)
                outcome.outside = True
            elif lo > index.max_year:
                asked = replace(query, year_from=index.max_year - 1, year_to=index.max_year)
                outcome.outside = True
        if tags != asked.tags:
            asked = replace(asked, tags=tags)
        # The first stage with any match is the request as far as it can be met. When the
        # user has heard all of it, softer stages come first (popularity, then energy and
        # the moods: never a name, a voice or an exclusion), and only then does the first
        # stage start over, never with a song of the last few replies.
        spent = exclude | heard
        first: tuple[list[str], Query, Ranked, tuple[str, ...]] | None = None
        for relaxed, stage, extra in self._ladder(asked):
            if first is not None and not (widen and set(relaxed) - set(first[0]) <= SOFT):
                break
            if extra and first is None:
                continue  # energy let go only for songs not yet heard
            ranked = self._rank(stage, stage.tags, weights)
            if not self._any_left(ranked.found, exclude):
                continue
            shown: tuple[str, ...] = ()
            if "tags" in relaxed and query.tags:
                # Say what is offered instead: the commonest mood of what is left.
                found = ranked.found  # the order is not needed here
                top = self._top_mood(found if first is None else self._fresh(found, spent))
                if top:
                    shown = (top,)
                    ranked = self._rank(stage, shown, {})
                    stage = replace(stage, tags=shown)
            if first is None:
                first = (relaxed, stage, ranked, shown)
            if not self._any_left(ranked.found, spent):
                continue  # every song here heard: a softer stage, if there is one
            outcome.relaxed, outcome.shown_tags = relaxed, shown
            outcome.used = [r for r in relaxed if r not in first[0]]
            self._pick(outcome, stage, ranked, heard, feedback, exclude, rng)
            if outcome.picks:
                return outcome
        if first is not None:
            relaxed, stage, ranked, shown = first
            outcome.relaxed, outcome.shown_tags, outcome.used = relaxed, shown, []
            self._pick(outcome, stage, ranked, heard, feedback, exclude, rng, recent)
        return outcome

    def _ladder(self, q: Query) -> list[tuple[list[str], Query, bool]]:
        """The stages, with one more where the soft ones end: the same with any energy, for
        a user who has heard every song at the energy asked ("calmer", a ballad). It is
        marked, so that a request nothing matches is relaxed as before."""
        stages = self._stages(q)
        out: list[tuple[list[str], Query, bool]] = []
        added = False
        for k, (relaxed, stage) in enumerate(stages):
            out.append((relaxed, stage, False))
            after = stages[k + 1][0] if k + 1 < len(stages) else None
            soft_next = after is not None and set(after) - set(relaxed) <= SOFT
            if stage.energy and "energy" not in relaxed and not soft_next and not added:
                out.append(([*relaxed, "energy"], replace(stage, energy=()), True))
                added = True
        return out

    def _fresh(self, groups: Sequence[Group], spent: set[str]) -> list[Group]:
        keys = self.index.keys
        return [(s, [i for i in m if keys[i] not in spent], mask) for s, m, mask in groups]

    # -------------------------------------------------------------- stages

    def _stages(self, q: Query) -> list[tuple[list[str], Query]]:
        """The request, then looser versions of it, in the order we give things up.

        What to leave out (`not_*`) is never given up, nor an era a follow-up asked for
        ("older"): with nothing older, saying so beats showing something newer.
        """
        stages: list[tuple[list[str], Query]] = [([], q)]
        relaxed: list[str] = []
        cur = q
        # How well known first: a main theme, then any well-known song, then any song.
        if cur.popularity == "theme":
            cur = replace(cur, popularity="popular")
            relaxed = [*relaxed, "theme"]
            stages.append((relaxed, cur))
        if cur.popularity:
            cur = replace(cur, popularity=None)
            relaxed = [r for r in relaxed if r != "theme"] + ["popularity"]
            stages.append((relaxed, cur))
        scoped = cur.drama or cur.artists or cur.year_from or cur.year_to or cur.energy
        if cur.tags and (scoped or cur.voice):
            cur = replace(cur, tags=(), weights=())
            relaxed = [*relaxed, "tags"]
            stages.append((relaxed, cur))
        if cur.energy and (cur.drama or cur.artists or cur.year_from or cur.year_to):
            cur = replace(cur, energy=())
            relaxed = [*relaxed, "energy"]
            stages.append((relaxed, cur))
        if (cur.year_from or cur.year_to) and not cur.strict_years:
            cur = replace(cur, year_from=None, year_to=None)
            relaxed = [*relaxed, "years"]
            stages.append((relaxed, cur))
        if cur.voice:
            cur = replace(cur, voice=())
            relaxed = [*relaxed, "voice"]
            stages.append((relaxed, cur))
        if cur.artists and cur.drama:
            cur = replace(cur, artist=None, also_artists=())
            relaxed = [*relaxed, "artist"]
            stages.append((relaxed, cur))
        if (cur.artists or cur.drama) and q.tags:
            # Nothing by that name fits at all: fall back to the moods alone.
            cur = replace(cur, artist=None, also_artists=(), drama=None, tags=q.tags)
            relaxed = [r for r in relaxed if r != "tags"] + ["drama" if q.drama else "artist"]
            stages.append((relaxed, cur))
        return stages

    def _excluded(self, q: Query) -> set[str]:
        """The keys of tracks the request leaves out by drama, artist, song or year."""
        index = self.index
        keys = index.keys
        out = set(q.not_tracks)
        for drama in q.not_dramas:
            out.update(keys[i] for i in index.drama_tracks.get(drama, ()))
        for artist in q.not_artists:
            out.update(keys[i] for i in index.artist_tracks.get(artist, ()))
        if q.not_years:
            for i, year in enumerate(index.years):
                if any(lo <= year <= hi for lo, hi in q.not_years):
                    out.add(keys[i])
        return out

    def _passes(self, i: int, q: Query) -> bool:
        """Whether track i meets the hard filters of q (drama, artists, years, conditions)."""
        index = self.index
        if q.drama and index.track_drama[i] != q.drama:
            return False
        if q.artists and not any(
            i in index.artist_track_sets.get(a, frozenset()) for a in q.artists
        ):
            return False
        if not self._meets(index.masks[i], *self._conditions(q)):
            return False
        return (q.year_from or 0) <= index.years[i] <= (q.year_to or 10_000)

    def _conditions(self, q: Query) -> tuple[int, int]:
        """The bits a track's mask must have (voice, form, popular or theme) and must not
        (well known, for deep cuts)."""
        index = self.index
        need = index.mask_of(q.voice)
        if q.popularity == "popular":
            need |= index.known_bit
        elif q.popularity == "theme":
            need |= index.theme_bit
        return need, index.known_bit if q.popularity == "deep" else 0

    @staticmethod
    def _meets(mask: int, need: int, forbid: int) -> bool:
        return mask & need == need and not mask & forbid

    # ------------------------------------------------------------- scoring

    def _rank(self, q: Query, tags: tuple[str, ...], weights: dict[str, float]) -> Ranked:
        """The groups of `_groups`, from the recent rankings when a request had the same
        shape (everything `_groups` reads of it), else ranked now and kept."""
        key = (
            tuple((t, weights.get(t, 1.0)) for t in dict.fromkeys(tags)),
            *(q.energy, q.not_tags, q.not_energy, q.voice, q.popularity),
            *(q.drama, q.artists, q.year_from, q.year_to),
        )
        found = self._ranked.get(key)
        if found is not None:
            self._ranked.move_to_end(key)
            return found
        groups = tuple(self._groups(q, tags, weights))
        best = max(map(itemgetter(0), groups), default=0.0)
        found = self._ranked[key] = Ranked(groups, best)
        self._keep(len(groups))
        return found

    def _keep(self, more: int) -> None:
        self._kept += more
        while self._kept > RANKED_KEPT and len(self._ranked) > 1:
            _, old = self._ranked.popitem(last=False)
            self._kept -= len(old.found) + (len(old.plain[0]) if old.plain else 0)

    def _groups(self, q: Query, tags: tuple[str, ...], weights: dict[str, float]) -> list[Group]:
        """Tracks meeting q's filters, grouped by tag mask with a score each.

        Each requested tag a track has adds its rarity (IDF) times the weight of its kind;
        without tags every track scores 1. Excluded tracks stay in and are skipped when picked.
        """
        index = self.index
        vocab = index.vocabulary.tags
        wanted = [
            (index.tag_bits[t], index.idf[t] * KIND_WEIGHT[vocab[t].kind] * weights.get(t, 1.0))
            for t in dict.fromkeys(tags)
            if t in index.tag_bits
        ]
        avoid = index.mask_of((*q.not_tags, *q.not_energy))
        energy = index.mask_of(q.energy)
        wanted_mask = 0
        for bit, _ in wanted:
            wanted_mask |= bit
        # A score for every combination of the wanted bits, so a group costs one lookup.
        table = {0: 0.0}
        for bit, weight in wanted:
            table.update({sub | bit: score + weight for sub, score in table.items()})

        need, forbid = self._conditions(q)
        source: Iterable[tuple[int, Sequence[int]]]
        if q.drama or q.artists:
            base: Iterable[int] = (
                index.drama_tracks.get(q.drama, [])
                if q.drama
                else sorted({i for a in q.artists for i in index.artist_tracks.get(a, ())})
            )
            picked: dict[int, list[int]] = {}
            for i in base:
                if self._passes(i, q):
                    picked.setdefault(index.masks[i] & index.key_mask, []).append(i)
            source = picked.items()
        elif not (need or forbid or q.year_from or q.year_to):
            source = index.mask_groups.items()  # most requests: every group as it is
        else:
            # A voice or a main theme asked for: the groups by full mask, which show them.
            full = bool(need & index.flag_bits)
            lo, hi = q.year_from or 0, q.year_to or 10_000
            year_of = index.years.__getitem__
            key_mask = index.key_mask
            kept: dict[int, Sequence[int]] = {}
            for mask, members in (index.by_mask if full else index.mask_groups).items():
                if (wanted_mask and not mask & wanted_mask) or mask & need != need or mask & forbid:
                    continue
                if q.year_from or q.year_to:
                    # Each group's tracks are in year order: the years asked for are one slice.
                    start = bisect_left(members, lo, key=year_of)
                    end = bisect_right(members, hi, lo=start, key=year_of)
                    if start == end:
                        continue
                    members = members[start:end]
                key = mask & key_mask
                kept[key] = [*kept[key], *members] if key in kept else members
            source = kept.items()
        if avoid or energy:
            source = [
                (mask, members)
                for mask, members in source
                if not mask & avoid and (not energy or mask & energy)
            ]
        if not wanted:
            out = [(1.0, members, mask) for mask, members in source]
        else:
            out = [
                (table[mask & wanted_mask], members, mask)
                for mask, members in source
                if mask & wanted_mask
            ]
        return out  # in the index's order: Ranked.groups sorts them when that is needed

    def _any_left(self, groups: Sequence[Group], exclude: set[str]) -> bool:
        keys = self.index.keys
        return any(keys[i] not in exclude for _, members, _ in groups for i in members)

    def _top_mood(self, groups: Sequence[Group]) -> str | None:
        """The mood most tracks in these groups share."""
        index = self.index
        counts: Counter[str] = Counter()
        for tag in index.vocabulary.of_kind("mood"):
            bit = index.tag_bits[tag.name]
            n = sum(len(members) for _, members, mask in groups if mask & bit)
            if n:
                counts[tag.name] = n
        return counts.most_common(1)[0][0] if counts else None

    # ------------------------------------------------------------- picking

    def _pick(
        self,
        outcome: Outcome,
        q: Query,
        ranked: Ranked,
        heard: set[str],
        feedback: dict[str, int],
        exclude: set[str],
        rng: random.Random,
        recent: Collection[str] = (),
    ) -> None:
        index = self.index
        found = ranked.found
        keys, track_drama, track_artist = index.keys, index.track_drama, index.track_artist
        outcome.pool = sum(map(len, map(itemgetter(1), found)))
        if not any(
            keys[i] not in heard and keys[i] not in exclude
            for _, members, _ in found
            for i in members
        ):
            # Start over, but not with a song just shown: those stay heard.
            outcome.restarted = True
            heard = set(recent)
            outcome.forget = [
                keys[i] for _, m, _ in ranked.groups for i in m if keys[i] not in heard
            ]
        best = ranked.best
        liked_tags = self._liked_tags(feedback)
        liked = self._liked_artists(feedback)

        known = index.known_bit
        weight = FAME_ASKED if q.popularity in ("popular", "theme") else FAME_BOOST
        lifted = self._lifted(q, found, liked, liked_tags, best)
        units: Sequence[Unit] | None = None  # every unit: made only if the band is not enough
        if lifted or liked_tags:
            units, band, whole = self._units(ranked.groups, lifted, liked_tags, weight)
        else:  # the same for every user: made once for this shape of request
            if ranked.plain is None:
                ranked.plain = self._band(ranked, weight)
                self._keep(len(ranked.plain[0]))
            band, whole = ranked.plain

        chosen: list[int] = []
        used: set[int] = set()
        dramas: set[str] = set()
        artists: set[str] = set()

        def take(i: int, varied: bool) -> bool:
            key, drama, artist = keys[i], track_drama[i], track_artist[i]
            if i in used or key in heard or key in exclude:
                return False
            if varied and (
                (not q.drama and drama in dramas) or (not q.artists and artist in artists)
            ):
                return False
            chosen.append(i)
            used.add(i)
            dramas.add(drama)
            artists.add(artist)
            return True

        def sample(pool: Sequence[Unit], upto: int, cumulative: list[float] | None = None) -> None:
            """Sample a unit by score x size, then one of its tracks, until `upto` are chosen:
            every track's chance follows its score, and the same request does not always
            start the same way."""
            if not pool or len(chosen) >= upto:
                return
            if cumulative is None:
                cumulative = _weights(pool)
            total = cumulative[-1] + 0.0
            if not (total > 0.0 and math.isfinite(total)):
                rng.choices(pool, cum_weights=cumulative)  # says what is wrong, as it always did
            # What rng.choices(pool, cum_weights=cumulative)[0] does, the same draws from the
            # same generator, without its checks and list on every draw.
            draw, last = rng.random, len(pool) - 1
            for _ in range(30 * q.count):
                if len(chosen) >= upto:
                    break
                unit = pool[bisect_right(cumulative, draw() * total, 0, last)]
                take(rng.choice(unit[1]), varied=True)

        if q.popularity is None and q.count >= 2:
            # A mix: a well-known song first, then the band, keeping one place for a discovery.
            sample([u for u in band if u[2]], 1)
            sample(band, q.count - 1, whole)
            if all(index.masks[i] & known for i in chosen):
                sample([u for u in band if not u[2]], q.count)
        sample(band, q.count, whole)
        if len(chosen) < q.count:
            # Not enough fresh, varied tracks in the band: walk everything best-first, first
            # keeping variety, then without it.
            if units is None:
                units = self._units(ranked.groups, {}, 0, weight)[0]
            ordered = sorted(units, key=lambda u: -u[0])
            for varied in (True, False):
                for _, members, _ in ordered:
                    for i in members:
                        if len(chosen) >= q.count:
                            break
                        take(i, varied)
        if q.popularity in ("popular", "theme"):
            chosen.sort(key=lambda i: -index.fame[i])  # "top 5": the best known first
        req_bits = index.mask_of(q.tags)
        for i in chosen:
            matched = tuple(t for t in index.track_tags[i] if index.tag_bits[t] & req_bits)
            artist = next((a for a in index.credits[i] if a in liked), None)
            outcome.picks.append(Pick(i, lifted.get(i, 0.0), matched, artist))

    def _band(self, ranked: Ranked, weight: float) -> tuple[tuple[Unit, ...], list[float]]:
        """The band of `_units` without likes, and its running weights, made from the groups
        that can reach it: "like X" ranks thousands of groups at 100,000 tracks, and draws
        from a few dozen. The same units in the same order as `_units` gives."""
        index = self.index
        known, fame = index.known_bit, index.fame
        raise_by = ranked.best * weight  # as in _units
        plain = [g for g in ranked.found if not g[2] & known]
        well_known = sorted(
            (g for g in ranked.found if g[2] & known), key=itemgetter(0), reverse=True
        )
        songs = [
            (score + raise_by * fame[i] / MAX_POINTS, (i,), True)
            for score, members, _ in well_known
            for i in members
        ]
        top = max(
            max(map(itemgetter(0), plain), default=-math.inf),
            max(map(itemgetter(0), songs), default=-math.inf),
        )
        floor = top * (1 - BAND)
        # The plain groups in the band, best first (a stable sort of them is their order in
        # the sorted groups), then the well-known songs in the band, as _units lists them.
        above = sorted((g for g in plain if g[0] >= floor), key=itemgetter(0), reverse=True)
        band = (*((s, g, False) for s, g, _ in above), *(u for u in songs if u[0] >= floor))
        return band, _weights(band)

    def _units(
        self, groups: Sequence[Group], lifted: dict[int, float], liked_tags: int, weight: float
    ) -> tuple[tuple[Unit, ...], tuple[Unit, ...], list[float]]:
        """Units of equal score: tag groups (a group of well-known songs split into single
        tracks, each raised by its popularity), plus single tracks lifted by a liked artist;
        those within the band of the best, and the band's running weights."""
        index = self.index
        known = index.known_bit
        best = groups[0][0]
        if liked_tags:
            groups = [(s + self._tag_bonus(m, liked_tags, best), g, m) for s, g, m in groups]
        units: list[Unit] = [(score, g, False) for score, g, mask in groups if not mask & known]
        fame, raise_by = index.fame, best * weight  # as in _fame, a call fewer per song
        for score, members, mask in groups:
            if mask & known:
                units.extend((score + raise_by * fame[i] / MAX_POINTS, (i,), True) for i in members)
        units.extend(
            (final + self._fame(i, weight, best), (i,), bool(index.masks[i] & known))
            for i, final in lifted.items()
        )
        top = max(map(itemgetter(0), units))
        floor = top * (1 - BAND)
        band = tuple(u for u in units if u[0] >= floor)
        return tuple(units), band, _weights(band)

    def _fame(self, i: int, weight: float, best: float) -> float:
        return best * weight * self.index.fame[i] / MAX_POINTS  # see also _units

    def _tag_bonus(self, mask: int, liked_tags: int, best: float) -> float:
        return best * LIKED_TAG * min(3, (mask & liked_tags).bit_count())

    def _lifted(
        self,
        q: Query,
        groups: Sequence[Group],
        liked: set[str],
        liked_tags: int,
        best: float,
    ) -> dict[int, float]:
        """Tracks by liked artists that are in the pool, with their raised scores."""
        if not liked:
            return {}
        index = self.index
        scores = {mask: score for score, _, mask in groups}
        out: dict[int, float] = {}
        for artist in liked:
            for i in index.artist_tracks.get(artist, ()):
                mask = index.masks[i] & index.key_mask
                if mask in scores and self._passes(i, q):
                    bonus = self._tag_bonus(mask, liked_tags, best) + best * LIKED_ARTIST
                    out[i] = scores[mask] + bonus
        return out

    def _liked_artists(self, feedback: dict[str, int]) -> set[str]:
        index = self.index
        out: set[str] = set()
        for key, value in feedback.items():
            if value > 0 and key in index.by_key:
                out.update(index.credits[index.by_key[key]])
        return out

    def _liked_tags(self, feedback: dict[str, int]) -> int:
        index = self.index
        mask = 0
        for key, value in feedback.items():
            if value > 0 and key in index.by_key:
                mask |= index.mask_of(index.moods_of(index.by_key[key]))
        return mask


def _weights(units: Sequence[Unit]) -> list[float]:
    """The running total of score x size over units, by which they are drawn (in C)."""
    return list(
        accumulate(map(mul, map(itemgetter(0), units), map(len, map(itemgetter(1), units))))
    )
