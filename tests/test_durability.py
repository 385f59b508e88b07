"""Real processes, real faults: kill -9 in the middle of likes and imports, SIGTERM, and a
database that will not take writes. Nothing the bot acknowledged is lost; nothing hangs."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIKED = re.compile(r"^Noted: you like (.+) by (.+)\. I'll lean toward songs like it\.$")
DISLIKED = re.compile(r"^Noted: I won't recommend (.+) by (.+) to you again\.$")
CARD = re.compile(r"^\d\. .+ — .+$")
HANG = 30  # seconds: a process still running after this is hanging
# Each round: three new songs, two liked and one disliked.
ROUND = ["3 songs", "like 1", "like 2", "dislike 3"]


def env(user: str = "local") -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}
    out.update(LOGNAME=user, LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
    return out


def ostbot(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "bot", "--db", str(db), *args]


def seed(db: Path) -> None:
    subprocess.run(ostbot(db, "ask", "hello"), env=env(), check=True, capture_output=True)


@dataclass
class Chat:
    """A console chat in its own process, read on a thread as it answers."""

    proc: subprocess.Popen[str]
    user: str
    lines: list[str] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def start(cls, db: Path, user: str, command: str = "chat", rounds: int = 150) -> Chat:
        proc = subprocess.Popen(
            ostbot(db, command),
            env=env(user),
            cwd=db.parent,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        assert proc.stdin is not None
        proc.stdin.write("\n".join(ROUND * rounds) + "\n")  # no end of input: it keeps going
        proc.stdin.flush()
        chat = cls(proc, f"console:{user}")
        threading.Thread(target=chat._read, daemon=True).start()
        return chat

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))
        self.done.set()

    def acknowledged(self) -> dict[tuple[str, str], int]:
        """(title, artist) -> 1 or -1 for every like and dislike the bot confirmed."""
        out = {}
        for line in list(self.lines):
            for pattern, value in ((LIKED, 1), (DISLIKED, -1)):
                m = pattern.match(line)
                if m:
                    out[m.group(1), m.group(2)] = value
        return out

    def wait_for(self, acks: int) -> None:
        deadline = time.monotonic() + HANG
        while len(self.acknowledged()) < acks:
            assert self.proc.poll() is None, self.stderr()
            assert time.monotonic() < deadline, "no acknowledgements"
            time.sleep(0.01)

    def finish(self) -> int:
        """Wait for the process to end and its output to be read; returns its exit code."""
        code = self.proc.wait(timeout=HANG)
        assert self.done.wait(HANG)
        return code

    def stderr(self) -> str:
        return self.proc.stderr.read() if self.proc.stderr and self.proc.poll() is not None else ""

    def last_recommendation(self) -> list[str]:
        """The card lines ("1. title — artist", with any Hangul forms) of the last reply
        with songs."""
        cards: list[str] = []
        for line in self.lines:
            if line.startswith("Here"):
                cards = []
            if CARD.match(line):
                cards.append(line)
        return cards


def stored_feedback(db: Path, user: str) -> dict[tuple[str, str], int]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT t.title, t.artist, f.value FROM feedback f JOIN tracks t ON t.key ="
            " f.track_key WHERE f.user = ?",
            (user,),
        ).fetchall()
    return {(title, artist): value for title, artist, value in rows}


def write_locked(db: Path) -> bool:
    """Whether another process holds the database's write lock (a transaction under way)."""
    conn = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


def big_csv(path: Path, title: str, rows: int) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("title,artist,drama,year,tags\n")
        fh.writelines(
            f"{title} {n},{title} Singer,Goblin,2016,sad;low-energy\n" for n in range(rows)
        )
    return path


def start_import(db: Path, csv: Path) -> subprocess.Popen[bytes]:
    """`db import` in its own process, returned once its transaction is under way (or over)."""
    proc = subprocess.Popen(ostbot(db, "db", "import", str(csv)), env=env())
    deadline = time.monotonic() + HANG
    while proc.poll() is None and not write_locked(db):
        assert time.monotonic() < deadline, "the import never started writing"
        time.sleep(0.002)
    return proc


def imported(db: Path, title: str) -> int:
    with sqlite3.connect(db) as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM tracks WHERE title LIKE ?", (f"{title} %",)
        ).fetchone()
    return int(count)


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "crash.db"
    seed(path)
    return path


# ------------------------------------------------------------------ kill -9


@pytest.mark.parametrize("processes", [1, 2, 4])
def test_kill_9_loses_no_acknowledged_like(db: Path, processes: int) -> None:
    chats = [Chat.start(db, f"p{n}") for n in range(processes)]
    for chat in chats:
        chat.wait_for(acks=30)
    for chat in chats:
        chat.proc.send_signal(signal.SIGKILL)
    for chat in chats:
        assert chat.finish() == -signal.SIGKILL
    assert integrity(db) == "ok"
    for chat in chats:
        acknowledged = chat.acknowledged()  # including what was printed just before the kill
        stored = stored_feedback(db, chat.user)
        assert len(acknowledged) >= 30
        assert {k: stored.get(k) for k in acknowledged} == acknowledged


def test_kill_9_during_an_import_leaves_all_or_nothing(db: Path, tmp_path: Path) -> None:
    rows = 20_000
    importer = start_import(db, big_csv(tmp_path / "big.csv", "Crash Song", rows))
    time.sleep(0.05)
    importer.kill()
    importer.wait(timeout=HANG)
    assert integrity(db) == "ok"
    assert imported(db, "Crash Song") in (0, rows)
    assert imported(db, "Crash Song") == rows or importer.returncode == -signal.SIGKILL


# ------------------------------------------------------------------ SIGTERM


@pytest.mark.parametrize(("command", "processes"), [("chat", 1), ("run", 1), ("chat", 4)])
def test_sigterm_saves_everything_and_exits(db: Path, command: str, processes: int) -> None:
    chats = [Chat.start(db, f"term{n}", command) for n in range(processes)]
    for chat in chats:
        chat.wait_for(acks=20)
    for chat in chats:  # all at once: their last writes compete for the database
        chat.proc.send_signal(signal.SIGTERM)
    for chat in chats:
        assert chat.finish() == 0, chat.stderr()
        acknowledged = chat.acknowledged()
        stored = stored_feedback(db, chat.user)
        assert {k: stored.get(k) for k in acknowledged} == acknowledged
        # A clean stop writes what was queued behind the replies too: the last songs shown.
        with sqlite3.connect(db) as conn:
            rows = conn.execute(
                "SELECT coalesce(t.title_en, t.title), t.artist FROM history h"
                " JOIN tracks t ON t.key = h.track_key"
                " WHERE h.user = ? ORDER BY h.at DESC, h.rowid DESC LIMIT 3",
                (chat.user,),
            ).fetchall()
        cards = chat.last_recommendation()
        assert len(cards) == len(rows) == 3
        # A card leads with the English title where there is one ("Snow Flower (눈꽃)").
        for (title, artist), card in zip(reversed(rows), cards, strict=True):
            assert card[3:].startswith(title) and f"— {artist}" in card, (title, artist, card)


# --------------------------------------------------- a database that won't write


def faulty(db: Path, fault: str, *args: str) -> list[str]:
    """The ostbot command, on a store whose write connection fails as `fault` says, from
    right after it opened: read-only (SQLite itself refuses: query_only), or a full disk
    (every batch fails with SQLITE_FULL, as SQLite reports it; no tiny filesystem here)."""
    code = (
        "import sqlite3, sys\n"
        "from bot.core import store\n"
        "opened = store.Store.open.__func__\n"
        "async def full(*args, **kwargs):\n"
        "    exc = sqlite3.OperationalError('database or disk is full')\n"
        "    exc.sqlite_errorcode = sqlite3.SQLITE_FULL\n"
        "    raise exc\n"
        "async def open_(cls, *a, **k):\n"
        "    st = await opened(cls, *a, **k)\n"
        f"    if {fault!r} == 'read-only':\n"
        "        await st._db.execute('PRAGMA query_only = ON')\n"
        "    else:\n"
        "        st._db.executemany = full\n"
        "    return st\n"
        "store.Store.open = classmethod(open_)\n"
        "from bot.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    return [sys.executable, "-c", code, "--db", str(db), *args]


def one_clear_line(stderr: str, *words: str) -> None:
    lines = [line for line in stderr.splitlines() if line.startswith("ostbot: ")]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    assert any(w in lines[0] for w in words), lines[0]


FAULTS = {"read-only": "readonly", "disk full": "full"}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_ask_on_a_database_that_wont_write_exits_clearly(db: Path, fault: str) -> None:
    out = subprocess.run(
        faulty(db, fault, "ask", "3", "sad", "songs"),
        env=env(),
        capture_output=True,
        text=True,
        timeout=HANG,
    )
    assert out.returncode == 1
    assert out.stdout == ""  # no answer whose history could not be kept
    one_clear_line(out.stderr, FAULTS[fault])


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_chat_on_a_database_that_wont_write_never_claims_a_like(db: Path, fault: str) -> None:
    out = subprocess.run(
        faulty(db, fault, "chat"),
        env=env(),
        input="3 songs\nlike 1\n",
        capture_output=True,
        text=True,
        timeout=HANG,
    )
    assert "Here are 3" in out.stdout
    assert "Noted" not in out.stdout and "couldn't save that" in out.stdout
    assert out.returncode == 1
    one_clear_line(out.stderr, FAULTS[fault])
    assert stored_feedback(db, "console:local") == {}


@pytest.fixture
def lock_holder(db: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the database's write lock until it is killed."""
    code = (
        "import sqlite3, sys, time\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('BEGIN IMMEDIATE')\n"
        "print('locked', flush=True)\n"
        "time.sleep(120)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(db)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline() == "locked\n"
    yield proc
    proc.kill()
    proc.wait()


def test_ask_on_a_locked_database_exits_clearly(
    db: Path, lock_holder: subprocess.Popen[str]
) -> None:
    out = subprocess.run(
        ostbot(db, "ask", "healing"), env=env(), capture_output=True, text=True, timeout=HANG
    )
    assert out.returncode == 1 and out.stdout == ""
    one_clear_line(out.stderr, "locked")


def test_ask_during_a_big_import_answers_or_exits_clearly(db: Path, tmp_path: Path) -> None:
    importer = start_import(db, big_csv(tmp_path / "big.csv", "Busy Song", 20_000))
    out = subprocess.run(
        ostbot(db, "ask", "healing"), env=env(), capture_output=True, text=True, timeout=HANG
    )
    if out.returncode == 0:  # the import finished first, or in time for the final write
        assert "Here" in out.stdout
    else:
        assert out.returncode == 1 and out.stdout == ""
        one_clear_line(out.stderr, "locked")
    importer.kill()  # no need to wait for it: a kill leaves it all-or-nothing too
    importer.wait(timeout=HANG)
    assert integrity(db) == "ok"
    assert imported(db, "Busy Song") in (0, 20_000)


def test_an_unclosed_store_does_not_keep_the_process_alive(db: Path) -> None:
    code = (
        "import asyncio, sys\n"
        "from bot.core.store import Store\n"
        "store = asyncio.run(Store.open(sys.argv[1]))\n"  # opened, still held, never closed
    )
    subprocess.run([sys.executable, "-c", code, str(db)], env=env(), check=True, timeout=HANG)
