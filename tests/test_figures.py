"""The catalog's figures in the documentation are the catalog's: a change to data/ that leaves
them behind fails here (rewrite them with `python -m bot.ops.figures --write`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.catalog import Catalog
from bot.ops import figures as generated
from bot.ops.figures import CATALOG_DOC, README, block, blocks, figures, headline


def test_docs_catalog_figures_match_the_catalog(catalog: Catalog) -> None:
    shown = block(CATALOG_DOC.read_text(encoding="utf-8"))
    assert shown, "docs/catalog.md has no catalog figures block"
    assert shown == figures(catalog)


def test_the_readme_headline_matches_the_catalog(catalog: Catalog) -> None:
    text = README.read_text(encoding="utf-8")
    shown = block(text, generated.HEADLINE_BEGIN, generated.HEADLINE_END)
    assert shown, "README.md has no catalog headline block"
    assert shown == headline(catalog)
    assert f"{len(catalog.tracks):,} tracks" in shown


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
    assert headline(smaller) != headline(catalog)


def test_write_rewrites_every_block(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = []
    for path, begin, end, _ in blocks(catalog):
        copy = tmp_path / path.name
        copy.write_text(f"before\n{begin}\nstale\n{end}\nafter\n", encoding="utf-8")
        docs.append(copy)
    monkeypatch.setattr(generated, "CATALOG_DOC", docs[0])
    monkeypatch.setattr(generated, "README", docs[1])
    monkeypatch.setattr(generated, "load_catalog", lambda: catalog)
    assert generated.main(["figures", "--write"]) == 0
    for copy, (_, begin, end, text) in zip(docs, blocks(catalog), strict=True):
        written = copy.read_text(encoding="utf-8")
        assert block(written, begin, end) == text
        assert written.startswith("before\n") and written.endswith("\nafter\n")
