"""handle(Request) -> Reply: every command, written once for every platform."""

from __future__ import annotations

import logging
import random
import re
import secrets
import time
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

from bot.core.catalog import DATA_DIR, CatalogError
from bot.core.index import CatalogIndex
from bot.core.links import listen_links
from bot.core.messages import locale_of, t
from bot.core.models import Action, Card, Reply, ReplyKind, Request, Track
from bot.core.recommend import Outcome, Recommender
from bot.core.render import track_line
from bot.core.store import Rate, SaveQuery, Shown, Store
from bot.core.text import clean_input, has_hangul, has_latin, norm, parse_int, shorten
from bot.core.understand import MAX_COUNT, Command, Parser, Query
from bot.core.userstate import UserCache, WriteBehind

log = logging.getLogger(__name__)

DRAMAS_PER_PAGE = 40
QUERY_CACHE = 10_000  # saved requests kept in memory for "another"
NEEDS_NAME = {  # command -> (what it needs, an example)
    "drama": ("drama_word", "drama Goblin"),
    "artist": ("artist_word", "artist Baekhyun"),
    "similar": ("song_word", "similar Stay With Me"),
}
# Saved-request ids are 40-bit (at most 8 base-36 digits); track keys are 12 hex digits.
ACTION = re.compile(r"more:([0-9a-z]{1,8})|(like|dislike):([0-9a-f]{12})")
PREVIEW_COUNT = 10  # inline-mode results


def pick_locale(text: str, hint: str | None) -> str:
    """Reply in the language of the message; fall back to the platform's language."""
    if has_hangul(text):
        return "ko"
    if has_latin(text):
        return "en"
    return locale_of(hint)


class Service:
    def __init__(
        self,
        store: Store,
        index: CatalogIndex,
        *,
        rng: random.Random | None = None,
        owners: frozenset[str] = frozenset(),
        data_dir: Path = DATA_DIR,
    ) -> None:
        self.store = store
        self.rng = rng or random.Random()
        self.owners = owners
        self.data_dir = data_dir
        self.writer = WriteBehind(store)
        self.users = UserCache(store, self.writer)
        self._queries: OrderedDict[int, Query] = OrderedDict()  # recent saved requests
        self._use(index)

    async def close(self) -> None:
        """Write out everything pending. Call before closing the store."""
        await self.writer.close()

    def _use(self, index: CatalogIndex) -> None:
        self.index = index
        self.parser = Parser(index)
        self.recommender = Recommender(index)

    @classmethod
    async def create(
        cls,
        store: Store,
        *,
        rng: random.Random | None = None,
        owners: frozenset[str] = frozenset(),
        data_dir: Path = DATA_DIR,
    ) -> Service:
        catalog = await store.load(data_dir)
        return cls(store, CatalogIndex(catalog), rng=rng, owners=owners, data_dir=data_dir)

    # ------------------------------------------------------------------ entry

    async def handle(self, request: Request) -> Reply:
        """Answer one message or button press. Never raises for bad input."""
        if request.action is not None:
            return await self._action(request)
        text, truncated = clean_input(request.text)
        locale = pick_locale(text, request.locale)
        if request.preview:
            return await self._preview(request, text, locale)
        command = self.parser.parse(text)
        handler: Callable[[Request, Command, str], Awaitable[Reply]] = getattr(
            self, f"_cmd_{command.name}"
        )
        reply = await handler(request, command, locale)
        if truncated:
            note = t("truncated", locale, n=len(text))
            reply = _with_text(reply, f"{reply.text}\n{note}" if reply.text else note)
        return reply

    # -------------------------------------------------------------- commands

    async def _cmd_empty(self, req: Request, cmd: Command, locale: str) -> Reply:
        return Reply(t("empty", locale) + "\n" + t("try", locale), locale, ReplyKind.HINT)

    async def _cmd_help(self, req: Request, cmd: Command, locale: str) -> Reply:
        return Reply(t("help", locale), locale, ReplyKind.INFO)

    async def _cmd_need_name(self, req: Request, cmd: Command, locale: str) -> Reply:
        """'drama', 'artist' or 'similar' without a name: say what is missing."""
        word, example = NEEDS_NAME[cmd.arg]
        text = t("need_name", locale, what=t(word, locale), example=example)
        return Reply(text, locale, ReplyKind.HINT)

    async def _cmd_moods(self, req: Request, cmd: Command, locale: str) -> Reply:
        vocab = self.index.vocabulary
        lines = [t("moods_header", locale)]
        for tag in vocab.of_kind("mood"):
            example = self._example(tag.name)
            label = (
                f"{tag.name} ({tag.label_ko})" if locale == "en" else f"{tag.label_ko} ({tag.name})"
            )
            line = f"• {label}: {tag.means}" if locale == "en" else f"• {label}"
            if example:
                line += f" e.g. {example}" if locale == "en" else f" 예: {example}"
            lines.append(line)
        groups = {
            kind: ", ".join(vocab.label(x.name, locale) for x in vocab.of_kind(kind))
            for kind in ("energy", "season", "scene")
        }
        lines.append(t("moods_more", locale, **groups))
        return Reply("\n".join(lines), locale, ReplyKind.INFO)

    def _example(self, tag: str) -> str:
        index = self.index
        bit = index.tag_bits[tag]
        for i, mask in enumerate(index.masks):
            if mask & bit and index.tracks[i].tags[0] == tag:
                tr = index.tracks[i]
                return f"{tr.title} ({tr.artist}, {tr.drama})"
        return ""

    async def _cmd_dramas(self, req: Request, cmd: Command, locale: str) -> Reply:
        dramas = sorted(self.index.dramas.values(), key=lambda d: (d.year, d.title))
        arg = cmd.arg.strip()
        page_asked = parse_int(arg)
        if arg and page_asked is None:
            wanted = norm(arg)
            dramas = [
                d for d in dramas if wanted in (str(d.year), norm(d.network), *map(norm, d.genres))
            ]
        pages = max(1, -(-len(dramas) // DRAMAS_PER_PAGE))
        page = min(max(1, page_asked or 1), pages)
        chunk = dramas[(page - 1) * DRAMAS_PER_PAGE : page * DRAMAS_PER_PAGE]
        lines = [t("dramas_header", locale, n=len(dramas), page=page, pages=pages)]
        lines += [
            f"• {d.title} ({d.title_ko}, {d.year})"
            if locale == "en"
            else f"• {d.title_ko} ({d.title}, {d.year})"
            for d in chunk
        ]
        if page < pages:
            lines.append(t("dramas_more", locale, next=page + 1))
        return Reply("\n".join(lines), locale, ReplyKind.INFO)

    async def _cmd_drama(self, req: Request, cmd: Command, locale: str) -> Reply:
        q = self.parser.query(cmd.arg)
        name = q.drama or self._single_drama(cmd.arg)
        if name is None:
            return self._unknown("no_drama", cmd.arg, locale, q)
        d = self.index.dramas[name]
        years = f"{d.year}" if not d.year_end or d.year_end == d.year else f"{d.year}-{d.year_end}"
        lines = [
            t(
                "drama_header",
                locale,
                title=d.title,
                title_ko=d.title_ko,
                network=d.network or "?",
                years=years,
            )
        ]
        for tr in self.index.soundtrack(name):
            part = t("part", locale, n=tr.part) + " · " if tr.part else ""
            title = tr.title + (
                f" ({tr.title_ko})" if tr.title_ko and tr.title_ko != tr.title else ""
            )
            lines.append(f"{part}{title} — {tr.artist}")
        if d.sources:
            lines.append(t("drama_source", locale, url=d.sources[0]))
        return Reply("\n".join(lines), locale, ReplyKind.INFO, title=d.title)

    def _single_drama(self, text: str) -> str | None:
        key = norm(text)
        ent = self.index.names.get(key)
        return ent.name if ent and ent.kind == "drama" else None

    async def _cmd_artist(self, req: Request, cmd: Command, locale: str) -> Reply:
        q = self.parser.query(cmd.arg)
        if q.artist is None:
            return self._unknown("no_artist", cmd.arg, locale, q)
        index = self.index
        items = sorted(
            (index.tracks[i] for i in index.artist_tracks.get(q.artist, ())),
            key=lambda tr: (-tr.year, tr.drama, tr.part or 0),
        )
        a = index.artists.get(q.artist)
        name = f"{q.artist} ({a.name_ko})" if a and a.name_ko else q.artist
        lines = [t("artist_header", locale, name=name)]
        for tr in items[:25]:
            title = tr.title + (
                f" ({tr.title_ko})" if tr.title_ko and tr.title_ko != tr.title else ""
            )
            credit = f" — {tr.artist}" if tr.artist != q.artist else ""
            lines.append(f"• {title}{credit} · {tr.drama} ({tr.year})")
        return Reply("\n".join(lines), locale, ReplyKind.INFO, title=q.artist)

    async def _cmd_similar(self, req: Request, cmd: Command, locale: str) -> Reply:
        q = self.parser.query("like " + cmd.arg)
        if q.similar_to is None:
            return self._unknown("no_track", cmd.arg, locale, q)
        return await self._recommend(req, q, locale)

    async def _cmd_recommend(self, req: Request, cmd: Command, locale: str) -> Reply:
        q = cmd.query or self.parser.query(cmd.arg)
        if q.is_empty and q.unknown:
            return self._not_understood(cmd.arg, locale, q)
        # An empty query ("recommend", "3 OSTs", "some songs") means any good song.
        return await self._recommend(req, q, locale)

    async def _cmd_another(self, req: Request, cmd: Command, locale: str) -> Reply:
        query_id = (await self.users.get(req.user)).last_query
        if query_id is None:
            return Reply(t("another_none", locale), locale, ReplyKind.HINT)
        return await self._again(req, query_id, locale)

    async def _again(self, req: Request, query_id: int, locale: str) -> Reply:
        q = await self._saved_query(query_id)
        if q is None:
            return Reply(t("stale_button", locale), locale, ReplyKind.HINT)
        return await self._recommend(req, q, locale, query_id=query_id)

    async def _saved_query(self, query_id: int) -> Query | None:
        q = self._queries.get(query_id)
        if q is not None:
            return q
        if self.writer.pending:
            await self.writer.flush()
        raw = await self.store.query(query_id)
        if raw is None:
            return None
        try:
            q = Query.from_json(raw)
        except (ValueError, TypeError, KeyError):
            log.warning("unreadable saved query %d", query_id)
            return None
        self._remember(query_id, q)
        return q

    def _remember(self, query_id: int, q: Query) -> None:
        self._queries[query_id] = q
        while len(self._queries) > QUERY_CACHE:
            self._queries.popitem(last=False)

    async def _cmd_like(self, req: Request, cmd: Command, locale: str) -> Reply:
        return await self._feedback(req, cmd, locale, 1)

    async def _cmd_dislike(self, req: Request, cmd: Command, locale: str) -> Reply:
        return await self._feedback(req, cmd, locale, -1)

    async def _feedback(self, req: Request, cmd: Command, locale: str, value: int) -> Reply:
        last = (await self.users.get(req.user)).last_tracks
        index = self.index
        shown = [index.by_key[k] for k in last if k in index.by_key]
        verb = "like" if value > 0 else "dislike"
        arg = cmd.arg.strip()
        target: int | None = None
        note = ""
        if not arg:
            if not shown:
                return Reply(t("feedback_which", locale, verb=verb), locale, ReplyKind.HINT)
            target = shown[0]
            if len(shown) > 1:
                note = t("feedback_pick", locale, n=len(shown), verb=verb)
        elif (n := parse_int(arg)) is not None:
            if not shown or not 1 <= n <= len(shown):
                return Reply(t("feedback_which", locale, verb=verb), locale, ReplyKind.HINT)
            target = shown[n - 1]
        else:
            target = self._find_in(arg, shown)
            if target is None and value > 0 and cmd.query is not None and cmd.query.similar_to:
                # "like Stay With Me" about a song not just shown: songs like it.
                return await self._recommend(req, cmd.query, locale)
            if target is None:
                target = self._find_in(arg, list(range(len(index.tracks))))
            if target is None:
                return self._unknown("no_track", arg, locale, None)
        return await self._set_feedback(req, target, value, locale, note)

    def _find_in(self, text: str, candidates: list[int]) -> int | None:
        key = norm(text)
        tracks = self.index.tracks
        for i in candidates:
            tr = tracks[i]
            names = {norm(tr.title), norm(tr.title_ko or ""), *(norm(a) for a in tr.aliases)}
            if key in names or key == norm(f"{tr.title} by {tr.artist}"):
                return i
        return None

    async def _set_feedback(
        self, req: Request, i: int, value: int, locale: str, note: str = ""
    ) -> Reply:
        tr = self.index.tracks[i]
        state = await self.users.get(req.user)
        state.feedback[tr.key] = value
        self.writer.submit(Rate(req.user, tr.key, value))
        text = t("liked" if value > 0 else "disliked", locale, title=tr.title, artist=tr.artist)
        if note:
            text += "\n" + note
        return Reply(text, locale, ReplyKind.FEEDBACK)

    async def _cmd_history(self, req: Request, cmd: Command, locale: str) -> Reply:
        rows = list(reversed((await self.users.get(req.user)).recent))
        index = self.index
        items = [index.tracks[index.by_key[k]] for k, _ in rows if k in index.by_key]
        if not items:
            return Reply(t("history_empty", locale), locale, ReplyKind.INFO, private=True)
        lines = [t("history_header", locale, n=len(items))]
        lines += [f"• {_title(tr)} — {tr.artist} · {tr.drama}" for tr in items]
        return Reply("\n".join(lines), locale, ReplyKind.INFO, private=True)

    async def _cmd_about(self, req: Request, cmd: Command, locale: str) -> Reply:
        index = self.index
        dramas = index.dramas.values()
        by_year = Counter(d.year for d in dramas)
        by_net = Counter(d.network or "?" for d in dramas)
        by_mood = Counter(tag for i in range(len(index.tracks)) for tag in index.moods_of(i))
        sources = {url for d in dramas for url in d.sources}
        lines = [
            t(
                "about",
                locale,
                tracks=len(index.tracks),
                dramas=len(index.dramas),
                first=min(by_year, default=0),
                last=max(by_year, default=0),
            ),
            t("about_years", locale, items=_counts(sorted(by_year.items()))),
            t("about_networks", locale, items=_counts(by_net.most_common())),
            t(
                "about_moods",
                locale,
                items=_counts(
                    (index.vocabulary.label(k, locale), v) for k, v in by_mood.most_common()
                ),
            ),
            t("about_sources", locale, n=len(sources)),
        ]
        return Reply("\n".join(lines), locale, ReplyKind.INFO)

    async def _cmd_reload(self, req: Request, cmd: Command, locale: str) -> Reply:
        if req.user not in self.owners:
            return Reply(t("not_owner", locale), locale, ReplyKind.HINT)
        try:
            await self.store.sync_catalog(self.data_dir, force=True)
        except CatalogError as exc:
            errors = "\n".join(str(p) for p in exc.problems[:10])
            return Reply(t("reload_failed", locale, errors=errors), locale, ReplyKind.INFO)
        await self.reload()
        return Reply(
            t("reloaded", locale, dramas=len(self.index.dramas), tracks=len(self.index.tracks)),
            locale,
            ReplyKind.INFO,
        )

    async def reload(self) -> None:
        catalog = await self.store.load(self.data_dir)
        self._use(CatalogIndex(catalog))

    # ---------------------------------------------------------------- buttons

    async def _action(self, req: Request) -> Reply:
        locale = pick_locale("", req.locale)
        m = ACTION.fullmatch(req.action or "")
        if m is None:
            return Reply(t("stale_button", locale), locale, ReplyKind.HINT)
        query_id, verb, key = m.groups()
        if query_id is not None:
            return await self._again(req, int(query_id, 36), locale)
        i = self.index.by_key.get(key)
        if i is None:
            return Reply(t("stale_button", locale), locale, ReplyKind.HINT)
        return await self._set_feedback(req, i, 1 if verb == "like" else -1, locale)

    async def _preview(self, req: Request, text: str, locale: str) -> Reply:
        """Inline-mode results: a recommendation only, with nothing written."""
        q = self.parser.query(text)
        if q.is_empty and q.unknown:
            return self._not_understood(text, locale, q)
        q = replace(q, count=PREVIEW_COUNT, asked=None)
        return await self._recommend(req, q, locale, preview=True)

    # ---------------------------------------------------------- recommending

    async def _recommend(
        self,
        req: Request,
        q: Query,
        locale: str,
        *,
        query_id: int | None = None,
        preview: bool = False,
    ) -> Reply:
        """Pick, remember what was shown, and reply. A preview neither skips what the user
        has heard nor records anything, and has no "another" (it saves no request)."""
        state = await self.users.get(req.user)
        heard = set() if preview else state.heard
        outcome = self.recommender.recommend(q, heard, state.feedback, self.rng)
        if not outcome.picks:
            disliked = any(v < 0 for v in state.feedback.values())
            key = "all_disliked" if disliked and outcome.pool == 0 and not q.is_empty else "nothing"
            return Reply(t(key, locale) + "\n" + t("try", locale), locale, ReplyKind.HINT)
        if preview:
            return replace(self._reply(q, outcome, locale, 0), actions=())
        if query_id is None:
            query_id = secrets.randbits(40)
            self._remember(query_id, q)
            self.writer.submit(SaveQuery(query_id, req.user, q.to_json()))
        keys = tuple(self.index.tracks[p.index].key for p in outcome.picks)
        state.heard.difference_update(outcome.forget)
        state.heard.update(keys)
        state.last_query, state.last_tracks = query_id, keys
        now = time.time()
        state.recent.extend((key, now) for key in keys)
        self.writer.submit(Shown(req.user, query_id, keys, tuple(outcome.forget)))
        return self._reply(q, outcome, locale, query_id)

    def _reply(self, q: Query, outcome: Outcome, locale: str, query_id: int) -> Reply:
        index = self.index
        vocab = index.vocabulary
        notes: list[str] = []
        scope = self._scope(q, locale)
        tags_label = ", ".join(vocab.label(x, locale) for x in q.tags)
        if "tags" in outcome.relaxed:
            if outcome.shown_tags:
                shown = ", ".join(vocab.label(x, locale) for x in outcome.shown_tags)
                notes.append(t("relaxed_tags", locale, tags=tags_label, scope=scope, shown=shown))
            else:
                notes.append(t("relaxed_tags_plain", locale, tags=tags_label, scope=scope))
        if "years" in outcome.relaxed:
            notes.append(t("relaxed_years", locale, years=_years(q, locale)))
        if "artist" in outcome.relaxed and q.drama and q.artist:
            drama = self._drama_name(q.drama, locale)
            notes.append(t("relaxed_artist", locale, artist=q.artist, drama=drama))
        if "drama" in outcome.relaxed or ("artist" in outcome.relaxed and not q.drama):
            notes.append(t("relaxed_drama", locale, scope=scope))
        if outcome.restarted:
            notes.append(t("restarted", locale, n=outcome.pool))
        if q.asked:
            notes.append(t("capped", locale, asked=q.asked, max=MAX_COUNT))
        if q.unknown and not q.similar_to:
            words = ", ".join(shorten(w, 30) for w in q.unknown[:3])
            notes.append(t("unrecognised", locale, words=words))

        n = len(outcome.picks)
        shown_tags = outcome.shown_tags if "tags" in outcome.relaxed else q.tags
        label = ", ".join(vocab.label(x, locale) for x in shown_tags)
        what_key = ("what_tags_" if label else "what_plain_") + ("one" if n == 1 else "many")
        article = "an" if label[:1].lower() in "aeiou" else "a"  # "an upbeat", "a sad"
        what = t(what_key, locale, tags=label, article=article)
        if (
            locale == "en"
            and scope
            and "drama" not in outcome.relaxed
            and "artist" not in outcome.relaxed
        ):
            what = f"{what} {scope}"
        elif locale == "ko" and scope and "drama" not in outcome.relaxed:
            what = f"{scope} {what}"
        intro = (
            t("intro_one", locale, what=what) if n == 1 else t("intro_many", locale, n=n, what=what)
        )
        cards = tuple(
            self._card(p.index, p.matched, p.liked_artist, q, outcome, locale)
            for p in outcome.picks
        )
        return Reply(
            text="\n".join([*notes, intro]),
            locale=locale,
            kind=ReplyKind.RECOMMENDATION,
            cards=cards,
            actions=(Action(f"more:{_b36(query_id)}", t("button_another", locale), "another"),),
            footer=t("footer", locale),
        )

    def _drama_name(self, title: str, locale: str) -> str:
        """The drama's name for this reply: its short Hangul name in Korean replies."""
        return self.index.korean_names.get(title, title) if locale == "ko" else title

    def _scope(self, q: Query, locale: str) -> str:
        bits = []
        if q.similar_to and q.similar_to in self.index.by_key:
            bits.append(
                t(
                    "similar_to",
                    locale,
                    title=self.index.tracks[self.index.by_key[q.similar_to]].title,
                )
            )
        if q.drama:
            bits.append(t("from_drama", locale, drama=self._drama_name(q.drama, locale)))
        if q.artist:
            bits.append(t("by_artist", locale, artist=q.artist))
        if q.year_from or q.year_to:
            bits.append(_years(q, locale))
        return " ".join(bits)

    def _card(
        self,
        i: int,
        matched: tuple[str, ...],
        liked_artist: str | None,
        q: Query,
        outcome: Outcome,
        locale: str,
    ) -> Card:
        index = self.index
        tr = index.tracks[i]
        vocab = index.vocabulary
        drama = index.dramas.get(tr.drama)
        reasons: list[str] = []
        shown = matched or index.moods_of(i)[:2]
        if q.similar_to and q.similar_to in index.by_key:
            target = index.tracks[index.by_key[q.similar_to]]
            shared = [x for x in tr.tags if x in target.tags and vocab.tags[x].kind == "mood"]
            if shared:
                labels = ", ".join(vocab.label(x, locale) for x in shared)
                reasons.append(t("shares", locale, tags=labels, title=target.title))
        else:
            reasons.append(", ".join(vocab.label(x, locale) for x in shown))
        reasons.append(f"{self._drama_name(tr.drama, locale)} ({tr.year})")
        if liked_artist:
            reasons.append(t("you_liked", locale, artist=liked_artist))
        return Card(
            track=tr,
            drama=drama,
            reason=" · ".join(r for r in reasons if r),
            matched=matched,
            links=listen_links(tr),
            actions=(
                Action(f"like:{tr.key}", t("button_like", locale), "like"),
                Action(f"dislike:{tr.key}", t("button_dislike", locale), "dislike"),
            ),
            artist_ko=index.artist_ko(tr.artist),
            tag_labels=tuple(vocab.label(x, locale) for x in tr.tags),
        )

    # ----------------------------------------------------------------- misc

    def _unknown(self, key: str, name: str, locale: str, q: Query | None) -> Reply:
        text = t(key, locale, name=shorten(name, 60))
        if q is not None and q.suggestions:
            text += "\n" + t("did_you_mean", locale, options=", ".join(q.suggestions))
        return Reply(text, locale, ReplyKind.HINT)

    def _not_understood(self, text: str, locale: str, q: Query) -> Reply:
        lines = [t("not_understood", locale, text=shorten(text, 60))]
        if q.suggestions:
            lines.append(t("did_you_mean", locale, options=", ".join(q.suggestions)))
        lines.append(t("try", locale))
        return Reply("\n".join(lines), locale, ReplyKind.HINT)


def _with_text(reply: Reply, text: str) -> Reply:
    return replace(reply, text=text)


def _title(tr: Track) -> str:
    return tr.title + (f" ({tr.title_ko})" if tr.title_ko and tr.title_ko != tr.title else "")


def _years(q: Query, locale: str = "en") -> str:
    if q.year_from and q.year_to:
        span = str(q.year_from) if q.year_from == q.year_to else f"{q.year_from}-{q.year_to}"
        return t("years_span", locale, span=span)
    if q.year_from:
        return t("years_from", locale, year=q.year_from)
    return t("years_before", locale, year=(q.year_to or 0) + 1)


def _counts(items: object) -> str:
    return ", ".join(f"{k} {v}" for k, v in items)  # type: ignore[attr-defined]


def _b36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


__all__ = ["Service", "pick_locale", "track_line"]
