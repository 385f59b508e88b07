"""`ostbot db backup`: a verified copy, safe while another ostbot keeps writing."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import main

REQUESTS = ("recommend a healing OST", "another", "like", "3 sad songs", "another", "dislike")


def read(db: Path, sql: str) -> float:
    """One number from the database, read-only; 0 while its tables are not created yet."""
    try:
        with sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=10) as conn:
            return float(conn.execute(sql).fetchone()[0] or 0)
    except sqlite3.OperationalError:
        return 0


def heard(db: Path) -> float:
    return read(db, "SELECT count(*) FROM heard")


def last_shown(db: Path) -> float:
    """When the latest recommendation was recorded (history keeps only the last few rows per
    user, so its row count stops growing; its newest time does not)."""
    return read(db, "SELECT max(at) FROM history")


def wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def ostbot(db: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "--db", str(db), *args],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("OSTBOT_DB", "PYTHONPATH")}


def test_backup_while_another_ostbot_keeps_writing(tmp_path: Path) -> None:
    live, copy = tmp_path / "live.db", tmp_path / "copy.db"
    log = (tmp_path / "chat.log").open("w")
    chat = subprocess.Popen(
        [sys.executable, "-m", "bot", "--db", str(live), "chat"],
        cwd=tmp_path,
        env=clean_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=log,
        text=True,
    )
    assert chat.stdin is not None
    stdin = chat.stdin
    talking = threading.Event()
    talking.set()

    def talk() -> None:
        n = 0
        while talking.is_set():
            stdin.write(REQUESTS[n % len(REQUESTS)] + "\n")
            stdin.flush()
            n += 1
            time.sleep(0.005)

    feeder = threading.Thread(target=talk, daemon=True)
    feeder.start()
    try:
        wait_until(lambda: live.exists() and heard(live) >= 20)

        made = ostbot(live, "db", "backup", str(copy), cwd=tmp_path)
        assert made.returncode == 0, made.stderr
        assert "integrity check ok" in made.stdout
        at_backup = last_shown(copy)
        assert heard(copy) >= 20 and at_backup > 0

        # The first ostbot goes on writing after the backup ...
        wait_until(lambda: last_shown(live) > at_backup + 0.2)
        assert chat.poll() is None
    finally:
        talking.clear()
        feeder.join()
        stdin.close()
        code = chat.wait(timeout=30)
        log.close()
    assert code == 0, (tmp_path / "chat.log").read_text()

    # ... and a second ostbot answers from the copy, which is one intact file.
    assert not copy.with_name("copy.db-wal").exists()
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    asked = ostbot(copy, "ask", "--json", "recommend a healing OST", cwd=tmp_path)
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["tracks"]
    asker = "SELECT count(*) FROM history WHERE user = 'cli:local'"
    assert read(copy, asker) == 1 and read(live, asker) == 0  # the ask added its own row


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def live(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    db = tmp_path / "live.db"
    assert run(capsys, "--db", str(db), "ask", "healing")[0] == 0
    return db


def test_backup_never_replaces_a_file_unless_forced(
    live: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "keep.db"
    target.write_bytes(b"precious")
    code, _, err = run(capsys, "--db", str(live), "db", "backup", str(target))
    assert code == 1 and "--force" in err
    assert target.read_bytes() == b"precious"

    code, out, _ = run(capsys, "--db", str(live), "db", "backup", str(target), "--force")
    assert code == 0 and "1 history rows" in out
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT count(*) FROM tracks").fetchone()[0] > 1000
    assert sorted(p.name for p in tmp_path.iterdir() if "keep" in p.name) == ["keep.db"]


@pytest.mark.parametrize(
    ("make_source", "target", "expected"),
    [
        (None, "copy.db", "no database at"),
        ("foreign", "copy.db", "another program's database"),
        ("damaged", "copy.db", "not an SQLite database"),
        ("ok", "missing/copy.db", "there is no folder"),
        ("ok", ".", "is a folder"),
        ("ok", "live.db", "the database itself"),
    ],
)
def test_backup_refuses_clearly_and_leaves_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    make_source: str | None,
    target: str,
    expected: str,
) -> None:
    source = tmp_path / "live.db"
    if make_source == "foreign":
        with sqlite3.connect(source) as conn:
            conn.execute("CREATE TABLE invoices (id INTEGER)")
    elif make_source == "damaged":
        source.write_bytes(b"not a database at all" * 100)
    elif make_source == "ok":
        assert run(capsys, "--db", str(source), "ask", "healing")[0] == 0
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = run(capsys, "--db", str(source), "db", "backup", str(tmp_path / target))
    assert code == 1 and out == ""
    assert expected in err and len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == before
