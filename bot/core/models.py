"""Platform-neutral data types shared by the core and the adapters."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
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
    voice: str = ""  # female | male | female-group | male-group | mixed-group | "" (unknown)


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
    # The official English title of a Hangul-titled song, where a source showed one.
    title_en: str | None = None

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", track_key(self.drama, self.title, self.artist))


# A track as the store reads it for an index build, without a Track object per row:
# key, title, title_ko, artist, drama, year, tags, part, aliases, title_en.
TrackRow = tuple[
    str, str, str | None, str, str, int, tuple[str, ...], int | None, tuple[str, ...], str | None
]


@dataclass(frozen=True, slots=True)
class Tag:
    name: str
    kind: str  # mood | energy | season | scene | form | voice (see vocabulary.KINDS)
    label_ko: str
    means: str
    en: tuple[str, ...]
    ko: tuple[str, ...]
    emoji: tuple[str, ...] = ()
    arousal: str = ""  # low | mid | high, for moods: where the mood sits in energy
    near: tuple[str, ...] = ()  # excluded with it: "not sad" leaves out heartbreak too
    opposite: tuple[str, ...] = ()  # left behind by a move toward it: "sadder" drops upbeat


class Platform(StrEnum):
    CONSOLE = "console"
    CLI = "cli"
    DISCORD = "discord"
    TELEGRAM = "telegram"


# A terminal is one person at their own machine: no cooldown, nobody else to hide a reply from.
LOCAL_PLATFORMS = frozenset({Platform.CONSOLE, Platform.CLI})


def user_key(platform: str, user_id: str | int) -> str:
    """How the core names a user: history, feedback, cooldowns and owners are keyed on it."""
    return f"{platform}:{user_id}"


@dataclass(frozen=True, slots=True)
class Request:
    """One message, slash command or button press, already translated out of the platform's shape.

    A typed message carries `text`, which the core reads for a command or a request. A command
    chosen on the platform's own surface (a slash command, a menu entry) carries `command` (a
    registry name) and `arg` (its argument, as typed): the core runs it as that command and
    never reads the argument for another one. A button press carries its `action` payload.
    """

    platform: str
    user_id: str
    chat_id: str
    text: str = ""
    locale: str | None = None  # the platform's language for the user ("ko", "en-US"), if known
    action: str | None = None  # a button payload such as "like:1a2b3c4d5e6f"
    command: str | None = None
    arg: str = ""

    @property
    def user(self) -> str:
        return user_key(self.platform, self.user_id)


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class Action:
    """A button. `id` is self-contained so it still works after a restart."""

    id: str
    label: str
    kind: str  # another | like | dislike | song | other | forget (see ACTION_PREFIXES)


@dataclass(frozen=True, slots=True)
class Card:
    """One track as every platform shows it: the display fields are composed by the core.

    Adapters only lay these out (an embed, HTML, plain lines); `track` is there for callers
    that need the raw facts (`ask --json`).
    """

    track: Track
    title: str  # "Stay With Me (그대라는 시)": the title, and the Hangul one when it differs
    artist: str  # "Chanyeol & Punch (찬열 & 펀치)"
    drama: str  # "Goblin · 쓸쓸하고 찬란하神-도깨비 (2016)"
    tags: tuple[str, ...]  # in the reply's language
    reason: str
    links: tuple[Link, ...]
    actions: tuple[Action, ...]
    locale: str = "en"


class ReplyKind(StrEnum):
    RECOMMENDATION = "recommendation"
    LOOKUP = "lookup"  # a song, drama or artist looked up by name
    INFO = "info"
    FEEDBACK = "feedback"
    HINT = "hint"
    SMALLTALK = "smalltalk"  # a greeting, thanks, a question about the bot: no song


# What a button's id starts with: the next pick ("more:<saved request>"), a like or dislike
# ("like:<track>"), another song of a title just looked up ("song:<track>"), or the other
# reading of a name that is two things ("other:<saved request>"), or the confirmation of
# "forget me" ("forget:<when>:<whose>"). Adapters route presses by it.
ACTION_PREFIXES = ("more", "like", "dislike", "song", "other", "forget")


class Visibility(StrEnum):
    """Who may see a reply; the core decides, each platform does what it can."""

    PUBLIC = "public"  # the chat it was asked in
    QUIET = "quiet"  # only the asker needs it: privately where the platform can, else in the chat
    PRIVATE = "private"  # only the asker may see it: never shown to a group


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    locale: str = "en"
    kind: ReplyKind = ReplyKind.INFO
    cards: tuple[Card, ...] = ()
    actions: tuple[Action, ...] = ()
    footer: str = ""
    visibility: Visibility = Visibility.PUBLIC
    title: str = ""  # a heading for long lists (a drama's or an artist's name)
    command: str = ""  # the registry command that answered, if any

    @property
    def private(self) -> bool:
        return self.visibility is Visibility.PRIVATE


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A value offered while the user types (autocomplete, inline mode)."""

    label: str  # what the list shows
    value: str  # what choosing it sends back as the argument
    card: Card | None = None  # a whole track, where the platform can show one (inline mode)
