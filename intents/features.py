"""The features a normalised text is indexed and compared by.

Five kinds, prefixed so they never collide:
``w:`` words from the jieba segmenter (rjieba), ``b:`` character bigrams (robust where the
segmenter splits differently), ``p:`` pinyin bigrams (homophone typos and pinyin input),
``e:`` English words, ``n:`` numbers by value (6.6万 and 66000 are one feature).
"""

from __future__ import annotations

import re

import rjieba

from intents.pinyin import looks_like_pinyin, reading

_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_ASCII_WORD = re.compile(r"[a-z][a-z']*")
_NUMBER = re.compile(r"(\d+(?:\.\d+)?)(%|万|亿)?")
_MULTIPLIER = {"万": 10_000, "亿": 100_000_000}

ENGLISH_STOPWORDS = frozenset(
    """a an and are as at be been by can could did do does for from get got had has have how i
    if in into is it its me my of on or our so than that the their them then there these this to
    was we were what when where which who whom why will with would you your please there's what's
    is it's i'm any some much many about tell know want need just also very""".split()
)


def _stem(word: str) -> str:
    """A light English stem: plural and -ing forms fold into one feature."""
    word = word.strip("'-")
    for suffix, repl in (("ies", "y"), ("ing", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + repl
    return word


def number_key(digits: str, unit: str | None) -> str:
    """One key per value: ``6.6万`` -> ``66000``; percentages keep their sign."""
    if unit == "%":
        return f"{float(digits):g}%"
    value = float(digits) * _MULTIPLIER.get(unit or "", 1)
    return f"{value:.6g}" if value != int(value) else str(int(value))


def extract(normalized: str) -> set[str]:
    """All features of an already normalised text."""
    feats: set[str] = set()
    for run in _CJK_RUN.findall(normalized):
        if len(run) == 1:
            feats.add("b:" + run)
        feats.update("b:" + run[i: i + 2] for i in range(len(run) - 1))
        feats.update("w:" + w for w in rjieba.cut(run) if len(w) >= 2)
    pinyin_input = looks_like_pinyin(normalized)
    syl = reading(normalized, ascii_words=pinyin_input)
    feats.update(
        f"p:{a}{b}" for a, b in zip(syl, syl[1:], strict=False) if a.isalpha() and b.isalpha()
    )
    english = [] if pinyin_input else _ASCII_WORD.findall(normalized)
    for word in english:
        if word not in ENGLISH_STOPWORDS and len(word) > 1:
            feats.add("e:" + _stem(word))
    for digits, unit in _NUMBER.findall(normalized):
        feats.add("n:" + number_key(digits, unit or None))
    return feats
