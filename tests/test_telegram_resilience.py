"""The Telegram adapter under a misbehaving Bot API, and running it: serve(), startup, logging."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.adapters import common, owed
from bot.adapters import telegram_adapter as tga
from bot.config import Settings
from bot.core.messages import t
from bot.core.models import Reply, Request
from bot.core.service import Service
from tests.support import slow_core
from tests.support.telegram_kit import (
    GROUP_ID,
    TOKEN,
    USER_ID,
    FakeBotAPI,
    check_html,
    group_update,
    message_update,
    running,
    settings,
)

# PTB itself warns inside RetryAfter.__init__ about a future type change; nothing to do here.
pytestmark = pytest.mark.filterwarnings("ignore:.*attribute `retry_after`:DeprecationWarning")

TOO_MANY = (
    429,
    {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    },
)
BAD_GATEWAY = (502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})
CANT_PARSE = (
    400,
    {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: can't parse entities: unexpected end tag at byte offset 12",
    },
)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """Make every asyncio.sleep instant, and remember how long each would have been."""
    real = asyncio.sleep
    asked: list[float] = []

    async def fast(delay: float, result: Any = None) -> Any:
        asked.append(delay)
        return await real(0, result)

    monkeypatch.setattr(asyncio, "sleep", fast)
    yield asked


def succeeded(api: FakeBotAPI, method: str = "sendMessage") -> int:
    return sum(1 for c in api.calls if c.method == method)


def tried(api: FakeBotAPI, method: str = "sendMessage") -> int:
    return sum(1 for c in api.attempts if c.method == method)


# ------------------------------------------------------------------ Bot API errors


async def test_429_is_waited_out_and_the_message_sent_once(
    service: Service, sleeps: list[float]
) -> None:
    async with running(service) as tg:
        tg.api.fail("sendMessage", TOO_MANY)
        await tg.feed(message_update("/drama Goblin"))
    assert tried(tg.api) == 2
    assert succeeded(tg.api) == 1
    assert any(1.0 <= s <= 2.0 for s in sleeps)  # retry_after was honoured (plus slack)
    assert "Goblin" in check_html(tg.sent()[0]["text"])


async def test_502_is_retried_and_the_message_sent_once(
    service: Service, sleeps: list[float]
) -> None:
    async with running(service) as tg:
        tg.api.fail("sendMessage", BAD_GATEWAY, BAD_GATEWAY)
        await tg.feed(message_update("/drama Goblin"))
    assert tried(tg.api) == 3
    assert succeeded(tg.api) == 1


async def test_429_then_502_then_a_dropped_connection(
    service: Service, sleeps: list[float]
) -> None:
    async with running(service) as tg:
        tg.api.fail("sendMessage", TOO_MANY, BAD_GATEWAY, httpx.ConnectError("connection reset"))
        await tg.feed(message_update("/drama Goblin"))
    assert succeeded(tg.api) == 1
    assert tried(tg.api) == 4


async def test_callback_answers_and_inline_answers_are_retried_too(
    service: Service, sleeps: list[float]
) -> None:
    async with running(service) as tg:
        tg.api.fail("answerCallbackQuery", BAD_GATEWAY)
        tg.api.fail("answerInlineQuery", TOO_MANY, BAD_GATEWAY)
        from tests.support.telegram_kit import callback_update, inline_update

        await tg.feed(callback_update("like:ffffffffffff"))
        await tg.feed(inline_update("healing"))
    assert succeeded(tg.api, "answerCallbackQuery") == 1
    assert succeeded(tg.api, "answerInlineQuery") == 1


async def test_retries_are_bounded(
    service: Service, sleeps: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    async with running(service) as tg:
        tg.api.fail("sendMessage", *[BAD_GATEWAY] * 10)
        await tg.feed(message_update("/drama Goblin"))  # must not raise out of the handler
        texts = [c.params["text"] for c in tg.api.attempts if c.method == "sendMessage"]
        # SEND_ATTEMPTS tries of the reply; the apology waits for the API to come back.
        assert len(texts) == tga.SEND_ATTEMPTS and len(set(texts)) == 1
        assert USER_ID in tg.adapter.owed
    assert succeeded(tg.api) == 0
    assert "Telegram update failed" in caplog.text
    # Backoff grows instead of hammering the API.
    backoff = [s for s in sleeps if s >= tga.RETRY_DELAY]
    assert backoff == sorted(backoff) and len(backoff) == tga.SEND_ATTEMPTS - 1


@pytest.fixture
def quick_apologies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries and apologies within milliseconds (real ones: the test waits on real time)."""
    monkeypatch.setattr(tga, "RETRY_DELAY", 0.001)
    monkeypatch.setattr(owed, "PAY_BACKOFF", (0.02, 0.05))


def apologies(api: FakeBotAPI) -> list[dict[str, Any]]:
    return [m for m in api.sent() if m["text"] == t("undelivered", "en")]


async def test_a_reply_lost_to_six_502s_leaves_one_apology_when_the_api_is_back(
    service: Service, quick_apologies: None
) -> None:
    async with running(service) as tg:
        tg.api.fail("sendMessage", *[BAD_GATEWAY] * 6)  # the reply's 4 tries, then 2 more
        await tg.feed(message_update("/drama Goblin"))
        await wait_for(lambda: bool(tg.sent()))
        await asyncio.sleep(0.2)  # room for a second apology, which must not come
        (sorry,) = tg.sent()
        assert sorry["chat_id"] == USER_ID and sorry == apologies(tg.api)[0]
        assert "reply_parameters" not in sorry  # a private chat: no need to quote
        assert not tg.adapter.owed


async def test_in_a_group_the_apology_answers_the_message_that_went_unanswered(
    service: Service, quick_apologies: None
) -> None:
    async with running(service) as tg:
        tg.api.fail("sendMessage", *[BAD_GATEWAY] * 4)
        await tg.feed(group_update("/drama Goblin", message_id=314))
        await wait_for(lambda: bool(tg.sent()))
    (sorry,) = apologies(tg.api)
    assert sorry["chat_id"] == GROUP_ID
    assert sorry["reply_parameters"]["message_id"] == 314


async def test_a_reply_that_gets_through_settles_the_apology(
    service: Service, sleeps: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(owed, "PAY_BACKOFF", (30.0, 60.0))  # it would come much later
    async with running(service) as tg:
        tg.api.fail("sendMessage", *[BAD_GATEWAY] * 4)
        await tg.feed(message_update("/drama Goblin"))
        assert USER_ID in tg.adapter.owed
        await tg.feed(message_update("/drama Goblin"))  # the API is back: this one arrives
        assert not tg.adapter.owed  # the answer says more than an apology would
    assert len(tg.sent()) == 1 and not apologies(tg.api)


async def test_owed_apologies_are_one_per_chat_bounded_and_retried(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(owed, "PAY_BACKOFF", (0.01, 0.02))
    down = 3
    sent: list[str] = []

    async def send(chat: str) -> None:
        nonlocal down
        if down:
            down -= 1
            raise NetworkError("Bad Gateway")
        if chat == "blocked":
            raise BadRequest("Forbidden: bot was blocked by the user")
        sent.append(chat)

    ledger: owed.Owed[str, str] = owed.Owed(send, transient=tga.undelivered, limit=3)
    for chat in ["a", "blocked", "a", "b", "c"]:
        ledger.owe(chat, chat)
    assert len(ledger) == 3 and "a" not in ledger  # bounded: the longest-owed went first
    await wait_for(lambda: not ledger)
    assert sent == ["b", "c"]  # after three failed rounds; the unreachable chat is given up
    await ledger.close()


async def test_refused_html_falls_back_to_plain_text(service: Service) -> None:
    async with running(service) as tg:
        tg.api.fail("sendMessage", CANT_PARSE)
        await tg.feed(message_update("/recommend 2 sad songs"))
    (plain,) = tg.sent()
    assert "parse_mode" not in plain and "reply_markup" not in plain
    assert "<b>" not in plain["text"] and "1. " in plain["text"]
    assert tried(tg.api) == 2  # a BadRequest is not retried as-is


async def test_a_blocked_user_is_not_an_endless_retry(
    service: Service, sleeps: list[float]
) -> None:
    from telegram.error import Forbidden

    async with running(service) as tg:
        tg.api.fail("sendMessage", Forbidden("Forbidden: bot was blocked by the user"))
        await tg.feed(message_update("/drama Goblin"))
    assert tried(tg.api) == 1


async def test_an_expired_button_press_is_not_an_error(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.support.telegram_kit import callback_update

    too_old = (
        400,
        {"ok": False, "error_code": 400, "description": "Bad Request: query is too old"},
    )
    async with running(service) as tg:
        tg.api.fail("answerCallbackQuery", too_old)
        await tg.feed(callback_update("like:ffffffffffff"))
    assert "Telegram update failed" not in caplog.text
    assert tried(tg.api, "answerCallbackQuery") == 1


@pytest.mark.parametrize(
    ("error", "again"),
    [
        (NetworkError("Bad Gateway"), True),
        (BadRequest("Bad Request: chat not found"), False),
        (TimedOut(), True),  # no cause known: the request may not have left
    ],
)
def test_which_errors_are_retried(error: NetworkError, again: bool) -> None:
    assert tga._retryable(error) is again


def test_a_read_timeout_is_not_retried() -> None:
    # The request reached Telegram; sending it again could post the message twice.
    try:
        raise TimedOut() from httpx.ReadTimeout("read timed out")
    except TimedOut as exc:
        assert tga._retryable(exc) is False
    try:
        raise TimedOut() from httpx.ConnectTimeout("connect timed out")
    except TimedOut as exc:
        assert tga._retryable(exc) is True


async def test_with_retry_returns_the_first_success(sleeps: list[float]) -> None:
    calls = 0

    async def flaky() -> str:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise NetworkError("Connection reset by peer")
        return "ok"

    assert await tga.with_retry(flaky, "test") == "ok"
    assert calls == 3
    assert sleeps == [tga.RETRY_DELAY, tga.RETRY_DELAY * 2]


# ------------------------------------------------------------------------ serve()


def patch_build(monkeypatch: pytest.MonkeyPatch, api: FakeBotAPI) -> None:
    real = tga.build_application

    def build(service: Service, settings: Settings, **_: Any) -> tga.App:
        return real(service, settings, request=api)

    monkeypatch.setattr(tga, "build_application", build)


async def wait_for(condition: Callable[[], bool], budget: float = 5.0) -> None:
    """The fake API is watched from outside the bot, so there is no event to wait on."""
    for _ in range(int(budget / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")


async def test_serve_polls_answers_and_stops_cleanly(
    service: Service, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    api = FakeBotAPI()
    patch_build(monkeypatch, api)
    stop = asyncio.Event()
    undo = common.install_redactor(common.secrets_of(settings()))  # as `ostbot` does at start
    with caplog.at_level(logging.DEBUG):
        task = asyncio.create_task(tga.serve(service, settings(), stop))
        await api.updates.put(message_update("/drama Goblin"))
        await wait_for(lambda: bool(api.sent()))
        stop.set()
        await asyncio.wait_for(task, 5)
    undo()
    methods = api.methods()
    assert methods[0] == "getMe"
    assert "setMyCommands" in methods  # post_init ran although start() does not call it
    assert "deleteWebhook" in methods and "getUpdates" in methods
    polls = [c.params for c in api.calls if c.method == "getUpdates"]
    assert set(polls[0]["allowed_updates"]) == set(tga.ALLOWED_UPDATES)
    assert api.sent()[0]["chat_id"] == USER_ID
    after = len(api.attempts)
    await asyncio.sleep(0.1)
    assert len(api.attempts) == after  # polling really stopped
    assert TOKEN.split(":")[1] not in caplog.text  # PTB logs its URL at DEBUG
    assert "[REDACTED]" in caplog.text  # it did log it: the redactor is what kept it out


async def test_a_stop_sends_the_replies_in_hand_then_stops_polling(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = FakeBotAPI()
    patch_build(monkeypatch, api)
    started = slow_core(service, monkeypatch)
    stop = asyncio.Event()
    task = asyncio.create_task(tga.serve(service, settings(), stop))
    update = message_update("/drama Goblin")
    await api.updates.put(update)
    await asyncio.wait_for(started.wait(), 5)
    stop.set()  # while the reply is being made
    await asyncio.wait_for(task, 5)
    assert len(api.sent()) == 1  # it was sent before the bot stopped
    last = [c.params for c in api.calls if c.method == "getUpdates"][-1]
    # The last poll only confirmed what was taken, so Telegram will not deliver it again.
    assert last["timeout"] == 0 and last["offset"] == update["update_id"] + 1


async def test_a_stop_cuts_off_a_reply_that_outlasts_its_grace(
    service: Service, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    api = FakeBotAPI()
    patch_build(monkeypatch, api)
    monkeypatch.setattr(tga, "STOP_GRACE", 0.2)
    started = asyncio.Event()

    async def stuck(request: Request) -> Reply:
        started.set()
        await asyncio.Event().wait()  # a core (or an API) that never answers
        raise AssertionError("unreachable")

    monkeypatch.setattr(service, "handle", stuck)
    stop = asyncio.Event()
    task = asyncio.create_task(tga.serve(service, settings(), stop))
    await api.updates.put(message_update("/drama Goblin"))
    await api.updates.put(message_update("/drama Goblin"))
    await asyncio.wait_for(started.wait(), 5)
    loop = asyncio.get_running_loop()
    began = loop.time()
    stop.set()
    await asyncio.wait_for(task, 5)
    assert loop.time() - began < 1.0  # the grace, not for ever
    assert "; 2 updates unanswered" in caplog.text
    assert not api.sent()


async def test_a_stop_does_not_wait_on_a_bot_api_that_stopped_answering(
    service: Service, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    class Stalled(FakeBotAPI):
        async def _result(self, endpoint: str, params: dict[str, Any]) -> Any:
            if endpoint == "getUpdates" and params.get("timeout") == 0:
                await asyncio.Event().wait()  # the last poll, at stop, never comes back
            return await super()._result(endpoint, params)

    api = Stalled()
    patch_build(monkeypatch, api)
    monkeypatch.setattr(tga, "STOP_GRACE", 0.2)
    stop = asyncio.Event()
    task = asyncio.create_task(tga.serve(service, settings(), stop))
    await wait_for(lambda: any(c.method == "getUpdates" for c in api.calls))
    stop.set()
    await asyncio.wait_for(task, 2)
    assert "polling did not stop cleanly" in caplog.text


async def test_serve_waits_out_an_outage_at_startup(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = FakeBotAPI()
    api.fail("getMe", BAD_GATEWAY, httpx.ConnectError("network unreachable"))
    patch_build(monkeypatch, api)
    monkeypatch.setattr(common, "STARTUP_BACKOFF", (0.01, 0.02))
    stop = asyncio.Event()
    task = asyncio.create_task(tga.serve(service, settings(), stop))
    await wait_for(lambda: any(c.method == "getUpdates" for c in api.calls))
    stop.set()
    await asyncio.wait_for(task, 5)
    assert [c.method for c in api.attempts[:3]] == ["getMe"] * 3


async def test_serve_returns_when_stopped_during_an_outage(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = FakeBotAPI()
    api.fail("getMe", *[BAD_GATEWAY] * 1000)
    patch_build(monkeypatch, api)
    stop = asyncio.Event()
    task = asyncio.create_task(tga.serve(service, settings(), stop))
    await wait_for(lambda: bool(api.attempts))
    stop.set()
    await asyncio.wait_for(task, 5)  # did not wait for the backoff to run out
    assert not any(c.method == "getUpdates" for c in api.attempts)


async def test_serve_gives_up_on_a_wrong_token(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    from telegram.error import InvalidToken

    api = FakeBotAPI()
    api.fail("getMe", (401, {"ok": False, "error_code": 401, "description": "Unauthorized"}))
    patch_build(monkeypatch, api)
    with pytest.raises(InvalidToken):
        await asyncio.wait_for(tga.serve(service, settings(), asyncio.Event()), 5)


async def test_self_hosted_api_server_is_used(service: Service) -> None:
    async with running(service, telegram_api_base_url="http://localhost:8081/") as tg:
        await tg.feed(message_update("/help"))
        assert tg.app.bot.base_file_url == f"http://localhost:8081/file/bot{TOKEN}"
    (call,) = [c for c in tg.api.calls if c.method == "sendMessage"]
    assert call.url == f"http://localhost:8081/bot{TOKEN}/sendMessage"


@pytest.mark.parametrize(
    ("given", "api", "files"),
    [
        ("http://localhost:8081", "http://localhost:8081/bot", "http://localhost:8081/file/bot"),
        ("http://h:8081/bot/", "http://h:8081/bot", "http://h:8081/file/bot"),
        ("https://h/x/bot{token}", "https://h/x/bot{token}", "https://h/x/file/bot{token}"),
    ],
)
def test_api_urls(given: str, api: str, files: str) -> None:
    assert tga.api_urls(given) == (api, files)


async def test_webhook_mode_passes_the_settings_on(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    async def start_webhook(**kwargs: Any) -> None:
        seen.update(kwargs)

    async with running(service) as tg:
        assert tg.app.updater is not None
        monkeypatch.setattr(tg.app.updater, "start_webhook", start_webhook)
        hook = settings(
            telegram_webhook_url="https://ost.example.org/hooks/telegram",
            telegram_webhook_port=8443,
            telegram_webhook_secret="s3cret-Token_value",
        )
        await tga.start_updates(tg.app, hook)
    assert seen["webhook_url"] == "https://ost.example.org/hooks/telegram"
    assert seen["url_path"] == "hooks/telegram"  # never the bot token
    assert seen["secret_token"] == "s3cret-Token_value"
    assert (seen["listen"], seen["port"]) == ("0.0.0.0", 8443)  # noqa: S104
    assert set(seen["allowed_updates"]) == set(tga.ALLOWED_UPDATES)


CONFLICT = (
    409,
    {
        "ok": False,
        "error_code": 409,
        "description": "Conflict: terminated by other getUpdates request; make sure that only"
        " one bot instance is running",
    },
)


async def test_a_second_poller_on_the_token_stops_with_one_clear_error(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram answers 409 when another process polls the same token: instead of retrying
    for ever (and the two interrupting each other), the adapter stops and says why."""
    api = FakeBotAPI()
    api.fail("getUpdates", CONFLICT)
    patch_build(monkeypatch, api)
    stop = asyncio.Event()
    with pytest.raises(tga.PollingConflict, match="another process is polling") as err:
        await asyncio.wait_for(tga.serve(service, settings(), stop), 5)
    assert "\n" not in str(err.value) and "TELEGRAM_WEBHOOK_URL" in str(err.value)
    polls = [c for c in api.attempts if c.method == "getUpdates"]
    assert len(polls) <= 2  # the conflict, and at most the last poll of the stop


async def test_other_polling_errors_are_still_retried(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = FakeBotAPI()
    api.fail("getUpdates", BAD_GATEWAY)
    patch_build(monkeypatch, api)
    stop = asyncio.Event()
    task = asyncio.create_task(tga.serve(service, settings(), stop))
    await wait_for(lambda: any(c.method == "getUpdates" for c in api.calls), budget=10)
    stop.set()
    await asyncio.wait_for(task, 5)  # no PollingConflict: a 502 is worth another try
