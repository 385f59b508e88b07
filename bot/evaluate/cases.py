"""The request set's schema, loading it with line numbers, and checking it against the catalog.

A file is either valid as a whole or rejected with every problem named by line and case id:
unknown keys, wrong types, unknown tags, dramas, artists and songs the catalog does not have,
references to turns that have not happened, and constraints no track in the catalog can meet.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from rapidfuzz import process

from bot.core.index import CatalogIndex
from bot.evaluate.checks import static_card_problems
from bot.evaluate.names import Names
from bot.evaluate.schema import CARD_KEYS, FUTURE, Case, Expect, Located


class RequestSetError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


# ------------------------------------------------------------------------- loading


def load(path: Path, index: CatalogIndex) -> list[Located]:
    """Read, parse and check a request set; RequestSetError lists every problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RequestSetError([f"{path}: cannot read: {exc}"]) from exc
    return parse(text, index, str(path))


def parse(text: str, index: CatalogIndex, source: str = "<requests>") -> list[Located]:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise RequestSetError([f"{source}: the file is empty"])
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise RequestSetError([f"{source}:{line}: not valid YAML: {exc}"]) from exc
    finally:
        loader.dispose()
    keys = [k.value for k, _ in node.value] if isinstance(node, yaml.MappingNode) else []
    if keys != ["cases"] or not isinstance(data["cases"], list):
        raise RequestSetError([f"{source}:1: the file must be a mapping with one key, `cases`"])
    items = _case_nodes(node)
    located: list[Located] = []
    problems: list[str] = []
    for n, raw in enumerate(data["cases"]):
        line = items[n].start_mark.line + 1
        label = raw.get("id") if isinstance(raw, dict) else None
        who = f"case {label or f'#{n + 1}'}"
        where = f"{source}:{line}: {who}"
        problems += [f"{source}:{at}: {who}: {msg}" for at, msg in _duplicate_keys(items[n])]
        try:
            case = Case.model_validate(raw)
        except ValidationError as exc:
            problems += [f"{where}: {_where(err['loc'])}{err['msg']}" for err in exc.errors()]
            continue
        problems += [f"{where}: {msg}" for msg in _shape(case)]
        located.append(Located(case, line))
    counts = Counter(item.case.id for item in located)
    problems += [
        f"{source}:{item.line}: case {item.case.id}: id used {counts[item.case.id]} times"
        for item in located
        if counts[item.case.id] > 1
    ]
    checker = _CatalogCheck(index)
    for item in located:
        problems += [
            f"{source}:{item.line}: case {item.case.id}: {msg}" for msg in checker.check(item.case)
        ]
    if problems:
        raise RequestSetError(problems)
    return located


def _case_nodes(root: yaml.Node) -> list[yaml.Node]:
    assert isinstance(root, yaml.MappingNode)  # noqa: S101 - checked by the caller's shape test
    for key, value in root.value:
        if key.value == "cases" and isinstance(value, yaml.SequenceNode):
            return list(value.value)
    return []


def _duplicate_keys(node: yaml.Node) -> list[tuple[int, str]]:
    """PyYAML keeps the last of two equal keys silently; a request set must not."""
    out: list[tuple[int, str]] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    out.append((key.start_mark.line + 1, f"key {key.value!r} given twice"))
                seen.add(key.value)
            out += _duplicate_keys(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            out += _duplicate_keys(item)
    return out


def _where(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for i, part in enumerate(loc):
        if isinstance(part, int) and i and loc[i - 1] == "turns":
            parts[-1] = f"turn {part + 1}"
        elif isinstance(part, str) and not part.startswith(("function-", "list[", "literal")):
            parts.append(part)
    return ".".join(parts) + ": " if parts else ""


def _shape(case: Case) -> list[str]:
    """Rules pydantic cannot say field by field."""
    out = []
    if (case.say is None) == (case.turns is None):
        out.append("give either `say` (one message) or `turns` (a conversation)")
    if case.turns is not None and case.expect is not None:
        out.append("a conversation puts `expect` in each turn")
    if case.say is not None and case.expect is None:
        out.append("`expect` is missing")
    for n, turn in enumerate(case.steps, 1):
        where = f"turn {n}: " if case.turns else ""
        for key, ref in turn.expect.refs():
            if ref >= n:
                out.append(f"{where}{key} refers to turn {ref}, which has not happened yet")
        if n == 1 and (turn.expect.fresh or turn.expect.repeat_ok):
            out.append(f"{where}fresh/repeat_ok only mean something after the first turn")
        out += [where + msg for e in turn.expect.readings() for msg in _contradictions(e)]
    return out


def _contradictions(e: Expect) -> list[str]:
    out = []
    lows = [n for n in (e.cards, e.min_cards) if n is not None]
    highs = [n for n in (e.cards, e.max_cards) if n is not None]
    lo, hi = max(lows, default=0), min(highs, default=None)
    if hi is not None and lo > hi:
        out.append(f"asks for at least {lo} and at most {hi} cards")
    if e.no_cards and (lo or e.track is not None):
        out.append("no_cards contradicts the card counts or `track`")
    if e.year_min is not None and e.year_max is not None and e.year_min > e.year_max:
        out.append("year_min is after year_max")
    return out


# --------------------------------------------------------------- against the catalog


class _CatalogCheck:
    def __init__(self, index: CatalogIndex) -> None:
        self.index = index
        self.names = Names(index)
        self.tags = index.vocabulary.tags
        self.artists = sorted(self.names.artist_names)

    def check(self, case: Case) -> list[str]:
        out: list[str] = []
        for n, turn in enumerate(case.steps, 1):
            where = f"turn {n}: " if case.turns else ""
            if not turn.say.strip() and turn.expect.kind is None:
                out.append(f"{where}an empty message needs an expected `kind`")
            readings = turn.expect.readings()
            for r, e in enumerate(readings, 1):
                here = where + (f"reading {r}: " if len(readings) > 1 else "")
                found = self._tags(e)
                if case.category != FUTURE:
                    found += self._names(e)
                    found = found or self._satisfiable(e)
                out += [here + msg for msg in found]
        return out

    def _tags(self, e: Expect) -> list[str]:
        out = []
        for key in ("tags_all", "tags_any", "tags_none"):
            for tag in getattr(e, key) or ():
                if tag not in self.tags:
                    out.append(f"{key}: unknown tag {tag!r}{_close(tag, list(self.tags))}")
        return out

    def _names(self, e: Expect) -> list[str]:
        index = self.index
        out = []
        dramas = [("drama", e.drama)] if e.drama else []
        dramas += [("drama_any", d) for d in e.drama_any or ()]
        dramas += [("not_drama", d) for d in e.not_drama or ()]
        if e.track and e.track.drama:
            dramas.append(("track.drama", e.track.drama))
        for key, name in dramas:
            if name not in index.dramas:
                out.append(f"{key}: no drama {name!r} in the catalog{_close(name, index.dramas)}")
        artists = [("artist", e.artist)] if e.artist else []
        artists += [("artist_any", a) for a in e.artist_any or ()]
        artists += [("not_artist", a) for a in e.not_artist or ()]
        for key, name in artists:
            if name not in self.names.artist_names:
                out.append(f"{key}: no artist {name!r} in the catalog{_close(name, self.artists)}")
        for title in e.not_title or ():
            if not self.names.tracks_titled(title):
                out.append(f"not_title: no song titled {title!r} in the catalog")
        if e.track and not self._track_matches(e):
            out.append(f"track: no song in the catalog matches {e.track.model_dump()}")
        for key in ("mentions", "mentions_any", "not_mentions"):
            for name in getattr(e, key) or ():
                if not self.names.forms(name):
                    out.append(f"{key}: the catalog has nothing called {name!r}")
        return out

    def _track_matches(self, e: Expect) -> bool:
        ref = e.track
        assert ref is not None  # noqa: S101 - the caller checked
        return any(
            not self.names.differences(i, ref.title, ref.artist, ref.drama)
            for i in self.names.tracks_titled(ref.title)
        )

    def _satisfiable(self, e: Expect) -> list[str]:
        """The per-card constraints alone must leave enough tracks to fill the reply."""
        need = max(1, e.cards or 0, e.min_cards or 0)
        if e.no_cards or e.cards == 0 or all(getattr(e, k) is None for k in CARD_KEYS):
            return []
        fits = sum(
            1 for i in range(len(self.index.tracks)) if not static_card_problems(e, i, self.names)
        )
        if fits < need:
            return [f"only {fits} tracks meet the per-card constraints; a reply needs {need}"]
        return []


def _close(name: str, choices: Any) -> str:
    match = process.extractOne(name, list(choices), score_cutoff=75)
    return f" (did you mean {match[0]!r}?)" if match else ""
