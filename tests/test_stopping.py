"""Stopping: what an adapter has in hand is finished for a short grace, then cut; the runner
cancels an adapter that does not stop; the whole `ostbot run` exits soon after SIGTERM."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot import runner
from bot.adapters.common import InHand
from bot.config import Settings
from bot.core.service import Service
from tests.support.discord_kit import make_settings


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
