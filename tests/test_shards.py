"""Discord shards across processes: DISCORD_SHARD_COUNT and DISCORD_SHARD_IDS, checked at
start with one clear line, and the client each setting gives."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from bot.adapters.discord_adapter import OstClient, ShardedOstClient, make_client
from bot.config import Settings, SettingsError, Shards, describe_ids, load_settings
from bot.core.service import Service


@pytest.mark.parametrize(
    ("count", "ids", "expected"),
    [
        ("4", "0,1", (4, (0, 1))),
        ("4", "2-3", (4, (2, 3))),
        ("8", " 0-1 , 6 ", (8, (0, 1, 6))),
        ("2", "", (2, (0, 1))),  # a count alone: this process runs every shard
        ("", "", None),  # neither: one unsharded connection
    ],
)
def test_shard_settings(
    monkeypatch: pytest.MonkeyPatch, count: str, ids: str, expected: tuple[int, tuple[int, ...]]
) -> None:
    monkeypatch.setenv("DISCORD_SHARD_COUNT", count)
    monkeypatch.setenv("DISCORD_SHARD_IDS", ids)
    shards = load_settings().discord_shards
    assert (shards and (shards.count, shards.ids)) == expected


@pytest.mark.parametrize(
    ("count", "ids", "says"),
    [
        (
            "4",
            "4",
            "shard 4 does not exist with DISCORD_SHARD_COUNT=4 (numbered 0 to 3)",
        ),
        ("4", "0-9", "shard 4 does not exist"),
        ("", "0,1", "DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT"),
        ("4", "one", "expected shard numbers such as 0,1 or 0-3"),
        ("4", "3-1", "expected shard numbers"),
        ("4", "1,1", "a shard is listed twice"),
        ("4", "٣", "expected shard numbers"),  # digits, but not ASCII ones
        ("0", "", "DISCORD_SHARD_COUNT: it must be 1 or more"),
        ("many", "", "DISCORD_SHARD_COUNT"),
    ],
)
def test_wrong_shard_settings_are_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, count: str, ids: str, says: str
) -> None:
    monkeypatch.setenv("DISCORD_SHARD_COUNT", count)
    monkeypatch.setenv("DISCORD_SHARD_IDS", ids)
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert says in str(err.value) and "\n" not in str(err.value)


def test_shards_are_described_as_ranges() -> None:
    assert describe_ids((0, 1, 2, 5)) == "0-2, 5"
    assert str(Shards(4, (2, 3))) == "2-3 of 4"


async def test_each_setting_gives_its_client(service: Service) -> None:
    token = SecretStr("x")
    plain = make_client(service, Settings(discord_token=token))
    assert type(plain) is OstClient and plain.syncs_commands
    first = make_client(
        service,
        Settings(discord_token=token, discord_shard_count=4, discord_shard_ids="0-1"),
    )
    second = make_client(
        service,
        Settings(discord_token=token, discord_shard_count=4, discord_shard_ids="2,3"),
    )
    assert isinstance(first, ShardedOstClient) and isinstance(second, ShardedOstClient)
    assert (first.shard_count, first.shard_ids) == (4, [0, 1])
    assert (second.shard_count, second.shard_ids) == (4, [2, 3])
    # The slash commands belong to the application: only the process with shard 0 syncs them.
    assert first.syncs_commands and not second.syncs_commands
