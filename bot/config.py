"""The adapters' settings from the environment or a .env file (pydantic-settings).

Only `ostbot run` and `ostbot doctor` import this; what every command needs (OSTBOT_DB,
LOG_LEVEL and the secrets to keep out of logs) is in `bot.env`, read without pydantic so the
one-shot commands start fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.env import SettingsError as SettingsError  # re-exported: raised by load_settings


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    discord_token: SecretStr | None = None
    discord_guild_id: int | None = None
    # Several processes share the gateway: the total number of shards, and which of them
    # this process runs ("0,1" or "0-3"; default: all of them).
    discord_shard_count: int | None = None
    discord_shard_ids: str | None = None
    telegram_token: SecretStr | None = None
    telegram_api_base_url: str | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_listen: str = "0.0.0.0"  # noqa: S104 - a webhook must accept outside traffic
    telegram_webhook_port: int = 8443
    telegram_webhook_secret: SecretStr | None = None
    ostbot_owners: str = ""
    cooldown_seconds: float = 2.0

    @field_validator(
        "discord_token",
        "telegram_token",
        "telegram_webhook_secret",
        "discord_guild_id",
        "discord_shard_count",
        "discord_shard_ids",
        "telegram_api_base_url",
        "telegram_webhook_url",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `.env.example` copies leave keys present but empty.
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def owners(self) -> frozenset[str]:
        return frozenset(o.strip() for o in self.ostbot_owners.split(",") if ":" in o)

    @property
    def discord_shards(self) -> Shards | None:
        """The shards this process runs, or None: one unsharded connection."""
        return shards(self.discord_shard_count, self.discord_shard_ids)


@dataclass(frozen=True)
class Shards:
    count: int  # shards across every process
    ids: tuple[int, ...]  # the ones this process runs

    def __str__(self) -> str:
        return f"{describe_ids(self.ids)} of {self.count}"


def shards(count: int | None, ids: str | None) -> Shards | None:
    """DISCORD_SHARD_COUNT and DISCORD_SHARD_IDS, checked: a SettingsError names what is wrong
    (never more than the setting's name and numbers)."""
    if count is None:
        if ids is not None:
            raise SettingsError(
                "DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT (how many shards all the processes"
                " run together): set both"
            )
        return None
    if count < 1:
        raise SettingsError("invalid setting DISCORD_SHARD_COUNT: it must be 1 or more")
    chosen = parse_shard_ids(ids) if ids is not None else tuple(range(count))
    outside = [n for n in chosen if n >= count]
    if outside:
        raise SettingsError(
            f"invalid setting DISCORD_SHARD_IDS: shard {outside[0]} does not exist with"
            f" DISCORD_SHARD_COUNT={count} (numbered 0 to {count - 1})"
        )
    return Shards(count, chosen)


_SHARD_PART = re.compile(r"([0-9]+)(?:\s*-\s*([0-9]+))?")


def parse_shard_ids(text: str) -> tuple[int, ...]:
    """ "0,1" or "0-3" or "0-1,4" -> the shard numbers, in order, each once."""
    found: list[int] = []
    for part in text.split(","):
        match = _SHARD_PART.fullmatch(part.strip())
        if match is None or int(match[1]) > int(match[2] or match[1]):
            raise SettingsError(
                "invalid setting DISCORD_SHARD_IDS: expected shard numbers such as 0,1 or 0-3"
            )
        found.extend(range(int(match[1]), int(match[2] or match[1]) + 1))
    if len(set(found)) != len(found):
        raise SettingsError("invalid setting DISCORD_SHARD_IDS: a shard is listed twice")
    return tuple(sorted(found))


def describe_ids(ids: tuple[int, ...]) -> str:
    """(0, 1, 2, 5) -> "0-2, 5"."""
    runs: list[str] = []
    start = prev = ids[0]
    for n in (*ids[1:], None):
        if n is not None and n == prev + 1:
            prev = n
            continue
        runs.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(runs)


def load_settings() -> Settings:
    """Settings from the environment and .env, or a SettingsError that is safe to print."""
    try:
        settings = Settings()
    except ValidationError as exc:
        wrong = "; ".join(
            f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}"
            for e in exc.errors(include_url=False, include_context=False, include_input=False)
        )
        # "from None": the original error, and any traceback of it, would quote the value.
        raise SettingsError(f"invalid setting {wrong}: fix it in the environment or .env") from None
    except UnicodeDecodeError:
        raise SettingsError(".env is not valid UTF-8: save it as UTF-8 text") from None
    except OSError as exc:
        raise SettingsError(f"cannot read .env: {exc.strerror}: fix it or remove it") from None
    settings.discord_shards  # noqa: B018 - checked now, not when Discord starts
    return settings
