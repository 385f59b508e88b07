"""`_Reading`: one message read, step by step, in the order the package's docstring gives.

`run` calls each feature's steps in turn (they live in the modules named in state.py) and
then gathers what is left over, the signals and the query into the `Said`.
"""

from __future__ import annotations

from bot.core.text import has_hangul, squash
from bot.core.understand.constraints import _Constraints
from bot.core.understand.exclusions import _Exclusions
from bot.core.understand.korean import _Korean
from bot.core.understand.moods import _Moods
from bot.core.understand.signals import _Signals
from bot.core.understand.smalltalk import _Smalltalk
from bot.core.understand.typos import _Typos


class _Reading(_Korean, _Typos, _Moods, _Constraints, _Exclusions, _Signals, _Smalltalk):
    """One message being read: the words claimed so far and what they were found to be."""

    # ------------------------------------------------------------------- run

    def run(self) -> None:
        p, said = self.p, self.said
        # Per word, once: a number, a lexicon word, a word that looks like a typo.
        self.digit = [w.isdigit() for w in self.words]
        self.known = [w in p.table for w in self.words]
        self.typo = [
            w.isalpha() and len(w) >= 3 and not k and not p.is_word(w)
            for w, k in zip(self.words, self.known, strict=True)
        ]
        self._pre_signals()
        self._title_word()
        self._jamo_words()
        self._spans()
        self._hangul_names()
        self._short_names_ko()
        self._hangul_near_names()
        self._stems()
        self._emoji()
        self._a_feel()
        self._aftermath()
        self._years()
        self._count()
        self._inflections()
        self._typos()
        self._negation()
        self._relative()
        self._in_passing()
        self._talk_hedged()
        said.mentions = sorted(self.mentions, key=lambda m: m.pos)
        said.unknown = [
            w
            for i, w in enumerate(self.words)
            if not self.used[i]
            and i not in self.verb_like
            and not has_hangul(w)
            and not w.isdigit()
            and w not in p.quiet
            and not self._jamo_run(w)
        ]
        said.leftover = len(said.unknown)
        if any(w in p.lex.intents.request for w in self.words) or self._kind_asked():
            said.signals.add("request")
        self._moods_not_moves()
        # "ok now ballads by female singers": follow-up words that only open the message.
        marked = [i for i, meaning in self.marks if meaning == "op:markers"]
        if marked and all(self.words[i] in p.lex.intents.openers for i in marked):
            said.signals.add("openers")
        last = self.words[-1] if self.words else ""
        if has_hangul(last) and last.endswith(p.lex.follow_endings_ko) and len(last) > 1:
            said.signals.add("op:markers")  # "이별 노래로": make it breakup songs
            said.signals.discard("openers")
        tokens = self.msg.tokens
        for m in self.mentions:
            k = m.last + 1  # "IU는?", "Davichi는요": and IU? (a Latin name, a topic ending)
            if m.kind in ("drama", "artist") and k < len(tokens) and not tokens[m.last].hangul:
                glued = tokens[k].start == tokens[m.last].end
                if glued and self.words[k] in p.lex.topic_endings_ko:
                    said.signals.add("op:markers")
        flat = self.msg.flat.text
        # A word that points at a song, even inside a longer phrase ("not that one").
        this = p.lex.references
        if any(w in this.this for w in self.words) or any(squash(k) in flat for k in this.this_ko):
            said.signals.add("pointer")
        if any(w in p.lex.smalltalk.reaction for w in self.words) or any(
            k in flat for k in p.reaction_keys
        ):
            said.signals.add("reaction")
        if said.refs or "this" in said.signals:
            # "the 2nd one is daebak", "last one kinda mid": praise of a song pointed at.
            if "praise" in said.signals and "dislike" not in said.signals:
                said.signals.add("like")
            if "pan" in said.signals and "like" not in said.signals:
                said.signals.add("dislike")
        if "list" in said.signals:
            self._listing()
        if "browse" in said.signals:
            said.browse_arg = self.browse_arg()
        said.query = self._query()
