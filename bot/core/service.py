"""handle(Request) -> Reply: the one entry point of the core, for every platform.

A request is read into a registry command (a typed message through the parser; a slash
command or menu entry as it is), the registry's rules are applied once here (owners only, a
missing argument, the per-user cooldown, who may see the reply), and the command's handler in
`bot/core/features/` answers. Button presses carry their own self-contained payload.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace
from pathlib import Path

from bot.core import compose
from bot.core.catalog import DATA_DIR, CatalogError, Problem, load_vocabulary
from bot.core.commands import Arg, Command, Registry, RegistryError, Spec, registry
from bot.core.cooldown import Cooldown
from bot.core.features import Feature, Handler
from bot.core.features.admin import Admin
from bot.core.features.browsing import Browsing
from bot.core.features.converse import Converse
from bot.core.features.feedback import Feedback
from bot.core.features.lookup import Lookup
from bot.core.features.picks import Picks
from bot.core.features.privacy import CONFIRMATION, Privacy
from bot.core.index import CatalogIndex
from bot.core.index_cache import load_index
from bot.core.lexicon import LexiconError
from bot.core.messages import locale_of, reply_locale, t
from bot.core.models import (
    LOCAL_PLATFORMS,
    Reply,
    ReplyKind,
    Request,
    Suggestion,
    Visibility,
)
from bot.core.occasions import OccasionError
from bot.core.recommend import Recommender
from bot.core.store import Store, StoreUnavailable
from bot.core.suggest import Suggester
from bot.core.text import clean_input
from bot.core.understand import Parser
from bot.core.userstate import SharedUsers, UserCache, Users, WriteBehind

# Button payloads. Saved-request ids are 40-bit (at most 8 base-36 digits); track keys are 12
# hex digits; a "forget me" confirmation says when and whom for (features/privacy.py). Each
# maps to the registry command whose rules (cooldown, visibility) it follows.
ACTION = re.compile(
    r"(?P<saved>more|other):(?P<id>[0-9a-z]{1,8})"
    r"|(?P<verb>like|dislike|song):(?P<key>[0-9a-f]{12})"
    rf"|(?P<forget>forget):(?P<confirmation>{CONFIRMATION})"
)
BUTTON_COMMAND = {
    "more": "another",
    "like": "like",
    "dislike": "dislike",
    "song": "recommend",  # another song of a title looked up: a request like any other
    "other": "recommend",  # the other reading of a name that is two things
    "forget": "forget_me",
}


@dataclass(frozen=True, slots=True)
class Reading:
    """What a request asks for, before it is answered."""

    command: Command | None  # None: the message said nothing
    text: str  # what was read, cleaned and capped
    truncated: bool
    locale: str


class Service:
    def __init__(
        self,
        store: Store,
        index: CatalogIndex,
        *,
        rng: random.Random | None = None,
        owners: frozenset[str] = frozenset(),
        data_dir: Path = DATA_DIR,
        cooldown_seconds: float = 0.0,
        commands: Registry | None = None,
    ) -> None:
        self.store = store
        self.rng = rng or random.Random()
        self.owners = owners
        self.data_dir = data_dir
        self.commands = commands or registry()
        self.cooldown = Cooldown(cooldown_seconds)
        self.writer = WriteBehind(store)
        # One process on its file (SQLite): users live in memory, their writes go behind the
        # reply. A database several processes share (PostgreSQL): each request checks its
        # user in the database and commits before it replies (see bot/core/userstate.py).
        self.users: Users = SharedUsers(store) if store.shared else UserCache(store, self.writer)
        self.suggester = Suggester()
        self.browsing = Browsing(self)
        self.picks = Picks(self)
        self.feedback = Feedback(self)
        self.converse = Converse(self)
        self.lookup = Lookup(self)
        self.admin = Admin(self)
        self.privacy = Privacy(self)
        self._handlers = self._collect()
        self.catalog_version = ""  # the catalog version the index was built from
        self._use(index)

    def features(self) -> list[Feature]:
        """The features whose handlers answer the registry's commands."""
        return [
            self.browsing,
            self.picks,
            self.feedback,
            self.converse,
            self.lookup,
            self.admin,
            self.privacy,
        ]

    def _collect(self) -> dict[str, Handler]:
        handlers: dict[str, Handler] = {}
        for feature in self.features():
            for name, handler in feature.handlers().items():
                if name in handlers:
                    raise RegistryError(f"two handlers for the command {name!r}")
                handlers[name] = handler
        names = {spec.name for spec in self.commands}
        if missing := names - set(handlers):
            raise RegistryError(f"no handler for: {', '.join(sorted(missing))}")
        if unknown := set(handlers) - names:
            raise RegistryError(f"handlers for commands not in the registry: {sorted(unknown)}")
        return handlers

    def _use(self, index: CatalogIndex) -> None:
        self.index = index
        self.parser = Parser(index, commands=self.commands)
        self.recommender = Recommender(index)

    @classmethod
    async def create(
        cls,
        store: Store,
        *,
        rng: random.Random | None = None,
        owners: frozenset[str] = frozenset(),
        data_dir: Path = DATA_DIR,
        cooldown_seconds: float = 0.0,
    ) -> Service:
        version = await store.catalog_version()
        index = await load_index(store, load_vocabulary(data_dir))
        try:
            service = cls(
                store,
                index,
                rng=rng,
                owners=owners,
                data_dir=data_dir,
                cooldown_seconds=cooldown_seconds,
            )
        except (RegistryError, LexiconError, OccasionError) as exc:
            # A broken commands.toml or lexicon.toml is reported like a broken catalog.
            raise CatalogError([Problem(str(exc).split(":", 1)[0], 1, str(exc))]) from exc
        service.catalog_version = version
        return service

    async def close(self) -> None:
        """Write out everything pending. Call before closing the store."""
        await self.writer.close()

    async def reload(self) -> None:
        """Build the index of the catalog as stored now, then switch to it: a request is
        answered from the old index or the new one, never from one half built."""
        version = await self.store.catalog_version()
        self._use(await load_index(self.store, load_vocabulary(self.data_dir)))
        self.catalog_version = version

    # ------------------------------------------------------------------ entry

    async def handle(self, request: Request) -> Reply:
        """Answer one message, slash command or button press. Never raises for bad input;
        a database that does not answer gets an apology, not an exception."""
        try:
            return await self._handle(request)
        except StoreUnavailable:  # already logged where it happened
            locale = locale_of(request.locale)
            return compose.hint(t("store_unavailable", locale), locale)

    async def _handle(self, request: Request) -> Reply:
        if request.action is not None:
            return await self._press(request)
        reading = self.read(request)
        if reading.command is None:
            locale = reading.locale
            return compose.hint(t("empty", locale) + "\n" + t("try", locale), locale)
        reply = await self._run(request, reading.command, reading.locale)
        if reading.truncated:
            note = t("truncated", reply.locale, n=len(reading.text))
            reply = replace(reply, text=f"{reply.text}\n{note}" if reply.text else note)
        return reply

    def read(self, request: Request) -> Reading:
        """What a message or slash command asks for: a registry command and its argument.

        A command chosen on the platform's surface is taken as it is: its argument is never
        read for another command (`/mood like` is the mood "like", not a 👍).
        """
        if request.command is not None:
            text, truncated = clean_input(request.arg)
            spec = self.commands.get(request.command)
            # An unknown name cannot come from a surface built from the registry; read it as
            # typed text so it still gets a sensible answer.
            if spec is not None:
                command: Command | None = spec.command(text)
            else:
                command = self.parser.parse(f"{request.command} {text}")
        else:
            text, truncated = clean_input(request.text)
            command = self.parser.parse(text)
        return Reading(command, text, truncated, reply_locale(text, request.locale))

    def interpret(self, request: Request) -> Command | None:
        """The command a request stands for (what every surface must agree on)."""
        if request.action is not None:
            match = ACTION.fullmatch(request.action)
            if match is None:
                return None
            verb = match["saved"] or match["verb"] or match["forget"]
            return Command(
                BUTTON_COMMAND[verb], match["id"] or match["key"] or match["confirmation"]
            )
        return self.read(request).command

    def audience(self, request: Request) -> Visibility:
        """Who may see the reply to this request, known before it is answered (so a platform
        that must acknowledge first, like Discord, can do it privately or not)."""
        command = self.interpret(request)
        spec = self.commands.get(command.name) if command is not None else None
        if spec is None:
            return Visibility.QUIET if request.action is not None else Visibility.PUBLIC
        return self._visibility(spec)

    async def _run(self, request: Request, command: Command, locale: str) -> Reply:
        spec = self.commands[command.name]
        if spec.owners_only and request.user not in self.owners:
            reply = compose.hint(t("not_owner", locale), locale)
        elif spec.needs_arg and not command.arg:
            reply = compose.need_arg(spec, locale)
        elif wait := self._wait(request, spec):
            reply = compose.slow_down(wait, locale)
        else:
            reply = await self._handlers[spec.name](request, command, locale)
        return self._served(reply, spec)

    def _wait(self, request: Request, spec: Spec) -> float:
        """Seconds this user must still wait before a rate-limited command (0: go)."""
        if not spec.rate_limited or request.platform in LOCAL_PLATFORMS:
            return 0.0
        return self.cooldown.remaining(request.user)

    def _visibility(self, spec: Spec) -> Visibility:
        if spec.private:
            return Visibility.PRIVATE
        return Visibility.QUIET if spec.quiet else Visibility.PUBLIC

    def _served(self, reply: Reply, spec: Spec) -> Reply:
        """The registry's word on who may see the reply, and which command gave it.

        A quiet command's reply is quiet unless it became a recommendation ("like Stay With
        Me" about a song not shown brings songs like it, for everyone to see).
        """
        visibility = reply.visibility
        if spec.private:
            visibility = Visibility.PRIVATE
        elif spec.quiet and reply.kind is not ReplyKind.RECOMMENDATION:
            visibility = Visibility.QUIET
        return replace(reply, visibility=visibility, command=spec.name)

    # ---------------------------------------------------------------- buttons

    async def _press(self, request: Request) -> Reply:
        """A button: "another" for a saved request, 👍/👎 for a track, or "forget me"."""
        locale = locale_of(request.locale)
        command = self.interpret(request)
        if command is None:
            return compose.stale_button(locale)
        spec = self.commands[command.name]
        verb = (request.action or "").split(":", 1)[0]
        if wait := self._wait(request, spec):
            reply = compose.slow_down(wait, locale)
        elif command.name == "another":
            reply = await self.picks.again(request, int(command.arg, 36), locale)
        elif verb == "song":
            reply = await self.lookup.song(request, command.arg, locale)
        elif verb == "other":
            reply = await self.picks.other(request, int(command.arg, 36), locale)
        elif verb == "forget":
            reply = await self.privacy.confirmed(request, command.arg, locale)
        elif (i := self.index.by_key.get(command.arg)) is None:
            reply = compose.stale_button(locale)
        else:
            reply = await self.feedback.rate(
                request, i, 1 if command.name == "like" else -1, locale
            )
        if reply.kind is not ReplyKind.RECOMMENDATION and reply.visibility is Visibility.PUBLIC:
            # Feedback and "that button has expired" only matter to whoever pressed.
            reply = replace(reply, visibility=Visibility.QUIET)
        return replace(reply, command=spec.name)

    # ------------------------------------------------------------ suggestions

    async def suggest(
        self,
        kind: Arg,
        text: str,
        locale: str | None = None,
        *,
        user: str | None = None,
        limit: int = 25,
    ) -> tuple[Suggestion, ...]:
        """Values for a command's argument as the user types it (Discord autocomplete), or, for
        a free-text request, a preview of the tracks it would bring (Telegram inline mode).

        `user` (as `Request.user`) puts the songs that user was just shown first, and keeps
        their dislikes out of previews. Nothing is recorded.
        """
        if kind is Arg.TEXT:
            return await self.picks.preview(text, locale, user, limit)
        first = []
        if user is not None and kind is Arg.TRACK:
            index = self.index
            shown = (await self.users.get(user)).last_tracks
            first = [index.tracks[index.by_key[k]] for k in shown if k in index.by_key]
        text = clean_input(text)[0]
        return tuple(self.suggester.complete(self.index, kind, text, limit, first))


__all__ = ["Reading", "Service"]
