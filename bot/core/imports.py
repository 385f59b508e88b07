"""Checks an import against what the store already holds, before anything is written."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.catalog import Catalog, CatalogError, ImportRow, Problem
from bot.core.models import Drama


def check_against(rows: Sequence[ImportRow], catalog: Catalog, name: str) -> None:
    """Raise CatalogError if a row contradicts a known drama (e.g. a year outside its airing)."""
    by_name: dict[str, Drama] = {}
    for d in catalog.dramas.values():
        for alias in (d.title, d.title_ko, *d.aliases):
            by_name.setdefault(alias.casefold(), d)
    problems: list[Problem] = []
    for row in rows:
        drama = by_name.get(row.track.drama.casefold())
        if drama is None:
            if not row.drama_ko:
                problems.append(
                    Problem(name, row.line, f"new drama {row.track.drama!r} needs drama_ko")
                )
            continue
        if drama.year and not drama.year <= row.track.year <= drama.last_year:
            problems.append(
                Problem(
                    name,
                    row.line,
                    f"year {row.track.year} is outside {drama.title}'s airing "
                    f"({drama.year}-{drama.last_year})",
                )
            )
    if problems:
        raise CatalogError(problems)
