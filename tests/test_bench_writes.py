"""`ostbot bench` write-path rows and `--load`: what they report, on a small load (not how fast)."""

from __future__ import annotations

from pathlib import Path

from bot.bench import WRITE_ROWS, report
from bot.bench_process import machine
from bot.bench_writes import load_run


async def test_the_durability_load_checks_every_reply_and_finds_nothing_missing(
    tmp_path: Path,
) -> None:
    result = await load_run(tmp_path / "load.db", users=20, each=15, stop_when_full=False)
    assert result["load_requests"] == 300
    assert isinstance(result["load_likes_acknowledged"], int)
    assert result["load_likes_acknowledged"] > 10  # a quarter of the requests are likes
    assert result["load_likes_missing"] == 0
    assert result["load_users_history_short"] == 0
    assert result["load_users_heard_differs"] == 0
    assert isinstance(result["load_shutdown_s"], float)


def test_the_report_shows_the_write_path_when_measured() -> None:
    base: dict[str, object] = {"catalog_tracks": 1077, "catalog_dramas": 250, "synthetic_tracks": 0}
    writes = {key: 7 for _, key, _, _ in WRITE_ROWS}
    text = report({**base, **writes}, machine())
    assert "the write path" in text
    assert all(what in text for what, _, _, _ in WRITE_ROWS)
    assert "the write path" not in report(base, machine())
