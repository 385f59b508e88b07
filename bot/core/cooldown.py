"""The cooldown: at most one rate-limited command per user every few seconds."""

from __future__ import annotations

import time
from collections.abc import Callable

MAX_KEYS = 50_000  # past this, forget users whose wait is over, so memory stays bounded


class Cooldown:
    """Per-key rate limit: at most one hit every `seconds`."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self._last: dict[str, float] = {}

    def remaining(self, key: str) -> float:
        """Seconds left before `key` may go again; 0 means go (and the hit is recorded)."""
        if self.seconds <= 0:
            return 0.0
        now = self.clock()
        last = self._last.get(key)
        if last is not None and now - last < self.seconds:
            return self.seconds - (now - last)
        self._last[key] = now
        if len(self._last) > MAX_KEYS:
            cutoff = now - self.seconds
            self._last = {k: v for k, v in self._last.items() if v >= cutoff}
        return 0.0

    def forget(self, key: str) -> None:
        """Drop what is remembered about `key` (when it last went)."""
        self._last.pop(key, None)
