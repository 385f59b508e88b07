"""The command registry and the request lexicon: the shipped files are valid, broken ones are
refused with a clear message, and the core follows the registry's rules for every command."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from bot.core.catalog import CatalogError
from bot.core.commands import COMMANDS_FILE, Arg, Registry, RegistryError, registry
from bot.core.lexicon import LEXICON_FILE, Lexicon, LexiconError, lexicon
from bot.core.models import ReplyKind, Request, Visibility
from bot.core.service import Service
from bot.core.store import Store
from tests.support import ask

# ------------------------------------------------------------------ the shipped files


def test_the_shipped_registry_fits_both_platforms() -> None:
    specs = list(registry())
    assert specs
    for spec in specs:
        assert re.fullmatch(r"[a-z0-9_]{1,32}", spec.name)  # Telegram's rule, stricter
        assert 1 <= len(spec.summary.en) <= 100 and 1 <= len(spec.summary.ko) <= 100
        if spec.arg is not Arg.NONE:
            assert spec.example.en and spec.example.ko and spec.about_arg.ko
    words = [w.casefold() for spec in specs for w in spec.words]
    assert len(words) == len(set(words))  # a word calls one command


def test_openers_are_command_words_that_take_nothing() -> None:
    for word in lexicon().openers:
        found = registry().match([word])
        assert found is not None and found[0].arg is Arg.NONE, word


def test_the_shipped_lexicon_loads() -> None:
    lex = Lexicon.load(LEXICON_FILE)
    assert "please" in lex.filler and lex.numbers["three"] == 3 and lex.numbers_ko["세"] == 3


# ------------------------------------------------------------------ broken files


def write(tmp_path: Path, text: str, name: str = "commands.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """
[drama]
en = ["drama"]
ko = ["드라마"]
arg = "drama"
summary = { en = "A soundtrack", ko = "드라마 OST" }
example = { en = "Goblin", ko = "도깨비" }
about_arg = { en = "a title", ko = "제목" }
"""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.replace('arg = "drama"', 'arg = "film"'), "unknown arg 'film'"),
        (lambda s: s.replace("[drama]", "[Drama]"), "a name is a-z"),
        (lambda s: s.replace('en = ["drama"]', 'en = ["show"]'), "its own name"),
        (lambda s: s.replace("example = ", "# "), "example needs en and ko"),
        (lambda s: s.replace('ko = "드라마 OST"', 'ko = ""'), "non-empty en and ko"),
        (lambda s: s.replace("A soundtrack", "x" * 101), "longer than 100"),
        (lambda s: s + "\nrate_limit = true\n", "unknown key(s) rate_limit"),
        (lambda s: s + '\nprivate = "yes"\n', "private must be true or false"),
        (
            lambda s: (
                s + '\n[dramas]\nen = ["dramas", "드라마"]\n' + "summary = {en='x', ko='y'}\n"
            ),
            "calls both drama and dramas",
        ),
        (lambda s: "[drama", "commands.toml"),
        (lambda s: "", "no commands defined"),
    ],
)
def test_a_broken_registry_is_refused_with_the_reason(
    tmp_path: Path, change: object, message: str
) -> None:
    assert callable(change)
    Registry.load(write(tmp_path, GOOD))  # the base is valid
    with pytest.raises(RegistryError, match=re.escape(message)):
        Registry.load(write(tmp_path, change(GOOD)))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.replace("[years]", "[yaers]"), "years.recent is missing"),
        (lambda s: s.replace('plural = ["songs"', 'plural = ["Songs"'), "one lower-case word"),
        (lambda s: s.replace("three = 3", "three = 0"), "whole number above 0"),
        (lambda s: s + '\n[extra]\nwords = ["x"]\n', "unknown key(s) extra.words"),
        (lambda s: s.replace('openers = ["다른"', 'openers = [" 다른"'), "padded word"),
    ],
)
def test_a_broken_lexicon_is_refused_with_the_reason(
    tmp_path: Path, change: object, message: str
) -> None:
    assert callable(change)
    shipped = LEXICON_FILE.read_text(encoding="utf-8")
    with pytest.raises(LexiconError, match=re.escape(message)):
        Lexicon.load(write(tmp_path, change(shipped), "lexicon.toml"))


async def test_a_registry_command_without_a_handler_stops_the_start(
    store: Store, tmp_path: Path
) -> None:
    extra = COMMANDS_FILE.read_text(encoding="utf-8") + (
        '\n[heard]\nen = ["heard"]\nsummary = { en = "Songs you heard", ko = "들은 곡 수" }\n'
    )
    commands = Registry.load(write(tmp_path, extra))
    catalog = await store.load()
    from bot.core.index import CatalogIndex

    with pytest.raises(RegistryError, match="no handler for: heard"):
        Service(store, CatalogIndex(catalog), commands=commands)


async def test_a_broken_lexicon_is_a_catalog_error_at_start(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> Lexicon:
        raise LexiconError("lexicon.toml: numbers.en is missing")

    monkeypatch.setattr("bot.core.understand.parser.lexicon", broken)
    with pytest.raises(CatalogError) as failure:
        await Service.create(store)
    assert "numbers.en is missing" in str(failure.value.problems[0])


# ------------------------------------------------------------ the registry's rules


async def test_every_command_answers_in_both_languages(service: Service) -> None:
    for spec in registry():
        for locale in ("en", "ko"):
            arg = spec.example.of(locale) if spec.arg is not Arg.NONE else ""
            request = Request("telegram", "owner", "c", locale=locale, command=spec.name, arg=arg)
            reply = await service.handle(request)
            assert reply.text.strip() and reply.command == spec.name, spec.name


async def test_a_missing_argument_is_pointed_out_for_every_command_that_needs_one(
    service: Service,
) -> None:
    for spec in registry():
        reply = await service.handle(Request("discord", "u", "c", command=spec.name))
        if spec.needs_arg:
            assert reply.kind is ReplyKind.HINT, spec.name
            assert f"{spec.name} {spec.example.en}" in reply.text
        else:
            assert "For example" not in reply.text, spec.name


async def test_owners_only_and_private_come_from_the_registry(service: Service) -> None:
    for spec in registry():
        if spec.owners_only:
            reply = await service.handle(Request("discord", "stranger", "c", command=spec.name))
            assert "Only the bot's owners" in reply.text
        reply = await service.handle(Request("console", "owner", "c", command=spec.name))
        assert reply.private is spec.private, spec.name


async def test_feedback_is_quiet_unless_it_turns_into_a_recommendation(service: Service) -> None:
    await service.handle(ask("3 sad songs", platform="discord"))
    liked = await service.handle(ask("like 2", platform="discord"))
    assert liked.kind is ReplyKind.FEEDBACK and liked.visibility is Visibility.QUIET
    similar = await service.handle(ask("like Stay With Me", platform="discord"))
    assert similar.kind is ReplyKind.RECOMMENDATION and similar.visibility is Visibility.PUBLIC
    request = Request("discord", "u1", "c", command="like")
    assert service.audience(request) is Visibility.QUIET
    assert service.audience(Request("discord", "u1", "c", command="history")) is (
        Visibility.PRIVATE
    )


async def test_the_cooldown_is_one_rule_for_rate_limited_commands(store: Store) -> None:
    service = await Service.create(store, rng=random.Random(3), cooldown_seconds=60)
    try:
        first = await service.handle(ask("healing", platform="telegram"))
        slow = await service.handle(ask("sad", platform="telegram"))
        info = await service.handle(ask("about", platform="telegram"))  # not rate limited
        other = await service.handle(ask("sad", user="u2", platform="telegram"))
        local = [await service.handle(ask("sad", user="me")) for _ in range(2)]  # console
    finally:
        await service.close()
    assert first.cards and other.cards and info.kind is ReplyKind.INFO
    assert slow.kind is ReplyKind.HINT and "try again in 60 s" in slow.text
    assert slow.visibility is Visibility.QUIET and not slow.cards
    assert all(r.cards for r in local)  # a terminal is one person: no cooldown there


async def test_help_is_built_from_the_registry(service: Service) -> None:
    english = (await service.handle(ask("help"))).text
    korean = (await service.handle(ask("도움말"))).text
    for spec in registry():
        if spec.listed and spec.name != "help":
            assert f"  {spec.name}" in english and spec.summary.en in english
            assert spec.summary.ko in korean
    assert "reload" not in english
    assert "drama NAME:" in english and "드라마 이름:" in korean
