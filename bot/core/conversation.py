"""What a message means in a conversation, and the request a follow-up makes.

The parser says what one message says (`Said`); this decides what it means given the user's
last request and the songs just shown: small talk, a listing, a look-up, a like or dislike, a
new request, or a change to the last request. A conversation is a stack of such changes: each
follow-up is applied to the last request and saved as the new last request, so "calmer" after
"sad songs from Goblin" is calmer sad songs from Goblin, and the next "calmer" calmer still.

The changes, each a small operator on a Query:
  more / one more / 하나 더      the next picks for the same request (a count may change)
  calmer / livelier              energy below / above the songs just shown
  sadder, more upbeat, less sad  a mood moved up or down (and its opposites left behind)
  older / newer                  years before / after the songs just shown
  same singer / same drama       the artist or drama of the song in focus
  more like the second one       songs that feel like a song shown
  same but from X                the same moods, another drama or artist
  not that one, nah, 별로        dislike the song in focus (after one song, or the one pointed
                                 at), and the next pick
  the Goblin one                 another song of the title just looked up
  what about Davichi             a name alone: it replaces the name of its kind (and of the
                                 other kind, when the two share no songs) ...
  the Goblin one, 호텔 델루나 거  ... or narrows the other (the singer's songs in that drama)
  I mean the singer              the other reading of a name that is two things
  anything else said             moods replace moods, exclusions add up, scope is kept

A change or a new request? A message changes the last request when it points back at it: a
follow-up word (a comparative, "more / less X", "but", "same but", "instead", "ones", "from the
same drama", a Korean ending such as 걸로), a song pointed at, or when it is a fragment with no
song noun and no request word ("female ones", "winter", "for a date", "only the hits"). A
message with a song noun or a request word of its own and nothing pointing back ("songs by
Punch", "something from Goblin", "female singer ballads", "여자 가수 발라드 추천해줘") is a new
request; words that only open a message ("ok", "now", "and") point back at nothing. A rejection
said with a new request ("nah, something from goblin") records the dislike and asks anew.

A new message is also weighed by what it asks: what there is ("what OSTs has X done", "X ost
뭐 있어") gets the list; a description that leaves a few songs (an artist and a drama, a word
of the title) gets a look-up of the first; anything else, picks.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from bot.core.index import CatalogIndex
from bot.core.query import MAX_COUNT, Query
from bot.core.text import has_hangul, norm, squash
from bot.core.understand import Said

# Which small talk answers first when a message has several ("thanks, bye").
TALK_ORDER = (
    "what_is_ost",
    "about_bot",
    "help",
    "how_are_you",
    "thanks",
    "bye",
    "greeting",
    "praise",
    "sorry",
    "laugh",
    "ok",
    "chat",
    "hesitation",
)
# Small talk that thanks, greets or praises the bot: a like word said with it ("perfect,
# thanks") is part of the thanks unless it points at a song.
COURTESY = frozenset({"thanks", "bye", "greeting", "praise"})
RELATIVE_OPS = frozenset({"calmer", "livelier", "older", "newer"})
FACET_KEPT = 0.5  # the weight the moods kept keep when a season alone is added ("winter ones")
FOLLOW_OPS = frozenset(
    {
        "more",
        "count_change",
        "calmer",
        "livelier",
        "older",
        "newer",
        "same_artist",
        "same_drama",
        "same_vibe",
        "similar",
        "reject",
        "the_artist",
        "the_drama",
    }
)


@dataclass(frozen=True)
class Context:
    last: Query | None  # the user's last request
    shown: tuple[int, ...]  # the songs of the last reply (track ids)
    focus: int | None  # the song last liked, disliked or looked up; else the first shown


@dataclass
class Plan:
    kind: str  # recommend | lookup | feedback | smalltalk | browse | unknown | ask
    query: Query | None = None
    rate: list[tuple[int, int]] = field(default_factory=list)  # (track id, 1 or -1)
    changes: list[str] = field(default_factory=list)  # what a follow-up changed
    kept: list[str] = field(default_factory=list)  # what it kept: drama, artist
    again: bool = False  # the next picks of the last request itself
    talk: str = ""
    browse: str = ""  # help | moods | dramas | about
    browse_arg: str = ""
    track: int | None = None  # what a look-up found
    others: list[int] = field(default_factory=list)  # other songs of that title
    also: list[int] = field(default_factory=list)  # other songs that fit what was described
    problem: str = ""  # for kind ask: the message key to say
    shown: int = 0  # for the problems beyond_*: how many songs the last reply had
    title_word: str = ""  # for the problem no_title_word: the word no title has


def decide(said: Said, ctx: Context, index: CatalogIndex) -> Plan:
    q = said.query
    ops = {s[3:] for s in said.signals if s.startswith("op:")}
    follow = ops & FOLLOW_OPS
    feedback = 1 if said.has("like") else -1 if said.has("dislike") else 0
    requested = said.has("request") or said.has("any")

    # Small talk: nothing but greetings, thanks, laughter, questions about the bot.
    talk = [k for k in TALK_ORDER if k in said.smalltalk]
    if ctx.last is None and talk == ["hesitation"]:
        talk = []  # "hmm" with nothing asked yet: not understood, as any word
    # Thanks that praise ("this was perfect, thanks", "perfect, thank you!") thank the bot:
    # praise counts as a like only when a song is clearly meant (an ordinal, a title, "love
    # it", "this one").
    pointed = said.refs or said.has("this") or said.titles
    if feedback > 0 and not pointed and COURTESY.intersection(talk):
        feedback = 0
    browse = said.has("browse")
    only_talk = not (said.content or said.refs or feedback or follow or browse)
    # Thanks that say how one feels ("고마워요 덕분에 힘이 나네요", "thank you, I feel better
    # now"): a mood with no wish, follow-up word, name or song in it thanks the bot.
    # A follow-up word ("now") said with how one feels ("I feel better now") is no change.
    marked = said.has("op:markers") and not said.has("feeling")
    feeling = not (q.drama or q.artists or said.titles or said.refs or marked)
    if "thanks" in talk and feeling and not (requested or follow or feedback or browse):
        return Plan("smalltalk", talk="thanks")
    if talk and only_talk and (not requested or talk[0] in ("what_is_ost", "about_bot", "help")):
        if talk[0] == "help":
            return Plan("browse", browse="help")
        return Plan("smalltalk", talk=talk[0])

    # Listing the catalog in words: "what moods are there", "dramas from 2020".
    # The dramas or the moods, when said, before the catalog as a whole ("which dramas are in
    # your collection?").
    if browse and not said.titles and not (q.artists or q.drama):
        asking = said.has("list") or not said.has("request")  # "드라마 목록 알려줘"
        # "I'm tired of old dramas" leaves an era out of the songs, "duets from dramas" says
        # who sings them: songs, no listing.
        songs = q.tags or q.voice or q.excludes
        if said.has("browse:dramas") and asking and not songs:
            return Plan("browse", browse="dramas", browse_arg=said.browse_arg)
        if said.has("browse:moods"):
            return Plan("browse", browse="moods")
        if said.has("browse:about"):
            return Plan("browse", browse="about")

    shown = list(ctx.shown)
    focus = ctx.focus if ctx.focus is not None else (shown[0] if shown else None)
    target = _referred(said, shown, focus)

    # A reaction to the songs just shown ("ㅠㅠ 너무 슬퍼"): no new request, the last one stays.
    reaction = said.has("reaction") and not said.has("request") and not follow
    named = q.drama or q.artists or said.titles or said.refs or ops & {"markers"}
    if reaction and shown and not named and not feedback:
        return Plan("smalltalk", talk="reaction")

    # A place the last reply did not have ("2번 좋아요" after one song): say how many it had,
    # rather than rate or follow another song.
    beyond = shown and said.refs and all(n > len(shown) for n in said.refs)
    if beyond and (feedback or follow or said.has("similar_ko") or not said.content):
        problem = "beyond_one" if len(shown) == 1 else "beyond_many"
        if not feedback:  # "more like the fourth one": no like to teach
            problem += "_plain"
        return Plan("ask", problem=problem, shown=len(shown))

    # A like or a dislike: "love the first one", "2번 싫어요", "I don't like Stay With Me".
    if feedback and (pointed or not said.content) and (pointed or not said.has("request")):
        if said.titles and not said.refs and not said.has("this"):
            named = [t for t in said.titles if t in shown] or _best_titles(
                said.titles, q, index, said.text, said.pinned
            )
            target = named[0]
            others = [t for t in said.titles if t != target]
        else:
            others = []
        if target is None:
            return Plan("ask", problem="feedback_which")
        rate = [(target, feedback)]
        rest = follow - {"reject"}
        rejected = "reject" in follow and feedback < 0 and not (said.refs or said.titles)
        if rejected and ctx.last is not None and not ctx.last.lookup and not rest:
            # "nah", "not that one", "별로": the next pick too, not only the dislike.
            plan = _follow(said, replace(ctx, focus=target), index, ops)
            if plan is not None:
                return plan
        if ctx.last is not None and (rest or said.has("op:similar")):
            plan = _follow(said, replace(ctx, focus=target), index, ops)
            if plan is not None:
                plan.rate = rate + plan.rate
                return plan
        return Plan("feedback", rate=rate, others=others)

    # A song by name: looked up, or the seed of "songs like it".
    if said.titles and q.similar_to is None:
        pinned = _best_titles(said.titles, q, index, said.text, said.pinned)
        if ops & {"similar"} or said.has("similar_ko"):
            seed = index.tracks[pinned[0]].key
            return Plan("recommend", query=replace(q, similar_to=seed, drama=None, artist=None))
        return Plan(
            "lookup",
            query=Query(lookup=True, title=said.title, similar_to=index.tracks[pinned[0]].key),
            track=pinned[0],
            others=[t for t in said.titles if t != pinned[0]],
        )
    # A song described rather than named: "the gummy song from hotel del luna", "the goblin
    # song with snow in the title". When that leaves a few songs, the first is looked up.
    if said.title_words or (q.drama and q.artists):
        plan = _described(said, q, index)
        if plan is not None:
            return plan

    # A drama's or an artist's songs listed: "tell me about Goblin's soundtrack", "who is
    # Punch", "what OSTs has Taeyeon done?", "10cm ost 뭐 있어?", "도깨비 전곡".
    asks = said.has("lookup") or said.has("list")
    picky = q.tags or q.energy or q.year_from or q.year_to or q.excludes or q.similar_to
    if asks and (q.drama or q.artist) and not picky:  # "거미 잔잔한 곡 있어?" is picks
        return Plan("lookup", query=replace(q, lookup=True))

    # A follow-up to the last request; a request that opens with a greeting ("hello! any recs
    # for a lazy sunday?") starts afresh.
    last = None if "greeting" in talk and said.content and not follow else ctx.last
    if (last is not None and not last.lookup) or (last is not None and follow):
        plan = _follow(said, replace(ctx, focus=focus), index, ops)
        if plan is not None:
            return plan
    elif last is not None and last.lookup:
        plan = _after_lookup(said, ctx, index)
        if plan is not None:
            return plan

    if said.content or said.has("any"):
        # "play something": any good song. "nah, something from goblin": a rejection of the
        # song shown, recorded as "not that one" is, and the new request.
        return Plan("recommend", query=q, rate=_rejected(said, shown, focus, ops))
    if follow & {"more", "count_change", "reject", "similar", "same_artist", "same_drama"}:
        return Plan("ask", problem="another_none")
    if requested and not said.unknown:
        return Plan("recommend", query=q)  # "recommend something": any good song
    if talk:
        return Plan("smalltalk", talk=talk[0])
    return Plan("unknown", query=q)


MAX_DESCRIBED = 3  # songs a drama and an artist may leave for a look-up rather than picks


def _described(said: Said, q: Query, index: CatalogIndex) -> Plan | None:
    """The songs a description leaves (a drama, an artist, a word of the title), looked up
    when they are few; None when the message asks for more than that (a mood, years) or the
    description leaves many songs (then they are picks)."""
    if q.tags or q.energy or q.year_from or q.year_to or q.excludes or q.similar_to:
        return None
    pool: list[int] | None = None
    if q.drama and q.artists:
        pool = index.together(q.drama, q.artists)
    elif q.drama:
        pool = [index.by_key[tr.key] for tr in index.soundtrack(q.drama)]
    elif q.artists:
        pool = sorted(set().union(*(index.artist_track_sets.get(a, ()) for a in q.artists)))
    if said.title_words:
        scope = pool if pool is not None else range(len(index.tracks))
        pool = _titled(index, said.title_words, scope)
        if not pool:
            return Plan("ask", problem="no_title_word", query=q, title_word=said.title_words[0])
        if not (q.drama or q.artists):
            pool.sort(key=lambda t: -len(index.drama_tracks.get(index.tracks[t].drama, ())))
    elif pool is None or not 1 <= len(pool) <= MAX_DESCRIBED:
        return None
    return Plan("lookup", query=replace(q, lookup=True), track=pool[0], also=pool[1:5])


def _titled(index: CatalogIndex, words: tuple[str, ...], scope: Iterable[int]) -> list[int]:
    """Songs whose title has the word: a word of it, or the start of one ("snow" in
    "Snowflake"); in Hangul, anywhere in the title (눈 in 첫눈처럼)."""
    for word in words:
        key = norm(word)
        found = []
        for t in scope:
            tr = index.tracks[t]
            names = (tr.title, tr.title_ko or "", *tr.aliases)
            if has_hangul(key):
                hit = any(key in squash(n) for n in names if has_hangul(n))
            else:
                hit = any(f" {key}" in f" {norm(n)}" for n in names if n and not has_hangul(n))
            if hit:
                found.append(t)
        if found:
            return found
    return []


def _referred(said: Said, shown: list[int], focus: int | None) -> int | None:
    """The song a message points at: "the second one", "마지막 거", "this one"."""
    for n in said.refs:
        if n == -1 and shown:
            return shown[-1]
        if 1 <= n <= len(shown):
            return shown[n - 1]
    return focus


def _best_titles(
    ids: list[int], q: Query, index: CatalogIndex, text: str = "", pins: list[int] | None = None
) -> list[int]:
    """Songs of one title, the one the message pins (by its artist or drama) first, then the
    better known (its sourced popularity, its drama's, then how many songs its drama and its
    artist have here)."""
    flat = squash(text)

    def rank(t: int) -> tuple[int, int, int, int]:
        tr = index.tracks[t]
        pinned = (q.drama == tr.drama) + any(a in index.credit(tr.artist) for a in q.artists)
        pinned += 2 * (t in (pins or ()))  # the parser saw its artist or drama beside it
        pinned += any(t in index.artist_track_sets.get(a, frozenset()) for a in q.artists)
        # A Hangul name said beside it that the parser left as a word ("유아 Stay With Me").
        for act in index.credit(tr.artist):
            a = index.artists.get(act)
            if a and a.name_ko and squash(a.name_ko) in flat:
                pinned += 1
        known = len(index.drama_tracks.get(tr.drama, ())) + sum(
            len(index.artist_tracks.get(a, ())) for a in index.credit(tr.artist)
        )
        fame, drama_fame = index.renown(t)  # issue 10: sourced popularity first
        return -pinned, -fame, -drama_fame, -known

    return sorted(dict.fromkeys(ids), key=rank)


def _after_lookup(said: Said, ctx: Context, index: CatalogIndex) -> Plan | None:
    """After a look-up: "the Goblin one", "which drama is it from?"."""
    last = ctx.last
    assert last is not None  # noqa: S101 - the caller checked
    q = said.query
    ops = {s[3:] for s in said.signals if s.startswith("op:")}
    # "the Goblin one", "Punch?": another song of the title. "songs by Punch", "something
    # from Goblin", "more by crush", "songs by Punch instead" ask for songs of their own.
    if last.title and (q.drama or q.artist) and not q.tags and _one_of_title(said, ops):
        ids = list(index.titles.get(last.title) or ()) or list(
            index.hangul_titles.get(last.title) or ()
        )
        fitting = [
            t
            for t in ids
            if (not q.drama or index.tracks[t].drama == q.drama)
            and all(t in index.artist_track_sets.get(a, frozenset()) for a in q.artists)
        ]
        if fitting:
            best = fitting[0]
            return Plan(
                "lookup",
                query=replace(last, similar_to=index.tracks[best].key),
                track=best,
                others=[t for t in ids if t != best],
            )
    if said.has("lookup") and not said.content and ctx.focus is not None:
        return Plan("lookup", query=last, track=ctx.focus)
    if ops & FOLLOW_OPS:
        return _follow(said, ctx, index, ops)
    if (last.drama or last.artists) and not last.title and _only_names(said, ops):
        return _follow(said, ctx, index, ops)  # "10cm ost 뭐 있어?", then "the goblin one"
    return None


def _follow(said: Said, ctx: Context, index: CatalogIndex, ops: set[str]) -> Plan | None:
    """The last request changed as the message says, or None when it is a new request."""
    last = ctx.last
    if last is None or _complete(said, ops):
        return None
    q = said.query
    shown = list(ctx.shown)
    focus = _referred(said, shown, ctx.focus)
    moved = said.mood_changes
    scope = bool(q.drama or q.artists)
    marker = bool(ops & {"markers"}) or not said.has("request")
    vocab = index.vocabulary.tags

    # "I mean the singer": the other reading of the name.
    for op, kind in (("the_artist", "artist"), ("the_drama", "drama")):
        if op in ops and not scope and last.other and last.other.startswith(kind):
            return Plan("recommend", query=flip(last), changes=[f"the_{kind}"])
    # "the Goblin one": another song of the title last named.
    titled = _one_of_title(said, ops)
    if last.title and scope and not q.tags and not moved and last.similar_to and titled:
        ids = list(index.titles.get(last.title) or ())
        fitting = [
            t
            for t in ids
            if (not q.drama or index.tracks[t].drama == q.drama)
            and all(t in index.artist_track_sets.get(a, frozenset()) for a in q.artists)
        ]
        if fitting:
            return Plan(
                "recommend",
                query=replace(last, similar_to=index.tracks[fitting[0]].key),
                changes=["like_title"],
            )

    count = said.count if said.count is not None else None
    new = last
    changes: list[str] = []
    rejected = _rejected(said, shown, focus, ops)
    if "reject" in ops and focus is not None:
        asks_more = moved or q.tags or q.energy or q.voice or q.excludes or scope
        if not (asks_more or q.year_from or q.year_to or ops & RELATIVE_OPS):
            plan = Plan("recommend", query=_with_count(last, count), again=count is None)
            plan.changes = ["reject"]
            plan.rate = rejected
            return plan
        # "ㄴㄴ 더 신나는 거", "nah, something sadder": that one disliked, and the change.
    if ("similar" in ops or said.has("similar_ko")) and focus is not None and not said.titles:
        # "anything similar from Goblin?": songs like it, from the drama (or by the singer)
        # named.
        new = Query(
            similar_to=index.tracks[focus].key,
            drama=q.drama,
            artist=q.artist,
            also_artists=q.also_artists,
            count=count or last.count,
            not_tags=q.not_tags,
            not_artists=q.not_artists,
            not_dramas=q.not_dramas,
        )
        return Plan("recommend", query=new, changes=["similar", *(["renamed"] if scope else [])])
    if "same_artist" in ops and focus is not None and not scope:
        acts = index.credit(index.tracks[focus].artist)
        new = replace(
            _scoped(last),
            tags=(),
            weights=(),
            energy=(),
            occasion=None,
            artist=acts[0],
            also_artists=tuple(acts[1:]),
            drama=None,
            not_tracks=(*last.not_tracks, index.tracks[focus].key),
        )
        changes.append("same_artist")
    elif "same_drama" in ops and focus is not None and not scope:
        new = replace(
            _scoped(last),
            drama=index.tracks[focus].drama,
            artist=None,
            also_artists=(),
            not_tracks=(*last.not_tracks, index.tracks[focus].key),
            tags=(),
            weights=(),
            energy=(),
            occasion=None,
        )
        changes.append("same_drama")
    elif scope:
        if "same_vibe" in ops or said.has("op:same_vibe"):
            new = replace(
                last,
                drama=q.drama,
                artist=q.artist,
                also_artists=q.also_artists,
                similar_to=None,
                lookup=False,
                title=None,
                other=q.other,
            )
            changes.append("same_vibe")
        elif _only_names(said, ops):
            # "what about Davichi": another singer, the same request; "the Goblin one" after
            # songs by 10CM: their song in Goblin.
            renamed = _renamed(last, q, index, shown, said.has("pointed"))
            if renamed is None:
                return None
            seen = index.together(renamed.drama, renamed.artists) if renamed.drama else []
            if said.has("pointed") and seen and set(seen) <= set(shown):
                # "the Goblin one" about a song just shown: that song.
                found = replace(renamed, lookup=True, count=1)
                return Plan("lookup", query=found, track=seen[0], also=seen[1:])
            if last.lookup and not last.title:
                # After a list ("10cm ost 뭐 있어?"): "헤이즈는?" is Heize's list, "the Goblin
                # one" their song in Goblin. After a song looked up, "more by crush" is picks.
                listed = _described(said, renamed, index)
                return listed or Plan("lookup", query=replace(renamed, lookup=True))
            new = renamed
            changes.append("renamed")
            apart = _apart(last, q, renamed, index)
            if apart:
                changes.append(f"apart:{apart}")
        else:
            return None  # a new drama or artist: a new request
    relative = ops & RELATIVE_OPS
    if q.not_years:
        # "I'm tired of old dramas", "옛날 노래 질렸어": the era said is left out, not asked
        # for; leaving it out is the change.
        relative -= {"older", "newer"}
    if not (changes or relative or moved or ops & {"more", "count_change"} or marker):
        return None
    if not (changes or relative or moved or ops or said.content) and said.unknown:
        # Nothing understood ("asdf", a stray paste) is not "another": the user is told what
        # was not caught, and the last request is left as it was.
        return None
    if (
        said.has("request")
        and not (relative or moved or ops & FOLLOW_OPS)
        and not (ops & {"markers"})
    ):
        return None

    # Moods said outright replace the last ones; exclusions add up.
    said_tags = [t for t in q.tags if not any(m.value == t and m.relative for m in moved)]
    if said_tags and not changes and all(vocab[t].kind != "mood" for t in said_tags):
        # A season or a scene alone ("겨울 느낌으로요", "for a date") adds to the moods kept; it
        # replaces only a season or scene said before.
        # The moods kept count half as much as the season asked for: it is the point now.
        kinds = {vocab[t].kind for t in said_tags}
        kept_tags = tuple(t for t in new.tags if vocab[t].kind not in kinds)
        kept_weights = {t: new.weight(t) * FACET_KEPT for t in kept_tags}
        new = replace(
            new,
            tags=(*said_tags, *kept_tags),
            weights=tuple(kept_weights.items()) + q.weights,
            not_tags=tuple(t for t in new.not_tags if t not in said_tags),
            similar_to=None,
        )
        changes.append("moods")
    elif said_tags and not changes:
        # Moods said now replace the last ones, and what was left out before gives way to
        # them ("sad ones now" after an occasion that avoided sad songs).
        new = replace(
            new,
            tags=q.tags,
            weights=q.weights,
            occasion=q.occasion,
            not_tags=tuple(t for t in new.not_tags if t not in said_tags),
            similar_to=None,
        )
        changes.append("moods")
    if q.energy and not relative:
        new = replace(new, energy=q.energy)
    if q.voice or q.popularity:  # "female ones", "only the hits": issue 10's conditions add on
        new = replace(
            new, voice=_add(new.voice, q.voice), popularity=q.popularity or new.popularity
        )
    if (q.year_from or q.year_to) and not relative & {"older", "newer"}:
        new = replace(new, year_from=q.year_from, year_to=q.year_to, strict_years=False)
        changes.append("years")
    new = replace(
        new,
        not_tags=_add(new.not_tags, q.not_tags),
        not_energy=_add(new.not_energy, q.not_energy),
        not_dramas=_add(new.not_dramas, q.not_dramas),
        not_artists=_add(new.not_artists, q.not_artists),
        not_tracks=_add(new.not_tracks, q.not_tracks),
        not_years=tuple(dict.fromkeys((*new.not_years, *q.not_years))),
    )
    if q.not_dramas or q.not_artists or q.not_tags or q.not_years:
        changes.append("excluded")
    if new.drama in new.not_dramas:
        new = replace(new, drama=None)
    if new.artist in new.not_artists:
        new = replace(new, artist=None, also_artists=())
    # Moods moved: "sadder", "more upbeat", "less sad".
    energies = index.vocabulary.energies()
    energy_said: tuple[str, ...] = ()
    for m in moved:
        tag = str(m.value)
        if vocab[tag].kind == "energy":
            # "좀 더 잔잔한": calmer, and the calm ones; "덜 시끄러운": calmer than those shown.
            level = energies.index(tag) if tag in energies else -1
            if level in (0, len(energies) - 1):
                lower = (level == 0) == (m.relative > 0)
                relative.add("calmer" if lower else "livelier")
                energy_said = (tag,) if m.relative > 0 else ()
            continue
        if m.relative > 0:
            left = set(vocab[tag].opposite)
            kept = [t for t in new.tags if t not in left and t != tag]
            new = replace(
                new,
                tags=(tag, *kept),
                weights=tuple(w for w in new.weights if w[0] != tag),
                not_tags=_add(tuple(t for t in new.not_tags if t != tag), tuple(left)),
            )
            changes.append(f"up:{tag}")
            if vocab[tag].arousal == "high":
                relative.add("livelier")
        else:
            gone = {tag, *vocab[tag].near}
            new = replace(
                new,
                tags=tuple(t for t in new.tags if t not in gone),
                not_tags=_add(new.not_tags, tuple(t for t in gone if vocab[t].kind != "energy")),
            )
            changes.append(f"down:{tag}")
            if vocab[tag].arousal == "high":
                relative.add("calmer")
    years = [index.tracks[i].year for i in shown]
    levels = [lv for lv in (_level(i, index) for i in shown) if lv is not None]
    if "calmer" in relative or "livelier" in relative:
        calmer = "calmer" in relative
        top = len(energies) - 1
        if levels:
            lo, hi = min(levels), max(levels)
            if calmer:  # no livelier than the calmest shown, calmer than the liveliest
                allowed = [n for n in range(top + 1) if n <= lo and (n < hi or hi == 0)]
            else:
                allowed = [n for n in range(top + 1) if n >= hi and (n > lo or lo == top)]
        else:
            allowed = [0] if calmer else [top]
        lively = {t for t, tag in vocab.items() if tag.arousal == ("high" if calmer else "low")}
        new = replace(
            new,
            energy=tuple(energies[n] for n in allowed),
            tags=tuple(t for t in new.tags if t not in lively) or new.tags,
        )
        if calmer:
            new = replace(new, not_tags=tuple(t for t in new.not_tags if t != "low-energy"))
        if energy_said:
            new = replace(new, energy=energy_said)
        changes.append("calmer" if calmer else "livelier")
    if ("older" in relative or "newer" in relative) and years:
        # statistics.fmean, without importing statistics (with fractions and decimal: 3-4 ms
        # of every start) for one mean.
        mean = math.fsum(years) / len(years)
        if "older" in relative:
            new = replace(new, year_to=math.ceil(mean) - 1, year_from=None, strict_years=True)
            changes.append("older")
        else:
            new = replace(new, year_from=math.floor(mean) + 1, year_to=None, strict_years=True)
            changes.append("newer")
    new = _with_count(replace(new, lookup=False, unknown=(), suggestions=()), count)
    if not changes and new == _with_count(last, count):
        return Plan("recommend", query=new, again=count is None, changes=["more"], rate=rejected)
    kept = [
        k for k in ("drama", "artist") if getattr(new, k) and getattr(new, k) == getattr(last, k)
    ]
    return Plan("recommend", query=new, changes=changes, kept=kept, rate=rejected)


def _complete(said: Said, ops: set[str]) -> bool:
    """A request of its own: it says what it asks for ("songs by Punch", "something from
    Goblin", "female singer ballads", "ok now ballads by female singers") and nothing that
    points back at the last one ("the Goblin one", "same but ...", "sadder", "what about
    ..."). "more" with a name and a song noun is that name's songs ("more songs by Punch")."""
    if not said.has("request") or said.refs or said.mood_changes:
        return False
    named = bool(said.query.drama or said.query.artists)
    back = ops & FOLLOW_OPS - ({"more"} if named else set())
    markers = "markers" in ops and not said.has("openers")
    if markers and named and "more" in ops:
        markers = False  # "more" said as a marker too
    return not back and not markers


def _one_of_title(said: Said, ops: set[str]) -> bool:
    """ "the Goblin one", "Punch?", "허각 거" after a title: the song of that title by them, not
    songs of their own ("songs by Punch instead", "more by crush")."""
    return not _complete(said, ops) and not ops & FOLLOW_OPS and said.query.count <= 1


def _rejected(
    said: Said, shown: list[int], focus: int | None, ops: set[str]
) -> list[tuple[int, int]]:
    """The dislike a rejection ("nah", "not that one", "별로") records: of the one song shown,
    or of the one pointed at. "nah" after several says none of them, not which: no dislike."""
    if "reject" not in ops or focus is None:
        return []
    if len(shown) <= 1 or said.has("this") or said.has("pointer") or said.refs:
        return [(focus, -1)]
    return []


def _only_names(said: Said, ops: set[str]) -> bool:
    """A drama or an artist said with a follow-up word and nothing else: "what about
    Davichi", "the Goblin one", "호텔 델루나 거", "다비치는?"."""
    q = said.query
    if q.tags or q.energy or q.year_from or q.year_to or q.excludes or said.mood_changes:
        return False
    if said.titles or said.title_words or said.refs or q.similar_to:
        return False
    return "markers" in ops


def _renamed(
    last: Query, q: Query, index: CatalogIndex, shown: list[int], said_pointed: bool = False
) -> Query | None:
    """The last request with the names said: a name of the same kind replaces the last one; a
    name of the other kind is added (the singer's songs in that drama), unless they have no
    songs together ("what about IU?" after Goblin: IU's songs, the rest of the request kept)
    or the only ones were just shown ("anything from Hotel del Luna?" after Taeyeon's song
    from it: more of the drama) and the message does not point at one ("the Hotel del Luna
    one"). None when nothing was named."""
    if not (q.drama or q.artists):
        return None
    drama = q.drama or last.drama
    artist, also = (q.artist, q.also_artists) if q.artists else (last.artist, last.also_artists)
    if drama and (artist or also) and not (q.drama and q.artists):
        together = index.together(drama, (artist, *also) if artist else also)
        if not together or (set(together) <= set(shown) and not said_pointed):
            drama = q.drama
            artist, also = (q.artist, q.also_artists)
    new = replace(
        last,
        drama=drama,
        artist=artist,
        also_artists=also,
        similar_to=None,
        lookup=False,
        title=None,
        other=q.other,
        strict_years=False,
    )
    if drama and new.artists:
        # A song or two together: the count asked before may be more than there are.
        together = index.together(drama, new.artists)
        new = replace(new, count=max(1, min(new.count, len(together))), asked=None)
    return new


def _apart(last: Query, q: Query, new: Query, index: CatalogIndex) -> str:
    """The name of the other kind a name said alone left out because the two have no songs
    together: "drama:Goblin" for "what about IU?" after Goblin; else ""."""
    artist_said = q.artists and not q.drama and last.drama and not new.drama
    if artist_said and last.drama and not index.together(last.drama, q.artists):
        return f"drama:{last.drama}"
    drama_said = q.drama and not q.artists and last.artists and not new.artists
    if drama_said and q.drama and not index.together(q.drama, last.artists):
        return f"artist:{' & '.join(last.artists)}"
    return ""


def flip(q: Query) -> Query:
    """The request with its name read the other way: the singer Punch, not the drama."""
    if not q.other:
        return q
    kind, name = q.other.split(":", 1)
    drama = name if kind == "drama" else None
    return replace(
        q,
        drama=drama,
        artist=None if drama else name,
        also_artists=(),
        other=f"{'drama' if q.drama else 'artist'}:{q.drama or q.artist}",
        lookup=False,
    )


def _scoped(q: Query) -> Query:
    return replace(q, similar_to=None, lookup=False, title=None, year_from=None, year_to=None)


def _with_count(q: Query, count: int | None) -> Query:
    if count is None:
        return q
    return replace(
        q, count=min(max(1, count), MAX_COUNT), asked=count if count > MAX_COUNT else None
    )


def _add(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*a, *b)))


def _level(i: int, index: CatalogIndex) -> int | None:
    order = index.vocabulary.energies()
    for t in index.tracks[i].tags:
        if t in order:
            return order.index(t)
    return None
