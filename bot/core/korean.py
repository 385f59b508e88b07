"""Korean particles chosen by the word they follow: 을/를, 이/가, 은/는, 와/과, (으)로, (이)라는.

A particle depends on whether the word ends in a consonant (받침): '그대를 봅니다'를 but
'대장금'이라는, Urban Zakapa를, 10CM을. For Hangul the last syllable says it; for Latin letters and
digits the way Koreans read them does (Zakapa -> 자카파, 10 -> 십, IU -> 아이유, Love -> 러브).

Templates in messages.py ask for a particle with a format spec: "{title:을}" is the title and
을 or 를; "{title:'을}" puts the title in quotes first ("'Stay With Me'를").
"""

from __future__ import annotations

# Each particle by its form after a consonant; the form after a vowel beside it.
PARTICLES = {
    "을": ("을", "를"),
    "를": ("을", "를"),
    "이": ("이", "가"),
    "가": ("이", "가"),
    "은": ("은", "는"),
    "는": ("은", "는"),
    "과": ("과", "와"),
    "와": ("과", "와"),
    "으로": ("으로", "로"),
    "로": ("으로", "로"),
    "이라는": ("이라는", "라는"),
    "라는": ("이라는", "라는"),
    "이랑": ("이랑", "랑"),
    "랑": ("이랑", "랑"),
    "이에요": ("이에요", "예요"),
    "예요": ("이에요", "예요"),
    "아": ("아", "야"),
    "야": ("아", "야"),
}
# How a digit is read: 영 일 이 삼 사 오 육 칠 팔 구; which readings end in a consonant, and ㄹ.
_DIGIT_FINAL = {"0": "ㅇ", "1": "ㄹ", "3": "ㅁ", "6": "ㄱ", "7": "ㄹ", "8": "ㄹ"}
# Letters spelled out in an acronym (EXO, IU, BTS): 엘 엠 엔 알 end in a consonant.
_LETTER_FINAL = {"l": "ㄹ", "m": "ㅁ", "n": "ㄴ", "r": "ㄹ"}
# A word's last sound: these endings are read with a final consonant (Crush -> 크러쉬 has none,
# Punch -> 펀치 none, but Moon -> 문, Book -> 북, Heartbeat -> 하트비트 none).
_FINAL_ENDINGS = (("ng", "ㅇ"), ("m", "ㅁ"), ("n", "ㄴ"), ("l", "ㄹ"), ("k", "ㄱ"), ("p", "ㅂ"))
_JONG = "ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"


def final_consonant(word: str) -> str | None:
    """The final consonant the word is read with ('ㄹ', 'ㄴ', ...), or None after a vowel."""
    for ch in reversed(word.strip()):
        if "가" <= ch <= "힣":
            jong = (ord(ch) - 0xAC00) % 28
            return _JONG[jong - 1] if jong else None
        if ch.isdigit():
            return _DIGIT_FINAL.get(ch)
        if ch.isascii() and ch.isalpha():
            return _latin_final(word)
    return None


def _latin_final(word: str) -> str | None:
    letters = "".join(ch for ch in word if ch.isascii() and ch.isalpha())
    last_word = word.split()[-1] if word.split() else word
    if last_word.isupper() and len(last_word) <= 4 and last_word.isalpha():
        return _LETTER_FINAL.get(last_word[-1].lower())  # spelled out: EXO, IU, CAN is a word
    low = letters.lower()
    for ending, jong in _FINAL_ENDINGS:
        if low.endswith(ending):
            return jong
    return None


def particle(word: str, which: str) -> str:
    """The form of particle `which` ("을", "이", "으로", ...) that follows `word`."""
    after_consonant, after_vowel = PARTICLES[which]
    final = final_consonant(word)
    if final is None:
        return after_vowel
    if after_consonant == "으로" and final == "ㄹ":
        return after_vowel  # 서울로, 할로, not 서울으로
    return after_consonant


def attach(word: str, which: str, quote: str = "") -> str:
    """The word (quoted when asked) followed by the right form of the particle."""
    return f"{quote}{word}{quote}{particle(word, which)}"
