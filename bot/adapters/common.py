"""Helpers shared by the platform adapters (no platform imports here)."""

from __future__ import annotations

import time
from collections.abc import Callable


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


class Cooldown:
    """Per-key rate limit: at most one hit every `seconds`."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self._last: dict[str, float] = {}

    def remaining(self, key: str) -> float:
        """Seconds left before `key` may go again; 0 means go (and the hit is recorded)."""
        now = self.clock()
        last = self._last.get(key)
        if last is not None and now - last < self.seconds:
            return self.seconds - (now - last)
        self._last[key] = now
        if len(self._last) > 50_000:  # forget old entries so memory stays bounded
            cutoff = now - self.seconds
            self._last = {k: v for k, v in self._last.items() if v >= cutoff}
        return 0.0
