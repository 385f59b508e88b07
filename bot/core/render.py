"""Plain-text rendering of a Reply: the console chat and `ask --json` show exactly this."""

from __future__ import annotations

from bot.core.messages import t
from bot.core.models import Card, Reply
from bot.core.text import terminal_safe


def card_lines(n: int, card: Card) -> list[str]:
    return [
        f"{n}. {card.title} — {card.artist}",
        f"   {card.drama} · {', '.join(card.tags)}",
        f"   {t('why', card.locale)}: {card.reason}",
        f"   {t('listen', card.locale)}: " + " · ".join(link.url for link in card.links),
    ]


def render_plain(reply: Reply) -> str:
    """The reply as terminal text: catalog strings (an import can put anything in a title)
    cannot move the cursor, recolour the screen or reorder what is shown."""
    parts: list[str] = []
    if reply.text:
        parts.append(reply.text)
    if reply.cards:
        body: list[str] = []
        for n, card in enumerate(reply.cards, 1):
            body.extend(card_lines(n, card))
        parts.append("\n".join(body))
    if reply.footer:
        parts.append(reply.footer)
    return terminal_safe("\n\n".join(parts))
