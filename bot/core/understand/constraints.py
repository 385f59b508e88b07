"""The constraints a message states, as a `Query`: what is said outright over what an
occasion suggests, exclusions as what to leave out, the era wished for, the song "like X"
means, and how many songs.
"""

from __future__ import annotations

from typing import cast

from bot.core.popularity import ASKS
from bot.core.query import MAX_COUNT, Query
from bot.core.understand.numbers import _Numbers
from bot.core.understand.said import Mention
from bot.core.vocabulary import FILTER_KINDS


class _Constraints(_Numbers):
    """The mentions as a `Query`."""

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
