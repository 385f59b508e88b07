"""The Discord adapter: Discord events in, core `Request`s out; core `Reply`s in, messages out.

No command logic lives here. The slash commands are generated from the core's registry (with
Korean descriptions through discord.py's translator); slash commands, button presses, mentions
and direct messages are translated into `Request`s for `Service.handle`, autocomplete asks
`Service.suggest`, and the `Reply` is rendered as embeds (one per track card) with buttons, or
as plain text where the bot may not post embeds. Who may see a reply is the core's call.

Everything sent passes `allowed_mentions=none`, and all catalog and user text is escaped, so
nothing the bot says can ping @everyone, a role or a user.
"""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Self

import aiohttp
import discord
from discord import app_commands
from discord.utils import MISSING

from bot.adapters.common import STOP_GRACE, InHand, clip, is_web_url, keep_trying, split_text
from bot.config import Settings
from bot.core.commands import Arg, Said, Spec
from bot.core.messages import locale_of, reply_locale, t
from bot.core.models import (
    ACTION_PREFIXES,
    Card,
    Platform,
    Reply,
    Request,
    Suggestion,
    Visibility,
    user_key,
)
from bot.core.render import render_plain
from bot.core.service import Service

log = logging.getLogger(__name__)

# ------------------------------------------------------------------ Discord's limits

CONTENT_LIMIT = 2000
EMBEDS_PER_MESSAGE = 10
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
FOOTER_TEXT = 2048
EMBED_TOTAL = 6000
EMBED_URL = 2048
ROWS = 5
BUTTONS_PER_ROW = 5
CUSTOM_ID = 100
BUTTON_LABEL = 80
BUTTON_URL = 512
CHOICES = 25
CHOICE_TEXT = 100
OPTION_TEXT = 500  # the longest argument a slash command takes (the core reads 500 characters)

# Ours, not Discord's: an absurdly long reply is cut rather than flooding a channel.
MAX_MESSAGES = 5
# Answer directly when the core is this quick; otherwise defer first. Discord allows 3 s for
# the first response, and that includes the network round trip.
DEFER_AFTER = 1.5

# What the invite asks for, and nothing more: the bot answers in channels and threads (embeds
# with buttons, as a reply to the message that mentioned it, which needs its history), and
# offers slash commands. `ostbot doctor` prints the invite URL built from these.
INVITE_SCOPES = ("bot", "applications.commands")
INVITE_PERMISSIONS = (
    "send_messages",
    "send_messages_in_threads",
    "embed_links",
    "read_message_history",
    "use_application_commands",
)


def invite_url(client_id: int | str) -> str:
    permissions = discord.Permissions(**dict.fromkeys(INVITE_PERMISSIONS, True))
    return discord.utils.oauth_url(client_id, permissions=permissions, scopes=INVITE_SCOPES)


NO_MENTIONS = discord.AllowedMentions.none()
# discord.py reads command annotations at runtime, so this alias must live at module level.
Interaction = discord.Interaction[discord.Client]
COLOUR = discord.Colour(0xF4A7B9)
ACTION_TEMPLATE = r"(?P<action>(?:" + "|".join(ACTION_PREFIXES) + r"):.{0,95})"
_ACTION_ID = re.compile(ACTION_TEMPLATE)

# ---------------------------------------------------------------------- text safety


def safe(text: str) -> str:
    """Show text literally: no markdown, no mention syntax, no control characters.

    The core speaks plain text, so markdown in a catalog entry or an echoed message must not
    format. Mentions are neutralised twice over: escaped here, and allowed_mentions=none.
    """
    text = "".join(
        ch for ch in text if ch in "\n" or unicodedata.category(ch) not in ("Cc", "Cs", "Co")
    )
    text = discord.utils.escape_mentions(discord.utils.escape_markdown(text))
    # escape_mentions only knows real-length ids; break every <@…> and <@&…> regardless.
    return text.replace("<@", "<@\u200b")


def field_text(text: str, limit: int) -> str:
    # Discord rejects empty embed fields and titles.
    return clip(safe(text), limit) or "—"


# ------------------------------------------------------------------------ rendering


@dataclass
class Outgoing:
    """One Discord message to send, already inside every limit."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    view: discord.ui.View | None = None


def card_embed(n: int, card: Card) -> discord.Embed:
    locale = card.locale
    url = next((link.url for link in card.links if is_web_url(link.url, EMBED_URL)), None)
    embed = discord.Embed(
        title=field_text(f"{n}. {card.title}", EMBED_TITLE), url=url, colour=COLOUR
    )
    # Short, inline facts first; the reason can be long, so it gets the full width.
    embed.add_field(name=t("label_artist", locale), value=field_text(card.artist, 256), inline=True)
    embed.add_field(name=t("label_drama", locale), value=field_text(card.drama, 256), inline=True)
    if card.tags:
        embed.add_field(
            name=t("label_tags", locale),
            value=field_text(", ".join(card.tags), 512),
            inline=False,
        )
    if card.reason:
        embed.add_field(name=t("why", locale), value=field_text(card.reason, 1000), inline=False)
    return embed


def pack(embeds: Sequence[discord.Embed]) -> list[list[discord.Embed]]:
    """Group embeds into messages: at most 10 a message and 6000 characters together."""
    groups: list[list[discord.Embed]] = []
    size = 0
    for embed in embeds:
        if not groups or len(groups[-1]) == EMBEDS_PER_MESSAGE or size + len(embed) > EMBED_TOTAL:
            groups.append([])
            size = 0
        groups[-1].append(embed)
        size += len(embed)
    return groups


def card_messages(reply: Reply) -> list[Outgoing]:
    embeds = [card_embed(n, card) for n, card in enumerate(reply.cards, 1)]
    if reply.footer:
        embeds[-1].set_footer(text=clip(safe(reply.footer), FOOTER_TEXT))
    texts = split_text(safe(reply.text), CONTENT_LIMIT) if reply.text else []
    # The intro goes with the first embeds, so it reads as their heading.
    out = [Outgoing(content=text) for text in texts[:-1]]
    for i, group in enumerate(pack(embeds)):
        out.append(Outgoing(content=texts[-1] if texts and i == 0 else None, embeds=group))
    return out


def text_messages(reply: Reply) -> list[Outgoing]:
    body = safe(reply.text).strip() or "…"
    footer = safe(reply.footer)
    if len(body) + len(footer) + 2 <= CONTENT_LIMIT:
        return [Outgoing(content=f"{body}\n\n{footer}" if footer else body)]
    # Too long for one message: embed descriptions hold twice as much per message.
    embeds = [
        discord.Embed(description=chunk, colour=COLOUR)
        for chunk in split_text(body, EMBED_DESCRIPTION)
    ]
    if reply.title:
        embeds[0].title = clip(safe(reply.title), EMBED_TITLE)
    if footer:
        embeds[-1].set_footer(text=clip(footer, FOOTER_TEXT))
    return [Outgoing(embeds=group) for group in pack(embeds)]


def plain_messages(reply: Reply) -> list[Outgoing]:
    """For channels where the bot may not embed: the console's text, split for Discord."""
    return [
        Outgoing(content=chunk) for chunk in split_text(safe(render_plain(reply)), CONTENT_LIMIT)
    ]


def render(reply: Reply, *, rich: bool = True) -> list[Outgoing]:
    """A Reply as Discord messages (buttons on the last one), within every Discord limit."""
    if not rich:
        messages = plain_messages(reply)
    elif reply.cards:
        messages = card_messages(reply)
    else:
        messages = text_messages(reply)
    messages = [m for m in messages if m.content or m.embeds] or [Outgoing(content="…")]
    if len(messages) > MAX_MESSAGES:
        messages = messages[:MAX_MESSAGES]
        last = messages[-1]
        if last.content is not None:
            last.content = clip(last.content, CONTENT_LIMIT - 2) + "\n…"
    view = build_view(reply)
    if view is not None:
        messages[-1].view = view
    return messages


# -------------------------------------------------------------------------- buttons


@dataclass(frozen=True, slots=True)
class ButtonSpec:
    label: str
    custom_id: str | None = None  # an action button routed back to the core
    url: str | None = None  # a link button, opened by the client


def button_layout(reply: Reply) -> list[list[ButtonSpec]]:
    """Rows of buttons within 5 rows of 5: one row per track, "Another" last.

    When that does not fit, listen links go first (the embed title links to the song too),
    then the rows are packed tightly; track buttons are dropped last.
    """
    track_rows: list[list[ButtonSpec]] = []
    for n, card in enumerate(reply.cards, 1):
        row = [
            ButtonSpec(clip(f"{n} {a.label}", BUTTON_LABEL), custom_id=a.id)
            for a in card.actions
            if _routable(a.id)
        ]
        row += [
            ButtonSpec(clip(link.label, BUTTON_LABEL) or "▶", url=link.url)
            for link in card.links
            if is_web_url(link.url, BUTTON_URL)
        ]
        track_rows.append(row)
    extra = [
        ButtonSpec(clip(a.label, BUTTON_LABEL) or "…", custom_id=a.id)
        for a in reply.actions
        if _routable(a.id)
    ]
    for with_links in (True, False):
        rows = [
            chunk
            for row in track_rows
            for chunk in _chunks([b for b in row if with_links or b.url is None])
        ]
        if extra and len(rows) >= ROWS and len(rows[-1]) + len(extra) <= BUTTONS_PER_ROW:
            rows[-1] = rows[-1] + extra
        elif extra:
            rows += _chunks(extra)
        if len(rows) <= ROWS:
            return rows
    room = ROWS * BUTTONS_PER_ROW - len(extra)
    flat = [b for row in track_rows for b in row if b.url is None][:room] + extra
    return _chunks(flat)[:ROWS]


def _routable(action_id: str) -> bool:
    """Only ids Discord accepts and ActionButton will route back; others are left out."""
    if len(action_id) <= CUSTOM_ID and _ACTION_ID.fullmatch(action_id):
        return True
    log.warning("discord: leaving out a button with an unroutable id %r", action_id[:120])
    return False


def _chunks(items: list[ButtonSpec]) -> list[list[ButtonSpec]]:
    return [items[i : i + BUTTONS_PER_ROW] for i in range(0, len(items), BUTTONS_PER_ROW)]


def build_view(reply: Reply) -> discord.ui.View | None:
    rows = button_layout(reply)
    if not rows:
        return None
    view = discord.ui.View(timeout=None)  # persistent: ActionButton handles presses anyway
    for r, row in enumerate(rows):
        for spec in row:
            if spec.url is not None:
                view.add_item(discord.ui.Button(label=spec.label, url=spec.url, row=r))
            elif spec.custom_id is not None:
                view.add_item(ActionButton(spec.custom_id, spec.label, row=r))
    return view


class ActionButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=ACTION_TEMPLATE
):
    """A core action button (`more:…`, `like:…`, `dislike:…`).

    Registered with `Client.add_dynamic_items`, so a press is routed by its custom_id alone:
    buttons on messages sent before a restart keep working. The core checks the id itself
    and answers a stale or forged one politely.
    """

    def __init__(self, custom_id: str, label: str, *, row: int | None = None) -> None:
        style = (
            discord.ButtonStyle.primary
            if custom_id.startswith("more:")
            else discord.ButtonStyle.secondary
        )
        super().__init__(discord.ui.Button(label=label, custom_id=custom_id, style=style), row=row)

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[discord.Client],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> Self:
        label = getattr(item, "label", None) or "…"
        return cls(match["action"], label)

    async def callback(self, interaction: discord.Interaction[discord.Client]) -> None:
        client = interaction.client
        if isinstance(client, OstClient):
            await client.adapter.on_button(interaction, self.custom_id)


# --------------------------------------------------------------------- autocomplete


def choices(suggestions: Sequence[Suggestion]) -> list[app_commands.Choice[str]]:
    # A value longer than Discord allows cannot be offered intact; the name can be clipped.
    return [
        app_commands.Choice(name=clip(" ".join(s.label.split()), CHOICE_TEXT) or "…", value=s.value)
        for s in suggestions
        if 0 < len(s.value) <= CHOICE_TEXT
    ][:CHOICES]


# -------------------------------------------------------------------------- routing


def addressed_text(message: discord.Message, me: discord.abc.User) -> str | None:
    """The text meant for the bot, or None when the message is not for it.

    Without the message-content intent Discord still delivers the text of direct messages and
    of messages that mention the bot; those are exactly the ones answered.
    """
    if message.author.bot or message.type not in (
        discord.MessageType.default,
        discord.MessageType.reply,
    ):
        return None
    patterns = [rf"<@!?{me.id}>"]
    # Everything in a DM is for the bot; in a server, only what mentions it.
    mentioned = message.guild is None or any(user.id == me.id for user in message.mentions)
    # Typing "@ostbot" sometimes picks the bot's managed role instead of the bot user.
    role = message.guild.self_role if message.guild is not None else None
    if role is not None and any(r.id == role.id for r in message.role_mentions):
        mentioned = True
        patterns.append(rf"<@&{role.id}>")
    if not mentioned:
        return None
    return re.sub("|".join(patterns), " ", message.content).strip()


class DiscordAdapter:
    """Turns Discord events into core requests and sends the rendered replies."""

    def __init__(self, service: Service, *, defer_after: float = DEFER_AFTER) -> None:
        self.service = service
        self.defer_after = defer_after
        self.in_hand = InHand()  # what a stop lets finish before it closes the connection

    # ------------------------------------------------------------ messages

    async def on_message(self, message: discord.Message, me: discord.abc.User) -> None:
        text = addressed_text(message, me)
        if text is None:
            return
        with self.in_hand.track():
            await self._answer_message(message, text)

    async def _answer_message(self, message: discord.Message, text: str) -> None:
        try:
            request = Request(
                platform=Platform.DISCORD,
                user_id=str(message.author.id),
                chat_id=str(message.channel.id),
                text=text,
            )
            reply = await self.service.handle(request)
            if reply.private and message.guild is not None:
                # A channel has no "only you" messages: point to the slash command instead.
                note = t("private_in_channel", reply.locale, command=reply.command)
                outgoing = [Outgoing(content=safe(note))]
            else:
                outgoing = render(reply, rich=_can_embed(message))
            await self._send_to_channel(message, outgoing)
        except Exception:
            log.exception("discord: failed to answer message %s", message.id)
            await self._apologise_in_channel(message, reply_locale(text, None))

    async def _send_to_channel(self, message: discord.Message, outgoing: list[Outgoing]) -> None:
        reference = message.to_reference(fail_if_not_exists=False)
        for i, out in enumerate(outgoing):
            await message.channel.send(
                content=out.content,
                embeds=out.embeds,
                view=out.view or MISSING,
                allowed_mentions=NO_MENTIONS,
                reference=reference if i == 0 else MISSING,
                mention_author=False,
            )

    async def _apologise_in_channel(self, message: discord.Message, locale: str) -> None:
        try:
            await message.channel.send(t("error", locale), allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            log.warning("discord: could not apologise in channel %s", message.channel.id)

    # -------------------------------------------------------- interactions

    async def on_command(
        self, interaction: discord.Interaction[discord.Client], name: str, arg: str = ""
    ) -> None:
        """A slash command: the registry command `name` with its argument, as typed."""
        with self.in_hand.track():
            try:
                await self._answer(interaction, self._request(interaction, command=name, arg=arg))
            except Exception:
                log.exception("discord: failed to answer /%s", name)
                await self.apologise(interaction)

    async def on_button(
        self, interaction: discord.Interaction[discord.Client], action: str
    ) -> None:
        """A button press: the custom_id goes to the core as it is."""
        with self.in_hand.track():
            try:
                await self._answer(interaction, self._request(interaction, action=action))
            except Exception:
                log.exception("discord: failed to answer button %r", action)
                await self.apologise(interaction)

    def _request(
        self,
        interaction: discord.Interaction[discord.Client],
        *,
        command: str | None = None,
        arg: str = "",
        action: str | None = None,
    ) -> Request:
        return Request(
            platform=Platform.DISCORD,
            user_id=str(interaction.user.id),
            chat_id=str(interaction.channel_id or interaction.user.id),
            locale=interaction.locale.value or None,
            command=command,
            arg=arg,
            action=action,
        )

    async def _answer(
        self, interaction: discord.Interaction[discord.Client], request: Request
    ) -> None:
        reply = await self._handle_in_time(interaction, request)
        await self._respond(
            interaction,
            render(reply, rich=_can_embed(interaction)),
            ephemeral=reply.visibility is not Visibility.PUBLIC,
        )

    async def _handle_in_time(
        self, interaction: discord.Interaction[discord.Client], request: Request
    ) -> Reply:
        """Ask the core; defer the interaction if it has not answered quickly."""
        task = asyncio.ensure_future(self.service.handle(request))
        done, _ = await asyncio.wait({task}, timeout=self.defer_after)
        if not done:
            try:
                await self._defer(interaction, request)
            except discord.HTTPException:
                log.warning("discord: could not defer interaction %s", interaction.id)
        return await task

    async def _defer(
        self, interaction: discord.Interaction[discord.Client], request: Request
    ) -> None:
        """Acknowledge now, answer later, without deciding too early who sees the answer.

        A slash command's deferral ("thinking…") fixes whether its answer is private, so it
        follows the core's `audience`. A button press is acknowledged without a message: its
        answer is a new follow-up whose visibility is chosen when the reply is known (a stale
        "Another" is answered privately although a fresh one is public).
        """
        if request.action is not None:
            await interaction.response.defer()
            return
        private = self.service.audience(request) is not Visibility.PUBLIC
        await interaction.response.defer(thinking=True, ephemeral=private)

    async def _respond(
        self,
        interaction: discord.Interaction[discord.Client],
        outgoing: list[Outgoing],
        *,
        ephemeral: bool,
    ) -> None:
        for out in outgoing:
            if not interaction.response.is_done():
                await interaction.response.send_message(
                    content=out.content,
                    embeds=out.embeds,
                    view=out.view or MISSING,
                    ephemeral=ephemeral,
                    allowed_mentions=NO_MENTIONS,
                )
            else:
                await interaction.followup.send(
                    content=out.content or MISSING,
                    embeds=out.embeds,
                    view=out.view or MISSING,
                    ephemeral=ephemeral,
                    allowed_mentions=NO_MENTIONS,
                )

    async def apologise(self, interaction: discord.Interaction[discord.Client]) -> None:
        """Never leave a user with "The application did not respond"."""
        if interaction.type is discord.InteractionType.autocomplete:
            return  # autocomplete cannot carry a message
        text = t("error", locale_of(interaction.locale.value))
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
            else:
                await interaction.response.send_message(
                    text, ephemeral=True, allowed_mentions=NO_MENTIONS
                )
        except discord.HTTPException:
            log.warning("discord: could not apologise for interaction %s", interaction.id)

    # -------------------------------------------------------- autocomplete

    async def complete(
        self, interaction: discord.Interaction[discord.Client], kind: Arg, current: str
    ) -> list[app_commands.Choice[str]]:
        try:
            suggestions = await self.service.suggest(
                kind,
                current,
                interaction.locale.value or None,
                user=user_key(Platform.DISCORD, interaction.user.id),
                limit=CHOICES,
            )
        except Exception:
            log.exception("discord: autocomplete failed for %s %r", kind, current[:100])
            return []
        return choices(suggestions)


def _can_embed(source: discord.Message | discord.Interaction[discord.Client]) -> bool:
    """Whether embeds will show: they need the Embed Links permission in guild channels."""
    if source.guild is None:
        return True
    if isinstance(source, discord.Interaction):
        return source.app_permissions.embed_links
    me = source.guild.me
    return me is not None and source.channel.permissions_for(me).embed_links


def _command_name(interaction: discord.Interaction[discord.Client]) -> str:
    command = interaction.command
    return command.name if command is not None else "?"


# ------------------------------------------------------------------- slash commands


class OstTree(app_commands.CommandTree[discord.Client]):
    def __init__(self, client: OstClient) -> None:
        super().__init__(client)
        self.adapter = client.adapter

    async def on_error(
        self,
        interaction: discord.Interaction[discord.Client],
        error: app_commands.AppCommandError,
    ) -> None:
        log.error("discord: command error in /%s", _command_name(interaction), exc_info=error)
        await self.adapter.apologise(interaction)


class Translator(app_commands.Translator):
    """Korean descriptions for Korean clients: each registry text carries its Korean form."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if locale is discord.Locale.korean:
            korean = string.extras.get("ko")
            return korean if isinstance(korean, str) else None
        return None


def localised(said: Said) -> app_commands.locale_str:
    return app_commands.locale_str(said.en, ko=said.ko)


def add_commands(tree: app_commands.CommandTree[discord.Client], adapter: DiscordAdapter) -> None:
    """Every command of the service's registry as a slash command; each passes its argument on."""
    for spec in adapter.service.commands:
        tree.add_command(slash_command(spec, adapter))


def slash_command(spec: Spec, adapter: DiscordAdapter) -> app_commands.Command[Any, Any, None]:
    name = spec.name
    if spec.arg is Arg.NONE:

        async def bare(interaction: Interaction) -> None:
            await adapter.on_command(interaction, name)

        return app_commands.Command(name=name, description=localised(spec.summary), callback=bare)

    if spec.optional:

        async def run(
            interaction: Interaction, value: app_commands.Range[str, 0, OPTION_TEXT] = ""
        ) -> None:
            await adapter.on_command(interaction, name, value)

    else:

        async def run(  # type: ignore[misc]  # the same callback, with a required argument
            interaction: Interaction, value: app_commands.Range[str, 1, OPTION_TEXT]
        ) -> None:
            await adapter.on_command(interaction, name, value)

    command: app_commands.Command[Any, Any, None] = app_commands.Command(
        name=name, description=localised(spec.summary), callback=run
    )
    app_commands.rename(value=spec.arg.option)(command)
    app_commands.describe(value=localised(spec.about_arg))(command)
    if spec.arg.completes:
        kind = spec.arg

        async def complete(
            interaction: Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            return await adapter.complete(interaction, kind, current)

        command.autocomplete("value")(complete)
    return command


# ---------------------------------------------------------------------------- client


class OstClient(discord.Client):
    def __init__(
        self,
        service: Service,
        settings: Settings,
        *,
        defer_after: float = DEFER_AFTER,
        **options: Any,
    ) -> None:
        # Default intents: no privileged message-content intent (mentions and DMs suffice).
        super().__init__(intents=discord.Intents.default(), allowed_mentions=NO_MENTIONS, **options)
        self.adapter = DiscordAdapter(service, defer_after=defer_after)
        self.guild_id = settings.discord_guild_id
        # Slash commands are the application's, not a shard's: one process syncs them.
        shards = settings.discord_shards
        self.syncs_commands = shards is None or 0 in shards.ids
        self.tree = OstTree(self)
        add_commands(self.tree, self.adapter)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(ActionButton)
        await self.tree.set_translator(Translator())
        if self.syncs_commands:
            await self.sync_commands()

    async def sync_commands(self) -> None:
        """A development guild gets commands at once; global commands can take a while."""
        try:
            if self.guild_id is not None:
                guild = discord.Object(id=self.guild_id)
                self.tree.copy_global_to(guild=guild)
                synced = await self.tree.sync(guild=guild)
            else:
                synced = await self.tree.sync()
        except discord.HTTPException as exc:
            # Commands from an earlier sync keep working; mentions and DMs always do.
            log.warning("discord: could not sync slash commands: %s", exc)
            return
        log.info("discord: synced %d slash commands", len(synced))

    async def on_ready(self) -> None:
        log.info("discord: connected as %s (%s)", self.user, getattr(self.user, "id", "?"))

    async def on_message(self, message: discord.Message) -> None:
        if self.user is not None:
            await self.adapter.on_message(message, self.user)


class ShardedOstClient(OstClient, discord.AutoShardedClient):
    """The bot on some of the gateway's shards (DISCORD_SHARD_COUNT, DISCORD_SHARD_IDS):
    discord.py's AutoShardedClient runs them on one connection each; other processes run the
    rest, all on one shared database (PostgreSQL)."""

    async def on_shard_ready(self, shard_id: int) -> None:
        log.info("discord: shard %d of %s ready", shard_id, self.shard_count)


def make_client(service: Service, settings: Settings) -> OstClient:
    """One unsharded connection, or the shards this process was given."""
    shards = settings.discord_shards
    if shards is None:
        return OstClient(service, settings)
    log.info("discord: running shards %s", shards)
    return ShardedOstClient(service, settings, shard_count=shards.count, shard_ids=list(shards.ids))


async def serve(service: Service, settings: Settings, stop: asyncio.Event) -> None:
    """Run the Discord bot in the current loop until `stop` is set, then close it.

    A network failure before the first connection (Discord unreachable at start-up) is
    retried with backoff; a bad token fails at once.
    """
    if settings.discord_token is None:
        raise RuntimeError("DISCORD_TOKEN is not set")
    token = settings.discord_token.get_secret_value()
    # ostbot never joins voice; discord.py's "voice will NOT be supported" warnings are noise.
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False

    def transient(exc: BaseException) -> bool:
        return isinstance(exc, aiohttp.ClientError | OSError | discord.GatewayNotFound)

    await keep_trying(
        lambda: _run_client(make_client(service, settings), token, stop),
        transient=transient,
        stop=stop,
        what="Discord",
    )


async def _run_client(client: OstClient, token: str, stop: asyncio.Event) -> None:
    async with client:
        runner = asyncio.create_task(client.start(token), name="discord-client")
        halt = asyncio.create_task(stop.wait(), name="discord-stop")
        done, _ = await asyncio.wait({runner, halt}, return_when=asyncio.FIRST_COMPLETED)
        if runner in done:
            halt.cancel()
            runner.result()  # a failed login propagates to the supervisor
            return
        log.info("discord: stopping")
        await close_session(client, runner)


async def close_session(client: OstClient, connection: asyncio.Task[None]) -> None:
    """Stop reading the gateway, finish the answers in hand (for STOP_GRACE at most), then
    close the gateway with code 1000, which ends the session: Discord shows the bot offline at
    once instead of keeping the session for a resume that will never come.

    `client.close()` alone sends 4000 while `connection` (the task running `start()`) is
    reading the gateway: aiohttp wakes that reader with a CLOSING message and discord.py's
    reader closes the socket itself, with 4000, before `close()` gets to send its 1000. So the
    reader is cancelled first. The cancelled read also means the close does not wait up to
    30 s for Discord to acknowledge it.
    """
    connection.cancel()
    await asyncio.wait({connection})  # unlike awaiting it, never swallows our own cancellation
    if not connection.cancelled() and (error := connection.exception()) is not None:
        log.info("discord: the connection ended with %r while stopping", error)
    if cut := await client.adapter.in_hand.finish(STOP_GRACE):
        log.warning("discord: stopped after %.1fs with %d answers unsent", STOP_GRACE, cut)
    await client.close()
