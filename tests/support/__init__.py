"""Helpers shared by the tests: requests, small catalogs, and a spy on what reaches the core.

The platform kits live beside this: `telegram_kit` (a fake Bot API and real-shaped updates)
and `discord_kit` (real discord.py objects fed real-shaped payloads, with HTTP recorded).
"""

from __future__ import annotations

import asyncio
import csv
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from bot.core.catalog import DATA_DIR, TRACK_COLUMNS, Catalog, load_catalog
from bot.core.models import Artist, Drama, Reply, Request, Track
from bot.core.service import Service
from bot.core.store import Location


def ask(
    text: str, user: str = "u1", platform: str = "console", locale: str | None = None
) -> Request:
    return Request(platform=platform, user_id=user, chat_id="c1", text=text, locale=locale)


def spy_on(service: Service, monkeypatch: pytest.MonkeyPatch) -> list[Request]:
    """Record the Requests handed to `service` (the core still answers them)."""
    seen: list[Request] = []
    real: Callable[[Request], Awaitable[Reply]] = service.handle

    async def handle(request: Request) -> Reply:
        seen.append(request)
        return await real(request)

    monkeypatch.setattr(service, "handle", handle)
    return seen


def slow_core(
    service: Service, monkeypatch: pytest.MonkeyPatch, seconds: float = 0.3
) -> asyncio.Event:
    """Make the core take `seconds` longer per request (it still answers); the event is set
    when the first request reaches it."""
    started = asyncio.Event()
    real: Callable[[Request], Awaitable[Reply]] = service.handle

    async def handle(request: Request) -> Reply:
        started.set()
        await asyncio.sleep(seconds)
        return await real(request)

    monkeypatch.setattr(service, "handle", handle)
    return started


def make_catalog(
    tracks: list[tuple[str, str, str, int, tuple[str, ...]]],
    vocabulary_from: Catalog | None = None,
) -> Catalog:
    """A small catalog: (title, artist, drama, year, tags) rows; dramas and artists derived."""
    vocab = (vocabulary_from or load_catalog(DATA_DIR)).vocabulary
    cat = Catalog(vocabulary=vocab)
    for title, artist, drama, year, tags in tracks:
        if drama not in cat.dramas:
            cat.dramas[drama] = Drama(
                title=drama, title_ko="드라마", year=year, sources=("https://example.org/",)
            )
        d = cat.dramas[drama]
        if year > d.last_year:
            cat.dramas[drama] = Drama(
                title=drama, title_ko="드라마", year=d.year, year_end=year, sources=d.sources
            )
        cat.artists.setdefault(artist, Artist(name=artist))
        cat.tracks.append(Track(title=title, artist=artist, drama=drama, year=year, tags=tags))
    return cat


def add_track(data: Path, **cells: object) -> None:
    """Append a row to data/tracks.csv by column name (drama, title, artist, year, tags, ...);
    the columns not given are blank."""
    with (data / "tracks.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.DictWriter(fh, TRACK_COLUMNS, restval="", lineterminator="\n").writerow(cells)


def rows_mentioning(path: Location, user: str) -> dict[str, int]:
    """Rows of any table of the database whose any column holds the user id, whole or inside
    JSON: what is left of a user, found without trusting the store's idea of its tables."""
    if not isinstance(path, Path):
        raise TypeError("rows_mentioning reads an SQLite file")
    found = {}
    with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as db:
        tables = [
            str(r[0])
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for table in tables:
            columns = [c[1] for c in db.execute(f'PRAGMA table_info("{table}")')]
            where = " OR ".join(f'instr(CAST("{c}" AS TEXT), ?) > 0' for c in columns)
            (n,) = db.execute(
                f'SELECT count(*) FROM "{table}" WHERE {where}',  # noqa: S608
                [user] * len(columns),
            ).fetchone()
            if n:
                found[table] = n
    return found
