"""`ostbot` run as a process by the tests: `python -m tests.support.run_ostbot ARGS...`.

The same command line, with one difference: when OSTBOT_TEST_DISCORD_URL is set, discord.py
talks to the local Discord stand-in at that URL instead of discord.com (Telegram needs no such
help: TELEGRAM_API_BASE_URL is a setting). `start` launches it the way the tests need.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The developer's own settings must not reach the process under test.
SETTINGS = ("DISCORD_", "TELEGRAM_", "OSTBOT_", "LOG_LEVEL", "COOLDOWN_SECONDS")


def environment(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(SETTINGS)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT), env.get("PYTHONPATH"))))
    env.update(values)
    return env


async def start(*args: str, cwd: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    """`ostbot ARGS` with stdout and stderr piped; `cwd` should hold no `.env`."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.support.run_ostbot",
        *args,
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


if __name__ == "__main__":
    if url := os.environ.get("OSTBOT_TEST_DISCORD_URL"):
        from tests.support.discord_server import point_discord_at

        point_discord_at(url)
    from bot.cli import main

    sys.exit(main(sys.argv[1:]))
