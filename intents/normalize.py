"""Bring a message and a phrasing to one comparable form.

Order matters: NFKC first (full-width letters and digits become ASCII), then case, then
Traditional to Simplified (OpenCC), then numerals (they need the simplified characters), then
synonyms (colloquial words to the words the content uses), and last punctuation and emoji, which
become spaces so that they still separate words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache

import opencc

from intents.numerals import convert_numerals
from intents.pinyin import looks_like_pinyin, reading

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


@lru_cache(maxsize=4096)
def basic_form(text: str) -> str:
    """NFKC, casefold, Simplified, numerals to digits: the form every other step starts from.

    Memoised: the crisis check, language detection, small talk, the scope rules and the engine
    each start from it, so one message is converted once, not five times.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    return convert_numerals(to_simplified(text))


def _alternation(keys: list[str], ascii_bounds: bool) -> re.Pattern[str] | None:
    parts = []
    for key in sorted(keys, key=len, reverse=True):
        escaped = re.escape(key)
        parts.append(rf"\b{escaped}\b" if ascii_bounds and key.isascii() else escaped)
    return re.compile("|".join(parts)) if parts else None


def _syllables(text: str) -> str:
    return " ".join(s for s in reading(text) if s)


class Normalizer:
    """Normalises text with a synonym table (variant -> the word the content uses).

    The table applies to pinyin input too: each Chinese variant's reading maps to the canonical
    word's reading, so ``waidi haizi shangxue`` finds what 外地孩子上学 finds.
    """

    def __init__(self, synonyms: Mapping[str, str] | None = None,
                 context: Iterable[str] = ()) -> None:
        names = {basic_form(n) for n in context if n.strip()}
        self.context: tuple[str, ...] = tuple(sorted(names))
        self._context = _alternation(list(names), ascii_bounds=True)
        sounds = sorted({_syllables(n) for n in names if not n.isascii()} - {""},
                        key=len, reverse=True)
        self._context_spoken = (re.compile(r"(?<!\S)(?:" + "|".join(map(re.escape, sounds))
                                           + r")(?!\S)") if sounds else None)
        table = {basic_form(k): basic_form(v) for k, v in (synonyms or {}).items()}
        self._table = {k: v for k, v in table.items() if k and k != v}
        self._pattern = _alternation(list(self._table), ascii_bounds=True)
        spoken: dict[str, str] = {}
        for variant, canonical in self._table.items():
            if not variant.isascii():
                key, value = _syllables(variant), _syllables(canonical)
                if key and key != value:
                    spoken.setdefault(key, value)
        self._spoken = spoken
        self._spoken_pattern = _alternation(list(spoken), ascii_bounds=False)

    def __call__(self, text: str) -> str:
        """The normalised form of ``text``."""
        text = basic_form(text)
        if looks_like_pinyin(text):
            return self._pinyin(text)
        if self._pattern is not None:
            text = self._pattern.sub(lambda m: self._table[m.group(0)], text)
        return strip_symbols(text)

    def core(self, norm: str) -> str:
        """A normalised text without its place names: the part a question is matched on.

        A district's or town's name (``faq_data/places.yaml``) says where the person is, not what
        they ask; left in, it draws the entries whose answers happen to mention it."""
        if self._context is None or not norm:
            return norm
        if self._context_spoken is not None and looks_like_pinyin(norm):
            return _SPACES.sub(" ", self._context_spoken.sub(" ", norm)).strip()
        return _SPACES.sub(" ", self._context.sub(" ", norm)).strip()

    def _pinyin(self, text: str) -> str:
        """Pinyin input as spaced syllables with the synonym table applied."""
        spaced = f" {_syllables(strip_symbols(text))} "
        if self._spoken_pattern is not None:
            spaced = self._spoken_pattern.sub(
                lambda m: self._spoken.get(m.group(0).strip(), m.group(0)), spaced)
        return " ".join(spaced.split())
