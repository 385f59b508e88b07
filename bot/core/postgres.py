"""The store on a PostgreSQL server, for several ostbot processes on one database (Discord
shards split across processes, Telegram webhook workers behind a load balancer).

Selected by a `postgresql://` URL in --db / OSTBOT_DB; asyncpg is imported only then, so
SQLite users never load it. The queries are the shared ones of `bot.core.store`, turned into
PostgreSQL's dialect by `postgres_sql` (`?` -> `$N`, the column `user` quoted). The schema comes
from the same migration list as SQLite's (`postgres_migration` translates each step; a test
checks that both backends end with the same tables, columns and indexes), run once under an
advisory lock, so processes starting together never race.

What holds across processes (docs/operations.md, "Running more than one instance", says the
same):

- A user's turn — reading their state, picking, writing what was shown — runs in one
  transaction holding an advisory lock on that user, so two processes never pick for the same
  user at once, and never from a stale memory of what they heard: the cached state is used only
  when the user's `version` (raised by every write about them) still matches.
- A like or dislike is an upsert on (user, track), committed before it is acknowledged: each is
  recorded exactly once, whichever process takes it.
- A catalog change (an import, a reload) holds the catalog lock and announces the new version
  with NOTIFY when it commits; serving processes then build the new index and switch to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import logging
import re
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import cast

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from bot.core.catalog import DATA_DIR
from bot.core.store import (
    APPLICATION_ID,
    CLOSE_GRACE,
    LOCK_WAIT,
    MIGRATIONS,
    RECENT,
    SCHEMA_VERSION,
    DatabaseUrl,
    Db,
    Row,
    Store,
    StoreError,
    UserState,
    Write,
    _load,
    _statements,
    apply_in,
    describe,
)

log = logging.getLogger(__name__)

POOL_SIZE = 10  # connections per process; a user's turn holds one for about a millisecond
CONNECT_TIMEOUT = 10.0  # seconds to reach the server
COMMAND_TIMEOUT = 30.0  # seconds any statement may take before it is given up
ACQUIRE_WAIT = 10.0  # seconds a user's turn waits for a free connection before giving up
CHANNEL = "ostbot_catalog"  # NOTIFY channel: the catalog's new version
# Advisory locks: (ostbot, what) pairs for the schema and the catalog; a user's turn locks
# the one-number key hashtextextended(user), a key space of its own.
SCHEMA_LOCK = (APPLICATION_ID, 1)
CATALOG_LOCK = (APPLICATION_ID, 2)

# Where a migration cannot be translated word for word, its PostgreSQL form (index as in
# MIGRATIONS). 5 rebuilt SQLite's history with rowid arithmetic to carry old rows over; a
# PostgreSQL database is created at the newest version, so there is nothing to carry: the same
# tables and indexes, made directly.
OVERRIDES: dict[int, str] = {
    4: """
    CREATE TABLE heard (
        user TEXT NOT NULL, track_key TEXT NOT NULL, PRIMARY KEY (user, track_key)
    ) WITHOUT ROWID;
    DROP TABLE history;
    CREATE TABLE history (
        user TEXT NOT NULL, track_key TEXT NOT NULL, at REAL NOT NULL, query_id INTEGER);
    CREATE INDEX history_by_user ON history (user, at);
    CREATE INDEX queries_by_user ON queries (user, at);
    """,
}

_LITERAL = re.compile(r"('(?:[^']|'')*')")  # split on string literals: never rewritten
_PARAM = re.compile(r"\?(\d*)")
_USER = re.compile(r'(?<![\w"])user(?![\w"])')  # a reserved word in PostgreSQL
_OR_IGNORE = re.compile(r"\bINSERT OR IGNORE INTO\b", re.IGNORECASE)
_TYPES = (
    (re.compile(r"\bINTEGER\b"), "BIGINT"),  # query ids are 40-bit
    (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),  # PostgreSQL's REAL is 4 bytes
    (re.compile(r"\bBLOB\b"), "BYTEA"),
    # Byte order, as SQLite compares: the same sort order and equality on both backends.
    (re.compile(r"\bTEXT\b"), 'TEXT COLLATE "C"'),
)
_WITHOUT_ROWID = re.compile(r"\)\s*WITHOUT ROWID\s*$")


def _outside_literals(sql: str, change: Callable[[str], str]) -> str:
    parts = _LITERAL.split(sql)
    return "".join(part if i % 2 else change(part) for i, part in enumerate(parts))


@functools.lru_cache(maxsize=1024)
def postgres_sql(sql: str) -> str:
    """One of the shared statements in PostgreSQL's dialect: `?` / `?N` parameters become
    `$N`, the column `user` is quoted, and `INSERT OR IGNORE` becomes `ON CONFLICT DO
    NOTHING`. String literals are left as they are."""
    numbers = itertools.count(1)

    def change(part: str) -> str:
        part = _USER.sub('"user"', part)
        return _PARAM.sub(lambda m: f"${m.group(1) or next(numbers)}", part)

    out = _outside_literals(sql, change)
    if _OR_IGNORE.search(out):
        out = _OR_IGNORE.sub("INSERT INTO", out).rstrip() + " ON CONFLICT DO NOTHING"
    return out


def postgres_migration(step: int) -> list[str]:
    """The statements of MIGRATIONS[step] for PostgreSQL. Column types are mapped (INTEGER ->
    BIGINT, REAL -> DOUBLE PRECISION, BLOB -> BYTEA, TEXT in byte order), and a table that has
    a rowid in SQLite gets one here too (an identity column), so queries that order by it
    mean the same on both."""
    out = []
    for statement in _statements(OVERRIDES.get(step, MIGRATIONS[step])):
        ddl = statement
        if ddl.upper().startswith("CREATE TABLE"):
            has_rowid = not _WITHOUT_ROWID.search(ddl) and "INTEGER PRIMARY KEY" not in ddl
            ddl = _WITHOUT_ROWID.sub(")", ddl)
            if has_rowid:
                head, rest = ddl.split("(", 1)
                ddl = f"{head}(rowid BIGINT GENERATED BY DEFAULT AS IDENTITY, {rest.lstrip()}"

        def types(part: str) -> str:
            for pattern, replacement in _TYPES:
                part = pattern.sub(replacement, part)
            return part

        if ddl.upper().startswith(("CREATE TABLE", "ALTER TABLE")):
            ddl = _outside_literals(ddl, types)
        out.append(postgres_sql(ddl))
    return out


def _rowcount(status: str) -> int:
    """Rows changed, from a command tag such as "DELETE 3" or "INSERT 0 1"."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


# A connection of its own, or one lent by the pool.
Connection = asyncpg.Connection | PoolConnectionProxy


class PgDb:
    """Db on an asyncpg pool (each call takes a connection) or on one connection."""

    def __init__(self, conn: asyncpg.Pool | Connection) -> None:
        self.conn = conn

    async def execute(self, sql: str, params: Sequence[object] = ()) -> int:
        return _rowcount(await self.conn.execute(postgres_sql(sql), *params))

    async def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        batch = list(rows)
        if batch:
            await self.conn.executemany(postgres_sql(sql), batch)

    async def fetchall(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        return cast(list[Row], await self.conn.fetch(postgres_sql(sql), *params))

    async def fetchone(self, sql: str, params: Sequence[object] = ()) -> Row | None:
        return cast(Row | None, await self.conn.fetchrow(postgres_sql(sql), *params))

    async def batches(self, sql: str, size: int) -> AsyncIterator[list[Row]]:
        async with self._connection() as conn, conn.transaction():
            cursor = await conn.cursor(postgres_sql(sql))
            while rows := await cursor.fetch(size):
                yield cast(list[Row], rows)

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[Connection]:
        if isinstance(self.conn, asyncpg.Pool):
            async with self.conn.acquire() as conn:
                yield conn
        else:
            yield self.conn


def is_failure(exc: BaseException) -> bool:
    """Whether exc is the server or the connection failing (not a bug of ours)."""
    return isinstance(exc, asyncpg.PostgresError | asyncpg.InterfaceError | OSError | TimeoutError)


def describe_pg_error(exc: BaseException, where: DatabaseUrl | str) -> str:
    """What went wrong with the PostgreSQL database, and what to do, in one line. Never the
    URL's password (`where` prints without it); never the URL as the driver quotes it."""
    first = describe(exc)
    refused = asyncpg.InvalidPasswordError | asyncpg.InvalidAuthorizationSpecificationError
    if isinstance(exc, refused):
        return f"PostgreSQL at {where} refused the login ({first}): check the user and password"
    if isinstance(exc, asyncpg.InvalidCatalogNameError):
        return f"{first} at {where}: create it first (createdb), or fix the URL"
    if isinstance(exc, asyncpg.InsufficientPrivilegeError):
        return (
            f"{first} at {where}: let ostbot's user create tables there (GRANT CREATE ON SCHEMA),"
            " or use a database it owns"
        )
    if isinstance(exc, asyncpg.ClientConfigurationError | ValueError):
        return (
            f"{where} is not a usable PostgreSQL URL: write it as"
            " postgresql://user:password@host:port/database"
        )
    if isinstance(exc, TimeoutError):
        return (
            f"PostgreSQL at {where} did not answer within {CONNECT_TIMEOUT:.0f} s: check the"
            " host, the port and the network"
        )
    if isinstance(exc, OSError):
        reason = exc.strerror or first
        return (
            f"cannot reach PostgreSQL at {where} ({reason}): check that the server is running"
            " and the URL's host and port"
        )
    if isinstance(exc, asyncpg.PostgresError | asyncpg.InterfaceError):
        return f"PostgreSQL error at {where}: {first}"
    return f"database error at {where}: {first}"


class PostgresStore(Store):
    """The store on a PostgreSQL database that several processes share."""

    shared = True

    def __init__(self, pool: asyncpg.Pool, url: DatabaseUrl) -> None:
        db = PgDb(pool)
        super().__init__(db, db, url)
        self._pool = pool
        self.url = url

    @classmethod
    async def connect(
        cls, url: DatabaseUrl, *, data_dir: Path | None = DATA_DIR, sync: bool = True
    ) -> PostgresStore:
        try:
            pool = await asyncpg.create_pool(
                url.url,
                min_size=1,
                max_size=POOL_SIZE,
                timeout=CONNECT_TIMEOUT,
                command_timeout=COMMAND_TIMEOUT,
            )
        except Exception as exc:
            raise StoreError(describe_pg_error(exc, url)) from None
        store = cls(pool, url)
        try:
            await store._migrate()
            if sync and data_dir is not None:
                await store.sync_catalog(data_dir)
        except BaseException as exc:
            await store._close()
            if is_failure(exc):
                raise StoreError(describe_pg_error(exc, url)) from exc
            raise
        return store

    async def _migrate(self) -> None:
        """Recognise the database as ostbot's (or empty), then bring its schema to
        SCHEMA_VERSION in one transaction, under the schema lock: a second process starting
        at the same time waits, then finds the work done."""
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1, $2)", *SCHEMA_LOCK)
            found = await recognise(conn, self.url)
            if found > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.url} was written by a newer ostbot (schema v{found}; this one reads"
                    f" up to v{SCHEMA_VERSION}): upgrade ostbot, or use another database"
                )
            if found == SCHEMA_VERSION:
                return
            if found == 0:
                await conn.execute("CREATE TABLE ostbot_schema (version BIGINT NOT NULL)")
                await conn.execute("INSERT INTO ostbot_schema (version) VALUES (0)")
            for step in range(found, SCHEMA_VERSION):
                for statement in postgres_migration(step):
                    await conn.execute(statement)
            await conn.execute("UPDATE ostbot_schema SET version = $1", SCHEMA_VERSION)

    @asynccontextmanager
    async def _transaction(self, wait: float = LOCK_WAIT) -> AsyncIterator[Db]:
        async with self._pool.acquire() as conn, conn.transaction():
            yield PgDb(conn)

    async def _close(self) -> None:
        try:
            await asyncio.wait_for(self._pool.close(), CLOSE_GRACE)
        except TimeoutError:
            log.error("the database connections did not close in %.0fs", CLOSE_GRACE)
            self._pool.terminate()
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
            log.error("closing the database failed: %s", describe(exc))
            self._pool.terminate()

    def describe_failure(self, exc: BaseException) -> str:
        return describe_pg_error(exc, self.url)

    async def _lock_catalog(self, db: Db) -> None:
        await db.execute("SELECT pg_advisory_xact_lock(?, ?)", CATALOG_LOCK)

    async def _announce(self, db: Db, version: str) -> None:
        await db.execute(f"SELECT pg_notify('{CHANNEL}', ?)", (version,))

    @asynccontextmanager
    async def catalog_changes(self) -> AsyncIterator[asyncio.Event]:
        """An event set whenever another process commits a catalog change (LISTEN, on a
        connection of its own). Without one (the server refuses it), the caller's periodic
        version check still finds every change."""
        changed = asyncio.Event()
        conn: asyncpg.Connection | None = None
        try:
            conn = await asyncpg.connect(self.url.url, timeout=CONNECT_TIMEOUT)
            await conn.add_listener(CHANNEL, lambda *_: changed.set())
        except Exception as exc:
            log.warning(
                "not listening for catalog changes (%s): checking for them now and then",
                describe_pg_error(exc, self.url),
            )
        try:
            yield changed
        finally:
            if conn is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(conn.close(), CLOSE_GRACE)

    # ------------------------------------------------------------- user state

    async def user_state(self, user: str) -> UserState:
        return await read_state(self._reader, user)

    @asynccontextmanager
    async def user_turn(self, user: str, *, durable: bool = True) -> AsyncIterator[LockedUser]:
        """A transaction holding the lock on one user: no other process (nor task) reads
        this user for a pick, or writes about them, until it ends. Committed at the end of
        the block; rolled back if the block fails.

        Not `durable` (what a reply showed): the commit does not wait for the server's disk
        (synchronous_commit off for this transaction). Other processes see it at once, as
        always; only a crash of the server itself within a fraction of a second can lose it —
        what SQLite's write-behind allows too. A like is durable: on the disk before "noted".
        """
        async with self._pool.acquire(timeout=ACQUIRE_WAIT) as conn, conn.transaction():
            db = PgDb(conn)
            await db.execute(
                "SELECT set_config('synchronous_commit', ?, true),"
                " pg_advisory_xact_lock(hashtextextended(?, 0))",
                ("on" if durable else "off", user),
            )
            yield LockedUser(db, user)

    async def user_tables(self) -> list[str]:
        rows = await self._main.fetchall(
            "SELECT table_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND column_name = 'user'"
            " ORDER BY table_name"
        )
        return [str(r[0]) for r in rows]


class LockedUser:
    """One user's turn (PostgresStore.user_turn): their version and state as of now, and the
    writes to commit with the turn."""

    def __init__(self, db: Db, user: str) -> None:
        self.db = db
        self.user = user

    async def version(self) -> int:
        row = await self.db.fetchone("SELECT version FROM users WHERE user = ?", (self.user,))
        return int(row[0]) if row else 0

    async def state(self) -> UserState:
        return await read_state(self.db, self.user)

    async def apply(self, ops: Sequence[Write]) -> int | None:
        """Apply the turn's writes; the user's new version (None: unchanged)."""
        return (await apply_in(self.db, ops)).get(self.user)


async def read_state(db: Db, user: str) -> UserState:
    """Everything the ranking needs about one user, in one statement (one snapshot)."""
    row = await db.fetchone(
        "SELECT ARRAY(SELECT track_key FROM heard WHERE user = ?1),"
        " ARRAY(SELECT track_key FROM feedback WHERE user = ?1 ORDER BY track_key),"
        " ARRAY(SELECT value FROM feedback WHERE user = ?1 ORDER BY track_key),"
        " u.last_query, u.last_tracks, u.version,"
        " ARRAY(SELECT track_key FROM (SELECT track_key, at, rowid FROM history"
        " WHERE user = ?1 ORDER BY at DESC, rowid DESC LIMIT ?2) AS h ORDER BY at, rowid),"
        " ARRAY(SELECT at FROM (SELECT at, rowid FROM history"
        " WHERE user = ?1 ORDER BY at DESC, rowid DESC LIMIT ?2) AS h ORDER BY at, rowid)"
        " FROM (SELECT 1) AS one LEFT JOIN users AS u ON u.user = ?1",
        (user, RECENT),
    )
    if row is None:  # never: the outer SELECT has one row
        return UserState(heard=set(), feedback={})
    heard, rated, values, last_query, last_tracks, version, keys, times = row
    state = UserState(
        heard=set(heard),
        feedback=dict(zip(rated, values, strict=True)),
        last_query=last_query,
        last_tracks=_load(last_tracks),
        version=version or 0,
    )
    state.recent.extend(zip(keys, times, strict=True))
    return state


async def inspect(url: DatabaseUrl) -> tuple[int, int, int]:
    """Schema version, tracks and users, reading only (`ostbot doctor`): never creates or
    migrates anything. Raises StoreError for a database that is not ostbot's, and the
    driver's errors (see describe_pg_error) for one it cannot reach."""
    conn = await asyncpg.connect(url.url, timeout=CONNECT_TIMEOUT)
    try:
        async with conn.transaction(readonly=True):
            version = await recognise(conn, url)
            if version == 0:
                return 0, 0, 0
            tracks = await conn.fetchval("SELECT count(*) FROM tracks")
            users = await conn.fetchval("SELECT count(*) FROM users")
    finally:
        await conn.close()
    return version, int(tracks), int(users)


async def recognise(conn: Connection, where: DatabaseUrl) -> int:
    """The schema version of ostbot's database, 0 for an empty one; anything else (a schema
    with other tables, and not ostbot's mark) is refused before anything is written."""
    tables = {
        str(r[0])
        for r in await conn.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
    }
    if "ostbot_schema" in tables:  # ostbot's mark and schema version (SQLite: PRAGMAs)
        version = await conn.fetchval("SELECT max(version) FROM ostbot_schema")
        return int(version or 0)
    if not tables:
        return 0
    raise StoreError(
        f"{where} holds another program's tables, not ostbot's: ostbot leaves it untouched;"
        " point --db or OSTBOT_DB at an empty database or at ostbot's own"
    )


__all__ = ["PgDb", "PostgresStore", "describe_pg_error", "postgres_migration", "postgres_sql"]
