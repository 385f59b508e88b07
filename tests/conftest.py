"""Shared fixtures: a store and service on a fresh database seeded from the shipped data/."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.catalog import DATA_DIR, Catalog, load_catalog
from bot.core.index import CatalogIndex
from bot.core.models import Request
from bot.core.service import Service
from bot.core.store import Store


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(DATA_DIR)


@pytest.fixture(scope="session")
def index(catalog: Catalog) -> CatalogIndex:
    return CatalogIndex(catalog)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    st = await Store.open(tmp_path / "test.db")
    yield st
    await st.close()


@pytest.fixture
async def service(store: Store) -> AsyncIterator[Service]:
    svc = await Service.create(store, rng=random.Random(1234), owners=frozenset({"console:owner"}))
    yield svc
    await svc.close()


def ask(
    text: str, user: str = "u1", platform: str = "console", locale: str | None = None
) -> Request:
    return Request(platform=platform, user_id=user, chat_id="c1", text=text, locale=locale)
