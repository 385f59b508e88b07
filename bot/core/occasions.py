"""The occasion vocabulary (data/occasions.toml): what music is for, mapped to weighted tags.

"music to study to" is no mood, but it says a lot about the songs that fit: quiet (low energy),
comforting, never tense. Each occasion names its phrases in English and Korean, its emoji, the
tags that suit it with a weight, the energies that fit and the tags it must avoid. Read once and
checked against the mood vocabulary like the rest of data/: an unknown tag, energy or key is an
error, never silently ignored.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from bot.core.korean import verb_forms
from bot.core.shipped import DATA_DIR
from bot.core.text import emoji_key, norm, squash
from bot.core.vocabulary import Vocabulary

OCCASIONS_FILE = DATA_DIR / "occasions.toml"
KEYS = frozenset(
    {"means", "say", "en", "ko", "ko_verbs", "emoji", "tags", "energy", "avoid", "after"}
)
ENERGY = {"low": "low-energy", "mid": "mid-energy", "high": "high-energy"}


class OccasionError(ValueError):
    """data/occasions.toml is missing, unreadable or names something moods.toml does not."""


@dataclass(frozen=True)
class Occasion:
    name: str
    means: str
    say: dict[str, str]  # how a reply names it, by language
    en: tuple[str, ...]
    ko: tuple[str, ...]
    emoji: tuple[str, ...]
    tags: tuple[tuple[str, float], ...]  # tag, weight (0-1], best first
    energy: tuple[str, ...]  # energy tag names that fit; () = any
    avoid: tuple[str, ...]
    after: str = ""  # the occasion "after X" means ("after the party": winding down); "" = X

    @property
    def main(self) -> tuple[str, ...]:
        """The tags that are the point of it (weight 1): what "not for X" leaves out."""
        return tuple(tag for tag, weight in self.tags if weight >= 1.0)


@dataclass(frozen=True)
class Occasions:
    items: dict[str, Occasion]

    @classmethod
    def load(cls, vocabulary: Vocabulary, path: Path = OCCASIONS_FILE) -> Occasions:
        """Read and check the file; the parser and the replies share one reading of it."""
        key = (path, id(vocabulary))
        found = _LOADED.get(key)
        if found is None or found[0] is not vocabulary:
            found = (vocabulary, cls._read(vocabulary, path))
            _LOADED.clear()  # one catalog at a time; a reload reads it again
            _LOADED[key] = found
        return found[1]

    @classmethod
    def _read(cls, vocabulary: Vocabulary, path: Path) -> Occasions:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise OccasionError(f"{path.name}: {exc}") from exc
        items = {name: _occasion(path.name, name, spec, vocabulary) for name, spec in raw.items()}
        if not items:
            raise OccasionError(f"{path.name}: no occasions defined")
        for occ in items.values():
            if occ.after and (occ.after not in items or occ.after == occ.name):
                raise OccasionError(
                    f"{path.name}: [{occ.name}] after: no other occasion {occ.after!r}"
                )
        return cls(items)

    def english_phrases(self) -> dict[str, str]:
        """Normalised English phrase -> occasion name."""
        return {norm(p): o.name for o in self.items.values() for p in o.en if norm(p)}

    def korean_stems(self) -> dict[str, str]:
        """Space-free Korean stem -> occasion name."""
        return {squash(p): o.name for o in self.items.values() for p in o.ko if squash(p)}

    def emoji(self) -> dict[str, str]:
        return {emoji_key(e): o.name for o in self.items.values() for e in o.emoji}


_LOADED: dict[tuple[Path, int], tuple[Vocabulary, Occasions]] = {}


def _occasion(source: str, name: str, spec: object, vocab: Vocabulary) -> Occasion:
    where = f"{source}: [{name}]"
    if not isinstance(spec, dict):
        raise OccasionError(f"{where} must be a table")
    if unknown := set(spec) - KEYS:
        raise OccasionError(f"{where} has unknown key(s) {', '.join(sorted(unknown))}")
    if missing := {"means", "say", "en", "ko", "tags"} - set(spec):
        raise OccasionError(f"{where} lacks {', '.join(sorted(missing))}")

    def words(key: str) -> tuple[str, ...]:
        value = spec.get(key, [])
        if not isinstance(value, list) or not all(isinstance(w, str) and w.strip() for w in value):
            raise OccasionError(f"{where}: {key} must be a list of words")
        return tuple(value)

    tags = spec["tags"]
    if not isinstance(tags, dict) or not tags:
        raise OccasionError(f"{where}: tags must be a table of tags and weights")
    weighted: list[tuple[str, float]] = []
    for tag, weight in tags.items():
        if tag not in vocab.tags:
            raise OccasionError(f"{where}: unknown tag {tag!r}")
        if vocab.tags[tag].kind == "energy":
            raise OccasionError(f"{where}: {tag!r} is an energy; list it under energy")
        if not isinstance(weight, int | float) or isinstance(weight, bool) or not 0 < weight <= 1:
            raise OccasionError(f"{where}: the weight of {tag!r} must be above 0 and at most 1")
        weighted.append((tag, float(weight)))
    weighted.sort(key=lambda tw: -tw[1])
    energy = []
    for level in words("energy"):
        if level not in ENERGY:
            raise OccasionError(f"{where}: energy {level!r} is not one of low, mid, high")
        energy.append(ENERGY[level])
    avoid = words("avoid")
    for tag in avoid:
        if tag not in vocab.tags:
            raise OccasionError(f"{where}: unknown tag {tag!r} in avoid")
        if tag in tags:
            raise OccasionError(f"{where}: {tag!r} is both wanted and avoided")
    if not isinstance(spec["means"], str) or not spec["means"].strip():
        raise OccasionError(f"{where}: means must say what the occasion is")
    said = spec["say"]
    if not isinstance(said, dict) or set(said) != {"en", "ko"}:
        raise OccasionError(f"{where}: say needs en and ko")
    if not all(isinstance(v, str) and v.strip() for v in said.values()):
        raise OccasionError(f"{where}: say needs en and ko text")
    en, ko = words("en"), words("ko")
    if not en or not ko:
        raise OccasionError(f"{where}: en and ko need at least one phrase each")
    for verb in words("ko_verbs"):
        # "재우다" stands for 재우, 재울, 재운 and 재워: the forms it is written in.
        try:
            forms = verb_forms(verb)
        except ValueError as exc:
            raise OccasionError(f"{where}: ko_verbs: {exc}") from exc
        if len(forms[0]) < 2:
            raise OccasionError(f"{where}: ko_verbs: {verb!r} is too short; list its forms in ko")
        ko += tuple(f for f in forms if f not in ko)
    return Occasion(
        name=name,
        means=spec["means"],
        say=dict(said),
        en=en,
        ko=ko,
        emoji=words("emoji"),
        tags=tuple(weighted),
        energy=tuple(energy),
        avoid=avoid,
        after=_after(where, spec.get("after", "")),
    )


def _after(where: str, value: object) -> str:
    if not isinstance(value, str):
        raise OccasionError(f"{where}: after must name an occasion")
    return value
