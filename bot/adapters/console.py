"""The console adapter: each line of input is a message from one local user."""

from __future__ import annotations

import asyncio
import getpass
import sys
import threading
from typing import TextIO

from bot.core.models import Platform, Request
from bot.core.render import render_plain
from bot.core.service import Service

PROMPT = "you> "


def local_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers): one fixed local user
        return "local"


async def chat(
    service: Service,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    *,
    user_id: str | None = None,
    stop: asyncio.Event | None = None,
) -> int:
    """Answer lines until end of input (or `stop`); returns the number of messages handled."""
    user = user_id or local_user()
    interactive = stdin.isatty() and stdout.isatty()
    if interactive:
        stdout.write('ostbot: ask me for a K-drama OST (try "healing", "help"; Ctrl-D quits)\n')
    lines = _reader(stdin)
    handled = 0
    while stop is None or not stop.is_set():
        if interactive:
            stdout.write(PROMPT)
            stdout.flush()
        line = await _next_line(lines, stop)
        if not line:
            break
        text = line.rstrip("\r\n")
        if not text.strip() and not interactive:
            continue  # blank lines in piped input separate nothing
        reply = await service.handle(
            Request(platform=Platform.CONSOLE, user_id=user, chat_id="console", text=text)
        )
        stdout.write(render_plain(reply) + "\n\n")
        stdout.flush()
        handled += 1
    return handled


def _reader(stdin: TextIO) -> asyncio.Queue[str]:
    """Read stdin on a daemon thread, so Ctrl-C or SIGTERM never waits for a line."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str] = asyncio.Queue()

    def pump() -> None:
        while True:
            try:
                line = stdin.readline()
            except (OSError, ValueError):
                line = ""
            try:
                loop.call_soon_threadsafe(queue.put_nowait, line)
            except RuntimeError:  # the loop has closed: nobody is listening any more
                return
            if not line:
                return

    threading.Thread(target=pump, name="console-stdin", daemon=True).start()
    return queue


async def _next_line(lines: asyncio.Queue[str], stop: asyncio.Event | None) -> str:
    if stop is None:
        return await lines.get()
    get = asyncio.ensure_future(lines.get())
    halt = asyncio.ensure_future(stop.wait())
    done, pending = await asyncio.wait({get, halt}, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    return get.result() if get in done else ""
