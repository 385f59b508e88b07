"""Play every case through Service.handle on a freshly seeded database and report the scores.

Each case (and each conversation) is a new user, and the random generator is reseeded from the
seed and the case id before it, so a case gives the same answer whether it runs alone
(`--category`) or with the whole set.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TextIO

from bot.core.models import Reply, Request
from bot.evaluate.cases import RequestSetError, load
from bot.evaluate.checks import Context, check_turn
from bot.evaluate.names import Names
from bot.evaluate.schema import CATEGORIES, Case, Expect, Located, Turn

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "tests" / "data" / "requests.yaml"
SEED = 9
PLATFORM = "eval"


class _State(Protocol):
    @property
    def feedback(self) -> Mapping[str, int]: ...


class _Users(Protocol):
    async def get(self, user: str) -> _State: ...


class Bot(Protocol):
    """What the scorer needs from the service: Service has it, and so can a test's fake."""

    rng: random.Random

    @property
    def users(self) -> _Users: ...

    async def handle(self, request: Request) -> Reply: ...


@dataclass(frozen=True)
class TurnResult:
    turn: Turn
    reply: Reply | None  # None when handle() raised
    problems: list[str]


@dataclass(frozen=True)
class CaseResult:
    case: Case
    line: int
    turns: list[TurnResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(not t.problems for t in self.turns)


# ------------------------------------------------------------------------ playing


async def play_case(bot: Bot, item: Located, names: Names, seed: int = SEED) -> CaseResult:
    case = item.case
    bot.rng = random.Random(f"{seed}:{case.id}")
    user = f"{PLATFORM}-{case.id}"
    result = CaseResult(case, item.line)
    earlier: list[Reply] = []
    for n, turn in enumerate(case.steps):
        request = Request(PLATFORM, user, PLATFORM, text=turn.say, locale=case.locale)
        try:
            reply = await bot.handle(request)
        except Exception as exc:  # the bot must never raise; score it and go on
            result.turns.append(TurnResult(turn, None, [f"handle() raised {exc!r}"]))
            break
        state = await bot.users.get(f"{PLATFORM}:{user}")
        ctx = Context(names, tuple(earlier), dict(state.feedback), first=n == 0)
        result.turns.append(TurnResult(turn, reply, check_turn(turn.expect, reply, ctx)))
        earlier.append(reply)
    return result


async def play(
    bot: Bot, cases: Iterable[Located], names: Names, seed: int = SEED
) -> list[CaseResult]:
    return [await play_case(bot, item, names, seed) for item in cases]


async def evaluate(path: Path, category: str | None = None, seed: int = SEED) -> list[CaseResult]:
    """Seed a temporary database from data/, check the file against it, and play it."""
    from bot.core.service import Service
    from bot.core.store import Store

    with tempfile.TemporaryDirectory(prefix="ostbot-eval-") as tmp:
        store = await Store.open(Path(tmp) / "eval.db")
        try:
            service = await Service.create(store)
            try:
                cases = load(path, service.index)
                chosen = [c for c in cases if category in (None, c.case.category)]
                return await play(service, chosen, Names(service.index), seed)
            finally:
                await service.close()
        finally:
            await store.close()


# ----------------------------------------------------------------------- reporting


@dataclass(frozen=True)
class Share:
    passed: int
    cases: int

    @property
    def share(self) -> float:
        return self.passed / self.cases if self.cases else 0.0

    def as_dict(self) -> dict[str, float]:
        return {"passed": self.passed, "cases": self.cases, "share": round(self.share, 4)}


@dataclass(frozen=True)
class Scores:
    categories: dict[str, Share]
    languages: dict[str, Share]  # "ko" for a case with Hangul in any turn, else "en"
    overall: Share


def scores(results: Iterable[CaseResult]) -> Scores:
    """Passed / cases by category, by language and overall."""
    by_category: dict[str, list[bool]] = defaultdict(list)
    by_language: dict[str, list[bool]] = defaultdict(list)
    everything: list[bool] = []
    for r in results:
        by_category[r.case.category].append(r.passed)
        by_language["ko" if r.case.korean else "en"].append(r.passed)
        everything.append(r.passed)

    def shares(groups: dict[str, list[bool]]) -> dict[str, Share]:
        return {key: Share(sum(v), len(v)) for key, v in sorted(groups.items())}

    return Scores(shares(by_category), shares(by_language), Share(sum(everything), len(everything)))


def print_report(results: list[CaseResult], failures: bool, out: TextIO) -> None:
    if failures:
        for r in results:
            if not r.passed:
                _print_failure(r, out)
    s = scores(results)
    print(f"{'category':<16}{'passed':>8}{'cases':>8}{'share':>9}", file=out)
    for name, share in s.categories.items():
        print(_row(name, share), file=out)
    print(_row("overall", s.overall), file=out)
    langs = ", ".join(f"{k} {v.share:.1%} of {v.cases}" for k, v in s.languages.items())
    if langs:
        print(f"by language: {langs}", file=out)


def _row(name: str, share: Share) -> str:
    return f"{name:<16}{share.passed:>8}{share.cases:>8}{share.share:>9.1%}"


def _print_failure(r: CaseResult, out: TextIO) -> None:
    c = r.case
    print(f"FAIL {c.id} ({c.category}, line {r.line})", file=out)
    many = len(c.steps) > 1
    for n, t in enumerate(r.turns, 1):
        mark = "ok  " if not t.problems else "FAIL"
        prefix = f"  {mark} turn {n}: " if many else "  say: "
        print(f"{prefix}{json.dumps(t.turn.say, ensure_ascii=False)}", file=out)
        if not t.problems:
            continue
        print(f"    expected: {describe(t.turn.expect)}", file=out)
        for line in reply_lines(t.reply):
            print(f"    {line}", file=out)
        for problem in t.problems:
            print(f"    - {problem}", file=out)
    print(file=out)


def describe(e: Expect) -> str:
    data = e.model_dump(exclude_none=True)
    return ", ".join(f"{k}={_compact(v)}" for k, v in data.items()) or "(anything)"


def _compact(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items() if v is not None) + "}"
    return str(value)


def reply_lines(reply: Reply | None) -> list[str]:
    if reply is None:
        return ["got: nothing (handle raised)"]
    first = reply.text.strip().splitlines()[0] if reply.text.strip() else ""
    lines = [f"got: {reply.kind} ({reply.locale}) {json.dumps(first, ensure_ascii=False)}"]
    for n, card in enumerate(reply.cards, 1):
        tr = card.track
        tags = ", ".join(tr.tags)
        lines.append(f"  {n}. {tr.title} — {tr.artist} · {tr.drama} ({tr.year}) · {tags}")
    return lines


def as_json(results: list[CaseResult], path: Path, seed: int) -> dict[str, object]:
    s = scores(results)
    return {
        "file": str(path),
        "seed": seed,
        "overall": s.overall.as_dict(),
        "categories": {k: v.as_dict() for k, v in s.categories.items()},
        "languages": {k: v.as_dict() for k, v in s.languages.items()},
        "results": [
            {
                "id": r.case.id,
                "category": r.case.category,
                "lang": "ko" if r.case.korean else "en",
                "line": r.line,
                "passed": r.passed,
                "turns": [
                    {
                        "say": t.turn.say,
                        "passed": not t.problems,
                        "problems": t.problems,
                        "reply": _reply_json(t.reply),
                    }
                    for t in r.turns
                ],
            }
            for r in results
        ],
    }


def _reply_json(reply: Reply | None) -> dict[str, object] | None:
    if reply is None:
        return None
    return {
        "kind": str(reply.kind),
        "locale": reply.locale,
        "text": reply.text,
        "cards": [
            {
                "title": c.track.title,
                "artist": c.track.artist,
                "drama": c.track.drama,
                "year": c.track.year,
                "tags": list(c.track.tags),
            }
            for c in reply.cards
        ],
    }


async def main(
    path: Path | None,
    category: str | None,
    failures: bool,
    json_out: bool,
    seed: int | None = None,
) -> int:
    """`ostbot eval`: 0 whatever the score; 1 when the file is invalid; 2 for a bad option."""
    path = path or DEFAULT_FILE
    seed = SEED if seed is None else seed
    if category is not None and category not in CATEGORIES:
        print(f"unknown category {category!r}; one of: {', '.join(CATEGORIES)}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    try:
        results = await evaluate(path, category, seed)
    except RequestSetError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{path}: {len(exc.problems)} problem(s); nothing was scored", file=sys.stderr)
        return 1
    if json_out:
        print(json.dumps(as_json(results, path, seed), ensure_ascii=False))
        return 0
    took = time.perf_counter() - start
    turns = sum(len(r.turns) for r in results)
    print(f"{path}: {len(results)} cases, {turns} messages, seed {seed}, {took:.1f}s")
    print_report(results, failures, sys.stdout)
    return 0
