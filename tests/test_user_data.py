"""What the store keeps about one user, and forgetting all of it.

The tables are read from the schema (sqlite_master), never listed by hand here, so a table a
later migration adds is covered by these tests too.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.core.store import Rate, SaveQuery, Shown, Store
from tests.support import rows_mentioning

VICTIM = "telegram:victim-7f3a9"  # distinctive: found only where this user's data is
OTHER = "discord:other-1b2c"
# Tables that hold nothing about any user. Every other table must have a `user` column, which
# is how forget_user finds it: a new table goes here only if it keeps no user data.
SHARED_TABLES = {"meta", "dramas", "artists", "tracks", "index_cache", "signals"}


async def remember(store: Store, user: str, keys: tuple[str, ...], query_id: int) -> None:
    await store.apply(
        [
            SaveQuery(query_id, user, '{"moods": ["healing"]}'),
            Shown(user, query_id, keys[:2]),
            Shown(user, query_id, keys[2:3], forget=keys[:1]),
            Rate(user, keys[0], 1),
            Rate(user, keys[1], -1),
        ]
    )


def tables_and_columns(store: Store) -> dict[str, list[str]]:
    path = store.path
    assert isinstance(path, Path)  # these tests read the SQLite file itself
    with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as db:
        tables = [
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: [c[1] for c in db.execute(f'PRAGMA table_info("{t}")')] for t in tables}


async def test_every_table_is_shared_or_keyed_by_user(store: Store) -> None:
    tables = tables_and_columns(store)
    keyed = {t for t, columns in tables.items() if "user" in columns}
    assert set(tables) - keyed == SHARED_TABLES
    assert await store.user_tables() == sorted(keyed)


async def test_user_data_counts_each_table(store: Store) -> None:
    keys = tuple(t.key for t in (await store.load()).tracks[:3])
    await remember(store, VICTIM, keys, 1)
    assert await store.user_data(VICTIM) == {
        "feedback": 2,
        "heard": 2,
        "history": 3,
        "queries": 1,
        "users": 1,
    }
    assert set((await store.user_data("nobody:0")).values()) == {0}


async def test_forget_user_leaves_no_row_of_that_user_in_any_table(store: Store) -> None:
    keys = tuple(t.key for t in (await store.load()).tracks[:3])
    await remember(store, VICTIM, keys, 1)
    await remember(store, OTHER, keys, 2)
    catalog_before = await store.counts()
    other_before = await store.user_data(OTHER)
    assert set(rows_mentioning(store.path, VICTIM)) == set(await store.user_tables())

    deleted = await store.forget_user(VICTIM)

    assert deleted == {"feedback": 2, "heard": 2, "history": 3, "queries": 1, "users": 1}
    assert rows_mentioning(store.path, VICTIM) == {}
    assert await store.user_data(OTHER) == other_before  # nobody else loses anything
    after = await store.counts()
    assert {k: after[k] for k in ("dramas", "artists", "tracks")} == {
        k: catalog_before[k] for k in ("dramas", "artists", "tracks")
    }
    assert (await store.user_state(VICTIM)).heard == set()


async def test_forget_user_is_all_or_nothing(store: Store) -> None:
    keys = tuple(t.key for t in (await store.load()).tracks[:3])
    await remember(store, VICTIM, keys, 1)
    before = await store.user_data(VICTIM)
    # A trigger makes the last table's delete fail half-way through the transaction.
    last = (await store.user_tables())[-1]
    async with store._transaction() as db:
        await db.execute(
            f'CREATE TRIGGER refuse BEFORE DELETE ON "{last}" BEGIN'
            " SELECT RAISE(ABORT, 'refused'); END"
        )
    with pytest.raises(sqlite3.IntegrityError):
        await store.forget_user(VICTIM)
    assert await store.user_data(VICTIM) == before
