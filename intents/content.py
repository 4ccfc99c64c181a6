"""The whole curated content as loaded from ``faq_data/``: entries plus the dialogue's fixed texts.

Small talk, UI texts and out-of-scope rules are content too: staff word them, translators
translate them, and they are reviewed in git with the entries.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from intents.models import FaqEntry, Topic


class SmallTalk(BaseModel):
    """A small-talk intent: the whole message must be one of its phrases (after normalising)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    phrases: tuple[str, ...] = Field(min_length=1)
    reply: str
    reply_en: str


class OutOfScope(BaseModel):
    """A question the document does not answer, recognised by its words, and where to ask."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    patterns: tuple[str, ...] = Field(min_length=1)  # regular expressions on normalised text
    # When set, an engine match scoring at least this wins over the rule (the words are common
    # enough that the document may answer the question after all, e.g. 转公学校学区划分).
    yield_above: float | None = Field(default=None, ge=0.0, le=1.0)
    reply: str
    reply_en: str


class Content(BaseModel):
    """Everything under ``faq_data/``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    entries: tuple[FaqEntry, ...]
    topics: tuple[Topic, ...] = ()
    synonyms: dict[str, str] = Field(default_factory=dict)  # variant -> canonical
    places: tuple[str, ...] = ()  # names that are context, not topic (places.yaml)
    small_talk: tuple[SmallTalk, ...] = ()
    out_of_scope: tuple[OutOfScope, ...] = ()
    ui: dict[str, dict[str, str]] = Field(default_factory=dict)  # key -> {"zh": ..., "en": ...}

    def text(self, key: str, lang: str = "zh") -> str:
        """A fixed UI text in ``lang`` (Chinese when the language is missing)."""
        texts = self.ui.get(key, {})
        return texts.get(lang) or texts.get("zh") or key
