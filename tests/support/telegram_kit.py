"""Offline Telegram test kit: a fake Bot API behind python-telegram-bot, and real-shaped updates.

The fake is a `telegram.request.BaseRequest`, so everything above the HTTP layer is the real
library: Update.de_json, the handlers, ExtBot, AIORateLimiter and the error handling. It records
every Bot API call (method + parameters) and can be told to fail the next calls of a method.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from telegram import Update
from telegram.request import BaseRequest, RequestData

from bot.adapters.telegram_adapter import App, TelegramAdapter, adapter_of, build_application
from bot.config import Settings
from bot.core.service import Service

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
BOT_ID = 123456789
BOT_USERNAME = "ostbot_test_bot"
USER_ID = 111
OTHER_ID = 222
GROUP_ID = -1001234567890
NOW = 1_700_000_000

Failure = tuple[int, dict[str, Any]] | BaseException


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    url: str


@dataclass
class FakeBotAPI(BaseRequest):
    """Answers Bot API calls with canned JSON and records them."""

    calls: list[Call] = field(default_factory=list)  # calls that succeeded
    attempts: list[Call] = field(default_factory=list)  # every call, failed ones too
    failures: dict[str, list[Failure]] = field(default_factory=lambda: defaultdict(list))
    updates: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(5000))

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def fail(self, method: str, *failures: Failure) -> None:
        self.failures[method].extend(failures)

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        return [c.params for c in self.calls if c.method == method]

    def methods(self) -> list[str]:
        return [c.method for c in self.calls]

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        if request_data is not None:
            request_data.json_payload  # noqa: B018 - what would go over the wire must encode
        call = Call(endpoint, dict(params), url)
        self.attempts.append(call)
        if self.failures[endpoint]:
            failure = self.failures[endpoint].pop(0)
            if isinstance(failure, BaseException):
                raise failure
            code, body = failure
            return code, json.dumps(body).encode()
        result = await self._result(endpoint, params)
        self.calls.append(call)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    async def _result(self, endpoint: str, params: dict[str, Any]) -> Any:
        if endpoint == "getMe":
            return {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "OST Bot",
                "username": BOT_USERNAME,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": True,
            }
        if endpoint == "sendMessage":
            chat_id = int(params["chat_id"])
            chat = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
            return {
                "message_id": next(self.ids),
                "date": NOW,
                "chat": chat,
                "from": bot_user(),
                "text": params["text"],
            }
        if endpoint == "getUpdates":
            try:
                return [await asyncio.wait_for(self.updates.get(), timeout=0.05)]
            except TimeoutError:
                return []
        return True  # answerCallbackQuery, answerInlineQuery, setMyCommands, deleteWebhook...


# ------------------------------------------------------------------------ updates

_update_ids = itertools.count(900_000)


def bot_user() -> dict[str, Any]:
    return {"id": BOT_ID, "is_bot": True, "first_name": "OST Bot", "username": BOT_USERNAME}


def user(uid: int = USER_ID, lang: str | None = "en") -> dict[str, Any]:
    data: dict[str, Any] = {"id": uid, "is_bot": False, "first_name": "Ji-eun"}
    if lang:
        data["language_code"] = lang
    return data


def private_chat(uid: int = USER_ID) -> dict[str, Any]:
    return {"id": uid, "type": "private", "first_name": "Ji-eun"}


def group_chat() -> dict[str, Any]:
    return {"id": GROUP_ID, "type": "supergroup", "title": "K-drama OST fans"}


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def command_entities(text: str) -> list[dict[str, Any]]:
    if not text.startswith("/"):
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16(text.split()[0])}]


def message(
    text: str | None = None,
    *,
    chat: dict[str, Any] | None = None,
    sender: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
    message_id: int = 42,
    **extra: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "message_id": message_id,
        "date": NOW,
        "chat": chat or private_chat(),
        "from": sender or user(),
    }
    if text is not None:
        data["text"] = text
        ents = command_entities(text) if entities is None else entities
        if ents:
            data["entities"] = ents
    data.update(extra)
    return data


def message_update(text: str | None = None, **kwargs: Any) -> dict[str, Any]:
    return {"update_id": next(_update_ids), "message": message(text, **kwargs)}


def group_update(text: str | None = None, **kwargs: Any) -> dict[str, Any]:
    return message_update(text, chat=group_chat(), **kwargs)


def callback_update(
    data: str | None, *, sender: dict[str, Any] | None = None, chat: dict[str, Any] | None = None
) -> dict[str, Any]:
    query: dict[str, Any] = {
        "id": f"cb{next(_update_ids)}",
        "from": sender or user(),
        "chat_instance": "-8123456789",
        "message": {
            "message_id": 77,
            "date": NOW,
            "chat": chat or private_chat(),
            "from": bot_user(),
            "text": "Here are 3 OSTs for you",
        },
    }
    if data is not None:
        query["data"] = data
    return {"update_id": next(_update_ids), "callback_query": query}


def inline_update(query: str, *, sender: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "update_id": next(_update_ids),
        "inline_query": {
            "id": f"iq{next(_update_ids)}",
            "from": sender or user(),
            "query": query,
            "offset": "",
            "chat_type": "sender",
        },
    }


# ------------------------------------------------------------------------ harness


def settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "_env_file": None,  # the developer's .env must not leak into tests
        "telegram_token": TOKEN,
        "telegram_api_base_url": None,
        "telegram_webhook_url": None,
        "telegram_webhook_secret": None,
        "cooldown_seconds": 0.0,
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class Harness:
    app: App
    api: FakeBotAPI

    async def feed(self, data: dict[str, Any]) -> None:
        await self.app.process_update(Update.de_json(data, self.app.bot))

    @property
    def adapter(self) -> TelegramAdapter:
        return adapter_of(self.app)

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        return self.api.sent(method)

    def clear(self) -> None:
        self.api.calls.clear()
        self.api.attempts.clear()


@asynccontextmanager
async def running(service: Service, **overrides: Any) -> AsyncIterator[Harness]:
    api = FakeBotAPI()
    app = build_application(service, settings(**overrides), request=api)
    async with app:
        harness = Harness(app, api)
        harness.clear()  # getMe is not what the tests are about
        try:
            yield harness
        finally:
            await harness.adapter.owed.close()


# ------------------------------------------------------------------------ checks


class TelegramHTML(HTMLParser):
    """Checks a message the way Telegram's HTML parse mode reads it, strictly."""

    NAMED = frozenset({"lt", "gt", "amp", "quot"})

    def __init__(self, allowed: frozenset[str] = frozenset({"b", "i"})) -> None:
        super().__init__(convert_charrefs=False)
        self.allowed = allowed
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.allowed or attrs:
            self.errors.append(f"unexpected <{tag} {attrs}>")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(f"unbalanced </{tag}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.errors.append(f"self-closing <{tag}/>")

    def handle_data(self, data: str) -> None:
        if "<" in data or ">" in data or "&" in data:
            self.errors.append(f"raw markup character in {data[:40]!r}")
        self.parts.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in self.NAMED:
            self.errors.append(f"entity &{name};")
        self.parts.append({"lt": "<", "gt": ">", "amp": "&", "quot": '"'}.get(name, "?"))

    def handle_charref(self, name: str) -> None:
        code = int(name[1:], 16) if name[:1] in "xX" else int(name)
        self.parts.append(chr(code))

    def handle_comment(self, data: str) -> None:
        self.errors.append("comment")

    def handle_decl(self, decl: str) -> None:
        self.errors.append("declaration")

    def handle_pi(self, data: str) -> None:
        self.errors.append("processing instruction")

    def unknown_decl(self, data: str) -> None:
        self.errors.append("unknown declaration")


def check_html(text: str) -> str:
    """Asserts `text` is well-formed Telegram HTML of ours; returns what it shows."""
    parser = TelegramHTML()
    parser.feed(text)
    parser.close()
    assert not parser.errors, parser.errors
    assert not parser.stack, f"unclosed tags {parser.stack}"
    assert parser.rawdata == "", "unparsed trailing markup"
    return "".join(parser.parts)


def callback_data(markup: dict[str, Any] | None) -> list[str]:
    if not markup:
        return []
    return [
        b["callback_data"] for row in markup["inline_keyboard"] for b in row if "callback_data" in b
    ]


def urls(markup: dict[str, Any] | None) -> list[str]:
    if not markup:
        return []
    return [b["url"] for row in markup["inline_keyboard"] for b in row if "url" in b]
