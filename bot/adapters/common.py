"""What every adapter shares (no platform imports here): cutting text to a platform's limits,
which links may be buttons, the start-up retry, and the one log redactor that keeps every
secret out of the process's logs.

What a command is, who may see a reply and who must slow down are the core's decisions
(`bot.core.commands`, `Reply.visibility`, the service's cooldown); adapters only translate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import threading
import traceback
import warnings
from collections.abc import Awaitable, Callable, Iterable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, TextIO, TypeVar
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")

STARTUP_BACKOFF = (1.0, 60.0)  # first and longest wait while a platform is unreachable
# Once asked to stop, an adapter finishes the replies it is sending for at most this long, then
# cancels the rest. The runner allows a little more before it cancels the adapter itself, and
# the final database write comes after: the whole stop stays well inside a container's stop
# grace (Docker's default is 10 s, then SIGKILL).
STOP_GRACE = 1.5
UNWIND = 0.25  # for a cancelled reply to run its cleanup
REDACTED = "[REDACTED]"
MIN_SECRET = 6  # shorter "secrets" would shred ordinary log text


def clip(text: str, limit: int) -> str:
    """Cut to `limit` characters, ending in an ellipsis when cut: platforms reject an overlong
    field rather than shorten it."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_web_url(url: str, limit: int | None = None) -> bool:
    """Whether a link can be a button or an embed link: http(s) with a host, short enough."""
    parts = urlsplit(url)
    fits = limit is None or len(url) <= limit
    return parts.scheme in ("http", "https") and bool(parts.netloc) and fits


def split_text(text: str, limit: int) -> list[str]:
    """Split text into chunks of at most `limit` characters, at line breaks where possible."""
    if limit < 1:
        raise ValueError("limit must be positive")
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # a single overlong line: hard-wrap it
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current or not chunks:
        chunks.append(current)
    return chunks


# --------------------------------------------------------------------- start-up retry


async def keep_trying(
    attempt: Callable[[], Awaitable[T]],
    *,
    transient: Callable[[BaseException], bool],
    stop: asyncio.Event,
    what: str,
) -> T | None:
    """Run `attempt` until it succeeds, waiting longer after each transient failure.

    A platform that is unreachable at start-up must not take the other adapters down with it;
    a failure that is not transient (a wrong token) is raised at once. Returns None when `stop`
    is set first.
    """
    delay, longest = STARTUP_BACKOFF
    while not stop.is_set():
        try:
            return await attempt()
        except Exception as exc:
            if not transient(exc):
                raise
            log.warning(
                "%s unreachable (%s: %s); retrying in %.0fs", what, type(exc).__name__, exc, delay
            )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        delay = min(delay * 2, longest)
    return None


# ---------------------------------------------------------------------- stopping


class InHand:
    """The requests an adapter is answering right now (one task each), so that a stop can let
    them finish for a while and cancel what is left, instead of waiting on them for ever or
    cutting them off at once."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[object]] = set()
        self.closed = False  # set once the rest was cancelled: take nothing new

    def __len__(self) -> int:
        return len(self._tasks)

    @contextlib.contextmanager
    def track(self) -> Iterator[None]:
        """Count the current task as in hand while the block runs."""
        task = asyncio.current_task()
        if task is None:  # not in a task: nothing a stop could cancel
            yield
            return
        self._tasks.add(task)
        try:
            yield
        finally:
            self._tasks.discard(task)

    def cancel(self) -> int:
        """Cancel everything in hand and refuse what comes later; returns how many."""
        self.closed = True
        for task in self._tasks:
            task.cancel()
        return len(self._tasks)

    async def finish(self, grace: float) -> int:
        """Wait up to `grace` seconds for what is in hand, then cancel the rest and let it
        unwind; returns how many were cancelled."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=grace)
        late = set(self._tasks)
        self.cancel()
        if late:
            await asyncio.wait(late, timeout=UNWIND)
        return len(late)


# ------------------------------------------------------------------------- redaction


class Redactor:
    """Replaces secrets in text. A Telegram token's part after ':' is the secret itself, and
    redacting it alone also covers URLs that encode the ':'."""

    def __init__(self, secrets: Iterable[str]) -> None:
        words = {s for secret in secrets if secret for s in (secret, secret.split(":", 1)[-1])}
        self.secrets = sorted((w for w in words if len(w) >= MIN_SECRET), key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def scrub(self, record: logging.LogRecord) -> None:
        """Redact a log record's message, its exception text and its stack, in place."""
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it for the handler to report
            return
        record.msg, record.args = self.redact(message), ()
        if record.exc_info and not record.exc_text:
            # Exception texts carry URLs too (httpx errors); formatters reuse exc_text.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)


def secrets_of(settings: Settings) -> list[str]:
    """Every secret the settings hold: tokens and the webhook secret."""
    values = (settings.discord_token, settings.telegram_token, settings.telegram_webhook_secret)
    return [v.get_secret_value().strip() for v in values if v is not None]


def install_redactor(secrets: Iterable[str]) -> Callable[[], None]:
    """Keep `secrets` out of everything this process logs or reports; returns an undo.

    Installed once, at start-up, for the whole life of the process: every log record is
    scrubbed as it is made, whichever logger made it and whichever handler writes it (so
    loggers and handlers a library adds later are covered too, and so is asyncio's report of
    a failed task); so are uncaught exceptions in any thread, exceptions Python can only
    report (`sys.unraisablehook`: in `__del__`, in a closing generator) and warnings.
    """
    redactor = Redactor(secrets)
    if not redactor.secrets:
        return lambda: None
    make_record = logging.getLogRecordFactory()
    excepthook, thread_hook = sys.excepthook, threading.excepthook
    unraisable_hook, show_warning = sys.unraisablehook, warnings.showwarning

    def record_factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        redactor.scrub(record)
        return record

    def report(
        kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is None:
            return
        text = "".join(traceback.format_exception(kind, exc, tb))
        sys.stderr.write(redactor.redact(text))

    def on_uncaught(
        kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        report(kind, exc, tb)

    def on_thread_uncaught(args: threading.ExceptHookArgs) -> None:
        report(args.exc_type, args.exc_value, args.exc_traceback)

    def on_unraisable(args: sys.UnraisableHookArgs) -> None:
        where = f"{args.err_msg or 'Exception ignored in'}: {args.object!r}\n"
        sys.stderr.write(redactor.redact(where))
        report(args.exc_type, args.exc_value, args.exc_traceback)

    def on_warning(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        text = warnings.formatwarning(message, category, filename, lineno, line)
        with contextlib.suppress(OSError):  # as warnings itself does: no stderr, no warning
            (file or sys.stderr).write(redactor.redact(text))

    logging.setLogRecordFactory(record_factory)
    sys.excepthook = on_uncaught
    threading.excepthook = on_thread_uncaught
    sys.unraisablehook = on_unraisable
    warnings.showwarning = on_warning

    def undo() -> None:
        logging.setLogRecordFactory(make_record)
        sys.excepthook, threading.excepthook = excepthook, thread_hook
        sys.unraisablehook, warnings.showwarning = unraisable_hook, show_warning

    return undo
