"""Free text: what a message means in the conversation, and the answer to it.

The parser reads the message, `conversation.decide` weighs it against the user's last request
and the songs just shown, and this answers the plan: small talk, a listing, a look-up, a like,
a new request or a change to the last one. The last request is saved by id (and kept by the
store as the user's last query), so a follow-up works after a restart too.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.core import compose
from bot.core.commands import Command
from bot.core.conversation import Context, Plan, decide
from bot.core.features import Feature, handles
from bot.core.messages import t
from bot.core.models import Reply, Request
from bot.core.understand import Said

if TYPE_CHECKING:
    from bot.core.service import Service

FOCUS_CACHE = 10_000  # users whose song in focus is remembered


class Converse(Feature):
    def __init__(self, service: Service) -> None:
        super().__init__(service)
        # The song each user last pointed at (liked, disliked, looked up): "more like that".
        self._focus: OrderedDict[str, str] = OrderedDict()

    @handles("recommend")
    async def recommend(self, req: Request, cmd: Command, locale: str) -> Reply:
        service = self.service
        said = service.parser.read(cmd.arg)
        ctx = await self.context(req)
        plan = decide(said, ctx, service.index)
        return await self.answer(req, said, plan, locale)

    async def context(self, req: Request) -> Context:
        service = self.service
        index = service.index
        state = await service.users.get(req.user)
        last = None
        if state.last_query is not None:
            last = await service.picks.saved(state.last_query)
        shown = tuple(index.by_key[k] for k in state.last_tracks if k in index.by_key)
        focus_key = self._focus.get(req.user)
        focus = index.by_key.get(focus_key) if focus_key else None
        return Context(last, shown, focus)

    def focus(self, user: str, key: str) -> None:
        self._focus[user] = key
        self._focus.move_to_end(user)
        while len(self._focus) > FOCUS_CACHE:
            self._focus.popitem(last=False)

    def forget(self, user: str) -> None:
        """Drop the user's song in focus (the rest of the conversation is in UserState)."""
        self._focus.pop(user, None)

    async def answer(self, req: Request, said: Said, plan: Plan, locale: str) -> Reply:
        service = self.service
        index = service.index
        if plan.kind == "smalltalk":
            return compose.smalltalk(plan.talk, locale)
        if plan.kind == "browse":
            browsing = service.browsing
            arg = Command(plan.browse, plan.browse_arg)
            if plan.browse == "help":
                return await browsing.help(req, arg, locale)
            if plan.browse == "moods":
                return await browsing.moods(req, arg, locale)
            if plan.browse == "about":
                return await browsing.about(req, arg, locale)
            return await browsing.dramas(req, arg, locale)
        if plan.kind == "ask":
            verb = t("verb_dislike" if said.has("dislike") else "verb_like", locale)
            where = compose.scope(index, plan.query, locale) if plan.query else ""
            text = t(
                plan.problem, locale, verb=verb, scope=where, word=plan.title_word, n=plan.shown
            )
            return compose.hint(" ".join(text.split()), locale)
        if plan.kind == "unknown":
            q = replace(said.query, suggestions=tuple(service.parser.suggest(said.unknown)))
            return compose.not_understood(said.text, locale, q)
        notes: list[str] = []
        for i, value in plan.rate:
            note = await service.feedback.rate(req, i, value, locale)
            self.focus(req.user, index.tracks[i].key)
            if plan.kind == "feedback":
                text = note.text
                if plan.others:
                    text += "\n" + compose.others_note(service.index, i, plan.others, locale)
                return replace(note, text=text)
            notes.append(note.text)
        if plan.kind == "feedback":
            return compose.hint(t("feedback_which", locale, verb="like"), locale)
        if plan.kind == "lookup":
            return await service.lookup.answer(req, plan, locale)
        q = plan.query or said.query
        if plan.again and plan.query is not None:
            state = await service.users.get(req.user)
            if state.last_query is not None:
                return await service.picks.pick(
                    req, q, locale, query_id=state.last_query, extra=tuple(notes)
                )
        return await service.picks.pick(
            req, q, locale, changes=tuple(plan.changes), kept=tuple(plan.kept), extra=tuple(notes)
        )
