"""Offline Discord: real discord.py objects fed real-shaped payloads, with HTTP recorded.

Interactions (slash commands, autocomplete, buttons) go through the real
`ConnectionState.parse_interaction_create`, so discord.py's own CommandTree and dynamic-item
routing run. Every interaction response discord.py would POST is captured by a recording
webhook adapter instead, and every captured payload is checked against Discord's limits, so
any test that sends something also proves it would have been accepted.

tests/test_discord_kit.py checks the checker itself.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import discord
import discord.ext.test as dpytest
from discord.http import Route
from discord.webhook.async_ import AsyncWebhookAdapter, async_context

from bot.adapters.discord_adapter import OstClient
from bot.config import Settings
from bot.core.models import Request
from bot.core.service import Service

JSON = dict[str, Any]

BOT_ID = 900000000000000001
APP_ID = BOT_ID
GUILD_ID = 910000000000000001
CHANNEL_ID = 920000000000000001
USER_ID = 930000000000000001
OTHER_USER_ID = 930000000000000002
TIMESTAMP = "2024-05-01T12:00:00.000000+00:00"

ALL_PERMISSIONS = discord.Permissions(
    send_messages=True,
    embed_links=True,
    read_message_history=True,
    use_application_commands=True,
    view_channel=True,
)
NO_EMBEDS = discord.Permissions(
    send_messages=True, read_message_history=True, use_application_commands=True
)

_ids = itertools.count(950000000000000001)


def snowflake() -> str:
    return str(next(_ids))


def make_settings(**values: Any) -> Settings:
    """Settings from arguments only: a developer's .env or environment must not leak in."""
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


# --------------------------------------------------------------------- Discord's rules


def check_message_payload(payload: JSON) -> None:
    """Fail if Discord would reject this message payload, or if it could ping anyone."""
    mentions = payload.get("allowed_mentions")
    assert mentions is not None, "no allowed_mentions: Discord would parse mentions in content"
    assert mentions.get("parse") == [], mentions
    assert not mentions.get("users") and not mentions.get("roles"), mentions
    assert not mentions.get("replied_user"), mentions
    content = payload.get("content") or ""
    assert len(content) <= 2000, len(content)
    embeds = payload.get("embeds") or []
    # Even unpinged, a visible "@everyone" or <@&role> in a bot message reads as a ping.
    shown = payload_text(payload)
    assert "@everyone" not in shown and "@here" not in shown, shown[:300]
    assert re.search(r"<@[!&]?\d", shown) is None, shown[:300]
    assert content or embeds, "Discord rejects an empty message"
    assert len(embeds) <= 10
    total = 0
    for embed in embeds:
        total += check_embed(embed)
    assert total <= 6000, total
    rows = payload.get("components") or []
    assert len(rows) <= 5
    for row in rows:
        assert row["type"] == 1
        assert 1 <= len(row["components"]) <= 5
        for button in row["components"]:
            check_button(button)


def check_embed(embed: JSON) -> int:
    title = embed.get("title") or ""
    description = embed.get("description") or ""
    fields = embed.get("fields") or []
    footer = (embed.get("footer") or {}).get("text") or ""
    author = (embed.get("author") or {}).get("name") or ""
    assert len(title) <= 256
    assert len(description) <= 4096
    assert len(fields) <= 25
    assert len(footer) <= 2048
    size = len(title) + len(description) + len(footer) + len(author)
    for f in fields:
        assert 1 <= len(f["name"]) <= 256
        assert 1 <= len(f["value"]) <= 1024
        size += len(f["name"]) + len(f["value"])
    assert title or description or fields, "an empty embed"
    if "url" in embed:
        assert embed["url"].startswith("https://")
    return size


def check_button(button: JSON) -> None:
    assert button["type"] == 2
    assert 1 <= len(button.get("label") or "") <= 80
    if button["style"] == 5:  # link
        assert "custom_id" not in button
        assert button["url"].startswith("https://") and len(button["url"]) <= 512
    else:
        assert 1 <= len(button["custom_id"]) <= 100


# ------------------------------------------------------------------ recorded responses


@dataclass
class Call:
    method: str
    path: str  # the route template, e.g. /interactions/{webhook_id}/{webhook_token}/callback
    payload: JSON

    @property
    def is_callback(self) -> bool:
        return self.path.endswith("/callback")

    @property
    def message(self) -> JSON:
        """The message part: a callback wraps it in `data`, a followup is the message itself."""
        if self.is_callback:
            data: JSON = self.payload.get("data") or {}
            return data
        return self.payload

    @property
    def ephemeral(self) -> bool:
        return bool(int(self.message.get("flags") or 0) & 64)

    @property
    def text(self) -> str:
        """Everything a user would read: content, embed titles, descriptions and fields."""
        msg = self.message
        parts = [msg.get("content") or ""]
        for e in msg.get("embeds") or []:
            parts += [e.get("title") or "", e.get("description") or ""]
            parts += [f"{f['name']}: {f['value']}" for f in e.get("fields") or []]
            parts.append((e.get("footer") or {}).get("text") or "")
        return "\n".join(p for p in parts if p)

    def custom_ids(self) -> list[str]:
        return [
            b["custom_id"]
            for row in self.message.get("components") or []
            for b in row["components"]
            if "custom_id" in b
        ]


class RecordingAdapter(AsyncWebhookAdapter):
    """Stands in for Discord's interaction and webhook endpoints."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.calls: list[Call] = []

    async def request(self, route: Route, session: Any, **kwargs: Any) -> Any:
        payload: JSON = kwargs.get("payload") or {}
        call = Call(route.method, route.path, payload)
        self.calls.append(call)
        if call.is_callback:
            kind = payload["type"]
            if kind in (4, 7):  # channel message / update message
                check_message_payload(payload["data"])
            return {
                "interaction": {
                    "id": str(route.webhook_id),
                    "type": 2,
                    "response_message_id": snowflake(),
                    "response_message_loading": kind == 5,
                    "response_message_ephemeral": call.ephemeral,
                }
            }
        if route.method in ("POST", "PATCH"):
            check_message_payload(payload)
            return message_payload(payload)
        return None


def user_payload(user_id: int, name: str = "fan", *, bot: bool = False) -> JSON:
    return {
        "id": str(user_id),
        "username": name,
        "discriminator": "0",
        "global_name": name.title(),
        "avatar": None,
        "bot": bot,
    }


def member_payload(user_id: int) -> JSON:
    return {
        "user": user_payload(user_id),
        "roles": [],
        "joined_at": TIMESTAMP,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "permissions": str(ALL_PERMISSIONS.value),
    }


def channel_payload() -> JSON:
    return {
        "id": str(CHANNEL_ID),
        "type": 0,
        "guild_id": str(GUILD_ID),
        "name": "k-drama",
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
    }


def message_payload(sent: JSON) -> JSON:
    """A message as Discord returns it after the bot sent `sent` (content/embeds/components)."""
    return {
        "id": snowflake(),
        "channel_id": str(CHANNEL_ID),
        "guild_id": str(GUILD_ID),
        "type": 0,
        "author": user_payload(BOT_ID, "ostbot", bot=True),
        "content": sent.get("content") or "",
        "embeds": sent.get("embeds") or [],
        "components": sent.get("components") or [],
        "attachments": [],
        "mentions": [],
        "mention_roles": [],
        "mention_everyone": False,
        "pinned": False,
        "tts": False,
        "timestamp": TIMESTAMP,
        "edited_timestamp": None,
        "flags": 0,
    }


# -------------------------------------------------------------------------- harness


@dataclass
class Harness:
    """One OstClient as if connected: interactions in, recorded HTTP calls out."""

    client: OstClient
    recorder: RecordingAdapter = field(default_factory=RecordingAdapter)
    synced: list[int | None] = field(default_factory=list)  # guild ids synced to

    @classmethod
    async def start(
        cls, service: Service, settings: Settings | None = None, *, defer_after: float = 1.5
    ) -> Harness:
        settings = settings or make_settings(cooldown_seconds=0)
        client = OstClient(service, settings, defer_after=defer_after)
        harness = cls(client)
        state = client._connection
        me: Any = user_payload(BOT_ID, "ostbot", bot=True)
        state.user = discord.ClientUser(state=state, data=me)
        state.application_id = APP_ID

        async def fake_sync(*, guild: discord.abc.Snowflake | None = None) -> list[Any]:
            harness.synced.append(guild.id if guild is not None else None)
            return []

        client.tree.sync = fake_sync  # type: ignore[method-assign]
        await client._async_setup_hook()  # what login() does before setup_hook: the loop
        await client.setup_hook()
        return harness

    async def dispatch(self, payload: JSON) -> list[Call]:
        """Deliver one INTERACTION_CREATE and wait until the bot has answered it."""
        before = len(self.recorder.calls)
        token = async_context.set(self.recorder)
        try:
            self.client._connection.parse_interaction_create(payload)  # type: ignore[arg-type]
        finally:
            async_context.reset(token)
        await settle()
        return self.recorder.calls[before:]

    async def slash(self, name: str, /, **options: str) -> list[Call]:
        return await self.slash_as(name, options)

    async def slash_as(
        self,
        name: str,
        options: dict[str, str] | None = None,
        *,
        user_id: int = USER_ID,
        locale: str = "en-US",
        permissions: discord.Permissions = ALL_PERMISSIONS,
        dm: bool = False,
    ) -> list[Call]:
        options = options or {}
        data = {
            "id": snowflake(),
            "name": name,
            "type": 1,
            "options": [{"name": k, "type": 3, "value": v} for k, v in options.items()],
        }
        payload = interaction_payload(
            2, data, user_id=user_id, locale=locale, permissions=permissions, dm=dm
        )
        return await self.dispatch(payload)

    async def autocomplete(self, name: str, option: str, value: str) -> list[dict[str, str]]:
        data = {
            "id": snowflake(),
            "name": name,
            "type": 1,
            "options": [{"name": option, "type": 3, "value": value, "focused": True}],
        }
        calls = await self.dispatch(interaction_payload(4, data))
        assert len(calls) == 1 and calls[0].payload["type"] == 8  # autocomplete result
        result: list[dict[str, str]] = calls[0].payload["data"]["choices"]
        return result

    async def press(
        self, custom_id: str, on: JSON, *, user_id: int = USER_ID, locale: str = "en-US"
    ) -> list[Call]:
        """Press the button `custom_id` on a message the bot sent (`on`: that payload)."""
        data = {"custom_id": custom_id, "component_type": 2}
        message = message_payload(on)
        payload = interaction_payload(3, data, user_id=user_id, locale=locale, message=message)
        return await self.dispatch(payload)


def interaction_payload(
    kind: int,
    data: JSON,
    *,
    user_id: int = USER_ID,
    locale: str = "en-US",
    permissions: discord.Permissions = ALL_PERMISSIONS,
    dm: bool = False,
    message: JSON | None = None,
) -> JSON:
    payload: JSON = {
        "id": snowflake(),
        "application_id": str(APP_ID),
        "type": kind,
        "data": data,
        "token": "interaction-token",
        "version": 1,
        "locale": locale,
        "app_permissions": str(permissions.value),
        "attachment_size_limit": 8 * 1024 * 1024,
        "entitlements": [],
        "authorizing_integration_owners": {},
    }
    if dm:
        payload["context"] = 1
        payload["user"] = user_payload(user_id)
        payload["channel"] = {
            "id": str(CHANNEL_ID + 1),
            "type": 1,
            "recipients": [user_payload(user_id)],
        }
    else:
        payload["context"] = 0
        payload["guild_id"] = str(GUILD_ID)
        payload["guild_locale"] = "en-US"
        payload["member"] = member_payload(user_id)
        payload["channel"] = channel_payload()
    if message is not None:
        payload["message"] = message
    return payload


async def settle() -> None:
    """Wait for the tasks discord.py starts per interaction (command tree, view dispatch)."""
    me = asyncio.current_task()
    for _ in range(100):
        pending = [
            task
            for task in asyncio.all_tasks()
            if task is not me
            and not task.done()
            and task.get_name().startswith(("CommandTree", "discord-ui"))
        ]
        if not pending:
            return
        await asyncio.wait(pending, timeout=10)
    raise AssertionError("interaction tasks did not finish")


def record_channel_sends(client: discord.Client) -> list[JSON]:
    """With dpytest configured: capture every channel message payload the bot sends."""
    http = client.http
    real: Callable[..., Any] = http.send_message
    sent: list[JSON] = []

    async def send_message(channel_id: int, *, params: Any) -> Any:
        # dpytest finds the target channel in its caller's locals, as discord.py names it.
        channel = sys._getframe(1).f_locals["channel"]  # noqa: F841
        check_message_payload(params.payload)
        sent.append(params.payload)
        return await real(channel_id, params=params)

    http.send_message = send_message  # type: ignore[method-assign, assignment]
    return sent


def payload_text(payload: JSON) -> str:
    return Call("POST", "", payload).text


# ----------------------------------------------------------------- dpytest chats


@dataclass
class Chat:
    client: OstClient
    sent: list[JSON]  # every message payload the bot sent, already limit-checked
    requests: list[Request]  # what reached the core

    @property
    def me(self) -> discord.ClientUser:
        assert self.client.user is not None
        return self.client.user

    @property
    def channel(self) -> discord.TextChannel:
        channel = dpytest.get_config().channels[0]
        assert isinstance(channel, discord.TextChannel)
        return channel

    @property
    def member(self) -> discord.Member:
        member: discord.Member = dpytest.get_config().members[0]
        return member

    async def say(self, content: str, channel: Any = 0, member: Any = 0) -> list[JSON]:
        before = len(self.sent)
        await dpytest.message(content, channel=channel, member=member)
        return self.sent[before:]


async def open_chat(service: Service, requests: list[Request]) -> Chat:
    """A client wired to dpytest's fake guild; `requests` is the spy on the service's core
    (the `handled` fixture)."""
    client = OstClient(service, make_settings())
    await client._async_setup_hook()
    assert not client.intents.members and not client.intents.message_content
    # dpytest builds its guild from member-join events, which discord.py caches only with the
    # privileged members intent. The bot neither has nor needs it (a message carries its
    # author), so only the fake state dpytest builds next gets it, for its own bookkeeping.
    widened = client.intents
    widened.members = True
    client._connection._intents = widened
    client._connection.member_cache_flags = discord.MemberCacheFlags.from_intents(widened)
    dpytest.configure(client, members=["fan", "friend"])
    return Chat(client, record_channel_sends(client), requests)
