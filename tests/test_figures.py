"""The README's catalog figures are the catalog's: a change to data/ that leaves them behind
fails here (rewrite them with `python -m bot.ops.figures --write`)."""

from __future__ import annotations

from bot.core.catalog import Catalog
from bot.ops.figures import README, block, figures


def test_the_readme_figures_match_the_catalog(catalog: Catalog) -> None:
    shown = block(README.read_text(encoding="utf-8"))
    assert shown, "README.md has no catalog figures block"
    assert shown == figures(catalog)


def test_the_figures_follow_the_data(catalog: Catalog) -> None:
    smaller = Catalog(
        catalog.vocabulary,
        dict(catalog.dramas),
        dict(catalog.artists),
        catalog.tracks[1:],
        catalog.signals,
    )
    text = figures(smaller)
    assert f"and {len(catalog.tracks) - 1:,} tracks**" in text
    assert text != figures(catalog)
