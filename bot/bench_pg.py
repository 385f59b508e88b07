"""`ostbot bench --backend postgres|both`: the same figures on a PostgreSQL server.

The server is a temporary one started for the run (pgserver, a pip package that ships the
server: `pip install pgserver`, or the `dev` extra), or one you name with --pg-url, on which each
measure gets a database of its own, dropped afterwards. Either way nothing of yours is touched.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bot.core.store import DatabaseUrl, database_location


class BenchServer:
    """Fresh databases on one PostgreSQL server, dropped when the benchmark ends."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.made: list[str] = []

    async def database(self) -> DatabaseUrl:
        import asyncpg

        name = f"ostbot_bench_{secrets.token_hex(4)}"
        admin = await asyncpg.connect(self.url)
        try:
            await admin.execute(f"CREATE DATABASE {name}")
        finally:
            await admin.close()
        self.made.append(name)
        parts = urlsplit(self.url)
        where = database_location(
            urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))
        )
        if not isinstance(where, DatabaseUrl):
            raise ValueError("not a PostgreSQL URL")
        return where

    async def drop_all(self) -> None:
        import asyncpg

        admin = await asyncpg.connect(self.url)
        try:
            for name in self.made:
                await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        finally:
            await admin.close()


@contextmanager
def bench_server(url: str | None) -> Iterator[BenchServer]:
    """The server named by `url`, else a temporary one (pgserver) for this run."""
    from bot.failures import CommandError

    if url is not None:
        yield BenchServer(url)
        return
    try:
        import pgserver
    except ImportError:
        raise CommandError(
            "bench --backend postgres starts a temporary PostgreSQL with pgserver: install it"
            " (pip install pgserver, or the dev extra), or give a server with --pg-url"
        ) from None
    with tempfile.TemporaryDirectory() as tmp:
        server: Any = pgserver.get_server(Path(tmp), cleanup_mode="stop")  # type: ignore[attr-defined]
        try:
            yield BenchServer(str(server.get_uri()))
        finally:
            server.cleanup()
