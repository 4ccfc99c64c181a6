"""The matching engine: pure functions and values, no I/O beyond reading content given a path."""

from intents.content import Content, OutOfScope, SmallTalk
from intents.decision import Decision, DecisionConfig, Outcome, decide
from intents.engine import Analyses, IntentEngine
from intents.errors import FaqDataError, IntentsError, UnknownIntentError
from intents.loader import load_content
from intents.models import (
    ENTRY_FIELDS,
    LIST_FIELDS,
    SOURCE_FIELDS,
    TEXT_FIELDS,
    Candidate,
    FaqEntry,
    MatchConfig,
    MatchResult,
    Source,
    Topic,
)
from intents.normalize import Normalizer

__all__ = [
    "ENTRY_FIELDS",
    "LIST_FIELDS",
    "SOURCE_FIELDS",
    "TEXT_FIELDS",
    "Analyses",
    "Candidate",
    "Content",
    "Decision",
    "DecisionConfig",
    "FaqDataError",
    "FaqEntry",
    "IntentEngine",
    "IntentsError",
    "MatchConfig",
    "MatchResult",
    "Normalizer",
    "OutOfScope",
    "Outcome",
    "SmallTalk",
    "Source",
    "Topic",
    "UnknownIntentError",
    "decide",
    "load_content",
]
