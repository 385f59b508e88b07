"""Shared fixtures: a store and service on a fresh database seeded from the shipped data/."""

from __future__ import annotations

import asyncio
import random
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.core.catalog import DATA_DIR, Catalog, load_catalog, load_vocabulary
from bot.core.index import CatalogIndex
from bot.core.index_cache import load_index
from bot.core.models import Request
from bot.core.service import Service
from bot.core.store import Store
from tests.support import postgres, spy_on


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(DATA_DIR)


@pytest.fixture(scope="session")
def index(catalog: Catalog) -> CatalogIndex:
    return CatalogIndex(catalog)


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database seeded from data/ per session, its index saved; each test gets a copy."""
    path = tmp_path_factory.mktemp("seed") / "seed.db"

    async def seed() -> None:
        st = await Store.open(path)
        await load_index(st, load_vocabulary())
        await st.close()

    asyncio.run(seed())
    return path


@pytest.fixture
async def store(tmp_path: Path, seeded_db: Path) -> AsyncIterator[Store]:
    target = tmp_path / "test.db"
    _copy_sqlite(seeded_db, target)
    st = await Store.open(target)
    yield st
    await st.close()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A PostgreSQL server for the whole session, with a seeded template database; its URL.

    Its folder is made outside pytest's numbered temporary folders, which another pytest run
    on the same machine may prune while this one is still using them.
    """
    folder = Path(tempfile.mkdtemp(prefix="ostbot-test-pg-"))
    server, url = postgres.start_server(folder)
    try:
        # On a thread of its own: the first test to ask for it may be running in a loop.
        with ThreadPoolExecutor(1) as thread:
            thread.submit(asyncio.run, postgres.seed_template(url, load_vocabulary())).result()
        yield url
    finally:
        server.cleanup()  # type: ignore[attr-defined]
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
async def pg_url(pg_server: str) -> str:
    """A fresh database for one test, seeded from data/ (a copy of the template)."""
    return await postgres.fresh_database(pg_server)


@pytest.fixture(params=["sqlite", "postgres"])
async def any_store(
    request: pytest.FixtureRequest, tmp_path: Path, seeded_db: Path
) -> AsyncIterator[Store]:
    """The store on each backend in turn: SQLite (a copy of the seeded file) and PostgreSQL
    (a fresh database cloned from the seeded template)."""
    if request.param == "sqlite":
        target: Path | str = tmp_path / "test.db"
        _copy_sqlite(seeded_db, Path(target))
    else:
        target = await postgres.fresh_database(request.getfixturevalue("pg_server"))
    st = await Store.open(target)
    yield st
    await st.close()


def _copy_sqlite(source: Path, target: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        found = source.with_name(source.name + suffix)
        if found.exists():
            shutil.copy(found, target.with_name(target.name + suffix))


@pytest.fixture
async def service(store: Store) -> AsyncIterator[Service]:
    svc = await Service.create(store, rng=random.Random(1234), owners=frozenset({"console:owner"}))
    yield svc
    await svc.close()


@pytest.fixture
def handled(service: Service, monkeypatch: pytest.MonkeyPatch) -> list[Request]:
    """Every Request an adapter hands to the core (the core still answers them)."""
    return spy_on(service, monkeypatch)
