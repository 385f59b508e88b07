"""`db import`: the catalog's rules per row, all or nothing, and imports that stay."""

from __future__ import annotations

import csv
import io
import logging
import re
import shutil
from pathlib import Path

import pytest

from bot.core.catalog import DATA_DIR, Catalog, CatalogError, load_catalog, parse_import
from bot.core.models import Track
from bot.core.store import Store
from tests.support import add_track

HEADER = "title,artist,drama,year,tags\n"


async def import_text(store: Store, text: str, data: Path = DATA_DIR) -> tuple[int, int, int, int]:
    known = await store.load(data, tracks=False)
    rows = parse_import(text.encode(), "in.csv", known.vocabulary, known)
    result = await store.import_rows(rows, known)
    return result.inserted, result.updated, result.unchanged, result.overrides


def rejected(rows: str) -> str:
    catalog = load_catalog()
    with pytest.raises(CatalogError) as err:
        parse_import((HEADER + rows).encode(), "in.csv", catalog.vocabulary, catalog)
    return str(err.value)


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ("low-energy", "needs 1-3 mood tags"),
        ("sad;longing;romantic;healing;low-energy", "needs 1-3 mood tags"),
        ("sad;winter", "needs exactly one energy tag"),
        ("sad;low-energy;high-energy", "needs exactly one energy tag"),
        ("sad;groovy;low-energy", "unknown tag(s): groovy"),
        ("sad;Sad;low-energy", "repeated tag"),
        ("", "tags is empty"),
    ],
)
def test_each_tag_rule_rejects_a_row_with_its_line(tags: str, message: str) -> None:
    rows = f"Fine,Singer,Goblin,2016,sad;low-energy\nBroken,Singer,Goblin,2016,{tags}\n"
    assert f"in.csv:3: {message}" in rejected(rows)


def test_year_outside_the_dramas_run_is_rejected() -> None:
    text = rejected("Early,Singer,Goblin,2015,sad;low-energy\n")
    assert "in.csv:2: year 2015 is outside Goblin's airing (2016-2017)" in text


def test_every_problem_of_a_row_is_named() -> None:
    text = rejected("Late,Singer,Goblin,1999,Sad;sad\n")
    for message in ("year 1999 is outside", "repeated tag", "needs exactly one energy tag"):
        assert f"in.csv:2: {message}" in text


def test_tag_names_are_case_insensitive(catalog: Catalog) -> None:
    rows = parse_import(
        (HEADER + "Shouted,Singer,Goblin,2016,Sad;LOW-ENERGY;Winter\n").encode(),
        "in.csv",
        catalog.vocabulary,
        catalog,
    )
    assert rows[0].track.tags == ("sad", "low-energy", "winter")


def test_a_drama_named_by_its_alias_is_filed_under_its_title(catalog: Catalog) -> None:
    text = (
        HEADER + "Same Song,Singer,Goblin,2016,sad;low-energy\n"
        "Same Song,Singer,Guardian: The Lonely and Great God,2016,sad;low-energy\n"
    )
    with pytest.raises(CatalogError, match=re.escape("in.csv:3: duplicate of line 2")):
        parse_import(text.encode(), "in.csv", catalog.vocabulary, catalog)


async def test_a_rejected_file_writes_nothing(store: Store) -> None:
    before = await store.counts(), await store.catalog_version()
    text = HEADER + "Good,New Singer,Goblin,2016,sad;low-energy\nBad,X,Goblin,2016,sad\n"
    with pytest.raises(CatalogError):
        await import_text(store, text)
    assert (await store.counts(), await store.catalog_version()) == before


async def test_a_failure_while_writing_writes_nothing(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = await store.counts(), await store.catalog_version()

    async def broken(db: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("bot.core.store._new_version", broken)
    text = HEADER + "Good,New Singer,Goblin,2016,sad;low-energy\n"
    with pytest.raises(OSError, match="disk full"):
        await import_text(store, text)
    assert (await store.counts(), await store.catalog_version()) == before


async def test_new_drama_spans_its_rows_years(store: Store) -> None:
    text = (
        "title,artist,drama,year,tags,drama_ko\n"
        "One,New Singer,Long Drama,2020,sad;low-energy,긴 드라마\n"
        "Two,New Singer,Long Drama,2022,sad;low-energy,긴 드라마\n"
    )
    assert await import_text(store, text) == (2, 0, 0, 0)
    drama = (await store.load(tracks=False)).dramas["Long Drama"]
    assert (drama.year, drama.year_end, drama.title_ko) == (2020, 2022, "긴 드라마")


# --------------------------------------------------------------- imports that stay


def copy_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    return data


def shipped_row(data: Path, index: int = 0) -> dict[str, str]:
    with (data / "tracks.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))[index]


def edit_shipped(data: Path, index: int, column: str, value: str) -> None:
    with (data / "tracks.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[index][column] = value
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (data / "tracks.csv").write_text(out.getvalue(), encoding="utf-8")


def correction(row: dict[str, str], tags: str) -> str:
    return HEADER + f'"{row["title"]}","{row["artist"]}","{row["drama"]}",{row["year"]},{tags}\n'


async def stored(path: Path, data: Path, row: dict[str, str]) -> Track:
    store = await Store.open(path, data_dir=data)
    try:
        catalog = await store.load(data)
    finally:
        await store.close()
    return next(
        t
        for t in catalog.tracks
        if (t.drama, t.title, t.artist) == (row["drama"], row["title"], row["artist"])
    )


def other_tags(tags: str) -> str:
    return "heartbreak;high-energy" if "heartbreak" not in tags else "hopeful;high-energy"


async def test_an_imported_correction_survives_a_new_data_release(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    path = tmp_path / "db.sqlite"
    row = shipped_row(data)
    fixed = other_tags(row["tags"])
    store = await Store.open(path, data_dir=data)
    try:
        assert await import_text(store, correction(row, fixed), data) == (0, 1, 0, 1)
        # Importing it again changes nothing and still says it overrides data/.
        assert await import_text(store, correction(row, fixed), data) == (0, 0, 1, 0)
    finally:
        await store.close()
    edit_shipped(data, 1, "aliases", "Some Other Alias")  # data/ changes elsewhere
    assert ";".join((await stored(path, data, row)).tags) == fixed


async def test_data_takes_a_track_back_when_it_changes_that_track(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = copy_data(tmp_path)
    path = tmp_path / "db.sqlite"
    row = shipped_row(data)
    store = await Store.open(path, data_dir=data)
    try:
        await import_text(store, correction(row, other_tags(row["tags"])), data)
    finally:
        await store.close()
    edit_shipped(data, 0, "part", "9")  # the curators fix this very track
    with caplog.at_level(logging.WARNING):
        track = await stored(path, data, row)
    assert ";".join(track.tags) == row["tags"] and track.part == 9
    assert "data/ changed 1 track(s) that an import had changed" in caplog.text


async def test_data_shipping_an_imported_track_takes_it_over(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    path = tmp_path / "db.sqlite"
    row = shipped_row(data)
    text = HEADER + f'Fresh Song,"{row["artist"]}","{row["drama"]}",{row["year"]},sad;low-energy\n'
    store = await Store.open(path, data_dir=data)
    try:
        assert await import_text(store, text, data) == (1, 0, 0, 0)
    finally:
        await store.close()
    add_track(
        data,
        drama=row["drama"],
        part=3,
        title="Fresh Song",
        artist=row["artist"],
        year=row["year"],
        tags="sad;mid-energy",
    )
    fresh = {**row, "title": "Fresh Song"}
    track = await stored(path, data, fresh)
    assert track.tags == ("sad", "mid-energy") and track.part == 3


# ------------------------------------------------------------------ English titles


def test_title_en_is_checked_like_the_catalogs() -> None:
    head = "title,artist,drama,year,tags,title_en\n"
    catalog = load_catalog()
    for title_en, message in (
        ("눈꽃", "title_en must be the English title, not Hangul"),
        ("SNOW  flower", "title_en repeats the title: leave it blank"),
    ):
        text = f"Snow Flower,Singer,Goblin,2016,sad;low-energy,{title_en}\n"
        with pytest.raises(CatalogError, match=re.escape(f"in.csv:2: {message}")):
            parse_import((head + text).encode(), "in.csv", catalog.vocabulary, catalog)


async def test_a_file_without_title_en_keeps_the_stored_english_title(
    store: Store, catalog: Catalog
) -> None:
    track = next(t for t in catalog.tracks if t.title_en)
    row = {"title": track.title, "artist": track.artist, "drama": track.drama}
    fixed = other_tags(";".join(track.tags))
    result = await import_text(store, correction({**row, "year": str(track.year)}, fixed))
    assert result == (0, 1, 0, 1)
    kept = next(t for t in (await store.load()).tracks if t.key == track.key)
    assert kept.title_en == track.title_en and ";".join(kept.tags) == fixed
    text = (
        "title,artist,drama,year,tags,title_en\n"
        f'"{track.title}","{track.artist}","{track.drama}",{track.year},{fixed},Another Title\n'
    )
    assert await import_text(store, text) == (0, 1, 0, 1)
    changed = next(t for t in (await store.load()).tracks if t.key == track.key)
    assert changed.title_en == "Another Title"


async def test_a_running_bot_picks_an_import_up_without_a_restart(tmp_path: Path) -> None:
    """SQLite has no way to announce a change: the serving process checks the catalog's
    version now and then, builds the new index, and only then switches to it."""
    import asyncio
    import random

    from bot.cli import main
    from bot.core.service import Service
    from bot.lifecycle import follow_catalog

    db = tmp_path / "live.db"
    store = await Store.open(db)
    service = await Service.create(store, rng=random.Random(1))
    before = service.index
    follower = asyncio.create_task(follow_catalog(service, every=0.05))
    try:
        csv_file = tmp_path / "new.csv"
        csv_file.write_text(HEADER + "Brand New Song,Nobody New,Goblin,2016,sad;low-energy\n")
        assert await asyncio.to_thread(main, ["--db", str(db), "db", "import", str(csv_file)]) == 0
        for _ in range(200):
            if service.index is not before:
                break
            await asyncio.sleep(0.05)
        assert any(t.title == "Brand New Song" for t in service.index.tracks)
        assert len(service.index.tracks) == len(before.tracks) + 1
    finally:
        follower.cancel()
        await asyncio.wait({follower})
        await service.close()
        await store.close()
