"""A real PostgreSQL server for the tests, started by the suite itself (pgserver, a pip package
that ships the server binaries), and a fresh database per test cloned from a seeded template.

If the server cannot start, the tests that need it fail: the PostgreSQL backend is never
silently skipped.
"""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bot.core.index_cache import load_index
from bot.core.store import Store
from bot.core.vocabulary import Vocabulary

TEMPLATE = "ostbot_template"  # migrated, seeded from data/, its index saved
_names = itertools.count()


def start_server(folder: Path) -> tuple[object, str]:
    """Start PostgreSQL with its data in `folder`; the server handle and its URL."""
    import pgserver

    with warnings.catch_warnings():  # platformdirs: "XDG_RUNTIME_DIR is not set" (harmless)
        warnings.simplefilter("ignore")
        server = pgserver.get_server(folder, cleanup_mode="stop")  # type: ignore[attr-defined]
    return server, str(server.get_uri())


def with_database(url: str, name: str) -> str:
    """The server's URL, naming another database on it."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


async def create_database(url: str, name: str, template: str | None = None) -> str:
    admin = await asyncpg.connect(url)
    try:
        like = f" TEMPLATE {template}" if template else ""
        await admin.execute(f"CREATE DATABASE {name}{like}")
    finally:
        await admin.close()
    return with_database(url, name)


async def seed_template(url: str, vocabulary: Vocabulary) -> None:
    store = await Store.open(await create_database(url, TEMPLATE))
    try:
        await load_index(store, vocabulary)
    finally:
        await store.close()


async def fresh_database(url: str, *, seeded: bool = True) -> str:
    """A new database for one test: a copy of the seeded template, or empty."""
    name = f"t{next(_names)}"
    return await create_database(url, name, TEMPLATE if seeded else None)
