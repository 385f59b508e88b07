"""The Telegram adapter: updates -> core Requests, core Replies -> HTML messages and keyboards.

No recommendation or command logic lives here: every command, message, button press and inline
query becomes one `Service.handle(Request)`. What this module owns is Telegram's shape: which
group messages are meant for the bot, HTML escaping and the 4096-character limit, the 64-byte
callback data limit, inline results, retries around the Bot API, and keeping the token out of
logs.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import unicodedata
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeVar
from urllib.parse import urlsplit

import httpx
from telegram import (
    Bot,
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.adapters.common import Cooldown
from bot.config import Settings
from bot.core.messages import locale_of, t
from bot.core.models import Card, Platform, Reply, ReplyKind, Request
from bot.core.render import render_plain
from bot.core.service import Service

log = logging.getLogger(__name__)

App = Application[Any, Any, Any, Any, Any, Any]
Ctx = ContextTypes.DEFAULT_TYPE
T = TypeVar("T")

MESSAGE_LIMIT: Final = 4096  # Bot API: text of one message
CALLBACK_DATA_LIMIT: Final = 64  # Bot API: bytes of callback_data
TOAST_LIMIT: Final = 200  # Bot API: text of answerCallbackQuery
INLINE_CACHE_SECONDS: Final = 30  # short: results depend on the user's history
RATE_LIMIT_RETRIES: Final = 3  # RetryAfter retries inside AIORateLimiter
SEND_ATTEMPTS: Final = 4  # attempts per Bot API call on transient network errors
RETRY_DELAY: Final = 0.5  # seconds before the first retry; doubles each time
CONCURRENT_UPDATES: Final = 32  # one slow (rate-limited) chat must not stall the others
STARTUP_BACKOFF: Final = (1.0, 60.0)  # first and longest wait between getMe attempts
ALLOWED_UPDATES: Final = ("message", "callback_query", "inline_query")
DEEP_LINK: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what t.me/<bot>?start= may carry

# Menu commands -> the core text they stand for. `None` means "the argument alone"
# (`/mood healing` -> "healing"); bare commands use `BARE` when it differs.
COMMANDS: Final[dict[str, str | None]] = {
    "start": None,
    "help": "help",
    "recommend": "recommend",
    "mood": None,
    "moods": "moods",
    "drama": "drama",
    "dramas": "dramas",
    "artist": "artist",
    "similar": "similar",
    "another": "another",
    "like": "like",
    "dislike": "dislike",
    "history": "history",
    "about": "about",
    "reload": "reload",  # owners only; handled but not listed in the menu
}
BARE: Final = {"start": "help", "mood": "moods"}
MENU: Final[dict[str, tuple[str, str]]] = {  # command -> (English, Korean) menu description
    "start": ("What I can do", "시작하기"),
    "recommend": ("Recommend OSTs: /recommend sad songs from Goblin", "OST 추천: /recommend 힐링"),
    "mood": ("Songs for a mood: /mood healing", "분위기별 추천: /mood 설렘"),
    "drama": ("A drama's soundtrack: /drama Goblin", "드라마 OST: /drama 도깨비"),
    "artist": ("An artist's OSTs: /artist Baekhyun", "가수별 OST: /artist 백현"),
    "similar": ("Songs like one you love: /similar Stay With Me", "비슷한 곡: /similar 노래 제목"),
    "another": ("The next pick for your last request", "방금 요청의 다른 곡"),
    "like": ("Like a track you were shown: /like 2", "좋아요: /like 2"),
    "dislike": ("Never show a track again: /dislike 2", "별로예요: /dislike 2"),
    "moods": ("The moods I know", "아는 분위기 목록"),
    "dramas": ("Every drama in the catalog", "드라마 목록"),
    "history": ("What I recommended you", "추천 기록"),
    "about": ("Catalog size and sources", "카탈로그 정보"),
    "help": ("How to ask", "사용법"),
}
# --------------------------------------------------------------------------- rendering

Segment = tuple[str, str]  # (tag or "", plain text)
Line = Sequence[Segment]


def clean(text: str) -> str:
    """Drop what Telegram rejects or mangles: control characters and lone surrogates.

    Newlines become spaces: callers split lines themselves, so a catalog string can never
    smuggle a line break (or a chunk boundary) into a tagged segment.
    """
    out = []
    for ch in text:
        if ch in "\n\r\t":
            out.append(" ")
        elif unicodedata.category(ch) not in ("Cc", "Cs"):
            out.append(ch)
    return "".join(out)


def utf16_len(text: str) -> int:
    # Telegram counts in UTF-16 code units; an emoji counts twice.
    return len(_utf16(text)) // 2


def _utf16(text: str) -> bytes:
    # JSON can carry a lone surrogate ("\ud800"); count it as the one unit Telegram would.
    return text.encode("utf-16-le", "surrogatepass")


def segment_html(tag: str, text: str) -> str:
    body = html.escape(clean(text))
    return f"<{tag}>{body}</{tag}>" if tag and body else body


def visible_text(fragment: str) -> str:
    """The text a well-formed fragment of ours shows (escaped text never holds a raw '<')."""
    return html.unescape(re.sub(r"<[^>]*>", "", fragment))


def _split_segment(tag: str, text: str, limit: int) -> list[str]:
    """Cut one segment into well-formed pieces whose HTML fits `limit` each."""
    overhead = len(f"<{tag}></{tag}>") if tag else 0
    room = limit - overhead
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for ch in clean(text):
        escaped = html.escape(ch)
        cost = utf16_len(escaped)
        if size + cost > room and current:
            pieces.append(segment_html(tag, "".join(current)))
            current, size = [], 0
        current.append(ch)
        size += cost
    if current:
        pieces.append(segment_html(tag, "".join(current)))
    return pieces


def pack_html(lines: Iterable[Line], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join lines into messages of at most `limit` UTF-16 units, each well-formed HTML.

    Every piece is escaped and tagged on its own before it is packed, so a boundary can only
    fall between complete `<b>...</b>` pieces: never inside a tag or an entity. Lines break
    only where they are longer than a whole message.
    """
    chunks: list[str] = []
    current = ""
    for line in lines:
        text = "".join(segment_html(tag, body) for tag, body in line)
        joined = f"{current}\n{text}" if current else text
        if utf16_len(joined) <= limit:
            current = joined
            continue
        if current:
            chunks.append(current)
        if utf16_len(text) <= limit:
            current = text
            continue
        current = ""
        for tag, body in line:
            for piece in _split_segment(tag, body, limit):
                if utf16_len(current + piece) > limit:
                    chunks.append(current)
                    current = ""
                current += piece
    chunks.append(current)
    # Telegram refuses a message with nothing visible in it.
    return [c.strip() for c in chunks if visible_text(c).strip()]


def card_lines(card: Card, locale: str, n: int | None = None) -> list[Line]:
    tr = card.track
    title: list[Segment] = [("b", f"{n}. {tr.title}" if n is not None else tr.title)]
    if tr.title_ko and tr.title_ko != tr.title:
        title.append(("", f" ({tr.title_ko})"))
    title.append(("", f" — {tr.artist}"))
    if card.artist_ko and card.artist_ko != tr.artist:
        title.append(("", f" ({card.artist_ko})"))
    drama = tr.drama
    if card.drama and card.drama.title_ko:
        drama += f" · {card.drama.title_ko}"
    return [
        title,
        [("i", f"{drama} ({tr.year})"), ("", f" · {', '.join(card.labels)}")],
        [("", f"{t('why', locale)}: {card.reason}")],
    ]


def reply_lines(reply: Reply) -> list[Line]:
    lines: list[Line] = [[("", part)] for part in reply.text.split("\n")] if reply.text else []
    for n, card in enumerate(reply.cards, 1):
        lines.append([])  # a blank line before each track
        lines.extend(card_lines(card, reply.locale, n))
    if reply.footer:
        lines.append([])
        lines.extend([("i", part)] for part in reply.footer.split("\n"))
    return lines


def render_html(reply: Reply, limit: int = MESSAGE_LIMIT) -> list[str]:
    """A Reply as one or more HTML messages (text, tracks, footer); buttons go separately."""
    return pack_html(reply_lines(reply), limit)


def fits_callback(data: str) -> bool:
    return 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT


def _is_web_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _callback_button(label: str, data: str) -> InlineKeyboardButton | None:
    if not fits_callback(data):
        # The core's ids are short by design; one that is not would make Telegram refuse the
        # whole message, so drop the button rather than the reply.
        log.warning("dropping a button whose callback data is %d bytes", len(data.encode()))
        return None
    return InlineKeyboardButton(clean(label) or "?", callback_data=data)


def keyboard(reply: Reply, *, actions: bool = True, another: bool = True) -> InlineKeyboardMarkup:
    """Per track: 👍, 👎 and the listen searches; then the reply's own buttons ("Another")."""
    rows: list[list[InlineKeyboardButton]] = []
    for n, card in enumerate(reply.cards, 1):
        row: list[InlineKeyboardButton] = []
        if actions:
            for action in card.actions:
                button = _callback_button(f"{n} {action.label}", action.id)
                if button is not None:
                    row.append(button)
        row += [
            InlineKeyboardButton(clean(link.label) or "Listen", url=link.url)
            for link in card.links
            if _is_web_url(link.url)
        ]
        if row:
            rows.append(row)
    if another:
        extra = [_callback_button(a.label, a.id) for a in reply.actions]
        if buttons := [b for b in extra if b is not None]:
            rows.append(buttons)
    return InlineKeyboardMarkup(rows)


def toast(reply: Reply) -> str:
    """A reply short enough for a callback answer (a pop-up of at most 200 characters)."""
    text = " ".join(clean(render_plain(reply)).split())
    return text if len(text) <= TOAST_LIMIT else text[: TOAST_LIMIT - 1] + "…"


def inline_results(reply: Reply) -> list[InlineQueryResultArticle]:
    results: list[InlineQueryResultArticle] = []
    for card in reply.cards:
        tr = card.track
        title = clean(f"{tr.title} — {tr.artist}")[:200]
        body = pack_html(card_lines(card, reply.locale))
        if not body:
            continue
        single = Reply("", reply.locale, reply.kind, cards=(card,))
        results.append(
            InlineQueryResultArticle(
                id=tr.key[:64] or str(len(results)),
                title=title or "OST",
                description=clean(card.reason)[:200],
                input_message_content=InputTextMessageContent(
                    body[0],
                    parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                ),
                # The inline message has no chat we can post "another" into: like, dislike and
                # listen only.
                reply_markup=keyboard(single, another=False),
            )
        )
    return results


# ----------------------------------------------------------------------- token hygiene


class Redactor(logging.Filter):
    """Replaces secrets (the bot token appears in every Bot API URL) in log records."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # The part after ':' is the secret; redacting it alone also covers encoded URLs.
        words = {s for secret in secrets if secret for s in (secret, secret.split(":", 1)[-1])}
        self.secrets = sorted((w for w in words if len(w) >= 6), key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[REDACTED]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler to report
            return True
        record.msg, record.args = self.redact(message), ()
        if record.exc_info and not record.exc_text:
            # Exception texts carry URLs too (httpx errors); the formatter reuses exc_text.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


LOGGERS: Final = ("httpx", "httpcore", "telegram", "bot", "ostbot")


def install_redactor(redactor: Redactor) -> Callable[[], None]:
    """Attach the filter wherever a record with the token could pass; returns an undo."""
    manager = logging.Logger.manager
    names = {
        name
        for name in (*LOGGERS, *manager.loggerDict)
        if any(name == p or name.startswith(p + ".") for p in LOGGERS)
    }
    # Logger filters only see records logged on that very logger, so add the filter to every
    # known one and to the root handlers, which see everything that propagates.
    targets: list[logging.Logger | logging.Handler] = [logging.getLogger(n) for n in names]
    targets += logging.getLogger().handlers
    for target in targets:
        target.addFilter(redactor)

    def undo() -> None:
        for target in targets:
            target.removeFilter(redactor)

    return undo


# --------------------------------------------------------------------------- sending


def _retryable(exc: NetworkError) -> bool:
    # A BadRequest is wrong in itself: sending it again changes nothing. A read timeout means
    # the request arrived and may have been carried out: retrying could send it twice.
    ambiguous = isinstance(exc, TimedOut) and isinstance(exc.__cause__, httpx.ReadTimeout)
    return not (isinstance(exc, BadRequest) or ambiguous)


async def with_retry(call: Callable[[], Awaitable[T]], what: str) -> T:
    """Retry transient network errors (502s, connection resets) a bounded number of times.

    RetryAfter (429) is retried by AIORateLimiter below this, so it is not handled here.
    """
    attempt = 0
    while True:
        try:
            return await call()
        except NetworkError as exc:
            attempt += 1
            if attempt >= SEND_ATTEMPTS or not _retryable(exc):
                raise
            delay = RETRY_DELAY * 2 ** (attempt - 1)
            log.warning("%s failed (%s); retry %d in %.1fs", what, exc, attempt, delay)
            await asyncio.sleep(delay)


@dataclass(frozen=True, slots=True)
class Target:
    """Where a reply goes."""

    chat_id: int
    reply_to: int | None = None
    thread_id: int | None = None


async def deliver(bot: Bot, target: Target, reply: Reply) -> None:
    """Send a reply as HTML messages; the keyboard rides on the last one."""
    chunks = render_html(reply)
    markup = keyboard(reply)
    for i, chunk in enumerate(chunks):
        last = i == len(chunks) - 1
        await send_chunk(
            bot,
            target,
            chunk,
            markup if last and markup.inline_keyboard else None,
            reply_to=target.reply_to if i == 0 else None,
        )


async def send_chunk(
    bot: Bot,
    target: Target,
    chunk: str,
    markup: InlineKeyboardMarkup | None,
    *,
    reply_to: int | None,
) -> None:
    quote = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None

    def send(text: str, mode: str | None, buttons: InlineKeyboardMarkup | None) -> Any:
        return bot.send_message(
            target.chat_id,
            text,
            parse_mode=mode,
            reply_markup=buttons,
            reply_parameters=quote,
            message_thread_id=target.thread_id,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )

    try:
        await with_retry(lambda: send(chunk, ParseMode.HTML, markup), "sendMessage")
    except BadRequest as exc:
        # Should not happen (the HTML is built to be valid), but a reply is worth more than
        # its formatting: send the same words as plain text, without buttons.
        log.warning("Telegram refused a message (%s); sending it as plain text", exc)
        await with_retry(lambda: send(visible_text(chunk), None, None), "sendMessage")


# --------------------------------------------------------------------------- the adapter


def split_command(message: Message) -> tuple[str, str]:
    """`/Drama@ostbot Goblin` -> ("drama", "Goblin"); the argument keeps its line breaks."""
    text = message.text or ""
    entity = _leading_command(message.entities)
    if entity is None:
        return "", text
    name = _entity_text(text, entity)[1:].split("@", 1)[0].casefold()
    return name, _utf16_cut(text, entity).strip()


def _leading_command(entities: Sequence[MessageEntity]) -> MessageEntity | None:
    first = entities[0] if entities else None
    if first is None or first.type != MessageEntity.BOT_COMMAND or first.offset != 0:
        return None
    return first


def _entity_text(text: str, entity: MessageEntity) -> str:
    # Entity offsets count UTF-16 code units, not Python characters (emoji differ).
    raw = _utf16(text)[entity.offset * 2 : (entity.offset + entity.length) * 2]
    return raw.decode("utf-16-le", "surrogatepass")


def _utf16_cut(text: str, entity: MessageEntity) -> str:
    """`text` without the entity's span."""
    raw = _utf16(text)
    start, end = entity.offset * 2, (entity.offset + entity.length) * 2
    return (raw[:start] + raw[end:]).decode("utf-16-le", "surrogatepass")


def core_text(command: str, arg: str) -> str:
    """The core text a Telegram command stands for (`/drama Goblin` -> "drama Goblin")."""
    base = COMMANDS.get(command)
    if command == "start" and arg:
        # Deep links (t.me/<bot>?start=sad_winter) cannot carry spaces.
        return arg.replace("_", " ")
    if not arg:
        return BARE.get(command) or base or command
    return f"{base} {arg}" if base else arg


class TelegramAdapter:
    def __init__(self, service: Service, cooldown_seconds: float = 0.0) -> None:
        self.service = service
        self.cooldown = Cooldown(cooldown_seconds)

    def register(self, app: App) -> None:
        only_new = filters.UpdateType.MESSAGE  # edits are ignored: answering twice is noise
        app.add_handler(CommandHandler(list(COMMANDS), self.on_command, filters=only_new))
        app.add_handler(MessageHandler(only_new & ~filters.StatusUpdate.ALL, self.on_message))
        app.add_handler(CallbackQueryHandler(self.on_callback))
        app.add_handler(InlineQueryHandler(self.on_inline))
        app.add_error_handler(self.on_error)

    async def post_init(self, app: App) -> None:
        """Register the command menu (English default, Korean for Korean clients)."""
        for index, language in ((0, None), (1, "ko")):
            try:
                await set_menu(app.bot, index, language)
            except Exception as exc:  # a missing menu must not stop the bot
                log.warning("could not set the command menu: %s", exc)

    # -- messages

    async def on_command(self, update: Update, context: Ctx) -> None:
        message = update.message
        if message is None or not message.text:
            return
        name, arg = split_command(message)
        await self.answer(message, context.bot, core_text(name, arg))

    async def on_message(self, update: Update, context: Ctx) -> None:
        message = update.message
        if message is None:
            return
        text = self.text_for_bot(message, context.bot)
        if text is not None:
            await self.answer(message, context.bot, text)

    @staticmethod
    def text_for_bot(message: Message, bot: Bot) -> str | None:
        """The text meant for the bot, or None for chatter the bot should not answer."""
        if message.via_bot is not None and message.via_bot.id == bot.id:
            return None  # an inline result the user shared: our own words, not a request
        text = message.text or message.caption or ""
        if message.chat.type == ChatType.PRIVATE:
            return text  # stickers and photos give "" and the core answers with a hint
        entities = message.entities or message.caption_entities or ()
        mention = _mention_of(bot, text, entities)
        if mention is not None:
            return " ".join(_utf16_cut(text, mention).split())
        if _addressed_command(bot, text, entities):
            return text
        replied = message.reply_to_message
        if replied and replied.from_user and replied.from_user.id == bot.id and text.strip():
            return text
        return None

    async def answer(self, message: Message, bot: Bot, text: str) -> None:
        user = message.from_user
        if user is None:
            return
        chat = message.chat
        group = chat.type != ChatType.PRIVATE
        if group and self.cooldown.remaining(f"{chat.id}:{user.id}") > 0:
            return  # flooding a group helps nobody, and groups get 20 messages a minute
        reply = await self.service.handle(
            Request(
                platform=Platform.TELEGRAM,
                user_id=str(user.id),
                chat_id=str(chat.id),
                text=text,
                locale=user.language_code,
            )
        )
        thread = message.message_thread_id if message.is_topic_message else None
        target = Target(chat.id, message.message_id if group else None, thread)
        if reply.private and group:
            await self.answer_privately(bot, target, user.id, reply, text)
        else:
            await deliver(bot, target, reply)

    async def answer_privately(
        self, bot: Bot, group: Target, user_id: int, reply: Reply, text: str
    ) -> None:
        """Replies for the asker only (history) go to a private chat, never to the group."""
        try:
            await deliver(bot, Target(user_id), reply)
        except (Forbidden, BadRequest):  # the user has not started a chat with the bot
            payload = text.replace(" ", "_")
            link = f"https://t.me/{bot.username}" + (
                f"?start={payload}" if DEEP_LINK.fullmatch(payload) else ""
            )
            button = InlineKeyboardButton(t("open_chat", reply.locale), url=link)
            note = html.escape(t("private_blocked", reply.locale))
            markup = InlineKeyboardMarkup([[button]])
            await send_chunk(bot, group, note, markup, reply_to=group.reply_to)
            return
        note = html.escape(t("private_sent", reply.locale))
        await send_chunk(bot, group, note, None, reply_to=group.reply_to)

    # -- buttons

    async def on_callback(self, update: Update, context: Ctx) -> None:
        query = update.callback_query
        if query is None:
            return
        user = query.from_user
        data = query.data or ""
        message = query.message
        chat_id = message.chat.id if message is not None else user.id
        group = message is not None and message.chat.type != ChatType.PRIVATE
        if group and self.cooldown.remaining(f"{chat_id}:{user.id}") > 0:
            await answer_query(query, t("one_moment", locale_of(user.language_code)))
            return
        request = Request(
            platform=Platform.TELEGRAM,
            user_id=str(user.id),
            chat_id=str(chat_id),
            # Forged or oversized data never reaches the core as such: "" is answered with
            # the core's polite "that button has expired".
            action=data if fits_callback(data) else "",
            locale=user.language_code,
        )
        try:
            reply = await self.service.handle(request)
        except Exception:
            log.exception("callback %r failed", data[:80])
            await answer_query(query, t("error", locale_of(user.language_code)), alert=True)
            return
        if message is None or not (reply.cards or reply.kind is ReplyKind.INFO):
            # Feedback and hints fit a pop-up; an inline message has no chat to post into.
            await answer_query(query, toast(reply), alert=reply.kind is ReplyKind.HINT)
            return
        await answer_query(query)  # stop the button's spinner before the slower send
        thread = message.message_thread_id if isinstance(message, Message) else None
        await deliver(context.bot, Target(chat_id, None, thread), reply)

    # -- inline mode

    async def on_inline(self, update: Update, context: Ctx) -> None:
        query = update.inline_query
        if query is None:
            return
        text = query.query.strip() or "songs"  # an empty query: a few good picks
        user = query.from_user
        reply = await self.service.handle(
            Request(
                platform=Platform.TELEGRAM,
                user_id=str(user.id),
                chat_id="inline",
                text=text,
                locale=user.language_code,
                # Inline queries arrive on every keystroke: a preview records nothing (so
                # they do not use up the user's songs) and never runs a command.
                preview=True,
            )
        )
        results = inline_results(reply)
        await with_retry(
            lambda: query.answer(results, cache_time=INLINE_CACHE_SECONDS, is_personal=True),
            "answerInlineQuery",
        )

    # -- errors

    async def on_error(self, update: object, context: Ctx) -> None:
        error = context.error
        # The redacting filter scrubs the token from the text and the traceback.
        log.error("Telegram update failed: %r", error, exc_info=error)
        if not isinstance(update, Update) or isinstance(error, Forbidden | InvalidToken):
            return
        chat, message = update.effective_chat, update.effective_message
        if chat is None or message is None or chat.type != ChatType.PRIVATE:
            return  # stay quiet in groups
        user = update.effective_user
        locale = user.language_code if user else None
        try:
            await context.bot.send_message(chat.id, t("error", locale_of(locale)))
        except Exception as exc:
            log.warning("could not tell the user about the error: %s", exc)


async def set_menu(bot: Bot, index: int, language: str | None) -> None:
    menu = [BotCommand(name, texts[index]) for name, texts in MENU.items()]
    await with_retry(lambda: bot.set_my_commands(menu, language_code=language), "setMyCommands")


async def answer_query(query: CallbackQuery, text: str | None = None, alert: bool = False) -> None:
    """Answer a button press; a press too old to answer must not become an error."""
    try:
        await with_retry(lambda: query.answer(text=text, show_alert=alert), "answerCallbackQuery")
    except BadRequest as exc:
        log.info("could not answer a callback query: %s", exc)


def _mention_of(bot: Bot, text: str, entities: Sequence[MessageEntity]) -> MessageEntity | None:
    """The entity that mentions this bot (@name or a text mention of its user), if any."""
    name = f"@{bot.username}".casefold()
    for entity in entities:
        if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot.id:
            return entity
        if entity.type == MessageEntity.MENTION and _entity_text(text, entity).casefold() == name:
            return entity
    return None


def _addressed_command(bot: Bot, text: str, entities: Sequence[MessageEntity]) -> bool:
    """`/unknown@thisbot ...`: a command for us that the menu does not know (the core replies)."""
    entity = _leading_command(entities)
    suffix = f"@{bot.username}".casefold()
    return entity is not None and _entity_text(text, entity).casefold().endswith(suffix)


# --------------------------------------------------------------------------- running


def api_urls(base: str) -> tuple[str, str]:
    """Bot API and file URLs for a self-hosted server given as `http://host:8081` or `.../bot`."""
    if "{token}" in base:
        return base, base.replace("/bot{token}", "/file/bot{token}")
    root = base.rstrip("/")
    root = root.removesuffix("/bot")
    return f"{root}/bot", f"{root}/file/bot"


def _token(settings: Settings) -> str:
    if settings.telegram_token is None:
        raise ValueError("TELEGRAM_TOKEN is not set")
    return settings.telegram_token.get_secret_value().strip()


def build_application(
    service: Service,
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
) -> App:
    """The Application with every handler; `request` replaces the HTTP layer (tests)."""
    adapter = TelegramAdapter(service, settings.cooldown_seconds)
    builder = (
        ApplicationBuilder()
        .token(_token(settings))
        .rate_limiter(AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
        .concurrent_updates(CONCURRENT_UPDATES)
        .post_init(adapter.post_init)
    )
    if settings.telegram_api_base_url:
        api, files = api_urls(settings.telegram_api_base_url)
        builder = builder.base_url(api).base_file_url(files)
    if request is not None:
        builder = builder.request(request).get_updates_request(updates_request or request)
    app: App = builder.build()
    adapter.register(app)
    return app


def secrets_of(settings: Settings) -> list[str]:
    secrets = [_token(settings)]
    if settings.telegram_webhook_secret is not None:
        secrets.append(settings.telegram_webhook_secret.get_secret_value())
    return secrets


async def serve(service: Service, settings: Settings, stop: asyncio.Event) -> None:
    """Run the Telegram bot until `stop` is set, then shut it down cleanly."""
    undo = install_redactor(Redactor(secrets_of(settings)))
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per poll
    try:
        app = build_application(service, settings)
        if not await initialize(app, stop):
            return
        async with app:  # already initialized; shuts down on the way out
            if app.post_init is not None:
                await app.post_init(app)  # start() does not call it (only run_polling does)
            await app.start()
            try:
                await start_updates(app, settings)
                log.info("Telegram bot @%s is running", app.bot.username)
                await stop.wait()
            finally:
                if app.updater is not None and app.updater.running:
                    await app.updater.stop()
                await app.stop()
    finally:
        undo()


async def initialize(app: App, stop: asyncio.Event) -> bool:
    """getMe until it works: a network outage at start-up should not kill the other adapters.

    Returns False if `stop` was set first. A wrong token raises at once.
    """
    delay, longest = STARTUP_BACKOFF
    while not stop.is_set():
        try:
            await app.initialize()
            return True
        except InvalidToken:
            raise
        except NetworkError as exc:
            if isinstance(exc, BadRequest):
                raise
            log.warning("Telegram unreachable (%s); retrying in %.0fs", exc, delay)
        try:
            await asyncio.wait_for(stop.wait(), timeout=delay)
        except TimeoutError:
            delay = min(delay * 2, longest)
    return False


async def start_updates(app: App, settings: Settings) -> None:
    updater = app.updater
    if updater is None:
        raise RuntimeError("the Application was built without an Updater")
    if settings.telegram_webhook_url:
        secret = settings.telegram_webhook_secret
        await updater.start_webhook(
            listen=settings.telegram_webhook_listen,
            port=settings.telegram_webhook_port,
            url_path=urlsplit(settings.telegram_webhook_url).path.strip("/"),
            webhook_url=settings.telegram_webhook_url,
            secret_token=secret.get_secret_value() if secret else None,
            allowed_updates=list(ALLOWED_UPDATES),
            bootstrap_retries=-1,
        )
    else:
        # Polling retries transient errors forever on its own; bootstrap (deleteWebhook) too.
        await updater.start_polling(allowed_updates=list(ALLOWED_UPDATES), bootstrap_retries=-1)


__all__ = [
    "build_application",
    "deliver",
    "keyboard",
    "render_html",
    "serve",
]
