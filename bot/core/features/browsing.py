"""Browsing the catalog: help, moods, dramas, one drama's soundtrack, an artist, about."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

from bot.core import compose
from bot.core.commands import Command
from bot.core.features import Feature, handles
from bot.core.messages import t
from bot.core.models import Reply, ReplyKind, Request
from bot.core.text import norm, parse_int

DRAMAS_PER_PAGE = 40
PAGE = re.compile(r"(?:p|page)?(\d{1,4})(?:페이지|쪽|p)?")
YEAR = re.compile(r"(?:19|20)\d\d")
PAGE_WORDS = frozenset({"page", "p", "pg", "페이지", "쪽", "목록"})
ARTIST_LIST = 25  # songs listed for one artist


class Browsing(Feature):
    @handles("help")
    async def help(self, req: Request, cmd: Command, locale: str) -> Reply:
        lines = [t("help_intro", locale), t("help_commands", locale)]
        for spec in self.service.commands.listed():
            if spec.name != cmd.name:  # help need not explain itself
                usage = compose.usage(spec, locale)
                lines.append(t("help_line", locale, usage=usage, summary=spec.summary.of(locale)))
        return Reply("\n".join(lines), locale, ReplyKind.INFO)

    @handles("moods")
    async def moods(self, req: Request, cmd: Command, locale: str) -> Reply:
        index = self.service.index
        vocab = index.vocabulary
        lines = [t("moods_header", locale)]
        for tag in vocab.of_kind("mood"):
            line = t("moods_line", locale, name=tag.name, name_ko=tag.label_ko, means=tag.means)
            example = self._example(tag.name)
            if example:
                line += t("moods_example", locale, example=example)
            lines.append(line)
        groups = {
            kind: ", ".join(vocab.label(x.name, locale) for x in vocab.of_kind(kind))
            for kind in ("energy", "season", "scene")
        }
        lines.append(t("moods_more", locale, **groups))
        return Reply("\n".join(lines), locale, ReplyKind.INFO)

    def _example(self, tag: str) -> str:
        """A song whose first tag is this mood, to show what the mood sounds like."""
        index = self.service.index
        bit = index.tag_bits[tag]
        for i, mask in enumerate(index.masks):
            if mask & bit and index.tracks[i].tags[0] == tag:
                tr = index.tracks[i]
                return f"{tr.title} ({tr.artist}, {tr.drama})"
        return ""

    @handles("dramas")
    async def dramas(self, req: Request, cmd: Command, locale: str) -> Reply:
        """Every drama, 40 a page; narrowed by a year ("2016"), a network ("KBS" finds KBS1
        and KBS2) or a genre, and paged ("2", "page 2", "2페이지")."""
        dramas = sorted(self.service.index.dramas.values(), key=lambda d: (d.year, d.title))
        page_asked = None
        # "from 2016", "2페이지 보여줘": only the year, page, network or genre said counts.
        for word in norm(self.service.parser.listing(cmd.arg)).split():
            match = PAGE.fullmatch(word)
            number = parse_int(match.group(1)) if match else None
            if number is not None and not YEAR.fullmatch(word):
                page_asked = number
            elif word in PAGE_WORDS:
                continue
            elif YEAR.fullmatch(word):
                dramas = [d for d in dramas if d.year <= int(word) <= d.last_year]
            else:
                dramas = [
                    d
                    for d in dramas
                    if norm(d.network).replace(" ", "").startswith(word)
                    or word in map(norm, d.genres)
                ]
        pages = max(1, -(-len(dramas) // DRAMAS_PER_PAGE))
        page = min(max(1, page_asked or 1), pages)
        chunk = dramas[(page - 1) * DRAMAS_PER_PAGE : page * DRAMAS_PER_PAGE]
        lines = [t("dramas_header", locale, n=len(dramas), page=page, pages=pages)]
        lines += [
            t("dramas_line", locale, title=d.title, title_ko=d.title_ko, year=d.year) for d in chunk
        ]
        if page < pages:
            # The words the registry knows in the reply's language: "드라마 목록 2" works.
            commands = self.service.commands
            listing = commands.get("dramas")
            one = commands.get("drama")
            assert listing is not None and one is not None  # noqa: S101 - in the registry
            lines.append(
                t(
                    "dramas_more",
                    locale,
                    next=page + 1,
                    dramas=listing.word(locale),
                    drama=compose.usage(one, locale),
                )
            )
        return Reply("\n".join(lines), locale, ReplyKind.INFO)

    @handles("drama")
    async def drama(self, req: Request, cmd: Command, locale: str) -> Reply:
        q = self.service.parser.query(cmd.arg, prefer="drama")
        name = q.drama or self._single_drama(cmd.arg)
        if name is None or (not q.is_empty and (q.excludes or q.tags or q.artists)):
            # "드라마 펀치 말고 가수 펀치 노래": more than a name; read it as a request.
            reply = await self._as_request(req, cmd, locale, unnamed=name is None)
            if reply is not None:
                return reply
        if name is None:
            q = replace(q, suggestions=tuple(self.service.parser.suggest(norm(cmd.arg).split())))
            return compose.unknown_name("no_drama", cmd.arg, locale, q)
        return self.soundtrack(name, locale)

    def soundtrack(self, name: str, locale: str) -> Reply:
        """A drama's soundtrack in part order, by its catalog title."""
        index = self.service.index
        d = index.dramas[name]
        years = f"{d.year}" if not d.year_end or d.year_end == d.year else f"{d.year}-{d.year_end}"
        header = t(
            "drama_header",
            locale,
            title=d.title,
            title_ko=d.title_ko,
            network=d.network or "?",
            years=years,
        )
        lines = [header]
        for tr in index.soundtrack(name):
            part = t("part", locale, n=tr.part) + " · " if tr.part else ""
            lines.append(f"{part}{compose.track_title(tr)} — {tr.artist}")
        if d.sources:
            lines.append(t("drama_source", locale, url=d.sources[0]))
        return Reply("\n".join(lines), locale, ReplyKind.INFO, title=d.title)

    async def _as_request(
        self, req: Request, cmd: Command, locale: str, *, unnamed: bool = False
    ) -> Reply | None:
        """The command word and its argument read as free text, when that says more: a mood
        or an exclusion beside the name, or no name at all in a sentence that asks for songs
        ("drama recommendations with good osts": the command word said in passing)."""
        word = self.service.commands[cmd.name].word(locale)
        text = f"{word} {cmd.arg}"
        said = self.service.parser.read(text)
        more = said.content and bool(said.query.excludes or said.query.tags)
        asks = unnamed and (
            said.content or any(said.has(x) for x in ("request", "any", "browse", "list"))
        )
        if not (more or asks):
            return None
        return await self.service.converse.recommend(req, Command("recommend", text), locale)

    def _single_drama(self, text: str) -> str | None:
        ent = self.service.index.names.get(norm(text))
        return ent.name if ent and ent.kind == "drama" else None

    @handles("artist")
    async def artist(self, req: Request, cmd: Command, locale: str) -> Reply:
        q = self.service.parser.query(cmd.arg, prefer="artist")
        if q.artist is None:
            reply = await self._as_request(req, cmd, locale, unnamed=True)
            if reply is not None:
                return reply  # "singer recommendations for a rainy day"
            q = replace(q, suggestions=tuple(self.service.parser.suggest(norm(cmd.arg).split())))
            return compose.unknown_name("no_artist", cmd.arg, locale, q)
        return self.songs_of(q.artist, locale)

    def songs_of(self, artist: str, locale: str) -> Reply:
        """An artist's songs, newest first, by the artist's catalog name."""
        index = self.service.index
        items = sorted(
            (index.tracks[i] for i in index.artist_tracks.get(artist, ())),
            key=lambda tr: (-tr.year, tr.drama, tr.part or 0),
        )
        lines = [t("artist_header", locale, name=compose.artist_line(index, artist, locale))]
        for tr in items[:ARTIST_LIST]:
            credit = (
                f" — {compose.artist_line(index, tr.artist, locale)}" if tr.artist != artist else ""
            )
            lines.append(f"• {compose.track_title(tr)}{credit} · {tr.drama} ({tr.year})")
        return Reply("\n".join(lines), locale, ReplyKind.INFO, title=artist)

    @handles("about")
    async def about(self, req: Request, cmd: Command, locale: str) -> Reply:
        index = self.service.index
        dramas = index.dramas.values()
        by_year = Counter(d.year for d in dramas)
        by_net = Counter(d.network or "?" for d in dramas)
        by_mood = Counter(tag for i in range(len(index.tracks)) for tag in index.moods_of(i))
        sources = {url for d in dramas for url in d.sources}
        moods = ((index.vocabulary.label(k, locale), v) for k, v in by_mood.most_common())
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
            t("about_moods", locale, items=_counts(moods)),
            t("about_sources", locale, n=len(sources)),
        ]
        return Reply("\n".join(lines), locale, ReplyKind.INFO)


def _counts(items: Iterable[tuple[object, int]]) -> str:
    return ", ".join(f"{k} {v}" for k, v in items)
