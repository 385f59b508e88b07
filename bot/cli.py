"""The `ostbot` command line (also `python -m bot`).

Platform libraries are imported only by `run`, so `ask`, `chat`, `db` and `bench` start fast.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.catalog import (
    DATA_DIR,
    Catalog,
    CatalogError,
    DataDirError,
    Problem,
    export_rows,
    load_catalog,
    load_vocabulary,
    parse_import,
    write_csv,
)
from bot.core.models import Platform, Request
from bot.core.render import render_plain
from bot.core.text import escape_for_terminal, terminal_safe
from bot.env import CoreSettings

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.store import Location

log = logging.getLogger("ostbot")

ASK_USER = "local"  # `ask` without --user: one fixed local user
SCALE = (1_000, 10_000, 100_000)  # `bench --scale` without sizes (1,000,000 on request)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ostbot", description="Korean drama OST recommendations in chat."
    )
    p.add_argument(
        "--db",
        help="SQLite file or postgresql:// URL (default: $OSTBOT_DB or"
        " ~/.local/share/ostbot/ostbot.db)",
    )
    sub = p.add_subparsers(dest="command")
    sub.add_parser("run", help="start every adapter whose token is set (console chat if none)")
    sub.add_parser("chat", help="console chat: one message per input line")
    ask = sub.add_parser("ask", help="one message in, one reply out")
    ask.add_argument("text", nargs="+", help="the message")
    ask.add_argument("--json", action="store_true", help="print the reply as JSON")
    ask.add_argument("--user", default=ASK_USER, help="user id (history is kept per user)")
    db = sub.add_parser("db", help="catalog maintenance")
    dbsub = db.add_subparsers(dest="db_command", required=True)
    imp = dbsub.add_parser("import", help="insert or update tracks from CSV (all or nothing)")
    imp.add_argument("file", type=Path)
    exp = dbsub.add_parser("export", help="write every track as CSV ('-' for stdout)")
    exp.add_argument("file")
    val = dbsub.add_parser("validate", help="check the shipped catalog, or FILE, without writing")
    val.add_argument("file", type=Path, nargs="?")
    bak = dbsub.add_parser(
        "backup", help="copy the database safely, even while the bot runs (verified)"
    )
    bak.add_argument("file", type=Path)
    bak.add_argument("--force", action="store_true", help="replace FILE if it exists")
    cop = dbsub.add_parser(
        "copy", help="copy the SQLite database (--db) into PostgreSQL, all of it (one transaction)"
    )
    cop.add_argument("--to", required=True, metavar="URL", help="postgresql://user@host/database")
    cop.add_argument(
        "--force", action="store_true", help="replace what the target database already holds"
    )
    sub.add_parser("about", help="what the catalog holds: counts by year, network and mood")
    doctor = sub.add_parser(
        "doctor", help="check settings, tokens, database, catalog and platform connections"
    )
    doctor.add_argument(
        "--quick", action="store_true", help="settings and database only, no network (health check)"
    )
    bench = sub.add_parser("bench", help="measure import, start-up, memory, latency, throughput")
    bench.add_argument("--tracks", type=int, default=0, help="import N synthetic tracks first")
    bench.add_argument("--json", action="store_true")
    bench.add_argument(
        "--scale",
        nargs="?",
        const=",".join(map(str, SCALE)),
        type=_sizes,
        help=f"repeat for several catalog sizes (default {','.join(map(str, SCALE))})",
    )
    bench.add_argument(
        "--load", action="store_true", help="the durability load: nothing dropped, shutdown time"
    )
    bench.add_argument(
        "--backend",
        choices=("sqlite", "postgres", "both"),
        default="sqlite",
        help="measure on SQLite (default), PostgreSQL, or both side by side in one run",
    )
    bench.add_argument(
        "--pg-url",
        metavar="URL",
        help="a PostgreSQL server to measure on (fresh databases, dropped after); default: a"
        " temporary one started with pgserver",
    )
    ev = sub.add_parser(
        "eval",
        help="score the bot on the labelled request set (a temporary database; --db is unused)",
    )
    ev.add_argument("file", type=Path, nargs="?", help="default: tests/data/requests.yaml")
    ev.add_argument("--category", help="only the cases of this category")
    ev.add_argument("--failures", action="store_true", help="show every failing message")
    ev.add_argument("--json", action="store_true", help="print the results as JSON")
    ev.add_argument("--seed", type=int, help="random seed (default: a fixed one)")
    return p


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"expected track counts like 1000,10000, got {text!r}")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from bot.adapters.common import install_redactor  # no platform library: see its docstring
    from bot.core.store import database_location
    from bot.failures import report

    db_path: Location | None = None
    try:
        # What every command needs, without pydantic: the adapters' settings are read only
        # by the commands that use them (run, doctor).
        settings = CoreSettings.load(os.environ)
        logging.basicConfig(
            level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        # Once, before anything can log: no token reaches a log line or a traceback, whoever
        # writes it, for the whole life of the process.
        install_redactor(settings.secrets)
        _tolerant_stdio()
        db_path = database_location(args.db) if args.db else settings.db_path
        return _dispatch(parser, args, db_path)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (`ostbot db export - | head`): stop quietly
        with contextlib.suppress(OSError, ValueError):  # and say nothing when exiting either
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # what a Unix tool killed by SIGPIPE reports
    except Exception as exc:  # every failure: one clear line, no traceback (see bot.failures)
        return report(exc, db_path)


def _tolerant_stdio() -> None:
    """An undecodable input byte becomes U+FFFD instead of silently ending the chat, and text
    the terminal's encoding cannot show becomes '?' instead of an error."""
    for stream in (sys.stdin, sys.stdout):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            stream.reconfigure(errors="replace")


def _dispatch(parser: argparse.ArgumentParser, args: argparse.Namespace, db_path: Location) -> int:
    command = args.command or "run"
    if command == "ask":
        text = " ".join(args.text)
        if not text.strip():
            parser.error("ask: the message is empty")
        return asyncio.run(_ask(db_path, text, args.user, args.json))
    if command == "chat":
        return asyncio.run(_chat(db_path))
    if command == "about":  # the chat command `about`, from the terminal
        return asyncio.run(_ask(db_path, "about", ASK_USER, as_json=False))
    if command == "doctor":
        from bot.config import load_settings

        return asyncio.run(_doctor(load_settings(), db_path, args.quick))
    if command == "run":
        from bot.config import load_settings
        from bot.runner import run

        return asyncio.run(run(load_settings(), db_path))
    if command == "db":
        return _db(args, db_path)
    if command == "bench":
        from bot.bench import bench

        return int(
            asyncio.run(
                bench(
                    args.tracks,
                    args.json,
                    scale=args.scale or (),
                    load=args.load,
                    backend=args.backend,
                    pg_url=args.pg_url,
                )
            )
        )
    if command == "eval":
        from bot.evaluate.run import main as evaluate

        return asyncio.run(evaluate(args.file, args.category, args.failures, args.json, args.seed))
    parser.error(f"unknown command {command!r}")
    return 2


async def _ask(db_path: Location, text: str, user: str, as_json: bool) -> int:
    from bot.lifecycle import open_service, stop_on_signals

    # SIGINT/SIGTERM let the one answer (milliseconds) and its writes finish. The answer is
    # printed only once what it recorded is saved.
    with stop_on_signals(asyncio.Event()):
        async with open_service(db_path) as service:
            reply = await service.handle(
                Request(platform=Platform.CLI, user_id=user, chat_id="cli", text=text)
            )
    if as_json:
        out = {
            "reply": render_plain(reply),
            "tracks": [
                {
                    "title": c.track.title,
                    "title_ko": c.track.title_ko,
                    "artist": c.track.artist,
                    "drama": c.track.drama,
                    "year": c.track.year,
                    "tags": list(c.track.tags),
                    "reason": c.reason,
                }
                for c in reply.cards
            ],
        }
        print(escape_for_terminal(json.dumps(out, ensure_ascii=False)))
    else:
        print(render_plain(reply))
    return 0


async def _doctor(settings: Settings, db_path: Location, quick: bool) -> int:
    from bot.ops.doctor import diagnose

    report = await diagnose(settings, db_path, quick=quick)
    for line in report.lines():
        print(terminal_safe(line))
    return 1 if report.failed else 0


async def _chat(db_path: Location) -> int:
    from bot.adapters.console import chat
    from bot.lifecycle import (
        following_catalog,
        open_service,
        stop_on_signals,
        tune_gc_for_serving,
    )

    stop = asyncio.Event()
    with stop_on_signals(stop):  # SIGINT/SIGTERM: stop reading, write what is queued, exit
        async with open_service(db_path) as service, following_catalog(service):
            tune_gc_for_serving()
            await chat(service, stop=stop)
    return 0


def _db(args: argparse.Namespace, db_path: Location) -> int:
    if args.db_command == "validate":
        if args.file is None:
            try:
                catalog = load_catalog(DATA_DIR)
            except DataDirError as exc:  # validating: list every problem, not a summary
                raise CatalogError(exc.problems) from exc
            print(
                f"OK: {len(catalog.dramas)} dramas, {len(catalog.tracks)} tracks, "
                f"{len(catalog.artists)} artists"
            )
        else:
            rows = parse_import(_read(args.file), str(args.file), load_vocabulary())
            print(f"OK: {len(rows)} tracks")
        return 0
    return asyncio.run(_db_async(args, db_path))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CatalogError([_problem(str(path), f"cannot read: {exc.strerror}")]) from exc


def _problem(file: str, message: str) -> Problem:
    return Problem(file, 1, message)


def _export_to(path: Path, catalog: Catalog) -> int:
    from bot.failures import CommandError

    if path.is_dir():
        raise CommandError(
            f"cannot export to {path}: it is a folder; give a file name, e.g. {path / 'tracks.csv'}"
        )
    if not path.parent.is_dir():
        raise CommandError(
            f"cannot export to {path}: there is no folder {path.parent}; create it first"
        )
    # Write a temporary file and rename it, so a failed export never leaves half a file; and
    # remove the temporary file whatever failed.
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            count = write_csv(export_rows(catalog), fh)
        tmp.replace(path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise CommandError(f"cannot write {path}: {exc.strerror}") from exc
        raise
    return count


async def _db_async(args: argparse.Namespace, db_path: Location) -> int:
    from bot.core.store import Store
    from bot.failures import CommandError

    if args.db_command == "backup":
        from bot.ops.backup import backup

        if not isinstance(db_path, Path):
            raise CommandError(
                "db backup copies an SQLite file; back up a PostgreSQL database with pg_dump"
                " (see docs/operations.md, Running more than one instance)"
            )
        done = await backup(db_path, args.file, force=args.force)
        print(f"backed up {db_path} to {done}")
        return 0
    if args.db_command == "copy":
        from bot.core.store import database_location
        from bot.ops.copy import copy_database

        print(await copy_database(db_path, database_location(args.to), force=args.force))
        return 0
    if args.db_command == "import":
        data = _read(args.file)
        store = await Store.open(db_path)
        try:
            known = await store.load(tracks=False)
            rows = parse_import(data, str(args.file), known.vocabulary, known)
            result = await store.import_rows(rows, known)
        finally:
            await store.close()
        print(
            f"imported {len(rows)} tracks: {result.inserted} new, {result.updated} updated,"
            f" {result.unchanged} unchanged"
        )
        if result.overrides:
            print(
                f"{result.overrides} of them change tracks shipped in data/: your version is"
                " kept until data/ changes those tracks"
            )
        return 0
    if args.db_command == "export":
        store = await Store.open(db_path)
        try:
            catalog = await store.load()
        finally:
            await store.close()
        if args.file == "-":
            write_csv(export_rows(catalog), sys.stdout)
        else:
            count = _export_to(Path(args.file), catalog)
            print(f"exported {count} tracks to {args.file}", file=sys.stderr)
        return 0
    return 2
