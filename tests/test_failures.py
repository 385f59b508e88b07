"""Every failure the operator can meet is one clear line and a non-zero exit: the real `ostbot`
command in a subprocess, no traceback, no secret."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.core.store import APPLICATION_ID, SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[1]
SECRET = "123456789:AAFakeSecretTokenThatMustNeverBePrinted"


def ostbot(
    cwd: Path,
    *args: str,
    env: dict[str, str] | None = None,
    stdin: bytes = b"",
    prefix: tuple[str, ...] = (),
) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ARGS` with a token in the environment, as a deployment would have."""
    full = {k: v for k, v in os.environ.items() if not k.startswith(("OSTBOT_", "LOG_LEVEL"))}
    full.update(DISCORD_TOKEN=SECRET, XDG_DATA_HOME=str(cwd / "xdg"))
    full.update(env or {})
    done = subprocess.run(
        [*prefix, sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=full,
        input=stdin,
        capture_output=True,
        timeout=60,
        check=False,
    )
    return subprocess.CompletedProcess(
        done.args,
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
    )


def assert_one_clear_line(done: subprocess.CompletedProcess[str], *expected: str) -> str:
    assert done.returncode == 1, done.stderr
    assert SECRET not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "Exception" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


# ------------------------------------------------------------------ the table
# Each setup makes one bad situation in tmp (with a seeded database at hand) and returns the
# arguments that meet it.


def sqlite_file(path: Path, *statements: str) -> Path:
    with sqlite3.connect(path) as db:
        for statement in statements:
            db.execute(statement)
    return path


def seeded(tmp: Path, seed: Path) -> str:
    shutil.copy(seed, tmp / "ostbot.db")
    return str(tmp / "ostbot.db")


def text_file_as_database(tmp: Path, seed: Path) -> list[str]:
    (tmp / "notes.db").write_text("just some notes\n" * 50)
    return ["--db", str(tmp / "notes.db"), "ask", "healing"]


def truncated_database(tmp: Path, seed: Path) -> list[str]:
    (tmp / "cut.db").write_bytes(seed.read_bytes()[:8192])
    return ["--db", str(tmp / "cut.db"), "ask", "healing"]


def folder_as_database(tmp: Path, seed: Path) -> list[str]:
    return ["--db", str(tmp), "ask", "healing"]


def file_as_parent_folder(tmp: Path, seed: Path) -> list[str]:
    (tmp / "plain").write_text("a file\n")
    return ["--db", str(tmp / "plain" / "ostbot.db"), "ask", "healing"]


def newer_database(tmp: Path, seed: Path) -> list[str]:
    path = sqlite_file(
        tmp / "future.db",
        f"PRAGMA application_id = {APPLICATION_ID}",
        f"PRAGMA user_version = {SCHEMA_VERSION + 5}",
    )
    return ["--db", str(path), "ask", "healing"]


def foreign_database(tmp: Path, seed: Path) -> list[str]:
    path = sqlite_file(tmp / "notes.db", "CREATE TABLE notes (id INTEGER, body TEXT)")
    return ["--db", str(path), "chat"]


def foreign_tracks_table(tmp: Path, seed: Path) -> list[str]:
    path = sqlite_file(tmp / "music.db", "CREATE TABLE tracks (id INTEGER, name TEXT)")
    return ["--db", str(path), "db", "export", "-"]


# Nothing listens on port 1: refused at once, no name to look up.
UNREACHABLE = f"postgresql://ostbot:{SECRET}@127.0.0.1:1/ostbot"


def postgresql_url(tmp: Path, seed: Path) -> list[str]:
    return ["--db", UNREACHABLE, "ask", "healing"]


def another_url(tmp: Path, seed: Path) -> list[str]:
    return ["--db", f"mysql://ostbot:{SECRET}@db.example/ostbot", "ask", "healing"]


def ask_healing(tmp: Path, seed: Path) -> list[str]:
    return ["ask", "healing"]


def export_into_missing_folder(tmp: Path, seed: Path) -> list[str]:
    return ["--db", seeded(tmp, seed), "db", "export", str(tmp / "no" / "x.csv")]


def export_onto_folder(tmp: Path, seed: Path) -> list[str]:
    (tmp / "out").mkdir()
    return ["--db", seeded(tmp, seed), "db", "export", str(tmp / "out")]


def huge_header(tmp: Path) -> str:
    (tmp / "big.csv").write_text("title," + "x" * 1_000_000 + "\nA,B\n")
    return str(tmp / "big.csv")


def import_huge_header(tmp: Path, seed: Path) -> list[str]:
    return ["--db", seeded(tmp, seed), "db", "import", huge_header(tmp)]


def validate_huge_header(tmp: Path, seed: Path) -> list[str]:
    return ["db", "validate", huge_header(tmp)]


def token_in_a_number_setting(tmp: Path, seed: Path) -> list[str]:
    (tmp / ".env").write_text(f"DISCORD_GUILD_ID={SECRET}\n")
    return ["run"]  # the adapters' settings are read by the commands that use them


def run_bot(tmp: Path, seed: Path) -> list[str]:
    return ["run"]


def dotenv_not_utf8(tmp: Path, seed: Path) -> list[str]:
    (tmp / ".env").write_bytes(b"TELEGRAM_TOKEN=" + SECRET.encode() + b"\xff\xfe\n")
    return ["ask", "healing"]


@dataclass
class Case:
    setup: Callable[[Path, Path], list[str]]
    expected: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    never_created: tuple[str, ...] = ()  # names that must not appear in tmp


CASES = [
    Case(text_file_as_database, ("notes.db is not an SQLite database", "move the file away")),
    Case(truncated_database, ("cut.db is damaged", "restore it from a backup")),
    Case(folder_as_database, ("is a folder, not a database file", "give --db or OSTBOT_DB")),
    Case(file_as_parent_folder, ("plain is a file, not a folder",)),
    Case(newer_database, ("future.db was written by a newer ostbot", "upgrade ostbot")),
    Case(
        foreign_database,
        ("notes.db is another program's database", "leaves it untouched"),
        never_created=("notes.db-wal", "notes.db-shm"),
    ),
    Case(foreign_tracks_table, ("music.db is another program's database",)),
    Case(
        postgresql_url,
        ("cannot reach PostgreSQL at postgresql://ostbot@127.0.0.1:1/ostbot", "is running"),
        never_created=("postgresql:",),
    ),
    Case(
        ask_healing,
        ("cannot reach PostgreSQL at postgresql://ostbot@127.0.0.1:1/ostbot",),
        env={"OSTBOT_DB": UNREACHABLE},
        never_created=("postgresql:",),
    ),
    Case(
        another_url,
        ("a mysql: URL is not supported by this version", "path of an SQLite file"),
        never_created=("mysql:",),
    ),
    Case(
        export_into_missing_folder,
        ("cannot export to", "there is no folder", "create it first"),
        never_created=("no",),
    ),
    Case(export_onto_folder, ("it is a folder; give a file name",), never_created=("out.tmp",)),
    Case(import_huge_header, ("big.csv:1: unreadable header", "is this a CSV file?")),
    Case(validate_huge_header, ("big.csv:1: unreadable header",)),
    Case(token_in_a_number_setting, ("invalid setting DISCORD_GUILD_ID", "environment or .env")),
    Case(
        run_bot,
        ("invalid setting TELEGRAM_WEBHOOK_PORT",),
        env={"TELEGRAM_WEBHOOK_PORT": SECRET},
    ),
    Case(dotenv_not_utf8, (".env is not valid UTF-8",)),
]
IDS = [f"{c.setup.__name__}{'+' + ','.join(c.env) if c.env else ''}" for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_each_failure_is_one_clear_line(tmp_path: Path, seeded_db: Path, case: Case) -> None:
    args = case.setup(tmp_path, seeded_db)
    assert_one_clear_line(ostbot(tmp_path, *args, env=case.env), *case.expected)
    assert not {p.name for p in tmp_path.iterdir()} & set(case.never_created)


# --------------------------------------------------- cases that need more setup


def test_another_programs_database_is_left_byte_for_byte(tmp_path: Path) -> None:
    path = sqlite_file(tmp_path / "theirs.db", "CREATE TABLE tracks (id INTEGER, name TEXT)")
    before = path.read_bytes()
    assert_one_clear_line(ostbot(tmp_path, "--db", str(path), "ask", "healing"))
    assert path.read_bytes() == before


def test_a_missing_parent_folder_is_created(tmp_path: Path) -> None:
    path = tmp_path / "new" / "deeper" / "ostbot.db"
    done = ostbot(tmp_path, "--db", str(path), "ask", "healing", env={"LOG_LEVEL": "WARNING"})
    assert done.returncode == 0 and not done.stderr and path.is_file()


def test_a_traceback_only_with_log_level_debug(tmp_path: Path) -> None:
    (tmp_path / "notes.db").write_text("not a database\n" * 100)
    args = ("--db", str(tmp_path / "notes.db"), "ask", "healing")
    assert "Traceback" not in ostbot(tmp_path, *args).stderr
    debug = ostbot(tmp_path, *args, env={"LOG_LEVEL": "DEBUG"})
    assert debug.returncode == 1 and "Traceback" in debug.stderr
    assert debug.stderr.strip().splitlines()[-1].startswith("ostbot: ")


def unprivileged() -> tuple[str, ...]:
    """A command prefix under which file permissions apply (root ignores them)."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions cannot be tested")
    return (setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", "--")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--db", "locked/new.db", "ask", "healing"), "cannot write in locked"),
        (("--db", "locked/ostbot.db", "ask", "healing"), "cannot write in locked"),
        (("--db", "locked/sub/new.db", "ask", "healing"), "cannot create the folder locked/sub"),
        (("--db", "ostbot.db", "db", "export", "locked/out.csv"), "cannot write locked/out.csv"),
    ],
)
def test_an_unwritable_folder(
    tmp_path: Path, seeded_db: Path, args: tuple[str, ...], expected: str
) -> None:
    prefix = unprivileged()
    seeded(tmp_path, seeded_db)
    locked = tmp_path / "locked"
    locked.mkdir()
    shutil.copy(seeded_db, locked / "ostbot.db")
    locked.chmod(0o555)
    try:
        done = ostbot(tmp_path, *args, prefix=prefix)
    finally:
        locked.chmod(0o755)
    assert_one_clear_line(done, expected)
    assert not (locked / "out.csv.tmp").exists()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of ostbot whose data/ a test may break."""
    target = tmp_path / "repo"
    shutil.copytree(ROOT / "bot", target / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "data", target / "data")
    return target


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (lambda d: d.joinpath("tracks.csv").write_text("drama,part\nGoblin,x\n"), "tracks.csv:1"),
        (lambda d: d.joinpath("moods.toml").write_text("tags = [\n"), "moods.toml:1: Invalid"),
        (lambda d: d.joinpath("artists.csv").unlink(), "artists.csv:1: cannot read"),
        (
            lambda d: d.joinpath("dramas.csv").unlink() or d.joinpath("dramas.csv").mkdir(),
            "dramas.csv:1: cannot read",
        ),
        (
            lambda d: d.joinpath("tracks.csv").write_bytes(b"drama," + b"\xff" * 10 + b"\n"),
            "tracks.csv:1: not valid UTF-8",
        ),
    ],
    ids=["malformed", "bad toml", "missing", "unreadable", "not utf-8"],
)
def test_a_broken_data_folder(
    repo: Path, breakage: Callable[[Path], object], expected: str
) -> None:
    breakage(repo / "data")
    for args in (("ask", "healing"), ("db", "export", "-")):
        done = ostbot(repo, "--db", str(repo / "ostbot.db"), *args)  # runs the copy
        line = assert_one_clear_line(done, expected, "the catalog in", "ostbot db validate")
        assert str(repo / "data") in line


def test_chat_goes_on_after_an_invalid_utf8_byte(tmp_path: Path) -> None:
    done = ostbot(
        tmp_path,
        "chat",
        stdin=b"healing\nsad \xff\xfe songs\nhelp\n",
        env={"PYTHONIOENCODING": "utf-8:strict"},
    )
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert "Here's a healing OST" in done.stdout
    assert "sad OST" in done.stdout
    assert "Commands:" in done.stdout


def test_a_one_shot_command_is_not_stopped_by_an_adapter_setting(tmp_path: Path) -> None:
    # `ask` reads OSTBOT_DB and LOG_LEVEL only (bot.env): a broken webhook port is `run`'s
    # business, and `ask` still answers.
    done = ostbot(tmp_path, "ask", "healing", env={"TELEGRAM_WEBHOOK_PORT": SECRET})
    assert done.returncode == 0 and done.stdout.strip()
    assert SECRET not in done.stdout + done.stderr
