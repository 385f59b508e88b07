"""Free text -> a registry command, and a message -> what it says (`Said`).

`parse` finds the command a message starts with (its words come from data/commands.toml); a
message that starts with none is free text. `read` reads free text into what it says: the
constraints of a request (a `Query`: moods with weights, energy, occasion, drama, artist,
years, count and what to leave out), and the signals the conversation needs to tell a new
request from a follow-up, a look-up, a like or small talk.

How a message is read, in order:

1. Words (`bot.core.tokens`): folded, with how each was typed (a capital in mid-sentence, a
   quote) and where punctuation falls; a stretched word ("hiii", "sooo") as the one it
   stretches. A word of a title said as such ("with snow in the title", "제목에 눈") is set
   aside first, so it is no mood. "like" as a verb or a feeling ("I would like", "feels
   like") is marked, so it never makes "songs like <title>".
2. Spans of words, longest first, against every vocabulary at once: catalog names (with their
   romanised and hand-written aliases, their short forms and spellings without spaces), song
   titles, moods, occasions and the lexicon's small words. A name that is also an everyday
   word ("Crush", "Punch", "rain") is taken only with a cue: "by Crush", "Punch OST", a capital
   in mid-sentence, quotes, pointing ("the crush one"), a name beside it it shares songs with
   ("crush cloy ost"), or nothing else in the message. A song title needs one too.
3. Korean, with spaces ignored: names and titles at the start of a word (외로운 is not 로운,
   드라이브 is not 라이브; a name's word goes on only with particles; a lexicon word covering it
   keeps it a word: 내 스타일), cued beside it or a few words on with only moods between (거미
   슬픈 노래); fans' short forms of big dramas with a cue (눈여 노래); then misspelt names (one
   jamo off), then mood, occasion and lexicon stems. A mood's feel is that mood (겨울 느낌),
   and the time after an occasion is what comes after it ("after the party", 회식 끝나고).
4. Emoji, years (parts of decades, ranges), counts, moods in other forms ("sadder", "snows"),
   and typos of what is left (never of an everyday word).
5. Exclusions: an English "not / no / without / except / anything but" excludes what follows
   to the end of its clause; a Korean "말고 / 빼고 / 아닌 / 없이 / 제외" the nearest thing said
   before it. An excluded era is a range left out.
6. Follow-up words said in passing (inside a message that asks for something of its own) are
   dropped, and small talk is looked for again with hedges left out ("what even is an ost").
   Praise or a pan ("daebak", "mid") is a like or a dislike only of a song pointed at.

Where each thing lives: said.py (`Said`, `Mention`), parser.py (`Parser`: the tables, `parse`,
`read`), reading.py (`_Reading.run`: the steps in order) over state.py (the words and what is
claimed); then one module per step: titles.py, names.py (spans and cues), korean.py, moods.py,
numbers.py (years, eras, counts), typos.py (with fuzzy.py), exclusions.py, signals.py,
smalltalk.py, and constraints.py (the `Query`).
"""

from __future__ import annotations

from bot.core.query import MAX_COUNT, Query
from bot.core.understand.parser import RECOMMEND, Parser
from bot.core.understand.said import Mention, Said

__all__ = ["MAX_COUNT", "RECOMMEND", "Mention", "Parser", "Query", "Said"]
