"""The Telegram adapter: updates -> core Requests, core Replies -> HTML messages and keyboards.

No recommendation or command logic lives here: every command, message and button press becomes
one `Service.handle(Request)`, inline queries one `Service.suggest`, and the command menus are
built from the core's registry. What this module owns is Telegram's shape: which group messages
are meant for the bot, HTML escaping and the 4096-character limit, the 64-byte callback data
limit, inline results, retries around the Bot API, and deep links.
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
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    SimpleUpdateProcessor,
    filters,
)
from telegram.request import BaseRequest

from bot.adapters.common import STOP_GRACE, InHand, clip, is_web_url, keep_trying
from bot.adapters.owed import Owed
from bot.config import Settings
from bot.core.commands import Arg, Registry
from bot.core.messages import locale_of, t
from bot.core.models import (
    Card,
    Platform,
    Reply,
    ReplyKind,
    Request,
    Suggestion,
    Visibility,
    user_key,
)
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
INLINE_RESULTS: Final = 50  # Bot API: results of one inline query answer
INLINE_TEXT: Final = 200  # ours: an inline result's title and description stay one glance long
MENU_DESCRIPTION: Final = 256  # Bot API: a command's description in the menu
RATE_LIMIT_RETRIES: Final = 3  # RetryAfter retries inside AIORateLimiter
SEND_ATTEMPTS: Final = 4  # attempts per Bot API call on transient network errors
RETRY_DELAY: Final = 0.5  # seconds before the first retry; doubles each time
CONCURRENT_UPDATES: Final = 32  # one slow (rate-limited) chat must not stall the others
ALLOWED_UPDATES: Final = ("message", "callback_query", "inline_query")
DEEP_LINK: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what t.me/<bot>?start= may carry

# Telegram's own command: sent when a user opens the bot, with a deep link's payload if any
# (t.me/<bot>?start=sad_winter). Every other command comes from the core's registry.
START: Final = "start"
ADAPTER: Final = "ostbot.adapter"  # where an Application keeps its TelegramAdapter (bot_data)

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


def card_lines(card: Card, n: int | None = None) -> list[Line]:
    title = f"{n}. {card.title}" if n is not None else card.title
    return [
        [("b", title), ("", f" — {card.artist}")],
        [("i", card.drama), ("", f" · {', '.join(card.tags)}")],
        [("", f"{t('why', card.locale)}: {card.reason}")],
    ]


def reply_lines(reply: Reply) -> list[Line]:
    lines: list[Line] = [[("", part)] for part in reply.text.split("\n")] if reply.text else []
    for n, card in enumerate(reply.cards, 1):
        lines.append([])  # a blank line before each track
        lines.extend(card_lines(card, n))
    if reply.footer:
        lines.append([])
        lines.extend([("i", part)] for part in reply.footer.split("\n"))
    return lines


def render_html(reply: Reply, limit: int = MESSAGE_LIMIT) -> list[str]:
    """A Reply as one or more HTML messages (text, tracks, footer); buttons go separately."""
    return pack_html(reply_lines(reply), limit)


def fits_callback(data: str) -> bool:
    return 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT


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
            if is_web_url(link.url)
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
    return clip(text, TOAST_LIMIT)


def inline_results(suggestions: Sequence[Suggestion]) -> list[InlineQueryResultArticle]:
    """Inline-mode results: one article per previewed track, ready to share."""
    results: list[InlineQueryResultArticle] = []
    for suggestion in suggestions:
        card = suggestion.card
        if card is None:
            continue
        body = pack_html(card_lines(card))
        if not body:
            continue
        single = Reply("", card.locale, ReplyKind.RECOMMENDATION, cards=(card,))
        results.append(
            InlineQueryResultArticle(
                id=card.track.key[:64] or str(len(results)),
                title=clip(clean(suggestion.label), INLINE_TEXT) or "OST",
                description=clip(clean(card.reason), INLINE_TEXT),
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


# --------------------------------------------------------------------------- sending


def _retryable(exc: NetworkError) -> bool:
    # A BadRequest is wrong in itself: sending it again changes nothing. A read timeout means
    # the request arrived and may have been carried out: retrying could send it twice.
    ambiguous = isinstance(exc, TimedOut) and isinstance(exc.__cause__, httpx.ReadTimeout)
    return not (isinstance(exc, BadRequest) or ambiguous)


def undelivered(exc: BaseException) -> bool:
    """Whether a failed send means the API is down or overloaded (so the message did not
    arrive, and a later one may): retryable errors that outlasted their retries, and a
    flood wait that outlasted the rate limiter's."""
    return isinstance(exc, RetryAfter) or (isinstance(exc, NetworkError) and _retryable(exc))


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


@dataclass(frozen=True, slots=True)
class Apology:
    """An apology owed for a reply that was lost: sent once, as plain text, when the API is
    back (its retries are the `Owed` ledger's, so one attempt here)."""

    bot: Bot
    target: Target
    locale: str

    async def send(self) -> None:
        quote = self.target.reply_to
        await self.bot.send_message(
            self.target.chat_id,
            t("undelivered", self.locale),
            reply_parameters=ReplyParameters(quote, allow_sending_without_reply=True)
            if quote
            else None,
            message_thread_id=self.target.thread_id,
        )


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


def reply_target(message: Message) -> Target:
    """Where the answer to `message` goes: its chat (and topic); in a group, as a reply to it."""
    group = message.chat.type != ChatType.PRIVATE
    thread = message.message_thread_id if message.is_topic_message else None
    return Target(message.chat.id, message.message_id if group else None, thread)


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


def deep_link_text(payload: str) -> str:
    """A /start payload as the request it carries (deep links cannot carry spaces)."""
    return payload.replace("_", " ")


def deep_link(bot: Bot, text: str) -> str:
    """A t.me link that opens a chat with the bot and asks `text` there."""
    payload = text.replace(" ", "_")
    suffix = f"?start={payload}" if DEEP_LINK.fullmatch(payload) else ""
    return f"https://t.me/{bot.username}{suffix}"


class TelegramAdapter:
    def __init__(self, service: Service) -> None:
        self.service = service
        # Chats whose reply was lost while the Bot API failed, to be told when it is back.
        self.owed: Owed[int, Apology] = Owed(Apology.send, transient=undelivered)

    def register(self, app: App) -> None:
        only_new = filters.UpdateType.MESSAGE  # edits are ignored: answering twice is noise
        names = [START, *(spec.name for spec in self.service.commands)]
        app.add_handler(CommandHandler(names, self.on_command, filters=only_new))
        app.add_handler(MessageHandler(only_new & ~filters.StatusUpdate.ALL, self.on_message))
        app.add_handler(CallbackQueryHandler(self.on_callback))
        app.add_handler(InlineQueryHandler(self.on_inline))
        app.add_error_handler(self.on_error)

    async def post_init(self, app: App) -> None:
        """Register the command menu (English default, Korean for Korean clients)."""
        for locale, language in (("en", None), ("ko", "ko")):
            try:
                await set_menu(app.bot, menu(self.service.commands, locale), language)
            except Exception as exc:  # a missing menu must not stop the bot
                log.warning("could not set the command menu: %s", exc)

    # -- messages

    async def on_command(self, update: Update, context: Ctx) -> None:
        message = update.message
        if message is None or not message.text:
            return
        name, arg = split_command(message)
        if name == START and arg:
            await self.answer(message, context.bot, text=deep_link_text(arg))
        elif name == START:
            await self.answer(message, context.bot, command="help")
        else:
            await self.answer(message, context.bot, command=name, arg=arg)

    async def on_message(self, update: Update, context: Ctx) -> None:
        message = update.message
        if message is None:
            return
        text = self.text_for_bot(message, context.bot)
        if text is not None:
            await self.answer(message, context.bot, text=text)

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

    async def answer(
        self,
        message: Message,
        bot: Bot,
        *,
        text: str = "",
        command: str | None = None,
        arg: str = "",
    ) -> None:
        """Hand a message (or a command from the menu, with its argument) to the core, and
        send the reply where the core says it may be seen."""
        user = message.from_user
        if user is None:
            return
        chat = message.chat
        group = chat.type != ChatType.PRIVATE
        reply = await self.service.handle(
            Request(
                platform=Platform.TELEGRAM,
                user_id=str(user.id),
                chat_id=str(chat.id),
                text=text,
                locale=user.language_code,
                command=command,
                arg=arg,
            )
        )
        target = reply_target(message)
        if reply.private and group:
            await self.answer_privately(bot, target, user.id, reply)
        else:
            await deliver(bot, target, reply)
        self.owed.settle(chat.id)

    async def answer_privately(self, bot: Bot, group: Target, user_id: int, reply: Reply) -> None:
        """Replies for the asker only (history) go to a private chat, never to the group."""
        try:
            await deliver(bot, Target(user_id), reply)
        except (Forbidden, BadRequest):  # the user has not started a chat with the bot
            link = deep_link(bot, reply.command)  # asks the same again once the chat is open
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
        if message is None or reply.visibility is not Visibility.PUBLIC:
            # A pop-up is seen by whoever pressed only; an inline message has no chat to post
            # into.
            await answer_query(query, toast(reply), alert=reply.kind is ReplyKind.HINT)
            return
        await answer_query(query)  # stop the button's spinner before the slower send
        thread = message.message_thread_id if isinstance(message, Message) else None
        await deliver(context.bot, Target(chat_id, None, thread), reply)
        self.owed.settle(chat_id)

    # -- inline mode

    async def on_inline(self, update: Update, context: Ctx) -> None:
        query = update.inline_query
        if query is None:
            return
        user = query.from_user
        # Inline queries arrive on every keystroke: a preview records nothing (so they do not
        # use up the user's songs) and never runs a command.
        suggestions = await self.service.suggest(
            Arg.TEXT,
            query.query,
            user.language_code,
            user=user_key(Platform.TELEGRAM, user.id),
            limit=INLINE_RESULTS,
        )
        results = inline_results(suggestions)
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
        user = update.effective_user
        locale = user.language_code if user else None
        if chat is not None and message is not None and error and undelivered(error):
            # The API is failing: an apology now would be lost too. Owe one, sent when the
            # API answers again (in a group, as a reply to the message that went unanswered).
            target = reply_target(message) if update.message else Target(chat.id)
            self.owed.owe(chat.id, Apology(context.bot, target, locale_of(locale)))
            return
        if chat is None or message is None or chat.type != ChatType.PRIVATE:
            return  # stay quiet in groups
        try:
            await context.bot.send_message(chat.id, t("error", locale_of(locale)))
        except Exception as exc:
            log.warning("could not tell the user about the error: %s", exc)


def menu(commands: Registry, locale: str) -> list[BotCommand]:
    """The command menu in one language: every listed registry command, with an example."""
    out = []
    for spec in commands.listed():
        text = spec.summary.of(locale)
        if spec.example.of(locale):
            text += f" (/{spec.name} {spec.example.of(locale)})"
        out.append(BotCommand(spec.name, text[:MENU_DESCRIPTION]))
    return out


async def set_menu(bot: Bot, commands: list[BotCommand], language: str | None) -> None:
    await with_retry(lambda: bot.set_my_commands(commands, language_code=language), "setMyCommands")


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
    adapter = TelegramAdapter(service)
    builder = (
        ApplicationBuilder()
        .token(_token(settings))
        .rate_limiter(AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
        .concurrent_updates(UpdatesInHand(CONCURRENT_UPDATES))
        .post_init(adapter.post_init)
    )
    if settings.telegram_api_base_url:
        api, files = api_urls(settings.telegram_api_base_url)
        builder = builder.base_url(api).base_file_url(files)
    if request is not None:
        builder = builder.request(request).get_updates_request(updates_request or request)
    app: App = builder.build()
    adapter.register(app)
    app.bot_data[ADAPTER] = adapter
    return app


def adapter_of(app: App) -> TelegramAdapter:
    adapter = app.bot_data.get(ADAPTER)
    if not isinstance(adapter, TelegramAdapter):
        raise LookupError("this Application was not made by build_application")
    return adapter


class UpdatesInHand(SimpleUpdateProcessor):
    """python-telegram-bot's concurrent processing of updates, keeping count of the updates
    being answered, so that a stop can cancel those that outlast its grace (and drop the ones
    still queued) instead of waiting on them for ever."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self.in_hand = InHand()
        self.dropped = 0

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if self.in_hand.closed:  # the stop's grace is over: drop it unanswered
            self.dropped += 1
            if asyncio.iscoroutine(coroutine):
                coroutine.close()
            return
        with self.in_hand.track():
            await coroutine


async def serve(service: Service, settings: Settings, stop: asyncio.Event) -> None:
    """Run the Telegram bot until `stop` is set, then shut it down cleanly.

    The token is kept out of the logs by the process-wide redactor (`ostbot` installs it at
    start-up).
    """
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per poll
    app = build_application(service, settings)
    if not await initialize(app, stop):
        return
    async with app:  # already initialized; shuts down on the way out
        if app.post_init is not None:
            await app.post_init(app)  # start() does not call it (only run_polling does)
        await app.start()
        conflict = asyncio.Event()
        try:
            await start_updates(app, settings, on_conflict=conflict.set)
            log.info("Telegram bot @%s is running", app.bot.username)
            await _first(stop, conflict)
        finally:
            await halt(app, STOP_GRACE)
        if conflict.is_set() and not stop.is_set():
            raise PollingConflict(
                "another process is polling this TELEGRAM_TOKEN (Telegram answered 409"
                " Conflict): run one poller per token, or webhook mode (TELEGRAM_WEBHOOK_URL)"
                " to spread updates over several processes"
            )


class PollingConflict(RuntimeError):
    """Telegram lets one getUpdates caller poll a token: another one is polling it."""


async def _first(*events: asyncio.Event) -> None:
    waiting = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in waiting:
            task.cancel()


async def halt(app: App, grace: float) -> None:
    """Stop taking updates, answer the ones already taken, all within `grace` seconds.

    Polling stops at once; its last getUpdates tells Telegram which updates were taken, so
    they are not delivered again. The updates taken are answered until the grace is over; any
    still unanswered then are cancelled or dropped, and counted in the log.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + grace

    def left() -> float:
        return max(0.0, deadline - loop.time())

    try:
        if app.updater is not None and app.updater.running:
            try:
                await asyncio.wait_for(app.updater.stop(), left())
            except TimeoutError:
                log.warning("Telegram: polling did not stop cleanly within %.1fs", grace)
        stopping = asyncio.ensure_future(app.stop())
        done, _ = await asyncio.wait({stopping}, timeout=left())
        processor = app.update_processor
        if not done and isinstance(processor, UpdatesInHand):
            cut = processor.in_hand.cancel()
            await stopping  # quick now: what is left is cancelled or dropped
            unanswered = cut + processor.dropped
            log.warning("Telegram: stopped after %.1fs; %d updates unanswered", grace, unanswered)
        await stopping
    finally:
        await adapter_of(app).owed.close()


async def initialize(app: App, stop: asyncio.Event) -> bool:
    """getMe until it works: a network outage at start-up should not kill the other adapters.

    Returns False if `stop` was set first. A wrong token raises at once.
    """

    async def attempt() -> bool:
        await app.initialize()
        return True

    def transient(exc: BaseException) -> bool:
        return isinstance(exc, NetworkError) and not isinstance(exc, BadRequest)

    return bool(await keep_trying(attempt, transient=transient, stop=stop, what="Telegram"))


async def start_updates(
    app: App, settings: Settings, *, on_conflict: Callable[[], None] | None = None
) -> None:
    """Webhook or long polling. While polling, a 409 Conflict (another process polls the same
    token) calls `on_conflict` instead of being retried for ever; other errors are logged and
    retried as python-telegram-bot does."""
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
        def polling_failed(exc: TelegramError) -> None:
            if isinstance(exc, Conflict) and on_conflict is not None:
                on_conflict()
                return
            log.error("Exception happened while polling for updates.", exc_info=exc)

        await updater.start_polling(
            allowed_updates=list(ALLOWED_UPDATES),
            bootstrap_retries=-1,
            error_callback=polling_failed,
        )


__all__ = [
    "build_application",
    "deliver",
    "keyboard",
    "render_html",
    "serve",
]
