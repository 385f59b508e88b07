"""No secret in anything ostbot prints, whoever prints it.

Each platform refuses a fake token at a local stand-in (a revoked token: 401; a wrong
TELEGRAM_API_BASE_URL path: 404, which python-telegram-bot also reports as InvalidToken);
`ostbot run` runs as a process with LOG_LEVEL=DEBUG, and every line it writes is searched for
the token in every form a log could show it.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import shutil
import sys
import threading
import warnings
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from bot.adapters.common import Redactor, install_redactor
from tests.support import discord_server, telegram_server
from tests.support.run_ostbot import environment, start
from tests.support.telegram_kit import TOKEN

TELEGRAM_TOKEN = "123456789:AAFakeTelegramSecret_0123456789abcdefXYZ"
DISCORD_TOKEN = "MTE3NzIwMDAwMDAwMDAwMDAwMA.GaBcDe.FakeDiscordSecret-0123456789abcdefXYZ"


def forms(token: str) -> set[str]:
    """The token as it could appear: whole, URL-encoded, and a Telegram token's secret half."""
    return {token, quote(token, safe=""), token.split(":", 1)[-1]}


@pytest.fixture
def db(tmp_path: Path, seeded_db: Path) -> Path:
    path = tmp_path / "ostbot.db"
    shutil.copy(seeded_db, path)
    return path


async def run_until_it_fails(db: Path, **settings: str) -> tuple[int, list[str]]:
    env = environment(LOG_LEVEL="DEBUG", **settings)
    process = await start("--db", str(db), "run", cwd=db.parent, env=env)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    lines = (out + err).decode("utf-8", "replace").splitlines()
    assert process.returncode is not None
    return process.returncode, lines


def leaks(lines: list[str], token: str) -> list[str]:
    return [line for line in lines if any(form in line for form in forms(token))]


@pytest.mark.parametrize("path", ["", "/not-the-bot-api"], ids=["revoked", "wrong-path"])
async def test_a_refused_telegram_token_is_never_printed(db: Path, path: str) -> None:
    standin = telegram_server.TelegramStandIn(reject_token=not path)
    async with telegram_server.serving(standin):
        code, lines = await run_until_it_fails(
            db, TELEGRAM_TOKEN=TELEGRAM_TOKEN, TELEGRAM_API_BASE_URL=standin.url + path
        )
    assert any(TELEGRAM_TOKEN in p for p in standin.paths)  # the token did go over the wire
    assert code == 1
    (failure,) = [line for line in lines if "telegram adapter stopped" in line]
    assert "InvalidToken" in failure and "[REDACTED]" in failure  # its text quoted the token
    assert len(lines) > 20  # DEBUG: python-telegram-bot and httpx had their say too
    assert leaks(lines, TELEGRAM_TOKEN) == []


async def test_a_refused_discord_token_is_never_printed(db: Path) -> None:
    standin = discord_server.DiscordStandIn(reject_token=True)
    async with discord_server.serving(standin):
        code, lines = await run_until_it_fails(
            db, DISCORD_TOKEN=DISCORD_TOKEN, OSTBOT_TEST_DISCORD_URL=standin.url
        )
    assert ("GET", "/users/@me") in standin.requests
    assert code == 1
    assert any("discord adapter stopped: LoginFailure" in line for line in lines)
    assert leaks(lines, DISCORD_TOKEN) == []


# ------------------------------------------------------ the redactor, in process


def test_redactor_scrubs_messages_arguments_and_tracebacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = TOKEN.split(":")[1]
    undo = install_redactor([TOKEN])
    try:
        with caplog.at_level(logging.DEBUG):
            logging.getLogger("httpx").info(
                'HTTP Request: POST https://api.telegram.org/bot%s/getUpdates "200 OK"', TOKEN
            )
            logging.getLogger("telegram.ext.Updater").error("url %s", f"bot{secret}")
            try:
                raise httpx.ConnectError(f"https://api.telegram.org/bot{TOKEN}/getMe")
            except httpx.ConnectError:
                logging.getLogger("telegram.ext.Application").exception("no network")
            logging.getLogger("somewhere.else").warning("token %s", TOKEN)  # any logger at all
    finally:
        undo()
    text = caplog.text
    assert "getUpdates" in text and "no network" in text and "ConnectError" in text
    assert secret not in text
    assert all(secret not in (r.getMessage() + (r.exc_text or "")) for r in caplog.records)
    assert text.count("[REDACTED]") >= 4


def test_redactor_undo_removes_the_filter(caplog: pytest.LogCaptureFixture) -> None:
    undo = install_redactor([TOKEN])
    undo()
    with caplog.at_level(logging.INFO):
        logging.getLogger("httpx").info("token %s", TOKEN)
    assert TOKEN in caplog.text  # proves the filter (not luck) did the scrubbing above


def test_redactor_ignores_short_or_empty_secrets() -> None:
    redactor = Redactor(["", "a:b"])
    assert redactor.redact("a:b and b") == "a:b and b"  # nothing that would shred logs


def test_redactor_covers_uncaught_exceptions_and_other_threads(
    capsys: pytest.CaptureFixture[str],
) -> None:
    undo = install_redactor([TOKEN])
    try:
        try:
            raise RuntimeError(f"GET https://api.telegram.org/bot{TOKEN}/getMe failed")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())

        def crash() -> None:
            raise ValueError(f"token={TOKEN}")

        thread = threading.Thread(target=crash)
        thread.start()
        thread.join()
    finally:
        undo()
    err = capsys.readouterr().err
    assert "RuntimeError" in err and "ValueError" in err
    assert TOKEN.split(":")[1] not in err and err.count("[REDACTED]") >= 2


def test_redactor_covers_warnings_and_unraisable_exceptions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    class Closing:
        def __del__(self) -> None:
            raise RuntimeError(f"could not close https://api.telegram.org/bot{TOKEN}/")

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        undo = install_redactor([TOKEN])
        try:
            warnings.warn(f"unclosed session for bot{TOKEN}", ResourceWarning, stacklevel=1)
            Closing()  # dropped at once: its __del__ fails where nothing can catch it
            gc.collect()
        finally:
            undo()
    err = capsys.readouterr().err
    assert "ResourceWarning" in err and "could not close" in err
    assert TOKEN.split(":")[1] not in err and err.count("[REDACTED]") >= 2


async def test_redactor_covers_a_failed_task_nobody_awaited(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def fail() -> None:
        raise RuntimeError(f"GET https://api.telegram.org/bot{TOKEN}/getUpdates failed")

    undo = install_redactor([TOKEN])
    try:
        task = asyncio.ensure_future(fail())
        await asyncio.sleep(0)
        del task  # asyncio reports "Task exception was never retrieved" when it is collected
        gc.collect()
    finally:
        undo()
    assert "never retrieved" in caplog.text and "getUpdates failed" in caplog.text
    assert TOKEN.split(":")[1] not in caplog.text
