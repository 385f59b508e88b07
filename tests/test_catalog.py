"""The schema test over every data file, and the validator catching each kind of error."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.catalog import (
    DATA_DIR,
    Catalog,
    CatalogError,
    DataDirError,
    fingerprint,
    load_catalog,
    load_vocabulary,
    parse_import,
    split_credit,
)
from bot.core.text import has_hangul, norm


def test_shipped_catalog_is_valid(catalog: Catalog) -> None:
    # load_catalog raises on any problem; these restate the rules so a weakened validator
    # cannot let bad data through unnoticed.
    vocab = catalog.vocabulary.tags
    names: dict[str, str] = {}
    for d in catalog.dramas.values():
        assert has_hangul(d.title_ko), d.title
        assert d.sources and all(s.startswith(("http://", "https://")) for s in d.sources), d.title
        for name in (d.title, *d.aliases):
            assert names.setdefault(norm(name), d.title) == d.title, name
    seen = set()
    for t in catalog.tracks:
        drama = catalog.dramas[t.drama]
        assert drama.year <= t.year <= drama.last_year, t
        assert all(tag in vocab for tag in t.tags), t
        kinds = [vocab[tag].kind for tag in t.tags]
        assert 1 <= kinds.count("mood") <= 3 and kinds.count("energy") == 1, t
        assert all(a in catalog.artists for a in split_credit(t.artist, catalog.artists)), t
        assert t.key not in seen, t
        seen.add(t.key)
        if t.title_ko:
            assert has_hangul(t.title_ko), t
        if t.title_en:
            assert not has_hangul(t.title_en) and norm(t.title_en) != norm(t.title), t
    voices = {"", "female", "male", "female-group", "male-group", "mixed-group"}
    assert all(a.voice in voices for a in catalog.artists.values())
    keys = {t.key for t in catalog.tracks}
    for s in catalog.signals:
        assert s.key in keys and s.source.startswith(("http://", "https://")), s
        if s.signal == "chart":
            assert int(s.value) >= 1, s
    assert {t.drama for t in catalog.tracks} == set(catalog.dramas)


def test_catalog_size_and_spread(catalog: Catalog) -> None:
    assert len(catalog.dramas) >= 30 and len(catalog.tracks) >= 200
    years = {d.year for d in catalog.dramas.values()}
    assert min(years) <= 2005 and max(years) >= 2024
    networks = {d.network for d in catalog.dramas.values()}
    assert {"KBS2", "MBC", "SBS", "tvN", "JTBC", "Netflix"} <= networks


def test_every_mood_is_defined_with_both_languages(catalog: Catalog) -> None:
    for tag in catalog.vocabulary.tags.values():
        assert tag.means and tag.en and tag.ko and has_hangul(tag.label_ko), tag.name


def has(catalog: Catalog, drama: str, title: str, artist: str) -> bool:
    return any(t.drama == drama and t.title == title and t.artist == artist for t in catalog.tracks)


def test_the_project_articles_are_in_the_catalog(catalog: Catalog) -> None:
    for title, artist, ko in [
        ("That's All", "Heize", "다 그렇지 뭐"),
        ("Your Day", "Gummy", "너의 하루는 좀 어때"),
        ("Go Away Go Away", "Chanyeol & Punch", None),
        ("My Love", "Baekhyun", "너를 사랑하고 있어"),
        ("Love", "Yang Da-il", "사랑 이토록 어려운 말"),
        ("I Miss You", "Mamamoo", "자꾸 더 보고싶은 사람"),
        ("You Don't Know", "Monday Kiz", "모르시죠"),
        ("My Love", "Chungha", "나의 그대"),
    ]:
        assert has(catalog, "Dr. Romantic 2", title, artist), title
        if ko:
            track = next(t for t in catalog.tracks if t.title == title and t.artist == artist)
            assert track.title_ko == ko
    assert has(catalog, "Nevertheless", "Love Me Like That", "Sam Kim")
    assert has(catalog, "Nevertheless", "Butterfly", "J.UNA")
    assert has(catalog, "Our Beloved Summer", "Christmas Tree", "V")
    assert has(catalog, "Itaewon Class", "Sweet Night", "V")
    for drama in (
        "Vincenzo",
        "Hospital Playlist 2",
        "Hometown Cha-Cha-Cha",
        "Goblin",
        "Descendants of the Sun",
    ):
        assert drama in catalog.dramas and any(t.drama == drama for t in catalog.tracks)
    goblin = catalog.dramas["Goblin"]
    assert "Guardian: The Lonely and Great God" in goblin.aliases
    assert "낭만닥터 김사부 2" in (
        catalog.dramas["Dr. Romantic 2"].title_ko,
        *catalog.dramas["Dr. Romantic 2"].aliases,
    )


# ------------------------------------------------------------- the validator


@pytest.fixture
def data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def edit(path: Path, row: int, column: str, value: str) -> int:
    """Set one cell; returns the file line of that row."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
        fields = list(rows[0].keys())
    rows[row][column] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return row + 2


def problems(data: Path) -> str:
    with pytest.raises(CatalogError) as err:
        load_catalog(data)
    return str(err.value)


def test_unknown_tag(data: Path) -> None:
    line = edit(data / "tracks.csv", 3, "tags", "sad;groovy;low-energy")
    assert f"tracks.csv:{line}: unknown tag(s): groovy" in problems(data)


def test_duplicate_track(data: Path) -> None:
    with (data / "tracks.csv").open(encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    with (data / "tracks.csv").open("a", encoding="utf-8") as fh:
        fh.write(lines[1] + "\n")
    assert f"tracks.csv:{len(lines) + 1}: duplicate of line 2" in problems(data)


def test_year_outside_the_airing(data: Path) -> None:
    line = edit(data / "tracks.csv", 0, "year", "1999")
    assert f"tracks.csv:{line}: year 1999 is outside" in problems(data)


def test_drama_without_a_source(data: Path) -> None:
    line = edit(data / "dramas.csv", 0, "sources", "")
    assert f"dramas.csv:{line}:" in problems(data) and "no source URL" in problems(data)


def test_drama_without_a_hangul_title(data: Path) -> None:
    line = edit(data / "dramas.csv", 1, "drama_ko", "Full House")
    assert f"dramas.csv:{line}:" in problems(data) and "missing Hangul title" in problems(data)


def test_alias_colliding_with_another_drama(data: Path) -> None:
    with (data / "dramas.csv").open(encoding="utf-8", newline="") as fh:
        first = next(csv.DictReader(fh))["drama"]
    line = edit(data / "dramas.csv", 5, "aliases", first)
    assert f"dramas.csv:{line}: name {first!r} collides with" in problems(data)


def test_track_of_an_unknown_drama_and_artist(data: Path) -> None:
    line = edit(data / "tracks.csv", 2, "artist", "Nobody Known")
    assert f"tracks.csv:{line}: artist 'Nobody Known' is not in artists.csv" in problems(data)
    line = edit(data / "tracks.csv", 4, "drama", "No Such Drama")
    assert f"tracks.csv:{line}: drama 'No Such Drama' is not in dramas.csv" in problems(data)


def test_every_problem_is_reported_at_once(data: Path) -> None:
    edit(data / "tracks.csv", 1, "tags", "nope;low-energy")
    edit(data / "tracks.csv", 6, "year", "twenty")
    text = problems(data)
    assert "unknown tag(s): nope" in text and "year must be a whole number" in text


def first_row(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return next(csv.DictReader(fh))


def add_signal(data: Path, **cells: str) -> int:
    """Append a popularity row about the first track unless told otherwise; returns its line."""
    track = first_row(data / "tracks.csv")
    row = {
        "drama": track["drama"],
        "title": track["title"],
        "artist": track["artist"],
        "signal": "chart",
        "value": "3",
        "source": "https://example.org/chart",
        "notes": "",
        **cells,
    }
    path = data / "popularity.csv"
    with path.open("a", encoding="utf-8", newline="") as fh:
        csv.DictWriter(fh, list(row), lineterminator="\n").writerow(row)
    return len(path.read_text(encoding="utf-8").splitlines())


def test_a_sourced_signal_is_read(data: Path) -> None:
    add_signal(data, signal="award", value="Melon Music Awards 2017 Best OST")
    catalog = load_catalog(data)
    assert [(s.signal, s.value) for s in catalog.signals][-1] == (
        "award",
        "Melon Music Awards 2017 Best OST",
    )


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"title": "No Such Song"}, "no track "),
        ({"signal": "viral"}, "unknown signal 'viral'"),
        ({"value": "0"}, "a chart peak is a position from 1, got '0'"),
        ({"value": "top ten"}, "a chart peak is a position from 1"),
        ({"signal": "award", "value": "Best OST"}, "award needs its name and year"),
        ({"signal": "music_show", "value": "Inkigayo"}, "music_show needs its name and year"),
        ({"source": ""}, "a signal needs its source URL"),
        ({"source": "a magazine"}, "source must be http(s) URLs"),
    ],
)
def test_a_broken_popularity_row(data: Path, cells: dict[str, str], message: str) -> None:
    line = add_signal(data, **cells)
    assert f"popularity.csv:{line}: {message}" in problems(data)


def test_a_repeated_signal(data: Path) -> None:
    first = add_signal(data, value="7")
    line = add_signal(data, value="7")
    assert f"popularity.csv:{line}: duplicate of line {first}" in problems(data)


def test_title_en_is_english_and_not_the_title(data: Path) -> None:
    with (data / "tracks.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    latin = next(i for i, r in enumerate(rows) if not has_hangul(r["title"]))
    line = edit(data / "tracks.csv", latin, "title_en", rows[latin]["title"].upper() + " ")
    assert f"tracks.csv:{line}: title_en repeats the title: leave it blank" in problems(data)
    edit(data / "tracks.csv", latin, "title_en", "")
    line = edit(data / "tracks.csv", 0, "title_en", "눈꽃")
    assert f"tracks.csv:{line}: title_en must be the English title, not Hangul" in problems(data)


def test_a_hangul_title_without_an_english_one_says_so(data: Path) -> None:
    with (data / "tracks.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    i = next(i for i, r in enumerate(rows) if has_hangul(r["title"]) and not r["title_en"])
    line = edit(data / "tracks.csv", i, "notes", "")
    assert f"tracks.csv:{line}: {rows[i]['title']}: a Hangul title needs title_en" in problems(data)
    edit(data / "tracks.csv", i, "title_en", "Some English Title")
    load_catalog(data)


def test_a_voice_from_the_allowed_set_with_a_source(data: Path) -> None:
    line = edit(data / "artists.csv", 0, "voice", "soprano")
    assert f"artists.csv:{line}: unknown voice 'soprano'" in problems(data)
    edit(data / "artists.csv", 0, "voice", "female")
    edit(data / "artists.csv", 0, "sources", "")
    assert f"artists.csv:{line}:" in problems(data) and "needs a source URL" in problems(data)


def test_a_voice_is_not_a_tag_and_a_form_is(data: Path) -> None:
    line = edit(data / "tracks.csv", 0, "tags", "sad;low-energy;female")
    assert f"tracks.csv:{line}: female: a voice is worked out from artists.csv" in problems(data)
    edit(data / "tracks.csv", 0, "tags", "sad;low-energy;Instrumental")
    assert load_catalog(data).tracks[0].tags == ("sad", "low-energy", "instrumental")


def test_a_drama_without_tracks(data: Path) -> None:
    row = {column: "" for column in first_row(data / "dramas.csv")}
    row.update(
        drama="Empty Drama",
        drama_ko="빈 드라마",
        year="2020",
        network="tvN",
        sources="https://example.org/",
    )
    with (data / "dramas.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.DictWriter(fh, list(row), lineterminator="\n").writerow(row)
    lines = (data / "dramas.csv").read_text(encoding="utf-8").splitlines()
    assert f"dramas.csv:{len(lines)}: Empty Drama: no track in tracks.csv" in problems(data)


def test_binary_file_is_rejected(data: Path) -> None:
    (data / "artists.csv").write_bytes(b"\x00\x01\x02binary")
    assert "artists.csv:1: binary data" in problems(data)


@pytest.mark.parametrize("name", ["tracks.csv", "dramas.csv", "moods.toml"])
def test_an_unreadable_data_file_is_one_problem_naming_it(data: Path, name: str) -> None:
    (data / name).unlink()
    (data / name).mkdir()  # reading a folder fails the way an unreadable file does
    assert fingerprint(data)  # the change check itself never fails
    with pytest.raises(DataDirError) as err:
        load_catalog(data)
    assert err.value.data_dir == data and name in str(err.value.problems[0])


def test_a_huge_header_cell_is_a_problem_not_a_crash() -> None:
    data = b"title," + b"x" * 1_000_000 + b"\nA,B\n"
    with pytest.raises(CatalogError) as err:
        parse_import(data, "big.csv", load_vocabulary())
    assert str(err.value).startswith("big.csv:1: unreadable header (field larger than")


CSV_HEAD = b"title,artist,drama,year,tags,title_ko,drama_ko,network,part,aliases\n"


@given(body=st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_any_import_bytes_are_parsed_or_refused_with_problems(body: bytes) -> None:
    vocab = load_vocabulary()
    for data in (body, CSV_HEAD + body):
        try:
            parse_import(data, "any.csv", vocab)
        except CatalogError as exc:
            assert exc.problems and all(p.file == "any.csv" for p in exc.problems)
