"""Who sings a track, worked out from the voices of its credited acts (data/artists.csv).

`artists.csv` says, per act and only where a source showed it, whether it is a female or male
singer or a girl, boy or mixed group. A track's voice follows from its credit: "female" when
every act on it is female-voiced, "duet" when it credits two or more acts, and so on. An act
whose voice is not known makes every voice that depends on it unknown, and an unknown voice
never matches a request: "female singer" never returns a song whose singer nobody checked.

The names below are the `voice` tags of data/moods.toml, where their English and Korean words
live; a voice tag there that this module does not work out is refused when the vocabulary loads.
"""

from __future__ import annotations

from collections.abc import Iterable

# An act's voice, as artists.csv writes it (blank: not confirmed by a source).
ACT_VOICES = ("female", "male", "female-group", "male-group", "mixed-group")

# The form tag of a track nobody sings on.
INSTRUMENTAL = "instrumental"

# What a request can ask of a track's voice; see track_voices.
TRACK_VOICES = ("female", "male", "girl-group", "boy-group", "group", "solo", "duet")

FEMALE = frozenset({"female", "female-group"})
MALE = frozenset({"male", "male-group"})
GROUPS = frozenset({"female-group", "male-group", "mixed-group"})


def act_voice(voice: str, group_voices: Iterable[str]) -> str:
    """An act's voice: its own, else what every group it belongs to says about its members.

    A member of a girl group is a female singer, of a boy group a male one; a member of a mixed
    group, or of groups that disagree, stays unknown.
    """
    if voice:
        return voice
    found = set(group_voices)
    if found == {"female-group"}:
        return "female"
    if found == {"male-group"}:
        return "male"
    return ""


def track_voices(voices: list[str], instrumental: bool) -> tuple[str, ...]:
    """The TRACK_VOICES a track has, from the voices of its credited acts ("" = unknown).

    - female / male: every act is female- (male-) voiced, solo singers or groups;
    - girl-group / boy-group / group: an act is a girl (boy, any) group;
    - solo: one act, a solo singer; duet: two or more acts credited (a fact of the credit,
      so it holds whatever their voices);
    - an instrumental track has no singer: only "duet" can hold for it.
    """
    out: list[str] = []
    if len(voices) >= 2:
        out.append("duet")
    if instrumental or not voices:
        return tuple(out)
    known = all(voices)
    if known and all(v in FEMALE for v in voices):
        out.append("female")
    if known and all(v in MALE for v in voices):
        out.append("male")
    if "female-group" in voices:
        out.append("girl-group")
    if "male-group" in voices:
        out.append("boy-group")
    if any(v in GROUPS for v in voices):
        out.append("group")
    if len(voices) == 1 and voices[0] in ("female", "male"):
        out.append("solo")
    return tuple(sorted(out, key=TRACK_VOICES.index))


def voice_flags(names: Iterable[str]) -> int:
    """TRACK_VOICES names as bits (bit i = TRACK_VOICES[i]): what the saved index keeps."""
    flags = 0
    for name in names:
        flags |= 1 << TRACK_VOICES.index(name)
    return flags
