"""`ostbot bench` rows for the write path, and `ostbot bench --load` for durability.

- open loop: requests arrive at a fixed rate whether or not earlier ones are answered, so a
  writer that falls behind shows up as latency and as a growing queue, not as a slower client;
- more active users than the user cache holds, so some requests read their user from SQLite
  while writes are queued;
- `--load`: many users each sending a run of requests, likes and button presses; afterwards the
  database is reopened and checked against every reply the bot gave (nothing dropped), and the
  time the final write and close took is reported (shutdown).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from bot.bench import _percentile, _texts
from bot.core.index import CatalogIndex
from bot.core.models import Reply, ReplyKind, Request
from bot.core.service import Service
from bot.core.store import RECENT, Shown, Store

OPEN_LOOP_RPS = 3_000
OPEN_LOOP_SECONDS = 5.0
OPEN_LOOP_USERS = 2_000  # all fit in the user cache
ACTIVE_USERS = 12_000  # more than the user cache holds (MAX_USERS)
ACTIVE_RPS = 3_000
# --load: users x requests each, and whether to stop as soon as the write queue is full (the
# slowest shutdown: the most left to write).
LOAD_RUNS = ((1_000, 100, False), (12_000, 5, False), (1_000, 100, True))


@dataclass
class Traffic:
    """Users asking, pressing buttons and liking, each following their own last reply, and a
    record of what the bot told each of them."""

    service: Service
    index: CatalogIndex
    rng: random.Random
    cards: dict[str, list[str]] = field(default_factory=dict)  # last recommendation's keys
    another: dict[str, str] = field(default_factory=dict)  # last recommendation's button
    liked: dict[tuple[str, str], int] = field(default_factory=dict)  # acknowledged feedback
    # Feedback sent but not answered (cut short at a stop): it may be saved or not.
    unanswered: dict[tuple[str, str], int] = field(default_factory=dict)
    shown: defaultdict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    texts: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.texts = _texts(self.index, self.rng, 500)

    def request(self, user: str) -> tuple[Request, tuple[str, int] | None]:
        """The user's next message or button press, and the like it carries if any."""
        rng, keys = self.rng, self.cards.get(f"bench:{user}")
        roll = rng.random()
        if keys and roll < 0.25:  # 👍 / 👎 on a card, as a button or in words
            n = rng.randrange(len(keys))
            value = rng.choice((1, 1, -1))
            verb = "like" if value > 0 else "dislike"
            if rng.random() < 0.5:
                return self._req(user, action=f"{verb}:{keys[n]}"), (keys[n], value)
            return self._req(user, text=f"{verb} {n + 1}"), (keys[n], value)
        if keys and roll < 0.45:
            return self._req(user, text="another"), None
        if keys and roll < 0.55:  # an "Another" button, maybe an old one
            return self._req(user, action=self.another[f"bench:{user}"]), None
        if roll < 0.58:
            return self._req(user, text="history"), None
        return self._req(user, text=rng.choice(self.texts)), None

    def _req(self, user: str, text: str = "", action: str | None = None) -> Request:
        return Request("bench", user, "bench", text, action=action)

    async def send(self, user: str) -> Reply:
        request, like = self.request(user)
        if like is not None:
            self.unanswered[request.user, like[0]] = like[1]
        reply = await self.service.handle(request)
        if like is not None:
            self.unanswered.pop((request.user, like[0]), None)
        if reply.kind is ReplyKind.RECOMMENDATION:
            keys = [c.track.key for c in reply.cards]
            self.cards[request.user] = keys
            self.shown[request.user].extend(keys)
            self.another[request.user] = reply.actions[0].id
        elif reply.kind is ReplyKind.FEEDBACK and like is not None:
            self.liked[request.user, like[0]] = like[1]
        return reply


async def _open_loop(
    rate: float, jobs: list[Callable[[], Coroutine[Any, Any, object]]]
) -> tuple[list[float], float]:
    """Start job i at i / rate seconds; latency counts from when it was due."""
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    running: set[asyncio.Task[None]] = set()

    async def one(due: float, job: Callable[[], Coroutine[Any, Any, object]]) -> None:
        await job()
        latencies.append((loop.time() - due) * 1000)

    start = loop.time()
    for i, job in enumerate(jobs):
        due = start + i / rate
        if due > loop.time():
            await asyncio.sleep(due - loop.time())
        task = asyncio.create_task(one(due, job))
        running.add(task)
        task.add_done_callback(running.discard)
    await asyncio.gather(*running)
    return latencies, loop.time() - start


class QueueWatch:
    """The longest write queue (behind replies) and the most writes not yet committed (the
    queue, likes awaiting their commit, the batch under way), sampled every millisecond."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.most = 0
        self.unsaved = 0
        self.full = asyncio.Event()  # the queue reached its bound
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> QueueWatch:
        self._task = asyncio.create_task(self._watch())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()

    async def _watch(self) -> None:
        while True:
            self.most = max(self.most, self.service.writer.queued)
            if self.most >= self.service.writer.limit:
                self.full.set()
            self.unsaved = max(self.unsaved, self.service.writer.pending)
            await asyncio.sleep(0.001)


def _summary(prefix: str, latencies: list[float]) -> dict[str, object]:
    return {
        f"{prefix}_p50_ms": round(statistics.median(latencies), 2),
        f"{prefix}_p99_ms": round(_percentile(latencies, 99), 2),
        f"{prefix}_max_ms": round(max(latencies), 1),
    }


async def open_loop_row(service: Service, index: CatalogIndex) -> dict[str, object]:
    """OPEN_LOOP_RPS offered for OPEN_LOOP_SECONDS by OPEN_LOOP_USERS users."""
    traffic = Traffic(service, index, random.Random(11))
    n = int(OPEN_LOOP_RPS * OPEN_LOOP_SECONDS)
    users = [f"open{i % OPEN_LOOP_USERS}" for i in range(n)]
    async with QueueWatch(service) as watch:
        latencies, took = await _open_loop(OPEN_LOOP_RPS, [partial(traffic.send, u) for u in users])
        await service.writer.drain()
    return {
        "open_loop_offered_rps": OPEN_LOOP_RPS,
        "open_loop_served_rps": round(n / took),
        **_summary("open_loop", latencies),
        "open_loop_max_write_queue": watch.most,
    }


async def active_users_row(service: Service, index: CatalogIndex) -> dict[str, object]:
    """ACTIVE_USERS users, two requests each, round robin at ACTIVE_RPS: by the second round
    the first users have left the user cache and are read back from SQLite."""
    traffic = Traffic(service, index, random.Random(12))
    users = [f"active{i % ACTIVE_USERS}" for i in range(2 * ACTIVE_USERS)]
    async with QueueWatch(service) as watch:
        latencies, _ = await _open_loop(ACTIVE_RPS, [partial(traffic.send, u) for u in users])
        await service.writer.drain()
    return {
        "active_users": ACTIVE_USERS,
        "active_users_rps": ACTIVE_RPS,
        **_summary("active_users", latencies),
        "active_users_max_write_queue": watch.most,
    }


async def restart_row(service: Service, index: CatalogIndex) -> dict[str, object]:
    """The write when a user's pool starts over (every track of it forgotten at once), for a
    user with 50 and with 50,000 rows of history before it."""
    store, pool = service.store, tuple(t.key for t in index.tracks)
    out: dict[str, object] = {}
    for rows in (50, 50_000):
        user = f"restart{rows}"
        await store.apply([Shown(user, 1, tuple(f"{n:012x}" for n in range(rows)))])
        await store.apply([Shown(user, 2, pool[: len(pool) // 2])])
        start = time.perf_counter()
        await store.apply([Shown(user, 3, pool[:1], forget=pool)])
        out[f"restart_ms_after_{rows}_history_rows"] = round(
            (time.perf_counter() - start) * 1000, 1
        )
    return out


async def write_rows(service: Service, index: CatalogIndex) -> dict[str, object]:
    return {
        **await open_loop_row(service, index),
        **await active_users_row(service, index),
        **await restart_row(service, index),
    }


# ------------------------------------------------------------------ --load


async def load_run(db: Path, users: int, each: int, stop_when_full: bool) -> dict[str, object]:
    """`users` users each sending `each` requests one after another, all users at once; then
    close (timed) and check the database against every reply the bot gave."""
    store = await Store.open(db)
    service = await Service.create(store, rng=random.Random(5))
    traffic = Traffic(service, service.index, random.Random(users))
    sent = 0

    async def user(u: int) -> None:
        nonlocal sent
        for _ in range(each):
            sent += 1
            await traffic.send(f"load{u}")

    start = time.perf_counter()
    async with QueueWatch(service) as watch:
        everyone = asyncio.gather(*(user(u) for u in range(users)))
        if stop_when_full:  # as a SIGTERM would: requests under way are cut short
            full: asyncio.Future[Any] = asyncio.ensure_future(watch.full.wait())
            await asyncio.wait({everyone, full}, return_when=asyncio.FIRST_COMPLETED)
            full.cancel()
            everyone.cancel()
        await asyncio.gather(everyone, return_exceptions=True)
    took = time.perf_counter() - start
    remembered = {u: set(s.heard) for u, s in service.users._users.items()}
    queued = service.writer.pending
    start = time.perf_counter()
    try:
        await service.close()
    finally:
        await store.close()
    shutdown = time.perf_counter() - start
    checked = await _check(db, traffic, remembered)
    return {
        "load": f"{users} users x {each} requests" + (", stopped at a full queue" * stop_when_full),
        "load_requests": sent,
        "load_rps": round(sent / took),
        "load_max_write_queue": watch.most,
        "load_max_unsaved": watch.unsaved,
        "load_unsaved_at_stop": queued,
        "load_shutdown_s": round(shutdown, 2),
        **checked,
    }


async def _check(db: Path, traffic: Traffic, remembered: dict[str, set[str]]) -> dict[str, int]:
    """What the database holds against what the bot told each user."""
    store = await Store.open(db, data_dir=None)
    try:
        missing_likes = short_history = heard_differs = 0
        for (user, key), value in traffic.liked.items():
            saved = (await store.user_state(user)).feedback.get(key)
            if saved != value and saved != traffic.unanswered.get((user, key)):
                missing_likes += 1
        for user, keys in traffic.shown.items():
            stored = [k for k, _ in reversed(await store.history(user))]
            if stored != keys[-RECENT:]:
                short_history += 1
        for user, heard in remembered.items():
            if (await store.user_state(user)).heard != heard:
                heard_differs += 1
    finally:
        await store.close()
    return {
        "load_likes_acknowledged": len(traffic.liked),
        "load_likes_missing": missing_likes,
        "load_users_history_short": short_history,
        "load_users_heard_differs": heard_differs,
    }
