"""Look-ups: a song by name (who sings it, which drama it is from), a drama's soundtrack, an
artist's songs. Each is kept as the user's last request, so "sad ones" after "Goblin" or "the
Goblin one" after "Stay With Me" carry on from it.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core import compose
from bot.core.commands import Command
from bot.core.conversation import Plan
from bot.core.features import Feature
from bot.core.messages import t
from bot.core.models import Reply, ReplyKind, Request
from bot.core.query import Query


class Lookup(Feature):
    async def answer(self, req: Request, plan: Plan, locale: str) -> Reply:
        service = self.service
        index = service.index
        q = plan.query or Query(lookup=True)
        if plan.track is not None:
            key = index.tracks[plan.track].key
            q = replace(q, lookup=True, similar_to=key)
            query_id = await service.picks.remember(req, q, (key,))
            service.converse.focus(req.user, key)
            return compose.lookup_song(index, plan.track, plan.others, locale, query_id)
        command = Command("drama" if q.drama else "artist", q.drama or q.artist or "")
        if q.drama:
            reply = await service.browsing.drama(req, command, locale)
        else:
            reply = await service.browsing.artist(req, command, locale)
        if reply.kind is ReplyKind.HINT:
            return reply
        await service.picks.remember(req, replace(q, lookup=True), ())
        return replace(reply, kind=ReplyKind.LOOKUP)

    async def song(self, req: Request, key: str, locale: str) -> Reply:
        """The "song:<key>" button: another song of the title just looked up."""
        index = self.service.index
        i = index.by_key.get(key)
        if i is None:
            return compose.stale_button(locale)
        title = index.tracks[i].title
        others = [o for o in (index.titles.get(compose_key(title)) or ()) if o != i]
        plan = Plan("lookup", query=Query(lookup=True, title=compose_key(title)), track=i)
        plan.others = others
        return await self.answer(req, plan, locale)


def compose_key(title: str) -> str:
    from bot.core.text import norm

    return norm(title)


__all__ = ["Lookup", "t"]
