"""Privacy: who you are to the bot (whoami), what it keeps about you (mydata), and deleting
all of it after a confirmation (forget me).

The confirmation button is stateless, like every button: its payload says when it was made and
whom for ("forget:<when>:<whose>"), so it works after a restart and needs nothing stored. It
never names whose data to delete: a press deletes the presser's own, and only when the button
was made for the presser (`whose` is a digest of the presser's `platform:id` and `when`) and is
less than CONFIRM_SECONDS old. The digest has no secret: forging one only lets a user delete
their own data, which they may do anyway; it keeps a button shown to someone else, or an old
one, from deleting data nobody just asked to delete.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.core import compose
from bot.core.commands import Command
from bot.core.features import Feature, handles
from bot.core.messages import t
from bot.core.models import Action, Reply, ReplyKind, Request, Visibility
from bot.core.store import RECENT, SAVED_QUERIES

if TYPE_CHECKING:
    from bot.core.service import Service

log = logging.getLogger(__name__)

CONFIRM_SECONDS = 600  # how long a "forget me" button stays good
# The part of "forget:<when>:<whose>" after the prefix: seconds since the epoch in base 36,
# and a 12-digit digest. The whole payload is 26 bytes (Telegram allows 64, Discord 100).
CONFIRMATION = r"[0-9a-z]{1,8}:[0-9a-f]{12}"

# Kinds of data shown to the user, in order. Each table with a `user` column is one kind,
# except feedback, shown as likes and dislikes; a table not named here (a later migration's)
# is shown by its name, so nothing kept goes unmentioned.
KINDS = ("heard", "history", "likes", "dislikes", "queries", "users")
SHOWN_TABLES = frozenset({"heard", "history", "feedback", "queries", "users"})
LIMITS = {"history": RECENT, "queries": SAVED_QUERIES}  # what is kept of each at most


@dataclass(frozen=True, slots=True)
class Kept:
    """What the store keeps (or kept) about one user: rows per table, likes and dislikes."""

    rows: dict[str, int]
    likes: int
    dislikes: int

    def items(self) -> list[tuple[str, int]]:
        """(kind or table, count): the known kinds first, then any other table."""
        known = {**self.rows, "likes": self.likes, "dislikes": self.dislikes}
        others = sorted((k, n) for k, n in self.rows.items() if k not in SHOWN_TABLES)
        return [(kind, known.get(kind, 0)) for kind in KINDS] + others

    @property
    def empty(self) -> bool:
        return not any(n for _, n in self.items())


class Privacy(Feature):
    def __init__(self, service: Service) -> None:
        super().__init__(service)
        self.clock: Callable[[], float] = time.time  # when confirmations are made and checked

    @handles("whoami")
    async def whoami(self, req: Request, cmd: Command, locale: str) -> Reply:
        user = req.user
        owner = "whoami_owner" if user in self.service.owners else "whoami_not_owner"
        text = t("whoami", locale, user=user) + "\n" + t(owner, locale, user=user)
        return Reply(text, locale, ReplyKind.INFO)

    @handles("mydata")
    async def mydata(self, req: Request, cmd: Command, locale: str) -> Reply:
        kept = await self.kept(req.user)
        if kept is None:
            return compose.hint(t("data_unavailable", locale), locale)
        if kept.empty:
            lines = [t("mydata_nothing", locale, user=req.user)]
        else:
            lines = [t("mydata_header", locale, user=req.user)]
            lines += [_line(kind, n, locale) for kind, n in kept.items()]
            lines += [t("mydata_else", locale), t("mydata_delete", locale)]
        return Reply("\n".join(lines), locale, ReplyKind.INFO)

    @handles("forget_me")
    async def forget_me(self, req: Request, cmd: Command, locale: str) -> Reply:
        """Without a confirmation, ask for one: a button, or the command typed again with a
        confirming word ("forget me confirm") where there is no button (the console)."""
        said = cmd.arg.casefold().strip(" !.~")
        if said and said in self.service.parser.lex.confirm:
            return await self.forget(req, locale)
        minutes = CONFIRM_SECONDS // 60
        text = t("forget_ask", locale, user=req.user, minutes=minutes)
        button = Action(self.confirmation(req.user), t("button_forget", locale), "forget")
        return Reply(text, locale, ReplyKind.INFO, actions=(button,))

    # ------------------------------------------------------------ confirmation

    def confirmation(self, user: str) -> str:
        """The payload of the button that confirms forgetting `user`."""
        when = compose.b36(int(self.clock()))
        return f"forget:{when}:{_digest(user, when)}"

    async def confirmed(self, req: Request, payload: str, locale: str) -> Reply:
        """The button pressed ("<when>:<whose>", checked against CONFIRMATION already)."""
        when, whose = payload.split(":")
        if not hmac.compare_digest(whose, _digest(req.user, when)):
            log.info("a forget-me button was pressed by someone it was not made for")
            return _private(compose.hint(t("forget_not_yours", locale), locale))
        if not 0 <= self.clock() - int(when, 36) <= CONFIRM_SECONDS:
            return _private(compose.hint(t("forget_expired", locale), locale))
        return await self.forget(req, locale)

    # ---------------------------------------------------------------- the data

    async def kept(self, user: str) -> Kept | None:
        """What the store keeps about user, once their queued writes are in (None when they
        are not in within a few seconds: the database is failing)."""
        service = self.service
        if not await service.writer.settled(user):
            return None
        rows = await service.store.user_data(user)
        # Likes and dislikes are committed before they reach memory: memory has them all.
        feedback = (await service.users.get(user)).feedback.values()
        return Kept(rows, sum(v > 0 for v in feedback), sum(v < 0 for v in feedback))

    async def forget(self, req: Request, locale: str) -> Reply:
        """Delete everything kept about the user: every row of every table keyed by user,
        the writes still queued for them, and what memory holds (their cached state, song in
        focus, cooldown, saved requests); then say what was deleted."""
        service = self.service
        user = req.user
        await service.writer.settled(user)  # so the count includes the latest; not required
        feedback = list((await service.users.get(user)).feedback.values())  # before it goes
        try:
            deleted = await service.users.forget(user)
        except Exception:  # the store's own error, whichever backend: one transaction, undone
            log.exception("could not forget a user")
            return _private(compose.hint(t("forget_failed", locale), locale))
        service.converse.forget(user)
        service.cooldown.forget(user)
        service.picks.forget_saved()
        kept = Kept(deleted, sum(v > 0 for v in feedback), sum(v < 0 for v in feedback))
        if kept.empty:
            text = t("forget_done_nothing", locale)
        else:
            items = ", ".join(
                t("forget_item", locale, label=_label(kind, locale), n=n)
                for kind, n in kept.items()
                if n
            )
            text = t("forget_done", locale, items=items)
        return _private(Reply(text, locale, ReplyKind.FEEDBACK))


def _digest(user: str, when: str) -> str:
    raw = f"{user}\x1f{when}".encode("utf-8", "surrogatepass")
    return hashlib.blake2b(raw, digest_size=6, person=b"ostbot-forget").hexdigest()


def _label(kind: str, locale: str) -> str:
    return t(f"data_{kind}", locale) if kind in KINDS else kind


def _line(kind: str, n: int, locale: str) -> str:
    if kind not in KINDS:
        return t("mydata_other", locale, table=kind, n=n)
    why = t(f"data_{kind}_why", locale, max=LIMITS.get(kind, 0))
    return t("mydata_line", locale, label=_label(kind, locale), n=n, why=why)


def _private(reply: Reply) -> Reply:
    """Only the user may see it, as the registry says of these commands; button presses
    answer outside the registry's rules, so they say it themselves."""
    return replace(reply, visibility=Visibility.PRIVATE)
