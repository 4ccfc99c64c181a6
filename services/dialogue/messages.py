"""Channel-neutral messages: what every channel hands the dialogue and gets back.

The reply contract of docs/design.md lives here so that channels depend on services, never the
other way round.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# ``limited``: the user is past the rate limit; the text is the "slow down" notice on the first
# refused message of the window and empty after it (channels then send nothing, the API a 429).
# ``support``: a reply of the crisis conversation mode, or to distress that asked nothing: an
# acknowledgement and how to get help, never an FAQ answer or a "not found".
# ``quiet``: a message in a group chat not addressed to the bot (a notice, 收到): channels send
# nothing.
# ``referral``: a message the bot cannot take (a complaint, a petition), told who can.
ReplyKind = Literal["answer", "clarify", "fallback", "crisis", "support", "greeting", "limited",
                    "quiet", "referral"]
Lang = Literal["zh", "en"]


class IncomingMessage(BaseModel):
    """One user message as a channel received it."""

    model_config = ConfigDict(frozen=True)

    channel: str = Field(min_length=1, max_length=32)
    user_id: str = Field(min_length=1, max_length=128)  # hashed before it is stored
    text: str
    message_id: str | None = None
    chat_id: str | None = None
    lang: Lang | None = None  # a language the user chose (Telegram /lang); None: detect
    group: bool = False  # sent in a group chat (acknowledgements and notices get no reply)


class Option(BaseModel):
    """A choice offered with a reply: a clarification option or a related question."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str


class Reply(BaseModel):
    """The dialogue's answer, rendered as is by every channel."""

    model_config = ConfigDict(frozen=True)

    kind: ReplyKind
    text: str
    intent: str | None = None
    confidence: float = Field(ge=0.0, le=1.0)
    options: list[Option] = Field(default_factory=list)
    source: str | None = None
    lang: Lang = "zh"
    exchange_id: int | None = None  # the stored exchange, for feedback buttons
