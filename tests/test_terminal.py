"""Terminal output (console chat, `ask`) cannot be driven by catalog or user text: no escape
sequences, control characters or bidi overrides reach the screen."""

from __future__ import annotations

import asyncio
import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.console import chat
from bot.cli import main
from bot.core.catalog import ImportRow
from bot.core.models import Track
from bot.core.service import Service
from bot.core.store import Store
from bot.core.text import escape_for_terminal, terminal_safe

# Anything a terminal acts on: C0 but newline, DEL and C1, bidi embeddings/overrides/isolates.
UNSAFE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
HOSTILE_TITLE = "\x1b[2J\x1b]0;owned\x07Evil\u202eSong\x9b31m\r"
HOSTILE_ARTIST = "Bad\x1b[31mSinger\u2066"


def test_escape_sequences_and_overrides_are_removed_and_the_rest_kept() -> None:
    assert terminal_safe("a\x1b[1;31mred\x1b[0m b") == "ared b"
    assert terminal_safe("\x1b]8;;https://evil.example\x07link\x1b]8;;\x07") == "link"
    assert terminal_safe("x\x9b2Jy\x00z\rw\tv") == "xyzw v"
    assert terminal_safe("abc\u202ecod.exe \u2067x\u2069") == "abccod.exe x"
    kept = "도깨비 — Stay With Me 👨\u200d👩\u200d👧\nnext line"
    assert terminal_safe(kept) == kept


@given(st.text())
def test_nothing_unsafe_survives(text: str) -> None:
    assert not UNSAFE.search(terminal_safe(text))


@given(st.text())
def test_json_escaping_keeps_every_string_exactly(text: str) -> None:
    escaped = escape_for_terminal(json.dumps({"t": text}, ensure_ascii=False))
    assert json.loads(escaped) == {"t": text} and not UNSAFE.search(escaped)


async def add_hostile_track(store: Store) -> Track:
    track = Track(
        title=HOSTILE_TITLE, artist=HOSTILE_ARTIST, drama="Goblin", year=2016, tags=("sad",)
    )
    catalog = await store.load()
    await store.import_rows([ImportRow(2, track, "", "", "")], catalog)
    return track


async def test_console_chat_prints_no_escape_sequence(store: Store) -> None:
    await add_hostile_track(store)
    service = await Service.create(store)
    out = io.StringIO()
    text = f"artist {HOSTILE_ARTIST}\nsimilar Evil Song\n{HOSTILE_TITLE}\nlike\n"
    try:
        await chat(service, io.StringIO(text), out, user_id="t")
    finally:
        await service.close()
    printed = out.getvalue()
    assert "EvilSong" in printed and "BadSinger" in printed  # shown, but harmless
    assert not UNSAFE.search(printed)


def test_ask_prints_no_escape_sequence_and_json_keeps_the_title(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ask.db"

    async def prepare() -> None:
        store = await Store.open(db)
        try:
            await add_hostile_track(store)
        finally:
            await store.close()

    asyncio.run(prepare())
    asked = ("--db", str(db), "ask", "--user", "u", f"songs by {HOSTILE_ARTIST}")
    assert main([*asked]) == 0
    plain = capsys.readouterr().out
    assert "EvilSong" in plain and not UNSAFE.search(plain)
    assert main([*asked, "--json"]) == 0
    raw = capsys.readouterr().out
    assert not UNSAFE.search(raw)
    data = json.loads(raw)
    assert [t["title"] for t in data["tracks"]] == [HOSTILE_TITLE]  # the data itself is exact
    assert "EvilSong" in data["reply"] and not UNSAFE.search(data["reply"])
