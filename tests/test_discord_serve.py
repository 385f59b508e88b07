"""serve(): start in the shared loop, stop cleanly when asked, fail loudly on a bad token."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from bot.adapters.discord_adapter import ActionButton, OstClient, serve
from bot.core.service import Service
from bot.runner import supervise
from tests.support import slow_core
from tests.support.discord_kit import BOT_ID, interaction_payload, make_settings, user_payload
from tests.support.discord_server import DiscordStandIn, serving


class FakeGateway:
    """Replaces the two network steps of Client.start: login (HTTP) and connect (websocket)."""

    def __init__(
        self, monkeypatch: pytest.MonkeyPatch, *, bad_token: bool = False, outages: int = 0
    ) -> None:
        self.tokens: list[str] = []
        self.outages = outages
        self.synced: list[int | None] = []
        self.clients: list[OstClient] = []
        self.connected = asyncio.Event()
        self.closed = asyncio.Event()
        gateway = self

        async def login(client: OstClient, token: str) -> None:
            gateway.tokens.append(token)
            gateway.clients.append(client)
            if gateway.outages:
                gateway.outages -= 1
                raise aiohttp.ClientConnectionError("Cannot connect to host discord.com:443")
            if bad_token:
                raise discord.LoginFailure("Improper token has been passed.")
            await client._async_setup_hook()
            me: Any = user_payload(BOT_ID, "ostbot", bot=True)
            client._connection.user = discord.ClientUser(state=client._connection, data=me)
            await client.setup_hook()  # what the real login() does last

        async def connect(client: OstClient, *, reconnect: bool = True) -> None:
            gateway.connected.set()
            await gateway.closed.wait()  # a gateway connection lasts until close()

        real_close = OstClient.close

        async def close(client: OstClient) -> None:
            await real_close(client)
            gateway.closed.set()

        async def sync(
            tree: app_commands.CommandTree[Any], *, guild: discord.abc.Snowflake | None = None
        ) -> list[Any]:
            gateway.synced.append(guild.id if guild is not None else None)
            return []

        monkeypatch.setattr(OstClient, "login", login)
        monkeypatch.setattr(OstClient, "connect", connect)
        monkeypatch.setattr(OstClient, "close", close)
        monkeypatch.setattr(app_commands.CommandTree, "sync", sync)


async def test_serve_runs_until_stop_then_closes(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    gateway = FakeGateway(monkeypatch)
    stop = asyncio.Event()
    settings = make_settings(discord_token="secret-token", discord_guild_id=42)
    task = asyncio.create_task(serve(service, settings, stop))
    await asyncio.wait_for(gateway.connected.wait(), 5)
    assert not task.done()  # it keeps running in the shared loop
    (client,) = gateway.clients
    assert gateway.tokens == ["secret-token"]
    assert gateway.synced == [42]  # the development guild, at once
    assert (
        ActionButton.__discord_ui_compiled_template__
        in client._connection._view_store._dynamic_items
    )
    stop.set()
    await asyncio.wait_for(task, 5)
    assert client.is_closed()


async def test_a_bad_token_fails_the_adapter_without_showing_the_token(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    FakeGateway(monkeypatch, bad_token=True)
    with pytest.raises(discord.LoginFailure) as failure:
        await asyncio.wait_for(
            serve(service, make_settings(discord_token="secret-token"), asyncio.Event()), 5
        )
    assert "secret-token" not in str(failure.value)


async def test_discord_unreachable_at_start_is_retried(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    gateway = FakeGateway(monkeypatch, outages=2)
    waits: list[float] = []
    real_wait_for = asyncio.wait_for

    async def quick_wait_for(aw: Any, timeout: float | None) -> Any:  # noqa: ASYNC109
        waits.append(timeout or 0.0)
        return await real_wait_for(aw, 0.01)

    monkeypatch.setattr(asyncio, "wait_for", quick_wait_for)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(service, make_settings(discord_token="t"), stop))
    await real_wait_for(gateway.connected.wait(), 5)
    assert len(gateway.tokens) == 3 and waits[:2] == [1.0, 2.0]  # backs off, then connects
    stop.set()
    await real_wait_for(task, 5)
    assert gateway.clients[-1].is_closed()


async def test_stop_during_an_outage_ends_serve(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    FakeGateway(monkeypatch, outages=1000)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(service, make_settings(discord_token="t"), stop))
    await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, 5)  # returns instead of retrying forever


async def test_serve_without_a_token_refuses(service: Service) -> None:
    with pytest.raises(RuntimeError, match="DISCORD_TOKEN"):
        await serve(service, make_settings(), asyncio.Event())


async def test_the_runner_supervises_it_with_other_adapters(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    gateway = FakeGateway(monkeypatch)
    stop = asyncio.Event()
    settings = make_settings(discord_token="t")
    stopped_other = asyncio.Event()

    async def other(service: Service, settings: Any, stop: asyncio.Event) -> None:
        await stop.wait()  # stands in for the Telegram adapter sharing the loop
        stopped_other.set()

    run = asyncio.create_task(
        supervise([("discord", serve), ("other", other)], service, settings, stop)
    )
    await asyncio.wait_for(gateway.connected.wait(), 5)
    stop.set()
    assert await asyncio.wait_for(run, 5) == 0
    assert stopped_other.is_set() and gateway.clients[0].is_closed()
    assert gateway.synced == [None]  # no guild configured: global commands


def test_the_core_never_imports_discord() -> None:
    import subprocess
    import sys

    code = (
        "import sys, bot.core.service, bot.cli, bot.runner, bot.adapters.console, "
        "bot.adapters.common; sys.exit('discord' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# ------------------------------------------------- against a local stand-in for Discord


@pytest.fixture
async def discord_standin(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[DiscordStandIn]:
    async with serving(DiscordStandIn()) as standin:
        monkeypatch.setattr(discord.http.Route, "BASE", standin.api_base)
        monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(standin.gateway))
        yield standin


async def test_a_stop_ends_the_gateway_session_with_close_code_1000(
    service: Service, discord_standin: DiscordStandIn
) -> None:
    # Any other code (discord.py's 4000 among them) asks Discord to keep the session for a
    # resume, so the bot would stay online for a while after it stopped.
    stop = asyncio.Event()
    task = asyncio.create_task(serve(service, make_settings(discord_token="a.b.c"), stop))
    await asyncio.wait_for(discord_standin.identified.wait(), 10)
    stop.set()
    await asyncio.wait_for(task, 5)
    await asyncio.wait_for(discord_standin.closed.wait(), 5)
    assert discord_standin.close_codes == [1000]
    assert ("GET", "/users/@me") in discord_standin.requests  # it really logged in here


async def test_a_stop_sends_the_answers_in_hand_before_it_closes(
    service: Service, discord_standin: DiscordStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = slow_core(service, monkeypatch)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(service, make_settings(discord_token="a.b.c"), stop))
    await asyncio.wait_for(discord_standin.identified.wait(), 10)
    command = {"id": "970000000000000001", "name": "about", "type": 1, "options": []}
    await discord_standin.dispatch("INTERACTION_CREATE", interaction_payload(2, command))
    await asyncio.wait_for(started.wait(), 5)
    stop.set()  # while the answer is being made
    await asyncio.wait_for(task, 5)
    (answer,) = discord_standin.responses
    assert answer["type"] == 4 and "tracks" in answer["data"]["content"]  # sent, then closed
    assert discord_standin.close_codes == [1000]
