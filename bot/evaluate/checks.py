"""Does one reply meet one turn's expectations? Each check returns what it found wrong.

Per-card constraints hold for every card (and so say nothing about a reply without cards; use
`kind`, `min_cards` or `no_cards` for that). A recommendation without a single card is never a
right answer, whatever the expectations say.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean

from bot.core.models import Card, Reply, ReplyKind
from bot.core.voice import TRACK_VOICES
from bot.evaluate.names import Names, mentioned, name_key, title_keys
from bot.evaluate.schema import CardRef, Expect, TurnRef


@dataclass(frozen=True)
class Context:
    """What a turn is checked against besides its own reply."""

    names: Names
    earlier: Sequence[Reply]  # the replies to the turns before this one
    feedback: Mapping[str, int]  # the user's likes (1) and dislikes (-1) by track key, now
    first: bool  # the conversation's first turn


def check_turn(e: Expect, reply: Reply, ctx: Context) -> list[str]:
    """What is wrong with the reply; empty when it is right. With `one_of`, the reply is right
    when it meets any one reading, and wrong with the problems of every reading."""
    readings = e.readings()
    found = [_check(r, reply, ctx) for r in readings]
    if len(found) == 1 or not all(found):
        return found[0] if len(found) == 1 else []
    return [f"reading {n}: {p}" for n, problems in enumerate(found, 1) for p in problems]


def _check(e: Expect, reply: Reply, ctx: Context) -> list[str]:
    return _whole_reply(e, reply) + _cards(e, reply, ctx) + _conversation(e, reply, ctx)


# ------------------------------------------------------------------------ the reply


def _whole_reply(e: Expect, reply: Reply) -> list[str]:
    out = []
    n = len(reply.cards)
    if not reply.text.strip() and not n:
        out.append("the reply is empty")
    if reply.kind == ReplyKind.RECOMMENDATION and not n:
        out.append("a recommendation with no cards")
    if e.kind is not None and str(reply.kind) not in e.kind:
        out.append(f"kind is {reply.kind}, expected {' or '.join(e.kind)}")
    if e.lang is not None and reply.locale != e.lang:
        out.append(f"the reply is in {reply.locale!r}, expected {e.lang!r}")
    if e.cards is not None and n != e.cards:
        out.append(f"{n} cards, expected {e.cards}")
    if e.min_cards is not None and n < e.min_cards:
        out.append(f"{n} cards, expected at least {e.min_cards}")
    if e.max_cards is not None and n > e.max_cards:
        out.append(f"{n} cards, expected at most {e.max_cards}")
    if e.no_cards and n:
        out.append(f"{n} cards, expected none")
    if e.max_chars is not None and len(reply.text) > e.max_chars:
        out.append(f"the text has {len(reply.text)} characters, expected at most {e.max_chars}")
    return out


def haystack(reply: Reply, names: Names) -> str:
    """Everything a user sees: text, title, footer, buttons and every card's names."""
    parts = [reply.text, reply.title, reply.footer]
    parts += [a.label for a in reply.actions]
    for card in reply.cards:
        tr = card.track
        parts += [tr.title, tr.title_ko or "", tr.artist, tr.drama, card.reason]
        parts += [card.title, card.artist, card.drama]  # the composed display lines
        parts += [names.index.korean_names.get(tr.drama, "")]
        parts += [a.label for a in card.actions]
    return "\n".join(p for p in parts if p)


def _mentions(e: Expect, reply: Reply, names: Names) -> list[str]:
    if not (e.mentions or e.mentions_any or e.not_mentions):
        return []
    seen = haystack(reply, names)
    out = [f"does not mention {n!r}" for n in e.mentions or () if not _says(n, seen, names)]
    if e.mentions_any and not any(_says(n, seen, names) for n in e.mentions_any):
        out.append(f"mentions none of {e.mentions_any}")
    out += [f"mentions {n!r}" for n in e.not_mentions or () if _says(n, seen, names)]
    return out


def _says(name: str, seen: str, names: Names) -> bool:
    return mentioned(names.forms(name) | {name}, seen)


# ------------------------------------------------------------------------ the cards


def static_card_problems(e: Expect, i: int, names: Names) -> list[str]:
    """The per-card constraints that depend on nothing but the track (index i)."""
    tr = names.index.tracks[i]
    tags = set(tr.tags)
    out = []
    if e.drama is not None and tr.drama != e.drama:
        out.append(f"drama is {tr.drama!r}, expected {e.drama!r}")
    if e.drama_any is not None and tr.drama not in e.drama_any:
        out.append(f"drama {tr.drama!r} is not one of {e.drama_any}")
    if e.not_drama and tr.drama in e.not_drama:
        out.append(f"drama is {tr.drama!r}, which was excluded")
    if e.artist is not None and not names.credits(i, e.artist):
        out.append(f"artist is {tr.artist!r}, expected {e.artist!r}")
    if e.artist_any is not None and not any(names.credits(i, a) for a in e.artist_any):
        out.append(f"artist {tr.artist!r} is none of {e.artist_any}")
    for a in e.not_artist or ():
        if names.credits(i, a):
            out.append(f"artist is {tr.artist!r}, and {a!r} was excluded")
    if e.tags_all and not tags.issuperset(e.tags_all):
        out.append(f"tags {sorted(tags)} lack {sorted(set(e.tags_all) - tags)}")
    if e.tags_any and not tags.intersection(e.tags_any):
        out.append(f"tags {sorted(tags)} have none of {e.tags_any}")
    if e.tags_none and tags.intersection(e.tags_none):
        out.append(f"tags include {sorted(tags.intersection(e.tags_none))}, excluded")
    if e.year_min is not None and tr.year < e.year_min:
        out.append(f"year {tr.year} is before {e.year_min}")
    if e.year_max is not None and tr.year > e.year_max:
        out.append(f"year {tr.year} is after {e.year_max}")
    if e.not_title and title_keys(tr) & {name_key(t) for t in e.not_title}:
        out.append(f"the song {tr.title!r} was excluded")
    if e.voice is not None and not names.index.flags[i] >> TRACK_VOICES.index(e.voice) & 1:
        out.append(f"{tr.artist!r} is not known to be {e.voice}")
    return out


def _cards(e: Expect, reply: Reply, ctx: Context) -> list[str]:
    names = ctx.names
    out = []
    ids: list[int] = []
    for n, card in enumerate(reply.cards, 1):
        i = names.index.by_key.get(card.track.key)
        if i is None:
            out.append(f"card {n} ({card.track.title}) is not in the catalog")
            continue
        ids.append(i)
        label = f"card {n} ({card.track.title} — {card.track.artist})"
        problems = static_card_problems(e, i, names) + _relative(e, i, ctx)
        out += [f"{label}: {p}" for p in problems]
    if e.track is not None:
        out += _first_card(e, reply, names)
    out += _mentions(e, reply, names)
    return out


def _first_card(e: Expect, reply: Reply, names: Names) -> list[str]:
    ref = e.track
    assert ref is not None  # noqa: S101 - the caller checked
    if not reply.cards:
        return [f"no card; expected the song {ref.title!r}"]
    i = names.index.by_key.get(reply.cards[0].track.key)
    if i is None:
        return ["the first card is not in the catalog"]
    return [f"the first card {d}" for d in names.differences(i, ref.title, ref.artist, ref.drama)]


# --------------------------------------------------- relative to earlier replies


def _card_at(ref: CardRef, ctx: Context) -> Card | None:
    reply = ctx.earlier[ref.turn - 1]
    return reply.cards[ref.card - 1] if ref.card <= len(reply.cards) else None


def _years(ref: TurnRef, ctx: Context) -> list[int]:
    return [c.track.year for c in ctx.earlier[ref.turn - 1].cards]


def _energy(i: int, names: Names) -> int | None:
    """0 for the calmest energy tag; moods.toml lists energy from low to high."""
    order = [t.name for t in names.index.vocabulary.of_kind("energy")]
    ranks = [order.index(t) for t in names.index.tracks[i].tags if t in order]
    return ranks[0] if ranks else None


def _energies(ref: TurnRef, ctx: Context) -> list[int]:
    index = ctx.names.index
    out = []
    for card in ctx.earlier[ref.turn - 1].cards:
        j = index.by_key.get(card.track.key)
        rank = _energy(j, ctx.names) if j is not None else None
        if rank is not None:
            out.append(rank)
    return out


def _relative(e: Expect, i: int, ctx: Context) -> list[str]:
    out = []
    for key, ref in (("drama_of", e.drama_of), ("artist_of", e.artist_of)):
        if ref is not None:
            out += _same_as(key, ref, i, ctx)
    if e.like_card is not None:
        out += _like(e.like_card, i, ctx)
    for key, era in (("older_than", e.older_than), ("newer_than", e.newer_than)):
        if era is not None:
            out += _era(key, era, i, ctx)
    out += _energy_change(e, i, ctx)
    return out


def _same_as(key: str, ref: CardRef, i: int, ctx: Context) -> list[str]:
    """The same drama (drama_of) or a shared credited artist (artist_of) as an earlier card."""
    index = ctx.names.index
    tr = index.tracks[i]
    other = _card_at(ref, ctx)
    if other is None:
        return [f"{key}: turn {ref.turn} showed no card {ref.card}"]
    if key == "drama_of" and tr.drama != other.track.drama:
        return [f"drama is {tr.drama!r}, expected {other.track.drama!r} (as before)"]
    acts = index.credit(other.track.artist)
    if key == "artist_of" and not any(ctx.names.credits(i, a) for a in acts):
        return [f"artist is {tr.artist!r}, expected {other.track.artist!r} (as before)"]
    return []


def _like(ref: CardRef, i: int, ctx: Context) -> list[str]:
    """Songs like an earlier card: another song sharing at least one of its moods."""
    index = ctx.names.index
    tr = index.tracks[i]
    other = _card_at(ref, ctx)
    if other is None:
        return [f"like_card: turn {ref.turn} showed no card {ref.card}"]
    moods = {t for t in other.track.tags if index.vocabulary.tags[t].kind == "mood"}
    if tr.key == other.track.key:
        return [f"is {other.track.title!r} itself, expected songs like it"]
    if not moods.intersection(tr.tags):
        return [f"shares no mood with {other.track.title!r} ({sorted(moods)})"]
    return []


def _era(key: str, ref: TurnRef, i: int, ctx: Context) -> list[str]:
    """Older (newer) than an earlier reply: before (after) the average year of its cards."""
    year = ctx.names.index.tracks[i].year
    years = _years(ref, ctx)
    if not years:
        return [f"{key}: turn {ref.turn} showed no cards"]
    newer = key == "newer_than"
    if (year <= fmean(years)) if newer else (year >= fmean(years)):
        word = "newer" if newer else "older"
        return [f"year {year} is not {word} than turn {ref.turn}'s {years}"]
    return []


def _energy_change(e: Expect, i: int, ctx: Context) -> list[str]:
    """Calmer: no livelier than the calmest card before, and calmer than the liveliest unless
    everything was already as calm as it gets (and the other way round for livelier)."""
    out = []
    rank = _energy(i, ctx.names)
    top = len(ctx.names.index.vocabulary.of_kind("energy")) - 1
    for key, ref, calmer in (
        ("calmer_than", e.calmer_than, True),
        ("livelier_than", e.livelier_than, False),
    ):
        if ref is None:
            continue
        before = _energies(ref, ctx)
        if not before or rank is None:
            out.append(f"{key}: nothing to compare (turn {ref.turn} showed no cards)")
            continue
        if calmer:
            ok = rank <= min(before) and (rank < max(before) or max(before) == 0)
        else:
            ok = rank >= max(before) and (rank > min(before) or min(before) == top)
        if not ok:
            word = "calmer" if calmer else "livelier"
            out.append(f"energy {rank} is not {word} than turn {ref.turn}'s {sorted(before)}")
    return out


def _conversation(e: Expect, reply: Reply, ctx: Context) -> list[str]:
    out = []
    fresh = e.fresh if e.fresh is not None else not ctx.first and not e.repeat_ok
    if fresh:
        before = {c.track.key for r in ctx.earlier for c in r.cards}
        out += [
            f"card {n} ({c.track.title}) was already shown"
            for n, c in enumerate(reply.cards, 1)
            if c.track.key in before
        ]
    for key, ref, value in (("liked", e.liked, 1), ("disliked", e.disliked, -1)):
        if ref is None:
            continue
        card = _card_at(ref, ctx)
        if card is None:
            out.append(f"{key}: turn {ref.turn} showed no card {ref.card}")
        elif ctx.feedback.get(card.track.key) != value:
            now = {1: "liked", -1: "disliked"}.get(ctx.feedback.get(card.track.key, 0), "unrated")
            where = f"turn {ref.turn}, card {ref.card}"
            out.append(f"{card.track.title!r} ({where}) is {now}, expected {key}")
    return out
