"""The contract between the surfaces: every registry command, typed in the console, chosen from
Telegram's menu or run as a Discord slash command, is the same request to the core.

This is the test that catches a platform drifting from the others (Telegram once turned
`/mood like` into the text "like" and recorded a 👍, while Discord asked for the mood).
"""

from __future__ import annotations

import io
from pathlib import Path

import discord
import pytest

from bot.adapters.console import chat
from bot.adapters.discord_adapter import OstClient
from bot.adapters.telegram_adapter import menu
from bot.core.commands import COMMANDS_FILE, Arg, Command, Registry, Spec, registry
from bot.core.features import Feature, handles
from bot.core.index import CatalogIndex
from bot.core.models import Reply, Request
from bot.core.service import Service
from bot.core.store import Store
from tests.support import spy_on
from tests.support.discord_kit import Harness
from tests.support.telegram_kit import callback_update, message_update, running

SPECS = list(registry())


def example(spec: Spec, locale: str = "en") -> str:
    return spec.example.of(locale) if spec.arg is not Arg.NONE else ""


# Arguments that look like other commands: a surface must pass them on as the argument.
TRICKY = [
    ("mood", "like"),
    ("mood", "history"),
    ("mood", "reload"),
    ("drama", "dislike 2"),
    ("similar", "another"),
    ("recommend", "help"),
]
CASES = [(spec.name, example(spec)) for spec in SPECS] + TRICKY


async def through_console(service: Service, handled: list[Request], text: str) -> Request:
    out = io.StringIO()
    await chat(service, io.StringIO(text + "\n"), out, user_id="fan")
    assert out.getvalue().strip(), f"{text!r} got no answer"
    return handled[-1]


async def through_telegram(service: Service, handled: list[Request], text: str) -> Request:
    async with running(service) as tg:
        await tg.feed(message_update(text))
        assert tg.api.calls, f"{text!r} got no answer"
    return handled[-1]


async def through_discord(service: Service, handled: list[Request], name: str, arg: str) -> Request:
    bot = await Harness.start(service)
    spec = registry()[name]
    options = {spec.arg.option: arg} if arg else {}
    calls = await bot.slash(name, **options)
    assert calls, f"/{name} got no answer"
    return handled[-1]


@pytest.mark.parametrize(("name", "arg"), CASES, ids=[f"{n} {a}".strip() for n, a in CASES])
async def test_every_command_is_the_same_request_on_every_surface(
    service: Service, handled: list[Request], name: str, arg: str
) -> None:
    expected = registry()[name].command(arg)
    assert expected == Command(name, arg)

    typed = await through_console(service, handled, f"{name} {arg}".strip())
    menu_choice = await through_telegram(service, handled, f"/{name} {arg}".strip())
    slash = await through_discord(service, handled, name, arg)

    assert [service.interpret(r) for r in (typed, menu_choice, slash)] == [expected] * 3
    # The platforms hand over the command itself, never text for the core to read again.
    for request in (menu_choice, slash):
        assert (request.command, request.arg, request.text, request.action) == (name, arg, "", None)
    assert (typed.platform, menu_choice.platform, slash.platform) == (
        "console",
        "telegram",
        "discord",
    )


@pytest.mark.parametrize("spec", [s for s in SPECS if s.ko], ids=lambda s: s.name)
async def test_korean_words_call_the_same_command(
    service: Service, handled: list[Request], spec: Spec
) -> None:
    for word in spec.ko:
        arg = example(spec, "ko")
        typed = await through_console(service, handled, f"{word} {arg}".strip())
        assert service.interpret(typed) == spec.command(arg), word


async def test_buttons_are_the_same_request_on_both_platforms(
    service: Service, handled: list[Request]
) -> None:
    track = service.index.tracks[0].key
    forget = service.privacy.confirmation("telegram:111")  # "forget me", made for one user
    for action in (f"like:{track}", f"dislike:{track}", "more:abc", forget):
        async with running(service) as tg:
            await tg.feed(callback_update(action))
        bot = await Harness.start(service)
        button = {"type": 2, "style": 2, "label": "x", "custom_id": action}
        await bot.press(
            action, {"content": "old", "components": [{"type": 1, "components": [button]}]}
        )
        telegram, discord_press = handled[-2:]
        assert telegram.action == discord_press.action == action
        assert service.interpret(telegram) == service.interpret(discord_press) is not None


def test_every_registry_command_is_on_every_platform(service: Service) -> None:
    from tests.support.discord_kit import make_settings

    client = OstClient(service, make_settings())
    slash = {c.name for c in client.tree.get_commands()}
    assert slash == {spec.name for spec in SPECS}  # reload too (owners only, checked by the core)
    listed = [spec.name for spec in registry().listed()]
    commands = service.commands
    assert [c.command for c in menu(commands, "en")] == listed
    assert [c.command for c in menu(commands, "ko")] == listed


async def test_discord_commands_carry_korean_descriptions(service: Service) -> None:
    from bot.adapters.discord_adapter import Translator
    from tests.support.discord_kit import make_settings

    client = OstClient(service, make_settings())
    translator = Translator()
    for command in client.tree.get_commands():
        assert isinstance(command, discord.app_commands.Command)
        payload = await command.get_translated_payload(client.tree, translator)
        spec = registry()[command.name]
        assert payload["description"] == spec.summary.en
        assert payload["description_localizations"] == {"ko": spec.summary.ko}
        for option in payload.get("options", []):
            assert option["name"] == spec.arg.option
            assert option["required"] is spec.needs_arg
            assert option["description_localizations"] == {"ko": spec.about_arg.ko}
            assert option.get("autocomplete", False) is spec.arg.completes


# ----------------------- adding a command touches no adapter (docs/architecture.md)


class Heard(Feature):
    @handles("heard")
    async def heard(self, req: Request, cmd: Command, locale: str) -> Reply:
        state = await self.service.users.get(req.user)
        return Reply(f"{req.user} has heard {len(state.heard)} songs.", locale)


class ServiceWithHeard(Service):
    def features(self) -> list[Feature]:
        return [*super().features(), Heard(self)]


async def test_a_new_command_needs_nothing_in_the_adapters(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = (
        '\n[heard]\nen = ["heard"]\nko = ["들은 곡"]\narg = "none"\n'
        'summary = { en = "How many songs you heard", ko = "들은 곡 수" }\nprivate = true\n'
    )
    path = tmp_path / "commands.toml"
    path.write_text(COMMANDS_FILE.read_text(encoding="utf-8") + entry, encoding="utf-8")
    service = ServiceWithHeard(
        store, CatalogIndex(await store.load()), commands=Registry.load(path)
    )
    handled = spy_on(service, monkeypatch)
    try:
        out = io.StringIO()
        await chat(service, io.StringIO("들은 곡\n"), out, user_id="fan")
        async with running(service) as tg:
            assert tg.app.post_init is not None
            await tg.app.post_init(tg.app)
            await tg.feed(message_update("/heard"))
        bot = await Harness.start(service)
        (slash,) = await bot.slash("heard")
    finally:
        await service.close()
    assert "console:fan has heard" in out.getvalue()
    (english, _korean) = tg.sent("setMyCommands")
    assert "heard" in [c["command"] for c in english["commands"]]
    assert "telegram:111 has heard" in tg.sent()[-1]["text"]
    assert "discord:" in slash.text and slash.ephemeral  # private, as the entry says
    assert [service.interpret(r) for r in handled] == [Command("heard")] * 3
