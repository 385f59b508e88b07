"""A local stand-in for Telegram's Bot API over HTTP, on 127.0.0.1, for a whole `ostbot`
process (point TELEGRAM_API_BASE_URL at `url`). In-process tests use the lighter
`telegram_kit.FakeBotAPI` instead.

It answers the calls a polling bot makes (getMe, setMyCommands, deleteWebhook, a long-polling
getUpdates that returns nothing), records them, and can refuse the token as Telegram does:
401 for a revoked token, 404 for a path that is not `/bot<token>/<method>` (a wrong
TELEGRAM_API_BASE_URL).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.support.local_http import local_server

BOT_API_PATH = re.compile(r"/bot(?P<token>[^/]+)/(?P<method>\w+)")


@dataclass
class TelegramStandIn:
    reject_token: bool = False
    paths: list[str] = field(default_factory=list)  # every request, answered or refused
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (method, params)
    polling: asyncio.Event = field(default_factory=asyncio.Event)  # the first getUpdates came
    url: str = ""  # http://127.0.0.1:<port>, once started

    def methods(self) -> list[str]:
        return [method for method, _ in self.calls]

    async def _handle(self, request: web.Request) -> web.Response:
        self.paths.append(request.path)
        match = BOT_API_PATH.fullmatch(request.path)
        if match is None:
            return _answer(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        if self.reject_token:
            return _answer(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        method = match["method"]
        params = await _params(request)
        self.calls.append((method, params))
        if method == "getUpdates":
            self.polling.set()
            # Long polling: hold the request as Telegram does when there is nothing new.
            await asyncio.sleep(min(float(params.get("timeout") or 0), 30.0))
            return _answer(200, {"ok": True, "result": []})
        result: Any = True
        if method == "getMe":
            result = {
                "id": 123456789,
                "is_bot": True,
                "first_name": "OST Bot",
                "username": "ostbot_test_bot",
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": True,
            }
        return _answer(200, {"ok": True, "result": result})


def _answer(status: int, body: dict[str, Any]) -> web.Response:
    return web.Response(
        body=json.dumps(body).encode(), status=status, content_type="application/json"
    )


async def _params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        data: dict[str, Any] = await request.json()
        return data
    return dict(await request.post())


@asynccontextmanager
async def serving(standin: TelegramStandIn) -> AsyncIterator[TelegramStandIn]:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", standin._handle)
    async with local_server(app) as url:
        standin.url = url
        yield standin
