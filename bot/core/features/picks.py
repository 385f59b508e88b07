"""Picking songs: requests, moods, similar songs, "another", previews and the user's history."""

from __future__ import annotations

import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.core import compose
from bot.core.commands import Command
from bot.core.conversation import flip
from bot.core.features import Feature, handles
from bot.core.messages import reply_locale, t
from bot.core.models import Reply, ReplyKind, Request, Suggestion
from bot.core.query import Query
from bot.core.recommend import Outcome
from bot.core.store import SaveQuery, Shown, StoreUnavailable
from bot.core.text import clean_input
from bot.core.userstate import Turn

if TYPE_CHECKING:
    from bot.core.service import Service

log = logging.getLogger(__name__)

QUERY_CACHE = 10_000  # saved requests kept in memory for "another"
REPLIES_APART = 3  # a pool starting over never gives a song of the last this many replies
PREVIEW_COUNT = 10  # tracks in a preview (Telegram inline mode)


class Picks(Feature):
    def __init__(self, service: Service) -> None:
        super().__init__(service)
        self._queries: OrderedDict[int, Query] = OrderedDict()  # recent saved requests

    # ------------------------------------------------------------------ commands

    @handles("mood")
    async def mood(self, req: Request, cmd: Command, locale: str) -> Reply:
        """OSTs for a mood. The argument is only ever read as a request, never as a command,
        so `/mood like` looks for a mood called "like" and records nothing."""
        if not cmd.arg:
            return await self.service.browsing.moods(req, cmd, locale)
        said = self.service.parser.read(cmd.arg)
        q = said.query
        if q.is_empty and (said.has("list") or said.has("browse")):
            return await self.service.browsing.moods(req, cmd, locale)  # "무드 종류 알려줘"
        if q.is_empty:
            q = replace(q, suggestions=tuple(self.service.parser.suggest(list(q.unknown))))
            return compose.not_understood(cmd.arg, locale, q)
        return await self.pick(req, q, locale)

    @handles("similar")
    async def similar(self, req: Request, cmd: Command, locale: str) -> Reply:
        q = self.service.parser.query("like " + cmd.arg)
        if q.similar_to is None:
            return compose.unknown_name("no_track", cmd.arg, locale, q)
        return await self.pick(req, q, locale)

    @handles("another")
    async def another(self, req: Request, cmd: Command, locale: str) -> Reply:
        query_id = (await self.service.users.get(req.user)).last_query
        if query_id is None:
            return compose.hint(t("another_none", locale), locale)
        return await self.again(req, query_id, locale)

    @handles("history")
    async def history(self, req: Request, cmd: Command, locale: str) -> Reply:
        index = self.service.index
        rows = reversed((await self.service.users.get(req.user)).recent)
        items = [index.tracks[index.by_key[k]] for k, _ in rows if k in index.by_key]
        if not items:
            return Reply(t("history_empty", locale), locale, ReplyKind.INFO)
        lines = [t("history_header", locale, n=len(items))]
        lines += [f"• {compose.track_title(tr)} — {tr.artist} · {tr.drama}" for tr in items]
        return Reply("\n".join(lines), locale, ReplyKind.INFO)

    # ----------------------------------------------------------------- requests

    async def other(self, req: Request, query_id: int, locale: str) -> Reply:
        """The "other:<id>" button: the saved request with its name read the other way."""
        q = await self._saved_query(query_id)
        if q is None or not q.other:
            return compose.stale_button(locale)
        flipped = flip(q)
        return await self.pick(req, flipped, locale, changes=(f"the_{_kind(q.other)}",))

    async def again(self, req: Request, query_id: int, locale: str) -> Reply:
        """The next pick for a saved request (the "another" button carries its id)."""
        q = await self._saved_query(query_id)
        if q is None:
            return compose.stale_button(locale)
        return await self.pick(req, q, locale, query_id=query_id)

    async def pick(
        self,
        req: Request,
        q: Query,
        locale: str,
        *,
        query_id: int | None = None,
        changes: tuple[str, ...] = (),
        kept: tuple[str, ...] = (),
        extra: tuple[str, ...] = (),
    ) -> Reply:
        """Pick, remember what was shown (and the request, for "another"), and reply.

        `changes` and `kept` say what a follow-up changed ("Calmer, still from Goblin:");
        `extra` lines go before the intro (a like recorded on the way).
        """
        service = self.service
        if query_id is not None:  # read before the turn, which holds a database connection
            saved = await self.saved(query_id)
            if saved is not None and saved.count != q.count:
                query_id = None  # "2 more": the same request, another count
        try:
            # Waits while the write queue is full (SQLite), or while another process is
            # answering this user (PostgreSQL): the pick is made from what they really heard.
            async with service.users.turn(req.user) as turn:
                return await self._pick(req, q, locale, turn, query_id, changes, kept, extra)
        except StoreUnavailable as exc:
            log.warning("not recommending: %s", exc)
            return compose.hint(t("store_unavailable", locale), locale)

    async def _pick(
        self,
        req: Request,
        q: Query,
        locale: str,
        turn: Turn,
        query_id: int | None,
        changes: tuple[str, ...],
        kept: tuple[str, ...],
        extra: tuple[str, ...],
    ) -> Reply:
        service = self.service
        state = turn.state
        recent = just_shown(state.recent, state.last_tracks)
        recommend = service.recommender.recommend
        # "another", "not that one", "calmer": the next picks, wider before they repeat. A
        # request said anew is its own answer, even when only songs just shown fit it ("no,
        # the drama Punch", whose one song that was).
        going_on = query_id is not None or bool(changes)
        outcome = recommend(q, state.heard, state.feedback, service.rng, recent, going_on)
        if outcome.restarted and not outcome.picks and not going_on:
            outcome = recommend(q, state.heard, state.feedback, service.rng, (), False)
        if not outcome.picks:
            return self._nothing(q, outcome, state.feedback, locale, changes)
        # The key column, not a whole Track made for its key (every recommendation).
        keys = tuple(service.index.keys[p.index] for p in outcome.picks)
        # Only what is still marked heard needs clearing (each clear is a write).
        forget = tuple(k for k in outcome.forget if k in state.heard)
        state.heard.difference_update(forget)
        query_id = await self.remember(req, q, keys, query_id, forget, turn=turn)
        return compose.recommendation(
            service.index, q, outcome, locale, query_id, changes=changes, kept=kept, extra=extra
        )

    async def remember(
        self,
        req: Request,
        q: Query,
        keys: tuple[str, ...],
        query_id: int | None = None,
        forget: tuple[str, ...] = (),
        *,
        turn: Turn | None = None,
    ) -> int:
        """Save the request (a new id unless given) as the user's last, with what was shown,
        in the user's turn (a turn of its own if none is given)."""
        if turn is None:
            async with self.service.users.turn(req.user) as own:
                return self._record(req, q, keys, query_id, forget, own)
        return self._record(req, q, keys, query_id, forget, turn)

    def _record(
        self,
        req: Request,
        q: Query,
        keys: tuple[str, ...],
        query_id: int | None,
        forget: tuple[str, ...],
        turn: Turn,
    ) -> int:
        state = turn.state
        if query_id is None:
            query_id = secrets.randbits(40)
            self._remember(query_id, q)
            turn.record(SaveQuery(query_id, req.user, q.to_json()))
        state.heard.update(keys)
        state.last_query, state.last_tracks = query_id, keys
        now = time.time()
        state.recent.extend((key, now) for key in keys)
        turn.record(Shown(req.user, query_id, keys, forget))
        return query_id

    async def preview(
        self, text: str, locale: str | None, user: str | None, limit: int
    ) -> tuple[Suggestion, ...]:
        """Tracks for a request typed keystroke by keystroke (Telegram inline mode).

        The text is only ever a request, never a command; the user's dislikes are respected,
        but nothing is recorded and heard songs are not skipped (a preview is not a pick).
        """
        service = self.service
        text = clean_input(text)[0]
        q = service.parser.query(text)
        if q.is_empty and q.unknown:
            return ()
        q = replace(q, count=max(1, min(limit, PREVIEW_COUNT)), asked=None)
        feedback = (await service.users.get(user)).feedback if user else {}
        outcome = service.recommender.recommend(q, set(), feedback, service.rng)
        if not outcome.picks:
            return ()
        reply = compose.recommendation(
            service.index, q, outcome, reply_locale(text, locale), query_id=None
        )
        return tuple(Suggestion(f"{c.title} — {c.artist}", c.track.title, c) for c in reply.cards)

    def _nothing(
        self,
        q: Query,
        outcome: Outcome,
        feedback: dict[str, int],
        locale: str,
        changes: tuple[str, ...] = (),
    ) -> Reply:
        index = self.service.index
        scope = compose.scope(index, replace(q, year_from=None, year_to=None), locale)

        def say(text: str) -> Reply:  # an empty scope leaves no double space
            return compose.hint(" ".join(text.split()), locale)

        for change in ("older", "newer"):
            if change in changes:
                return say(t(f"nothing_{change}", locale, scope=scope))
        for change in ("calmer", "livelier"):
            if change in changes:
                what = t(f"what_{change}", locale)
                return say(t("nothing_energy", locale, what=what, scope=scope))
        if "same_artist" in changes or "same_drama" in changes:
            return say(t("only_song", locale, scope=scope))
        if outcome.restarted:  # every song that fits was in the last few replies
            return say(t("used_up", locale, n=outcome.pool))
        disliked = any(v < 0 for v in feedback.values())
        return compose.nothing_found(
            locale, all_disliked=disliked and outcome.pool == 0 and not q.is_empty
        )

    # ------------------------------------------------------------ saved requests

    async def saved(self, query_id: int) -> Query | None:
        """A saved request by id (from memory, else the store), None when unknown."""
        return await self._saved_query(query_id)

    async def _saved_query(self, query_id: int) -> Query | None:
        q = self._queries.get(query_id)
        if q is not None:
            return q
        service = self.service
        raw = service.users.unsaved_spec(query_id) or await service.store.query(query_id)
        if raw is None:
            return None
        try:
            q = Query.from_json(raw)
        except (ValueError, TypeError, KeyError):
            log.warning("unreadable saved query %d", query_id)
            return None
        self._remember(query_id, q)
        return q

    def forget_saved(self) -> None:
        """Empty the saved-request cache. It does not know whose each request is, and the
        store and the write queue it refills from have lost a forgotten user's: their old
        "another" buttons then expire, as they would after a restart."""
        self._queries.clear()

    def _remember(self, query_id: int, q: Query) -> None:
        self._queries[query_id] = q
        while len(self._queries) > QUERY_CACHE:
            self._queries.popitem(last=False)


def just_shown(recent: Iterable[tuple[str, float]], last: Iterable[str]) -> set[str]:
    """The songs of the user's last few replies (the songs of one reply share its time)."""
    rows = list(recent)
    times = sorted({at for _, at in rows}, reverse=True)[:REPLIES_APART]
    return {key for key, at in rows if at in times} | set(last)


def _kind(other: str) -> str:
    return "drama" if other.startswith("drama") else "artist"
