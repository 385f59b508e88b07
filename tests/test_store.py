"""The SQLite store: migrations, catalog reloads that keep user data, atomic writes."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
from pathlib import Path

import aiosqlite
import asyncpg
import pytest

from bot.core.catalog import DATA_DIR, CatalogError, fingerprint, load_catalog
from bot.core.store import (
    APPLICATION_ID,
    MIGRATIONS,
    RECENT,
    SAVED_QUERIES,
    SCHEMA_VERSION,
    DatabaseUrl,
    Rate,
    SaveQuery,
    Shown,
    SQLiteStore,
    Store,
    StoreError,
    database_location,
    describe_database_error,
)
from tests.support import add_track


async def pragma(path: Path, name: str) -> int:
    async with aiosqlite.connect(path) as db, db.execute(f"PRAGMA {name}") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else -1


async def version(path: Path) -> int:
    return await pragma(path, "user_version")


async def test_fresh_database_is_migrated_and_seeded(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "new.db")
    try:
        counts = await store.counts()
    finally:
        await store.close()
    assert await version(tmp_path / "new.db") == SCHEMA_VERSION
    assert await pragma(tmp_path / "new.db", "application_id") == APPLICATION_ID
    assert counts["tracks"] > 200 and counts["dramas"] > 30


async def test_v1_database_upgrades_and_keeps_history(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    async with aiosqlite.connect(path) as db:
        for statement in MIGRATIONS[0].split(";"):
            if statement.strip():
                await db.execute(statement)
        await db.execute("PRAGMA user_version = 1")
        await db.execute(
            "INSERT INTO history (user, track_key, at) VALUES ('console:a', 'k1', 1.0)"
        )
        await db.execute(
            "INSERT INTO feedback (user, track_key, value, at) VALUES ('console:a', 'k2', -1, 1.0)"
        )
        await db.commit()
    store = await Store.open(path)
    try:
        state = await store.user_state("console:a")
    finally:
        await store.close()
    assert await version(path) == SCHEMA_VERSION
    # Written before ostbot stamped its files: recognised by its tables, and stamped now.
    assert await pragma(path, "application_id") == APPLICATION_ID
    assert state.heard == {"k1"} and state.feedback == {"k2": -1}


async def test_the_previous_schema_gets_titles_voices_and_signals_from_data(tmp_path: Path) -> None:
    path = tmp_path / "before.db"
    before = MIGRATIONS.index(next(m for m in MIGRATIONS if "ADD COLUMN title_en" in m))
    async with aiosqlite.connect(path) as db:
        for script in MIGRATIONS[:before]:
            for statement in script.split(";"):
                if statement.strip():
                    await db.execute(statement)
        await db.execute(f"PRAGMA user_version = {before}")
        await db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        # As if data/ had not changed since: the upgrade itself must load it again.
        await db.execute(
            "INSERT INTO meta (key, value) VALUES ('catalog_fingerprint', ?)", (fingerprint(),)
        )
        await db.commit()
    store = await Store.open(path)
    try:
        catalog = await store.load()
    finally:
        await store.close()
    shipped = load_catalog()
    assert await version(path) == SCHEMA_VERSION
    assert catalog.signals and set(catalog.signals) == set(shipped.signals)
    english = {t.key: t.title_en for t in catalog.tracks if t.title_en}
    assert english and english == {t.key: t.title_en for t in shipped.tracks if t.title_en}
    assert {a.name: a.voice for a in catalog.artists.values()} == {
        a.name: a.voice for a in shipped.artists.values()
    }


async def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    async with aiosqlite.connect(path) as db:
        await db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        await db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        await db.commit()
    with pytest.raises(StoreError, match="newer ostbot"):
        await Store.open(path)


@pytest.mark.parametrize(
    "schema",
    [
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)",
        "CREATE TABLE tracks (id INTEGER PRIMARY KEY, name TEXT)",  # a name ostbot uses too
        "PRAGMA user_version = 2",  # no tables, but another program's version number
        "PRAGMA application_id = 1234",  # another program's stamp
    ],
)
async def test_another_programs_database_is_refused_untouched(tmp_path: Path, schema: str) -> None:
    path = tmp_path / "theirs.db"
    async with aiosqlite.connect(path) as db:
        await db.execute(schema)
        await db.commit()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="another program's database"):
        await Store.open(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["theirs.db"]  # no -wal, no -shm


@pytest.mark.parametrize("url", ["mysql://ostbot:s3cret@h/db", "sqlite:///x.db"])
async def test_another_database_url_is_refused_not_taken_for_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError, match="not supported by this version") as err:
        await Store.open(url)
    assert "s3cret" not in str(err.value) and not os.listdir(tmp_path)
    with pytest.raises(StoreError, match="PostgreSQL URL must start with postgresql://"):
        database_location(Path("postgresql://h/db"))  # once Path has folded the "//"
    assert database_location("ostbot.db") == Path("ostbot.db")


@pytest.mark.parametrize(
    "url", ["postgresql://ostbot:s3cret@127.0.0.1:1/ostbot", "postgres://h/db?password=s3cret"]
)
def test_a_postgresql_url_names_a_server_and_never_shows_its_password(url: str) -> None:
    where = database_location(url)
    assert isinstance(where, DatabaseUrl) and where.url == url
    assert "s3cret" not in str(where) and "s3cret" not in repr(where)
    assert where.password == "s3cret"


async def test_an_unreachable_server_is_one_line_without_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError, match="cannot reach PostgreSQL at postgresql://ostbot@") as err:
        await Store.open("postgresql://ostbot:s3cret@127.0.0.1:1/ostbot")
    assert "s3cret" not in str(err.value) and "\n" not in str(err.value)
    assert not os.listdir(tmp_path)


def copy_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    return data


async def test_newer_catalog_keeps_history_and_feedback(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    store = await Store.open(tmp_path / "db.sqlite", data_dir=data)
    catalog = await store.load(data)
    kept = catalog.tracks[0]
    await store.apply([Shown("console:a", 1, (kept.key,)), Rate("console:a", kept.key, 1)])
    await store.close()

    # Ship a new catalog: one more track.
    drama = catalog.dramas[kept.drama]
    add_track(
        data,
        drama=drama.title,
        title="Brand New Song",
        artist=kept.artist,
        year=drama.year,
        tags="sad;low-energy",
    )
    store = await Store.open(tmp_path / "db.sqlite", data_dir=data)
    try:
        titles = {t.title for t in (await store.load(data)).tracks}
        state = await store.user_state("console:a")
    finally:
        await store.close()
    assert "Brand New Song" in titles
    assert kept.key in state.heard and state.feedback == {kept.key: 1}


async def test_invalid_new_catalog_changes_nothing(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    store = await Store.open(tmp_path / "db.sqlite", data_dir=data)
    before = await store.counts()
    add_track(data, drama="Goblin", title="Bad Row", artist="Nobody", year=2016, tags="not-a-mood")
    with pytest.raises(CatalogError) as err:
        await store.sync_catalog(data)
    assert "unknown tag(s): not-a-mood" in str(err.value)
    assert await store.counts() == before
    await store.close()


async def test_a_failing_batch_writes_nothing(any_store: Store) -> None:
    good = Shown("console:a", 7, ("k1", "k2"))
    bad = Rate("console:a", "k3", 5)  # violates the CHECK (value IN (-1, 1))
    with pytest.raises((aiosqlite.IntegrityError, asyncpg.CheckViolationError)):
        await any_store.apply([SaveQuery(7, "console:a", "{}"), good, bad])
    state = await any_store.user_state("console:a")
    assert state.heard == set() and state.last_query is None and state.version == 0
    assert await any_store.query(7) is None


async def test_restart_of_a_pool_forgets_history(any_store: Store) -> None:
    await any_store.apply([Shown("u", 1, ("a", "b"))])
    await any_store.apply([Shown("u", 2, ("a",), forget=("a", "b"))])
    state = await any_store.user_state("u")
    assert state.heard == {"a"} and state.last_tracks == ("a",)
    # History still shows every recommendation; only the no-repeat memory starts over.
    assert [k for k, _ in state.recent] == ["a", "b", "a"]


def test_sqlite_failures_are_described_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (a)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(sqlite3.OperationalError) as locked:
            sqlite3.connect(path, timeout=0).execute("INSERT INTO t VALUES (1)")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with pytest.raises(sqlite3.OperationalError) as readonly:
        sqlite3.connect(f"file:{path}?mode=ro", uri=True).execute("INSERT INTO t VALUES (1)")
    assert describe_database_error(locked.value, path) == (
        f"{path} is locked by another process (an import, or another ostbot):"
        " try again when it has finished"
    )
    assert describe_database_error(readonly.value, path).startswith(f"{path} cannot be written")
    other = sqlite3.IntegrityError("CHECK constraint failed: value")
    assert describe_database_error(other, path) == f"database error in {path}: {other}"


async def test_history_and_saved_requests_are_bounded_per_user(any_store: Store) -> None:
    for n in range(SAVED_QUERIES + 30):
        await any_store.apply([SaveQuery(n, "u", "{}", at=float(n)), Shown("u", n, (f"k{n}",))])
    await any_store.apply([SaveQuery(10_000, "other", "{}"), Shown("other", 10_000, ("x",))])
    state = await any_store.user_state("u")
    assert len(state.heard) == SAVED_QUERIES + 30  # "no repeats" still knows every track
    assert [k for k, _ in state.recent] == [f"k{n}" for n in range(120, 130)]
    assert await any_store.query(SAVED_QUERIES + 29) == "{}"
    assert await any_store.query(29) is None  # the 101st newest request has expired
    counts = await any_store.counts()
    assert counts["history"] == RECENT + 1
    assert (await any_store.user_state("other")).heard == {"x"}


@pytest.mark.parametrize(
    ("ops", "heard"),
    [
        ([Shown("u", 1, ("a",)), Shown("u", 2, ("b",), forget=("a",))], {"b"}),
        ([Shown("u", 1, ("a",), forget=("a",)), Shown("u", 2, ("a",))], {"a"}),
        ([Shown("u", 1, ("a", "b")), Shown("u", 2, ("a",), forget=("a", "b"))], {"a"}),
    ],
)
async def test_a_batch_means_what_its_writes_mean_one_by_one(
    any_store: Store, ops: list[Shown], heard: set[str]
) -> None:
    await any_store.apply([Shown("u", 0, ("old",), at=0.0)])
    await any_store.apply(ops)  # one transaction, one statement per table
    state = await any_store.user_state("u")
    assert state.heard == heard | {"old"} and state.last_query == ops[-1].query_id
    assert [k for k, _ in state.recent] == ["old"] + [k for op in ops for k in op.keys]


async def test_user_queries_fit_their_indexes(store: SQLiteStore) -> None:
    """Starting over, pruning and reading a user cost the same at 50,000 rows as at 50."""
    statements = [
        ("DELETE FROM heard WHERE user = 'u' AND track_key = 'k'", "PRIMARY KEY"),
        (
            "DELETE FROM history WHERE rowid IN (SELECT rowid FROM history WHERE user = 'u'"
            " ORDER BY at DESC, rowid DESC LIMIT -1 OFFSET 10)",
            "history_by_user",
        ),
        (
            "DELETE FROM queries WHERE id IN (SELECT id FROM queries WHERE user = 'u'"
            " ORDER BY at DESC, id DESC LIMIT -1 OFFSET 100)",
            "queries_by_user",
        ),
        ("SELECT track_key FROM heard WHERE user = 'u'", "PRIMARY KEY"),
        ("SELECT track_key, value FROM feedback WHERE user = 'u'", "autoindex_feedback"),
    ]
    async with aiosqlite.connect(store.path) as db:
        for sql, index in statements:
            async with db.execute(f"EXPLAIN QUERY PLAN {sql}") as cur:
                plan = " | ".join(str(row[-1]) for row in await cur.fetchall())
            assert index in plan, (sql, plan)
            assert "SCAN heard" not in plan and "SCAN history" not in plan, (sql, plan)


async def test_v3_database_keeps_what_no_repeats_needs(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    async with aiosqlite.connect(path) as db:
        for script in MIGRATIONS[:3]:
            for statement in script.split(";"):
                if statement.strip():
                    await db.execute(statement)
        await db.execute("PRAGMA user_version = 3")
        rows = [("a", f"k{n}", float(n), n % 2) for n in range(30)]  # odd ones cleared
        rows += [("b", "kb", 1.0, 0), ("b", "kb", 2.0, 0)]
        await db.executemany(
            "INSERT INTO history (user, track_key, at, cleared) VALUES (?,?,?,?)", rows
        )
        await db.executemany(
            "INSERT INTO queries (id, user, spec, at) VALUES (?,?,?,?)",
            [(n, "a", "{}", float(n)) for n in range(150)],
        )
        await db.commit()
    store = await Store.open(path)
    try:
        a, b = await store.user_state("a"), await store.user_state("b")
        kept = [n for n in range(150) if await store.query(n) is not None]
    finally:
        await store.close()
    assert a.heard == {f"k{n}" for n in range(0, 30, 2)}
    assert [k for k, _ in a.recent] == [f"k{n}" for n in range(20, 30)]
    assert b.heard == {"kb"} and [k for k, _ in b.recent] == ["kb", "kb"]
    assert kept == list(range(50, 150))


async def test_a_failed_commit_is_rolled_back(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_commit = store._db.commit

    async def failing_commit() -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store._db, "commit", failing_commit)
    with pytest.raises(sqlite3.OperationalError):
        await store.apply([Shown("u", 1, ("a",))])
    monkeypatch.setattr(store._db, "commit", real_commit)
    await store.apply([Shown("u", 2, ("b",))])  # no "transaction within a transaction"
    assert (await store.user_state("u")).heard == {"b"}


async def test_two_processes_migrating_at_once_both_succeed(tmp_path: Path) -> None:
    path = tmp_path / "race.db"
    stores = await asyncio.gather(*(Store.open(path) for _ in range(3)))
    for st in stores:
        await st.close()
    assert await version(path) == SCHEMA_VERSION
