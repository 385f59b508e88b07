"""Stopping: what an adapter has in hand is finished for a short grace, then cut; the runner
cancels an adapter that does not stop; the whole `ostbot run` exits soon after SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import shutil
import signal
from pathlib import Path

import pytest

from bot import runner
from bot.adapters.common import InHand
from bot.config import Settings
from bot.core.service import Service
from tests.support import discord_server, telegram_server
from tests.support.discord_kit import make_settings
from tests.support.run_ostbot import environment, start


async def test_in_hand_lets_quick_work_finish_and_cuts_slow_work() -> None:
    in_hand = InHand()
    finished: list[str] = []

    async def work(name: str, seconds: float) -> None:
        with in_hand.track():
            await asyncio.sleep(seconds)
            finished.append(name)

    quick = asyncio.create_task(work("quick", 0.01))
    slow = asyncio.create_task(work("slow", 60))
    await asyncio.sleep(0)  # both have started
    assert len(in_hand) == 2
    assert await in_hand.finish(0.2) == 1
    assert finished == ["quick"] and slow.cancelled() and quick.done()
    assert len(in_hand) == 0 and in_hand.closed


async def test_the_runner_cancels_an_adapter_that_does_not_stop(
    service: Service, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(runner, "STOP_TIMEOUT", 0.1)
    cancelled = asyncio.Event()

    async def deaf(service: Service, settings: Settings, stop: asyncio.Event) -> None:
        try:
            await asyncio.Event().wait()  # never looks at `stop`
        except asyncio.CancelledError:
            cancelled.set()
            raise

    stop = asyncio.Event()
    supervising = asyncio.create_task(
        runner.supervise([("deaf", deaf)], service, make_settings(), stop)
    )
    await asyncio.sleep(0.01)
    stop.set()
    with caplog.at_level(logging.WARNING):
        assert await asyncio.wait_for(supervising, 2) == 0
    assert cancelled.is_set()
    assert "deaf adapter did not stop in 0.1s" in caplog.text


async def test_sigterm_stops_ostbot_run_cleanly_within_five_seconds(
    tmp_path: Path, seeded_db: Path
) -> None:
    db = tmp_path / "ostbot.db"
    shutil.copy(seeded_db, db)
    telegram = telegram_server.TelegramStandIn()
    discord = discord_server.DiscordStandIn()
    async with telegram_server.serving(telegram), discord_server.serving(discord):
        env = environment(
            TELEGRAM_TOKEN="123456789:AAFakeTelegramSecret_0123456789abcdefXYZ",
            TELEGRAM_API_BASE_URL=telegram.url,
            DISCORD_TOKEN="MTE3NzIwMDAwMDAwMDAwMDAwMA.GaBcDe.FakeDiscordSecret-0123456789",
            OSTBOT_TEST_DISCORD_URL=discord.url,
        )
        process = await start("--db", str(db), "run", cwd=tmp_path, env=env)
        try:
            await asyncio.wait_for(telegram.polling.wait(), 60)
            await asyncio.wait_for(discord.identified.wait(), 60)
            loop = asyncio.get_running_loop()
            sent = loop.time()
            process.send_signal(signal.SIGTERM)
            _, err = await asyncio.wait_for(process.communicate(), 10)
            took = loop.time() - sent
        finally:
            if process.returncode is None:
                process.kill()
        await asyncio.wait_for(discord.closed.wait(), 5)
    assert process.returncode == 0, err.decode()[-2000:]
    assert took < 5.0, took
    assert discord.close_codes == [1000]  # the session ended: the bot shows offline at once
    method, params = telegram.calls[-1]
    # Polling ended with the short call that confirms the updates taken.
    assert method == "getUpdates" and int(params["timeout"]) == 0
