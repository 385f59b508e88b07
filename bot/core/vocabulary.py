"""The mood vocabulary: canonical tags with English and Korean synonyms (data/moods.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from bot.core.models import Tag
from bot.core.text import emoji_key, norm, squash
from bot.core.voice import TRACK_VOICES

# mood, energy, season, scene and form are written on tracks (form: how it is performed, e.g.
# instrumental); voice is worked out from the credited artists (bot/core/voice.py), never
# written on a track.
KINDS = ("mood", "energy", "season", "scene", "form", "voice")
# Asked for as conditions every pick must meet, not as moods to score by.
FILTER_KINDS = frozenset({"form", "voice"})
AROUSAL = ("", "low", "mid", "high")


class VocabularyError(ValueError):
    pass


@dataclass(frozen=True)
class Vocabulary:
    tags: dict[str, Tag]

    @classmethod
    def load(cls, path: Path) -> Vocabulary:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise VocabularyError(f"{path}: {exc}") from exc
        tags: dict[str, Tag] = {}
        for name, spec in raw.get("tags", {}).items():
            kind = spec.get("kind")
            if kind not in KINDS:
                raise VocabularyError(f"{path}: tag {name!r} has unknown kind {kind!r}")
            if kind == "voice" and name not in TRACK_VOICES:
                raise VocabularyError(
                    f"{path}: voice tag {name!r} is not one ostbot works out"
                    f" ({', '.join(TRACK_VOICES)})"
                )
            arousal = spec.get("arousal", "")
            if arousal not in AROUSAL:
                raise VocabularyError(f"{path}: tag {name!r} has unknown arousal {arousal!r}")
            tags[name] = Tag(
                name=name,
                kind=kind,
                label_ko=spec.get("label_ko", name),
                means=spec.get("means", ""),
                en=tuple(spec.get("en", ())),
                ko=tuple(spec.get("ko", ())),
                emoji=tuple(spec.get("emoji", ())),
                arousal=arousal,
                near=tuple(spec.get("near", ())),
                opposite=tuple(spec.get("opposite", ())),
            )
        if not tags:
            raise VocabularyError(f"{path}: no tags defined")
        for tag in tags.values():
            for other in (*tag.near, *tag.opposite):
                if other not in tags or other == tag.name:
                    raise VocabularyError(
                        f"{path}: tag {tag.name!r} names {other!r} as near or opposite"
                    )
        return cls(tags)

    def of_kind(self, kind: str) -> list[Tag]:
        return [t for t in self.tags.values() if t.kind == kind]

    def is_filter(self, name: str) -> bool:
        """Whether asking for this tag is a condition (a voice or a form), not a mood."""
        tag = self.tags.get(name)
        return tag is not None and tag.kind in FILTER_KINDS

    def label(self, name: str, locale: str) -> str:
        tag = self.tags.get(name)
        if tag is None:
            return name
        return tag.label_ko if locale == "ko" else name

    def english_phrases(self) -> dict[str, str]:
        """Normalised English phrase -> tag name (the tag's own name included)."""
        out: dict[str, str] = {}
        for tag in self.tags.values():
            for phrase in (tag.name, tag.name.replace("-", " "), *tag.en):
                out.setdefault(norm(phrase), tag.name)
        return out

    def energies(self) -> list[str]:
        """The energy tags, calmest first (moods.toml lists them from low to high)."""
        return [t.name for t in self.of_kind("energy")]

    def emoji(self) -> dict[str, str]:
        """Emoji (as `emoji_key`) -> tag name."""
        return {emoji_key(e): tag.name for tag in self.tags.values() for e in tag.emoji}

    def korean_stems(self) -> dict[str, str]:
        """Space-free Korean stem -> tag name."""
        out: dict[str, str] = {}
        for tag in self.tags.values():
            for stem in (tag.label_ko, *tag.ko):
                out.setdefault(squash(stem), tag.name)
        return out
