"""`ostbot bench`: every figure of issue 11's table, on the shipped catalog or with N more
synthetic tracks imported.

Whole processes first (`python -c pass` as the baseline, `ostbot db import`, `ostbot chat`
start-up and peak memory, `ostbot ask`; see bench_process), then Service.handle() end to end in
this process (parsing, ranking, history writes): latency and the throughput of 200 concurrent
users, on the same database. `--scale` repeats it for several catalog sizes.
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bot.bench_pg import BenchServer
from bot.bench_process import machine, process_figures
from bot.core.catalog import Catalog, load_catalog
from bot.core.index import CatalogIndex
from bot.core.models import Artist, Drama, Request, Track
from bot.core.service import Service
from bot.core.store import DatabaseUrl, Location, Store
from bot.lifecycle import tune_gc_for_serving

REQUESTS = (
    "recommend a healing OST",
    "3 sad songs",
    "something to cry to",
    "힐링 OST 추천해줘",
    "설레는 노래 3곡",
    "romantic OSTs from 2016",
    "2010s nostalgic songs",
    "recent upbeat songs",
    "sad winter songs",
    "epic high energy",
    "songs from {drama}",
    "a sad OST from {drama}",
    "songs by {artist}",
    "{drama_ko} 노래",
    "something like {title}",
    "goblen ost",
    "romantc songs",
    "another",
    "history",
    "drama {drama}",
)


def synthetic_catalog(n: int, seed: int = 7) -> Catalog:
    """N tracks over N/10 dramas and N/5 artists with plausible tag mixes."""
    rng = random.Random(seed)
    base = load_catalog()
    vocab = base.vocabulary
    moods = [t.name for t in vocab.of_kind("mood")]
    energy = [t.name for t in vocab.of_kind("energy")]
    extra = [t.name for t in vocab.tags.values() if t.kind in ("season", "scene")]
    catalog = Catalog(vocabulary=vocab)
    n_dramas = max(1, n // 10)
    for d in range(n_dramas):
        year = rng.randint(2004, 2025)
        catalog.dramas[f"Drama {d}"] = Drama(
            title=f"Drama {d}",
            title_ko=f"드라마 {d}",
            year=year,
            year_end=year,
            network="tvN",
            sources=("https://example.org/",),
        )
    for a in range(max(1, n // 5)):
        catalog.artists[f"Singer {a}"] = Artist(name=f"Singer {a}", name_ko=f"가수 {a}")
    for i in range(n):
        drama = catalog.dramas[f"Drama {i % n_dramas}"]
        tags = [*rng.sample(moods, rng.randint(1, 3)), rng.choice(energy)]
        if rng.random() < 0.3:
            tags.append(rng.choice(extra))
        catalog.tracks.append(
            Track(
                title=f"Song {i}",
                artist=f"Singer {rng.randrange(len(catalog.artists))}",
                drama=drama.title,
                year=drama.year,
                tags=tuple(tags),
                part=i // n_dramas + 1,
            )
        )
    return catalog


def _percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    k = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def _texts(index: CatalogIndex, rng: random.Random, count: int) -> list[str]:
    out = []
    for _ in range(count):
        track = index.tracks[rng.randrange(len(index.tracks))]
        drama = index.dramas[track.drama]
        out.append(
            rng.choice(REQUESTS).format(
                drama=drama.title,
                drama_ko=drama.title_ko,
                artist=index.credit(track.artist)[0],
                title=track.title,
            )
        )
    return out


async def _measure(service: Service, index: CatalogIndex, requests: int) -> dict[str, float]:
    rng = random.Random(1)
    texts = _texts(index, rng, requests)
    for text in texts[:20]:  # warm caches and the SQLite page cache
        await service.handle(Request("bench", "warmup", "bench", text))
    samples = []
    for n, text in enumerate(texts):
        start = time.perf_counter()
        await service.handle(Request("bench", f"user{n % 50}", "bench", text))
        samples.append((time.perf_counter() - start) * 1000)
    return {
        "requests": len(samples),
        "p50_ms": round(statistics.median(samples), 3),
        "p95_ms": round(_percentile(samples, 95), 3),
        "p99_ms": round(_percentile(samples, 99), 3),
        "max_ms": round(max(samples), 3),
    }


async def _throughput(service: Service, index: CatalogIndex, users: int, each: int) -> float:
    rng = random.Random(2)
    texts = _texts(index, rng, users * each)

    async def user(u: int) -> None:
        for k in range(each):
            await service.handle(Request("bench", f"many{u}", "bench", texts[u * each + k]))

    start = time.perf_counter()
    await asyncio.gather(*(user(u) for u in range(users)))
    await service.writer.drain()  # served means saved too: the writer must keep up
    return users * each / (time.perf_counter() - start)


async def measure(
    tracks: int = 0,
    requests: int = 2000,
    runs: int = 5,
    users: int = 200,
    each: int = 10,
    writes: bool = False,
    server: BenchServer | None = None,
) -> dict[str, object]:
    """Every figure of issue 11's table, on the shipped catalog plus `tracks` imported ones:
    whole processes first (see bench_process), then Service.handle() in this process, and
    with `writes` the write path's rows (see bench_writes). With `server`, on fresh
    PostgreSQL databases there instead of SQLite files."""
    shipped = len(load_catalog().tracks)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        db: Location = workdir / "bench.db"
        import_db: Location = workdir / "import.db"
        if server is not None:
            db, import_db = await server.database(), await server.database()
        figures = process_figures(
            workdir,
            db.url if isinstance(db, DatabaseUrl) else db,
            tracks,
            shipped,
            runs,
            import_db.url if isinstance(import_db, DatabaseUrl) else import_db,
        )
        store = await Store.open(db)
        try:
            service = await Service.create(store, rng=random.Random(3))
            tune_gc_for_serving()  # as `ostbot chat` and `ostbot run` do once started
            index = service.index
            latency = await _measure(service, index, requests)
            rps = await _throughput(service, index, users=users, each=each)
            extra = await write_rows(service, index) if writes else {}
            await service.close()
        finally:
            await store.close()
    return {
        "backend": "postgres" if server is not None else "sqlite",
        "catalog_tracks": len(index.tracks),
        "catalog_dramas": len(index.dramas),
        "synthetic_tracks": tracks,
        **latency,
        f"throughput_{users}_users_rps": round(rps, 1),
        **figures,
        **extra,
    }


# Issue 11's table: (what, key, unit, target).
ROWS = (
    ("python -c pass (baseline, same run)", "python_ms", "ms", ""),
    ("db import of {import_rows:,} rows", "import_s", "s", "<= 5 s at 100,000 rows"),
    ("chat start-up (index saved)", "chat_start_s", "s", "<= 1.5 s at +100,000"),
    ("chat first start (builds the index)", "chat_first_start_s", "s", ""),
    ("ask, cold process", "ask_ms_median", "ms", "<= 250 ms, shipped"),
    ("... with the environment's own bytecode", "ask_ms_environment", "ms", ""),
    ("chat peak memory (RSS)", "chat_peak_rss_mb", "MB", "<= 100 MB at +100,000"),
    ("chat first start, peak memory", "chat_first_start_rss_mb", "MB", ""),
    ("handle() p50", "p50_ms", "ms", ""),
    ("handle() p95", "p95_ms", "ms", ""),
    ("handle() p99", "p99_ms", "ms", "<= 5 ms at +100,000"),
    ("throughput, 200 concurrent users", "throughput_200_users_rps", "req/s", ">= 3,000, shipped"),
)
# The write path (bench_writes), measured on the shipped catalog only.
WRITE_ROWS = (
    ("3,000 req/s offered (open loop): p99", "open_loop_p99_ms", "ms", "<= 20 ms"),
    ("... longest write queue", "open_loop_max_write_queue", "writes", "bounded"),
    ("12,000 active users, 3,000 req/s: p99", "active_users_p99_ms", "ms", "<= 50 ms"),
    ("... longest write queue", "active_users_max_write_queue", "writes", "bounded"),
    ("start over after 50 history rows", "restart_ms_after_50_history_rows", "ms", ""),
    ("start over after 50,000", "restart_ms_after_50000_history_rows", "ms", "the same"),
)
# The scaling table: (heading, key).
SCALE_COLUMNS = (
    ("+tracks", "synthetic_tracks"),
    ("import s", "import_s"),
    ("1st start s", "chat_first_start_s"),
    ("start s", "chat_start_s"),
    ("ask ms", "ask_ms_median"),
    ("RSS MB", "chat_peak_rss_mb"),
    ("1st RSS MB", "chat_first_start_rss_mb"),
    ("p50 ms", "p50_ms"),
    ("p99 ms", "p99_ms"),
    ("req/s", "throughput_200_users_rps"),
)


def _machine_line(about: dict[str, object]) -> str:
    return f"on Python {about['python']}, {about['os']}, {about['cpu']}, {about['cores']} cores"


def _shown(value: object) -> str:
    return (
        f"{value:,}"
        if isinstance(value, int)
        else f"{value:g}"
        if isinstance(value, float)
        else str(value)
    )


def report(result: dict[str, object], about: dict[str, object]) -> str:
    extra = result.get("synthetic_tracks")
    lines = [
        f"ostbot bench: {result['catalog_tracks']:,} tracks, {result['catalog_dramas']:,} dramas"
        + (f" (shipped catalog + {extra:,} synthetic, imported)" if extra else " (shipped)"),
        _machine_line(about),
        "",
        f"  {'what':<40} {'measured':>12}   target (issue 11)",
    ]
    lines += _row_lines(ROWS, result)
    loaded = result.get("platform_imports")
    imports = ", ".join(str(m) for m in loaded) if isinstance(loaded, list) and loaded else "none"
    lines.append(f"  {'platform libraries imported by ask':<40} {imports:>12}")
    writes = _row_lines(WRITE_ROWS, result)
    if writes:
        lines += ["", f"  {'the write path':<40} {'measured':>12}   target (issue 11)", *writes]
    return "\n".join(lines)


def _cell(value: object, unit: str) -> str:
    if unit == "req/s" and isinstance(value, int | float):
        return f"{value:,.0f} {unit}"
    return f"{_shown(value)} {unit}"


def _row_lines(rows: Sequence[tuple[str, str, str, str]], result: dict[str, object]) -> list[str]:
    lines = []
    for what, key, unit, target in rows:
        value = result.get(key)
        if value is not None:
            measured = f"{value:,.0f} {unit}" if unit == "req/s" else f"{_shown(value)} {unit}"
            lines.append(f"  {what.format(**result):<40} {measured:>12}   {target}".rstrip())
    return lines


def scale_report(results: list[dict[str, object]], about: dict[str, object]) -> str:
    lines = [
        "ostbot bench --scale: the shipped catalog + N synthetic tracks",
        _machine_line(about),
        "",
        "  ".join(f"{heading:>11}" for heading, _ in SCALE_COLUMNS),
    ]
    for result in results:
        lines.append("  ".join(f"{_shown(result.get(key, '')):>11}" for _, key in SCALE_COLUMNS))
    return "\n".join(lines)


async def bench(
    tracks: int = 0,
    as_json: bool = False,
    requests: int = 2000,
    scale: Sequence[int] = (),
    runs: int = 5,
    users: int = 200,
    load: bool = False,
    backend: str = "sqlite",
    pg_url: str | None = None,
) -> int:
    if load:
        return await load_bench(as_json)
    about = machine()
    if backend != "sqlite":
        return await bench_postgres(tracks, as_json, requests, runs, users, backend, pg_url)
    if scale:
        results = [
            await measure(n, requests=min(requests, 1000), runs=min(runs, 3), users=users)
            for n in scale
        ]
        out = {"machine": about, "scale": results}
        print(json.dumps(out) if as_json else scale_report(results, about))
        return 0
    result = await measure(tracks, requests, runs, users, writes=not tracks)
    print(json.dumps({**result, "machine": about}) if as_json else report(result, about))
    return 0


async def bench_postgres(
    tracks: int,
    as_json: bool,
    requests: int,
    runs: int,
    users: int,
    backend: str,
    pg_url: str | None,
) -> int:
    """`--backend postgres`: the table on PostgreSQL; `both`: SQLite and PostgreSQL measured
    in the same run, side by side."""
    from bot.bench_pg import bench_server

    about = machine()
    results = []
    with bench_server(pg_url) as server:
        try:
            if backend == "both":
                results.append(await measure(tracks, requests, runs, users))
            results.append(await measure(tracks, requests, runs, users, server=server))
        finally:
            await server.drop_all()
    if as_json:
        print(json.dumps({"machine": about, "backends": results}))
    elif len(results) == 1:
        print(report(results[0], about))
    else:
        print(side_by_side(results, about))
    return 0


def side_by_side(results: list[dict[str, object]], about: dict[str, object]) -> str:
    first = results[0]
    extra = first.get("synthetic_tracks")
    lines = [
        f"ostbot bench: {first['catalog_tracks']:,} tracks"
        + (f" (shipped + {extra:,} synthetic)" if extra else " (shipped)")
        + ", each backend measured in this run",
        _machine_line(about),
        "",
        f"  {'what':<40} " + " ".join(f"{r['backend']!s:>12}" for r in results),
    ]
    for what, key, unit, _ in ROWS:
        values = [r.get(key) for r in results]
        if all(v is None for v in values):
            continue
        cells = [
            f"{v:,.0f} {unit}"
            if unit == "req/s" and isinstance(v, float)
            else f"{_shown(v)} {unit}"
            for v in values
        ]
        lines.append(f"  {what.format(**first):<40} " + " ".join(f"{c:>12}" for c in cells))
    return "\n".join(lines)


async def write_rows(service: Service, index: CatalogIndex) -> dict[str, object]:
    from bot.bench_writes import write_rows as rows

    return await rows(service, index)


async def load_bench(as_json: bool) -> int:
    """`ostbot bench --load`: the durability load; nothing dropped, shutdown time."""
    from bot.bench_writes import LOAD_RUNS, load_run

    results = []
    for users, each, stop_when_full in LOAD_RUNS:
        with tempfile.TemporaryDirectory() as tmp:
            results.append(await load_run(Path(tmp) / "load.db", users, each, stop_when_full))
    if as_json:
        print(json.dumps(results))
    else:
        for result in results:
            for key, value in result.items():
                print(f"{key:>28}: {value}")
            print()
    return 0
