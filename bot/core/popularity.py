"""How well known a song is, from sourced signals (data/popularity.csv).

Each signal is a fact a source showed: a peak on the Circle (formerly Gaon) digital chart, an
award, a music-show win, or the press or broadcaster naming the song the drama's main theme.
A track's popularity is a number of points from 0 (no signal: a discovery) to 100:

- its strongest signal: a chart No. 1 or a Best OST award 100; a top-10 peak 80, top 50 60,
  top 100 40, lower 20; another award (a popularity prize, a song of the month) 60; a
  music-show win 70; the main theme 30 (a drama's theme says where the song plays, not that
  people made it a hit: with the hits asked for, a theme stays below every charted or
  awarded song of the same fit, out of the band the picks are sampled from);
- plus 10 for each other kind of signal it has (a No. 1 that is also the main theme is no
  more than 100; a main theme that also won a music show is 80).

The ranking reads the points (bot/core/recommend.py): "popular" asks for tracks with any,
"deep cuts" for tracks with none, and ordinary requests give them a modest boost.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

SIGNALS = ("chart", "main_theme", "award", "music_show")
# What a request can ask (Query.popularity), the strongest first: "deep" (tracks with no
# signal: "deep cuts", "hidden gems"), "theme" (a main theme), "popular" (any signal).
ASKS = ("deep", "theme", "popular")
MAX_POINTS = 100
# A chart peak at or above each position, and its points; lower peaks get CHART_FLOOR.
CHART_POINTS = ((1, 100), (10, 80), (50, 60), (100, 40))
CHART_FLOOR = 20
OST_AWARD, OTHER_AWARD = 100, 60
MUSIC_SHOW, MAIN_THEME = 70, 30
EXTRA_KIND = 10  # for each further kind of signal
# An award for the song as a drama's song: "Best OST", "Best Song from a Drama".
_OST_AWARD = re.compile(r"\bost\b|\bdrama\b", re.IGNORECASE)
YEAR = re.compile(r"\b(?:19|20)\d\d\b")


@dataclass(frozen=True, slots=True)
class Signal:
    """One sourced fact about how well known a track is (a row of data/popularity.csv)."""

    key: str  # the track's key
    signal: str  # one of SIGNALS
    value: str = ""  # the chart position, the award and year, the show and date
    source: str = ""
    notes: str = ""


def signal_points(signal: str, value: str) -> int:
    if signal == "chart":
        peak = int(value)
        return next((p for top, p in CHART_POINTS if peak <= top), CHART_FLOOR)
    if signal == "award":
        return OST_AWARD if _OST_AWARD.search(value) else OTHER_AWARD
    if signal == "music_show":
        return MUSIC_SHOW
    return MAIN_THEME


def points(signals: Iterable[tuple[str, str]]) -> int:
    """A track's popularity from its (signal, value) pairs; 0 without any."""
    best: dict[str, int] = {}
    for signal, value in signals:
        best[signal] = max(best.get(signal, 0), signal_points(signal, value))
    if not best:
        return 0
    return min(MAX_POINTS, max(best.values()) + EXTRA_KIND * (len(best) - 1))


def scores(signals: Iterable[Signal]) -> dict[str, tuple[int, bool]]:
    """Track key -> (points, whether it is a main theme), for the tracks that have signals."""
    found: dict[str, list[tuple[str, str]]] = {}
    for s in signals:
        found.setdefault(s.key, []).append((s.signal, s.value))
    return {
        key: (points(pairs), any(signal == "main_theme" for signal, _ in pairs))
        for key, pairs in found.items()
    }
