"""`ostbot db backup FILE`: a consistent copy of a database that may be in use.

SQLite's online backup API copies the database in one step from a read-only connection. Under
WAL a reader never blocks the bot's writers, and the copy is one consistent snapshot (a
transaction the bot commits during the copy is in it entirely or not at all). The copy is
written next to FILE under a temporary name, checked (PRAGMA integrity_check, ostbot's own
schema), and only then given its name, so FILE is never half a database.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from bot.core.store import SCHEMA_VERSION, StoreError, describe_database_error, recognise
from bot.failures import CommandError


@dataclass(frozen=True)
class Backup:
    path: Path
    schema: int
    size: int
    rows: dict[str, int]

    def __str__(self) -> str:
        rows = self.rows
        return (
            f"{self.path} ({self.size / 1e6:.1f} MB, schema v{self.schema}): {rows['tracks']}"
            f" tracks, {rows['history']} history rows, {rows['feedback']} likes and dislikes;"
            " integrity check ok"
        )


def read_only(path: Path) -> str:
    """An SQLite URI that opens `path` without ever writing to it (or creating it)."""
    return f"{path.resolve().as_uri()}?mode=ro"


async def backup(source: Path, target: Path, *, force: bool = False) -> Backup:
    """Copy the database at `source` to `target`; refuse to replace a file unless `force`."""
    _check_paths(source, target, force)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        await _copy(source, partial)
        done = await verify(partial)
        _settle(partial, target, force)
    except sqlite3.Error as exc:
        raise StoreError(describe_database_error(exc, source)) from exc
    finally:
        _remove(partial)
    return Backup(target, done.schema, _size(target), done.rows)


def _check_paths(source: Path, target: Path, force: bool) -> None:
    if not source.is_file():
        raise CommandError(f"there is no database at {source}: nothing to back up")
    if source.resolve() == target.resolve():
        raise CommandError(f"{target} is the database itself: give the copy another name")
    if target.is_dir():
        raise CommandError(
            f"{target} is a folder: give the backup a file name, e.g. {target / 'ostbot.db'}"
        )
    if not target.parent.is_dir():
        raise CommandError(f"there is no folder {target.parent}: create it first")
    if target.exists() and not force:
        raise _exists(target)


def _exists(target: Path) -> CommandError:
    return CommandError(f"{target} exists: choose another name, or add --force to replace it")


async def _copy(source: Path, partial: Path) -> None:
    async with aiosqlite.connect(read_only(source), uri=True) as db:
        await db.execute("PRAGMA busy_timeout = 5000")
        await recognise(db, source)  # another program's database is refused, untouched
        async with aiosqlite.connect(partial) as copy:
            await db.backup(copy)
            # One self-contained file: no -wal or -shm beside the copy. ostbot switches it back
            # to WAL when it opens it.
            await copy.execute("PRAGMA journal_mode = DELETE")


async def verify(path: Path) -> Backup:
    """Reopen a copy read-only: intact, ostbot's, and a schema this version can read."""
    async with aiosqlite.connect(read_only(path), uri=True) as db:
        async with db.execute("PRAGMA integrity_check") as cur:
            problems = [str(r[0]) for r in await cur.fetchall()]
        if problems != ["ok"]:
            raise CommandError(f"the copy failed its integrity check: {problems[0]}")
        await recognise(db, path)
        async with db.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        schema = int(row[0]) if row else 0
        if not 1 <= schema <= SCHEMA_VERSION:
            raise CommandError(f"the copy has schema v{schema}, which this ostbot cannot read")
        rows = {}
        for table in ("tracks", "history", "feedback"):
            async with db.execute(f"SELECT count(*) FROM {table}") as cur:  # noqa: S608
                row = await cur.fetchone()
            rows[table] = int(row[0]) if row else 0
    return Backup(path, schema, _size(path), rows)


def _size(path: Path) -> int:
    return path.stat().st_size


def _remove(partial: Path) -> None:
    for leftover in (partial, partial.with_name(partial.name + "-journal")):
        leftover.unlink(missing_ok=True)


def _settle(partial: Path, target: Path, force: bool) -> None:
    """Give the verified copy its name: replacing only with `force`, atomically either way."""
    if force:
        partial.replace(target)
    else:
        try:
            os.link(partial, target)  # fails if target appeared meanwhile: nothing replaced
        except FileExistsError:
            raise _exists(target) from None
        except OSError:  # a file system without hard links
            if target.exists():
                raise _exists(target) from None
            partial.replace(target)
    # The new name is durable once the folder is synced.
    with contextlib.suppress(OSError):
        fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
