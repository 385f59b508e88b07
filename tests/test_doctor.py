"""`ostbot doctor`: every check, against a local stand-in for Discord's and Telegram's APIs."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.cli import main
from bot.config import Settings
from bot.core.catalog import DATA_DIR, load_catalog
from bot.core.store import SCHEMA_VERSION, SaveQuery, Shown, Store
from bot.ops import doctor
from bot.ops.doctor import Status, diagnose
from tests.support import add_track

ROOT = Path(__file__).resolve().parents[1]
# Shaped like real tokens (the Discord one starts with base64 of its bot id), valid nowhere.
DISCORD_TOKEN = "MTE3NzIwMDAwMDAwMDAwMDAwMA.GzXq1a.bS7r0m3fakeHMACnotarealtokenAtAll0"
DISCORD_BOT_ID = "1177200000000000000"
DISCORD_APP_ID = "1177299999999999999"  # differs from the bot id: the invite must use this one
TELEGRAM_TOKEN = "7000000001:AAFakeFakeFakeFakeFakeFakeFakeFake12"
OTHER_DISCORD = "MTE3NzIwMDAwMDAwMDAwMDAwMQ.GzXq1b.revokedrevokedrevokedrevokedrevoked0"
SHIPPED = len(load_catalog(DATA_DIR).tracks)
OTHER_TELEGRAM = "7000000002:AARevokedRevokedRevokedRevokedRevo12"


class StandIn(BaseHTTPRequestHandler):
    """Answers like Discord (/api/v10/...) and Telegram (/bot<token>/getMe) for known tokens."""

    seen: list[str]
    hang: bool = False

    def do_GET(self) -> None:
        self.seen.append(self.path)
        if self.hang:
            time.sleep(3)
            return
        auth = self.headers.get("Authorization")
        if self.path == "/api/v10/users/@me":
            ok = auth == f"Bot {DISCORD_TOKEN}"
            body = {"id": DISCORD_BOT_ID, "username": "ostbot-test", "bot": True}
            self.answer(200 if ok else 401, body if ok else {"message": "401: Unauthorized"})
        elif self.path == "/api/v10/oauth2/applications/@me":
            ok = auth == f"Bot {DISCORD_TOKEN}"
            self.answer(200 if ok else 401, {"id": DISCORD_APP_ID, "name": "ostbot"})
        elif self.path == f"/bot{TELEGRAM_TOKEN}/getMe":
            self.answer(200, {"ok": True, "result": {"id": 7000000001, "username": "ost_test_bot"}})
        elif self.path.endswith("/getMe"):
            self.answer(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        else:
            self.answer(404, {})

    def answer(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def platform() -> Iterator[tuple[str, list[str]]]:
    """The stand-in's address and the paths it was asked for."""
    seen: list[str] = []
    handler = type("Handler", (StandIn,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


Doctor = Callable[..., tuple[int, str]]


@pytest.fixture
def run_doctor(
    platform: tuple[str, list[str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Doctor:
    """`ostbot doctor ARGS` with these environment variables, Discord's API at the stand-in."""
    monkeypatch.setattr(doctor, "DISCORD_API", f"{platform[0]}/api/v10")
    for name in ("DISCORD_TOKEN", "TELEGRAM_TOKEN", "TELEGRAM_API_BASE_URL", "OSTBOT_OWNERS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(ROOT / "tests")  # no .env here

    def run(env: dict[str, str], *args: str) -> tuple[int, str]:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        code = main(["doctor", *args])
        out, err = capsys.readouterr()
        return code, out + err

    return run


def test_healthy_deployment(
    platform: tuple[str, list[str]], run_doctor: Doctor, tmp_path: Path
) -> None:
    url, seen = platform
    code, out = run_doctor(
        {
            "DISCORD_TOKEN": DISCORD_TOKEN,
            "TELEGRAM_TOKEN": TELEGRAM_TOKEN,
            "TELEGRAM_API_BASE_URL": url,
            "OSTBOT_DB": str(tmp_path / "bot.db"),
        },
    )
    assert code == 0, out
    assert "logged in as ostbot-test" in out and "logged in as @ost_test_bot" in out
    assert f"bot id {DISCORD_BOT_ID}" in out and "bot id 7000000001" in out
    assert "created at first start" in out
    assert re.search(r"^ok +catalog: \d+ dramas, \d+ tracks", out, re.MULTILINE)
    assert DISCORD_TOKEN not in out and TELEGRAM_TOKEN not in out
    assert not (tmp_path / "bot.db").exists()  # doctor writes nothing
    needed = discord.Permissions(
        send_messages=True,
        send_messages_in_threads=True,
        embed_links=True,
        read_message_history=True,
        use_application_commands=True,
    )
    invite = (
        f"https://discord.com/oauth2/authorize?client_id={DISCORD_APP_ID}"
        f"&scope=bot+applications.commands&permissions={needed.value}"
    )
    assert invite in out.splitlines()[-2]
    assert {"/api/v10/users/@me", f"/bot{TELEGRAM_TOKEN}/getMe"} <= set(seen)


def test_documented_invite_matches_what_doctor_prints() -> None:
    from bot.adapters.discord_adapter import invite_url

    permissions = invite_url(1).rsplit("permissions=", 1)[1]
    setup = (ROOT / "docs" / "platforms.md").read_text()
    assert f"permissions={permissions}" in setup and f"`{permissions}`" in setup


async def test_rejected_tokens_fail_without_showing_them(
    platform: tuple[str, list[str]], tmp_path: Path
) -> None:
    url, _ = platform
    report = await diagnose(
        settings(
            discord_token=OTHER_DISCORD, telegram_token=OTHER_TELEGRAM, telegram_api_base_url=url
        ),
        tmp_path / "bot.db",
        discord_api=f"{url}/api/v10",
    )
    failed = {c.what: c.detail for c in report.checks if c.status is Status.FAIL}
    assert set(failed) == {"discord", "telegram"}
    assert "rejected DISCORD_TOKEN" in failed["discord"]
    assert "rejected TELEGRAM_TOKEN" in failed["telegram"]
    text = "\n".join(report.lines())
    assert OTHER_DISCORD not in text and OTHER_TELEGRAM not in text
    assert report.failed == 2


async def test_unreachable_platform_is_skipped_not_failed(tmp_path: Path) -> None:
    nowhere = closed_port()
    report = await diagnose(
        settings(
            discord_token=DISCORD_TOKEN,
            telegram_token=TELEGRAM_TOKEN,
            telegram_api_base_url=nowhere,
        ),
        tmp_path / "bot.db",
        discord_api=nowhere,
    )
    skipped = [c for c in report.checks if c.status is Status.SKIP]
    assert [c.what for c in skipped] == ["discord", "telegram"]
    assert all(c.detail.startswith("no network: could not reach 127.0.0.1") for c in skipped)
    assert report.failed == 0
    # Offline, the invite still names the bot: its id is the first part of the token.
    assert report.invite is not None and f"client_id={DISCORD_BOT_ID}" in report.invite


async def test_a_platform_that_never_answers_times_out(tmp_path: Path) -> None:
    seen: list[str] = []
    handler = type("Hanging", (StandIn,), {"seen": seen, "hang": True})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        started = time.monotonic()
        report = await diagnose(
            settings(telegram_token=TELEGRAM_TOKEN, telegram_api_base_url=url),
            tmp_path / "bot.db",
            http_timeout=0.3,
        )
        assert time.monotonic() - started < 2.5
    finally:
        server.shutdown()
        server.server_close()
    (check,) = [c for c in report.checks if c.what == "telegram"]
    assert check.status is Status.SKIP and "ReadTimeout" in check.detail


@pytest.mark.parametrize(
    ("name", "value", "hint"),
    [
        ("discord_token", "not-a-token", "Reset Token"),
        ("discord_token", f"Bot {DISCORD_TOKEN}", "without the 'Bot ' prefix"),
        ("discord_token", "bm90LWFuLWlk.GzXq1a.bS7r0m3fakeHMACnotarealtokenAtAll0", "Reset Token"),
        ("telegram_token", "123:short", "@BotFather"),
        ("telegram_token", DISCORD_TOKEN, "@BotFather"),
    ],
)
async def test_malformed_tokens_fail_and_are_never_sent(
    platform: tuple[str, list[str]], tmp_path: Path, name: str, value: str, hint: str
) -> None:
    url, seen = platform
    report = await diagnose(
        settings(**{name: value}, telegram_api_base_url=url),
        tmp_path / "bot.db",
        discord_api=f"{url}/api/v10",
    )
    (failed,) = [c for c in report.checks if c.status is Status.FAIL]
    assert failed.what == name.upper() and hint in failed.detail
    assert value not in "\n".join(report.lines())
    assert seen == [] and report.invite is None


def test_quick_check_for_containers_asks_no_one(
    platform: tuple[str, list[str]], run_doctor: Doctor, tmp_path: Path
) -> None:
    url, seen = platform
    env = {"DISCORD_TOKEN": DISCORD_TOKEN, "TELEGRAM_API_BASE_URL": url}
    code, out = run_doctor({**env, "OSTBOT_DB": str(tmp_path / "x.db")}, "--quick")
    assert code == 0 and seen == []
    assert "catalog" not in out and "invite" not in out and "database" in out


async def seeded(path: Path) -> None:
    """A database as the bot leaves it: the catalog and one user's request."""
    store = await Store.open(path)
    try:
        key = (await store.load()).tracks[0].key
        await store.apply([SaveQuery(1, "cli:local", "{}"), Shown("cli:local", 1, (key,))])
    finally:
        await store.close()


async def make_database(kind: str, path: Path) -> None:
    if kind == "healthy":
        await seeded(path)
    elif kind == "foreign":
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE invoices (id INTEGER)")
    elif kind == "newer":
        await seeded(path)
        with sqlite3.connect(path) as db:
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    elif kind == "older":
        await seeded(path)
        with sqlite3.connect(path) as db:
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
    elif kind == "not a database":
        spoil(path, b"hello" * 1000)
    elif kind == "truncated":
        await seeded(path)
        with sqlite3.connect(path) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        spoil(path, None)


def spoil(path: Path, content: bytes | None) -> None:
    """Write `content` over the file, or (None) cut it to a third."""
    if content is None:
        data = path.read_bytes()
        content = data[: len(data) // 3]
    path.write_bytes(content)


@pytest.mark.parametrize(
    ("kind", "status", "words"),
    [
        ("missing", Status.OK, "created at first start"),
        (
            "healthy",
            Status.OK,
            f"schema v{SCHEMA_VERSION}, {SHIPPED} tracks, 1 users, quick_check ok",
        ),
        ("older", Status.OK, f"upgraded to v{SCHEMA_VERSION} at next start"),
        ("foreign", Status.FAIL, "another program's database"),
        ("newer", Status.FAIL, "newer ostbot"),
        ("not a database", Status.FAIL, "not an SQLite database"),
        ("truncated", Status.FAIL, "damaged"),
    ],
)
async def test_database_is_checked_read_only(
    tmp_path: Path, kind: str, status: Status, words: str
) -> None:
    path = tmp_path / "bot.db"
    await make_database(kind, path)
    before = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
    check = await doctor.check_database(path)
    assert check.status is status and words in check.detail, check
    after = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
    assert after == before


async def test_database_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    check = await doctor.check_database(blocker / "sub" / "bot.db")
    assert check.status is Status.FAIL and "cannot be created" in check.detail


def test_invalid_catalog_fails(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    add_track(data, drama="Nowhere", part=1, title="Made Up", artist="Nobody", year=2020, tags="x")
    check = doctor.check_catalog(data)
    assert check.status is Status.FAIL and "tracks.csv" in check.detail
    assert doctor.check_catalog(DATA_DIR).status is Status.OK


@pytest.mark.parametrize(
    ("values", "what", "status", "words"),
    [
        ({}, "settings", Status.WARN, "console chat"),
        ({"discord_token": DISCORD_TOKEN}, "settings", Status.OK, "starts Discord"),
        ({"ostbot_owners": "discord:1, 1234 ,telegram:5"}, "OSTBOT_OWNERS", Status.WARN, "1 entry"),
        ({"cooldown_seconds": -1}, "COOLDOWN_SECONDS", Status.WARN, "negative"),
        ({"telegram_api_base_url": "localhost"}, "TELEGRAM_API_BASE_URL", Status.FAIL, "http"),
        (
            {"telegram_webhook_url": "http://ost.example.org/t"},
            "TELEGRAM_WEBHOOK_URL",
            Status.FAIL,
            "HTTPS",
        ),
        (
            {"telegram_webhook_url": "https://ost.example.org:8080/t"},
            "TELEGRAM_WEBHOOK_URL",
            Status.FAIL,
            "443, 80, 88, 8443",
        ),
        (
            {"telegram_webhook_url": "https://ost.example.org/t"},
            "TELEGRAM_WEBHOOK_SECRET",
            Status.WARN,
            "fake updates",
        ),
        (
            {"telegram_webhook_url": "https://o.example.org/t", "telegram_webhook_secret": "a b"},
            "TELEGRAM_WEBHOOK_SECRET",
            Status.FAIL,
            "1-256 characters",
        ),
        (
            {"telegram_webhook_url": "https://o.example.org/t", "telegram_webhook_port": 0},
            "TELEGRAM_WEBHOOK_PORT",
            Status.FAIL,
            "1-65535",
        ),
    ],
)
def test_settings_checks(values: dict[str, object], what: str, status: Status, words: str) -> None:
    checks = [c for c in doctor.check_settings(settings(**values)) if c.what == what]
    assert checks and checks[0].status is status and words in checks[0].detail, checks


def test_a_good_webhook_passes() -> None:
    good = settings(
        telegram_token=TELEGRAM_TOKEN,
        telegram_webhook_url="https://ost.example.org:8443/telegram",
        telegram_webhook_secret="a-long_random-string",
    )
    assert [c.status for c in doctor.check_settings(good)] == [Status.OK]
