"""Pinyin keys: how homophone typos and toneless pinyin input still find their entry.

A Chinese IME turns "sui qian" into 随千 as easily as 随迁; both read ``sui qian``. So every text
gets a second reading as toneless syllables, and ASCII words that split cleanly into syllables
(``suiqian``, ``zinv``) join that reading too. English words mostly do not split into syllables
and are left to the word features.
"""

from __future__ import annotations

import importlib.util
import json
import re
import unicodedata
from functools import cache
from pathlib import Path

_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[a-z]+|[0-9.%]+|[\u3400-\u9fff]+")
_MAX_SYLLABLE = 6


def _character_readings() -> dict[str, str]:
    """pypinyin's character table (``pinyin_dict.json``: code point -> "readings,..."), read
    from the installed package without importing it: ``import pypinyin`` also loads its phrase
    dictionary (about 43 MiB and a fifth of a second), which this module never uses."""
    spec = importlib.util.find_spec("pypinyin")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("pypinyin is not installed")
    folder = Path(next(iter(spec.submodule_search_locations)))
    data: dict[str, str] = json.loads((folder / "pinyin_dict.json").read_text(encoding="utf-8"))
    return data


@cache
def _table() -> dict[str, str]:
    """Each CJK character's first toneless reading, from pypinyin's character table, built once.

    A per-character table instead of pypinyin's phrase-aware conversion: it is two orders of
    magnitude faster, and matching only needs both sides read the same way (a homophone typo
    must read like the word it replaces), not the right reading of every polyphone.
    """
    firsts = {int(key): readings.split(",")[0] for key, readings in _character_readings().items()}
    # Tones off one distinct letter at a time (a few dozen), then each reading in one translate.
    letters = set("".join(firsts.values())) - set("abcdefghijklmnopqrstuvwxyz")
    toneless = str.maketrans({letter: _plain(letter) for letter in letters})
    table = {}
    for code, first in firsts.items():
        plain = first.translate(toneless)
        if plain.isascii() and plain.isalpha():
            table[chr(code)] = plain
    return table


def _plain(letter: str) -> str:
    """One letter of a reading without its tone mark: ǘ -> v, ā -> a, a lone combining mark -> ''."""
    decomposed = unicodedata.normalize("NFD", letter).replace("u\u0308", "v")
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _read(token: str) -> list[str]:
    table = _table()
    return [table.get(ch, "") for ch in token]


@cache
def syllables() -> frozenset[str]:
    """Every toneless syllable the table knows (for splitting pinyin input)."""
    return frozenset(set(_table().values()) | {"nv", "lv", "nve", "lve"})


def split_syllables(word: str) -> list[str] | None:
    """Split an ASCII word into the fewest pinyin syllables, or None if it is not pinyin."""
    known = syllables()
    n = len(word)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for end in range(1, n + 1):
        for start in range(max(0, end - _MAX_SYLLABLE), end):
            head = best[start]
            piece = word[start:end]
            if head is not None and piece in known:
                option = [*head, piece]
                current = best[end]
                if current is None or len(option) < len(current):
                    best[end] = option
    return best[n]


def reading(text: str, *, ascii_words: bool = True) -> list[str]:
    """The text as a sequence of syllables (numbers kept as they are); "" marks a break.

    ``ascii_words=False`` reads only the Chinese characters: in an English sentence, "wenzhou"
    or "ban" is an English word, not pinyin.
    """
    out: list[str] = []
    for token in _WORD.findall(text):
        if _CJK.match(token):
            out.extend(_read(token))
        elif token[0].isalpha() and not ascii_words:
            out.append("")
        elif token[0].isalpha():
            split = split_syllables(token.replace("u:", "v").replace("ü", "v"))
            out.extend(split if split else [""])
        else:
            out.append(token)
    return out


def looks_like_pinyin(text: str) -> bool:
    """Whether an ASCII message is written in pinyin rather than English."""
    words = re.findall(r"[a-z]+", text.lower())
    if not words or _CJK.search(text):
        return False
    split = [split_syllables(w) for w in words]
    letters = sum(len(w) for w, s in zip(words, split, strict=True) if s)
    return letters >= 0.8 * sum(len(w) for w in words)


def spoken(text: str) -> str:
    """A string for fuzzy comparison by sound: Chinese read as syllables, other words kept.

    Pinyin input is split into syllables; English words stay whole, so an English sentence never
    sounds like the Chinese name it quotes.
    """
    pinyin_input = looks_like_pinyin(text)
    out: list[str] = []
    for token in _WORD.findall(text):
        if _CJK.match(token):
            out.extend(s for s in _read(token) if s)
        elif token[0].isalpha() and pinyin_input:
            out.extend(split_syllables(token) or [token])
        else:
            out.append(token)
    return " ".join(out)
