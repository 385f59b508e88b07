"""Free text -> Query: English, Korean, aliases, typos, counts, years and combinations."""

from __future__ import annotations

import pytest

from bot.core.commands import Arg, Command, registry
from bot.core.index import CatalogIndex
from bot.core.understand import MAX_COUNT, Parser


@pytest.fixture(scope="module")
def parser(index: CatalogIndex) -> Parser:
    return Parser(index)


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("recommend a healing OST", "healing"),
        ("sad songs", "sad"),
        ("something to cry to", "sad"),
        ("i need something comforting", "healing"),
        ("설레는 노래", "fluttering"),
        ("힐링 OST 추천해줘", "healing"),
        ("슬픈 노래 들려줘", "sad"),
        ("이별 노래", "heartbreak"),
        ("romantc songs", "romantic"),  # one letter missing
        ("nostalgc", "nostalgic"),
    ],
)
def test_moods_in_english_and_korean(parser: Parser, text: str, tag: str) -> None:
    assert tag in parser.query(text).tags


@pytest.mark.parametrize(
    "text",
    [
        "songs from Goblin",
        "Guardian: The Lonely and Great God",
        "guardian the lonely and great god ost",
        "도깨비",
        "도깨비 노래",
        "goblen ost",
        "GOBLIN OST",
    ],
)
def test_drama_by_any_name_and_small_typos(parser: Parser, text: str) -> None:
    assert parser.query(text).drama == "Goblin"


@pytest.mark.parametrize("text", ["songs by Baekhyun", "EXO Baekhyun", "EXO's Baekhyun", "백현"])
def test_artist_by_group_and_hangul_forms(parser: Parser, text: str) -> None:
    assert parser.query(text).artist == "Baekhyun"


def test_group_name_means_its_members(parser: Parser, index: CatalogIndex) -> None:
    q = parser.query("songs by EXO")
    assert q.artist == "EXO"
    members = {index.tracks[i].artist for i in index.artist_tracks["EXO"]}
    assert any("Baekhyun" in m for m in members)
    assert any("Chanyeol" in m for m in members)


def test_korean_drama_title_does_not_leak_a_mood(parser: Parser) -> None:
    # 사랑의 불시착 contains 사랑 (love); it names the drama, it is not a mood request.
    q = parser.query("사랑의 불시착 노래")
    assert q.drama == "Crash Landing on You"
    assert "romantic" not in q.tags


def test_years_and_eras(parser: Parser, index: CatalogIndex) -> None:
    q = parser.query("OSTs from 2016")
    assert (q.year_from, q.year_to) == (2016, 2016)
    q = parser.query("2010s ballads")
    assert (q.year_from, q.year_to) == (2010, 2019)
    q = parser.query("2010년대 노래")
    assert (q.year_from, q.year_to) == (2010, 2019)
    q = parser.query("recent sad songs")
    assert q.year_from == index.max_year - 2 and q.year_to is None
    q = parser.query("songs before 2010")
    assert q.year_to == 2009 and q.year_from is None


def test_count_and_its_cap(parser: Parser) -> None:
    assert parser.query("3 romantic OSTs").count == 3
    assert parser.query("three sad songs").count == 3
    assert parser.query("슬픈 노래 세 곡").count == 3
    assert parser.query("a sad song").count == 1
    assert parser.query("sad songs").count == 3  # plural without a number
    capped = parser.query("20 sad songs")
    assert capped.count == MAX_COUNT and capped.asked == 20


def test_similar_to_a_track(parser: Parser, index: CatalogIndex) -> None:
    q = parser.query("something like Stay With Me")
    assert q.similar_to is not None
    assert index.tracks[index.by_key[q.similar_to]].title == "Stay With Me"
    assert parser.query("songs similar to stay with me").similar_to == q.similar_to


def test_like_without_a_title_is_not_similar(parser: Parser) -> None:
    q = parser.query("I'd like a sad song")
    assert q.similar_to is None and q.tags == ("sad",)


def test_combination(parser: Parser) -> None:
    q = parser.query("a sad OST from Goblin by Ailee")
    assert (q.tags, q.drama, q.artist) == (("sad",), "Goblin", "Ailee")


def test_dr_romantic_2_aliases(parser: Parser) -> None:
    assert parser.query("Romantic Doctor, Teacher Kim 2").drama == "Dr. Romantic 2"
    assert parser.query("낭만닥터 김사부 2 OST").drama == "Dr. Romantic 2"
    # The "2" is part of the title, not a count or a year.
    q = parser.query("songs from Dr. Romantic 2")
    assert q.drama == "Dr. Romantic 2" and q.count == 3


def test_common_word_titles_need_a_cue(parser: Parser) -> None:
    # "Life" is a drama; "songs about life" is not a request for it.
    assert parser.query("songs about life").drama is None
    assert parser.query("Life OST").drama == "Life"


def test_nonsense_is_unknown_not_a_guess(parser: Parser) -> None:
    q = parser.query("xyzzy plugh")
    assert q.is_empty and q.unknown == ("xyzzy", "plugh")


@pytest.mark.parametrize(
    ("text", "name", "arg"),
    [
        ("help", "help", ""),
        ("/help@ostbot", "help", ""),
        ("도움말", "help", ""),
        ("moods", "moods", ""),
        ("drama Goblin", "drama", "Goblin"),
        ("artist IU", "artist", "IU"),
        ("another", "another", ""),
        ("다른 거", "another", ""),
        ("다른 노래 추천해줘", "another", ""),
        ("like 2", "like", "2"),
        ("dislike", "dislike", ""),
        ("history", "history", ""),
        ("about", "about", ""),
        ("다른 드라마", "recommend", "다른 드라마"),  # "a different drama": a request
        ("another sad one", "recommend", "another sad one"),  # a follow-up: more, but sad
        ("help me please", "help", ""),  # a command that takes nothing ignores the rest
        ("like Stay With Me", "like", "Stay With Me"),
        ("mood healing", "mood", "healing"),
        ("mood like", "mood", "like"),  # the argument is a mood, whatever it looks like
        ("moods", "moods", ""),
        ("3 sad songs", "recommend", "3 sad songs"),
        ("recommend", "recommend", ""),
        ("drama", "drama", ""),  # the missing name is the service's to point out
    ],
)
def test_commands(parser: Parser, text: str, name: str, arg: str) -> None:
    assert parser.parse(text) == Command(name, arg)


@pytest.mark.parametrize("text", ["", "   ", "@ostbot", "@ostbot @someone"])
def test_nothing_said_is_no_command(parser: Parser, text: str) -> None:
    assert parser.parse(text) is None


def test_mention_prefix_is_ignored(parser: Parser) -> None:
    cmd = parser.parse("@ostbot recommend a healing OST")
    assert cmd == Command("recommend", "a healing OST")
    assert parser.query(cmd.arg).tags == ("healing",)


def test_every_command_word_in_either_language_calls_its_command(parser: Parser) -> None:
    for spec in registry():
        for word in spec.words:
            found = parser.parse(f"{word} Goblin")
            assert found is not None, word
            if spec.arg is Arg.NONE:
                # "another Goblin", "more upbeat": more than the bare command is a follow-up.
                assert found.name == "recommend", word
                assert parser.parse(word) == Command(spec.name), word
            else:
                assert found.name == spec.name, word


def test_query_round_trips_through_json(parser: Parser) -> None:
    q = parser.query("3 sad songs from Goblin 2016")
    again = type(q).from_json(q.to_json())
    assert (again.tags, again.drama, again.count, again.year_from) == (
        q.tags,
        q.drama,
        q.count,
        q.year_from,
    )


def test_mood_words_beat_namesake_artists(parser: Parser) -> None:
    # aespa's Winter sings OSTs, but "winter songs" asks for the season.
    q = parser.query("winter songs")
    assert q.tags == ("winter",) and q.artist is None
    assert parser.query("songs by Winter").artist is not None


def test_everyday_phrases_are_not_drama_titles(parser: Parser) -> None:
    assert parser.query("play it once again").drama is None
    assert parser.query("songs about life").drama is None
    assert parser.query("Once Again OST").drama == "Once Again"


def test_a_remembered_reading_cannot_be_changed_by_whoever_received_it(index: CatalogIndex) -> None:
    """The parser remembers readings; each caller gets a copy it may change freely."""
    parser = Parser(index)
    text = "2 sad songs from Goblin not by Ailee"
    first = parser.read(text)
    first.mentions[0].negated = not first.mentions[0].negated
    first.mentions.clear()
    first.signals.add("changed")
    first.titles.append(0)
    first.unknown.append("changed")
    again = parser.read(text)
    fresh = Parser(index).read(text)
    assert again == fresh
    assert again.mentions and "changed" not in again.signals


def test_a_reading_is_remembered_per_text_and_per_preference(index: CatalogIndex) -> None:
    parser = Parser(index)
    assert parser.query("punch", prefer="artist") == Parser(index).query("punch", prefer="artist")
    assert parser.query("punch", prefer="drama") == Parser(index).query("punch", prefer="drama")
    assert parser.query("punch", prefer="artist").artist == "Punch"
    assert parser.query("punch", prefer="drama").drama == "Punch"
