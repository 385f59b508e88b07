"""`ostbot bench`: in-process latency and throughput of the core.

Measures Service.handle() end to end (parsing, ranking, SQLite history writes) on the shipped
catalog or on N synthetic tracks, then the whole-process time of `ostbot ask`.
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.core.catalog import Catalog, load_catalog
from bot.core.index import CatalogIndex
from bot.core.models import Artist, Drama, Request, Track
from bot.core.service import Service
from bot.core.store import Store

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
    return users * each / (time.perf_counter() - start)


def _ask_process(runs: int = 5) -> dict[str, object]:
    """Whole-process time of `ostbot ask`, and whether it pulled in platform libraries."""
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "ask.db")
        base = [sys.executable, "-m", "bot", "--db", db, "ask", "healing"]
        subprocess.run(base, check=True, capture_output=True)  # noqa: S603 - our own CLI
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(base, check=True, capture_output=True)  # noqa: S603
            times.append((time.perf_counter() - start) * 1000)
        probe = (
            f"import sys, runpy; sys.argv=['ostbot','--db',{db!r},'ask','healing'];"
            "\ntry:\n runpy.run_module('bot', run_name='__main__')\nexcept SystemExit: pass\n"
            "print(sorted(m for m in ('discord','telegram') if m in sys.modules), file=sys.stderr)"
        )
        out = subprocess.run(  # noqa: S603
            [sys.executable, "-c", probe], check=True, capture_output=True, text=True
        )
    loaded = out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "[]"
    return {"ask_ms_median": round(statistics.median(times), 1), "platform_imports": loaded}


async def bench(tracks: int = 0, as_json: bool = False, requests: int = 2000) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        store = await Store.open(db)
        try:
            if tracks:
                catalog = synthetic_catalog(tracks)
                await store.replace_catalog(catalog, "synthetic")
            service = await Service.create(store, rng=random.Random(3))
            index = service.index
            latency = await _measure(service, index, requests)
            rps = await _throughput(service, index, users=200, each=10)
            await service.close()
        finally:
            await store.close()
    result: dict[str, object] = {
        "catalog_tracks": len(index.tracks),
        "catalog_dramas": len(index.dramas),
        **latency,
        "throughput_200_users_rps": round(rps, 1),
    }
    if not tracks:
        result.update(_ask_process())
    if as_json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>28}: {value}")
    return 0
