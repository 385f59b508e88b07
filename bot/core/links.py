"""Listen links: searches, never made-up video or track ids."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote, quote_plus

from bot.core.models import Link, Track


def listen_links(track: Track) -> tuple[Link, ...]:
    return _links(track.artist, track.title)


@lru_cache(maxsize=8192)  # quoting costs more than the rest of a card; tracks repeat
def _links(artist: str, title: str) -> tuple[Link, ...]:
    words = f"{artist} {title}"
    return (
        Link("YouTube", "https://www.youtube.com/results?search_query=" + quote_plus(words)),
        Link("Spotify", "https://open.spotify.com/search/" + quote(words, safe="")),
    )
