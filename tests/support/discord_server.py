"""A local stand-in for Discord: its HTTP API and its gateway, on 127.0.0.1, no network.

discord.py talks to it unchanged once `discord.http.Route.BASE` and
`DiscordWebSocket.DEFAULT_GATEWAY` point here (`point_discord_at`), so a test sees what Discord
would see: the login, the IDENTIFY, and above all the close code of the gateway connection
(1000 ends the session; anything else asks Discord to keep it for resuming, and the bot stays
online until the session times out).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import yarl
from aiohttp import WSMsgType, web

from tests.support.local_http import local_server

BOT_ID = "900000000000000001"
API_PATH = "/api/v10"
GATEWAY_PATH = "/gateway"


def _user() -> dict[str, Any]:
    return {
        "id": BOT_ID,
        "username": "ostbot",
        "discriminator": "0",
        "global_name": "ostbot",
        "avatar": None,
        "bot": True,
    }


def _json(body: Any, status: int = 200) -> web.Response:
    # Exactly "application/json": discord.py reads anything else (even with a charset) as text.
    headers = {"Content-Type": "application/json"}
    return web.Response(body=json.dumps(body).encode(), status=status, headers=headers)


@dataclass
class DiscordStandIn:
    """Answers the calls a bot makes to log in, sync its commands and stay connected.

    With `reject_token`, the login is refused the way Discord refuses a revoked token (401),
    and the refusal quotes the token back, so a test can prove no log line repeats it.
    """

    reject_token: bool = False
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path)
    responses: list[dict[str, Any]] = field(default_factory=list)  # interaction callbacks
    identified: asyncio.Event = field(default_factory=asyncio.Event)
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    close_codes: list[int | None] = field(default_factory=list)
    url: str = ""  # http://127.0.0.1:<port>, once started
    _socket: web.WebSocketResponse | None = None
    _sequence: int = 1  # READY was 1

    @property
    def api_base(self) -> str:
        return api_base(self.url)

    @property
    def gateway(self) -> str:
        return gateway_url(self.url)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get(GATEWAY_PATH, self._gateway)
        app.router.add_route("*", API_PATH + "/{tail:.*}", self._api)
        return app

    async def _api(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        self.requests.append((request.method, path))
        if path == "/users/@me":
            if self.reject_token:
                token = request.headers.get("Authorization", "").removeprefix("Bot ")
                body = {"message": f"401: Unauthorized ({token})", "code": 0}
                return _json(body, status=401)
            return _json(_user())
        if path == "/oauth2/applications/@me":
            return _json(
                {
                    "id": BOT_ID,
                    "name": "ostbot",
                    "description": "",
                    "icon": None,
                    "bot_public": True,
                    "bot_require_code_grant": False,
                    "owner": _user() | {"id": "930000000000000001", "bot": False},
                    "verify_key": "0" * 64,
                    "flags": 0,
                }
            )
        if path.endswith("/commands") and request.method == "PUT":
            return _json([])
        if path.startswith("/interactions/") and path.endswith("/callback"):
            payload = await request.json()
            self.responses.append(payload)
            flags = int((payload.get("data") or {}).get("flags") or 0)
            interaction = {
                "id": path.split("/")[2],
                "type": 2,
                "response_message_id": "960000000000000001",
                "response_message_loading": payload["type"] == 5,
                "response_message_ephemeral": bool(flags & 64),
            }
            return _json({"interaction": interaction})
        return _json({"message": "404: Not Found", "code": 0}, status=404)

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send the connected bot a gateway event (INTERACTION_CREATE, MESSAGE_CREATE...)."""
        assert self._socket is not None, "no bot is connected"
        self._sequence += 1
        await self._socket.send_json({"op": 0, "t": event, "s": self._sequence, "d": data})

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._socket = ws
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 45_000}, "s": None, "t": None})
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                continue
            payload = json.loads(msg.data)
            if payload["op"] == 1:  # heartbeat
                await ws.send_json({"op": 11, "d": None, "s": None, "t": None})
            elif payload["op"] == 2:  # identify
                await ws.send_json(
                    {
                        "op": 0,
                        "t": "READY",
                        "s": 1,
                        "d": {
                            "v": 10,
                            "user": _user(),
                            "guilds": [],
                            "session_id": "stand-in-session",
                            "resume_gateway_url": self.gateway,
                            "application": {"id": BOT_ID, "flags": 0},
                        },
                    }
                )
                self.identified.set()
        self.close_codes.append(ws.close_code)
        self.closed.set()
        return ws


@asynccontextmanager
async def serving(standin: DiscordStandIn) -> AsyncIterator[DiscordStandIn]:
    async with local_server(standin.app()) as url:
        standin.url = url
        yield standin


def api_base(url: str) -> str:
    return url + API_PATH


def gateway_url(url: str) -> str:
    return "ws" + url.removeprefix("http") + GATEWAY_PATH


def point_discord_at(url: str) -> None:
    """Make discord.py use the stand-in at `url`: its REST base URL and its gateway."""
    import discord.gateway
    import discord.http

    discord.http.Route.BASE = api_base(url)
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url(url))
