"""Telegram channel: python-telegram-bot handlers that translate updates to the dialogue and back.

The handlers decide nothing about content: a text goes to ``DialogService.handle``, a pressed
option to ``DialogService.choose`` (the same as typing it), a 👍/👎 to ``DialogService.feedback``,
and the ``Reply`` is rendered as it is (``telegram_render``). The gate in handler group -1 runs
first for every update: it keeps the bot silent in groups unless addressed (the per-user rate
limit is the dialogue's own step, the same in every channel). Handlers are the same in polling and
webhook mode.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import LinkPreviewOptions, ReplyParameters, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.channels.telegram_parse import (
    CHANNEL,
    chat_key,
    is_addressed,
    is_group,
    non_text_kind,
    to_incoming,
)
from bot.channels.telegram_plumbing import ChatOrderedProcessor, RetryAfterLimiter
from bot.channels.telegram_render import Pick, Vote, keyboard, parse_data, render, render_plain
from bot.channels.telegram_texts import TEXTS
from services import DialogService, IncomingMessage, Reply
from services.dialogue import Lang

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
TelegramApp = Application[Any, Any, Any, Any, Any, Any]
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class TelegramChannel:
    """The handlers of one bot, sharing the dialogue and the rate limiter."""

    def __init__(self, dialog: DialogService) -> None:
        """Handlers over ``dialog``."""
        self._dialog = dialog

    def register(self, app: TelegramApp) -> None:
        """The handler table: the gate first, commands before text, errors last."""
        new = filters.UpdateType.MESSAGE
        app.add_handler(TypeHandler(Update, self.gate), group=-1)
        app.add_handler(CommandHandler("start", self.on_start, filters=new))
        app.add_handler(CommandHandler("help", self.on_help, filters=new))
        app.add_handler(CommandHandler("topics", self.on_topics, filters=new))
        app.add_handler(CommandHandler("lang", self.on_lang, filters=new))
        app.add_handler(MessageHandler(new & filters.COMMAND & filters.ChatType.PRIVATE,
                                       self.on_help))
        app.add_handler(MessageHandler(new & filters.TEXT & ~filters.COMMAND, self.on_text))
        app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, self.on_edited))
        app.add_handler(MessageHandler(new & ~filters.TEXT & ~filters.StatusUpdate.ALL,
                                       self.on_not_text))
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_error_handler(self.on_error)

    # -- gate --------------------------------------------------------------------------------

    async def gate(self, update: Update, context: Context) -> None:
        """Stop what this bot should not answer (the rate limit is the dialogue's first step)."""
        message = update.message or update.edited_message
        if update.callback_query is None and (
                message is None or not is_addressed(message, context.bot.bot)):
            raise ApplicationHandlerStop
        if update.effective_user is None:
            raise ApplicationHandlerStop

    # -- commands ----------------------------------------------------------------------------

    async def on_start(self, update: Update, context: Context) -> None:
        """Welcome, with the topics as buttons."""
        incoming = to_incoming(update, context.bot.bot)
        if incoming is not None:
            lang = await self._lang(update)
            welcome = incoming.model_copy(update={"lang": lang})  # topics then open by number
            await self._send_reply(update, await self._dialog.welcome(welcome))

    async def on_help(self, update: Update, context: Context) -> None:
        """What the bot answers and how to use it here."""
        lang = await self._lang(update)
        await self._notice(update, f"{self._small_talk('capabilities', lang)}\n\n"
                                   f"{TEXTS['help'][lang]}")

    async def on_topics(self, update: Update, context: Context) -> None:
        """The topics as buttons."""
        lang = await self._lang(update)
        await self._send_reply(update, self._dialog.topics(lang, intro=TEXTS["topics"][lang]))

    async def on_lang(self, update: Update, context: Context) -> None:
        """``/lang zh|en|auto``: the language of the replies."""
        choice = (context.args or [""])[0].strip().lower()
        if choice not in ("zh", "en", "auto") or update.effective_user is None:
            await self._notice(update, TEXTS["lang_usage"][await self._lang(update)])
            return
        chosen: Lang | None = "en" if choice == "en" else "zh" if choice == "zh" else None
        await self._dialog.set_language(CHANNEL, self._chat(update), chosen)
        await self._notice(update, TEXTS[f"lang_{choice}"][await self._lang(update)])

    # -- messages ----------------------------------------------------------------------------

    async def on_text(self, update: Update, context: Context) -> None:
        """Answer a text message from the dialogue."""
        incoming = to_incoming(update, context.bot.bot)
        if incoming is not None:
            await self._send_reply(update, await self._dialog.handle(incoming), quote=True)

    async def on_not_text(self, update: Update, context: Context) -> None:
        """Ask for a text question; only the event is counted, nothing of the content kept."""
        assert update.message is not None  # guaranteed by the handler's filter
        await self._dialog.count_event(CHANNEL, non_text_kind(update.message))
        await self._notice(update, self._ui("not_text", await self._lang(update)))

    async def on_edited(self, update: Update, context: Context) -> None:
        """An edited message is not answered again: ask for a new message."""
        await self._dialog.count_event(CHANNEL, "edited")
        await self._notice(update, TEXTS["edited"][await self._lang(update)])

    async def on_button(self, update: Update, context: Context) -> None:
        """A pressed button: a vote is stored, an option answered as if typed; always answered."""
        query = update.callback_query
        assert query is not None  # guaranteed by CallbackQueryHandler
        action = parse_data(query.data)
        notice: str | None = None
        answered = False
        try:
            if isinstance(action, Vote):
                stored = await self._dialog.feedback(action.exchange_id, CHANNEL,
                                                     str(query.from_user.id), action.value)
                notice = TEXTS["voted" if stored else "vote_gone"][await self._lang(update)]
                return
            incoming = to_incoming(update, context.bot.bot)
            reply = await self._pick(incoming, action) if (
                isinstance(action, Pick) and incoming is not None) else None
            if reply is not None and reply.kind == "limited":
                notice = reply.text or self._ui("rate_limited", await self._lang(update))
                return
            await query.answer()  # before sending: the answer may take a moment to go out
            answered = True
            if reply is not None:
                await self._send_reply(update, reply)
        finally:
            if not answered:
                await query.answer(notice)

    async def _pick(self, incoming: IncomingMessage, action: Pick) -> Reply:
        if action.option_id is not None:
            return await self._dialog.choose(incoming, action.option_id)
        return await self._dialog.handle(incoming.model_copy(update={"text": str(action.number)}))

    async def on_error(self, update: object, context: Context) -> None:
        """Log a failed update with its id and say sorry; the bot goes on with the next update."""
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("telegram update %s failed: %s", update_id, type(context.error).__name__,
                  exc_info=context.error)
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        if update.callback_query is not None or isinstance(context.error, TelegramError):
            return  # buttons are answered by on_button itself; a failed send would fail again
        try:
            await self._notice(update, self._ui("error", await self._lang(update)))
        except TelegramError as exc:
            log.warning("telegram update %s: could not report the failure (%s)", update_id,
                        type(exc).__name__)

    # -- helpers -----------------------------------------------------------------------------

    async def _send_reply(self, update: Update, reply: Reply, *, quote: bool = False) -> None:
        if reply.kind == "quiet" or (reply.kind == "limited" and not reply.text):
            return  # an acknowledgement in a group, or past the limit and already told
        # Crisis wording in a group is answered without quoting (repeating) the message.
        await self._send(update, render(reply, self._ui), keyboard(reply),
                         quote=quote and reply.kind not in ("crisis", "support"))

    async def _notice(self, update: Update, text: str) -> None:
        await self._send(update, render_plain(text), quote=True)

    async def _send(self, update: Update, chunks: list[str], markup: Any = None, *,
                    quote: bool = False) -> None:
        """Send ``chunks`` in order, the keyboard under the last; quote the message in groups."""
        chat = update.effective_chat
        assert chat is not None
        message = update.effective_message
        reply_to = None
        if quote and is_group(chat) and message is not None:
            reply_to = ReplyParameters(message.message_id, allow_sending_without_reply=True)
        in_topic = is_group(chat) and getattr(message, "is_topic_message", False)
        thread = getattr(message, "message_thread_id", None) if in_topic else None  # forum topic
        for n, chunk in enumerate(chunks):
            last = n == len(chunks) - 1
            await chat.get_bot().send_message(
                chat.id, chunk, parse_mode=ParseMode.HTML, reply_markup=markup if last else None,
                reply_parameters=reply_to if n == 0 else None, message_thread_id=thread,
                link_preview_options=_NO_PREVIEW)

    def _chat(self, update: Update) -> str:
        assert update.effective_chat is not None and update.effective_user is not None
        return chat_key(update.effective_chat, update.effective_user)

    async def _lang(self, update: Update) -> Lang:
        """The language the user chose, else their Telegram language (Chinese first)."""
        user = update.effective_user
        if user is None or update.effective_chat is None:
            return "zh"
        return await self._dialog.reply_language(CHANNEL, self._chat(update),
                                                 client_language=user.language_code)

    def _ui(self, key: str, lang: Lang) -> str:
        return self._dialog.text(key, lang)

    def _small_talk(self, talk_id: str, lang: Lang) -> str:
        return self._dialog.small_talk_text(talk_id, lang)


def build_telegram_app(
        token: str, dialog: DialogService, *, base_url: str | None = None,
        request: BaseRequest | None = None, polling: bool = True) -> TelegramApp:
    """The PTB application with every handler: an updater for polling, none for webhooks."""
    builder = (ApplicationBuilder().token(token).job_queue(None)
               .rate_limiter(RetryAfterLimiter()).concurrent_updates(ChatOrderedProcessor()))
    if base_url:
        # As the operator gives it, for both (the bot downloads no files today).
        builder = builder.base_url(base_url).base_file_url(base_url)
    if request is not None:
        builder = builder.request(request)
    if not polling:
        builder = builder.updater(None)
    app = builder.build()
    TelegramChannel(dialog).register(app)
    return app

