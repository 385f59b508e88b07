"""Replies composed once for every platform: cards, recommendation intros, lists and hints.

Everything a user reads about a track (its display title, the artist line with the Hangul
name, the drama line, tags in the reply's language, why it was picked, where to listen) is
built here, so the console, Telegram and Discord show the same words and only lay them out
differently.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from dataclasses import dataclass, replace
from weakref import WeakKeyDictionary

from bot.core.commands import Arg, Spec
from bot.core.index import CatalogIndex
from bot.core.links import listen_links
from bot.core.messages import t
from bot.core.models import Action, Card, Link, Reply, ReplyKind, Track, Visibility
from bot.core.occasions import Occasions
from bot.core.query import MAX_COUNT, Query
from bot.core.recommend import Outcome, Pick
from bot.core.text import shorten

# ------------------------------------------------------------------------- one track


def track_title(track: Track) -> str:
    """The title, with the Hangul title beside it when it differs: "Snow Flower (눈꽃)" for a
    Hangul-titled song with an official English title."""
    if track.title_en:
        return t("card_title", "en", title=track.title_en, title_ko=track.title_ko or track.title)
    if track.title_ko and track.title_ko != track.title:
        return t("card_title", "en", title=track.title, title_ko=track.title_ko)
    return track.title


def short_title(track: Track) -> str:
    """The title in a sentence ("like Snow Flower"): the English one where there is one."""
    return track.title_en or track.title


def artist_line(index: CatalogIndex, credit: str, locale: str) -> str:
    """A credit ("Chanyeol & Punch"), with the Hangul names when every artist in it has one:
    the name of the reply's language first ("Huh Gak (허각)", in Korean "허각 (Huh Gak)")."""
    artist_ko = index.artist_ko(credit)
    if artist_ko and artist_ko != credit:
        return t("card_artist", locale, artist=credit, artist_ko=artist_ko)
    return credit


def drama_line(index: CatalogIndex, track: Track, locale: str) -> str:
    drama = index.dramas.get(track.drama)
    if drama and drama.title_ko and drama.title_ko != track.drama:
        return t("card_drama", locale, drama=track.drama, drama_ko=drama.title_ko, year=track.year)
    return t("card_drama_plain", locale, drama=track.drama, year=track.year)


def drama_name(index: CatalogIndex, title: str, locale: str) -> str:
    """The drama's name for this reply: its short Hangul name in Korean replies."""
    return index.korean_names.get(title, title) if locale == "ko" else title


def artist_name(index: CatalogIndex, credit: str, locale: str) -> str:
    """The artist's name for this reply: the Hangul name in Korean replies, where every act
    in the credit has one ("백현의 OST", not "Baekhyun의 OST")."""
    if locale == "ko":
        return index.artist_ko(credit) or credit
    return credit


@dataclass(frozen=True, slots=True)
class CardParts:
    """What a card shows of a track in one language, whatever the request: made once (see
    `card_parts`); only why it was picked is the request's own."""

    track: Track
    title: str
    artist: str
    drama: str
    tags: tuple[str, ...]
    links: tuple[Link, ...]
    actions: tuple[Action, ...]


CARD_PARTS = 4096  # (track, language) pairs remembered per catalog index
_CARD_PARTS: WeakKeyDictionary[CatalogIndex, OrderedDict[tuple[int, str], CardParts]] = (
    WeakKeyDictionary()
)


def card_parts(index: CatalogIndex, i: int, locale: str) -> CardParts:
    """Track i's display fields in `locale`, from the recent ones of this index (they go
    with it) or made now."""
    made = _CARD_PARTS.get(index)
    if made is None:
        made = _CARD_PARTS[index] = OrderedDict()
    found = made.get((i, locale))
    if found is not None:
        made.move_to_end((i, locale))
        return found
    tr = index.tracks[i]
    found = made[(i, locale)] = CardParts(
        track=tr,
        title=track_title(tr),
        artist=artist_line(index, tr.artist, locale),
        drama=drama_line(index, tr, locale),
        tags=tuple(index.vocabulary.label(x, locale) for x in tr.tags),
        links=listen_links(tr),
        actions=(
            Action(f"like:{tr.key}", t("button_like", locale), "like"),
            Action(f"dislike:{tr.key}", t("button_dislike", locale), "dislike"),
        ),
    )
    if len(made) > CARD_PARTS:
        made.popitem(last=False)
    return found


def card(index: CatalogIndex, pick: Pick, q: Query, locale: str) -> Card:
    parts = card_parts(index, pick.index, locale)
    tr = parts.track
    vocab = index.vocabulary
    reasons: list[str] = []
    if q.similar_to and q.similar_to in index.by_key:
        target = index.tracks[index.by_key[q.similar_to]]
        shared = [x for x in tr.tags if x in target.tags and vocab.tags[x].kind == "mood"]
        if shared:
            labels = ", ".join(vocab.label(x, locale) for x in shared)
            reasons.append(t("shares", locale, tags=labels, title=short_title(target)))
    else:
        shown = pick.matched or index.moods_of(pick.index)[:2]
        reasons.append(", ".join(vocab.label(x, locale) for x in shown))
    reasons.append(f"{drama_name(index, tr.drama, locale)} ({tr.year})")
    if pick.liked_artist:
        liked = artist_name(index, pick.liked_artist, locale)
        reasons.append(t("you_liked", locale, artist=liked))
    return Card(
        track=tr,
        title=parts.title,
        artist=parts.artist,
        drama=parts.drama,
        tags=parts.tags,
        reason=" · ".join(r for r in reasons if r),
        links=parts.links,
        actions=parts.actions,
        locale=locale,
    )


# ------------------------------------------------------------------ recommendations


def recommendation(
    index: CatalogIndex,
    q: Query,
    outcome: Outcome,
    locale: str,
    query_id: int | None,
    *,
    changes: tuple[str, ...] = (),
    kept: tuple[str, ...] = (),
    extra: tuple[str, ...] = (),
) -> Reply:
    """The picks with an intro that says what they are and what had to be relaxed.

    `query_id` is the saved request behind the "another" button; None for a preview, which
    has no button.
    """
    vocab = index.vocabulary
    notes: list[str] = []
    where = scope(index, q, locale)
    said = said_tags(q)
    # The songs asked for, in a sentence: "sad songs", "songs in ballad style", "슬픈 노래".
    tags_label = ", ".join(vocab.label(x, locale) for x in said)
    if tags_label:
        songs = t("songs_tagged", locale, tags=tags_label)
    else:
        songs = t("songs_for", locale, occasion=occasion_name(index, q, locale))
    its = t(
        "its_artist" if q.artists and not q.drama else "its_drama" if where else "its_none", locale
    )
    voice = voice_label(index, q.voice, locale)
    relaxed = outcome.relaxed

    def why(key: str) -> str:  # let go for want of a song, or because all were heard
        return "used" if key in outcome.used else "relaxed"

    if "theme" in relaxed:
        notes.append(t(f"{why('theme')}_theme", locale, scope=where))
    if "popularity" in relaxed and q.popularity:
        asked = "popular" if q.popularity == "theme" else q.popularity
        notes.append(t(f"{why('popularity')}_{asked}", locale, scope=where))
    if "energy" in outcome.used:
        notes.append(t("used_energy", locale, scope=where))
    if "tags" in relaxed:
        shown = ", ".join(vocab.label(x, locale) for x in outcome.shown_tags)
        say = {"songs": songs, "scope": where, "shown": shown, "voice": voice, "its": its}
        if shown and "tags" in outcome.used:
            notes.append(t("used_tags", locale, **say))
        elif shown and voice and not where and "voice" not in relaxed:
            notes.append(t("relaxed_tags_voice", locale, **say))
        elif shown:
            notes.append(t("relaxed_tags", locale, **say))
        else:
            notes.append(t("relaxed_tags_plain", locale, **say))
    if "voice" in relaxed:
        notes.append(t("relaxed_voice", locale, voice=voice, scope=where))
    if outcome.outside and (q.year_from or 0) > index.max_year:
        notes.append(t("no_year_after", locale, years=years_text(q, locale), last=index.max_year))
    elif outcome.outside:
        notes.append(t("no_year", locale, years=years_text(q, locale), first=index.min_year))
    elif "years" in relaxed:
        notes.append(t("relaxed_years", locale, years=years_text(q, locale)))
    if "artist" in relaxed and q.drama and q.artist:
        drama = drama_name(index, q.drama, locale)
        notes.append(t("relaxed_artist", locale, artist=q.artist, drama=drama))
    if "drama" in relaxed or ("artist" in relaxed and not q.drama):
        notes.append(t("relaxed_drama", locale, scope=where))
    if outcome.restarted:
        notes.append(t("restarted", locale, n=outcome.pool))
    if q.asked:
        notes.append(t("capped", locale, asked=q.asked, max=MAX_COUNT))
    if q.unknown and not q.similar_to and q.suggestions:
        words = ", ".join(shorten(w, 30) for w in q.unknown[:3])
        notes.append(t("unrecognised", locale, words=words))
    notes.extend(extra)

    n = len(outcome.picks)
    shown_tags = outcome.shown_tags if "tags" in relaxed else said
    known = q.popularity if "popularity" not in relaxed else None
    if known == "theme" and "theme" in relaxed:
        known = "popular"
    label = " ".join(
        part
        for part in (
            t(f"known_{known}", locale) if known else "",
            voice if "voice" not in relaxed else "",
            ", ".join(vocab.label(x, locale) for x in shown_tags),
        )
        if part
    )
    what_key = ("what_tags_" if label else "what_plain_") + ("one" if n == 1 else "many")
    article = "an" if label[:1].lower() in "aeiou" else "a"  # "an upbeat", "a sad"
    what = t(what_key, locale, tags=label, article=article)
    if q.occasion and "tags" not in relaxed:
        what = t("what_for", locale, what=what, occasion=occasion_name(index, q, locale))
    # The scope names the drama and artist asked for; once either was let go it is not true.
    if where and "drama" not in relaxed and "artist" not in relaxed:
        what = t("what_scoped", locale, what=what, scope=where)
    key = "intro_for" if q.occasion and "tags" not in relaxed else "intro"  # "for studying"
    intro = (
        t(f"{key}_one", locale, what=what) if n == 1 else t(f"{key}_many", locale, n=n, what=what)
    )
    if "tags" in relaxed:
        # The moods asked for were let go (a note above says so): the intro does not claim them.
        changes = tuple(
            c for c in changes if c not in _MOOD_CHANGES and not c.startswith(("up:", "down:"))
        )
    if changes:
        intro = changed(index, q, changes, kept, locale)
    actions: tuple[Action, ...] = ()
    if query_id is not None:
        actions = (Action(f"more:{b36(query_id)}", t("button_another", locale), "another"),)
        if q.other and not changes:
            kind, name = q.other.split(":", 1)
            notes.append(other_reading(index, q, locale))
            kind_label = t(f"kind_{_kind(kind)}", locale)
            other = name_of(index, kind, name, locale)
            label = t("button_other", locale, kind=kind_label, name=other)
            actions += (Action(f"other:{b36(query_id)}", shorten(label, 40), "other"),)
    return Reply(
        text="\n".join([*(_tidy(note) for note in notes), intro]),
        locale=locale,
        kind=ReplyKind.RECOMMENDATION,
        cards=tuple(card(index, p, q, locale) for p in outcome.picks),
        actions=actions,
        footer=t("footer", locale),
    )


def voice_label(index: CatalogIndex, voice: tuple[str, ...], locale: str) -> str:
    """The voice and form conditions asked for, in the reply's language ("female, duet");
    "group" goes unsaid beside "girl-group" or "boy-group", which say it already."""
    said = [v for v in voice if not (v == "group" and {"girl-group", "boy-group"} & set(voice))]
    return ", ".join(index.vocabulary.label(v, locale) for v in said)


def _tidy(note: str) -> str:
    """A sentence whose optional part was empty: "No sad songs , so" -> "No sad songs, so"."""
    return re.sub(r" ([.,])", r"\1", " ".join(note.split()))


def said_tags(q: Query) -> tuple[str, ...]:
    """The moods a reply names: those asked for outright, not all an occasion suggests."""
    if not q.occasion:
        return q.tags
    weighted = {tag for tag, _ in q.weights}
    return tuple(t for t in q.tags if t not in weighted)


def occasion_name(index: CatalogIndex, q: Query, locale: str) -> str:
    occasion = Occasions.load(index.vocabulary).items.get(q.occasion or "")
    return occasion.say.get(locale, occasion.say["en"]) if occasion else ""


def _kind(kind: str) -> str:
    return "drama" if kind == "drama" else "artist"


def name_of(index: CatalogIndex, kind: str, name: str, locale: str) -> str:
    """A drama's or an artist's name for this reply (in Hangul in Korean replies)."""
    if _kind(kind) == "drama":
        return drama_name(index, name, locale)
    return artist_name(index, name, locale)


def other_reading(index: CatalogIndex, q: Query, locale: str) -> str:
    """The note on a name that is two things: "(I read Punch as the drama; ...)"."""
    kind, name = (q.other or ":").split(":", 1)
    this = "drama" if q.drama else "artist"
    return t(
        "other_reading",
        locale,
        name=name_of(index, this, q.drama or q.artist or name, locale),
        kind=t(f"kind_{this}", locale),
        other_kind=t(f"kind_{_kind(kind)}", locale),
        other_name=name_of(index, kind, name, locale),
    )


def scope(index: CatalogIndex, q: Query, locale: str) -> str:
    bits = []
    if q.similar_to and q.similar_to in index.by_key:
        title = short_title(index.tracks[index.by_key[q.similar_to]])
        bits.append(t("similar_to", locale, title=title))
    if q.drama:
        bits.append(t("from_drama", locale, drama=drama_name(index, q.drama, locale)))
    if q.artists:
        names = " & ".join(artist_name(index, a, locale) for a in q.artists)
        bits.append(t("by_artist", locale, artist=names))
    if q.year_from or q.year_to:
        bits.append(years_text(q, locale))
    elif q.not_years:
        bits.append(years_left_out(index, q, locale))
    return " ".join(bits)


def changed(
    index: CatalogIndex, q: Query, changes: tuple[str, ...], kept: tuple[str, ...], locale: str
) -> str:
    """What a follow-up changed, and what it kept: "Calmer, still from Goblin:"."""
    vocab = index.vocabulary
    said: list[str] = []
    moved = {c.split(":", 1)[1] for c in changes if c.startswith(("up:", "down:"))}
    if "moods" in changes:
        moved.update(q.tags[:2])  # "좀 밝은 거": the upbeat mood said, and livelier
    if any(vocab.tags[m].arousal == "high" for m in moved if m in vocab.tags):
        # "more upbeat" says it all; "livelier" beside it would say it twice.
        changes = tuple(c for c in changes if c not in ("livelier", "calmer"))
    for change in dict.fromkeys(changes):
        key, _, tag = change.partition(":")
        if key in ("up", "down"):
            said.append(t(f"change_{key}", locale, tag=vocab.label(tag, locale)))
        elif key == "same_artist":
            names = " & ".join(artist_name(index, a, locale) for a in q.artists)
            said.append(t("change_same_artist", locale, artist=names))
        elif key == "same_drama" and q.drama:
            said.append(t("change_same_drama", locale, drama=drama_name(index, q.drama, locale)))
        elif key == "same_vibe":
            said.append(t("change_same_vibe", locale, scope=scope(index, q, locale)))
        elif key == "renamed":
            # The name said; the one kept is said after it ("still by Taeyeon").
            named = replace(
                q,
                drama=None if "drama" in kept else q.drama,
                artist=None if "artist" in kept else q.artist,
                also_artists=() if "artist" in kept else q.also_artists,
                year_from=None,
                year_to=None,
                similar_to=None,
            )
            where = scope(index, named, locale)
            apart = next((c.split(":", 2)[1:] for c in changes if c.startswith("apart:")), None)
            if apart:  # "IU has no songs in Goblin, so now by IU"
                kind, name = apart
                dramas = name if kind == "drama" else q.drama or ""
                acts = name.split(" & ") if kind == "artist" else q.artists
                artist = " & ".join(artist_name(index, a, locale) for a in acts)
                drama = drama_name(index, dramas, locale)
                said.append(t("change_apart", locale, artist=artist, drama=drama, scope=where))
            else:
                said.append(t("change_renamed", locale, scope=where))
        elif key in ("similar", "like_title") and q.similar_to in index.by_key:
            title = short_title(index.tracks[index.by_key[q.similar_to or ""]])
            said.append(t(f"change_{key}", locale, title=title))
        elif key == "moods" and (q.tags or q.occasion):
            tags = ", ".join(vocab.label(x, locale) for x in q.tags[:2])
            said.append(t("change_moods", locale, tags=tags))
        elif key == "years" and (q.year_from or q.year_to):
            said.append(t("change_years", locale, years=years_text(q, locale)))
        elif key == "excluded":
            if q.not_years and not (q.year_from or q.year_to):
                # "I'm tired of old dramas": "Now from 2016 on".
                said.append(t("change_years", locale, years=years_left_out(index, q, locale)))
            # Moods "less sad" left out are said by that change ("Less sad"), not twice.
            left = () if any(c.startswith("down:") for c in changes) else q.not_tags[:2]
            what = ", ".join(
                [*q.not_dramas, *q.not_artists, *(vocab.label(x, locale) for x in left)]
            )
            if what:
                said.append(t("change_excluded", locale, what=what))
        elif key in ("the_artist", "the_drama"):
            name = name_of(index, key[4:], q.artist or q.drama or "", locale)
            said.append(t(f"change_{key}", locale, name=name))
        elif f"change_{key}" in _CHANGE_KEYS:
            said.append(t(f"change_{key}", locale))
    still = []
    if "drama" in kept and q.drama:
        still.append(t("from_drama", locale, drama=drama_name(index, q.drama, locale)))
    if "artist" in kept and q.artists:
        names = " & ".join(artist_name(index, a, locale) for a in q.artists)
        still.append(t("by_artist", locale, artist=names))
    # One sentence: only its first change starts with a capital ("Songs like X, now from Y").
    text = ", ".join([said[0], *(x[:1].lower() + x[1:] for x in said[1:])]) if said else ""
    if not text:
        return t("intro_one", locale, what=t("what_plain_one", locale))
    text = text[:1].upper() + text[1:]
    if still:  # "Calmer, still from Goblin:", "도깨비의 노래 중에서 더 잔잔한 곡으로 골랐어요:"
        kept_scope = t("change_still", locale, scope=" ".join(still))
        return t("change_line_still", locale, changes=text, still=kept_scope)
    return t("change_line", locale, changes=text)


# The changes (besides "up:tag" and "down:tag") that name moods or energy: untrue once the
# moods asked for were let go.
_MOOD_CHANGES = frozenset({"moods", "livelier", "calmer"})
_CHANGE_KEYS = frozenset(
    {"change_calmer", "change_livelier", "change_older", "change_newer", "change_reject"}
)


def years_text(q: Query, locale: str) -> str:
    if q.year_from and q.year_to:
        span = str(q.year_from) if q.year_from == q.year_to else f"{q.year_from}-{q.year_to}"
        return t("years_span", locale, span=span)
    if q.year_from:
        return t("years_from", locale, year=q.year_from)
    return t("years_before", locale, year=(q.year_to or 0) + 1)


def years_left_out(index: CatalogIndex, q: Query, locale: str) -> str:
    """The years a request leaves out, said as the years it keeps where that is one span:
    leaving out the old years ("옛날 노래 말고") is "from 2016 on"."""
    parts = []
    for lo, hi in q.not_years:
        if lo <= index.min_year:
            parts.append(t("years_from", locale, year=hi + 1))
        elif hi >= index.max_year:
            parts.append(t("years_before", locale, year=lo))
        else:
            span = str(lo) if lo == hi else f"{lo}-{hi}"
            parts.append(t("not_from", locale, what=t("years_span", locale, span=span)))
    return ", ".join(parts)


def b36(n: int) -> str:
    """A number in a button payload (a saved request's id, a time): short, and readable back
    with int(x, 36)."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


# ---------------------------------------------------------------------------- look-ups


def lookup_song(
    index: CatalogIndex,
    i: int,
    others: list[int],
    locale: str,
    query_id: int | None,
    also: list[int] | None = None,
) -> Reply:
    """A song looked up by name: who sings it and where it is from, as a card; the other songs
    of the same title named, with a button each. A song looked up by a description (an
    artist and a drama, a word of the title) names the others that fit, `also`."""
    tr = index.tracks[i]
    text = [
        t(
            "lookup_song",
            locale,
            title=track_title(tr),
            artist=artist_line(index, tr.artist, locale),
            drama=drama_name(index, tr.drama, locale),
            year=tr.year,
        )
    ]
    actions: list[Action] = []
    if others:
        listed = [
            t(
                "lookup_other",
                locale,
                artist=artist_line(index, index.tracks[o].artist, locale),
                drama=drama_name(index, index.tracks[o].drama, locale),
                year=index.tracks[o].year,
            )
            for o in others[:4]
        ]
        text.append(t("lookup_others", locale, title=short_title(tr), others="; ".join(listed)))
        for o in others[:3]:
            other = index.tracks[o]
            label = t("button_song", locale, artist=artist_name(index, other.artist, locale))
            actions.append(Action(f"song:{other.key}", shorten(label, 40), "song"))
    if also:
        songs = [
            t(
                "lookup_also_song",
                locale,
                title=track_title(index.tracks[o]),
                artist=artist_name(index, index.tracks[o].artist, locale),
            )
            for o in also
        ]
        text.append(t("lookup_also", locale, songs="; ".join(songs)))
        for o in also[: max(0, 3 - len(actions))]:
            label = t("button_also", locale, title=index.tracks[o].title)
            actions.append(Action(f"song:{index.tracks[o].key}", shorten(label, 40), "song"))
    text.append(t("lookup_hint", locale))
    pick = Pick(i, 1.0, index.moods_of(i)[:2])
    return Reply(
        "\n".join(text),
        locale,
        ReplyKind.LOOKUP,
        cards=(card(index, pick, Query(), locale),),
        actions=tuple(actions),
    )


def smalltalk(kind: str, locale: str) -> Reply:
    """A short friendly answer, and what to ask instead; never a song."""
    return Reply(
        t(f"talk_{kind}", locale) + "\n" + t("talk_hint", locale), locale, ReplyKind.SMALLTALK
    )


def others_note(index: CatalogIndex, i: int, others: list[int], locale: str) -> str:
    """After a like or dislike of a title several songs share: which one was taken."""
    tr = index.tracks[i]
    names = ", ".join(artist_name(index, index.tracks[o].artist, locale) for o in others[:4])
    artist = artist_name(index, tr.artist, locale)
    return t("feedback_others", locale, artist=artist, title=tr.title, others=names)


# ------------------------------------------------------------------------------ hints


def hint(text: str, locale: str) -> Reply:
    return Reply(text, locale, ReplyKind.HINT)


def beyond_shown(n: int, verb: str, locale: str) -> Reply:
    """A song pointed at by a place the last reply did not have: say how many it had."""
    key = "beyond_one" if n == 1 else "beyond_many"
    return hint(t(key, locale, n=n, verb=t(f"verb_{verb}", locale)), locale)


def nothing_found(locale: str, *, all_disliked: bool) -> Reply:
    key = "all_disliked" if all_disliked else "nothing"
    return hint(t(key, locale) + "\n" + t("try", locale), locale)


def unknown_name(key: str, name: str, locale: str, q: Query | None) -> Reply:
    """'I don't know a drama called X', with near misses when there are some."""
    text = t(key, locale, name=shorten(name, 60))
    if q is not None and q.suggestions:
        text += "\n" + t("did_you_mean", locale, options=", ".join(q.suggestions))
    return hint(text, locale)


def not_understood(text: str, locale: str, q: Query) -> Reply:
    lines = [t("not_understood", locale, text=shorten(text, 60))]
    if q.suggestions:
        lines.append(t("did_you_mean", locale, options=", ".join(q.suggestions)))
    lines.append(t("try", locale))
    return hint("\n".join(lines), locale)


def need_arg(spec: Spec, locale: str) -> Reply:
    """A command said without the argument it needs: say what is missing, with an example."""
    what = t(f"arg_{spec.arg.value}", locale)
    example = f"{spec.word(locale)} {spec.example.of(locale)}"
    return hint(t("need_name", locale, what=what, example=example), locale)


def slow_down(wait: float, locale: str) -> Reply:
    text = t("slow_wait", locale, n=math.ceil(wait))
    return Reply(text, locale, ReplyKind.HINT, visibility=Visibility.QUIET)


def stale_button(locale: str) -> Reply:
    return Reply(t("stale_button", locale), locale, ReplyKind.HINT, visibility=Visibility.QUIET)


def usage(spec: Spec, locale: str) -> str:
    """How help shows a command: "drama NAME", "dramas [PAGE]", "드라마 이름"."""
    word = spec.word(locale)
    if spec.arg is Arg.NONE:
        return word
    arg = t(f"usage_{spec.arg.value}", locale)
    return t("usage_optional" if spec.optional else "usage_required", locale, word=word, arg=arg)
