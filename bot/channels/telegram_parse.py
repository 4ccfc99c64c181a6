"""Reading a Telegram update: who wrote, in which conversation, is it for this bot, what text.

A group is one chat with many people, so each person keeps a conversation of their own in it
(``chat:user``); a private chat is the person. In groups the bot answers only what is meant for
it: a command (bare, or addressed ``/cmd@thisbot``), a message mentioning it, a reply to one of
its messages. Everything else stays silent.
"""

from __future__ import annotations

from telegram import Chat, Message, MessageEntity, Update, User
from telegram.constants import ChatType

from services import IncomingMessage

CHANNEL = "telegram"
_MENTIONS: list[str | None] = [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
# What a non-text message holds, in the order it is checked; the name is the counted event.
NON_TEXT_KINDS = ("photo", "sticker", "voice", "video_note", "video", "audio", "animation",
                  "document", "location", "venue", "contact", "poll", "dice")


def is_group(chat: Chat) -> bool:
    """A group or supergroup (where the bot stays silent unless addressed)."""
    return chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


def chat_key(chat: Chat, user: User) -> str:
    """The conversation of ``user`` in ``chat``: the person in private, ``chat:user`` in groups."""
    return f"{chat.id}:{user.id}" if is_group(chat) else str(chat.id)


def is_addressed(message: Message, bot: User) -> bool:
    """Whether the bot should answer ``message``: always in private, when addressed in groups."""
    if message.chat.type == ChatType.PRIVATE:
        return True
    if not is_group(message.chat):
        return False  # channels: the bot does not take part
    if _command_for(message, bot.username):
        return True
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
        return True
    return bool(_bot_mentions(message, bot))


def to_incoming(update: Update, bot: User) -> IncomingMessage | None:
    """The dialogue's view of a text message or a pressed button (None when nobody sent it)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return None
    message = update.message
    text = _text_without_bot(message, bot) if message is not None and message.text else ""
    return IncomingMessage(channel=CHANNEL, user_id=str(user.id), chat_id=chat_key(chat, user),
                           message_id=str(message.message_id) if message else None, text=text,
                           group=is_group(chat))


def non_text_kind(message: Message) -> str:
    """What a non-text message holds (``photo``, ``sticker``…), ``other`` when unknown."""
    return next((kind for kind in NON_TEXT_KINDS if getattr(message, kind, None)), "other")


def _command_for(message: Message, username: str | None) -> bool:
    entity = next(iter(message.entities), None)
    if entity is None or entity.type != MessageEntity.BOT_COMMAND or entity.offset != 0:
        return False
    command = message.parse_entity(entity)
    _, at, target = command.partition("@")
    return not at or (username is not None and target.casefold() == username.casefold())


def _bot_mentions(message: Message, bot: User) -> list[MessageEntity]:
    handle = f"@{bot.username}".casefold() if bot.username else None
    found = {**message.parse_entities(_MENTIONS), **message.parse_caption_entities(_MENTIONS)}
    return [entity for entity, text in found.items()
            if (entity.type == MessageEntity.MENTION and text.casefold() == handle)
            or (entity.type == MessageEntity.TEXT_MENTION and entity.user is not None
                and entity.user.id == bot.id)]


def _text_without_bot(message: Message, bot: User) -> str:
    """The text with mentions of the bot cut out ("@bot 入学政策" asks "入学政策")."""
    text = message.text or ""
    raw = text.encode("utf-16-le")  # entity offsets count UTF-16 code units
    for entity in sorted(_bot_mentions(message, bot), key=lambda e: e.offset, reverse=True):
        if entity in message.entities:
            raw = raw[: entity.offset * 2] + raw[(entity.offset + entity.length) * 2:]
    return raw.decode("utf-16-le").strip()
