"""The adapters' settings from the environment or a .env file (pydantic-settings).

Only `ostbot run` and `ostbot doctor` import this; what every command needs (OSTBOT_DB,
LOG_LEVEL and the secrets to keep out of logs) is in `bot.env`, read without pydantic so the
one-shot commands start fast.
"""

from __future__ import annotations

from pydantic import SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.env import SettingsError as SettingsError  # re-exported: raised by load_settings


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
    ostbot_owners: str = ""
    cooldown_seconds: float = 2.0

    @field_validator(
        "discord_token",
        "telegram_token",
        "telegram_webhook_secret",
        "discord_guild_id",
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


def load_settings() -> Settings:
    """Settings from the environment and .env, or a SettingsError that is safe to print."""
    try:
        return Settings()
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
