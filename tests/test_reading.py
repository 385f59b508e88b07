"""How a message is read: cues for names, everyday words, exclusions and their scope, occasions,
emoji, romanised names, typos and short forms, years, counts and follow-up signals."""

from __future__ import annotations

import pytest

from bot.core.index import CatalogIndex
from bot.core.understand import Parser


@pytest.fixture(scope="module")
def parser(index: CatalogIndex) -> Parser:
    return Parser(index)


# ------------------------------------------------------------------ names and cues


@pytest.mark.parametrize(
    ("text", "artist"),
    [
        ("songs by Punch", "Punch"),
        ("artist Punch", "Punch"),
        ("펀치 노래 들려줘", "Punch"),  # 노래 is the cue; the singer is the better known Punch
        ("no more Crush songs", None),  # capital in mid-sentence: a name (excluded here)
        ("songs by Jin from BTS", "Jin"),  # the group only says which Jin
        ("Joy from Red Velvet songs", "Joy"),
    ],
)
def test_a_cue_makes_a_name(parser: Parser, text: str, artist: str | None) -> None:
    q = parser.query(text)
    assert q.artist == artist
    if artist is None:
        assert q.not_artists == ("Crush",)


@pytest.mark.parametrize(
    ("text", "not_name"),
    [
        ("songs for a rainy day", "RAINZ"),
        ("hello! can you recommend me something?", "CAN"),
        ("my crush just texted me", "Crush"),
        ("i need songs that'll make me ugly cry tonight", "Jake"),
        ("드라이브할 때 듣기 좋은 노래", "Live"),
        ("외로운 밤에 듣는 노래", "Rowoon"),
        ("null", "NELL"),
        ("good morning", "MOVNING"),
        ("taeyang songs", "Taeyong"),
        ("something new", "New"),
        ("we're walking down the aisle in june", "JU-NE"),
        ("노을 보면서 듣는 노래", "Noel"),
        ("여름에 바다 갈 때 들을 노래", "Bada"),
    ],
)
def test_everyday_words_are_not_names(parser: Parser, text: str, not_name: str) -> None:
    q = parser.query(text)
    assert not_name not in (q.drama, *q.artists)


def test_a_name_that_is_two_things_keeps_the_other_reading(parser: Parser) -> None:
    by = parser.query("songs by Punch")
    ost = parser.query("Punch OST")
    assert (by.artist, by.other) == ("Punch", "drama:Punch")
    assert (ost.drama, ost.other) == ("Punch", "artist:Punch")


def test_a_name_inside_a_word_is_not_the_name(parser: Parser) -> None:
    assert parser.query("외로운 밤").artists == ()  # 로운 inside 외로운
    assert parser.query("백현이가 부른 노래").artist == "Baekhyun"  # a particle after it
    assert parser.query("백현이랑 첸 노래").artists == ("Baekhyun", "Chen")  # one syllable, cued


@pytest.mark.parametrize(
    ("text", "drama"),
    [
        ("dokkaebi soundtrack", "Goblin"),
        ("sarangui bulsichak ost", "Crash Landing on You"),
        ("saranguibulsichak", "Crash Landing on You"),
        ("itaewon keullasseu", "Itaewon Class"),
        ("descendents of the sun songs", "Descendants of the Sun"),
        ("crash landing on u", "Crash Landing on You"),
        ("itaewon", "Itaewon Class"),
        ("hotel de luna ost", "Hotel del Luna"),
        ("quen of tears songs", "Queen of Tears"),
        ("응답하라 1988 OST", "Reply 1988"),
        ("이태원클라스 노래", "Itaewon Class"),
    ],
)
def test_romanised_misspelt_and_short_names(parser: Parser, text: str, drama: str) -> None:
    q = parser.query(text)
    assert q.drama == drama
    assert (q.year_from, q.year_to) == (None, None)  # a year in a title is the title's


def test_songs_by_title_with_a_cue_or_alone(parser: Parser, index: CatalogIndex) -> None:
    said = parser.read("who sings Beautiful")
    assert said.has("lookup") and {index.tracks[i].title for i in said.titles} == {"Beautiful"}
    said = parser.read("nunkkot gummy")
    assert [index.tracks[i].title_ko for i in said.titles] == ["눈꽃"]
    assert parser.read("something").titles == []  # a title that is an everyday word
    assert parser.read("hello!").titles == []  # a greeting, though a song is called that


# ------------------------------------------------------------------ exclusions


@pytest.mark.parametrize(
    ("text", "tags", "not_tags"),
    [
        ("something not sad", (), ("sad",)),
        ("anything but sad songs pls", (), ("sad",)),
        ("romantic songs without the heartbreak", ("romantic",), ("heartbreak",)),
        ("슬픈 노래 말고", (), ("sad",)),
        ("너무 슬프지 않은 노래", (), ("sad", "heartbreak")),
        ("잔잔한데 우울하지 않은 노래", (), ("sad",)),
    ],
)
def test_exclusions(
    parser: Parser, text: str, tags: tuple[str, ...], not_tags: tuple[str, ...]
) -> None:
    q = parser.query(text)
    assert set(tags) <= set(q.tags)
    assert set(not_tags) <= set(q.not_tags)
    assert not set(not_tags) & set(q.tags)


def test_an_exclusion_stops_at_its_clause(parser: Parser) -> None:
    q = parser.query("no ballads please, something upbeat")
    assert "upbeat" in q.tags and "upbeat" not in q.not_tags
    assert "low-energy" in q.not_energy
    q = parser.query("sad but not too slow please")
    assert q.tags[:1] == ("sad",) and q.not_energy == ("low-energy",)


def test_exclusions_of_names_and_years(parser: Parser) -> None:
    assert parser.query("romantic ones but not from goblin").not_dramas == ("Goblin",)
    assert parser.query("upbeat stuff that isn't by IU").not_artists == ("IU",)
    assert parser.query("슬픈 노래인데 펀치 노래는 빼줘").not_artists == ("Punch",)
    assert parser.query("avoid anything from before 2015").not_years == ((0, 2014),)
    assert parser.query("2010년 이전 노래 말고").not_years == ((0, 2009),)
    assert parser.query("aren't there any by IU?").artist == "IU"  # a question, no exclusion


# ------------------------------------------------------------------ occasions and emoji


def test_occasions_bring_weighted_tags_energy_and_what_to_avoid(parser: Parser) -> None:
    q = parser.query("music to study to")
    assert q.occasion == "study" and q.energy == ("low-energy",) and "tense" in q.not_tags
    wedding = parser.query("결혼식 때 틀 노래")
    assert wedding.tags[0] == "romantic" and {"sad", "heartbreak"} <= set(wedding.not_tags)
    # A mood said outright outweighs the occasion's suggestions.
    rainy = parser.query("happy songs for a rainy day")
    assert rainy.tags[0] == "upbeat" and "upbeat" not in rainy.not_tags


@pytest.mark.parametrize(
    ("text", "tag"),
    [("😭💔", "heartbreak"), ("🥰", "romantic"), ("💪💪", "upbeat"), ("sad songs 😭", "sad")],
)
def test_emoji_are_moods(parser: Parser, text: str, tag: str) -> None:
    assert tag in parser.query(text).tags


def test_emoji_with_invisible_glue(parser: Parser) -> None:
    # ❤️‍🩹 arrives without its zero-width joiner once the input is cleaned.
    assert parser.query("❤\ufe0f\U0001fa79").tags[:1] == ("healing",)


# ------------------------------------------------------------------ follow-up signals


def test_follow_up_signals(parser: Parser) -> None:
    assert parser.read("calmer").has("op:calmer")
    assert parser.read("sadder").mood_changes[0].value == "sad"
    assert parser.read("좀 더 신나는 걸로").mood_changes[0].relative == 1
    assert parser.read("less sad").query.not_tags[:1] == ("sad",)
    assert parser.read("more by the same singer").has("op:same_artist")
    assert parser.read("두 번째 좋아요").refs == [2]
    assert parser.read("2번 싫어요").refs == [2] and parser.read("2번 싫어요").has("dislike")
    assert parser.read("more like #2").refs == [2]
    assert parser.read("one more").count == 1 and parser.read("세 곡 더").count == 3


def test_small_talk_is_read_as_such(parser: Parser) -> None:
    assert parser.read("ㅋㅋㅋ").smalltalk == ["laugh"]
    assert "greeting" in parser.read("hi there").smalltalk
    assert "what_is_ost" in parser.read("what is an OST?").smalltalk
    assert not parser.read("hi there").content


def test_years(parser: Parser) -> None:
    q = parser.query("2016년에 나온 드라마 노래")
    assert (q.year_from, q.year_to) == (2016, 2016)
    q = parser.query("2000년대 초반 드라마 노래")
    assert (q.year_from, q.year_to) == (2000, 2004)
    q = parser.query("nothing older than 2020 please")
    assert q.not_years == ((0, 2019),)
