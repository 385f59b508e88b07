"""Apologies owed: when a reply could not be delivered because the platform's API kept failing,
the chat is told so once the API answers again.

At most one apology per chat however many replies were lost, none once a later reply has
reached the chat (that reply says more than an apology would), and a bounded number of chats
remembered. Kept in memory: a restart forgets them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

OWED_CHATS = 10_000  # chats remembered at most; past this the longest-owed is forgotten
PAY_BACKOFF = (2.0, 60.0)  # first and longest wait between attempts while the API is down


class Owed(Generic[K, V]):
    """Apologies owed, by chat (`K`), each with what sending it needs (`V`).

    A background task sends them, oldest first, after PAY_BACKOFF[0] seconds and then less and
    less often while the API still fails; a reply delivered anywhere (`settle`) shows the API
    is back and sends them at once.
    """

    def __init__(
        self,
        send: Callable[[V], Awaitable[object]],
        *,
        transient: Callable[[BaseException], bool],
        limit: int = OWED_CHATS,
    ) -> None:
        self._send = send
        self._transient = transient
        self._limit = limit
        self._owed: OrderedDict[K, V] = OrderedDict()
        self._api_back = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return len(self._owed)

    def __contains__(self, chat: object) -> bool:
        return chat in self._owed

    def owe(self, chat: K, apology: V) -> None:
        """A reply to `chat` was lost; it is owed one apology (a second loss adds nothing)."""
        if chat in self._owed:
            return
        if len(self._owed) >= self._limit:
            forgotten, _ = self._owed.popitem(last=False)
            log.warning("too many apologies owed; forgetting the one for chat %s", forgotten)
        self._owed[chat] = apology
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._pay(), name="owed")

    def settle(self, chat: K) -> None:
        """A reply reached `chat`: it is owed nothing, and the API works again."""
        self._owed.pop(chat, None)
        self._api_back.set()

    async def close(self) -> None:
        """Stop trying (at shutdown); what is still owed is forgotten, and logged."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._owed:
            log.warning("stopping with %d chats still owed an apology", len(self._owed))
            self._owed.clear()

    async def _pay(self) -> None:
        first, longest = PAY_BACKOFF
        delay = first
        while self._owed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._api_back.wait(), delay)
            self._api_back.clear()
            delay = first if await self._pay_all() else min(delay * 2, longest)

    async def _pay_all(self) -> bool:
        """Send what is owed, oldest first; False as soon as the API still fails."""
        while self._owed:
            chat, apology = next(iter(self._owed.items()))
            try:
                await self._send(apology)
            except Exception as exc:
                if self._transient(exc):
                    log.info("apologies still owed to %d chats: %s", len(self._owed), exc)
                    return False
                # This chat cannot be reached at all (the bot was blocked, the chat is gone).
                log.info("could not apologise to chat %s: %s", chat, exc)
            self._owed.pop(chat, None)
        return True
