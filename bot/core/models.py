"""Platform-neutral data types shared by the core and the adapters."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum


def track_key(drama: str, title: str, artist: str) -> str:
    """A short id that stays the same across restarts and catalog reloads.

    Button payloads carry it, so it must be stable and fit Telegram's 64-byte callback data.
    """
    raw = "\x1f".join(part.strip().casefold() for part in (drama, title, artist))
    return hashlib.blake2b(raw.encode("utf-8", "surrogatepass"), digest_size=6).hexdigest()


@dataclass(frozen=True, slots=True)
class Drama:
    title: str
    title_ko: str
    year: int
    year_end: int | None = None
    network: str = ""
    aliases: tuple[str, ...] = ()
    genres: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    notes: str = ""

    @property
    def last_year(self) -> int:
        return self.year_end or self.year


@dataclass(frozen=True, slots=True)
class Artist:
    name: str
    name_ko: str = ""
    aliases: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Track:
    title: str
    artist: str
    drama: str
    year: int
    tags: tuple[str, ...]
    title_ko: str | None = None
    part: int | None = None
    aliases: tuple[str, ...] = ()
    key: str = ""

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", track_key(self.drama, self.title, self.artist))


@dataclass(frozen=True, slots=True)
class Tag:
    name: str
    kind: str  # mood | energy | season | scene
    label_ko: str
    means: str
    en: tuple[str, ...]
    ko: tuple[str, ...]


class Platform(StrEnum):
    CONSOLE = "console"
    CLI = "cli"
    DISCORD = "discord"
    TELEGRAM = "telegram"


@dataclass(frozen=True, slots=True)
class Request:
    """One message or button press, already translated out of the platform's shape."""

    platform: str
    user_id: str
    chat_id: str
    text: str = ""
    locale: str | None = None
    action: str | None = None  # a button payload such as "like:1a2b3c4d5e6f"
    # A preview (Telegram inline mode, typed keystroke by keystroke): the text is only ever a
    # recommendation request, up to PREVIEW_COUNT tracks, and nothing is recorded.
    preview: bool = False

    @property
    def user(self) -> str:
        return f"{self.platform}:{self.user_id}"


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class Action:
    """A button. `id` is self-contained so it still works after a restart."""

    id: str
    label: str
    kind: str  # another | like | dislike


@dataclass(frozen=True, slots=True)
class Card:
    track: Track
    drama: Drama | None
    reason: str
    matched: tuple[str, ...]
    links: tuple[Link, ...]
    actions: tuple[Action, ...]
    artist_ko: str = ""
    tag_labels: tuple[str, ...] = ()  # the track's tags in the reply's language

    @property
    def labels(self) -> tuple[str, ...]:
        return self.tag_labels or self.track.tags


class ReplyKind(StrEnum):
    RECOMMENDATION = "recommendation"
    INFO = "info"
    FEEDBACK = "feedback"
    HINT = "hint"


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    locale: str = "en"
    kind: ReplyKind = ReplyKind.INFO
    cards: tuple[Card, ...] = ()
    actions: tuple[Action, ...] = ()
    footer: str = ""
    private: bool = False  # only the asker should see it (e.g. history)
    title: str = ""
    extra: dict[str, str] = field(default_factory=dict)
