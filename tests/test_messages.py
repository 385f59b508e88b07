"""Every sentence exists in English and Korean, and the Korean one needs no extra values."""

from __future__ import annotations

from bot.core.messages import fields, keys


def test_every_message_has_both_languages_with_compatible_fields() -> None:
    for key in keys():
        english = fields(key, "en")
        korean = fields(key, "ko")
        assert korean <= english, key  # no value that only the Korean sentence needs
