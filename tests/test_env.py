"""Settings every command reads (bot.env), without pydantic."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.env import CoreSettings, SettingsError


def test_environment_wins_over_dotenv(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "OSTBOT_DB=/from/file.db\nLOG_LEVEL=debug\nTELEGRAM_TOKEN=123456:file-secret\n",
        encoding="utf-8",
    )
    settings = CoreSettings.load({"OSTBOT_DB": "/from/env.db"}, env_file)
    assert settings.db_path == Path("/from/env.db") and settings.log_level == "DEBUG"
    assert settings.secrets == ("123456:file-secret",)


def test_blank_values_are_unset_and_names_case_insensitive(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("OSTBOT_DB=\nLOG_LEVEL=\nDISCORD_TOKEN=\n", encoding="utf-8")
    settings = CoreSettings.load({"log_level": "warning", "OSTBOT_DB": "  "}, env_file)
    assert settings.db is None and settings.log_level == "WARNING" and settings.secrets == ()
    assert isinstance(settings.db_path, Path) and settings.db_path.name == "ostbot.db"


def test_an_unknown_level_is_info_and_no_file_is_fine(tmp_path: Path) -> None:
    assert CoreSettings.load({"LOG_LEVEL": "chatty"}, tmp_path / "missing").log_level == "INFO"


def test_an_unreadable_dotenv_is_one_clear_error(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_bytes(b"TELEGRAM_TOKEN=\xff\xfe secret\n")
    with pytest.raises(SettingsError, match="not valid UTF-8") as err:
        CoreSettings.load({}, env_file)
    assert "secret" not in str(err.value)


def test_a_database_password_is_kept_out_of_the_logs(tmp_path: Path) -> None:
    url = "postgresql://ostbot:pa%24%24word@db:5432/ostbot"
    settings = CoreSettings.load({"OSTBOT_DB": url, "DISCORD_TOKEN": "tok"}, tmp_path / "none")
    assert settings.secrets == ("tok", "pa$$word")
    assert CoreSettings.load({"OSTBOT_DB": "/var/lib/x.db"}, tmp_path / "none").secrets == ()
    query = CoreSettings.load({"OSTBOT_DB": "postgresql://h/db?password=qq"}, tmp_path / "n")
    assert query.secrets == ("qq",)
