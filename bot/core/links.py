"""Listen links: searches, never made-up video or track ids."""

from __future__ import annotations

from urllib.parse import quote, quote_plus

from bot.core.models import Link, Track


def listen_links(track: Track) -> tuple[Link, ...]:
    words = f"{track.artist} {track.title}"
    return (
        Link("YouTube", "https://www.youtube.com/results?search_query=" + quote_plus(words)),
        Link("Spotify", "https://open.spotify.com/search/" + quote(words, safe="")),
    )
