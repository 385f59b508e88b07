"""The command registry: every command once, read and checked from data/commands.toml.

Each entry names a command, the English and Korean words that call it, the argument it takes,
a one-line summary and an example in both languages, and how it is served (rate limited,
private, owners only, listed). The parser's command words, the help text, Telegram's menus and
Discord's slash commands are generated from here, and `Service` dispatches through it.

This module is cheap to import (tomllib only), so adapters and the CLI may use it freely.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

from bot.core.shipped import DATA_DIR

COMMANDS_FILE = DATA_DIR / "commands.toml"

# Both platforms' rule for a command name: Telegram allows [a-z0-9_]{1,32}; Discord also
# allows '-' and non-Latin letters, so the stricter one is the rule.
NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
SUMMARY_LIMIT = 100  # Discord's limit for command and option descriptions
KEYS = frozenset(
    {
        "en",
        "ko",
        "arg",
        "optional",
        "summary",
        "example",
        "about_arg",
        "rate_limited",
        "private",
        "quiet",
        "owners_only",
        "listed",
    }
)


class RegistryError(ValueError):
    """data/commands.toml is missing, unreadable or inconsistent."""


class Arg(StrEnum):
    """What follows a command word."""

    NONE = "none"
    TEXT = "text"  # a free-text request
    MOOD = "mood"
    DRAMA = "drama"
    ARTIST = "artist"
    TRACK = "track"
    PAGE = "page"  # a page number, a year or a network
    CONFIRM = "confirm"  # a word that confirms what the command would do ("forget me confirm")

    @property
    def option(self) -> str:
        """The name of the argument where a platform names it (a Discord option)."""
        names = {Arg.TEXT: "text", Arg.TRACK: "track", Arg.PAGE: "page", Arg.CONFIRM: "confirm"}
        return names.get(self, "name")

    @property
    def completes(self) -> bool:
        """Whether the catalog can suggest values for it as the user types."""
        return self in (Arg.MOOD, Arg.DRAMA, Arg.ARTIST, Arg.TRACK)


@dataclass(frozen=True, slots=True)
class Said:
    """One short text in English and Korean."""

    en: str
    ko: str

    def of(self, locale: str) -> str:
        return self.ko if locale == "ko" and self.ko else self.en


@dataclass(frozen=True, slots=True)
class Spec:
    """One registry entry."""

    name: str
    en: tuple[str, ...]
    ko: tuple[str, ...]
    arg: Arg
    optional: bool
    summary: Said
    example: Said
    about_arg: Said
    rate_limited: bool = False
    private: bool = False
    quiet: bool = False
    owners_only: bool = False
    listed: bool = True

    @property
    def words(self) -> tuple[str, ...]:
        return (*self.en, *self.ko)

    def word(self, locale: str) -> str:
        """What a user types for it in this language (the first word)."""
        return self.ko[0] if locale == "ko" and self.ko else self.name

    def command(self, arg: str = "") -> Command:
        """This command with its argument; a command that takes none drops what follows."""
        return Command(self.name, "" if self.arg is Arg.NONE else " ".join(arg.split()))

    @property
    def needs_arg(self) -> bool:
        return self.arg is not Arg.NONE and not self.optional


@dataclass(frozen=True, slots=True)
class Command:
    """A command as the core runs it: a registry name and its argument, as typed."""

    name: str
    arg: str = ""


class Registry:
    def __init__(self, specs: list[Spec]) -> None:
        self.specs = tuple(specs)
        self.by_name = {spec.name: spec for spec in specs}
        self.by_word: dict[str, Spec] = {}
        for spec in specs:
            for word in spec.words:
                key = fold(word)
                other = self.by_word.setdefault(key, spec)
                if other is not spec:
                    raise RegistryError(
                        f"the word {word!r} calls both {other.name} and {spec.name}"
                    )
        self.longest = max((len(k.split()) for k in self.by_word), default=1)

    def __iter__(self) -> Iterator[Spec]:
        return iter(self.specs)

    def __len__(self) -> int:
        return len(self.specs)

    def __getitem__(self, name: str) -> Spec:
        return self.by_name[name]

    def get(self, name: str) -> Spec | None:
        return self.by_name.get(name)

    def listed(self) -> list[Spec]:
        return [spec for spec in self.specs if spec.listed]

    def match(self, words: list[str]) -> tuple[Spec, int] | None:
        """The command whose word starts `words` (longest first) and how many words it used."""
        for size in range(min(self.longest, len(words)), 0, -1):
            spec = self.by_word.get(fold(" ".join(words[:size])))
            if spec is not None:
                return spec, size
        return None

    @classmethod
    def load(cls, path: Path = COMMANDS_FILE) -> Registry:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise RegistryError(f"{path.name}: {exc}") from exc
        if not raw:
            raise RegistryError(f"{path.name}: no commands defined")
        try:
            return cls([_spec(name, entry) for name, entry in raw.items()])
        except RegistryError as exc:
            raise RegistryError(f"{path.name}: {exc}") from exc


def fold(word: str) -> str:
    """How command words are compared: case and spacing do not matter."""
    return " ".join(word.casefold().split())


@cache
def registry() -> Registry:
    """The shipped registry, read once."""
    return Registry.load()


def _spec(name: str, entry: object) -> Spec:
    if not isinstance(entry, dict):
        raise RegistryError(f"{name}: must be a table")
    if not NAME.fullmatch(name):
        raise RegistryError(f"{name!r}: a name is a-z, 0-9 and _, at most 32 characters")
    unknown = set(entry) - KEYS
    if unknown:
        raise RegistryError(f"{name}: unknown key(s) {', '.join(sorted(unknown))}")
    try:
        arg = Arg(entry.get("arg", "none"))
    except ValueError:
        raise RegistryError(f"{name}: unknown arg {entry.get('arg')!r}") from None
    en = _words(name, entry, "en")
    if name not in (fold(w) for w in en):
        raise RegistryError(f"{name}: its own name must be one of its English words")
    summary = _said(name, entry, "summary", required=True)
    about_arg = _said(name, entry, "about_arg", required=arg is not Arg.NONE)
    example = _said(name, entry, "example", required=arg is not Arg.NONE)
    for label, said in (("summary", summary), ("about_arg", about_arg)):
        if max(len(said.en), len(said.ko)) > SUMMARY_LIMIT:
            raise RegistryError(f"{name}: {label} is longer than {SUMMARY_LIMIT} characters")
    return Spec(
        name=name,
        en=en,
        ko=_words(name, entry, "ko"),
        arg=arg,
        optional=_flag(name, entry, "optional", False),
        summary=summary,
        example=example,
        about_arg=about_arg,
        rate_limited=_flag(name, entry, "rate_limited", False),
        private=_flag(name, entry, "private", False),
        quiet=_flag(name, entry, "quiet", False),
        owners_only=_flag(name, entry, "owners_only", False),
        listed=_flag(name, entry, "listed", True),
    )


def _words(name: str, entry: dict[str, object], key: str) -> tuple[str, ...]:
    words = entry.get(key, [])
    if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
        raise RegistryError(f"{name}: {key} must be a list of words")
    return tuple(words)


def _said(name: str, entry: dict[str, object], key: str, *, required: bool) -> Said:
    value = entry.get(key)
    if value is None and not required:
        return Said("", "")
    if not isinstance(value, dict) or set(value) != {"en", "ko"}:
        raise RegistryError(f"{name}: {key} needs en and ko")
    en, ko = value["en"], value["ko"]
    if not (isinstance(en, str) and isinstance(ko, str) and en.strip() and ko.strip()):
        raise RegistryError(f"{name}: {key} needs non-empty en and ko text")
    return Said(en, ko)


def _flag(name: str, entry: dict[str, object], key: str, default: bool) -> bool:
    value = entry.get(key, default)
    if not isinstance(value, bool):
        raise RegistryError(f"{name}: {key} must be true or false")
    return value
