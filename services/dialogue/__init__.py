"""The dialogue: one message in, one :class:`Reply` out, the same for every channel.

:class:`DialogService` runs a turn through a pipeline of steps (``steps.py``); one module
(``decision.py``) holds every threshold and decides answer, clarify or fallback; ``replies.py``
words the reply; ``safety.py`` and ``privacy.py`` guard it; ``exchange_log.py`` stores it,
redacted; ``conversation.py`` remembers what a user was offered.

Imports ``content`` and ``platform`` below it, never ``staff`` or the channels above it.
"""

from services.dialogue import evaluation, safety_training
from services.dialogue.conversation import (
    Conversation,
    ConversationStore,
    memory_store,
    redis_store,
    shared_store,
)
from services.dialogue.messages import IncomingMessage, Lang, Option, Reply, ReplyKind
from services.dialogue.pages import Pages, more_number
from services.dialogue.privacy import pseudonym, redact
from services.dialogue.replies import NONE_OPTION, TOPIC_PREFIX
from services.dialogue.safety import Assessment, SafetyCheck
from services.dialogue.service import DialogService

__all__ = [
    "NONE_OPTION",
    "TOPIC_PREFIX",
    "Assessment",
    "Conversation",
    "ConversationStore",
    "DialogService",
    "IncomingMessage",
    "Lang",
    "Option",
    "Pages",
    "Reply",
    "ReplyKind",
    "SafetyCheck",
    "evaluation",
    "memory_store",
    "more_number",
    "pseudonym",
    "redact",
    "redis_store",
    "safety_training",
    "shared_store",
]
