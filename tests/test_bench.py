"""`ostbot bench` reports every figure of issue 11's table, measured on the catalog it names.

Small catalogs and few runs: this checks what is reported, not how fast anything is.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from bot.bench import ROWS, bench, report, side_by_side
from bot.bench_process import BenchError, machine, run
from bot.core.catalog import Catalog

FIGURES = (
    "python_ms",
    "import_s",
    "chat_start_s",
    "chat_first_start_s",
    "ask_ms_median",
    "ask_ms_environment",
    "chat_peak_rss_mb",
    "chat_first_start_rss_mb",
    "p50_ms",
    "p99_ms",
    "throughput_5_users_rps",
)


async def test_bench_scale_reports_every_figure_for_each_size(
    capsys: pytest.CaptureFixture[str], catalog: Catalog
) -> None:
    await bench(as_json=True, requests=30, scale=(40, 80), runs=1, users=5)
    out = json.loads(capsys.readouterr().out)
    assert set(out["machine"]) == {"python", "os", "cpu", "cores"}
    first, second = out["scale"]
    for result, extra in ((first, 40), (second, 80)):
        assert result["synthetic_tracks"] == result["import_rows"] == extra
        assert result["catalog_tracks"] == len(catalog.tracks) + extra
        assert result["requests"] == 30 and result["platform_imports"] == []
        for key in FIGURES:
            assert isinstance(result[key], (int, float)) and result[key] > 0, key
    text = report({**first, "throughput_200_users_rps": 1.0}, machine())
    assert "db import of 40 rows" in text and "chat peak memory (RSS)" in text
    assert len([line for line in text.splitlines() if line.startswith("  ")]) == len(ROWS) + 2


async def test_bench_measures_both_backends_side_by_side(
    capsys: pytest.CaptureFixture[str], pg_server: str
) -> None:
    await bench(as_json=True, requests=30, runs=1, users=5, backend="both", pg_url=pg_server)
    out = json.loads(capsys.readouterr().out)
    sqlite, postgres = out["backends"]
    assert (sqlite["backend"], postgres["backend"]) == ("sqlite", "postgres")
    for result in (sqlite, postgres):
        assert result["requests"] == 30 and result["catalog_tracks"] > 200
        for key in FIGURES:
            assert isinstance(result[key], (int, float)) and result[key] > 0, key
    text = side_by_side([sqlite, postgres], out["machine"])
    assert "sqlite     postgres" in text and "handle() p99" in text
    # Its databases were dropped: the server holds what it held before.
    import asyncpg

    conn = await asyncpg.connect(pg_server)
    try:
        names = [r[0] for r in await conn.fetch("SELECT datname FROM pg_database")]
    finally:
        await conn.close()
    assert not [n for n in names if n.startswith("ostbot_bench_")]


@pytest.mark.skipif(not hasattr(os, "wait4"), reason="peak memory is measured where wait4 is")
def test_a_command_s_peak_memory_is_its_own_not_the_bench_s(tmp_path: Path) -> None:
    # The bench process holds synthetic catalogs and services far bigger than a short command.
    ballast = b"x" * (150 << 20)
    ran = run([sys.executable, "-c", "pass"], tmp_path)
    assert len(ballast) == 150 << 20
    assert ran.peak_mb is not None and 0 < ran.peak_mb < 100
    assert 0 < ran.seconds < 30


def test_a_failing_command_is_a_bench_error_with_its_last_words(tmp_path: Path) -> None:
    with pytest.raises(BenchError, match="no such luck"):
        run([sys.executable, "-c", "import sys; sys.exit('no such luck')"], tmp_path)
