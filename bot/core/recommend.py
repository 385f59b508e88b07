"""Query + the user's history and feedback -> ranked picks, each with why it was chosen.

Scoring: each requested tag the track carries adds its rarity (IDF), so "sad winter" prefers
the rarer winter match over one more sad song. Tracks within a band of the best score are
sampled (weighted by score), so the same request does not always open with the same song.
"""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import accumulate
from operator import itemgetter

from bot.core.index import CatalogIndex
from bot.core.query import Query

BAND = 0.25  # picks are sampled among tracks within 25% of the best score
KIND_WEIGHT = {"mood": 1.0, "energy": 0.5, "season": 0.8, "scene": 0.8}
LIKED_ARTIST = 0.5  # share of the best score a liked artist adds
LIKED_TAG = 0.08  # per liked mood the track shares, at most three


Group = tuple[float, Sequence[int], int]  # score, track indices, their shared tag mask


@dataclass(frozen=True)
class Pick:
    index: int
    score: float
    matched: tuple[str, ...]
    liked_artist: str | None = None


@dataclass
class Outcome:
    picks: list[Pick] = field(default_factory=list)
    relaxed: list[str] = field(default_factory=list)  # tags | years | artist | drama
    shown_tags: tuple[str, ...] = ()  # the moods offered instead, when tags were relaxed
    restarted: bool = False  # every match had been heard; the cycle starts over
    forget: list[str] = field(default_factory=list)  # history to clear on restart
    pool: int = 0
    query: Query | None = None
    outside: bool = False  # the years asked for are outside the catalog: its nearest shown


class Recommender:
    def __init__(self, index: CatalogIndex) -> None:
        self.index = index

    # --------------------------------------------------------------- public

    def recommend(
        self,
        query: Query,
        heard: set[str],
        feedback: dict[str, int],
        rng: random.Random,
    ) -> Outcome:
        index = self.index
        exclude = {k for k, v in feedback.items() if v < 0}  # disliked: never again
        exclude |= self._excluded(query)
        tags = query.tags
        weights: dict[str, float] = dict(query.weights)
        if query.similar_to is not None and query.similar_to in index.by_key:
            target = index.tracks[index.by_key[query.similar_to]]
            exclude.add(target.key)
            kinds = index.vocabulary.tags
            seed = tuple(t for t in target.tags if kinds[t].kind != "season" and t not in tags)
            tags = tags + seed
            # For "like X", its moods matter most; its energy a little.
            weights.update({t: (0.3 if kinds[t].kind == "energy" else 1.0) for t in seed})
        outcome = Outcome(query=query)
        asked = query
        if query.year_from or query.year_to:
            # "songs from 1999" with nothing before 2004: the oldest there are, said so.
            lo, hi = query.year_from or 0, query.year_to or 10_000
            if hi < index.min_year:
                asked = replace(query, year_from=index.min_year, year_to=index.min_year + 4)
                outcome.outside = True
            elif lo > index.max_year:
                asked = replace(query, year_from=index.max_year - 1, year_to=index.max_year)
                outcome.outside = True
        if tags != asked.tags:
            asked = replace(asked, tags=tags)
        for relaxed, stage in self._stages(asked):
            groups = self._groups(stage, stage.tags, weights)
            if not self._any_left(groups, exclude):
                continue
            outcome.relaxed = relaxed
            outcome.shown_tags = ()
            if "tags" in relaxed and query.tags:
                # Say what is offered instead: the commonest mood of what is left.
                top = self._top_mood(groups)
                if top:
                    outcome.shown_tags = (top,)
                    groups = self._groups(stage, (top,), {})
            wanted = outcome.shown_tags or stage.tags
            if wanted != stage.tags:
                stage = replace(stage, tags=wanted)
            self._pick(outcome, stage, groups, heard, feedback, exclude, rng)
            if outcome.picks:
                return outcome
        return outcome

    # -------------------------------------------------------------- stages

    def _stages(self, q: Query) -> list[tuple[list[str], Query]]:
        """The request, then looser versions of it, in the order we give things up.

        What to leave out (`not_*`) is never given up, nor an era a follow-up asked for
        ("older"): with nothing older, saying so beats showing something newer.
        """
        stages: list[tuple[list[str], Query]] = [([], q)]
        relaxed: list[str] = []
        cur = q
        scoped = cur.drama or cur.artists or cur.year_from or cur.year_to or cur.energy
        if cur.tags and scoped:
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
        """Whether track i meets the hard filters of q (drama, artists, years)."""
        index = self.index
        if q.drama and index.track_drama[i] != q.drama:
            return False
        if q.artists and not any(
            i in index.artist_track_sets.get(a, frozenset()) for a in q.artists
        ):
            return False
        return (q.year_from or 0) <= index.years[i] <= (q.year_to or 10_000)

    # ------------------------------------------------------------- scoring

    def _groups(self, q: Query, tags: tuple[str, ...], weights: dict[str, float]) -> list[Group]:
        """Tracks meeting q's filters, grouped by tag mask with a score each, best first.

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
                    picked.setdefault(index.masks[i], []).append(i)
            source = picked.items()
        elif q.year_from or q.year_to:
            # Each group's tracks are in year order: the years asked for are one slice of it.
            lo, hi = q.year_from or 0, q.year_to or 10_000
            year_of = index.years.__getitem__
            grouped: dict[int, Sequence[int]] = {}
            for mask, members in index.mask_groups.items():
                if wanted_mask and not mask & wanted_mask:
                    continue
                start = bisect_left(members, lo, key=year_of)
                end = bisect_right(members, hi, lo=start, key=year_of)
                if start < end:
                    grouped[mask] = members[start:end]
            source = grouped.items()
        else:
            source = index.mask_groups.items()
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
        out.sort(key=itemgetter(0), reverse=True)  # stable: equal scores keep their order
        return out

    def _any_left(self, groups: list[Group], exclude: set[str]) -> bool:
        keys = self.index.keys
        return any(keys[i] not in exclude for _, members, _ in groups for i in members)

    def _top_mood(self, groups: list[Group]) -> str | None:
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
        groups: list[Group],
        heard: set[str],
        feedback: dict[str, int],
        exclude: set[str],
        rng: random.Random,
    ) -> None:
        index = self.index
        keys, track_drama, track_artist = index.keys, index.track_drama, index.track_artist
        outcome.pool = sum(len(m) for _, m, _ in groups)
        if not any(
            keys[i] not in heard and keys[i] not in exclude
            for _, members, _ in groups
            for i in members
        ):
            outcome.restarted = True
            outcome.forget = [keys[i] for _, members, _ in groups for i in members]
            heard = set()
        best = groups[0][0]
        liked_tags = self._liked_tags(feedback)
        liked = self._liked_artists(feedback)

        # Units of equal score: whole tag groups, plus single tracks lifted by a liked artist.
        lifted = self._lifted(q, groups, liked, liked_tags, best)
        units: list[tuple[float, Sequence[int]]] = (
            [(score + self._tag_bonus(mask, liked_tags, best), m) for score, m, mask in groups]
            if liked_tags
            else [(score, m) for score, m, _ in groups]
        )
        units.extend((final, [i]) for i, final in lifted.items())
        top = max(u[0] for u in units)
        floor = top * (1 - BAND)
        band = [u for u in units if u[0] >= floor]

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

        # Sample the band: a unit by score x size, then one of its tracks, so every track's
        # chance follows its score and the same request does not always start the same way.
        cumulative = list(accumulate(u[0] * len(u[1]) for u in band))
        for _ in range(30 * q.count):
            if len(chosen) >= q.count:
                break
            unit = rng.choices(band, cum_weights=cumulative)[0]
            take(rng.choice(unit[1]), varied=True)
        if len(chosen) < q.count:
            # Not enough fresh, varied tracks in the band: walk everything best-first, first
            # keeping variety, then without it.
            ordered = sorted(units, key=lambda u: -u[0])
            for varied in (True, False):
                for _, members in ordered:
                    for i in members:
                        if len(chosen) >= q.count:
                            break
                        take(i, varied)
        req_bits = index.mask_of(q.tags)
        for i in chosen:
            matched = tuple(t for t in index.track_tags[i] if index.tag_bits[t] & req_bits)
            artist = next((a for a in index.credits[i] if a in liked), None)
            outcome.picks.append(Pick(i, lifted.get(i, 0.0), matched, artist))

    def _tag_bonus(self, mask: int, liked_tags: int, best: float) -> float:
        return best * LIKED_TAG * min(3, (mask & liked_tags).bit_count())

    def _lifted(
        self,
        q: Query,
        groups: list[Group],
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
                mask = index.masks[i]
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
