"""The `ostbot` command line: ask --json contract, db import/export/validate, console chat."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.catalog import CSV_COLUMNS, DATA_DIR, load_catalog, restore_cell, write_csv
from bot.core.models import Track
from bot.core.store import Store

ROOT = Path(__file__).resolve().parents[1]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "cli.db")


def test_ask_json_contract(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, out, _ = run(capsys, "--db", db, "ask", "3", "sad", "songs", "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"reply", "tracks"}
    assert len(data["tracks"]) == 3
    for track in data["tracks"]:
        assert set(track) == {"title", "title_ko", "artist", "drama", "year", "tags", "reason"}
        assert isinstance(track["year"], int) and "sad" in track["tags"]
        assert track["title"] in data["reply"]


def test_ask_nonsense_exits_zero_with_no_tracks(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    code, out, _ = run(capsys, "--db", db, "ask", "--json", "qwzx vbnm")
    data = json.loads(out)
    assert code == 0 and data["tracks"] == [] and "qwzx" in data["reply"]


@pytest.mark.parametrize("text", ["", "   "])
def test_ask_empty_is_a_usage_error(capsys: pytest.CaptureFixture[str], db: str, text: str) -> None:
    code, _, err = run(capsys, "--db", db, "ask", text)
    assert code == 2 and "empty" in err


def test_ask_keeps_history_per_user(capsys: pytest.CaptureFixture[str], db: str) -> None:
    seen = []
    for _ in range(4):
        _, out, _ = run(capsys, "--db", db, "ask", "--json", "--user", "fan", "sad winter song")
        seen.append(json.loads(out)["tracks"][0]["title"])
    assert len(set(seen)) == 4  # no repeats for the same user


def test_validate_shipped_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "db", "validate")
    assert code == 0 and out.startswith("OK:")


CSV_OK = (
    "title,artist,drama,year,tags,title_ko,drama_ko,network,part\n"
    "New Song,Brand New Singer,A New Drama,2024,sad;low-energy,새 노래,새 드라마,tvN,1\n"
    "Second Song,Brand New Singer,A New Drama,2024,healing;low-energy,,새 드라마,tvN,2\n"
)


def test_import_then_export_round_trips(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    src = tmp_path / "in.csv"
    src.write_text(CSV_OK, encoding="utf-8")
    code, out, _ = run(capsys, "--db", db, "db", "import", str(src))
    assert code == 0 and "2 new" in out
    code, out, _ = run(capsys, "--db", db, "db", "import", str(src))
    assert code == 0 and "0 new, 0 updated, 2 unchanged" in out
    src.write_text(CSV_OK.replace("sad;low-energy", "sad;longing;low-energy"), encoding="utf-8")
    code, out, _ = run(capsys, "--db", db, "db", "import", str(src))
    assert code == 0 and "0 new, 1 updated, 1 unchanged" in out
    first = tmp_path / "one.csv"
    assert run(capsys, "--db", db, "db", "export", str(first))[0] == 0
    assert "New Song,Brand New Singer,A New Drama,2024,sad;longing;low-energy" in first.read_text(
        encoding="utf-8"
    )
    other = str(tmp_path / "other.db")
    assert run(capsys, "--db", other, "db", "import", str(first))[0] == 0
    second = tmp_path / "two.csv"
    assert run(capsys, "--db", other, "db", "export", str(second))[0] == 0
    assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")


def test_imported_track_is_recommended(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    src = tmp_path / "in.csv"
    src.write_text(CSV_OK, encoding="utf-8")
    run(capsys, "--db", db, "db", "import", str(src))
    code, out, _ = run(capsys, "--db", db, "ask", "--json", "songs from A New Drama")
    assert code == 0
    assert {t["title"] for t in json.loads(out)["tracks"]} == {"New Song", "Second Song"}


def test_bad_import_names_every_line_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    before = tmp_path / "before.csv"
    run(capsys, "--db", db, "db", "export", str(before))
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "title,artist,drama,year,tags\n"
        "Fine Song,Singer,Goblin,2016,sad;low-energy\n"
        "No Year,Singer,Goblin,soon,sad\n"
        ",Singer,Goblin,2016,sad\n"
        '"Multi\nline",Singer,Goblin,2016,groovy\n'
        "Late,Singer,Goblin,1999,sad\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "--db", db, "db", "import", str(bad))
    assert code == 1
    assert "bad.csv:3: year must be a whole number" in err
    assert "bad.csv:4: title is empty" in err
    assert "bad.csv:5: unknown tag(s): groovy" in err
    assert "bad.csv:7: year 1999 is outside Goblin's airing" in err
    after = tmp_path / "after.csv"
    run(capsys, "--db", db, "db", "export", str(after))
    assert before.read_text(encoding="utf-8") == after.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"\x00\x01\x02\x03", "binary data"),
        (b"title,artist,drama,year,tags\n\xff\xfe,x,y,2016,sad\n", "not valid UTF-8"),
        (b"title,artist,year\nA,B,2016\n", "missing column(s): drama, tags"),
        (b"title,artist,drama,year,tags,colour\nA,B,C,2016,sad,red\n", "unknown column(s): colour"),
    ],
)
def test_broken_files_are_refused(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path, content: bytes, message: str
) -> None:
    src = tmp_path / "broken.csv"
    src.write_bytes(content)
    code, _, err = run(capsys, "--db", db, "db", "import", str(src))
    assert code == 1 and message in err
    code, _, err = run(capsys, "db", "validate", str(src))
    assert code == 1 and message in err


def test_missing_file(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    code, _, err = run(capsys, "--db", db, "db", "import", str(tmp_path / "nope.csv"))
    assert code == 1 and "cannot read" in err


def subprocess_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["OSTBOT_DB"] = str(tmp_path / "proc.db")
    env.pop("DISCORD_TOKEN", None)
    env.pop("TELEGRAM_TOKEN", None)
    return env


def test_ask_does_not_import_platform_libraries(tmp_path: Path) -> None:
    # Nor pydantic, nor any platform adapter: a one-shot command imports only what it uses.
    (tmp_path / ".env").write_text("LOG_LEVEL=WARNING\n", encoding="utf-8")
    heavy = (
        *("discord", "telegram", "pydantic", "pydantic_settings", "bot.config"),
        *("bot.adapters.console", "bot.adapters.discord_adapter", "bot.adapters.telegram_adapter"),
    )
    probe = (
        "import sys\nfrom bot.cli import main\ncode = main(['ask', 'healing'])\n"
        f"print('LOADED', sorted(m for m in {heavy!r} if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env=subprocess_env(tmp_path),
        capture_output=True,
        text=True,
        check=True,
    )
    assert "LOADED []" in out.stdout


def test_console_chat_end_to_end(tmp_path: Path) -> None:
    lines = "sad songs from Goblin\nanother\nlike\nhistory\n힐링 OST 추천해줘\n\nhelp\n"
    out = subprocess.run(
        [sys.executable, "-m", "bot", "chat"],
        cwd=tmp_path,
        env=subprocess_env(tmp_path),
        input=lines,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    # One answer per non-blank line, in the order asked.
    answers = [
        "OSTs from Goblin for you:",
        "from Goblin for you:",  # "another" keeps the request
        "Noted: you like",
        "Your last ",
        "추천해요:",
        "Commands:",
    ]
    at = -1
    for answer in answers:
        at = out.find(answer, at + 1)
        assert at >= 0, f"{answer!r} missing, or out of order"
    assert "Traceback" not in out


# Titles a spreadsheet would run as formulas, and titles that only look close to one.
FORMULA_TITLES = (
    '=HYPERLINK("https://evil.example","click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+82 Love",
    "-ing",
    "-",
    "'=already quoted",
    "''-two quotes",
    "'Cause I Love You",
    "'",
)


async def _tracks(db: Path) -> set[Track]:
    store = await Store.open(db)
    try:
        return set((await store.load()).tracks)
    finally:
        await store.close()


def test_export_neutralises_formulas_and_round_trips_the_real_catalog(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rows = [
        {
            **dict.fromkeys(CSV_COLUMNS, ""),
            "title": title,
            "artist": "Formula Singer",
            "drama": "Goblin",
            "year": "2016",
            "tags": "sad;low-energy",
            "aliases": f"{title};x",
        }
        for title in FORMULA_TITLES
    ]
    hostile = tmp_path / "hostile.csv"
    with hostile.open("w", encoding="utf-8", newline="") as fh:
        write_csv(rows, fh)
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    assert run(capsys, "--db", str(first), "db", "import", str(hostile))[0] == 0
    exported = tmp_path / "a.csv"
    assert run(capsys, "--db", str(first), "db", "export", str(exported))[0] == 0

    with exported.open(encoding="utf-8", newline="") as fh:
        cells = [cell for row in csv.reader(fh) for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert '\'=HYPERLINK("https://evil.example","click")' in cells and "'''-two quotes" in cells

    assert run(capsys, "--db", str(second), "db", "import", str(exported))[0] == 0
    again = tmp_path / "b.csv"
    assert run(capsys, "--db", str(second), "db", "export", str(again))[0] == 0
    assert again.read_bytes() == exported.read_bytes()
    stored = asyncio.run(_tracks(first))
    assert stored == asyncio.run(_tracks(second))  # every track, shipped and imported, exactly
    assert {t.title for t in stored} >= set(FORMULA_TITLES)
    assert len(stored) == len(load_catalog(DATA_DIR).tracks) + len(FORMULA_TITLES)


def test_a_hand_written_formula_looking_title_imports_as_written() -> None:
    assert restore_cell("-ing") == "-ing" and restore_cell("'Cause") == "'Cause"
    assert restore_cell("'-ing") == "-ing" and restore_cell("''=x") == "'=x"


def test_about_prints_the_catalog_figures(capsys: pytest.CaptureFixture[str], db: str) -> None:
    catalog = load_catalog(DATA_DIR)
    code, out, _ = run(capsys, "--db", db, "about")
    assert code == 0
    assert f"{len(catalog.tracks)} songs from {len(catalog.dramas)} dramas" in out
    networks = {d.network for d in catalog.dramas.values()}
    assert all(network in out for network in networks)


def test_export_to_a_reader_that_stops_early_is_quiet(tmp_path: Path) -> None:
    # `ostbot db export - | head -1`: the export is larger than a pipe's buffer, so the
    # writer is still writing when the reader goes away.
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "db", "export", "-"],
        cwd=tmp_path,
        env=subprocess_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline().startswith(b"title,artist,drama,year,tags")
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141  # as a Unix tool stopped by SIGPIPE reports
    assert "Traceback" not in err and "BrokenPipe" not in err
