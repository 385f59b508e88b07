"""Every command through Service.handle, in English and Korean, and hostile input."""

from __future__ import annotations

import random
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.commands import Arg
from bot.core.models import ReplyKind, Request
from bot.core.render import render_plain
from bot.core.service import Service
from bot.core.store import Store
from bot.core.text import MAX_INPUT_CHARS
from tests.support import ask


async def test_recommendation_card_has_everything(service: Service) -> None:
    reply = await service.handle(ask("a sad OST from Goblin"))
    assert reply.kind is ReplyKind.RECOMMENDATION and len(reply.cards) == 1
    card = reply.cards[0]
    assert card.track.drama == "Goblin" and "sad" in card.track.tags
    assert card.reason.startswith("sad · Goblin (")
    urls = [link.url for link in card.links]
    assert urls[0].startswith("https://www.youtube.com/results?search_query=")
    assert urls[1].startswith("https://open.spotify.com/search/")
    assert {a.kind for a in card.actions} == {"like", "dislike"}
    assert reply.actions[0].kind == "another"
    text = render_plain(reply)
    assert card.track.title in text and card.track.artist in text and "Why:" in text


async def test_korean_request_gets_a_korean_reply(service: Service) -> None:
    reply = await service.handle(ask("힐링 OST 추천해줘"))
    assert reply.locale == "ko" and "추천" in reply.text and reply.cards
    assert "healing" in reply.cards[0].track.tags
    assert "힐링" in reply.cards[0].reason


async def test_platform_locale_is_the_fallback(service: Service) -> None:
    reply = await service.handle(ask("2016", locale="ko-KR"))
    assert reply.locale == "ko"
    reply = await service.handle(ask("2016", locale="en-US"))
    assert reply.locale == "en"


async def test_another_continues_the_last_request_without_repeats(service: Service) -> None:
    first = await service.handle(ask("songs from Goblin", user="a"))
    seen = {c.track.key for c in first.cards}
    for _ in range(3):
        more = await service.handle(ask("another", user="a"))
        assert all(c.track.drama == "Goblin" for c in more.cards)
        keys = {c.track.key for c in more.cards}
        assert not keys & seen
        seen |= keys


async def test_pool_used_up_says_so(service: Service) -> None:
    drama = "Dr. Romantic 2"
    n = len(service.index.drama_tracks[drama])
    first = await service.handle(
        ask(f"{n} songs from {drama}" if n <= 5 else f"songs from {drama}")
    )
    replies = [first, *[await service.handle(ask("another")) for _ in range(n)]]
    assert any("heard every song" in r.text or "starting the list over" in r.text for r in replies)
    # Used up or starting over, never a song of the last three replies.
    shown = [{c.track.key for c in r.cards} for r in replies]
    for k, keys in enumerate(shown):
        assert not keys & set().union(*shown[max(0, k - 3) : k]), k


async def test_like_dislike_and_history(service: Service) -> None:
    reply = await service.handle(ask("3 sad songs", user="b"))
    second = reply.cards[1].track
    liked = await service.handle(ask("like 2", user="b"))
    assert liked.kind is ReplyKind.FEEDBACK and second.title in liked.text
    disliked = await service.handle(ask("dislike", user="b"))
    assert reply.cards[0].track.title in disliked.text and "dislike 2" in disliked.text
    history = await service.handle(ask("history", user="b"))
    assert history.private and all(c.track.title in history.text for c in reply.cards)
    # The disliked track never comes back, whatever is asked.
    gone = reply.cards[0].track.key
    for _ in range(10):
        again = await service.handle(ask(f"songs from {reply.cards[0].track.drama}", user="b"))
        assert gone not in {c.track.key for c in again.cards}


async def test_like_a_title_not_shown_means_songs_like_it(service: Service) -> None:
    reply = await service.handle(ask("like Stay With Me", user="c"))
    assert reply.kind is ReplyKind.RECOMMENDATION
    assert all(c.track.title != "Stay With Me" for c in reply.cards)
    assert "Stay With Me" in reply.cards[0].reason


async def test_buttons_work_and_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "restart.db"
    store = await Store.open(path)
    service = await Service.create(store, rng=random.Random(5))
    reply = await service.handle(ask("sad songs", user="d"))
    more_id = reply.actions[0].id
    like_id = reply.cards[0].actions[0].id
    assert len(more_id.encode()) <= 64 and len(like_id.encode()) <= 64
    await service.close()
    await store.close()

    store = await Store.open(path)
    service = await Service.create(store, rng=random.Random(6))
    try:
        pressed = await service.handle(Request("console", "e", "c", action=more_id))
        assert pressed.kind is ReplyKind.RECOMMENDATION
        assert all("sad" in c.track.tags for c in pressed.cards)
        liked = await service.handle(Request("console", "e", "c", action=like_id))
        assert liked.kind is ReplyKind.FEEDBACK
    finally:
        await service.close()
        await store.close()


async def test_forged_and_stale_buttons_get_a_polite_answer(service: Service) -> None:
    forged = ("like:zzzzzzzzzzzz", "more:0", "more:zzzzzzzz", "more:" + "z" * 16, "like:")
    for action in (*forged, "reload", "", "x" * 200, "dislike:" + "0" * 12):
        reply = await service.handle(Request("console", "f", "c", action=action))
        assert reply.kind is ReplyKind.HINT and "expired" in reply.text


async def test_info_commands(service: Service) -> None:
    assert "Commands:" in (await service.handle(ask("help"))).text
    moods = (await service.handle(ask("moods"))).text
    assert "healing (힐링)" in moods and "e.g." in moods
    dramas = await service.handle(ask("dramas"))
    assert "page 1 of" in dramas.text and len(dramas.text) < 4000
    drama = (await service.handle(ask("drama Goblin"))).text
    assert drama.index("Part 1 · Stay With Me") < drama.index("Part 9 ·")
    assert "Source: http" in drama
    artist = (await service.handle(ask("artist 백현"))).text
    assert "백현 (Baekhyun)" in artist and "My Love" in artist
    about = (await service.handle(ask("about"))).text
    first = min(d.year for d in service.index.dramas.values())
    assert f"Dramas by year: {first}" in about and "Dramas by network:" in about
    assert "Songs by mood:" in about


async def test_unknown_names_get_suggestions(service: Service) -> None:
    assert "Stay With Me" in (await service.handle(ask("drama Gobline"))).text  # one typo
    reply = await service.handle(ask("drama Gobbblinz"))
    assert "Did you mean" in reply.text and "Goblin" in reply.text
    reply = await service.handle(ask("qqqq zzzz"))
    assert reply.kind is ReplyKind.HINT and "didn't catch" in reply.text


async def test_nothing_understood_after_a_request_is_not_another(service: Service) -> None:
    first = await service.handle(ask("sad songs from Goblin", user="gibberish"))
    assert first.kind is ReplyKind.RECOMMENDATION
    reply = await service.handle(ask("qqqq zzzz", user="gibberish"))
    assert reply.kind is ReplyKind.HINT and "didn't catch" in reply.text and not reply.cards
    # The last request is kept: "another" still continues it.
    again = await service.handle(ask("another", user="gibberish"))
    assert again.cards and all(c.track.drama == "Goblin" for c in again.cards)


async def test_reload_is_for_owners_only(service: Service) -> None:
    assert "Only the bot's owners" in (await service.handle(ask("reload", user="nobody"))).text
    reply = await service.handle(ask("reload", user="owner"))
    assert reply.text.startswith("Catalog reloaded:")


async def test_capped_count_is_explained(service: Service) -> None:
    reply = await service.handle(ask("50 romantic songs"))
    assert len(reply.cards) == 5 and "at most 5" in reply.text


async def test_long_input_is_read_in_part(service: Service) -> None:
    reply = await service.handle(ask("sad " * 50_000))
    assert reply.cards and f"first {MAX_INPUT_CHARS} characters" in reply.text


HOSTILE = [
    "",
    "   ",
    "\x00\x01\x02\x1b[31m",
    "' OR 1=1; DROP TABLE tracks; --",
    "<script>alert(1)</script> <b>bold</b> &amp;",
    "@everyone @here <@123> <@&456> <#789>",
    "😭😭😭 🎵",
    "\u202e\u200b\ufeff",
    "ぼくのうた 悲しい歌",
    "x" * 100_000,
]


async def test_hostile_input_gets_a_helpful_reply(service: Service) -> None:
    before = await service.store.counts()
    for text in HOSTILE:
        reply = await service.handle(ask(text))
        out = render_plain(reply)
        assert out.strip()
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\u202e]", out)
        assert len(out) < 6000
    assert (await service.store.counts())["tracks"] == before["tracks"]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=st.text(max_size=300))
async def test_any_text_is_answered(service: Service, text: str) -> None:
    reply = await service.handle(ask(text, user="hypo"))
    out = render_plain(reply)
    assert out.strip() and len(out) < 6000
    # A recommendation has cards and an "another" button; a look-up at most the song looked
    # up ("N:W" is the one song N sang for W); no other kind of reply has cards.
    if reply.kind is ReplyKind.RECOMMENDATION:
        assert reply.cards and [a.kind for a in reply.actions] == ["another"]
    elif reply.kind is ReplyKind.LOOKUP:
        assert len(reply.cards) <= 1
    else:
        assert not reply.cards


async def test_preview_recommends_ten_and_records_nothing(service: Service) -> None:
    previews = await service.suggest(Arg.TEXT, "healing", "en", user="telegram:p", limit=50)
    assert len(previews) == 10
    cards = [p.card for p in previews if p.card is not None]
    assert len(cards) == 10 and all("healing" in c.track.tags for c in cards)
    assert all(not a.id.startswith("more:") for c in cards for a in c.actions)
    state = await service.users.get("telegram:p")
    assert not state.heard and state.last_query is None
    # Commands never run from a preview: "reload" is only a (not understood) request.
    assert await service.suggest(Arg.TEXT, "reload", "en", user="console:owner") == ()
    assert await service.suggest(Arg.TEXT, "", "en")  # nothing typed yet: a few good picks


async def test_korean_cards_show_korean_tag_names(service: Service) -> None:
    reply = await service.handle(ask("슬픈 노래"))
    card = reply.cards[0]
    assert "슬픈" in card.tags and "sad" not in card.tags
    assert ", ".join(card.tags) in render_plain(reply)


async def test_korean_replies_name_the_drama_in_korean(service: Service) -> None:
    reply = await service.handle(ask("도깨비 슬픈 노래"))
    assert reply.text.startswith("도깨비의") and "도깨비 (" in reply.cards[0].reason


async def test_a_command_without_its_name_says_what_is_missing(service: Service) -> None:
    reply = await service.handle(ask("drama"))
    assert reply.kind is ReplyKind.HINT and "drama Goblin" in reply.text
    reply = await service.handle(ask("가수"))
    assert "가수 백현" in reply.text  # the example in the asker's language


async def test_english_articles(service: Service) -> None:
    assert (await service.handle(ask("an upbeat song"))).text.startswith("Here's an upbeat OST")
    assert (await service.handle(ask("a sad song"))).text.startswith("Here's a sad OST")


async def test_korean_replies_name_the_artist_in_hangul_first(service: Service) -> None:
    # A Korean look-up, list and card put the Hangul name first; English replies keep theirs.
    found = await service.handle(ask("돌덩이 누가 불렀어?"))
    assert "하현우 (Ha Hyun-woo)의 노래" in found.text
    assert found.cards[0].artist == "하현우 (Ha Hyun-woo)"
    listed = await service.handle(ask("허각 노래 목록"))
    assert listed.text.startswith("허각 (Huh Gak)")
    group = await service.handle(ask("다비치 노래 목록"))
    assert "— 강민경 (Kang Min-kyung)" in group.text  # a member's song in the group's list
    english = await service.handle(ask("who sings Diamond from Itaewon Class"))
    assert english.cards[0].artist == "Ha Hyun-woo (하현우)"


async def test_korean_replies_offer_the_other_reading_in_hangul(service: Service) -> None:
    reply = await service.handle(ask("Punch 노래"))
    assert reply.text.startswith("(펀치를 가수로 이해했어요. 드라마 펀치도 있어요.)")
    assert [a.label for a in reply.actions if a.kind == "other"] == ["드라마 펀치"]
    english = await service.handle(ask("punch songs"))
    assert [a.label for a in english.actions if a.kind == "other"] == ["The drama Punch"]
