"""The catalog index saved between starts: same answers, rebuilt when the catalog changes,
never trusted when it is stale, corrupt or malformed."""

from __future__ import annotations

import gc
import logging
import random
import shutil
import weakref
from pathlib import Path
from unittest.mock import patch

import pytest

from bot.core import index_cache
from bot.core.catalog import DATA_DIR, Catalog, load_vocabulary, parse_import
from bot.core.index import CatalogIndex, Columns, ColumnsBuilder, settle
from bot.core.index_cache import CacheError, Writer, decode, encode, load_index
from bot.core.models import Request
from bot.core.recommend import Recommender
from bot.core.service import Service
from bot.core.store import Store
from bot.core.understand import Parser
from tests.support import add_track


def snapshot(index: CatalogIndex) -> dict[str, object]:
    """Everything a request reads from an index, as plain values."""
    return {
        "tracks": list(index.tracks),
        "dramas": index.dramas,
        "artists": index.artists,
        "by_key": {k: index.by_key[k] for k in index.keys},
        "masks": index.masks,
        "mask_groups": {m: list(g) for m, g in index.mask_groups.items()},
        "drama_tracks": {d: list(g) for d, g in index.drama_tracks.items()},
        "artist_tracks": {a: list(g) for a, g in index.artist_tracks.items()},
        "credits": list(index.credits),
        "idf": index.idf,
        "names": index.names,
        "hangul_names": index.hangul_names,
        "ambiguous": index.ambiguous,
        "titles": dict(index.titles),
        "hangul_titles": dict(index.hangul_titles),
        "korean_names": index.korean_names,
        "hangul_by_length": index.hangul_by_length,
        "years": (index.min_year, index.max_year, index.max_name_tokens, index.max_title_tokens),
        "fame": list(index.fame),
        "flags": list(index.flags),
        "spaceless": {
            flat: (index.spaceless_names.get(flat), index.spaceless_titles.get(flat))
            for key in (*index.names, *index.titles)
            for flat in (key.replace(" ", ""),)
        },
        "readings": (index.latin_readings, index.hangul_readings),
        "short_forms": index.short_forms,
    }


def test_a_saved_index_reads_back_as_the_same_index(catalog: Catalog) -> None:
    cols = Columns.of(catalog)
    fresh = CatalogIndex.from_columns(cols, catalog.vocabulary)
    again = CatalogIndex.from_columns(decode(encode(cols), catalog.vocabulary), catalog.vocabulary)
    assert snapshot(again) == snapshot(fresh)
    assert snapshot(fresh) == snapshot(CatalogIndex(catalog))


def facts(index: CatalogIndex) -> dict[str, tuple[object, ...]]:
    """Per track key: its English title, popularity, flags and its acts' voices."""
    return {
        key: (
            index.track_title_en[i],
            index.fame[i],
            index.flags[i],
            tuple(index.artists[a].voice for a in index.credits[i] if a in index.artists),
        )
        for i, key in enumerate(index.keys)
    }


async def test_the_store_and_the_saved_index_keep_titles_voices_and_popularity(
    store: Store, catalog: Catalog
) -> None:
    expected = facts(CatalogIndex(catalog))
    assert any(f[0] for f in expected.values()) and any(f[1] for f in expected.values())
    assert any(f[2] for f in expected.values())
    saved = await load_index(store, catalog.vocabulary)  # read back from index_cache
    assert facts(saved) == expected
    await store.save_index("stale", b"")  # not current: rebuilt from the catalog tables
    assert facts(await load_index(store, catalog.vocabulary)) == expected


class Builds:
    """Counts index builds from the catalog tables (a saved index read back is not one)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        finish = ColumnsBuilder.finish

        def counting(builder: ColumnsBuilder) -> Columns:
            self.count += 1
            return finish(builder)

        monkeypatch.setattr(ColumnsBuilder, "finish", counting)


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> Builds:
    return Builds(monkeypatch)


async def test_the_next_start_reads_the_saved_index(tmp_path: Path, builds: Builds) -> None:
    path = tmp_path / "db.sqlite"
    for _ in range(3):
        store = await Store.open(path)
        try:
            service = await Service.create(store, rng=random.Random(1))
            reply = await service.handle(Request("cli", "u", "c", "sad songs from Goblin"))
            await service.close()
        finally:
            await store.close()
        assert reply.cards and all(c.track.drama == "Goblin" for c in reply.cards)
    assert builds.count == 1


async def test_an_import_rebuilds_the_index(tmp_path: Path, builds: Builds) -> None:
    store = await Store.open(tmp_path / "db.sqlite")
    try:
        vocab = load_vocabulary()
        await load_index(store, vocab)
        known = await store.load(tracks=False)
        text = "title,artist,drama,year,tags\nBrand New,Gummy,Goblin,2016,sad;low-energy\n"
        await store.import_rows(parse_import(text.encode(), "in.csv", vocab, known), known)
        index = await load_index(store, vocab)
        assert any(t.title == "Brand New" for t in index.tracks)
        assert builds.count == 2
        assert await load_index(store, vocab) is not index and builds.count == 2
    finally:
        await store.close()


async def test_a_data_release_rebuilds_the_index(tmp_path: Path, builds: Builds) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = tmp_path / "db.sqlite"
    store = await Store.open(path, data_dir=data)
    try:
        await load_index(store, load_vocabulary(data))
    finally:
        await store.close()
    add_track(
        data,
        drama="Goblin",
        title="Brand New Song",
        artist="Gummy",
        year=2016,
        tags="sad;low-energy",
    )
    store = await Store.open(path, data_dir=data)
    try:
        index = await load_index(store, load_vocabulary(data))
    finally:
        await store.close()
    assert builds.count == 2 and "brand new song" in index.titles


async def test_an_index_from_other_code_is_not_used(
    tmp_path: Path, builds: Builds, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = await Store.open(tmp_path / "db.sqlite")
    try:
        await load_index(store, load_vocabulary())
        monkeypatch.setattr(index_cache, "code_stamp", lambda: "another-version")
        await load_index(store, load_vocabulary())
    finally:
        await store.close()
    assert builds.count == 2


async def saved(store: Store) -> tuple[str, bytes]:
    row = await store._main.fetchone("SELECT version, data FROM index_cache")
    assert row is not None
    return str(row[0]), bytes(row[1])


async def replace_saved(store: Store, data: bytes) -> None:
    await store._main.execute("UPDATE index_cache SET data = ?", (data,))


def flipped(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x55]) + data[at + 1 :]


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d[: len(d) // 2],  # truncated
        lambda d: flipped(d, len(d) // 3),  # a flipped byte in the middle
        lambda d: flipped(d, 40),  # a flipped byte in the first section's digest
        lambda d: b"\x80\x04pickle" + d,  # not ours at all
        lambda d: d + b"\x00",  # trailing bytes
        lambda d: b"",
    ],
)
async def test_a_corrupt_saved_index_is_ignored_and_rebuilt(
    tmp_path: Path, builds: Builds, caplog: pytest.LogCaptureFixture, damage: object
) -> None:
    store = await Store.open(tmp_path / "db.sqlite")
    try:
        vocab = load_vocabulary()
        good = snapshot(await load_index(store, vocab))
        version, data = await saved(store)
        await replace_saved(store, damage(data))  # type: ignore[operator]
        with caplog.at_level(logging.WARNING):
            index = await load_index(store, vocab)
        assert snapshot(index) == good and builds.count == 2
        assert "ignoring the saved catalog index" in caplog.text
        assert await saved(store) == (version, data)  # and a sound one was saved again
    finally:
        await store.close()


def payload(cols: Columns, change: str) -> bytes:
    """A well-formed, correctly check-summed saved index with one thing wrong inside."""
    if change == "track id out of range":
        names, numbers, many, sums, places = cols.title_keys.parts()
        numbers = type(numbers)("i", [len(cols)] * len(numbers))
        cols.title_keys = type(cols.title_keys).packed(names, numbers, many, sums, places)
    elif change == "keys out of order":
        cols.key_order = type(cols.key_order)("i", range(len(cols)))
    elif change == "unknown tag":
        cols.tags = [(*cols.tags[0], "groovy"), *cols.tags[1:]]
    elif change == "too few titles":
        w = Writer()
        w.json({"format": index_cache.FORMAT, "n": len(cols)})
        w.json(list(cols.keys))
        w.ints(cols.key_order)
        w.packed(list(cols.titles)[:-1])
        return b"".join(w.frames)
    elif change == "wrong format":
        w = Writer()
        w.json({"format": index_cache.FORMAT + 1, "n": len(cols)})
        return b"".join(w.frames)
    elif change == "a string's place outside the pool":
        # The bytes of -1: read as signed, the last string of the pool, were it not refused.
        with patch.object(Writer, "place", lambda self, value: 2**32 - 1):
            return encode(cols)
    elif change == "spaceless names out of order":
        sums, _ = cols.spaceless_names.parts()
        sums.reverse()  # what a reader must refuse: no look-up would find anything
    elif change == "title checksums out of order":
        cols.title_keys.parts()[3].reverse()
    return encode(cols)


@pytest.mark.parametrize(
    "change",
    [
        "track id out of range",
        "keys out of order",
        "unknown tag",
        "too few titles",
        "wrong format",
        "a string's place outside the pool",
        "spaceless names out of order",
        "title checksums out of order",
    ],
)
def test_a_malformed_saved_index_is_refused(catalog: Catalog, change: str) -> None:
    data = payload(Columns.of(catalog), change)
    with pytest.raises((CacheError, ValueError)):
        CatalogIndex.from_columns(decode(data, catalog.vocabulary), catalog.vocabulary)


def test_a_track_is_found_by_its_key_as_written_and_no_other_spelling(
    catalog: Catalog,
) -> None:
    index = CatalogIndex(catalog)
    key = index.keys[7]
    assert index.by_key.get(key) == 7 and index.tracks[7].key == key
    for other in (key.upper(), f"0x{key[2:]}", f" {key[1:]}", f"{key[:5]}_{key[6:]}", key[:-1]):
        assert index.by_key.get(other) is None, other
    assert index.by_key.get("ffffffffffff") is None


def test_tracks_with_keys_of_another_form_are_still_found(catalog: Catalog) -> None:
    """Keys are 12 hex digits as ostbot writes them; anything else is kept as written."""
    first = catalog.tracks[0]
    builder = ColumnsBuilder(dict(catalog.dramas), dict(catalog.artists))
    row = (first.title, first.title_ko, first.artist, first.drama, first.year, first.tags)
    builder.add([("key-b", *row, None, (), None), ("key-a", *row, 2, (), None)])
    cols = builder.finish()
    for built in (cols, decode(encode(cols), catalog.vocabulary)):
        index = CatalogIndex.from_columns(built, catalog.vocabulary)
        assert [index.by_key.get(k) for k in ("key-a", "key-b", "key-c")] == [1, 0, None]
        assert [t.key for t in index.tracks] == ["key-b", "key-a"]


def test_an_index_no_longer_used_is_freed_even_once_frozen(catalog: Catalog) -> None:
    """A reload replaces the index of a serving process, whose start-up heap `settle` froze
    out of the collector's way: nothing may hold the old one in a reference cycle."""
    index = CatalogIndex(catalog)
    parser = Parser(index)
    parser.read("sad songs from goblin")
    Recommender(index).recommend(parser.query("sad songs"), set(), {}, random.Random(1))
    gone = weakref.ref(index)
    settle()
    try:
        del index, parser
        assert gone() is None
    finally:
        gc.unfreeze()
