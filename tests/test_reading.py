"""How a message is read: cues for names, everyday words, exclusions and their scope, occasions,
emoji, romanised names, typos and short forms, years, counts and follow-up signals."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core.index import CatalogIndex
from bot.core.tokens import unstretch
from bot.core.understand import Parser
from tests.support import make_catalog


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


@pytest.mark.parametrize(
    ("text", "artist", "drama"),
    [
        ("punch songs", "Punch", None),  # lower case: one reading, the other kept to offer
        ("Punch 노래", "Punch", None),  # a Korean song word beside a Latin name
        ("punch 노래 추천해줘", "Punch", None),
        ("punch ost songs by the singer", "Punch", None),  # the kind said wins over "ost"
        ("punch songs, the drama", None, "Punch"),
        ("punch the singer", "Punch", None),  # the kind said after the name cues it
        ("punch (the drama) ost", None, "Punch"),
    ],
)
def test_a_lower_case_name_that_is_two_things(
    parser: Parser, text: str, artist: str | None, drama: str | None
) -> None:
    q = parser.query(text)
    assert (q.artist, q.drama) == (artist, drama)
    assert q.other == ("drama:Punch" if artist else "artist:Punch")


def test_a_latin_name_with_a_korean_song_word(parser: Parser) -> None:
    assert parser.query("davichi 노래").artist == "Davichi"
    assert parser.query("heize 곡 추천").artist == "Heize"
    assert not parser.query("rain 노래").artists  # an everyday word stays one


@pytest.mark.parametrize(
    ("text", "artist", "drama"),
    [
        ("what's the iu one from crash landing on you", "IU", "Crash Landing on You"),
        ("dk ost from twenty five twenty one", "DK", "Twenty-Five Twenty-One"),
        ("the v song from itaewon class", "V", "Itaewon Class"),  # one letter, pointed at
        ("crush's song in goblin", "Crush", "Goblin"),  # a mood word, pointed at
        ("the joy one", "Joy", None),
        ("whats the song from itaewon class that v sang", "V", "Itaewon Class"),  # sang
        ("the goblin song crush sang", "Crush", "Goblin"),
    ],
)
def test_short_and_everyday_names_pointed_at(
    parser: Parser, text: str, artist: str, drama: str | None
) -> None:
    q = parser.query(text)
    assert (q.artist, q.drama) == (artist, drama)


@pytest.mark.parametrize(
    ("text", "artist"),
    [
        ("crush cloy ost", "Crush"),  # a mood word beside a drama Crush sings in
        ("queen of tears crush song", "Crush"),
        ("my crush loves goblin", None),  # not beside it
        ("winter goblin songs", None),  # Winter sings nothing in Goblin: the season
    ],
)
def test_a_name_beside_a_name_it_shares_songs_with(
    parser: Parser, text: str, artist: str | None
) -> None:
    assert parser.query(text).artist == artist


@pytest.mark.parametrize("text", ["the new one", "just one more", "v sad songs", "mi amor"])
def test_pointing_words_do_not_make_names_of_everything(parser: Parser, text: str) -> None:
    assert parser.query(text).artists == ()


@pytest.mark.parametrize(
    ("text", "artist"),
    [
        ("거미 슬픈 노래 추천해줘", "Gummy"),  # a mood between the name and 노래
        ("양파 슬픈 ost", "Yangpa"),
        ("노을의 애절한 곡 들려줘", "Noel"),  # a particle on the name
        ("바다 옛날 드라마 노래", "Bada"),  # an era, and 드라마 노래
        ("거미 발라드 추천", "Gummy"),  # a request word ends the window too
        ("소유 최신곡", "Soyou"),  # the song word inside the last word
        ("거미의 OST 중 슬픈 곡", "Gummy"),  # a particle before the cue
        ("바다 보면서 듣기 좋은 신나는 노래", None),  # a verb between: the sea
        ("노을 질 때 듣는 잔잔한 노래", None),
        ("거미 무서워 ㅠㅠ 위로되는 노래", None),
        ("거미 무서워서 잠이 안 와 노래 추천", None),  # a verb right after it
    ],
)
def test_a_korean_name_that_is_a_word_cued_from_a_few_words_away(
    parser: Parser, text: str, artist: str | None
) -> None:
    assert parser.query(text).artist == artist


def test_a_name_inside_a_word_is_not_the_name(parser: Parser) -> None:
    assert parser.query("외로운 밤").artists == ()  # 로운 inside 외로운
    assert parser.query("슬기로운 하루").artists == ()  # 로 is a particle, 로운 is not
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
        # One jamo off, across words, spaces ignored, a particle allowed.
        ("사랑의 불시차 ost", "Crash Landing on You"),
        ("호텔 델루마 노래", "Hotel del Luna"),
        ("이태원 클라스 노래 추천", "Itaewon Class"),
        ("눈물의 여앙 슬픈 노래", "Queen of Tears"),
        ("나의 아저시에서 나온 노래", "My Mister"),
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
    ("text", "occasion"),
    [
        ("노동요 추천", "chores"),
        ("아기 재울 때 듣는 노래", "lullaby"),  # 재우다, as written
        ("애기 재워야 하는데 노래 좀", "lullaby"),
        ("songs to put my baby to sleep", "lullaby"),
        ("봄밤에 듣기 좋은 노래", "spring-night"),  # not the drama 봄밤 without a cue
        ("summer night vibes ost", "summer-night"),
        ("월요병 극복 노래", "energy"),
        ("ugh monday again... need energy", "energy"),
        ("요리할 때 듣는 노래", "cooking"),
        ("songs for the bus ride home", "commute"),
        ("leg day", "workout"),  # gym idioms
        ("arm day playlist pls", "workout"),
        ("something for the treadmill", "workout"),
        ("하체 하는 날 들을 노래", "workout"),
        ("웨이트 할 때 ost", "workout"),
        ("something to lift to", "workout"),
        ("홈트할 때 들을 노래", "workout"),
    ],
)
def test_more_occasions(parser: Parser, text: str, occasion: str) -> None:
    q = parser.query(text)
    assert q.occasion == occasion and q.drama is None


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


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("what even is an ost", "what_is_ost"),
        ("what exactly are osts?", "what_is_ost"),
        ("오에스티가 무슨 뜻이야", "what_is_ost"),  # an OST word, a particle, a question
        ("OST가 뭔데", "what_is_ost"),
        ("are u a bot lol", "about_bot"),
        ("who made this bot", "about_bot"),
    ],
)
def test_small_talk_with_a_word_more(parser: Parser, text: str, kind: str) -> None:
    said = parser.read(text)
    assert said.smalltalk[:1] == [kind] and not said.content


@pytest.mark.parametrize("text", ["ost 뭐 있어?", "ost 뭐 들을까", "what is the best ost"])
def test_questions_about_songs_are_no_small_talk(parser: Parser, text: str) -> None:
    assert "what_is_ost" not in parser.read(text).smalltalk


@pytest.mark.parametrize(
    ("word", "meant"),
    [
        ("hiii", "hi"),
        ("heyyy", "hey"),
        ("thxx", "thx"),  # a letter doubled at the end of a word that is nothing as written
        ("sooo", "so"),
        ("goood", "good"),  # two letters tried before one: not "god"
        ("hahahaha", "haha"),
        ("lmaooo", "lmao"),
        ("soo", None),  # an everyday word as written, and no letter said three times
        ("good", None),
        ("cheeze", None),  # a name (Cheeze) stays a name
    ],
)
def test_a_stretched_word_is_the_word_it_stretches(
    parser: Parser, word: str, meant: str | None
) -> None:
    assert unstretch(word, parser.knows) == meant


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("hiii", "greeting"),
        ("heyyy bot", "greeting"),
        ("thxx!!", "thanks"),
        ("annyeong!!", "greeting"),
        ("gomawo~", "thanks"),
        ("kamsahamnida", "thanks"),
        ("saranghae ostbot", "praise"),
        ("daebak bot", "praise"),
        ("수고하셨습니다", "thanks"),
        ("고마웡 ㅎㅎ", "thanks"),
        ("내일 또 올게요", "bye"),  # 또 here is no "another"
        ("ㅂㅂ 잘자~", "bye"),
        ("tyyy ur the best", "praise"),  # "the best" here is no popularity
    ],
)
def test_small_talk_in_chat_spellings_romanised_and_korean_registers(
    parser: Parser, text: str, kind: str
) -> None:
    said = parser.read(text)
    assert kind in said.smalltalk and not said.content and not said.has("op:more")


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
    assert parser.query("newer than 2018").year_from == 2019
    assert parser.query("only stuff from after 2015 pls").year_from == 2016
    assert parser.query("since 2016").year_from == 2016


def test_eras_count_back_from_the_newest_year_in_both_languages(
    parser: Parser, index: CatalogIndex
) -> None:
    newest = index.max_year
    for text in ("latest ost", "newest kdrama songs", "최신곡 추천", "새로 나온 노래"):
        q = parser.query(text)
        assert (q.year_from, q.year_to) == (newest - 1, None), text
    # With a drama or an artist, the latest are theirs: IU's newest song is older.
    iu = max(index.tracks[t].year for t in index.artist_tracks["IU"])
    assert parser.query("latest IU ost").year_from == iu - 1
    for text in ("recent songs", "요즘 노래"):
        assert parser.query(text).year_from == newest - 2, text
    assert parser.query("old songs").year_to == newest - 10
    # An era left out is a range left out.
    assert parser.query("옛날 노래 말고").not_years == ((0, newest - 10),)
    assert parser.query("nothing too recent please").not_years == ((newest - 2, 9999),)


@pytest.mark.parametrize("text", ["바디 노래", "사랑의 온기 노래", "슬픈 사랑 노래", "하루 노래"])
def test_short_or_everyday_korean_words_are_not_bent_into_names(parser: Parser, text: str) -> None:
    q = parser.query(text)
    assert q.drama is None and q.artists == ()


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("the goblin song with snow in the title", "snow"),
        ("song with the word love in the title from goblin", "love"),
        ("goblin song, title has snow", "snow"),
        ("도깨비 노래 중에 제목에 눈 들어간 거", "눈"),
        ("제목에 사랑이 들어간 노래", "사랑이"),  # and 사랑 after it, below
        ("제목이 노을인 노래", "노을"),
    ],
)
def test_a_word_of_the_title_is_no_mood(parser: Parser, text: str, word: str) -> None:
    said = parser.read(text)
    assert said.title_words[0] == word and not said.query.tags and not said.unknown
    if word == "사랑이":
        assert "사랑" in said.title_words


def test_a_longer_word_of_the_lexicon_wins_over_a_one_syllable_name(parser: Parser) -> None:
    assert parser.query("별로").artists == ()  # "not really", not Byul + 로
    assert parser.query("별 노래").artist == "Byul"  # cued by 노래


def test_small_everyday_words_run_together_are_no_name() -> None:
    small = make_catalog([("Promise", "Someone", "Yi San", 2007, ("romantic", "mid-energy"))])
    small.dramas["Yi San"] = replace(small.dramas["Yi San"], title_ko="이산", aliases=("Isan",))
    parser = Parser(CatalogIndex(small))
    assert parser.query("what even is an ost").drama is None  # "is an" is no "isan"
    assert parser.query("isan ost").drama == "Yi San"


def test_before_and_after_a_year_in_korean(parser: Parser) -> None:
    assert parser.query("2010년 전 노래는 빼줘").not_years == ((0, 2009),)
    assert parser.query("2015년 후 노래").year_from == 2015
    q = parser.query("2016년 전곡")  # 전곡 is every song, not "before"
    assert (q.year_from, q.year_to) == (2016, 2016)


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("I would like something hopeful", "hopeful"),
        ("I'd like a sad song", "sad"),
        ("i like sad songs", "sad"),
        ("songs that feel like home", "healing"),
        ("smth that sounds like falling in love", "fluttering"),
        ("something that feels like summer", "summer"),  # the season, not the song Summer
        ("like, something sad?", "sad"),  # not the song Something
    ],
)
def test_like_as_a_verb_is_no_songs_like_a_title(parser: Parser, text: str, tag: str) -> None:
    q = parser.query(text)
    assert tag in q.tags and q.similar_to is None and "like" not in q.unknown


def test_songs_like_a_title_still_are(parser: Parser, index: CatalogIndex) -> None:
    for text in (
        "I'd like songs like Everytime",
        "something like Stay With Me",
        "id like a song like Everytime",
    ):
        q = parser.query(text)
        assert q.similar_to is not None, text


@pytest.mark.parametrize(
    ("text", "occasion", "energy"),
    [
        ("after the party, something quiet", "wind-down", ("low-energy",)),
        ("회식 끝나고 조용한 노래 부탁해요", "wind-down", ("low-energy",)),
        ("after my workout", "wind-down", ("low-energy", "mid-energy")),
        ("party songs", "party", ("mid-energy", "high-energy")),
        ("I would like to hear a calm ballad", "ballad", ("low-energy",)),
        ("after i got dumped", "breakup", ()),  # a breakup is already what comes after
    ],
)
def test_what_is_said_outright_beats_what_an_occasion_suggests(
    parser: Parser, text: str, occasion: str, energy: tuple[str, ...]
) -> None:
    q = parser.query(text)
    assert (q.occasion, q.energy) == (occasion, energy)


def test_a_mood_said_leaves_out_the_occasions_moods_against_it(parser: Parser) -> None:
    q = parser.query("it is raining but i want happy song")
    assert "upbeat" in q.tags and not {"sad", "heartbreak"} & set(q.tags)
    assert "upbeat" not in q.not_tags  # the rain's "avoid upbeat" gives way too
    q = parser.query("이별 노래 말고 위로해주는 노래")
    assert "heartbreak" in q.not_tags and "heartbreak" not in q.tags


@pytest.mark.parametrize(
    ("text", "tag", "artist"),
    [
        ("sad songs to listen in winter", "winter", None),  # "in" cues dramas only
        ("I want a song for Winter", "winter", None),  # a capital is no cue for a season
        ("when it snows", "winter", None),
        ("snows", "winter", None),
        ("songs by winter", None, "Winter"),
        ("Winter (aespa) songs", None, "Winter"),  # beside her group
    ],
)
def test_a_seasons_word_is_the_season_unless_an_artist_is_meant(
    parser: Parser, text: str, tag: str | None, artist: str | None
) -> None:
    q = parser.query(text)
    assert q.artist == artist
    assert (tag in q.tags) if tag else "winter" not in q.tags


@pytest.mark.parametrize(
    "text", ["눈 올 때 듣기 좋은 노래", "눈이 내리는 밤", "it's snowing outside"]
)
def test_snow_said_as_it_falls(parser: Parser, text: str) -> None:
    assert "winter" in parser.query(text).tags


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("main character energy songs", "hopeful"),
        ("smth that slaps", "upbeat"),
        ("angsty songs", "sad"),
        ("lowkey sad ones", "sad"),  # "lowkey" says how much, not how calm
        ("심쿵 노래", "fluttering"),
        ("청량한 노래", "upbeat"),
        ("갬성 터지는 노래", "longing"),
        ("오열각 노래", "sad"),
    ],
)
def test_slang_and_vibe_words(parser: Parser, text: str, tag: str) -> None:
    q = parser.query(text)
    assert tag in q.tags
    if text.startswith("lowkey"):
        assert not q.energy


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("songs from the early 2000s", (2000, 2004)),
        ("late 2010s ballads", (2015, 2019)),
        ("2000년대 초반 드라마 노래", (2000, 2004)),
        ("songs from 2010 to 2015", (2010, 2015)),
        ("2010-2015 sad songs", (2010, 2015)),
        ("between 2005 and 2009", (2005, 2009)),
        ("2010년부터 2015년까지", (2010, 2015)),
    ],
)
def test_parts_of_decades_and_ranges_of_years(
    parser: Parser, text: str, years: tuple[int, int]
) -> None:
    q = parser.query(text)
    assert (q.year_from, q.year_to) == years


def test_old_eras_in_words_and_the_era_said_of_the_songs(
    parser: Parser, index: CatalogIndex
) -> None:
    old = index.max_year - 10
    for text in ("ballads from back in the day", "old-school love songs", "그 시절 감성 노래"):
        assert parser.query(text).year_to == old, text
    background = "I don't know the newer dramas well. Could you suggest some older sad songs?"
    assert parser.query(background).year_to == old
    assert parser.query("recent songs please, im tired of old dramas").year_from == (
        index.max_year - 2
    )


@pytest.mark.parametrize(
    ("text", "voice"),
    [
        ("sad song sung by a guy", "male"),
        ("please song with girl voice", "female"),
        ("a boy singing something soft", "male"),
        ("a song with a girl's voice", "female"),
        ("여자 목소리 잔잔한 노래", "female"),
        ("남자가 부르는 노래", "male"),
    ],
)
def test_who_sings_in_everyday_words(parser: Parser, text: str, voice: str) -> None:
    assert parser.query(text).voice == (voice,)


@pytest.mark.parametrize(
    ("text", "drama"),
    [
        ("눈여 노래 추천", "Queen of Tears"),  # 눈의 여왕 has far fewer songs here
        ("사불 ost 뭐 있어", "Crash Landing on You"),
        ("이클 노래", "Itaewon Class"),
        ("호델 노래 들려줘", "Hotel del Luna"),
    ],
)
def test_fans_short_forms_of_big_dramas_with_a_cue(parser: Parser, text: str, drama: str) -> None:
    assert parser.query(text).drama == drama


def test_a_short_form_needs_a_cue_and_a_known_drama(parser: Parser) -> None:
    assert parser.query("사불").drama == "Crash Landing on You"  # the whole message
    assert parser.query("사불 진짜 재밌었는데 슬픈 노래").drama is None  # no cue beside it
    assert "아유" not in parser.initials()  # an interjection, and a drama with few songs
    assert "아이" not in parser.initials()  # an everyday word (a child)


def test_a_romanised_drama_beside_a_title_pins_it(parser: Parser, index: CatalogIndex) -> None:
    for text, drama in (
        ("taeyangui huye everytime", "Descendants of the Sun"),
        ("dokkaebi stay with me plz", "Goblin"),
    ):
        said = parser.read(text)
        assert said.titles and index.tracks[said.pinned[0]].drama == drama, text


@pytest.mark.parametrize(
    ("text", "artist", "count"),
    [
        ("one wendy song pls", "Wendy", 1),
        ("2 taeyeon songs", "Taeyeon", 2),
        ("three iu songs please", "IU", 3),
        ("a few winter songs", None, 3),  # a season's word, counted, is still the season
    ],
)
def test_a_name_in_lower_case_in_a_count_phrase(
    parser: Parser, text: str, artist: str | None, count: int
) -> None:
    q = parser.query(text)
    assert (q.artist, q.count) == (artist, count)


def test_a_korean_name_that_is_a_word_alone_after_a_follow_up_opener(parser: Parser) -> None:
    assert parser.query("그럼 거미는요?").artist == "Gummy"  # the name is all it says
    assert parser.query("거미 무서워").artist is None


def test_a_number_after_episode_or_part_is_no_count(parser: Parser) -> None:
    assert parser.query("which song is playing in episode 5 of goblin").count == 1
    assert parser.query("goblin ep 3 song").count == 1
    assert parser.query("3 songs from goblin").count == 3


def test_a_topic_ending_on_a_latin_name_points_back(parser: Parser) -> None:
    # "IU는?", "Davichi는요": and IU?, like "아이유는?"; "IU 노래" asks anew.
    for text in ("IU는?", "Davichi는요?", "아이유는?"):
        assert "op:markers" in parser.read(text).signals, text
    assert "op:markers" not in parser.read("IU 노래").signals
