"""What every command needs from the environment or `.env`: the database, the log level and
the secrets to keep out of every log line.

Read without pydantic, so `ask`, `chat`, `db` and `bench` start fast (importing pydantic-settings
costs more than answering a request). The adapters' settings (tokens, webhook, owners, cooldown)
are in `bot.config`, which only `ostbot run` and `ostbot doctor` import. Like pydantic-settings,
the environment wins over `.env`, names are case-insensitive and an empty value counts as unset.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.store import Location

DB, LEVEL = "OSTBOT_DB", "LOG_LEVEL"  # the settings read here (the rest: bot.config)
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Settings whose values must never reach a log line (bot.config reads them as SecretStr).
SECRETS = ("DISCORD_TOKEN", "TELEGRAM_TOKEN", "TELEGRAM_WEBHOOK_SECRET")


def database_password(db: str | None) -> str | None:
    """The password in a postgresql:// OSTBOT_DB, to keep out of every log line."""
    if not db or "://" not in db:
        return None
    from urllib.parse import parse_qs, unquote, urlsplit

    try:
        parts = urlsplit(db.strip())
        given = parts.password or parse_qs(parts.query).get("password", [None])[0]
    except ValueError:
        return None
    return unquote(given) if given else None


class SettingsError(ValueError):
    """A setting is invalid or .env unreadable. The message names the setting, never its value,
    which may be a token."""


def read_env(env: Mapping[str, str], env_file: Path | None = Path(".env")) -> dict[str, str]:
    """`.env` (when there is one) overlaid with `env`, keys in upper case, blanks dropped."""
    merged: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        from dotenv import dotenv_values  # python-dotenv: only when there is a file to read

        try:
            values = dotenv_values(env_file, encoding="utf-8")
        except UnicodeDecodeError:
            raise SettingsError(".env is not valid UTF-8: save it as UTF-8 text") from None
        except OSError as exc:
            raise SettingsError(f"cannot read .env: {exc.strerror}: fix it or remove it") from None
        merged.update({k.upper(): v for k, v in values.items() if v})
    merged.update({k.upper(): v for k, v in env.items()})
    return {k: v for k, v in merged.items() if v.strip()}


@dataclass(frozen=True)
class CoreSettings:
    db: str | None = None  # OSTBOT_DB as written (bot.core.store.database_location reads it)
    log_level: str = "INFO"  # LOG_LEVEL; anything unknown is INFO
    secrets: tuple[str, ...] = ()  # the values of SECRETS that are set

    @classmethod
    def load(cls, env: Mapping[str, str], env_file: Path | None = Path(".env")) -> CoreSettings:
        values = read_env(env, env_file)
        level = values.get(LEVEL, "INFO").strip().upper()
        secrets = [values[name].strip() for name in SECRETS if name in values]
        password = database_password(values.get(DB))
        if password:
            secrets.append(password)
        return cls(
            db=values.get(DB),
            log_level=level if level in LEVELS else "INFO",
            secrets=tuple(secrets),
        )

    @property
    def db_path(self) -> Location:
        from bot.core.store import database_location

        return database_location(self.db)
