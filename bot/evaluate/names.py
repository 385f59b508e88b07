"""Every name the catalog has for a drama, an artist or a song.

The request set names things the way the catalog does ("Goblin", "Chanyeol & Punch"); a reply
may show another name for the same thing (도깨비, 백현), and both must count.
"""

from __future__ import annotations

from collections import defaultdict

from bot.core.index import CatalogIndex
from bot.core.models import Track
from bot.core.text import has_hangul, norm, squash


def name_key(name: str) -> str:
    """How two spellings of a name are compared: Hangul without spaces, the rest normalised."""
    return squash(name) if has_hangul(name) else norm(name)


def title_keys(track: Track) -> set[str]:
    """A song's title, Hangul title, English title and aliases, compared as `name_key`s."""
    names = (track.title, track.title_ko or "", track.title_en or "", *track.aliases)
    return {name_key(n) for n in names if n}


class Names:
    def __init__(self, index: CatalogIndex) -> None:
        self.index = index
        # name key -> every form of every entity that has that name
        self._forms: dict[str, set[str]] = defaultdict(set)
        for d in index.dramas.values():
            self._add((d.title, d.title_ko, *d.aliases, index.korean_names.get(d.title, "")))
        for name in set(index.artists) | set(index.artist_tracks):
            a = index.artists.get(name)
            self._add((name, *((a.name_ko, *a.aliases) if a else ())))
        for t in index.tracks:
            self._add((t.artist, index.artist_ko(t.artist)))  # a whole credit
            self._add((t.title, t.title_ko or "", t.title_en or "", *t.aliases))
        self.artist_names = frozenset(index.artist_track_sets)

    def _add(self, forms: tuple[str, ...]) -> None:
        kept = {f for f in forms if f and name_key(f)}
        for f in kept:
            self._forms[name_key(f)].update(kept)

    def forms(self, name: str) -> set[str]:
        """Every spelling of whatever the catalog calls `name`; empty when it knows no such name."""
        return self._forms.get(name_key(name), set())

    def tracks_titled(self, title: str) -> list[int]:
        key = name_key(title)
        return [i for i, t in enumerate(self.index.tracks) if key in title_keys(t)]

    def differences(
        self, i: int, title: str, artist: str | None = None, drama: str | None = None
    ) -> list[str]:
        """How track i differs from the song named: its title (or Hangul title or an alias),
        its artist (the whole credit or one act in it) and its drama."""
        tr = self.index.tracks[i]
        out = []
        if name_key(title) not in title_keys(tr):
            out.append(f"is {tr.title!r}, expected {title!r}")
        if artist is not None and artist != tr.artist and not self.credits(i, artist):
            out.append(f"is by {tr.artist!r}, expected {artist!r}")
        if drama is not None and drama != tr.drama:
            out.append(f"is from {tr.drama!r}, expected {drama!r}")
        return out

    def credits(self, i: int, artist: str) -> bool:
        """Is `artist` (or, for a group, one of its members) credited on track i?"""
        return i in self.index.artist_track_sets.get(artist, frozenset())


def mentioned(forms: set[str], haystack: str) -> bool:
    """Does any form appear in the text as whole words? Hangul names of two syllables or more
    may sit anywhere, spacing ignored (a particle follows them: 도깨비의); a one-syllable name
    (빅, 궁) only as a word of its own, or it would be found inside every other word."""
    spaced = f" {norm(haystack)} "
    squashed = squash(haystack)
    for form in forms:
        key = squash(form)
        if has_hangul(form) and len(key) > 1:
            if key in squashed:
                return True
        elif f" {norm(form)} " in spaced:
            return True
    return False
