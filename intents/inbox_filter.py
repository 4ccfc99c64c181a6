"""Which unanswered messages are not questions at all, so they never reach the editors' inbox.

People answer a "did you mean" list with its number ("2"), say none of the options fits
("都不是", "none of these"), or type a dot, an emoji, a single character or a run of keys
("asdfgh"). None of that is content the bot lacks: stored as unanswered, it buried the real
questions staff must act on. Pure text rules, used where the dialogue stores an unanswered
question and again where the inbox lists what was stored before the rules existed.
"""

from __future__ import annotations

import itertools
import re
from typing import Literal

from intents.normalize import basic_form, strip_symbols
from intents.pinyin import looks_like_pinyin

Reason = Literal["empty", "option_number", "none_of_these", "too_short", "keyboard_mash"]

# An option picked by its number: "2", "第2个", "选3", "1号".
_OPTION = re.compile(r"^(?:第|选|选择)?\s*\d{1,2}\s*(?:个|号|项|条|个吧)?$")
# "None of the options": the reply to a clarification, not a question of its own.
NONE_OF_THESE = frozenset([
    "都不是", "都不对", "都没有", "以上都不是", "以上都不对", "以上都没有", "全都不是", "都不是的",
    "不是", "不对", "没有", "都不", "都不是啊", "都不是呢", "都不对啊",
    "none", "none of these", "none of them", "none of the above", "neither", "nope", "no",
])
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS = frozenset(
    pair for row in _ROWS for a, b in itertools.pairwise(row) for pair in (a + b, b + a))
_VOWELS = frozenset("aeiouy")
MASH_MIN_LETTERS = 4  # shorter Latin words are left alone ("bus", "fee")
MASH_ADJACENT = 0.6  # share of neighbouring-key pairs from which a word is a run of keys
MASH_VOWELS = 0.15  # a longer word with fewer vowels than this is not a word


def not_a_question(text: str) -> Reason | None:
    """Why ``text`` is not a question for the inbox, or None when it may be one."""
    plain = strip_symbols(basic_form(text))
    compact = plain.replace(" ", "")
    if not compact:
        return "empty"
    if _OPTION.match(compact):
        return "option_number"
    if plain in NONE_OF_THESE or compact in NONE_OF_THESE:
        return "none_of_these"
    if len(set(compact)) == 1:
        return "too_short"  # "嗯", "a", "哈哈哈哈", "。。。" after the punctuation went
    if _is_mash(plain):
        return "keyboard_mash"
    return None


def _is_mash(plain: str) -> bool:
    """Latin letters only, not pinyin, and every longer word a run of keys or without vowels."""
    if not plain.isascii() or looks_like_pinyin(plain):
        return False
    words = [w for w in re.findall(r"[a-z]+", plain) if len(w) >= MASH_MIN_LETTERS]
    if not words or re.search(r"\d", plain):
        return False
    return all(_mash_word(w) for w in words)


def _mash_word(word: str) -> bool:
    pairs = [word[i: i + 2] for i in range(len(word) - 1)]
    adjacent = sum(1 for p in pairs if p in _NEIGHBOURS or p[0] == p[1]) / len(pairs)
    vowels = sum(1 for ch in word if ch in _VOWELS) / len(word)
    return adjacent >= MASH_ADJACENT or vowels < MASH_VOWELS
