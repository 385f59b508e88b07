"""Latin spellings of Hangul names, so "dokkaebi ost" and "sarangui bulsichak" find their drama.

People type Korean titles and names in Latin letters two ways: as they sound (Revised
Romanization with its sound changes: 사랑의 불시착 -> "sarangui bulsichak", 이태원 클라쓰 ->
"itaewon keullasseu") or letter by letter (백예린 -> "baekyerin", not the pronounced
"baengnyerin"), and surnames usually with k (김 -> "kim", not "gim"). All three come from
koroman (MIT), which implements the National Institute of Korean Language's rules; the index
adds them as aliases when it is built, so they are kept with it.
"""

from __future__ import annotations

import re

from bot.core.text import has_hangul, norm

_WORD_START_G = re.compile(r"\bg(?=[aeiouy])")


def latin_forms(name: str) -> list[str]:
    """Normalised Latin spellings of a name with Hangul in it (none for a name without)."""
    if not has_hangul(name):
        return []
    import koroman  # type: ignore[import-untyped]  # only when an index is built, not per start

    sounded = koroman.romanize(name)
    lettered = koroman.romanize(name, use_pronunciation_rules=False)
    forms = [sounded, lettered]
    if " " not in name.strip():
        forms.append(_WORD_START_G.sub("k", lettered))  # a person's name: 김필 -> kimpil
    out: list[str] = []
    for form in forms:
        key = norm(form)
        if key and not has_hangul(key) and key not in out:
            out.append(key)
    return out
