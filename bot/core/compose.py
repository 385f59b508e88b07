"""Replies composed once for every platform: cards, recommendation intros, lists and hints.

Everything a user reads about a track (its display title, the artist line with the Hangul
name, the drama line, tags in the reply's language, why it was picked, where to listen) is
built here, so the console, Telegram and Discord show the same words and only lay them out
differently.
"""

from __future__ import annotations

import math
import re

from bot.core.commands import Arg, Spec
from bot.core.index import CatalogIndex
from bot.core.links import listen_links
from bot.core.messages import t
from bot.core.models import Action, Card, Reply, ReplyKind, Track, Visibility
from bot.core.recommend import Outcome, Pick
from bot.core.text import shorten
from bot.core.understand import MAX_COUNT, Query

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


def artist_line(index: CatalogIndex, credit: str) -> str:
    """A credit ("Chanyeol & Punch"), with the Hangul names when every artist in it has one."""
    artist_ko = index.artist_ko(credit)
    if artist_ko and artist_ko != credit:
        return t("card_artist", "en", artist=credit, artist_ko=artist_ko)
    return credit


def drama_line(index: CatalogIndex, track: Track, locale: str) -> str:
    drama = index.dramas.get(track.drama)
    if drama and drama.title_ko and drama.title_ko != track.drama:
        return t("card_drama", locale, drama=track.drama, drama_ko=drama.title_ko, year=track.year)
    return t("card_drama_plain", locale, drama=track.drama, year=track.year)


def drama_name(index: CatalogIndex, title: str, locale: str) -> str:
    """The drama's name for this reply: its short Hangul name in Korean replies."""
    return index.korean_names.get(title, title) if locale == "ko" else title


def card(index: CatalogIndex, pick: Pick, q: Query, locale: str) -> Card:
    tr = index.tracks[pick.index]
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
        reasons.append(t("you_liked", locale, artist=pick.liked_artist))
    return Card(
        track=tr,
        title=track_title(tr),
        artist=artist_line(index, tr.artist),
        drama=drama_line(index, tr, locale),
        tags=tuple(vocab.label(x, locale) for x in tr.tags),
        reason=" · ".join(r for r in reasons if r),
        links=listen_links(tr),
        actions=(
            Action(f"like:{tr.key}", t("button_like", locale), "like"),
            Action(f"dislike:{tr.key}", t("button_dislike", locale), "dislike"),
        ),
        locale=locale,
    )


# ------------------------------------------------------------------ recommendations


def recommendation(
    index: CatalogIndex, q: Query, outcome: Outcome, locale: str, query_id: int | None
) -> Reply:
    """The picks with an intro that says what they are and what had to be relaxed.

    `query_id` is the saved request behind the "another" button; None for a preview, which
    has no button.
    """
    vocab = index.vocabulary
    notes: list[str] = []
    scope = _scope(index, q, locale)
    tags_label = ", ".join(vocab.label(x, locale) for x in q.tags)
    voice = voice_label(index, q.voice, locale)
    relaxed = outcome.relaxed
    if "theme" in relaxed:
        notes.append(t("relaxed_theme", locale, scope=scope))
    if "popularity" in relaxed and q.popularity:
        asked = "popular" if q.popularity == "theme" else q.popularity
        notes.append(t(f"relaxed_{asked}", locale, scope=scope))
    if "tags" in relaxed:
        shown = ", ".join(vocab.label(x, locale) for x in outcome.shown_tags)
        if shown and voice and not scope and "voice" not in relaxed:
            notes.append(t("relaxed_tags_voice", locale, tags=tags_label, voice=voice, shown=shown))
        elif shown:
            notes.append(t("relaxed_tags", locale, tags=tags_label, scope=scope, shown=shown))
        else:
            notes.append(t("relaxed_tags_plain", locale, tags=tags_label, scope=scope))
    if "voice" in relaxed:
        notes.append(t("relaxed_voice", locale, voice=voice, scope=scope))
    if "years" in relaxed:
        notes.append(t("relaxed_years", locale, years=years_text(q, locale)))
    if "artist" in relaxed and q.drama and q.artist:
        drama = drama_name(index, q.drama, locale)
        notes.append(t("relaxed_artist", locale, artist=q.artist, drama=drama))
    if "drama" in relaxed or ("artist" in relaxed and not q.drama):
        notes.append(t("relaxed_drama", locale, scope=scope))
    if outcome.restarted:
        notes.append(t("restarted", locale, n=outcome.pool))
    if q.asked:
        notes.append(t("capped", locale, asked=q.asked, max=MAX_COUNT))
    if q.unknown and not q.similar_to:
        words = ", ".join(shorten(w, 30) for w in q.unknown[:3])
        notes.append(t("unrecognised", locale, words=words))

    n = len(outcome.picks)
    shown_tags = outcome.shown_tags if "tags" in relaxed else q.tags
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
    # The scope names the drama and artist asked for; once either was let go it is not true.
    if scope and "drama" not in relaxed and "artist" not in relaxed:
        what = t("what_scoped", locale, what=what, scope=scope)
    intro = t("intro_one", locale, what=what) if n == 1 else t("intro_many", locale, n=n, what=what)
    actions: tuple[Action, ...] = ()
    if query_id is not None:
        actions = (Action(f"more:{b36(query_id)}", t("button_another", locale), "another"),)
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


def _scope(index: CatalogIndex, q: Query, locale: str) -> str:
    bits = []
    if q.similar_to and q.similar_to in index.by_key:
        title = short_title(index.tracks[index.by_key[q.similar_to]])
        bits.append(t("similar_to", locale, title=title))
    if q.drama:
        bits.append(t("from_drama", locale, drama=drama_name(index, q.drama, locale)))
    if q.artist:
        bits.append(t("by_artist", locale, artist=q.artist))
    if q.year_from or q.year_to:
        bits.append(years_text(q, locale))
    return " ".join(bits)


def years_text(q: Query, locale: str) -> str:
    if q.year_from and q.year_to:
        span = str(q.year_from) if q.year_from == q.year_to else f"{q.year_from}-{q.year_to}"
        return t("years_span", locale, span=span)
    if q.year_from:
        return t("years_from", locale, year=q.year_from)
    return t("years_before", locale, year=(q.year_to or 0) + 1)


def b36(n: int) -> str:
    """A saved request's id in the button payload: short, and readable back with int(x, 36)."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


# ------------------------------------------------------------------------------ hints


def hint(text: str, locale: str) -> Reply:
    return Reply(text, locale, ReplyKind.HINT)


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
