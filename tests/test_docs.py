"""The documentation stays true to the code: every relative link leads somewhere, and every
setting, command-line command and chat command the code has is in the README (and nothing the
README lists is missing from the code)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from bot import env
from bot.cli import build_parser
from bot.config import Settings
from bot.core.commands import registry

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCUMENTS = [README, *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} +(.+?) *$")


def outside_code(path: Path) -> list[str]:
    """The document's lines that are not inside a fenced code block."""
    lines, fenced = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {slug(m[1]) for line in outside_code(path) if (m := HEADING.match(line))}


def section(path: Path, title: str) -> str:
    """The text under a `## title` heading, up to the next heading of that level."""
    text = path.read_text(encoding="utf-8")
    return text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def first_cells(table_text: str) -> list[str]:
    """Each table row's first cell (a `\\|` inside a cell is no column break)."""
    rows = table_text.splitlines()
    return [re.split(r"(?<!\\)\|", row)[1] for row in rows if row.startswith("| `")]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_every_relative_link_resolves(document: Path) -> None:
    broken = []
    for line in outside_code(document):
        for target in LINK.findall(line):
            if re.match(r"[a-z]+:", target):  # https:, mailto:
                continue
            file, _, anchor = target.partition("#")
            linked = (document.parent / file).resolve() if file else document
            if not linked.exists():
                broken.append(f"{target}: no such file")
            elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
                broken.append(f"{target}: no such heading")
    assert not broken, f"{document.name}: {broken}"


def test_anchors_are_the_ones_github_makes(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# Top\n\n## Checking a deployment: `ostbot doctor`\n", encoding="utf-8")
    assert anchors(page) == {"top", "checking-a-deployment-ostbot-doctor"}


def test_every_setting_is_in_env_example_and_the_readme() -> None:
    in_code = {name.upper() for name in Settings.model_fields} | {env.DB, env.LEVEL}
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert set(re.findall(r"^([A-Z][A-Z0-9_]+)=", example, re.MULTILINE)) == in_code
    table = section(README, "Configuration")
    documented = {name for cell in first_cells(table) for name in re.findall(r"`(\w+)`", cell)}
    assert documented == in_code


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _command(span: str) -> str:
    """`ostbot db import FILE.csv` -> "ostbot db import": the words before the arguments."""
    words = []
    for word in span.split():
        if not re.fullmatch(r"[a-z]+", word):
            break
        words.append(word)
    return " ".join(words)


def test_every_command_line_command_is_in_the_readme() -> None:
    commands = _subcommands(build_parser())
    expected = {f"ostbot {name}" for name in commands if name != "db"}
    expected |= {f"ostbot db {name}" for name in _subcommands(commands["db"])}
    table = section(README, "Commands").split("### On the command line", 1)[1]
    spans = [span for cell in first_cells(table) for span in re.findall(r"`(ostbot[^`]*)`", cell)]
    assert {_command(span) for span in spans} == expected | {"ostbot"}


def test_every_chat_command_is_in_the_readme() -> None:
    table = section(README, "Commands").split("### On the command line", 1)[0]
    cells = " ".join(first_cells(table))
    missing = [
        spec.name
        for spec in registry().specs
        if not any(f"`{word}`" in cells or f"`{word} " in cells for word in spec.en)
    ]
    assert not missing
