"""Feedback: like and dislike a song shown (the last, the Nth, or one named)."""

from __future__ import annotations

import logging

from bot.core import compose
from bot.core.commands import Command
from bot.core.features import Feature, handles
from bot.core.messages import t
from bot.core.models import Reply, ReplyKind, Request
from bot.core.store import StoreUnavailable
from bot.core.text import norm, parse_int

log = logging.getLogger(__name__)


class Feedback(Feature):
    @handles("like")
    async def like(self, req: Request, cmd: Command, locale: str) -> Reply:
        return await self._feedback(req, cmd, locale, 1)

    @handles("dislike")
    async def dislike(self, req: Request, cmd: Command, locale: str) -> Reply:
        return await self._feedback(req, cmd, locale, -1)

    async def _feedback(self, req: Request, cmd: Command, locale: str, value: int) -> Reply:
        service = self.service
        index = service.index
        last = (await service.users.get(req.user)).last_tracks
        shown = [index.by_key[k] for k in last if k in index.by_key]
        verb = "like" if value > 0 else "dislike"
        arg = cmd.arg.strip()
        note = ""
        if not arg:
            if not shown:
                return compose.hint(t("feedback_which", locale, verb=verb), locale)
            target = shown[0]
            if len(shown) > 1:
                note = t("feedback_pick", locale, n=len(shown), verb=t(f"verb_{verb}", locale))
        elif (n := parse_int(arg)) is not None:
            if not shown:
                return compose.hint(t("feedback_which", locale, verb=verb), locale)
            if not 1 <= n <= len(shown):
                return compose.beyond_shown(len(shown), verb, locale)
            target = shown[n - 1]
        else:
            said = service.parser.read(arg)
            found = self._find_in(arg, shown)
            if found is None and said.refs and shown:
                n = said.refs[0]
                if n == -1 or 1 <= n <= len(shown):
                    found = shown[n - 1] if n > 0 else shown[-1]
                else:  # "like the second one" after a reply of one song
                    return compose.beyond_shown(len(shown), verb, locale)
            if found is None and said.has("this") and shown:
                found = (await service.converse.context(req)).focus or shown[0]
            if found is None and value > 0:
                # "like Stay With Me" about a song not just shown: songs like it.
                q = service.parser.query("like " + arg)
                if q.similar_to:
                    return await service.picks.pick(req, q, locale)
            others: list[int] = []
            if found is None and said.titles:
                ranked = [i for i in said.titles if i in shown] or said.titles
                found, others = ranked[0], [i for i in said.titles if i != ranked[0]]
            if found is None:
                found = self._find_in(arg, range(len(index.tracks)))
            if found is None:
                return compose.unknown_name("no_track", arg, locale, None)
            target = found
            if others:
                note = compose.others_note(index, target, others, locale)
        return await self.rate(req, target, value, locale, note)

    def _find_in(self, text: str, candidates: list[int] | range) -> int | None:
        key = norm(text)
        tracks = self.service.index.tracks
        for i in candidates:
            tr = tracks[i]
            titles = (tr.title, tr.title_ko or "", tr.title_en or "", *tr.aliases)
            names = {norm(name) for name in titles}
            if key in names or key in (norm(f"{name} by {tr.artist}") for name in titles[:3]):
                return i
        return None

    async def rate(self, req: Request, i: int, value: int, locale: str, note: str = "") -> Reply:
        """Remember that this user likes (1) or dislikes (-1) track `i`."""
        service = self.service
        tr = service.index.tracks[i]
        try:
            await service.users.rate(req.user, tr.key, value)  # committed before "noted"
        except StoreUnavailable as exc:
            log.warning("feedback not saved: %s", exc)
            return compose.hint(t("not_saved", locale), locale)
        service.converse.focus(req.user, tr.key)
        artist = compose.artist_name(service.index, tr.artist, locale)
        text = t("liked" if value > 0 else "disliked", locale, title=tr.title, artist=artist)
        if note:
            text += "\n" + note
        return Reply(text, locale, ReplyKind.FEEDBACK)
