"""The SQLite store: catalog tables, per-user history, feedback and saved requests.

Only parameterised SQL. Each public write runs in one transaction, so a failure leaves the
database as it was.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import re
import secrets
import sqlite3
import time
from collections import deque
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import aiosqlite

from bot.core.catalog import (
    DATA_DIR,
    Catalog,
    ImportRow,
    fingerprint,
    load_catalog,
    load_vocabulary,
    multiword,
    split_credit,
)
from bot.core.models import Artist, Drama, Track, TrackRow
from bot.core.popularity import Signal

log = logging.getLogger(__name__)

# Versioned migrations: index i upgrades user_version i -> i + 1. Append only; never edit a
# migration that has shipped.
MIGRATIONS: tuple[str, ...] = (
    # 1: catalog, listening history and feedback
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE dramas (
        title TEXT PRIMARY KEY, title_ko TEXT NOT NULL, year INTEGER NOT NULL,
        year_end INTEGER, network TEXT NOT NULL DEFAULT '', aliases TEXT NOT NULL DEFAULT '[]',
        genres TEXT NOT NULL DEFAULT '[]', sources TEXT NOT NULL DEFAULT '[]',
        notes TEXT NOT NULL DEFAULT '', origin TEXT NOT NULL DEFAULT 'catalog');
    CREATE TABLE artists (
        name TEXT PRIMARY KEY, name_ko TEXT NOT NULL DEFAULT '',
        aliases TEXT NOT NULL DEFAULT '[]', groups_ TEXT NOT NULL DEFAULT '[]',
        origin TEXT NOT NULL DEFAULT 'catalog');
    CREATE TABLE tracks (
        key TEXT PRIMARY KEY, title TEXT NOT NULL, title_ko TEXT, artist TEXT NOT NULL,
        drama TEXT NOT NULL, year INTEGER NOT NULL, tags TEXT NOT NULL, part INTEGER,
        aliases TEXT NOT NULL DEFAULT '[]', origin TEXT NOT NULL DEFAULT 'catalog');
    CREATE TABLE history (
        user TEXT NOT NULL, track_key TEXT NOT NULL, at REAL NOT NULL);
    CREATE INDEX history_by_user ON history (user, at);
    CREATE TABLE feedback (
        user TEXT NOT NULL, track_key TEXT NOT NULL,
        value INTEGER NOT NULL CHECK (value IN (-1, 1)), at REAL NOT NULL,
        PRIMARY KEY (user, track_key));
    """,
    # 2: saved requests, so "another" works from any button and after a restart
    """
    CREATE TABLE queries (
        id INTEGER PRIMARY KEY, user TEXT NOT NULL, spec TEXT NOT NULL, at REAL NOT NULL);
    CREATE TABLE users (
        user TEXT PRIMARY KEY, last_query INTEGER, last_tracks TEXT NOT NULL DEFAULT '[]');
    ALTER TABLE history ADD COLUMN query_id INTEGER;
    """,
    # 3: when a pool starts over, mark its history as cleared instead of deleting it, so
    # `history` still shows everything that was recommended
    """
    ALTER TABLE history ADD COLUMN cleared INTEGER NOT NULL DEFAULT 0;
    """,
    # 4: an imported track that changes a shipped one remembers which shipped version it
    # replaced (a digest), so data/ takes it back only when data/ changes that track; and the
    # built catalog index, kept between starts (see bot/core/index_cache.py)
    """
    ALTER TABLE tracks ADD COLUMN shipped TEXT;
    CREATE TABLE index_cache (
        id INTEGER PRIMARY KEY CHECK (id = 1), version TEXT NOT NULL, data BLOB NOT NULL);
    """,
    # 5: bounded per-user data. `heard` is what "no repeats" needs: one row per user and track,
    # deleted when a pool starts over. `history` keeps each user's last 10 recommendations (what
    # the `history` command shows) and `queries` each user's last 100 saved requests (what old
    # "another" buttons need), so no table grows without bound and every lookup has its index.
    """
    CREATE TABLE heard (
        user TEXT NOT NULL, track_key TEXT NOT NULL, PRIMARY KEY (user, track_key)
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO heard (user, track_key)
        SELECT user, track_key FROM history WHERE cleared = 0;
    CREATE TABLE recent (
        user TEXT NOT NULL, track_key TEXT NOT NULL, at REAL NOT NULL, query_id INTEGER);
    INSERT INTO recent (user, track_key, at, query_id)
        SELECT user, track_key, at, query_id FROM (
            SELECT user, track_key, at, query_id, rowid AS r, row_number() OVER (
                PARTITION BY user ORDER BY at DESC, rowid DESC) AS n
            FROM history)
        WHERE n <= 10 ORDER BY at, r;
    DROP TABLE history;
    ALTER TABLE recent RENAME TO history;
    CREATE INDEX history_by_user ON history (user, at);
    DELETE FROM queries WHERE id IN (
        SELECT id FROM (
            SELECT id, row_number() OVER (PARTITION BY user ORDER BY at DESC, id DESC) AS n
            FROM queries)
        WHERE n > 100);
    CREATE INDEX queries_by_user ON queries (user, at);
    """,
    # 6: official English titles, who sings (an artist's voice) and sourced popularity signals
    # (issue 10). data/ is loaded again on the next open, so the new columns get filled.
    """
    ALTER TABLE tracks ADD COLUMN title_en TEXT;
    ALTER TABLE artists ADD COLUMN voice TEXT NOT NULL DEFAULT '';
    CREATE TABLE signals (
        track_key TEXT NOT NULL, signal TEXT NOT NULL, value TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL DEFAULT '', notes TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (track_key, signal, value));
    DELETE FROM meta WHERE key = 'catalog_fingerprint';
    """,
    # 7: a version per user, raised by every write about that user, so a process that keeps a
    # user in memory can tell with one indexed read whether another process has changed them
    # since (several processes on one PostgreSQL database; see bot/core/postgres.py)
    """
    ALTER TABLE users ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
# Stamped in every database ostbot creates (PRAGMA application_id, "OSTB"), so a file can be
# recognised as ostbot's before anything is written to it.
APPLICATION_ID = 0x4F535442
# A database from before the stamp is ostbot's when it has every table of the first schema.
_FIRST_TABLES = frozenset(re.findall(r"CREATE TABLE (\w+)", MIGRATIONS[0]))
# "postgresql://...", "sqlite:///..." (and "postgresql:/..." once a Path has folded the "//").
_URL_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]+):/")
CATALOG_VERSION = "catalog_version"  # meta key


class StoreError(RuntimeError):
    pass


class StoreUnavailable(StoreError):
    """The database did not take a write (locked too long, read-only, full, failing)."""


RECENT = 10  # history rows kept per user: what the `history` command shows
SAVED_QUERIES = 100  # saved requests kept per user: older "another" buttons have expired
LOCK_WAIT = 5.0  # seconds a transaction waits for another connection's write lock
# While serving, SQLite's own busy wait is kept short so the connection's thread is never stuck
# for long (a read or a shutdown queued behind it would be); `_begin` retries in between.
BUSY_MS = 100
OPEN_BUSY_MS = 5000  # opening (WAL switch, migrations) waits in SQLite itself
CLOSE_GRACE = 2.0  # seconds a connection gets to close
KEYS_PER_QUERY = 500  # track keys looked up per `IN (...)`: within every SQLite's limit


def is_busy(exc: BaseException) -> bool:
    """Whether exc is SQLite's "database is locked" / "busy": worth retrying, never a loss."""
    code = getattr(exc, "sqlite_errorcode", None)
    return (
        isinstance(exc, sqlite3.OperationalError)
        and isinstance(code, int)
        and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)  # extended codes too
    )


def describe(exc: BaseException) -> str:
    """One line saying what went wrong with the database, e.g. "database is locked"."""
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


async def _begin(db: aiosqlite.Connection, wait: float) -> None:
    """BEGIN IMMEDIATE (take the write lock now), retrying for `wait` seconds while another
    connection holds it. Retrying here, not in SQLite's busy handler, keeps the connection's
    thread free and lets a cancel (a shutdown deadline) stop the wait."""
    await _retrying(db, "BEGIN IMMEDIATE", wait)


async def _retrying(db: aiosqlite.Connection, sql: str, wait: float) -> None:
    """Run sql, trying again for `wait` seconds while SQLite says the database is busy (also
    where SQLite does not wait itself: switching a new file to WAL while another process
    opens it)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    pause = 0.005
    while True:
        try:
            await db.execute(sql)
            return
        except sqlite3.OperationalError as exc:
            if not is_busy(exc) or loop.time() + pause > deadline:
                raise
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.1)


def _connect(path: Path | str) -> aiosqlite.Connection:
    conn = aiosqlite.connect(path, isolation_level=None)
    # aiosqlite's worker thread is not a daemon: a connection a failure left open would keep the
    # process alive after main() returns. (0.21+ keeps it in `_thread`; older versions are it.)
    worker: Any = getattr(conn, "_thread", conn)
    worker.daemon = True
    return conn


@dataclass
class UserState:
    heard: set[str]
    feedback: dict[str, int]
    last_query: int | None = None
    last_tracks: tuple[str, ...] = ()
    recent: deque[tuple[str, float]] = field(default_factory=lambda: deque(maxlen=RECENT))
    version: int = 0  # the users row's version when this was read (see Store.user_version)


@dataclass(frozen=True)
class SaveQuery:
    query_id: int
    user: str
    spec: str
    at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class Shown:
    """Tracks shown to a user; `forget` clears earlier history when a pool starts over."""

    user: str
    query_id: int | None
    keys: tuple[str, ...]
    forget: tuple[str, ...] = ()
    at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class Rate:
    user: str
    key: str
    value: int  # 1 like, -1 dislike
    at: float = field(default_factory=time.time)


Write = SaveQuery | Shown | Rate


@dataclass(frozen=True)
class ImportResult:
    inserted: int
    updated: int
    unchanged: int = 0
    # Updated tracks that are also shipped in data/: the import wins until data/ changes them.
    overrides: int = 0


def default_db_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ostbot" / "ostbot.db"


POSTGRES_SCHEMES = ("postgresql", "postgres")


@dataclass(frozen=True)
class DatabaseUrl:
    """A PostgreSQL database named by URL. Shown (str, repr, every message) without its
    password, which stays in `url` for connecting only."""

    url: str = field(repr=False)

    def __str__(self) -> str:
        return redacted_url(self.url)

    def __repr__(self) -> str:
        return f"DatabaseUrl({self})"

    @property
    def password(self) -> str | None:
        parts = urlsplit(self.url)
        found = [v for k, v in parse_qsl(parts.query) if k == "password"]
        return parts.password or (found[0] if found else None)


def redacted_url(url: str) -> str:
    """The URL without its password (in the address or as a `password=` parameter)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        netloc = netloc.rsplit("@", 1)[1]
        if parts.username:
            netloc = f"{parts.username}@{netloc}"
    shown = [(k, "***" if k == "password" else v) for k, v in parse_qsl(parts.query)]
    query = urlencode(shown, safe="/")  # host=/run/postgresql reads as written
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


Location = Path | DatabaseUrl


def database_location(target: str | Path | None) -> Location:
    """The database that --db / OSTBOT_DB names (None: the default SQLite file).

    This is where a database URL is told apart from a file name: `postgresql://…` (or
    `postgres://…`) is a PostgreSQL server; anything else without a scheme is an SQLite file.
    Another scheme is refused instead of being taken for a folder called "mysql:". No message
    repeats a URL's password.
    """
    if target is None:
        return default_db_path()
    scheme = _URL_SCHEME.match(str(target))
    if scheme is None:
        return Path(target)
    name = scheme.group(1).lower()
    if name in POSTGRES_SCHEMES:
        if isinstance(target, str) and target[scheme.end() :].startswith("/"):
            return DatabaseUrl(target)
        raise StoreError(
            "a PostgreSQL URL must start with postgresql:// (it was read as a file path):"
            " set --db or OSTBOT_DB to postgresql://user@host/database"
        )
    raise StoreError(
        f"a {name}: URL is not supported by this version of ostbot: set --db or OSTBOT_DB to"
        " the path of an SQLite file, or to a postgresql:// URL"
    )


# SQLite's error name (by prefix) -> what it means for the operator and what to do.
_DATABASE_ERRORS: tuple[tuple[str | tuple[str, ...], str], ...] = (
    (
        "SQLITE_NOTADB",
        "{path} is not an SQLite database, or is damaged: point --db or OSTBOT_DB at an ostbot"
        " database, or move the file away and ostbot starts a new one",
    ),
    (
        "SQLITE_CORRUPT",
        "{path} is damaged ({exc}): restore it from a backup, or move it away and ostbot starts"
        " a new one (history and likes start over)",
    ),
    ("SQLITE_READONLY", "{path} cannot be written ({exc}): make it and its folder writable"),
    ("SQLITE_CANTOPEN", "cannot open {path}: check that its folder exists and is writable"),
    (
        ("SQLITE_BUSY", "SQLITE_LOCKED"),
        "{path} is locked by another process (an import, or another ostbot): try again when it"
        " has finished",
    ),
    ("SQLITE_FULL", "the disk holding {path} is full: free some space and try again"),
    ("SQLITE_IOERR", "reading or writing {path} failed ({exc}): check the disk and try again"),
)


def describe_database_error(exc: sqlite3.Error, path: Location | str) -> str:
    """What went wrong with the database file, and what to do, in one line."""
    code = getattr(exc, "sqlite_errorname", "") or ""
    for prefix, message in _DATABASE_ERRORS:
        if code.startswith(prefix):
            return message.format(path=path, exc=exc)
    return f"database error in {path}: {exc}"


def _prepare_location(path: Path) -> None:
    """Refuse a path SQLite cannot use, saying why; create a missing parent folder."""
    if path.is_dir():
        raise StoreError(
            f"{path} is a folder, not a database file: give --db or OSTBOT_DB a file name,"
            f" e.g. {path / 'ostbot.db'}"
        )
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        raise StoreError(
            f"cannot create {path}: {exc.filename} is a file, not a folder: choose another path"
        ) from exc
    except OSError as exc:
        raise StoreError(
            f"cannot create the folder {folder}: {exc.strerror}: create it yourself or choose"
            " another path"
        ) from exc
    # SQLite writes its journal (-wal, -shm) next to the database: the folder must be writable
    # even when the file already exists.
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StoreError(
            f"cannot write in {folder}: permission denied: make it writable or choose another"
            " path for the database"
        )
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise StoreError(f"{path} cannot be read and written by this user: fix its permissions")


async def _pragma(db: aiosqlite.Connection, name: str) -> int:
    async with db.execute(f"PRAGMA {name}") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def recognise(db: aiosqlite.Connection, path: Path | str) -> bool:
    """Refuse a database that is not ostbot's, reading only. True when it needs the stamp
    (a new database, or one ostbot wrote before it stamped its files)."""
    # One read transaction, so the three reads agree even while another process is creating
    # and migrating this very file (tables read before its commit, the version after, would
    # look like another program's database).
    await db.execute("BEGIN")
    try:
        owner = await _pragma(db, "application_id")
        async with db.execute("SELECT name FROM sqlite_master WHERE type = 'table'") as cur:
            tables = {str(r[0]) async for r in cur}
        version = await _pragma(db, "user_version")
    finally:
        await db.execute("COMMIT")
    if owner == APPLICATION_ID:
        return False
    if owner == 0 and (
        (not tables and version == 0) or (version >= 1 and _FIRST_TABLES.issubset(tables))
    ):
        return True
    raise StoreError(
        f"{path} is another program's database, not ostbot's: ostbot leaves it untouched;"
        " point --db or OSTBOT_DB at an ostbot database or at a new file"
    )


async def migrate(db: aiosqlite.Connection, where: str = "the database") -> int:
    """Bring the schema to SCHEMA_VERSION; returns the version found before."""
    found = await _pragma(db, "user_version")
    if found > SCHEMA_VERSION:
        raise StoreError(
            f"{where} was written by a newer ostbot (schema v{found}; this one reads up to"
            f" v{SCHEMA_VERSION}): upgrade ostbot, or use another database file"
        )
    version = found
    while version < SCHEMA_VERSION:
        # executescript would commit on its own; run each statement inside one transaction.
        # The version is read again under the write lock: another process may have migrated
        # while this one waited for it.
        await _begin(db, wait=60.0)
        try:
            version = await _pragma(db, "user_version")
            if version < SCHEMA_VERSION:
                for statement in _statements(MIGRATIONS[version]):
                    await db.execute(statement)
                version += 1
                await db.execute(f"PRAGMA user_version = {version}")
            await db.commit()
        except BaseException:
            await asyncio.shield(db.rollback())
            raise
    return found


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _dump(items: Iterable[str]) -> str:
    return json.dumps(list(items), ensure_ascii=False)


def _load(raw: str | None) -> tuple[str, ...]:
    return tuple(json.loads(raw)) if raw else ()


Row = Sequence[Any]


class Db(Protocol):
    """A connection as the queries below see it: SQL with `?` (or `?N`) parameters, rows as
    sequences. Each backend provides one; the SQL is written once, in what SQLite and
    PostgreSQL both accept (bot/core/postgres.py turns `?` into `$N` and quotes `user`)."""

    async def execute(self, sql: str, params: Sequence[object] = ()) -> int:
        """Run one statement; the number of rows it changed."""
        ...

    async def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None: ...

    async def fetchall(self, sql: str, params: Sequence[object] = ()) -> list[Row]: ...

    async def fetchone(self, sql: str, params: Sequence[object] = ()) -> Row | None: ...

    def batches(self, sql: str, size: int) -> AsyncIterator[list[Row]]: ...


class SqliteDb:
    """Db on an aiosqlite connection."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def execute(self, sql: str, params: Sequence[object] = ()) -> int:
        async with self.conn.execute(sql, params) as cur:
            return cur.rowcount

    async def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        await self.conn.executemany(sql, rows)

    async def fetchall(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        return list(await self.conn.execute_fetchall(sql, params))

    async def fetchone(self, sql: str, params: Sequence[object] = ()) -> Row | None:
        async with self.conn.execute(sql, params) as cur:
            row: Row | None = await cur.fetchone()
            return row

    async def batches(self, sql: str, size: int) -> AsyncIterator[list[Row]]:
        async with self.conn.execute(sql) as cur:
            while raw := await cur.fetchmany(size):
                yield list(raw)


class Store:
    """The catalog, per-user history, feedback and saved requests, on one database.

    `Store.open` chooses the backend: an SQLite file (`SQLiteStore`, below), or a PostgreSQL
    server for a URL (`bot.core.postgres.PostgresStore`, imported only then). The queries are
    written once, here; a backend provides connections (`_main` for the catalog and the
    transactions, `_reader` for per-user reads) and what only it can do.
    """

    # Whether several processes may serve from this database at once (then each request reads
    # or checks its user in the database; see bot/core/userstate.py).
    shared: ClassVar[bool] = False

    def __init__(self, main: Db, reader: Db, path: Location) -> None:
        self._main = main
        self._reader = reader
        self.path = path

    @classmethod
    async def open(
        cls, path: Location | str, *, data_dir: Path | None = DATA_DIR, sync: bool = True
    ) -> Store:
        """Open (creating if needed) and migrate; seed or refresh the catalog from data_dir.

        A database that is not ostbot's is refused before anything is written to it; every
        database failure is a StoreError that says what to do.
        """
        where = path if isinstance(path, DatabaseUrl) else database_location(path)
        if isinstance(where, DatabaseUrl):
            from bot.core.postgres import PostgresStore

            return await PostgresStore.connect(where, data_dir=data_dir, sync=sync)
        return await SQLiteStore.connect(where, data_dir=data_dir, sync=sync)

    def _transaction(self, wait: float = LOCK_WAIT) -> AbstractAsyncContextManager[Db]:
        """One write transaction: committed when the block ends, rolled back if anything in
        it fails, the commit included."""
        raise NotImplementedError

    async def close(self) -> None:
        """Close the connections; never hangs (a backend gives each a deadline)."""
        await self._close()

    async def _close(self) -> None:
        raise NotImplementedError

    def describe_failure(self, exc: BaseException) -> str:
        """One line for the operator about a database operation that failed."""
        if isinstance(exc, sqlite3.Error):
            return describe_database_error(exc, self.path)
        return describe(exc)

    @asynccontextmanager
    async def catalog_changes(self) -> AsyncIterator[asyncio.Event]:
        """An event set when another process changes the catalog. SQLite cannot say so: the
        caller's periodic version check finds the change (see bot/lifecycle.py)."""
        yield asyncio.Event()

    async def _lock_catalog(self, db: Db) -> None:
        """Inside a transaction that changes the catalog: wait for any other one to finish
        (SQLite's write lock already does; PostgreSQL takes an advisory lock)."""

    async def _announce(self, db: Db, version: str) -> None:
        """Inside the transaction that changed the catalog: tell other processes (PostgreSQL
        NOTIFY, delivered at commit). Nothing for SQLite: one process serves a file."""

    # ---------------------------------------------------------------- catalog

    async def meta(self, key: str) -> str | None:
        row = await self._main.fetchone("SELECT value FROM meta WHERE key = ?", (key,))
        return str(row[0]) if row else None

    async def sync_catalog(self, data_dir: Path = DATA_DIR, *, force: bool = False) -> bool:
        """Load data/ when it changed since the last load. History and feedback are kept.

        Returns True when the catalog was (re)loaded. An invalid data/ leaves the store as it
        was and raises CatalogError.
        """
        stamp = fingerprint(data_dir)
        if not force and await self.meta("catalog_fingerprint") == stamp:
            return False
        catalog = load_catalog(data_dir)
        taken_back = await self.replace_catalog(catalog, stamp, force=force)
        if taken_back is None:  # another process loaded this very data/ meanwhile
            return False
        log.info("catalog loaded: %d dramas, %d tracks", len(catalog.dramas), len(catalog.tracks))
        if taken_back:
            log.warning(
                "data/ changed %d track(s) that an import had changed: data/'s version is used",
                taken_back,
            )
        return True

    async def replace_catalog(
        self, catalog: Catalog, stamp: str, *, force: bool = True
    ) -> int | None:
        """Upsert the shipped catalog and drop shipped rows it no longer has.

        Rows added by `db import` (origin 'import') are left alone, including imported changes
        to shipped tracks, as long as data/ still ships the version the import replaced. When
        data/ changes such a track (or starts shipping one that was only imported), data/'s
        version replaces the import. Returns how many imported tracks were replaced so; None
        (without `force`) when the catalog already had this stamp, as it may when another
        process starting at the same time loaded it first.
        """
        shipped = {t.key: t for t in catalog.tracks}
        async with self._transaction() as db:
            await self._lock_catalog(db)
            if not force:
                found = await db.fetchone(
                    "SELECT value FROM meta WHERE key = 'catalog_fingerprint'"
                )
                if found is not None and found[0] == stamp:
                    return None
            imported = await db.fetchall("SELECT key, shipped FROM tracks WHERE origin = 'import'")
            taken_back = [
                (key,)
                for key, digest in imported
                if key in shipped and digest != _digest(_track_params(shipped[key]))
            ]
            await db.executemany("DELETE FROM tracks WHERE key = ?", taken_back)
            await db.execute("DELETE FROM dramas WHERE origin = 'catalog'")
            await db.execute("DELETE FROM artists WHERE origin = 'catalog'")
            await db.execute("DELETE FROM tracks WHERE origin = 'catalog'")
            await db.execute("DELETE FROM signals")
            await db.executemany(
                "INSERT INTO dramas (title, title_ko, year, year_end, network, aliases,"
                " genres, sources, notes, origin) VALUES (?,?,?,?,?,?,?,?,?,'catalog')"
                " ON CONFLICT DO NOTHING",
                [
                    (
                        d.title,
                        d.title_ko,
                        d.year,
                        d.year_end,
                        d.network,
                        _dump(d.aliases),
                        _dump(d.genres),
                        _dump(d.sources),
                        d.notes,
                    )
                    for d in catalog.dramas.values()
                ],
            )
            await db.executemany(
                "INSERT INTO artists (name, name_ko, aliases, groups_, voice, origin)"
                " VALUES (?,?,?,?,?,'catalog') ON CONFLICT DO NOTHING",
                [
                    (a.name, a.name_ko, _dump(a.aliases), _dump(a.groups), a.voice)
                    for a in catalog.artists.values()
                ],
            )
            await db.executemany(
                "INSERT INTO tracks (key, title, title_ko, artist, drama, year, tags,"
                " part, aliases, title_en, origin) VALUES (?,?,?,?,?,?,?,?,?,?,'catalog')"
                " ON CONFLICT DO NOTHING",
                [_track_params(t) for t in catalog.tracks],
            )
            await db.executemany(
                "INSERT INTO signals (track_key, signal, value, source, notes)"
                " VALUES (?,?,?,?,?) ON CONFLICT DO NOTHING",
                [(s.key, s.signal, s.value, s.source, s.notes) for s in catalog.signals],
            )
            await _set_meta(db, "catalog_fingerprint", stamp)
            await self._new_version(db)
        return len(taken_back)

    async def catalog_version(self) -> str:
        """Changes with every change to the catalog tables (a data/ reload or an import)."""
        return await self.meta(CATALOG_VERSION) or ""

    async def load(self, data_dir: Path = DATA_DIR, *, tracks: bool = True) -> Catalog:
        """The catalog as stored (shipped rows plus imports); without tracks if not needed."""
        catalog = Catalog(vocabulary=load_vocabulary(data_dir))
        rows = await self._main.fetchall(
            "SELECT title, title_ko, year, year_end, network, aliases, genres, sources, notes"
            " FROM dramas"
        )
        for r in rows:
            catalog.dramas[r[0]] = Drama(
                title=r[0],
                title_ko=r[1],
                year=r[2],
                year_end=r[3],
                network=r[4],
                aliases=_load(r[5]),
                genres=_load(r[6]),
                sources=_load(r[7]),
                notes=r[8],
            )
        rows = await self._main.fetchall(
            "SELECT name, name_ko, aliases, groups_, voice FROM artists"
        )
        for r in rows:
            catalog.artists[r[0]] = Artist(
                name=r[0], name_ko=r[1], aliases=_load(r[2]), groups=_load(r[3]), voice=r[4]
            )
        catalog.signals = await self.signals()
        if not tracks:
            return catalog
        async for batch in self.track_rows():
            catalog.tracks.extend(map(_track, batch))
        return catalog

    async def signals(self) -> list[Signal]:
        """The popularity signals of the shipped catalog (data/popularity.csv)."""
        rows = await self._main.fetchall(
            "SELECT track_key, signal, value, source, notes FROM signals ORDER BY rowid"
        )
        return [Signal(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    async def track_rows(self, batch: int = 5000) -> AsyncIterator[list[TrackRow]]:
        """Every track as a plain row, in catalog order (by drama, then part), in batches:
        what an index is built from, without a Track object (or every row) at once."""
        lists: dict[str, tuple[str, ...]] = {}  # tags and aliases repeat: parse each once

        def parsed(raw: str) -> tuple[str, ...]:
            found = lists.get(raw)
            if found is None:
                found = lists[raw] = _load(raw)
            return found

        async for raw in self._main.batches(
            "SELECT key, title, title_ko, artist, drama, year, tags, part, aliases, title_en"
            " FROM tracks ORDER BY drama, part IS NULL, part, rowid",
            batch,
        ):
            yield [
                (r[0], r[1], r[2], r[3], r[4], r[5], parsed(r[6]), r[7], parsed(r[8]), r[9])
                for r in raw
            ]

    async def cached_index(self, version: str) -> bytes | None:
        """The saved index for this catalog version, if there is one."""
        row = await self._main.fetchone(
            "SELECT data FROM index_cache WHERE id = 1 AND version = ?", (version,)
        )
        return bytes(row[0]) if row and isinstance(row[0], bytes) else None

    async def save_index(self, version: str, data: bytes) -> None:
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO index_cache (id, version, data) VALUES (1, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET version = excluded.version, data = excluded.data",
                (version, data),
            )

    async def import_rows(self, rows: Sequence[ImportRow], known: Catalog) -> ImportResult:
        """Insert or update tracks (already validated), all in one transaction.

        `known` holds at least the stored dramas and artists. Unknown dramas and artists are
        created from the rows' Hangul names and network, a new drama spanning its rows' years.
        A row identical to the stored track changes nothing. A row that changes a shipped
        track keeps a digest of the shipped version, so the change survives later data/
        reloads until data/ changes that track itself (see replace_catalog).
        """
        multi = multiword(known.artists)
        dramas: dict[str, tuple[int, int, str, str]] = {}  # new dramas: years, Hangul, network
        artists: dict[str, str] = {}
        for row in rows:
            t = row.track
            if t.drama not in known.dramas:
                lo, hi, ko, network = dramas.get(t.drama, (t.year, t.year, "", ""))
                dramas[t.drama] = (
                    min(lo, t.year),
                    max(hi, t.year),
                    ko or row.drama_ko,
                    network or row.network,
                )
            names = split_credit(t.artist, multi)
            for name in names:
                if name not in known.artists and not artists.get(name):
                    artists[name] = row.artist_ko if len(names) == 1 else ""
        incoming = {row.track.key: _track_params(row.track) for row in rows}
        keep_title_en = {row.track.key for row in rows if not row.title_en_given}
        async with self._transaction() as db:
            await self._lock_catalog(db)
            await db.executemany(
                "INSERT INTO dramas (title, title_ko, year, year_end, network, origin)"
                " VALUES (?,?,?,?,?,'import') ON CONFLICT DO NOTHING",
                [
                    (title, ko, lo, hi if hi != lo else None, network)
                    for title, (lo, hi, ko, network) in dramas.items()
                ],
            )
            await db.executemany(
                "INSERT INTO artists (name, name_ko, origin) VALUES (?,?,'import')"
                " ON CONFLICT DO NOTHING",
                list(artists.items()),
            )
            stored = await _stored_tracks(db, incoming)
            new, changed, unchanged, overrides = [], [], 0, 0
            for key, params in incoming.items():
                old = stored.get(key)
                if old is None:
                    new.append(params)
                    continue
                old_params, origin, shipped = old
                if key in keep_title_en:  # a file without the column leaves it as it was
                    params = (*params[:TITLE_EN], old_params[TITLE_EN])
                if old_params == params:
                    unchanged += 1
                    continue
                if origin == "catalog":
                    shipped = _digest(old_params)
                if shipped is not None:
                    overrides += 1
                changed.append((*params[1:], shipped, key))
            await db.executemany(
                "INSERT INTO tracks (key, title, title_ko, artist, drama, year, tags,"
                " part, aliases, title_en, origin) VALUES (?,?,?,?,?,?,?,?,?,?,'import')",
                new,
            )
            await db.executemany(
                "UPDATE tracks SET title = ?, title_ko = ?, artist = ?, drama = ?, year = ?,"
                " tags = ?, part = ?, aliases = ?, title_en = ?, origin = 'import', shipped = ?"
                " WHERE key = ?",
                changed,
            )
            if new or changed or dramas or artists:
                await self._new_version(db)
        return ImportResult(len(new), len(changed), unchanged, overrides)

    async def _new_version(self, db: Db) -> None:
        await self._announce(db, await _new_version(db))

    # ------------------------------------------------------------- user state

    async def user_state(self, user: str) -> UserState:
        """Everything the ranking needs about one user, in one indexed read (one snapshot)."""
        raise NotImplementedError

    async def user_version(self, user: str) -> int:
        """The user's version: raised by every write about them (0 for a user never seen)."""
        row = await self._reader.fetchone("SELECT version FROM users WHERE user = ?", (user,))
        return int(row[0]) if row else 0

    async def history(self, user: str, limit: int = RECENT) -> list[tuple[str, float]]:
        rows = await self._reader.fetchall(
            "SELECT track_key, at FROM history WHERE user = ? ORDER BY at DESC, rowid DESC LIMIT ?",
            (user, limit),
        )
        return [(r[0], r[1]) for r in rows]

    async def query(self, query_id: int) -> str | None:
        row = await self._reader.fetchone("SELECT spec FROM queries WHERE id = ?", (query_id,))
        return str(row[0]) if row else None

    async def apply(self, ops: Sequence[Write], *, wait: float = LOCK_WAIT) -> None:
        """Apply a batch of writes in one transaction: all of them or none."""
        async with self._transaction(wait) as db:
            await apply_in(db, ops)

    # ---------------------------------------------------------------- privacy

    async def user_tables(self) -> list[str]:
        """Every table that keeps rows about a user: those with a `user` column, read from the
        schema itself, so a table added by a later migration is never left out."""
        raise NotImplementedError

    async def user_data(self, user: str) -> dict[str, int]:
        """How many rows each of those tables keeps about one user (`platform:id`)."""
        counts = {}
        for table in await self.user_tables():
            row = await self._main.fetchone(
                f"SELECT count(*) FROM {_quoted(table)} WHERE user = ?",  # noqa: S608
                (user,),
            )
            counts[table] = int(row[0]) if row else 0
        return counts

    async def forget_user(self, user: str) -> dict[str, int]:
        """Delete every row about one user from every table, in one transaction (all or
        nothing); returns how many rows each table lost."""
        tables = await self.user_tables()
        async with self._transaction() as db:
            return await forget_in(db, tables, user)

    async def counts(self) -> dict[str, int]:
        out = {}
        for table in ("dramas", "artists", "tracks", "history", "feedback"):
            row = await self._main.fetchone(f"SELECT count(*) FROM {table}")  # noqa: S608
            out[table] = int(row[0]) if row else 0
        return out


class SQLiteStore(Store):
    """The store on one SQLite file (the default): one serving process per file."""

    path: Path

    def __init__(
        self, db: aiosqlite.Connection, path: Path, reads: aiosqlite.Connection | None = None
    ) -> None:
        self._db = db
        # Per-user reads have a connection (and a thread) of their own, so a user the cache
        # does not hold is never read behind a batch of writes (WAL lets both run at once).
        self._reads = reads or db
        super().__init__(SqliteDb(db), SqliteDb(self._reads), path)
        # One connection serves every write: transactions take turns so one's statements
        # never land inside another's.
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def _transaction(self, wait: float = LOCK_WAIT) -> AsyncIterator[Db]:
        """(A failed COMMIT leaves SQLite's transaction open: it is rolled back here too.)"""
        async with self._lock:
            try:
                await _begin(self._db, wait)
                yield self._main
                await asyncio.shield(self._db.commit())
            except BaseException:
                # Queued on the connection's thread after whatever ran, so it always undoes
                # it; shielded so a cancel cannot skip it. Without a transaction it is a no-op.
                await asyncio.shield(self._db.rollback())
                raise

    @classmethod
    async def connect(
        cls, path: Path, *, data_dir: Path | None = DATA_DIR, sync: bool = True
    ) -> SQLiteStore:
        memory = str(path) == ":memory:"
        if not memory:
            _prepare_location(path)
        try:
            db = await _connect(path)
        except sqlite3.Error as exc:
            raise StoreError(describe_database_error(exc, path)) from exc
        reads: aiosqlite.Connection | None = None
        try:
            await db.execute(f"PRAGMA busy_timeout = {OPEN_BUSY_MS}")
            unstamped = await recognise(db, path)
            await _retrying(db, "PRAGMA journal_mode = WAL", LOCK_WAIT)
            # FULL: a commit reaches the disk before it returns, so a like the bot acknowledged
            # survives a power cut too, not only a crash. Writes are batched, so it costs one
            # sync per batch.
            await db.execute("PRAGMA synchronous = FULL")
            await migrate(db, str(path))
            if unstamped:
                await db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            if not memory:  # a second ":memory:" connection would be another database
                reads = await _connect(path)
                await reads.execute(f"PRAGMA busy_timeout = {OPEN_BUSY_MS}")
                await reads.execute("PRAGMA query_only = ON")
            store = cls(db, path, reads)
            if sync and data_dir is not None:
                await store.sync_catalog(data_dir)
            await db.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
        except BaseException as exc:
            await _close_quietly(db)
            if reads is not None:
                await _close_quietly(reads)
            if isinstance(exc, sqlite3.Error):
                raise StoreError(describe_database_error(exc, path)) from exc
            raise
        return store

    async def _close(self) -> None:
        """Both connections. One that does not close within CLOSE_GRACE seconds is left to its
        (daemon) thread, so closing never hangs the process."""
        connections = [self._db] if self._reads is self._db else [self._db, self._reads]
        for conn in connections:
            try:
                await asyncio.wait_for(conn.close(), CLOSE_GRACE)
            except TimeoutError:
                log.error("the database connection did not close in %.0fs", CLOSE_GRACE)
            except sqlite3.Error as exc:  # nothing left to lose: close the other one too
                log.error("closing the database failed: %s", describe(exc))

    async def user_state(self, user: str) -> UserState:
        rows = await self._reads.execute_fetchall(
            "SELECT 0, track_key, NULL, NULL FROM heard WHERE user = ?1"
            " UNION ALL SELECT 1, track_key, value, NULL FROM feedback WHERE user = ?1"
            " UNION ALL SELECT 2, last_query, last_tracks, version FROM users WHERE user = ?1"
            " UNION ALL SELECT * FROM (SELECT 3, track_key, at, rowid FROM history"
            " WHERE user = ?1 ORDER BY at DESC, rowid DESC LIMIT ?2)",
            (user, RECENT),
        )
        state = UserState(heard=set(), feedback={})
        shown: list[tuple[float, int, str]] = []
        for kind, a, b, c in rows:
            if kind == 0:
                state.heard.add(a)
            elif kind == 1:
                state.feedback[a] = b
            elif kind == 2:
                state.last_query = int(a) if a is not None else None
                state.last_tracks = _load(b)
                state.version = int(c)
            else:
                shown.append((float(b), c, a))
        state.recent.extend((key, at) for at, _, key in sorted(shown))
        return state

    async def user_tables(self) -> list[str]:
        rows = await self._main.fetchall(
            "SELECT m.name FROM sqlite_master AS m, pragma_table_info(m.name) AS c"
            " WHERE m.type = 'table' AND c.name = 'user' ORDER BY m.name"
        )
        return [str(r[0]) for r in rows]


async def forget_in(db: Db, tables: Iterable[str], user: str) -> dict[str, int]:
    """Delete every row about user from these tables, inside the transaction `db` is in."""
    deleted = {}
    for table in tables:
        deleted[table] = await db.execute(
            f"DELETE FROM {_quoted(table)} WHERE user = ?",  # noqa: S608
            (user,),
        )
    return deleted


async def apply_in(db: Db, ops: Sequence[Write]) -> dict[str, int]:
    """Apply a batch of writes inside the transaction `db` is in; the new version of each user
    whose state it changed.

    The batch is first reduced to its net effect (the last word on each user and track wins),
    so each table gets one `executemany` however many writes the batch holds; then each
    touched user's history and saved requests are cut back to what is kept. A new version is
    a random number, not a count: a user forgotten and seen again never comes back to a version
    that a process remembers from before.
    """
    net = _NetEffect(ops)
    versions = {user: secrets.randbits(62) for user in sorted({*net.last, *net.rated})}
    if net.queries:
        await db.executemany(
            "INSERT INTO queries (id, user, spec, at) VALUES (?,?,?,?) ON CONFLICT (id)"
            " DO UPDATE SET user = excluded.user, spec = excluded.spec, at = excluded.at",
            net.queries.values(),
        )
    forget = [pair for pair, heard in net.heard.items() if not heard]
    if forget:
        await db.executemany("DELETE FROM heard WHERE user = ? AND track_key = ?", forget)
    heard = [pair for pair, heard in net.heard.items() if heard]
    if heard:
        await db.executemany(
            "INSERT INTO heard (user, track_key) VALUES (?,?) ON CONFLICT DO NOTHING", heard
        )
    if net.history:
        await db.executemany(
            "INSERT INTO history (user, track_key, at, query_id) VALUES (?,?,?,?)",
            net.history,
        )
        await db.executemany(
            "DELETE FROM history WHERE user = ? AND rowid NOT IN (SELECT rowid FROM history"
            " WHERE user = ? ORDER BY at DESC, rowid DESC LIMIT ?)",
            [(user, user, RECENT) for user in {row[0] for row in net.history}],
        )
    if net.last:
        await db.executemany(
            "INSERT INTO users (user, last_query, last_tracks, version) VALUES (?,?,?,?)"
            " ON CONFLICT (user) DO UPDATE SET last_query = excluded.last_query,"
            " last_tracks = excluded.last_tracks, version = excluded.version",
            [(*row, versions[user]) for user, row in net.last.items()],
        )
    if net.feedback:
        await db.executemany(
            "INSERT INTO feedback (user, track_key, value, at) VALUES (?,?,?,?)"
            " ON CONFLICT (user, track_key) DO UPDATE SET value = excluded.value,"
            " at = excluded.at",
            net.feedback.values(),
        )
        await db.executemany(
            "INSERT INTO users (user, version) VALUES (?, ?)"
            " ON CONFLICT (user) DO UPDATE SET version = excluded.version",
            [(user, versions[user]) for user in sorted(net.rated - net.last.keys())],
        )
    if net.queries:
        await db.executemany(
            "DELETE FROM queries WHERE user = ? AND id NOT IN (SELECT id FROM queries"
            " WHERE user = ? ORDER BY at DESC, id DESC LIMIT ?)",
            [(user, user, SAVED_QUERIES) for user in {q[1] for q in net.queries.values()}],
        )
    return versions


class _NetEffect:
    """What a batch of writes leaves behind, table by table, in the order they were made."""

    def __init__(self, ops: Iterable[Write]) -> None:
        self.queries: dict[int, tuple[int, str, str, float]] = {}
        self.heard: dict[tuple[str, str], bool] = {}  # (user, track) -> heard after the batch
        self.history: list[tuple[str, str, float, int | None]] = []
        self.last: dict[str, tuple[str, int | None, str]] = {}  # user -> users row
        self.feedback: dict[tuple[str, str], tuple[str, str, int, float]] = {}
        self.rated: set[str] = set()  # users who liked or disliked something
        for op in ops:
            if isinstance(op, SaveQuery):
                self.queries[op.query_id] = (op.query_id, op.user, op.spec, op.at)
            elif isinstance(op, Shown):
                for key in op.forget:
                    self.heard[op.user, key] = False
                for key in op.keys:
                    self.heard[op.user, key] = True
                    self.history.append((op.user, key, op.at, op.query_id))
                self.last[op.user] = (op.user, op.query_id, _dump(op.keys))
            else:
                self.feedback[op.user, op.key] = (op.user, op.key, op.value, op.at)
                self.rated.add(op.user)


async def _close_quietly(conn: aiosqlite.Connection) -> None:
    try:
        await asyncio.wait_for(conn.close(), CLOSE_GRACE)
    except Exception:  # already failing: the first error is the one to report
        log.debug("closing the database after a failure failed too", exc_info=True)


def _quoted(name: str) -> str:
    """An identifier read from the schema, quoted for SQL (names cannot be parameters)."""
    return '"' + name.replace('"', '""') + '"'


async def _stored_tracks(
    db: Db, incoming: dict[str, tuple[object, ...]]
) -> dict[str, tuple[tuple[object, ...], str, str | None]]:
    """The stored versions of these tracks: params, origin and shipped digest, by key."""
    keys = list(incoming)
    found: dict[str, tuple[tuple[object, ...], str, str | None]] = {}
    for start in range(0, len(keys), KEYS_PER_QUERY):
        chunk = keys[start : start + KEYS_PER_QUERY]
        marks = ",".join("?" * len(chunk))  # placeholders only: the keys are parameters
        rows = await db.fetchall(
            "SELECT key, title, title_ko, artist, drama, year, tags, part, aliases, title_en,"  # noqa: S608
            f" origin, shipped FROM tracks WHERE key IN ({marks})",
            chunk,
        )
        found.update({r[0]: (tuple(r[:10]), r[10], r[11]) for r in rows})
    return found


async def _set_meta(db: Db, key: str, value: str) -> None:
    await db.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


async def _new_version(db: Db) -> str:
    """Mark the catalog tables as changed, inside the transaction that changes them."""
    version = secrets.token_hex(8)
    await _set_meta(db, CATALOG_VERSION, version)
    return version


def _digest(params: tuple[object, ...]) -> str:
    """A short digest of a track's stored fields (not its key, which names it).

    A track without an English title digests as it did before title_en existed, so imports
    made then still match the shipped versions they replaced.
    """
    fields = params[1:] if params[TITLE_EN] is not None else params[1:TITLE_EN]
    raw = json.dumps(fields, ensure_ascii=False)
    return hashlib.blake2b(raw.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def _track(row: TrackRow) -> Track:
    key, title, title_ko, artist, drama, year, tags, part, aliases, title_en = row
    return Track(
        title=title,
        artist=artist,
        drama=drama,
        year=year,
        tags=tags,
        title_ko=title_ko,
        part=part,
        aliases=aliases,
        key=key,
        title_en=title_en,
    )


def _track_params(t: Track) -> tuple[object, ...]:
    return (
        t.key,
        t.title,
        t.title_ko,
        t.artist,
        t.drama,
        t.year,
        _dump(t.tags),
        t.part,
        _dump(t.aliases),
        t.title_en,
    )


TITLE_EN = 9  # where _track_params puts it
