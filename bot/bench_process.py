"""`ostbot bench`, the figures of whole processes: each runs the real command in a fresh
Python process, as an operator would (`python -c pass` for the baseline, `ostbot db import`,
`ostbot chat` start-up and peak memory, `ostbot ask`).

As on an installed ostbot, Python's compiled code is cached between processes (pip compiles
it at install; a checkout writes it on its first run), here in the bench's own directory so
nothing is written beside the code. `ask` is also measured with the environment's own
settings: where Python may not write that cache (PYTHONDONTWRITEBYTECODE) and ostbot runs
from its sources (an editable install), every process compiles ostbot's code again.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bot.core.catalog import export_rows, write_csv

# What a console session asks while its peak memory is measured.
CHAT_LINES = (
    "recommend a healing OST",
    "3 sad songs",
    "songs from Goblin",
    "songs by Baekhyun",
    "something like Stay With Me",
    "힐링 OST 추천해줘",
    "another",
    "like",
    "romantc songs",
    "history",
)


class BenchError(RuntimeError):
    pass


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float | None  # peak resident memory; None where the OS does not say


BYTECODE = "bytecode"  # where, in the bench's directory, compiled code is kept between runs
# Imports everything the timed commands run (koroman: an index build), to compile it first.
WARM_UP = "import bot.cli, bot.lifecycle, bot.adapters.console, bot.core.catalog, koroman"


# A process started from this one (subprocess uses vfork on Linux) reports this one's peak
# memory as its own when it is the higher: the kernel keeps the larger peak across exec. The
# bench builds synthetic catalogs and whole services in this process (a --scale step at
# 100,000 tracks reported 108-121 MB for a chat that peaks at 93), so each command is started
# by a small launcher, which times it and reports its own child's figures.
LAUNCHER = """\
import os, sys, time
report, args = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
pid = os.posix_spawn(args[0], args, os.environ)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
with open(report, "w") as fh:
    fh.write(f"{seconds!r} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""
LAUNCHED = hasattr(os, "posix_spawn") and hasattr(os, "wait4")


def run(args: list[str], cwd: Path, stdin: str = "", *, bytecode: bool = True) -> Run:
    """Run one process to its end; its wall time and peak resident memory (where the OS says,
    through LAUNCHER). With `bytecode`, Python's compiled code is cached in cwd (see the
    module's docstring); without, as the environment says."""
    env = {k: v for k, v in os.environ.items() if k not in ("OSTBOT_DB", "LOG_LEVEL")}
    env["LOG_LEVEL"] = "WARNING"
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(cwd / BYTECODE)
    for token in ("DISCORD_TOKEN", "TELEGRAM_TOKEN"):
        env.pop(token, None)
    report = cwd / "last-run.txt"
    command = [sys.executable, "-c", LAUNCHER, str(report), *args] if LAUNCHED else args
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and command
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        if proc.stdin is not None:
            proc.stdin.write(stdin.encode())
            proc.stdin.close()
        proc.wait()
        seconds = time.perf_counter() - start
        peak: float | None = None
        if LAUNCHED and proc.returncode == 0:
            took, maxrss, code = report.read_text(encoding="utf-8").split()
            seconds, proc.returncode = float(took), int(code)
            # ru_maxrss is in kilobytes on Linux, in bytes on macOS.
            peak = int(maxrss) / (1 << 20 if sys.platform == "darwin" else 1 << 10)
        if proc.returncode != 0:
            err.seek(0)
            tail = err.read().decode(errors="replace").strip().splitlines()[-3:]
            raise BenchError(f"{' '.join(args[2:])} failed: {' / '.join(tail)}")
    return Run(seconds, peak)


def ostbot(db: Path | str, *args: str) -> list[str]:
    return [sys.executable, "-m", "bot", "--db", str(db), *args]


def write_synthetic_csv(path: Path, tracks: int) -> None:
    """N synthetic tracks in the import format (new dramas and artists, real tags)."""
    from bot.bench import synthetic_catalog

    with path.open("w", encoding="utf-8", newline="") as fh:
        write_csv(export_rows(synthetic_catalog(tracks)), fh)


def median_run(
    args: list[str], cwd: Path, runs: int, stdin: str = "", *, bytecode: bool = True
) -> Run:
    results = [run(args, cwd, stdin, bytecode=bytecode) for _ in range(runs)]
    peaks = [r.peak_mb for r in results if r.peak_mb is not None]
    return Run(statistics.median(r.seconds for r in results), max(peaks) if peaks else None)


def process_figures(
    workdir: Path,
    db: Path | str,
    tracks: int,
    shipped: int,
    runs: int,
    import_db: Path | str | None = None,
) -> dict[str, object]:
    """Every whole-process figure, on `db`: the shipped catalog plus `tracks` imported ones.

    Without `tracks`, the import is timed with as many rows as the shipped catalog has, into
    a database of its own (`import_db`), so that `db` keeps only the shipped catalog.
    """
    out: dict[str, object] = {}
    baseline = median_run([sys.executable, "-c", "pass"], workdir, runs)
    out["python_ms"] = round(baseline.seconds * 1e3, 1)

    # Compiled once, as an install does, before anything is timed.
    run([sys.executable, "-c", WARM_UP], workdir)
    rows = tracks or shipped
    target = db if tracks else import_db or workdir / "import.db"
    for path in {db, target}:
        _seed(path, workdir)
    csv_path = workdir / "synthetic.csv"
    write_synthetic_csv(csv_path, rows)
    out["import_rows"] = rows
    out["import_s"] = round(run(ostbot(target, "db", "import", str(csv_path)), workdir).seconds, 2)
    csv_path.unlink()

    first = run(ostbot(db, "chat"), workdir)  # builds the index and saves it
    out["chat_first_start_s"] = round(first.seconds, 2)
    out["chat_first_start_rss_mb"] = _mb(first.peak_mb)
    started = median_run(ostbot(db, "chat"), workdir, runs)
    out["chat_start_s"] = round(started.seconds, 2)
    session = run(ostbot(db, "chat"), workdir, "\n".join(CHAT_LINES) + "\n")
    peaks = [r.peak_mb for r in (started, session) if r.peak_mb is not None]
    out["chat_peak_rss_mb"] = _mb(max(peaks) if peaks else None)
    asked = median_run(ostbot(db, "ask", "healing"), workdir, runs)
    out["ask_ms_median"] = round(asked.seconds * 1e3, 1)
    as_set = median_run(ostbot(db, "ask", "healing"), workdir, runs, bytecode=False)
    out["ask_ms_environment"] = round(as_set.seconds * 1e3, 1)
    out["platform_imports"] = _platform_imports(workdir, db)
    return out


def _mb(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _seed(db: Path | str, workdir: Path) -> None:
    """Create the database and load data/ into it (what any first command does)."""
    seeded = workdir / "seeded.csv"
    run(ostbot(db, "db", "export", str(seeded)), workdir)
    seeded.unlink()


def _platform_imports(workdir: Path, db: Path | str) -> list[str]:
    """The platform libraries (and pydantic) that `ostbot ask` loaded: none, by design."""
    probe = (
        f"import sys, runpy; sys.argv=['ostbot','--db',{str(db)!r},'ask','healing'];"
        "\ntry:\n runpy.run_module('bot', run_name='__main__')\nexcept SystemExit: pass\n"
        "print(sorted(m for m in ('discord','telegram','pydantic') if m in sys.modules),"
        " file=sys.stderr)"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", probe], cwd=workdir, check=True, capture_output=True, text=True
    )
    last = out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "[]"
    return [name.strip(" '") for name in last.strip("[]").split(",") if name.strip(" '")]


def machine() -> dict[str, object]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next(
                (line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu
            )
    except OSError:
        pass
    return {
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "cpu": cpu,
        "cores": os.cpu_count(),
    }
