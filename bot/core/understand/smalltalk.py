"""Small talk the lexicon's phrases alone do not find: laughter in jamo (ㅋㅋㅋ, ㅎㅎ),
hesitation alone ("hmm", "음..", "🤔") or keys mashed in jamo (ㅁㄴㅇㄹ), and small talk looked
for again with hedges left out ("what even is an ost", "OST가 뭔데").
"""

from __future__ import annotations

import unicodedata

from bot.core.text import squash
from bot.core.understand.state import _State

_JAMO = unicodedata.normalize("NFKC", "ㅋㅎㅠㅜㄱㄴㄷㅅㅇㅈㅊ")
_LAUGH_OR_TEARS = frozenset(unicodedata.normalize("NFKC", "ㅋㅎㅠㅜ"))
MAX_HESITATION = 4  # words a message of hesitation alone has at most ("hmm, well, um, idk")


class _Smalltalk(_State):
    """Laughter in jamo, hesitation alone, and small talk said with a word more."""

    def _jamo_words(self) -> None:
        """ "ㅋㅋㅋ" and "ㅎㅎ" laugh, whatever their length; "ㅠㅠ" cries (an emoji, below)."""
        laugh = unicodedata.normalize("NFKC", "ㅋㅎ")
        for i, w in enumerate(self.words):
            if w and all(ch in laugh for ch in w) and (len(w) >= 2 or w == laugh[0]):
                self.said.smalltalk.append("laugh")
                self.said.signals.add("talk:laugh")
                self.take(i, i + 1)
        if self._hesitating():
            self.said.smalltalk.append("hesitation")
            self.said.signals.add("talk:hesitation")
            self.take(0, len(self.words))

    def _hesitating(self) -> bool:
        """Hesitation alone ("hmm", "음..", "well", "🤔", "...") or keys mashed in jamo
        ("ㅁㄴㅇㄹ"): it asks for nothing, so it is small talk, not "another"."""
        talk = self.p.lex.smalltalk
        if len(self.words) > MAX_HESITATION:
            return False
        if not all(w in talk.hesitation or self._mashed(w) for w in self.words):
            return False
        text = self.msg.text
        for tok in self.msg.tokens:  # what is left besides the words: dots, emoji
            text = text[: tok.start] + " " * (tok.end - tok.start) + text[tok.end :]
        thinking = any(e in text for e in talk.hesitation_emoji)
        for e in talk.hesitation_emoji:
            text = text.replace(e, " ")
        marks = set(text) - set(" \t\n\ufe0f")
        # "?" alone asks how to ask; "hmm?" and "🤔?" hesitate.
        allowed = set(".…,~") | (set("?!") if self.words or thinking else set())
        return marks <= allowed and bool(self.words or thinking or marks)

    def _mashed(self, word: str) -> bool:
        """Jamo that spell no word of the lexicon (ㅇㅋ, ㄴㄴ, said twice: ㅇㅋㅇㅋ) nor
        laughter or tears."""
        if not all("\u1100" <= ch <= "\u11ff" for ch in word):
            return False
        half = word[: len(word) // 2]
        said = squash(word) in self.p.stem_keys or (half * 2 == word and half in self.p.stem_keys)
        return not said and not set(word) <= _LAUGH_OR_TEARS

    def _jamo_run(self, word: str) -> bool:
        return bool(word) and all(ch in _JAMO for ch in word)

    def _talk_hedged(self) -> None:
        """Small talk with a word more: "what even is an ost", "what exactly are osts", and
        the Korean "OST가 뭔데", "오에스티가 무슨 뜻이야" (an OST word, a particle, a question)."""
        said, p = self.said, self.p
        if said.smalltalk or any(m.kind != "era" for m in self.mentions):
            return
        hedges = p.lex.smalltalk.hedges
        plain = " " + " ".join(w for w in self.words if w not in hedges) + " "
        found = [kind for phrase, kind in p.talk_phrases.items() if f" {phrase} " in plain]
        if "list" not in said.signals and p.define_ko.search(self.msg.flat.text):
            found.append("what_is_ost")
        for kind in dict.fromkeys(found):
            said.smalltalk.append(kind)
            said.signals.add(f"talk:{kind}")
