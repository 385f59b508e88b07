"""Plain-text rendering of a Reply: the console chat and `ask --json` show exactly this."""

from __future__ import annotations

from bot.core.messages import t
from bot.core.models import Card, Reply
from bot.core.text import terminal_safe


def track_line(card: Card) -> str:
    tr = card.track
    title = tr.title
    if tr.title_ko and tr.title_ko != tr.title:
        title += f" ({tr.title_ko})"
    return f"{title} — {tr.artist}"


def card_lines(n: int, card: Card, locale: str) -> list[str]:
    tr = card.track
    lines = [f"{n}. {track_line(card)}"]
    drama = f"{tr.drama} ({tr.year})"
    if card.drama and card.drama.title_ko:
        drama = f"{tr.drama} · {card.drama.title_ko} ({tr.year})"
    lines.append(f"   {drama} · {', '.join(card.labels)}")
    lines.append(f"   {t('why', locale)}: {card.reason}")
    lines.append(f"   {t('listen', locale)}: " + " · ".join(link.url for link in card.links))
    return lines


def render_plain(reply: Reply) -> str:
    """The reply as terminal text: catalog strings (an import can put anything in a title)
    cannot move the cursor, recolour the screen or reorder what is shown."""
    parts: list[str] = []
    if reply.text:
        parts.append(reply.text)
    if reply.cards:
        body: list[str] = []
        for n, card in enumerate(reply.cards, 1):
            body.extend(card_lines(n, card, reply.locale))
        parts.append("\n".join(body))
    if reply.footer:
        parts.append(reply.footer)
    return terminal_safe("\n\n".join(parts))
