"""Values the engine works with: content entries in, ranked matches out.

They are frozen pydantic models because they cross into services and channels unchanged and are
validated once, when the content is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

ID_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$"

# The details a question may ask for that an entry's source can lack (the entry's ``not_covered``);
# ``intents.message_model`` reads which one a message asks for.
Slot = Literal["phone", "address", "website_app", "date_deadline", "fee", "documents",
               "eligibility", "quota_amount", "named_entity", "opening_hours", "comparison_year",
               "procedure"]
SLOTS: tuple[Slot, ...] = get_args(Slot)


class Source(BaseModel):
    """Where in the bureau's document an answer comes from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    document: str = Field(min_length=1)
    number: str = Field(min_length=1)
    section: str = ""

    def citation(self) -> str:
        """The citation line shown under an answer."""
        text = f"《{self.document}》（{self.number}）"
        return f"{text}{self.section}" if self.section else text


class FaqEntry(BaseModel):
    """One curated question cluster and its answer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=ID_PATTERN)
    topic: str = Field(min_length=1)
    title: str = Field(min_length=1)
    questions: tuple[str, ...] = Field(min_length=1)
    keywords: tuple[str, ...] = ()
    answer: str = Field(min_length=1)
    answer_en: str | None = None
    source: Source
    related: tuple[str, ...] = ()
    # The details the source does not give for this subject: a question asking for one of them
    # is told so ("文件没有写……") and where to ask, never answered as if the entry said it.
    not_covered: tuple[Slot, ...] = ()
    valid_from: date | None = None
    valid_until: date | None = None

    @field_validator("questions", "keywords", "related", "not_covered", mode="before")
    @classmethod
    def _as_strings(cls, value: object) -> object:
        """YAML reads a bare 12356 or 2024 as a number; a phrasing is always text."""
        if isinstance(value, list | tuple):
            return tuple(str(v) if isinstance(v, int | float) else v for v in value)
        return value

    @field_validator("questions", "keywords")
    @classmethod
    def _no_blank(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(v.strip() for v in value)
        if any(not v for v in cleaned):
            raise ValueError("blank phrasing")
        return cleaned

    def is_valid_on(self, day: date) -> bool:
        """Whether the entry's validity window covers ``day`` (open ends count as valid)."""
        return not (self.valid_from and day < self.valid_from)

    def is_expired_on(self, day: date) -> bool:
        """Whether the entry states a target whose period has ended by ``day``."""
        return self.valid_until is not None and day > self.valid_until


# The entry's fields, defined once by the model: every place that lists them (the editor, CSV,
# YAML export, document cleaning) derives its list from these.
ENTRY_FIELDS: tuple[str, ...] = tuple(FaqEntry.model_fields)
LIST_FIELDS: tuple[str, ...] = ("questions", "keywords", "related", "not_covered")
TEXT_FIELDS: tuple[str, ...] = tuple(f for f in ENTRY_FIELDS
                                     if f not in LIST_FIELDS and f != "source")
SOURCE_FIELDS: tuple[str, ...] = tuple(Source.model_fields)


class Topic(BaseModel):
    """A group of entries shown to users as a menu item."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    title: str
    title_en: str
    core: bool = False


@dataclass(frozen=True, slots=True)
class MatchConfig:
    """Settings of the ranking itself (the decision's thresholds are in ``intents.decision``).

    ``candidates``: how many phrasings the index hands to the fuzzy scorer.
    """

    candidates: int = 60


@dataclass(frozen=True, slots=True)
class Candidate:
    """One scored entry: the best phrasing it matched by and the score parts (for explaining)."""

    entry_id: str
    score: float
    question: str
    parts: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The ranked entries for one message (no decision: see ``intents.decision``)."""

    text: str
    normalized: str
    candidates: tuple[Candidate, ...]
    # The message is one word that several entries share and not a phrasing of the best one
    # (政策, 基金): it names a subject, not a question.
    loose_word: bool = False

    @property
    def best(self) -> Candidate | None:
        """The top candidate, if any."""
        return self.candidates[0] if self.candidates else None
