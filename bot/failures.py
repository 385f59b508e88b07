"""Every failure of an `ostbot` command as one clear line: what is wrong and what to do.

Tracebacks are for developers: they are logged at DEBUG level only, so through the log
handlers and their redaction. The lines are built from what is known to be safe to show (paths,
setting names, SQLite's own words), never from the text of an unexpected exception, which
could quote a token.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
from typing import TextIO

from bot.core.catalog import CatalogError, DataDirError
from bot.core.store import Location, StoreError, describe_database_error
from bot.core.text import terminal_safe
from bot.env import SettingsError


class CommandError(Exception):
    """A failure whose message is already the line to show."""


def explain(exc: BaseException, db_path: Location | None) -> list[str]:
    """The lines that tell the operator what went wrong: one, or one per invalid row."""
    if isinstance(exc, DataDirError):
        first, more = exc.problems[0], len(exc.problems) - 1
        also = f" (and {more} more)" if more else ""
        return [
            f"ostbot: the catalog in {exc.data_dir} is invalid: {first}{also}; fix it"
            " (`ostbot db validate` lists every problem)"
        ]
    if isinstance(exc, CatalogError):  # an import file: every bad row, with its line number
        return [str(problem) for problem in exc.problems]
    if isinstance(exc, StoreError | SettingsError | CommandError):
        return [f"ostbot: {exc}"]
    if isinstance(exc, sqlite3.Error):
        return [f"ostbot: {describe_database_error(exc, db_path or 'the database')}"]
    if isinstance(exc, OSError) and exc.strerror:
        where = f"{exc.filename}: " if exc.filename else ""
        return [f"ostbot: {where}{exc.strerror}"]
    return [
        f"ostbot: unexpected {type(exc).__name__}; run again with LOG_LEVEL=DEBUG to see where"
        " it happened, and please report it"
    ]


log = logging.getLogger("ostbot")


def report(exc: BaseException, db_path: Location | None, stream: TextIO | None = None) -> int:
    """Print what went wrong (the traceback only at LOG_LEVEL=DEBUG); the exit status."""
    out = stream or sys.stderr
    log.debug("the command failed", exc_info=exc)
    for line in explain(exc, db_path):
        print(terminal_safe(line), file=out)
    return 1
