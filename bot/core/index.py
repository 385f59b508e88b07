"""An in-memory index over the catalog: name lookup and tag bitmasks for fast ranking.

Built once per catalog load; every request is answered from here without touching SQL.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from bot.core.catalog import Catalog, split_credit
from bot.core.lexicon import everyday_english, everyday_korean, lexicon
from bot.core.models import Artist, Drama, Track
from bot.core.romanize import latin_forms
from bot.core.text import has_hangul, norm, squash
from bot.core.vocabulary import Vocabulary


def everyday(key: str) -> bool:
    """Whether a normalised name is everyday language: one or two words, each among the
    commonest English words ("Crush", "Once Again", "Life"). Such a name needs a cue."""
    words = key.split()
    common = everyday_english()
    rank = lexicon().names.everyday_rank
    if len(words) == 1:
        return common.get(key, rank) < rank
    # Two words are an everyday phrase when both are among the very commonest ("Once Again",
    # "Two Months"), not when one is rarer ("Mr. Sunshine", "My Mister").
    return len(words) == 2 and all(common.get(w, rank) < rank // 5 for w in words)


@dataclass(frozen=True, slots=True)
class Entity:
    kind: str  # drama | artist | group
    name: str  # canonical drama title or artist name


class CatalogIndex:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.vocabulary: Vocabulary = catalog.vocabulary
        self.tracks: list[Track] = list(catalog.tracks)
        self.dramas: dict[str, Drama] = dict(catalog.dramas)
        self.artists: dict[str, Artist] = dict(catalog.artists)
        self._multiword = {n for n in self.artists if split_credit(n) != [n]}
        self.by_key: dict[str, int] = {t.key: i for i, t in enumerate(self.tracks)}

        # Tags as bits, so scoring a track is one dictionary lookup on its mask.
        self.tag_bits: dict[str, int] = {
            name: 1 << i for i, name in enumerate(self.vocabulary.tags)
        }
        self.masks: list[int] = [self._mask(t.tags) for t in self.tracks]
        df = Counter(tag for t in self.tracks for tag in set(t.tags))
        n = max(1, len(self.tracks))
        self.idf: dict[str, float] = {
            tag: math.log((n + 1) / (df.get(tag, 0) + 1)) + 1.0 for tag in self.vocabulary.tags
        }
        self.tag_counts: Counter[str] = df
        groups: dict[int, list[int]] = defaultdict(list)
        for i, m in enumerate(self.masks):
            groups[m].append(i)
        self.mask_groups: dict[int, list[int]] = dict(groups)
        self.year_groups: dict[int, dict[int, list[int]]] = defaultdict(dict)
        for i, t in enumerate(self.tracks):
            self.year_groups[t.year].setdefault(self.masks[i], []).append(i)

        self.drama_tracks: dict[str, list[int]] = defaultdict(list)
        self.artist_tracks: dict[str, list[int]] = defaultdict(list)
        self.group_members: dict[str, set[str]] = defaultdict(set)
        for name, artist in self.artists.items():
            for group in artist.groups:
                self.group_members[group].add(name)
        self.credits: list[tuple[str, ...]] = [tuple(self.credit(t.artist)) for t in self.tracks]
        for i, t in enumerate(self.tracks):
            self.drama_tracks[t.drama].append(i)
            for name in self.credits[i]:
                self.artist_tracks[name].append(i)
        for group, members in self.group_members.items():
            own = set(self.artist_tracks.get(group, ()))
            for member in members:
                own.update(self.artist_tracks.get(member, ()))
            self.artist_tracks[group] = sorted(own)
        self.artist_track_sets: dict[str, frozenset[int]] = {
            name: frozenset(ids) for name, ids in self.artist_tracks.items()
        }
        self.years: list[int] = [t.year for t in self.tracks]
        self.min_year = min(self.years, default=2000)
        self.max_year = max(self.years, default=2000)

        # What Korean replies call each drama: the shortest Hangul name (도깨비 over
        # 쓸쓸하고 찬란하神-도깨비), the official title on a tie.
        self.korean_names: dict[str, str] = {}
        for d in self.dramas.values():
            official = d.title_ko
            hangul = [(len(n.replace(" ", "")), n != official, n) for n in (official, *d.aliases)]
            short = min((h for h in hangul if has_hangul(h[2])), default=None)
            if short is not None:
                self.korean_names[d.title] = short[2]

        # Name lookup. English-ish names by normalised form, Hangul names by squashed form.
        self.names: dict[str, Entity] = {}
        self.hangul_names: dict[str, Entity] = {}
        self.ambiguous: set[str] = set()
        for d in self.dramas.values():
            for name in (d.title, d.title_ko, *d.aliases):
                self._add_name(name, Entity("drama", d.title))
        artist_names = set(self.artists) | set(self.artist_tracks)
        for name in sorted(artist_names):
            a = self.artists.get(name)
            kind = "group" if name in self.group_members else "artist"
            forms = [name]
            if a:
                forms += [a.name_ko, *a.aliases]
                for g in a.groups:
                    forms += [f"{g} {name}", f"{g}'s {name}", f"{g}s {name}"]
            for form in forms:
                self._add_name(form, Entity(kind, name))

        # Track titles, for look-ups, "something like Stay With Me" and "like <title>"; a
        # Hangul title also under its Latin spellings ("nunkkot" for 눈꽃).
        self.titles: dict[str, list[int]] = defaultdict(list)
        self.hangul_titles: dict[str, list[int]] = defaultdict(list)
        for i, t in enumerate(self.tracks):
            for title in (t.title, t.title_ko or "", *t.aliases):
                if not title:
                    continue
                if has_hangul(title):
                    self.hangul_titles[squash(title)].append(i)
                    for form in latin_forms(title):
                        if len(form.replace(" ", "")) >= 4 and i not in self.titles[form]:
                            self.titles[form].append(i)
                elif i not in self.titles[norm(title)]:
                    self.titles[norm(title)].append(i)
        # Longest first, so "사랑의 불시착" wins over a shorter name inside it.
        self.hangul_by_length = sorted(self.hangul_names, key=len, reverse=True)
        self.hangul_titles_by_length = sorted(self.hangul_titles, key=len, reverse=True)
        self.max_name_tokens = max((len(k.split()) for k in self.names), default=1)
        self.max_title_tokens = max((len(k.split()) for k in self.titles), default=1)

    def _mask(self, tags: tuple[str, ...]) -> int:
        bits = self.tag_bits
        mask = 0
        for tag in tags:
            mask |= bits.get(tag, 0)
        return mask

    def _add_name(self, name: str, entity: Entity) -> None:
        if not name:
            return
        if has_hangul(name):
            key = squash(name)
            if key:  # one syllable too (첸, 비): the parser wants a cue for those
                self.hangul_names.setdefault(key, entity)
            # And its Latin spellings: "dokkaebi", "sarangui bulsichak", "baek yerin".
            for form in latin_forms(name):
                if len(form.replace(" ", "")) >= 4:
                    self._add_latin(form, entity, romanised=True)
            return
        self._add_latin(norm(name), entity)

    def _add_latin(self, key: str, entity: Entity, *, romanised: bool = False) -> None:
        if not key:
            return
        self.names.setdefault(key, entity)
        if len(key) <= 2 or everyday(key) or (romanised and key in everyday_korean()):
            self.ambiguous.add(key)  # "Life", "Winter", "Once Again": needs a cue

    # ------------------------------------------------------------------ helpers

    def mask_of(self, tags: tuple[str, ...]) -> int:
        return self._mask(tags)

    def moods_of(self, i: int) -> tuple[str, ...]:
        tags = self.vocabulary.tags
        return tuple(t for t in self.tracks[i].tags if tags[t].kind == "mood")

    def artist_ko(self, credit: str) -> str:
        names = self.credit(credit)
        kos = [self.artists[n].name_ko if n in self.artists else "" for n in names]
        if not all(kos):
            return ""
        return " & ".join(kos)

    def credit(self, artist: str) -> list[str]:
        return split_credit(artist, self._multiword)

    def soundtrack(self, drama: str) -> list[Track]:
        items = [self.tracks[i] for i in self.drama_tracks.get(drama, ())]
        return sorted(items, key=lambda t: (t.part is None, t.part or 0))
