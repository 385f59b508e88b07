"""Conversations: follow-ups refine the last request (and say so), look-ups, likes by position,
small talk, honest fallbacks, and the last request surviving a restart."""

from __future__ import annotations

import random
from statistics import fmean

from bot.core.index import CatalogIndex
from bot.core.lexicon import lexicon
from bot.core.models import ReplyKind
from bot.core.service import Service
from bot.core.store import Store
from tests.support import ask


def _energy(index: CatalogIndex, tags: tuple[str, ...]) -> int:
    order = index.vocabulary.energies()
    return next(order.index(t) for t in tags if t in order)


async def test_a_follow_up_keeps_the_drama_and_says_what_changed(service: Service) -> None:
    first = await service.handle(ask("Goblin", user="f1"))
    assert first.cards or first.kind is ReplyKind.LOOKUP
    sad = await service.handle(ask("sad ones", user="f1"))
    assert sad.cards and all(c.track.drama == "Goblin" for c in sad.cards)
    assert all("sad" in c.track.tags for c in sad.cards)
    calmer = await service.handle(ask("calmer", user="f1"))
    assert calmer.text.startswith("Calmer, still from Goblin")
    index = service.index
    before = min(_energy(index, c.track.tags) for c in sad.cards)
    assert all(_energy(index, c.track.tags) <= before for c in calmer.cards)
    assert all(c.track.drama == "Goblin" for c in calmer.cards)


async def test_more_and_one_more_continue_without_repeats(service: Service) -> None:
    first = await service.handle(ask("2 sad songs from goblin", user="f2"))
    more = await service.handle(ask("2 more", user="f2"))
    again = await service.handle(ask("하나 더", user="f2"))
    shown = [c.track.key for r in (first, more, again) for c in r.cards]
    assert len(more.cards) == 2 and len(again.cards) == 1 and len(set(shown)) == len(shown)
    assert all(c.track.drama == "Goblin" and "sad" in c.track.tags for c in more.cards)
    assert again.locale == "ko" and again.cards[0].track.drama == "Goblin"


async def test_older_newer_and_moods_moved(service: Service) -> None:
    first = await service.handle(ask("romantic songs from 2016", user="f3"))
    older = await service.handle(ask("older ones", user="f3"))
    assert all(c.track.year < 2016 and "romantic" in c.track.tags for c in older.cards)
    newer = await service.handle(ask("newer", user="f3"))
    mean = fmean(c.track.year for c in older.cards)
    assert newer.cards and all(c.track.year > mean for c in newer.cards)
    assert first.cards
    await service.handle(ask("goblin sad ost", user="f4"))
    upbeat = await service.handle(ask("something a bit more upbeat", user="f4"))
    assert upbeat.cards and all(c.track.drama == "Goblin" for c in upbeat.cards)
    assert not any({"sad", "heartbreak"} & set(c.track.tags) for c in upbeat.cards)


async def test_same_singer_same_drama_and_more_like_a_card(service: Service) -> None:
    first = await service.handle(ask("3 songs from Itaewon Class", user="f5"))
    index = service.index
    second = first.cards[1].track
    like = await service.handle(ask("more like the second one", user="f5"))
    moods = set(index.moods_of(index.by_key[second.key]))
    assert like.cards and all(moods & set(c.track.tags) for c in like.cards)
    assert all(c.track.key != second.key for c in like.cards)
    one = await service.handle(ask("one song from Crash Landing on You", user="f6"))
    acts = index.credit(one.cards[0].track.artist)
    same = await service.handle(ask("more by the same singer", user="f6"))
    if same.cards:
        assert all(any(a in index.credit(c.track.artist) for a in acts) for c in same.cards)
    else:
        assert same.kind is ReplyKind.HINT  # that was the only song by them
    # "this drama" is the drama of the song just shown.
    this = same.cards[0].track.drama if same.cards else "Crash Landing on You"
    drama = await service.handle(ask("more from this drama", user="f6"))
    assert drama.cards and all(c.track.drama == this for c in drama.cards)


async def test_likes_and_dislikes_by_position_in_both_languages(service: Service) -> None:
    first = await service.handle(ask("로맨틱한 노래 세 곡 추천해줘", user="f7"))
    second = first.cards[1].track.key
    reply = await service.handle(ask("2번 싫어요", user="f7"))
    assert reply.kind is ReplyKind.FEEDBACK and reply.locale == "ko"
    assert (await service.users.get("console:f7")).feedback[second] == -1
    reply = await service.handle(ask("love the first one!", user="f7"))
    assert (await service.users.get("console:f7")).feedback[first.cards[0].track.key] == 1
    assert reply.kind is ReplyKind.FEEDBACK


async def test_not_that_one_dislikes_it_and_picks_the_next(service: Service) -> None:
    first = await service.handle(ask("recommend a romantic song", user="f8"))
    key = first.cards[0].track.key
    nxt = await service.handle(ask("not that one", user="f8"))
    assert nxt.cards and nxt.cards[0].track.key != key
    assert "romantic" in nxt.cards[0].track.tags
    assert (await service.users.get("console:f8")).feedback[key] == -1


async def test_a_song_looked_up_and_its_namesakes_offered(service: Service) -> None:
    reply = await service.handle(ask("who sings Stay With Me", user="f9"))
    assert reply.kind is ReplyKind.LOOKUP and reply.cards[0].track.title == "Stay With Me"
    others = [a for a in reply.actions if a.kind == "song"]
    assert len(others) == 2 and "YooA" in reply.text and "Huh Gak" in reply.text
    picked = await service.handle(ask("the one from Tale of the Nine-Tailed", user="f9"))
    assert picked.cards[0].track.artist == "YooA"
    button = await service.handle(
        ask("", user="f9").__class__(
            platform="console", user_id="f9", chat_id="c1", action=others[0].id
        )
    )
    assert button.kind is ReplyKind.LOOKUP and button.cards[0].track.title == "Stay With Me"


async def test_a_name_that_is_two_things_says_so_and_offers_the_other(service: Service) -> None:
    reply = await service.handle(ask("Punch OST", user="g1"))
    other = [a for a in reply.actions if a.kind == "other"]
    assert reply.cards and other and "singer" in reply.text
    singer = await service.handle(ask("I mean the singer", user="g1"))
    index = service.index
    assert all(index.by_key[c.track.key] in index.artist_track_sets["Punch"] for c in singer.cards)


async def test_small_talk_and_honest_fallbacks(service: Service) -> None:
    for text, locale in (
        ("hi", "en"),
        ("ㅋㅋㅋ", "ko"),
        ("what is an OST?", "en"),
        ("고마워", "ko"),
    ):
        reply = await service.handle(ask(text, user="g2"))
        assert reply.kind is ReplyKind.SMALLTALK and not reply.cards and reply.locale == locale
    lost = await service.handle(ask("asdfghjkl qwerty", user="g2"))
    assert lost.kind is ReplyKind.HINT and not lost.cards
    assert lost.text.count('"') >= 6  # three requests that would work, quoted
    ko = await service.handle(ask("뭐라는 거야 이게", user="g2"))
    assert ko.locale == "ko" and not ko.cards


async def test_a_korean_reply_speaks_korean(service: Service) -> None:
    reply = await service.handle(ask("백현 노래", user="g3"))
    assert reply.locale == "ko" and "백현의" in reply.text and "Baekhyun의" not in reply.text
    reply = await service.handle(ask("좋아요", user="g3"))
    assert "을(를)" not in reply.text and "은(는)" not in reply.text


async def test_the_last_request_survives_a_restart(store: Store) -> None:
    first = await Service.create(store, rng=random.Random(5))
    await first.handle(ask("sad songs from Goblin", user="r1"))
    await first.close()  # everything written
    second = await Service.create(store, rng=random.Random(6))
    reply = await second.handle(ask("calmer", user="r1"))
    assert reply.text.startswith("Calmer, still from Goblin")
    assert reply.cards and all(c.track.drama == "Goblin" for c in reply.cards)
    again = await second.handle(ask("one more", user="r1"))
    assert again.cards and again.cards[0].track.drama == "Goblin"
    await second.close()


async def test_dramas_list_by_year_network_and_page(service: Service) -> None:
    by_year = await service.handle(ask("dramas 2016"))
    assert "Goblin" in by_year.text and "Lovely Runner" not in by_year.text
    kbs = await service.handle(ask("dramas KBS"))
    on_kbs = [d for d in service.index.dramas.values() if d.network.startswith("KBS")]
    first = min(on_kbs, key=lambda d: (d.year, d.title)).title  # the list is by year
    assert first in kbs.text and "Goblin" not in kbs.text
    page2 = await service.handle(ask("dramas page 2"))
    assert "Full House" not in page2.text and "(page 2 of" in page2.text
    ko = await service.handle(ask("드라마 목록"))
    assert ko.locale == "ko" and "Full House" in ko.text


async def test_asking_what_there_is_gets_the_list(service: Service) -> None:
    index = service.index
    for text, title in (
        ("what OSTs has Taeyeon done?", "Taeyeon"),
        ("10cm ost 뭐 있어?", "10CM"),
        ("크러쉬 OST 뭐 있어?", "Crush"),  # a name that is also a word, listed by its name
        ("hotel del luna ost list", "Hotel del Luna"),
        ("이태원 클라쓰 ost 전곡 알려줘", "Itaewon Class"),
        ("헤이즈가 부른 드라마 노래 알려줘", "Heize"),
        ("what's on the goblin soundtrack", "Goblin"),
        ("show me all IU songs", "IU"),
        ("도깨비 노래 전부", "Goblin"),
    ):
        reply = await service.handle(ask(text, user="l1"))
        assert reply.kind is ReplyKind.LOOKUP and not reply.cards, text
        assert reply.title == title
        songs = index.drama_tracks.get(title) or index.artist_tracks[title]
        assert sum(index.tracks[i].title in reply.text for i in songs) >= min(3, len(songs))
    # A mood asks for a pick, even with a question.
    sad = await service.handle(ask("슬픈 노래 뭐 있어?", user="l2"))
    assert sad.kind is ReplyKind.RECOMMENDATION and sad.cards


async def test_dramas_and_moods_listed_in_words(service: Service) -> None:
    page2 = await service.handle(ask("page 2 of the drama list"))
    assert "(page 2 of" in page2.text and "Full House" not in page2.text
    by_year = await service.handle(ask("2016년 드라마 뭐 있어?"))
    assert by_year.kind is ReplyKind.INFO and "Goblin" in by_year.text
    assert "Full House" not in by_year.text
    moods = await service.handle(ask("what moods do you know"))
    assert moods.kind is ReplyKind.INFO and "healing" in moods.text
    # The words around a year or a page are not filters: "from", "보여줘".
    from_2016 = await service.handle(ask("dramas from 2016"))
    assert "Goblin" in from_2016.text and "Full House" not in from_2016.text
    page2 = await service.handle(ask("드라마 목록 2페이지 보여줘"))
    assert "(2/" in page2.text and "Full House" not in page2.text
    page3 = await service.handle(ask("drama list page 3"))  # the drama command, in passing
    assert page3.kind is ReplyKind.INFO and "(page 3 of" in page3.text
    kinds = await service.handle(ask("무드 종류 알려줘"))
    assert kinds.kind is ReplyKind.INFO and "힐링" in kinds.text


async def test_a_song_described_by_its_artist_drama_or_title_is_looked_up(
    service: Service,
) -> None:
    for text, title, artist in (
        ("the gummy song from hotel del luna", "Remember Me", "Gummy"),
        ("crush's song in goblin", "Beautiful", "Crush"),
        ("what's the iu one from crash landing on you", "I Give You My Heart", "IU"),
        ("Beautiful ost crush", "Beautiful", "Crush"),  # title and artist, "ost" between
        ("눈물의 여왕 크러쉬 노래", "Love You With All My Heart", "Crush"),
        ("hotel del luna song with remember in the title", "Remember Me", "Gummy"),
    ):
        reply = await service.handle(ask(text, user="d1"))
        assert reply.kind is ReplyKind.LOOKUP, text
        assert (reply.cards[0].track.title, reply.cards[0].track.artist) == (title, artist)
    snow = await service.handle(ask("the goblin song with snow in the title", user="d2"))
    titles = {"The First Snow", "I Will Go to You Like the First Snow"}
    assert snow.cards[0].track.title in titles and snow.cards[0].track.drama == "Goblin"
    other = (titles - {snow.cards[0].track.title}).pop()
    assert other in snow.text and any(a.kind == "song" for a in snow.actions)  # also fits
    none = await service.handle(ask("the goblin song with dog in the title", user="d2"))
    assert none.kind is ReplyKind.HINT and '"dog"' in none.text and not none.cards
    # Many songs fit, or a mood is asked: picks, not a look-up.
    picks = await service.handle(ask("sad songs by crush from goblin", user="d3"))
    assert picks.kind is ReplyKind.RECOMMENDATION


async def test_a_follow_up_that_names_only_a_name(service: Service) -> None:
    index = service.index
    # The same kind: another singer, the same request (still sad).
    await service.handle(ask("sad songs by heize", user="n1"))
    other = await service.handle(ask("what about davichi", user="n1"))
    assert other.cards and other.text.startswith("Now by Davichi")
    davichi = {"Davichi", *index.group_members.get("Davichi", ())}
    assert all(set(index.credit(c.track.artist)) & davichi for c in other.cards)
    # The other kind: their song in that drama.
    await service.handle(ask("태연 노래 추천", user="n2"))
    both = await service.handle(ask("호텔 델루나 거", user="n2"))
    assert [(c.track.title, c.track.drama) for c in both.cards] == [
        ("All About You", "Hotel del Luna")
    ]
    await service.handle(ask("hotel del luna songs", user="n3"))
    heize = await service.handle(ask("the heize one?", user="n3"))
    assert heize.cards[0].track.title == "Can You See My Heart"
    # A mood only: the names stay.
    await service.handle(ask("백지영 노래", user="n4"))
    sad = await service.handle(ask("이별 노래로", user="n4"))
    assert sad.cards and all(c.track.artist == "Baek Ji-young" for c in sad.cards)
    assert all("heartbreak" in c.track.tags for c in sad.cards)
    # After a list, a name alone is its list, or the song it shares with the last name.
    await service.handle(ask("10cm ost 뭐 있어?", user="n6"))
    listed = await service.handle(ask("헤이즈는?", user="n6"))
    assert listed.kind is ReplyKind.LOOKUP and listed.title == "Heize"
    await service.handle(ask("10cm ost 뭐 있어?", user="n7"))
    goblin = await service.handle(ask("the goblin one", user="n7"))
    assert (goblin.cards[0].track.title, goblin.cards[0].track.artist) == ("My Eyes", "10CM")
    await service.handle(ask("백지영 노래 추천", user="n5"))
    topic = await service.handle(ask("다비치는?", user="n5"))
    assert topic.cards and topic.text.startswith("이번엔")


async def test_a_rejection_dislikes_and_picks_the_next(service: Service) -> None:
    for n, (first_text, reject) in enumerate(
        (
            ("a sad song", "nah"),
            ("도깨비 노래 하나", "별로"),
            ("healing song", "nope"),
            ("a romantic song", "this one's boring"),
        )
    ):
        user = f"j{n}"
        first = await service.handle(ask(first_text, user=user))
        key = first.cards[0].track.key
        nxt = await service.handle(ask(reject, user=user))
        assert nxt.kind is ReplyKind.RECOMMENDATION and nxt.cards, reject
        assert nxt.cards[0].track.key != key
        assert (await service.users.get(f"console:{user}")).feedback[key] == -1
    # After several songs "nah" says none of them, not which: the next ones, nothing disliked.
    await service.handle(ask("3 sad songs", user="j9"))
    more = await service.handle(ask("nah", user="j9"))
    assert len(more.cards) == 3
    assert not (await service.users.get("console:j9")).feedback
    # A dislike said outright is only that.
    await service.handle(ask("a sad song", user="j8"))
    assert (await service.handle(ask("싫어요", user="j8"))).kind is ReplyKind.FEEDBACK


async def test_a_command_word_said_in_passing_does_not_take_over(service: Service) -> None:
    for text in (
        "im bored again, play something",  # "again" is no "another"
        "play something",
        "drama recommendations with good osts",  # "drama" is no drama command here
        "help me find a song for my wedding",
    ):
        reply = await service.handle(ask(text, user="k1"))
        assert reply.kind is ReplyKind.RECOMMENDATION and reply.cards, text
    # After a request, a follow-up word in passing does not carry the last request over.
    await service.handle(ask("songs by IU", user="k2"))
    energy = await service.handle(ask("ugh monday again... need energy", user="k2"))
    assert energy.cards and all(c.track.artist != "IU" for c in energy.cards)
    assert all({"upbeat", "hopeful", "epic"} & set(c.track.tags) for c in energy.cards)
    # ...while one at the start or the end still does.
    await service.handle(ask("sad goblin songs", user="k3"))
    more = await service.handle(ask("one more sad song", user="k3"))
    assert more.cards and more.cards[0].track.drama == "Goblin"
    info = await service.handle(ask("info on goblin ost", user="k4"))
    assert info.kind is ReplyKind.LOOKUP and info.title == "Goblin"


async def test_thanks_that_praise_are_thanks_unless_a_song_is_meant(service: Service) -> None:
    first = await service.handle(ask("a sad song", user="t1"))
    assert len(first.cards) == 1
    for text in ("This was perfect, thank you so much.", "perfect, thanks"):
        reply = await service.handle(ask(text, user="t1"))
        assert reply.kind is ReplyKind.SMALLTALK
    state = await service.users.get("console:t1")
    assert not state.feedback  # nothing was liked on the way
    liked = await service.handle(ask("love it, thanks!", user="t1"))  # "it": the song
    assert liked.kind is ReplyKind.FEEDBACK
    assert (await service.users.get("console:t1")).feedback == {first.cards[0].track.key: 1}


async def test_a_greeting_then_a_request_is_a_new_request(service: Service) -> None:
    await service.handle(ask("sad songs from goblin", user="t2"))
    reply = await service.handle(ask("hello! any recs for a lazy sunday?", user="t2"))
    assert reply.kind is ReplyKind.RECOMMENDATION and reply.cards
    assert not any(c.track.drama == "Goblin" for c in reply.cards)  # not a follow-up


async def test_praise_or_a_pan_beside_an_ordinal_rates_that_card(service: Service) -> None:
    for user, ask_for, said, card, value in (
        ("p1", "3 romantic songs", "the first one is so my style", 0, 1),
        ("p2", "3 upbeat songs", "2nd one is daebak!!", 1, 1),
        ("p3", "설레는 노래 3곡", "첫번째 거 완전 내 스타일", 0, 1),  # 스타일 here is no drama
        ("p4", "신나는 노래 3개", "두번째 노래 미쳤다", 1, 1),
        ("p5", "3 healing songs", "last one kinda mid", 2, -1),
    ):
        shown = await service.handle(ask(ask_for, user=user))
        assert len(shown.cards) == 3
        reply = await service.handle(ask(said, user=user))
        assert reply.kind is ReplyKind.FEEDBACK, said
        feedback = (await service.users.get(f"console:{user}")).feedback
        assert feedback == {shown.cards[card].track.key: value}, said


async def test_praise_said_of_nothing_rates_nothing(service: Service) -> None:
    await service.handle(ask("3 sad songs", user="p6"))
    for said in ("daebak bot", "beautiful songs please"):
        reply = await service.handle(ask(said, user="p6"))
        assert reply.kind is not ReplyKind.FEEDBACK, said
    assert not (await service.users.get("console:p6")).feedback


async def test_follow_ups_in_other_words(service: Service) -> None:
    # A name with a polite topic particle and a question replaces the singer.
    await service.handle(ask("다비치 노래 추천해줘", user="q1"))
    reply = await service.handle(ask("태연은요?", user="q1"))
    assert reply.cards and all(c.track.artist == "Taeyeon" for c in reply.cards)
    # "none from X" said later adds an exclusion; the moods stay.
    await service.handle(ask("sad songs pls", user="q2"))
    reply = await service.handle(ask("none from goblin tho", user="q2"))
    assert reply.cards and all(c.track.drama != "Goblin" for c in reply.cards)
    assert all("sad" in c.track.tags for c in reply.cards)
    # Songs like the one shown, from the drama named.
    first = await service.handle(ask("one song from descendants of the sun", user="q3"))
    reply = await service.handle(ask("anything similar from Goblin?", user="q3"))
    assert reply.cards and all(c.track.drama == "Goblin" for c in reply.cards)
    assert reply.text.startswith(f"Songs like {first.cards[0].track.title}, now from Goblin")
    # A season's feel is that season, added to the moods kept.
    await service.handle(ask("로맨틱한 노래 추천해주세요", user="q4"))
    reply = await service.handle(ask("겨울 느낌으로요", user="q4"))
    assert reply.cards and all({"winter", "romantic"} <= set(c.track.tags) for c in reply.cards)
    # "recent ones" are the catalog's recent years, as in a first message.
    newest = service.index.max_year
    await service.handle(ask("romantic songs please", user="q5"))
    reply = await service.handle(ask("recent ones?", user="q5"))
    assert reply.cards and all(c.track.year >= newest - 2 for c in reply.cards)


async def test_lists_and_the_catalog_asked_for_in_other_words(service: Service) -> None:
    for text, drama in (
        ("도깨비 노래 제목들 좀 알려주세요", "Goblin"),
        ("눈물의 여왕에 나온 노래들", "Queen of Tears"),
    ):
        reply = await service.handle(ask(text))
        assert reply.kind is ReplyKind.LOOKUP and not reply.cards, text
        assert drama in reply.text or service.index.dramas[drama].title_ko in reply.text
    dramas = await service.handle(ask("어떤 드라마들 있는지 보여줘"))
    assert dramas.kind is ReplyKind.INFO and "가을동화" in dramas.text  # the first page
    collection = await service.handle(ask("Which dramas are in your collection?"))
    assert collection.kind is ReplyKind.INFO and "Autumn in My Heart" in collection.text
    moods = await service.handle(ask("무슨 분위기로 추천 가능해?"))
    assert moods.kind is ReplyKind.INFO and "힐링" in moods.text
    catalog = await service.handle(ask("whats in ur catalog"))
    assert catalog.kind is ReplyKind.INFO and not catalog.cards
    # Asking for picks is still picks: a mood said, or "something sad".
    picks = await service.handle(ask("do you have anything sad from goblin"))
    assert picks.kind is ReplyKind.RECOMMENDATION and picks.cards


async def test_more_of_an_energy_is_calmer_or_livelier_and_says_so(service: Service) -> None:
    await service.handle(ask("신나는 노래 3곡", user="e1"))
    reply = await service.handle(ask("감사합니다~ 좀 더 잔잔한 것도 있을까요?", user="e1"))
    assert reply.text.startswith("더 잔잔한 곡으로 골랐어요")
    assert reply.cards and all("low-energy" in c.track.tags for c in reply.cards)


async def test_thanks_that_say_how_one_feels_and_moods_said_after_an_occasion(
    service: Service,
) -> None:
    await service.handle(ask("위로되는 노래 하나만요", user="h1"))
    reply = await service.handle(ask("고마워요 덕분에 힘이 나네요", user="h1"))
    assert reply.kind is ReplyKind.SMALLTALK and not reply.cards
    # What an occasion left out gives way to a mood said later.
    await service.handle(ask("cheer me up pls", user="h2"))
    sad = await service.handle(ask("sad ones now", user="h2"))
    assert sad.cards and all("sad" in c.track.tags for c in sad.cards)


async def test_a_rejection_with_a_change_dislikes_and_changes(service: Service) -> None:
    first = await service.handle(ask("잔잔한 노래 하나", user="r1"))
    reply = await service.handle(ask("ㄴㄴ 좀 더 신나는 거", user="r1"))
    assert reply.cards and all("low-energy" not in c.track.tags for c in reply.cards)
    feedback = (await service.users.get("console:r1")).feedback
    assert feedback == {first.cards[0].track.key: -1}


async def test_a_place_the_last_reply_did_not_have_is_said_not_guessed(
    service: Service,
) -> None:
    """ "2번 좋아요" after a reply of one song likes nothing: the reply says it had one song,
    in the user's language; the same after several songs names how many."""
    for text, user, lang in (
        ("2번 좋아요", "o1", "ko"),
        ("like the second one", "o2", "en"),
        ("i love the 2nd one", "o3", "en"),
        ("like 2", "o4", "en"),
    ):
        await service.handle(ask("a sad song from goblin", user=user))
        reply = await service.handle(ask(text, user=user))
        assert reply.kind is ReplyKind.HINT and reply.locale == lang, text
        assert (await service.users.get(f"console:{user}")).feedback == {}, text
    await service.handle(ask("3 sad songs from goblin", user="o5"))
    reply = await service.handle(ask("5번 싫어요", user="o5"))
    assert reply.kind is ReplyKind.HINT and "3" in reply.text
    assert (await service.users.get("console:o5")).feedback == {}
    # Songs like one it did not have: the same, with no like to teach.
    await service.handle(ask("3 sad songs from goblin", user="o6"))
    reply = await service.handle(ask("more like the fourth one", user="o6"))
    assert reply.kind is ReplyKind.HINT and "3" in reply.text and '"like' not in reply.text


async def test_a_rejection_with_a_new_request_dislikes_and_asks(service: Service) -> None:
    for first, text, drama in (
        ("a song from goblin", "nah, something from hotel del luna", "Hotel del Luna"),
        ("도깨비 노래 한 곡", "별로, 호텔 델루나 노래 추천해줘", "Hotel del Luna"),
        ("one song from hotel del luna", "nope. give me something from goblin", "Goblin"),
    ):
        user = f"n-{first}"
        shown = await service.handle(ask(first, user=user))
        reply = await service.handle(ask(text, user=user))
        assert reply.cards and all(c.track.drama == drama for c in reply.cards), text
        feedback = (await service.users.get(f"console:{user}")).feedback
        assert feedback == {shown.cards[0].track.key: -1}, text


async def test_a_request_of_its_own_replaces_the_last_one(service: Service) -> None:
    """A message that says what it asks for (a song noun or a request word with something
    asked) is a new request; fragments, comparatives and "same but" change the last one."""
    await service.handle(ask("popular sad OSTs", user="c1"))
    reply = await service.handle(ask("female singer ballads", user="c1"))
    assert not reply.text.startswith("Now") and "female" in reply.text.splitlines()[0]
    assert reply.cards and all("upbeat" not in c.track.tags for c in reply.cards)
    await service.handle(ask("인기 있는 슬픈 노래", user="c2"))
    reply = await service.handle(ask("여자 가수 발라드", user="c2"))
    assert not reply.text.startswith("이번엔") and "여자" in reply.text.splitlines()[0]
    # A look-up, then an artist's songs: their songs, not the song looked up again.
    await service.handle(ask("who sang Stay With Me", user="c3"))
    reply = await service.handle(ask("songs by Punch", user="c3"))
    assert reply.kind is ReplyKind.RECOMMENDATION and len(reply.cards) >= 2
    assert all("Punch" in service.index.credit(c.track.artist) for c in reply.cards)
    await service.handle(ask("who sang Stay With Me", user="c4"))
    reply = await service.handle(ask("something from hotel del luna", user="c4"))
    assert reply.cards and all(c.track.drama == "Hotel del Luna" for c in reply.cards)
    # ...while a fragment still refines: "ballads" alone keeps the singer.
    await service.handle(ask("songs by Gummy", user="c5"))
    reply = await service.handle(ask("ballads only", user="c5"))
    assert reply.cards and all("Gummy" in c.track.artist for c in reply.cards)
    await service.handle(ask("who sang Stay With Me", user="c6"))
    reply = await service.handle(ask("the Huh Gak one", user="c6"))
    assert reply.kind is ReplyKind.LOOKUP and reply.cards[0].track.artist == "Huh Gak"
    # Words that only open the message ("ok now") point back at nothing; "more" with a name
    # and a song noun is that name's songs.
    for user, first, text, voice in (
        ("c7", "songs by Paul Kim", "ok now ballads by female singers pls", "female"),
        ("c8", "who sings stay with me?", "show me more songs by punch pls", ""),
    ):
        await service.handle(ask(first, user=user))
        reply = await service.handle(ask(text, user=user))
        assert reply.kind is ReplyKind.RECOMMENDATION and len(reply.cards) >= 2, text
        index = service.index
        if voice:
            need = index.mask_of((voice,))
            masks = [index.masks[index.by_key[c.track.key]] for c in reply.cards]
            assert all(m & need == need for m in masks), text
        else:
            assert all("Punch" in index.credit(c.track.artist) for c in reply.cards), text
    # After a song looked up, songs of a name ("more by crush", "songs by Punch instead")
    # are picks of theirs, not another song of that title.
    for user, first, text, act in (
        ("c10", "who sang Beautiful", "more by crush", "Crush"),
        ("c11", "who sang Beautiful", "songs by Punch instead", "Punch"),
    ):
        await service.handle(ask(first, user=user))
        reply = await service.handle(ask(text, user=user))
        assert reply.kind is ReplyKind.RECOMMENDATION and reply.cards, text
        assert all(act in service.index.credit(c.track.artist) for c in reply.cards), text
        assert all(c.track.title != "Beautiful" for c in reply.cards), text
    # ...and "ok, sad ones" still changes the last request.
    await service.handle(ask("songs by Gummy", user="c9"))
    reply = await service.handle(ask("ok, sad ones", user="c9"))
    assert reply.cards and all("Gummy" in c.track.artist for c in reply.cards)


async def test_newer_at_the_newest_songs_says_so(service: Service) -> None:
    """ "Newer" after the newest songs there are: nothing newer, said so (not the oldest
    songs "because the catalog starts in 2000"); a first request for years after the catalog
    gets its latest songs, said that way round."""
    newest = service.index.max_year
    for first, text, lang in (
        (f"songs from {newest}", "newer", "en"),
        (f"{newest}년 노래", "더 최근 거", "ko"),
        (f"{newest}년 OST 추천해줘", "더 최근 걸로", "ko"),
    ):
        user = f"y-{first}"
        await service.handle(ask(first, user=user))
        reply = await service.handle(ask(text, user=user))
        assert reply.kind is ReplyKind.HINT and not reply.cards, text
        assert str(service.index.min_year) not in reply.text and reply.locale == lang, text
        assert "  " not in reply.text and reply.text == reply.text.strip(), text
    later = await service.handle(ask(f"songs from {newest + 2}", user="y2"))
    assert later.cards and all(c.track.year >= newest - 1 for c in later.cards)
    assert str(service.index.min_year) not in later.text and str(newest) in later.text


async def test_weary_of_an_era_asks_for_the_other_and_thanks_with_a_feeling_thank(
    service: Service,
) -> None:
    old_until = service.index.max_year - lexicon().era_years["old"]
    for user, first, text in (
        ("w1", "sad songs", "I'm tired of old dramas"),
        ("w2", "sad songs", "ugh im sick of old songs"),
        ("w3", "슬픈 노래", "옛날 노래 질렸어"),
        ("w4", None, "옛날 드라마 지겨워"),
        ("w5", "romantic songs", "i'm so over old kdramas"),
    ):
        if first:
            await service.handle(ask(first, user=user))
        reply = await service.handle(ask(text, user=user))
        assert reply.kind is ReplyKind.RECOMMENDATION and reply.cards, text
        assert all(c.track.year > old_until for c in reply.cards), text
        assert "tired" not in reply.text and "지친" not in reply.text, text
    for user, text in (("t1", "thank you, I feel better now"), ("t2", "thanks, that helped")):
        await service.handle(ask("sad songs", user=user))
        reply = await service.handle(ask(text, user=user))
        assert reply.kind is ReplyKind.SMALLTALK and not reply.cards, text
    # ...while thanks with a change of moods still changes them.
    await service.handle(ask("sad songs", user="t3"))
    reply = await service.handle(ask("thank you! happy ones now", user="t3"))
    assert reply.kind is ReplyKind.RECOMMENDATION and reply.cards


async def test_korean_follow_ups_say_what_changed_in_korean_word_order(service: Service) -> None:
    """ "도깨비 노래 중에서 더 신나는 곡으로 골랐어요:", not English word order in Korean words
    ("더 신나는 곡으로, 여전히 도깨비의:")."""
    for user, first, text in (
        ("k1", "도깨비 슬픈 노래", "좀 더 잔잔한 걸로"),
        ("k2", "도깨비 노래 3곡", "더 슬픈 거"),
        ("k3", "아이유 노래", "더 옛날 거"),
    ):
        await service.handle(ask(first, user=user))
        reply = await service.handle(ask(text, user=user))
        intro = reply.text.splitlines()[-1] if reply.cards else reply.text
        assert reply.locale == "ko" and reply.cards, text
        assert "여전히" not in reply.text and intro.endswith("골랐어요:"), intro
        assert intro.startswith(("도깨비의 노래 중에서", "아이유의 노래 중에서")), intro


async def test_the_korean_drama_list_teaches_the_korean_command_and_it_works(
    service: Service,
) -> None:
    first = await service.handle(ask("드라마 목록"))
    hint = first.text.splitlines()[-1]
    assert "dramas" not in hint and "drama " not in hint
    said = hint.split('"')[1]  # the words it teaches for the next page
    assert said.endswith(" 2")
    second = await service.handle(ask(said))
    assert second.locale == "ko" and "(2/" in second.text.splitlines()[0]
    assert second.text.splitlines()[1] not in first.text


async def test_a_small_pool_never_gives_a_song_twice_in_a_row(service: Service) -> None:
    """ "popular female ballads", "calmer", then "not that one" again and again: never a song
    already shown; the well-known songs used up, the reply says it picked lesser-known ones."""
    seen: list[str] = []
    replies = []
    for text in ("popular female ballads", "calmer", *["not that one"] * 6):
        reply = await service.handle(ask(text, user="s1"))
        keys = [c.track.key for c in reply.cards]
        assert reply.cards and not set(keys) & set(seen), text
        seen += keys
        replies.append(reply)
    assert any("heard every well-known" in r.text for r in replies)
    assert not any("starting the list over" in r.text for r in replies)
    # An artist with two songs: "another" after both says so, in the user's language.
    for user, first, more, lang in (
        ("s2", "songs by Jeon Mi-do", "another", "en"),
        ("s3", "전미도 노래 2곡", "다른 거", "ko"),
    ):
        shown = await service.handle(ask(first, user=user))
        assert len(shown.cards) == 2
        again = await service.handle(ask(more, user=user))
        assert again.kind is ReplyKind.HINT and not again.cards and again.locale == lang
        assert "2" in again.text


async def test_hesitation_or_a_jamo_mash_after_a_request_is_no_another(service: Service) -> None:
    # "hmm", "음..", "ㅁㄴㅇㄹ": a hint and no songs; the request is kept for "another".
    first = await service.handle(ask("sad songs from goblin", user="h1"))
    said = (
        "hmm",
        "hmmm...",
        "umm",
        "well",
        "흠",
        "음..",
        "ㅁㄴㅇㄹ",
        "ㅇㄹㅇㄹㄴ",
        "🤔",
        "...",
        "hmm?",
    )
    for text in said:
        reply = await service.handle(ask(text, user="h1"))
        assert reply.kind is ReplyKind.SMALLTALK and not reply.cards, text
        assert "another" in reply.text or "하나 더" in reply.text, text
    more = await service.handle(ask("another", user="h1"))
    assert more.cards and all(c.track.drama == "Goblin" for c in more.cards)
    shown = {c.track.key for c in first.cards}
    assert not shown & {c.track.key for c in more.cards}
    # Yes and okay in jamo stay what they were; with nothing asked, "hmm" is not understood.
    assert (await service.handle(ask("ㅇㅋ", user="h1"))).kind is ReplyKind.SMALLTALK
    assert (await service.handle(ask("ㅇㅋㅇㅋ", user="h1"))).kind is ReplyKind.SMALLTALK
    go_on = await service.handle(ask("ㄱㄱ", user="h1"))  # "go go": the next picks
    assert go_on.cards and all(c.track.drama == "Goblin" for c in go_on.cards)
    # Hesitation before a follow-up leaves it a follow-up.
    iu = await service.handle(ask("well, what about IU?", user="h1"))
    assert iu.cards and all("IU" in c.track.artist for c in iu.cards)
    alone = await service.handle(ask("hmm", user="h2"))
    assert alone.kind is not ReplyKind.SMALLTALK and not alone.cards
    # A question mark alone asks how to ask, as before; a like emoji still likes.
    assert (await service.handle(ask("?", user="h1"))).kind is not ReplyKind.SMALLTALK
    assert (await service.handle(ask("👍", user="h1"))).kind is ReplyKind.FEEDBACK


async def test_a_name_alone_with_no_songs_together_takes_its_place(service: Service) -> None:
    # IU sings nothing in Goblin: "what about IU?" is IU's sad songs, and says why.
    await service.handle(ask("sad songs from goblin", user="w1"))
    iu = await service.handle(ask("what about IU?", user="w1"))
    assert iu.cards and all("IU" in c.track.artist for c in iu.cards)
    assert all(c.track.drama != "Goblin" and "sad" in c.track.tags for c in iu.cards)
    assert iu.text.startswith("IU has no songs in Goblin")
    await service.handle(ask("태연 노래 추천", user="w2"))
    goblin = await service.handle(ask("도깨비는요?", user="w2"))
    assert goblin.cards and all(c.track.drama == "Goblin" for c in goblin.cards)
    assert goblin.text.startswith("도깨비에는 태연의 노래가 없어서")
    await service.handle(ask("songs by Davichi", user="w4"))
    pointed = await service.handle(ask("what about the goblin one", user="w4"))
    assert pointed.text.startswith("Davichi has no songs in Goblin, so now from Goblin")
    assert pointed.cards and all(c.track.drama == "Goblin" for c in pointed.cards)
    # Davichi sings in Crash Landing on You: the two together, as before.
    await service.handle(ask("songs from crash landing on you", user="w3"))
    both = await service.handle(ask("how about davichi?", user="w3"))
    assert both.cards and all(
        c.track.drama == "Crash Landing on You" and "Davichi" in c.track.artist for c in both.cards
    )


async def test_a_mood_let_go_is_not_claimed_by_the_follow_up_intro(service: Service) -> None:
    index = service.index

    # A singer with calm songs and livelier ones, none of them upbeat: after the calm ones,
    # "more upbeat" has to let the mood go.
    def fits(ids: frozenset[int]) -> bool:
        tags = [index.tracks[i].tags for i in ids]
        return (
            not any("upbeat" in t for t in tags)
            and any("low-energy" in t for t in tags)
            and any("low-energy" not in t for t in tags)
        )

    name = next(a for a, ids in sorted(index.artist_track_sets.items()) if fits(ids))
    await service.handle(ask(f"one calm song by {name}", user="let-go"))
    reply = await service.handle(ask("more upbeat", user="let-go"))
    assert reply.cards and not any("upbeat" in c.track.tags for c in reply.cards)
    intro = reply.text.splitlines()
    assert intro[0].startswith("No upbeat songs")  # the note says what was let go ...
    assert not any(line.startswith("More upbeat") for line in intro)  # ... and nothing unsays it
