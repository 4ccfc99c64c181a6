"""Bring a message and a phrasing to one comparable form.

Order matters: NFKC first (full-width letters and digits become ASCII), then case, then
Traditional to Simplified (OpenCC), then numerals (they need the simplified characters), then
synonyms (colloquial words to the words the content uses), and last punctuation and emoji, which
become spaces so that they still separate words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import cache

import opencc

from intents.numerals import convert_numerals

_KEEP_SYMBOLS = frozenset("%.")
_SPACES = re.compile(r"\s+")
_LOOSE_DOT = re.compile(r"(?<![0-9])\.|\.(?![0-9])")


@cache
def _t2s() -> opencc.OpenCC:
    """OpenCC reads its tables from disk, so it is built on first use, not at import."""
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional Chinese characters to Simplified; other text unchanged."""
    return str(_t2s().convert(text))


def strip_symbols(text: str) -> str:
    """Punctuation, emoji and other symbols to spaces; keep %, and . inside numbers."""
    out = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch in _KEEP_SYMBOLS or category[0] in "LN":
            out.append(ch)
        elif category == "Mn":  # combining marks (emoji modifiers, accents left by NFKC)
            continue
        else:
            out.append(" ")
    return _SPACES.sub(" ", _LOOSE_DOT.sub(" ", "".join(out))).strip()


def basic_form(text: str) -> str:
    """NFKC, casefold, Simplified, numerals to digits: the form every other step starts from."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return convert_numerals(to_simplified(text))


class Normalizer:
    """Normalises text with a synonym table (variant -> the word the content uses)."""

    def __init__(self, synonyms: Mapping[str, str] | None = None) -> None:
        table = {basic_form(k): basic_form(v) for k, v in (synonyms or {}).items()}
        self._table = {k: v for k, v in table.items() if k and k != v}
        self._pattern: re.Pattern[str] | None = None
        if self._table:
            parts = []
            for key in sorted(self._table, key=len, reverse=True):
                escaped = re.escape(key)
                parts.append(rf"\b{escaped}\b" if key.isascii() else escaped)
            self._pattern = re.compile("|".join(parts))

    def __call__(self, text: str) -> str:
        """The normalised form of ``text``."""
        text = basic_form(text)
        if self._pattern is not None:
            text = self._pattern.sub(lambda m: self._table[m.group(0)], text)
        return strip_symbols(text)
