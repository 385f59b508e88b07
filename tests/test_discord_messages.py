"""Mentions and direct messages through discord.py driven by dpytest (discord.ext.test)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import discord
import discord.ext.test as dpytest
import pytest
from discord.ext.test import backend, factories

from bot.core.cooldown import Cooldown
from bot.core.models import Reply, Request
from bot.core.service import Service
from tests.support.discord_kit import Chat, open_chat, payload_text


@pytest.fixture
async def chat(service: Service, handled: list[Request]) -> AsyncIterator[Chat]:
    yield await open_chat(service, handled)
    await dpytest.empty_queue()


async def test_a_mention_is_answered_with_the_mention_stripped(chat: Chat) -> None:
    sent = await chat.say(f"<@{chat.me.id}> recommend a healing OST")
    (request,) = chat.requests
    assert request.text == "recommend a healing OST"
    assert request.platform == "discord"
    assert request.user_id == str(chat.member.id)
    assert request.chat_id == str(chat.channel.id)
    (payload,) = sent
    assert payload["content"].startswith("Here's a healing OST")
    assert len(payload["embeds"]) == 1 and payload["embeds"][0]["title"].startswith("1. ")
    ids = [b.get("custom_id", "") for r in payload["components"] for b in r["components"]]
    assert any(i.startswith("more:") for i in ids) and any(i.startswith("like:") for i in ids)
    # A reply to the asker's message that does not ping them.
    assert payload["message_reference"]["message_id"]
    assert payload["allowed_mentions"]["parse"] == []
    assert not payload["allowed_mentions"].get("replied_user")
    # What dpytest saw arrive in the channel matches.
    assert dpytest.get_message().embeds[0].title == payload["embeds"][0]["title"]


async def test_the_nickname_mention_form_works_too(chat: Chat) -> None:
    await chat.say(f"<@!{chat.me.id}>   sad songs from Goblin")
    assert chat.requests[0].text == "sad songs from Goblin"


async def test_a_mention_of_the_bots_own_role_counts(chat: Chat) -> None:
    guild = chat.channel.guild
    role = backend.make_role("ostbot", guild)
    role.tags = discord.RoleTags({"bot_id": str(chat.me.id)})  # Discord's managed bot role
    assert guild.self_role == role
    sent = await chat.say(f"<@&{role.id}> help")
    assert chat.requests[0].text == "help" and sent


async def test_messages_not_for_the_bot_are_ignored(chat: Chat) -> None:
    sent = await chat.say("recommend a healing OST")
    other = chat.client.get_user(chat.member.id)
    assert other is not None
    sent += await chat.say(f"<@{other.id}> recommend something")
    assert sent == [] and chat.requests == []


async def test_a_direct_message_needs_no_mention(chat: Chat) -> None:
    dm = await chat.member.create_dm()
    sent = await chat.say("3 romantic OSTs", channel=dm)
    sent += await chat.say(f"<@{chat.me.id}> help", channel=dm)  # a habitual mention, too
    assert [r.text for r in chat.requests] == ["3 romantic OSTs", "help"]
    assert chat.requests[0].chat_id == str(dm.id)
    assert len(sent[0]["embeds"]) == 3 and len(sent) == 2


async def test_history_is_not_shown_in_a_channel_but_is_in_a_dm(chat: Chat) -> None:
    mention = f"<@{chat.me.id}>"
    await chat.say(f"{mention} healing")
    (channel_reply,) = await chat.say(f"{mention} history")
    dm = await chat.member.create_dm()
    (dm_reply,) = await chat.say("history", channel=dm)
    assert "/history" in payload_text(channel_reply)
    assert "•" not in payload_text(channel_reply)  # no track list in public
    assert "•" in payload_text(dm_reply)


async def test_without_embed_links_the_reply_falls_back_to_plain_text(chat: Chat) -> None:
    guild = chat.channel.guild
    # dpytest writes channel overwrites in an older format discord.py 2 ignores, so the
    # permission is taken away from @everyone (the bot's only role) instead.
    without = discord.Permissions(guild.default_role.permissions.value)
    without.embed_links = False
    backend.update_role(guild.default_role, permissions=without.value)
    channel = chat.client.get_channel(chat.channel.id)
    assert isinstance(channel, discord.TextChannel) and guild.me is not None
    perms = channel.permissions_for(guild.me)
    assert not perms.embed_links and perms.send_messages
    sent = await chat.say(f"<@{chat.me.id}> 2 sad OSTs")
    assert sent and all(not p.get("embeds") for p in sent)
    text = "\n".join(payload_text(p) for p in sent)
    assert "1. " in text and "2. " in text and "youtube.com" in text
    assert sent[-1]["components"]  # the buttons still come along


async def test_cooldown_slows_down_a_spammer_only(service: Service, handled: list[Request]) -> None:
    service.cooldown = Cooldown(30)
    chat = await open_chat(service, handled)
    try:
        mention = f"<@{chat.me.id}>"
        await chat.say(f"{mention} healing")
        (slow,) = await chat.say(f"{mention} sad")
        friend = dpytest.get_config().members[1]
        (other,) = await chat.say(f"{mention} sad", member=friend)
    finally:
        await dpytest.empty_queue()
    assert "try again in 30 s" in slow["content"]
    # The core answered the spammer itself (one rule for every platform).
    assert [r.text for r in chat.requests] == ["healing", "sad", "sad"]
    assert other["embeds"]


async def test_a_crash_gets_an_apology_and_a_log_not_a_traceback(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    chat = await open_chat(service, [])

    async def broken(request: Request) -> Reply:
        raise ValueError("secret internals")

    chat.client.adapter.service.handle = broken  # type: ignore[method-assign]
    try:
        (sent,) = await chat.say(f"<@{chat.me.id}> healing")
    finally:
        await dpytest.empty_queue()
    assert "went wrong" in sent["content"]
    assert "secret internals" not in sent["content"]
    assert "secret internals" in caplog.text


async def test_bots_are_never_answered(chat: Chat) -> None:
    data: Any = factories.make_user_dict("robot", 1, None, bot=True)
    robot = backend.get_state().store_user(data)
    member = backend.make_member(robot, chat.channel.guild)
    sent = await chat.say(f"<@{chat.me.id}> healing", member=member)
    assert sent == [] and chat.requests == []
