"""Issue 10's requests: English titles, how well known a song is, and who sings it.

On the shipped catalog (each answer checked against the data itself, never a hard-coded
pick) and on small hand-made catalogs where a rule needs a case the data may not have.
"""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from bot.core import compose
from bot.core.catalog import Catalog
from bot.core.commands import Arg
from bot.core.index import CatalogIndex
from bot.core.models import Artist, Track
from bot.core.popularity import Signal, points
from bot.core.recommend import Outcome, Pick, Recommender
from bot.core.service import Service
from bot.core.understand import Parser, Query
from bot.core.voice import track_voices
from tests.support import ask, make_catalog

# ------------------------------------------------------------------ the rules alone


@pytest.mark.parametrize(
    ("voices", "instrumental", "expected"),
    [
        (["female"], False, ("female", "solo")),
        (["male-group"], False, ("male", "boy-group", "group")),
        (["female", "female-group"], False, ("female", "girl-group", "group", "duet")),
        (["female", "male"], False, ("duet",)),  # mixed: neither female nor male
        (["female", ""], False, ("duet",)),  # one voice unknown: nothing about voices
        ([""], False, ()),
        (["mixed-group"], False, ("group",)),
        (["male"], True, ()),  # nobody sings an instrumental
    ],
)
def test_a_tracks_voice_follows_from_its_acts(
    voices: list[str], instrumental: bool, expected: tuple[str, ...]
) -> None:
    assert track_voices(voices, instrumental) == expected


@pytest.mark.parametrize(
    ("signals", "expected"),
    [
        ([], 0),
        ([("main_theme", "")], 30),
        ([("chart", "1")], 100),
        ([("chart", "7")], 80),
        ([("chart", "97")], 40),
        ([("chart", "150")], 20),
        ([("award", "Melon Music Awards 2019 Best OST")], 100),
        ([("award", "Golden Disc Awards 2008 Popularity Award")], 60),
        ([("main_theme", ""), ("music_show", "Inkigayo 2016-03-06")], 80),
        ([("chart", "1"), ("main_theme", ""), ("award", "MAMA 2016 Best OST")], 100),
    ],
)
def test_popularity_points(signals: list[tuple[str, str]], expected: int) -> None:
    assert points(signals) == expected


# ---------------------------------------------------------- on the shipped catalog


@pytest.fixture(scope="module")
def parser(index: CatalogIndex) -> Parser:
    return Parser(index)


def known_keys(catalog: Catalog) -> set[str]:
    return {s.key for s in catalog.signals}


def act_voices(catalog: Catalog, track: Track, index: CatalogIndex) -> list[str]:
    """The voice of each act credited on a track, from artists.csv (a member of a girl or
    boy group counts as female or male), worked out here apart from the index."""
    out = []
    for name in index.credit(track.artist):
        artist = catalog.artists.get(name, Artist(name))
        groups = {catalog.artists[g].voice for g in artist.groups if g in catalog.artists}
        member = {"female-group": "female", "male-group": "male"}.get(
            next(iter(groups)) if len(groups) == 1 else ""
        )
        out.append(artist.voice or member or "")
    return out


async def cards(service: Service, text: str, times: int = 4) -> list[Track]:
    """The tracks of a few replies to the same request, from different users."""
    out: list[Track] = []
    for user in range(times):
        reply = await service.handle(ask(text, user=f"u{user}"))
        out.extend(card.track for card in reply.cards)
    return out


@pytest.mark.parametrize("text", ["female singer ballads", "여자 가수 발라드", "female vocals"])
async def test_a_female_singer_means_every_singer_is_female(
    service: Service, catalog: Catalog, text: str
) -> None:
    found = await cards(service, text)
    assert found
    for track in found:
        voices = act_voices(catalog, track, service.index)
        assert voices and all(v in ("female", "female-group") for v in voices), track


@pytest.mark.parametrize(
    ("text", "check"),
    [
        ("male vocals", lambda v: all(x in ("male", "male-group") for x in v)),
        ("남자 가수 노래", lambda v: all(x in ("male", "male-group") for x in v)),
        ("girl group songs", lambda v: "female-group" in v),
        ("걸그룹 노래", lambda v: "female-group" in v),
        ("boy group songs", lambda v: "male-group" in v),
        ("보이그룹", lambda v: "male-group" in v),
        ("duets", lambda v: len(v) >= 2),
        ("듀엣 곡", lambda v: len(v) >= 2),
    ],
)
async def test_voice_requests_in_english_and_korean(
    service: Service, catalog: Catalog, text: str, check: object
) -> None:
    found = await cards(service, text)
    assert found
    for track in found:
        assert check(act_voices(catalog, track, service.index)), track  # type: ignore[operator]


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("instrumental", "instrumental"),
        ("연주곡", "instrumental"),
        ("songs sung by the actors", "sung-by-cast"),
        ("배우가 부른 노래", "sung-by-cast"),
    ],
)
async def test_form_requests(service: Service, text: str, tag: str) -> None:
    found = await cards(service, text)
    assert found and all(tag in t.tags for t in found)


@pytest.mark.parametrize("text", ["popular sad OSTs", "인기 있는 슬픈 노래 3곡", "biggest hits"])
async def test_popular_requests_return_songs_with_signals(
    service: Service, catalog: Catalog, text: str
) -> None:
    found = await cards(service, text)
    assert found and all(t.key in known_keys(catalog) for t in found)
    if "sad" in text or "슬픈" in text:
        assert all("sad" in t.tags for t in found)


@pytest.mark.parametrize("text", ["hidden gems", "deep cuts", "숨은 명곡"])
async def test_deep_cuts_have_no_signal(service: Service, catalog: Catalog, text: str) -> None:
    found = await cards(service, text)
    assert found and not any(t.key in known_keys(catalog) for t in found)


async def test_the_main_theme_of_a_drama(service: Service, catalog: Catalog) -> None:
    themes = {s.key for s in catalog.signals if s.signal == "main_theme"}
    drama = next(t.drama for t in catalog.tracks if t.key in themes)
    for text in (f"the main theme of {drama}", f"{drama} theme song"):
        reply = await service.handle(ask(text))
        assert reply.cards and all(c.track.key in themes for c in reply.cards), text


def test_ordinary_requests_mix_well_known_songs_and_discoveries(
    index: CatalogIndex, catalog: Catalog
) -> None:
    known = known_keys(catalog)
    rec = Recommender(index)
    for seed in range(12):
        out = rec.recommend(Query(tags=("sad",), count=3), set(), {}, random.Random(seed))
        keys = [index.keys[p.index] for p in out.picks]
        assert len(keys) == 3
        assert any(k in known for k in keys) and any(k not in known for k in keys), seed


def test_a_shared_title_means_the_best_known_song_first(
    index: CatalogIndex, parser: Parser
) -> None:
    ids = index.titles["stay with me"]
    assert len(ids) >= 2
    fame_of_drama = {
        d: max(index.fame[i] for i in index.drama_tracks[d]) for d in index.drama_tracks
    }
    ranked = [(index.fame[i], fame_of_drama[index.track_drama[i]]) for i in ids]
    assert ranked == sorted(ranked, reverse=True)
    assert index.track_drama[ids[0]] == "Goblin"  # its drama has the chart No. 1s
    q = parser.query("something like Stay With Me")
    assert q.similar_to == index.keys[ids[0]]


def test_english_titles_are_found_and_shown(index: CatalogIndex, parser: Parser) -> None:
    english = [i for i in range(len(index.tracks)) if index.track_title_en[i]]
    assert english
    for i in english[:10]:
        track = index.tracks[i]
        assert track.title_en
        q = parser.query(f"something like {track.title_en}")
        assert q.similar_to is not None
        found = index.tracks[index.by_key[q.similar_to]]
        assert track.title_en in (found.title_en, found.title), track
        assert compose.track_title(track) == f"{track.title_en} ({track.title_ko or track.title})"


# ------------------------------------------------------------ on small catalogs


def small_catalog(base: Catalog) -> Catalog:
    cat = make_catalog(
        [
            ("눈꽃", "Gummy", "Drama A", 2016, ("sad", "longing", "low-energy")),
            ("Rain", "Anon", "Drama A", 2016, ("sad", "low-energy")),
            ("Night", "Duo One & Duo Two", "Drama B", 2017, ("sad", "low-energy")),
            ("Hit Song", "Gummy", "Drama B", 2017, ("upbeat", "high-energy")),
        ],
        base,
    )
    cat.tracks[0] = replace(cat.tracks[0], title_ko="눈꽃", title_en="Snow Flower")
    cat.artists["Gummy"] = Artist("Gummy", "거미", voice="female")
    cat.artists["Duo One"] = Artist("Duo One", voice="male")
    cat.artists["Duo Two"] = Artist("Duo Two", voice="female")
    del cat.artists["Duo One & Duo Two"]
    cat.signals = [Signal(cat.tracks[3].key, "chart", "1", "https://example.org/")]
    return cat


@pytest.fixture(scope="module")
def small(catalog: Catalog) -> CatalogIndex:
    return CatalogIndex(small_catalog(catalog))


def pick(index: CatalogIndex, q: Query, seed: int = 0) -> tuple[list[str], Outcome]:
    out = Recommender(index).recommend(q, set(), {}, random.Random(seed))
    return [index.tracks[p.index].title for p in out.picks], out


def test_snow_flower_resolves_to_its_hangul_song(small: CatalogIndex) -> None:
    q = Parser(small).query("something like Snow Flower")
    assert q.similar_to is not None
    track = small.tracks[small.by_key[q.similar_to]]
    assert (track.title, track.artist) == ("눈꽃", "Gummy")
    assert compose.track_title(track) == "Snow Flower (눈꽃)"


def test_an_unknown_voice_never_matches(small: CatalogIndex) -> None:
    for seed in range(5):
        titles, out = pick(small, Query(voice=("female",), tags=("sad",), count=3), seed)
        assert titles == ["눈꽃"] and not out.relaxed  # not Anon's Rain, whose voice is unknown
    titles, _ = pick(small, Query(voice=("duet",)))
    assert titles == ["Night"]


def test_a_condition_nothing_meets_is_relaxed_and_said(small: CatalogIndex) -> None:
    titles, out = pick(small, Query(voice=("girl-group",), drama="Drama A", count=2))
    assert out.relaxed == ["voice"] and set(titles) <= {"눈꽃", "Rain"}
    q = Query(popularity="popular", tags=("sad",))
    titles, out = pick(small, q)
    assert out.relaxed == ["popularity"] and titles[0] in ("눈꽃", "Rain", "Night")
    reply = compose.recommendation(small, q, out, "en", None)
    assert "No well-known song" in reply.text
    q = Query(voice=("female",), tags=("tense",))
    _, out = pick(small, q)
    reply = compose.recommendation(small, q, out, "en", None)
    assert "tags" in out.relaxed and "No tense songs are female" in reply.text


def test_popular_and_deep_keep_to_their_side(small: CatalogIndex) -> None:
    assert pick(small, Query(popularity="popular"))[0] == ["Hit Song"]
    for seed in range(5):
        titles, _ = pick(small, Query(popularity="deep", count=3), seed)
        assert titles and "Hit Song" not in titles


def test_a_saved_request_keeps_its_conditions() -> None:
    q = Query(tags=("sad",), voice=("female", "duet"), popularity="deep", count=3)
    assert Query.from_json(q.to_json()) == q


async def test_an_english_title_is_found_by_autocomplete_and_by_like(
    service: Service, catalog: Catalog
) -> None:
    track = next(t for t in catalog.tracks if t.title_en and t.title_ko)
    assert track.title_en
    offered = await service.suggest(Arg.TRACK, track.title_en)
    assert track.title in [s.value for s in offered[:3]]
    reply = await service.handle(ask(f"dislike {track.title_en}", user="fan"))
    assert (await service.users.get("console:fan")).feedback.get(track.key) == -1, reply.text


def test_a_cue_before_a_name_is_not_a_voice_and_praise_is_not_a_request(
    parser: Parser, index: CatalogIndex
) -> None:
    can = index.names["can"].name
    q = parser.query(f"songs by the group {can}")
    assert (q.artist, q.voice) == (can, ())
    assert parser.query("girl group songs").voice == ("girl-group",)
    praise = parser.read("you're the best")
    assert praise.smalltalk and praise.query.popularity is None
    assert parser.query("best OSTs").popularity == "popular"
    assert parser.query("classics").popularity == "popular"  # and old: well-known old songs


def test_a_songs_whole_title_is_not_short_for_a_drama(parser: Parser, index: CatalogIndex) -> None:
    # Issue 10 brought the drama Beautiful Days; "Beautiful" is still the songs of that title.
    said = parser.read("Beautiful")
    assert said.titles and set(said.titles) == set(index.titles["beautiful"])
    assert not any(m.kind == "drama" for m in said.mentions)


def test_hits_asked_for_come_before_main_themes(index: CatalogIndex, catalog: Catalog) -> None:
    """A chart No. 1 or a Best OST award outweighs being a drama's main theme: "popular sad
    OSTs" gives the charted and awarded sad songs while there are enough of them."""
    strong = {s.key for s in catalog.signals if s.signal in ("chart", "award")}
    rec = Recommender(index)
    for seed in range(12):
        q = Query(tags=("sad",), popularity="popular", count=3)
        out = rec.recommend(q, set(), {}, random.Random(seed))
        keys = [index.keys[p.index] for p in out.picks]
        assert len(keys) == 3 and all(k in strong for k in keys), seed


def test_what_was_let_go_is_said_of_an_occasion_and_an_artist_rightly(
    index: CatalogIndex,
) -> None:
    """ "No songs in ballad style by Paul Kim. Here are their romantic ones", not "No in
    ballad style songs ... its"; every song heard is said as heard, not as missing."""
    weights = (("longing", 0.3), ("sad", 0.3), ("romantic", 0.3))
    q = Query(tags=("longing", "sad", "romantic"), weights=weights, occasion="ballad")
    q = replace(q, artist="Paul Kim")
    i = index.artist_tracks["Paul Kim"][0]
    out = Outcome(picks=[Pick(i, 1.0, ())], relaxed=["tags"], shown_tags=("romantic",))
    en = compose.recommendation(index, q, out, "en", None).text
    assert "No songs in ballad style by Paul Kim. Here are their romantic ones" in en
    ko = compose.recommendation(index, q, out, "ko", None).text
    assert "발라드 노래는 없어요" in ko
    heard = replace(out, used=["tags"])
    en = compose.recommendation(index, q, heard, "en", None).text
    assert "heard all the songs in ballad style by Paul Kim" in en and "No songs" not in en
