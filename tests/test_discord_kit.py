"""The Discord payload checker rejects what Discord rejects, so passing it means something."""

from __future__ import annotations

from collections.abc import Callable

import discord
import pytest

from tests.support.discord_kit import JSON, check_message_payload


def good_payload() -> JSON:
    return {
        "content": "hello",
        "embeds": [{"title": "t", "fields": [{"name": "n", "value": "v"}]}],
        "components": [
            {"type": 1, "components": [{"type": 2, "style": 2, "label": "1", "custom_id": "a"}]}
        ],
        "allowed_mentions": {"parse": []},
    }


def broken(change: Callable[[JSON], None]) -> JSON:
    payload = good_payload()
    change(payload)
    return payload


@pytest.mark.parametrize(
    "payload",
    [
        broken(lambda p: p.update(allowed_mentions={"parse": ["everyone"]})),
        broken(lambda p: p.pop("allowed_mentions")),
        broken(lambda p: p.update(allowed_mentions={"parse": [], "replied_user": True})),
        broken(lambda p: p.update(allowed_mentions={"parse": [], "roles": ["123"]})),
        broken(lambda p: p.update(content="x" * 2001)),
        broken(lambda p: p.update(content="hi @everyone")),
        broken(lambda p: p.update(content="hi <@&123>")),
        broken(lambda p: p["embeds"][0].update(description="<@123456789012345678>")),
        broken(lambda p: p["embeds"][0]["fields"][0].update(value="@here")),
        broken(lambda p: p.update(embeds=[{"title": "t"}] * 11)),
        broken(lambda p: p.update(embeds=[{"title": "x" * 257}])),
        broken(lambda p: p.update(embeds=[{"description": "x" * 4097}])),
        broken(lambda p: p.update(embeds=[{"description": "x" * 4000}] * 2)),
        broken(lambda p: p["embeds"][0]["fields"].append({"name": "n", "value": "v" * 1025})),
        broken(lambda p: p["embeds"][0]["fields"].extend([{"name": "n", "value": "v"}] * 25)),
        broken(lambda p: p.update(content="", embeds=[])),
        broken(
            lambda p: p["components"][0]["components"].extend(p["components"][0]["components"] * 5)
        ),
        broken(lambda p: p.update(components=p["components"] * 6)),
        broken(lambda p: p["components"][0]["components"][0].update(custom_id="x" * 101)),
    ],
)
def test_checker_rejects_what_discord_rejects(payload: JSON) -> None:
    with pytest.raises(AssertionError):
        check_message_payload(payload)


def test_checker_accepts_a_valid_payload() -> None:
    check_message_payload(good_payload())


def test_the_checker_accepts_allowed_mentions_none() -> None:
    payload = good_payload()
    payload["allowed_mentions"] = discord.AllowedMentions.none().to_dict()
    check_message_payload(payload)
