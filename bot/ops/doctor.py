"""`ostbot doctor`: check a deployment before it goes live, and a running one (`--quick`).

Each check says ok, warning, FAIL or skipped, in one line; any FAIL makes the exit status 1.
Nothing is written: the database is opened read-only and never created. Tokens are checked for
their shape and, where the network allows, by asking the platform who they belong to; they are
never printed (only the bot's id, which is public).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

import aiosqlite
import httpx

from bot.config import Settings
from bot.core.catalog import DATA_DIR, DataDirError, load_catalog
from bot.core.store import (
    SCHEMA_VERSION,
    DatabaseUrl,
    Location,
    StoreError,
    describe_database_error,
    recognise,
)
from bot.ops.backup import read_only

DISCORD_API = "https://discord.com/api/v10"
TELEGRAM_API = "https://api.telegram.org/bot"
TIMEOUT = 5.0  # seconds for each platform request
# Telegram accepts webhooks only on these public ports, and a secret token of these characters.
WEBHOOK_PORTS = (443, 80, 88, 8443)
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
# A Discord bot token: base64 of the bot's id, a timestamp, an HMAC (base64url, dot-separated).
DISCORD_TOKEN = re.compile(r"([A-Za-z0-9_-]{16,})\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}")
# A Telegram bot token: the bot's id, a colon, a secret.
TELEGRAM_TOKEN = re.compile(r"(\d{4,}):[A-Za-z0-9_-]{30,}")
OWNER = re.compile(r"(discord|telegram|console):\S+")


class Status(StrEnum):
    OK = "ok"
    WARN = "warning"
    FAIL = "FAIL"
    SKIP = "skipped"


@dataclass(frozen=True)
class Check:
    status: Status
    what: str
    detail: str

    def __str__(self) -> str:
        return f"{self.status.value:<8} {self.what}: {self.detail}"


@dataclass
class Report:
    checks: list[Check]
    invite: str | None = None

    @property
    def failed(self) -> int:
        return sum(c.status is Status.FAIL for c in self.checks)

    def lines(self) -> list[str]:
        out = [str(c) for c in self.checks]
        if self.invite:
            out.append(f"invite the Discord bot with: {self.invite}")
        out.append(f"{self.failed} problem(s) found" if self.failed else "no problems found")
        return out


async def diagnose(
    settings: Settings,
    db_path: Location,
    *,
    quick: bool = False,
    data_dir: Path = DATA_DIR,
    discord_api: str | None = None,
    http_timeout: float = TIMEOUT,
) -> Report:
    """Every check; `quick` (a container's health check) skips the catalog and the network."""
    checks = [*check_settings(settings)]
    discord_id = check_discord_token(settings, checks)
    telegram_ok = check_telegram_token(settings, checks)
    checks.append(await check_database(db_path, thorough=not quick))
    if quick:
        return Report(checks)
    checks.append(check_catalog(data_dir))
    invite_id: str | None = None
    with httpx.Client(timeout=http_timeout, follow_redirects=False) as http:
        if discord_id is not None and settings.discord_token is not None:
            check, invite_id = discord_login(
                http, discord_api or DISCORD_API, settings.discord_token.get_secret_value().strip()
            )
            checks.append(check)
        if telegram_ok and settings.telegram_token is not None:
            checks.append(
                telegram_login(
                    http,
                    settings.telegram_api_base_url or TELEGRAM_API,
                    settings.telegram_token.get_secret_value().strip(),
                )
            )
    invite = None
    if discord_id is not None:
        from bot.adapters.discord_adapter import invite_url

        invite = invite_url(invite_id or discord_id)
    return Report(checks, invite)


# -------------------------------------------------------------------------- settings


def check_settings(settings: Settings) -> Iterable[Check]:
    started = []
    if settings.discord_token:
        shards = settings.discord_shards
        started.append(f"Discord (shards {shards})" if shards else "Discord")
    if settings.telegram_token:
        mode = "webhook" if settings.telegram_webhook_url else "long polling"
        started.append(f"Telegram ({mode})")
    if started:
        yield Check(Status.OK, "settings", f"`ostbot run` starts {' and '.join(started)}")
    else:
        yield Check(
            Status.WARN,
            "settings",
            "no DISCORD_TOKEN or TELEGRAM_TOKEN: `ostbot run` opens the console chat, which"
            " ends at once without a terminal (as in a container or a service)",
        )
    entries = [o.strip() for o in settings.ostbot_owners.split(",") if o.strip()]
    wrong = [o for o in entries if not OWNER.fullmatch(o)]
    if wrong:
        yield Check(
            Status.WARN,
            "OSTBOT_OWNERS",
            f"{len(wrong)} entr{'y' if len(wrong) == 1 else 'ies'} not of the form"
            " platform:id (discord:1234, telegram:5678) and ignored",
        )
    if settings.cooldown_seconds < 0:
        yield Check(Status.WARN, "COOLDOWN_SECONDS", "negative: treated as no cooldown")
    if settings.telegram_api_base_url:
        base = urlsplit(settings.telegram_api_base_url)
        if base.scheme not in ("http", "https") or not base.netloc:
            yield Check(
                Status.FAIL,
                "TELEGRAM_API_BASE_URL",
                "not an http(s) URL: give the address of your Bot API server",
            )
    if settings.telegram_webhook_url:
        yield from check_webhook(settings)


def check_webhook(settings: Settings) -> Iterable[Check]:
    url = urlsplit(settings.telegram_webhook_url or "")
    if url.scheme != "https" or not url.hostname:
        yield Check(Status.FAIL, "TELEGRAM_WEBHOOK_URL", "Telegram calls webhooks over HTTPS only")
    elif (url.port or 443) not in WEBHOOK_PORTS:
        ports = ", ".join(map(str, WEBHOOK_PORTS))
        yield Check(
            Status.FAIL, "TELEGRAM_WEBHOOK_URL", f"port {url.port}: Telegram allows only {ports}"
        )
    if not 0 < settings.telegram_webhook_port < 65536:
        yield Check(Status.FAIL, "TELEGRAM_WEBHOOK_PORT", "not a port number (1-65535)")
    secret = settings.telegram_webhook_secret
    if secret is None:
        yield Check(
            Status.WARN,
            "TELEGRAM_WEBHOOK_SECRET",
            "not set: anyone who finds the URL can send the bot fake updates",
        )
    elif not WEBHOOK_SECRET.fullmatch(secret.get_secret_value()):
        yield Check(
            Status.FAIL,
            "TELEGRAM_WEBHOOK_SECRET",
            "Telegram allows 1-256 characters A-Z, a-z, 0-9, _ and -",
        )


def check_discord_token(settings: Settings, checks: list[Check]) -> str | None:
    """The bot's id from a well-formed token (None when unset or malformed)."""
    if settings.discord_token is None:
        return None
    token = settings.discord_token.get_secret_value().strip()
    match = DISCORD_TOKEN.fullmatch(token)
    bot_id = _decoded_id(match.group(1)) if match else None
    if bot_id is None:
        hint = " (without the 'Bot ' prefix)" if token.lower().startswith("bot ") else ""
        checks.append(
            Check(
                Status.FAIL,
                "DISCORD_TOKEN",
                "does not look like a Discord bot token: copy it again from the Developer"
                f" Portal, Bot, Reset Token{hint}",
            )
        )
        return None
    checks.append(Check(Status.OK, "DISCORD_TOKEN", f"looks like a bot token (bot id {bot_id})"))
    return bot_id


def _decoded_id(part: str) -> str | None:
    try:
        text = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return text if text.isascii() and text.isdigit() else None


def check_telegram_token(settings: Settings, checks: list[Check]) -> bool:
    if settings.telegram_token is None:
        return False
    match = TELEGRAM_TOKEN.fullmatch(settings.telegram_token.get_secret_value().strip())
    if match is None:
        checks.append(
            Check(
                Status.FAIL,
                "TELEGRAM_TOKEN",
                "does not look like a Telegram bot token (digits, a colon, then the secret):"
                " copy it again from @BotFather",
            )
        )
        return False
    checks.append(
        Check(Status.OK, "TELEGRAM_TOKEN", f"looks like a bot token (bot id {match.group(1)})")
    )
    return True


# -------------------------------------------------------------------------- database


async def check_database(path: Location, *, thorough: bool = True) -> Check:
    """Open read-only: ostbot's, a schema this version reads, and (thorough) intact."""
    if isinstance(path, DatabaseUrl):
        return await check_server(path)
    missing = _missing_database(path)
    if missing is not None:
        return missing
    try:
        async with aiosqlite.connect(read_only(path), uri=True) as db:
            await db.execute("PRAGMA busy_timeout = 5000")
            await recognise(db, path)
            schema = await _one(db, "PRAGMA user_version")
            unusable = _unusable_schema(path, schema)
            if unusable is not None:
                return unusable
            if thorough:
                async with db.execute("PRAGMA quick_check") as cur:
                    verdict = [str(r[0]) for r in await cur.fetchall()]
                if verdict != ["ok"]:
                    return Check(
                        Status.FAIL,
                        "database",
                        f"{path} is damaged ({verdict[0]}): restore it from a backup",
                    )
            tracks = await _one(db, "SELECT count(*) FROM tracks")
            users = await _one(db, "SELECT count(*) FROM users")
    except StoreError as exc:
        return Check(Status.FAIL, "database", str(exc))
    except sqlite3.Error as exc:
        return Check(Status.FAIL, "database", describe_database_error(exc, path))
    upgrade = _upgrade_note(schema, "ostbot db backup")
    if not _writable(path):
        return Check(
            Status.FAIL,
            "database",
            f"{path} or its folder cannot be written by this user: the bot could not save",
        )
    checked = ", quick_check ok" if thorough else ""
    return Check(
        Status.OK,
        "database",
        f"{path} (schema v{schema}, {tracks} tracks, {users} users{checked})" + upgrade,
    )


async def check_server(url: DatabaseUrl) -> Check:
    """A PostgreSQL database, reading only: reachable, ostbot's (or empty), a schema this
    version reads."""
    from bot.core.postgres import describe_pg_error, inspect, is_failure

    try:
        schema, tracks, users = await inspect(url)
    except StoreError as exc:
        return Check(Status.FAIL, "database", str(exc))
    except Exception as exc:
        if not is_failure(exc):
            raise
        return Check(Status.FAIL, "database", describe_pg_error(exc, url))
    unusable = _unusable_schema(f"{url} (PostgreSQL)", schema)
    if unusable is not None:
        return unusable
    upgrade = _upgrade_note(schema, "pg_dump")
    return Check(
        Status.OK,
        "database",
        f"{url} (PostgreSQL, schema v{schema}, {tracks} tracks, {users} users)" + upgrade,
    )


def _unusable_schema(where: object, schema: int) -> Check | None:
    """A database from a newer ostbot (FAIL), or an empty one (set up at first start)."""
    if schema > SCHEMA_VERSION:
        return Check(
            Status.FAIL,
            "database",
            f"{where} was written by a newer ostbot (schema v{schema}; this one reads up to"
            f" v{SCHEMA_VERSION}): upgrade ostbot",
        )
    if schema == 0:
        return Check(Status.OK, "database", f"{where} is empty: set up at first start")
    return None


def _upgrade_note(schema: int, backup: str) -> str:
    if schema >= SCHEMA_VERSION:
        return ""
    return f"; upgraded to v{SCHEMA_VERSION} at next start (back it up first: {backup})"


async def _one(db: aiosqlite.Connection, sql: str) -> int:
    async with db.execute(sql) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


def _writable(path: Path) -> bool:
    return os.access(path, os.R_OK | os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def _missing_database(path: Path) -> Check | None:
    """None when the file exists; else whether ostbot can create it."""
    if path.exists():
        return None
    existing = path.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.is_dir() and os.access(existing, os.W_OK | os.X_OK):
        return Check(Status.OK, "database", f"{path} does not exist yet: created at first start")
    return Check(
        Status.FAIL,
        "database",
        f"{path} does not exist and cannot be created ({existing} is not a writable folder)",
    )


# --------------------------------------------------------------------------- catalog


def check_catalog(data_dir: Path) -> Check:
    try:
        catalog = load_catalog(data_dir)
    except DataDirError as exc:
        more = len(exc.problems) - 1
        return Check(
            Status.FAIL,
            "catalog",
            f"{data_dir} is invalid: {exc.problems[0]}"
            + (f" (and {more} more; `ostbot db validate` lists them)" if more else ""),
        )
    return Check(
        Status.OK,
        "catalog",
        f"{len(catalog.dramas)} dramas, {len(catalog.tracks)} tracks, {len(catalog.artists)}"
        f" artists ({data_dir})",
    )


# --------------------------------------------------------------------------- network


def discord_login(http: httpx.Client, api: str, token: str) -> tuple[Check, str | None]:
    """Who the token belongs to, and the application id for the invite."""
    headers = {"Authorization": f"Bot {token}"}
    try:
        me = http.get(f"{api}/users/@me", headers=headers)
        if me.status_code == 401:
            return Check(
                Status.FAIL,
                "discord",
                "Discord rejected DISCORD_TOKEN: reset it in the Developer Portal and update it",
            ), None
        if me.status_code != 200:
            return Check(Status.WARN, "discord", f"Discord answered HTTP {me.status_code}"), None
        user = me.json()
        app = http.get(f"{api}/oauth2/applications/@me", headers=headers)
        app_id = str(app.json().get("id")) if app.status_code == 200 else None
    except httpx.TransportError as exc:
        return _unreachable("discord", api, exc), None
    except ValueError:
        return Check(Status.WARN, "discord", "Discord answered something that is not JSON"), None
    name = user.get("username", "?")
    return Check(Status.OK, "discord", f"logged in as {name} (id {user.get('id')})"), app_id


def telegram_login(http: httpx.Client, base: str, token: str) -> Check:
    from bot.adapters.telegram_adapter import api_urls

    api, _ = api_urls(base)
    url = api.replace("{token}", token) if "{token}" in api else f"{api}{token}"
    try:
        answer = http.get(f"{url}/getMe")
        if answer.status_code in (401, 404):
            where = " (or TELEGRAM_API_BASE_URL is wrong)" if base != TELEGRAM_API else ""
            return Check(
                Status.FAIL,
                "telegram",
                f"Telegram rejected TELEGRAM_TOKEN{where}: get the token again from @BotFather",
            )
        if answer.status_code != 200:
            return Check(Status.WARN, "telegram", f"Telegram answered HTTP {answer.status_code}")
        bot = answer.json().get("result") or {}
    except httpx.TransportError as exc:
        return _unreachable("telegram", base, exc)
    except ValueError:
        return Check(Status.WARN, "telegram", "Telegram answered something that is not JSON")
    return Check(Status.OK, "telegram", f"logged in as @{bot.get('username', '?')}")


def _unreachable(what: str, url: str, exc: httpx.TransportError) -> Check:
    # The exception's text may quote the request URL, which carries the Telegram token.
    host = urlsplit(url).hostname or url
    return Check(Status.SKIP, what, f"no network: could not reach {host} ({type(exc).__name__})")
