"""Values offered as the user types a command's argument: moods, dramas, artists, songs.

Fuzzy matching over every name a user might type (English and Hangul names, synonyms); the
option lists are built once per catalog index and rebuilt after a reload.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.core import compose
from bot.core.commands import Arg
from bot.core.index import CatalogIndex
from bot.core.models import Suggestion, Track

SCORE_CUTOFF = 50  # WRatio below this is noise


@dataclass(frozen=True, slots=True)
class Option:
    label: str
    value: str
    keys: tuple[str, ...]  # what a user might type: English and Hangul names, synonyms


class Suggester:
    """Fuzzy completion over catalog names, rebuilt whenever the catalog index changes."""

    def __init__(self) -> None:
        self._index: CatalogIndex | None = None
        self._options: dict[Arg, list[Option]] = {}
        self._keys: dict[Arg, list[tuple[str, int]]] = {}

    def complete(
        self,
        index: CatalogIndex,
        kind: Arg,
        text: str,
        limit: int,
        first: Iterable[Track] = (),
    ) -> list[Suggestion]:
        """Up to `limit` values of `kind` matching `text`, best first; `first` (the songs the
        user was just shown) leads when it matches too."""
        if index is not self._index:
            self._build(index)
        options = self._options.get(kind)
        if options is None or limit < 1:
            return []
        query = text.strip()
        # In the order shown, so the first offered is the one "like 1" would mean.
        leading = [] if kind is not Arg.TRACK else _track_options(list(first), by_year=False)
        if query:
            # On the first completion only: a command that completes nothing never loads it.
            from rapidfuzz import fuzz, process
            from rapidfuzz.utils import default_process

            leading = [o for o in leading if _matches(query, o)]
            keys = self._keys[kind]
            hits = process.extract(
                query,
                [k for k, _ in keys],
                scorer=fuzz.WRatio,
                processor=default_process,
                limit=limit * 4,
                score_cutoff=SCORE_CUTOFF,
            )
            ranked = [options[keys[pos][1]] for _, _, pos in hits]
        else:
            ranked = options
        chosen: list[Suggestion] = []
        seen: set[str] = set()
        for option in (*leading, *ranked):
            if option.value not in seen:
                seen.add(option.value)
                chosen.append(Suggestion(option.label, option.value))
            if len(chosen) == limit:
                break
        return chosen

    def _build(self, index: CatalogIndex) -> None:
        vocab = index.vocabulary
        moods = [
            Option(
                f"{tag.name} ({tag.label_ko})" + (f" — {tag.means}" if tag.means else ""),
                tag.name,
                (tag.name, tag.label_ko, *tag.en, *tag.ko),
            )
            for kind in ("mood", "energy", "season", "scene")
            for tag in vocab.of_kind(kind)
        ]
        dramas = [
            Option(
                f"{d.title} ({d.title_ko}, {d.year})",
                d.title,
                (d.title, d.title_ko, *d.aliases),
            )
            for d in sorted(index.dramas.values(), key=lambda d: (-d.year, d.title))
        ]
        artists = [
            Option(
                compose.artist_line(index, name, "en"),  # "Baekhyun (백현)"
                name,
                (name, a.name_ko, *a.aliases) if (a := index.artists.get(name)) else (name,),
            )
            for name in sorted(index.artist_tracks, key=lambda n: -len(index.artist_tracks[n]))
        ]
        self._options = {
            Arg.MOOD: moods,
            Arg.DRAMA: dramas,
            Arg.ARTIST: artists,
            Arg.TRACK: _track_options(index.tracks),
        }
        self._keys = {
            kind: [(key, i) for i, opt in enumerate(opts) for key in opt.keys if key]
            for kind, opts in self._options.items()
        }
        self._index = index


def _track_options(tracks: Sequence[Track], *, by_year: bool = True) -> list[Option]:
    """One choice per title: the core is asked by title, so songs sharing one are one choice.

    Newest first, unless `by_year` is False (then in the order given)."""
    by_title: dict[str, list[Track]] = {}
    ordered = sorted(tracks, key=lambda tr: (-tr.year, tr.title)) if by_year else tracks
    for tr in ordered:
        by_title.setdefault(tr.title.casefold(), []).append(tr)
    options = []
    for same in by_title.values():
        tr = same[0]
        if len(same) == 1:
            label = f"{compose.track_title(tr)} — {tr.artist} · {tr.drama}"
        else:
            label = f"{tr.title} — " + " / ".join(f"{x.artist} ({x.drama})" for x in same)
        keys = tuple(
            k for x in same for k in (x.title, x.title_en or "", x.title_ko or "", *x.aliases)
        )
        options.append(Option(label, tr.title, keys))
    return options


def _matches(query: str, option: Option) -> bool:
    from rapidfuzz import fuzz
    from rapidfuzz.utils import default_process

    return any(
        fuzz.WRatio(query, key, processor=default_process) >= SCORE_CUTOFF
        for key in option.keys
        if key
    )
