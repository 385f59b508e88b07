"""`ostbot db copy --to URL`: move an SQLite database onto a PostgreSQL server.

Everything is copied — the catalog (shipped rows and imports, with the marks that keep imports
across data/ releases), the saved index, and every user's heard songs, history, likes, saved
requests and last request — table by table as the schema names them, so a table added by a
later migration comes along without a change here. The copy is one transaction on the server:
all of it or nothing. A target that already holds rows is refused unless `--force` says to
replace them. Running bots on the target are told the catalog changed (NOTIFY), as after an
import.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.store import DatabaseUrl, Location, SQLiteStore, Store, StoreError

BATCH = 5_000  # rows per COPY

# What the report calls each table (others by their own name).
NAMES = {"heard": "heard", "queries": "saved requests", "index_cache": "saved index"}


@dataclass(frozen=True)
class Copied:
    source: Path
    target: DatabaseUrl
    rows: dict[str, int]  # table -> rows copied

    def __str__(self) -> str:
        counts = ", ".join(f"{n:,} {NAMES.get(table, table)}" for table, n in self.rows.items())
        return f"copied {self.source} to {self.target}: {counts}"


async def copy_database(source: Location, target: Location, *, force: bool = False) -> Copied:
    from bot.failures import CommandError

    if not isinstance(source, Path):
        raise CommandError(
            "db copy reads an SQLite file: give it with --db (or OSTBOT_DB), and the PostgreSQL"
            " database with --to"
        )
    if not isinstance(target, DatabaseUrl):
        raise CommandError("db copy --to needs a postgresql:// URL")
    if not source.is_file():
        raise CommandError(f"{source} does not exist: there is nothing to copy")
    # Both are opened as any command opens them (recognised, migrated to this version), and
    # data/ is not loaded into either: the copy takes the source's catalog as it is.
    src = await Store.open(source, sync=False)
    try:
        dst = await Store.open(target, sync=False)
        try:
            if not isinstance(src, SQLiteStore):  # a Path always opens as SQLite
                raise StoreError(f"{source} is not an SQLite database")
            rows = await _copy(src, dst, force)
        finally:
            await dst.close()
    finally:
        await src.close()
    return Copied(source, target, rows)


async def _copy(src: SQLiteStore, dst: Store, force: bool) -> dict[str, int]:
    from bot.core.postgres import PgDb, PostgresStore

    if not isinstance(dst, PostgresStore):
        raise StoreError("db copy --to needs a postgresql:// URL")
    ours = await src._main.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " ORDER BY name"
    )
    columns = await _server_columns(dst)
    tables = [str(r[0]) for r in ours if str(r[0]) in columns]
    copied: dict[str, int] = {}
    async with dst._pool.acquire() as conn, conn.transaction():
        db = PgDb(conn)
        await dst._lock_catalog(db)
        held = {t: int(await conn.fetchval(f'SELECT count(*) FROM "{t}"')) for t in tables}  # noqa: S608
        if any(held.values()) and not force:
            what = ", ".join(f"{n:,} {NAMES.get(t, t)}" for t, n in held.items() if n)
            raise StoreError(
                f"{dst.url} already holds data ({what}): ostbot db copy replaces it only"
                " with --force"
            )
        if any(held.values()):
            await conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables))
        for table in tables:
            kinds = columns[table]
            names = [c for c in await _sqlite_columns(src, table) if c in kinds]
            rowid = "rowid" in kinds
            picked = (["rowid"] if rowid else []) + names
            copied[table] = 0
            select = f"SELECT {', '.join(picked)} FROM {table}"  # noqa: S608 - schema names
            async for batch in src._main.batches(select, BATCH):
                records = [_typed(row, [kinds[c] for c in picked]) for row in batch]
                await conn.copy_records_to_table(table, records=records, columns=picked)
                copied[table] += len(records)
            if rowid:  # later rows are numbered after the copied ones
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'rowid'),"  # noqa: S608
                    f' coalesce(max(rowid), 0) + 1, false) FROM "{table}"'
                )
        version = await db.fetchone("SELECT value FROM meta WHERE key = 'catalog_version'")
        if version is not None:
            await dst._announce(db, str(version[0]))
    return copied


async def _server_columns(dst: Store) -> dict[str, dict[str, str]]:
    """Table -> column -> PostgreSQL type, for ostbot's tables on the server."""
    rows = await dst._main.fetchall(
        "SELECT table_name, column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name <> 'ostbot_schema'"
    )
    out: dict[str, dict[str, str]] = {}
    for table, column, kind in rows:
        out.setdefault(str(table), {})[str(column)] = str(kind)
    return out


async def _sqlite_columns(src: SQLiteStore, table: str) -> list[str]:
    rows = await src._main.fetchall("SELECT name FROM pragma_table_info(?)", (table,))
    return [str(r[0]) for r in rows]


def _typed(row: Sequence[Any], kinds: Sequence[str]) -> tuple[object, ...]:
    """A row as the server's column types want it (SQLite may keep 1 for 1.0)."""
    return tuple(
        float(v) if v is not None and kind == "double precision" else v
        for v, kind in zip(row, kinds, strict=True)
    )
