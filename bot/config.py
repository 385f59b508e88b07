"""Settings from the environment or a .env file (pydantic-settings)."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.core.store import default_db_path


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    discord_token: SecretStr | None = None
    discord_guild_id: int | None = None
    telegram_token: SecretStr | None = None
    telegram_api_base_url: str | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_listen: str = "0.0.0.0"  # noqa: S104 - a webhook must accept outside traffic
    telegram_webhook_port: int = 8443
    telegram_webhook_secret: SecretStr | None = None
    ostbot_db: Path | None = None
    ostbot_owners: str = ""
    log_level: str = "INFO"
    cooldown_seconds: float = 2.0

    @field_validator(
        "discord_token",
        "telegram_token",
        "telegram_webhook_secret",
        "discord_guild_id",
        "telegram_api_base_url",
        "telegram_webhook_url",
        "ostbot_db",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `.env.example` copies leave keys present but empty.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = (value or "INFO").upper()
        return value if value in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL") else "INFO"

    @property
    def db_path(self) -> Path:
        return self.ostbot_db or default_db_path()

    @property
    def owners(self) -> frozenset[str]:
        return frozenset(o.strip() for o in self.ostbot_owners.split(",") if ":" in o)
