"""Service.suggest: what Discord autocomplete and Telegram inline mode offer as the user types."""

from __future__ import annotations

from bot.core.commands import Arg
from bot.core.service import Service
from tests.support import ask


async def test_each_kind_finds_what_it_is_asked_for(service: Service) -> None:
    assert (await service.suggest(Arg.DRAMA, "gobln"))[0].value == "Goblin"
    assert (await service.suggest(Arg.MOOD, "힐링"))[0].value == "healing"
    assert (await service.suggest(Arg.ARTIST, "백현"))[0].value == "Baekhyun"
    tracks = await service.suggest(Arg.TRACK, "stay wth me")
    assert "Stay With Me" in [s.value for s in tracks[:3]]


async def test_labels_carry_the_hangul_names(service: Service) -> None:
    (baekhyun, *_) = await service.suggest(Arg.ARTIST, "Baekhyun")
    assert baekhyun.label == "Baekhyun (백현)"
    (goblin, *_) = await service.suggest(Arg.DRAMA, "Goblin")
    assert "도깨비" in goblin.label and "2016" in goblin.label


async def test_limits_and_empty_text(service: Service) -> None:
    assert len(await service.suggest(Arg.DRAMA, "", limit=25)) == 25
    assert len(await service.suggest(Arg.TRACK, "love", limit=3)) == 3
    assert await service.suggest(Arg.PAGE, "2") == ()  # nothing to suggest for a page
    assert await service.suggest(Arg.DRAMA, "", limit=0) == ()


async def test_the_songs_just_shown_come_first_for_like(service: Service) -> None:
    reply = await service.handle(ask("3 sad songs", user="fan", platform="discord"))
    shown = [c.track.title for c in reply.cards]
    offered = await service.suggest(Arg.TRACK, "", user="discord:fan")
    assert [s.value for s in offered[: len(shown)]] == shown
    # Someone else gets the catalog as it is.
    assert [s.value for s in (await service.suggest(Arg.TRACK, "", user="discord:x"))[:3]] != (
        shown
    )


async def test_suggesting_records_nothing(service: Service) -> None:
    for kind in Arg:
        await service.suggest(kind, "sad", user="discord:quiet")
    state = await service.users.get("discord:quiet")
    assert not state.heard and state.last_query is None and not state.recent
