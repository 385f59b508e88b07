"""Shared fixtures: a store and service on a fresh database seeded from the shipped data/."""

from __future__ import annotations

import asyncio
import random
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.catalog import DATA_DIR, Catalog, load_catalog, load_vocabulary
from bot.core.index import CatalogIndex
from bot.core.index_cache import load_index
from bot.core.models import Request
from bot.core.service import Service
from bot.core.store import Store
from tests.support import spy_on


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
    for suffix in ("", "-wal", "-shm"):
        source = seeded_db.with_name(seeded_db.name + suffix)
        if source.exists():
            shutil.copy(source, target.with_name(target.name + suffix))
    st = await Store.open(target)
    yield st
    await st.close()


@pytest.fixture
async def service(store: Store) -> AsyncIterator[Service]:
    svc = await Service.create(store, rng=random.Random(1234), owners=frozenset({"console:owner"}))
    yield svc
    await svc.close()


@pytest.fixture
def handled(service: Service, monkeypatch: pytest.MonkeyPatch) -> list[Request]:
    """Every Request an adapter hands to the core (the core still answers them)."""
    return spy_on(service, monkeypatch)
