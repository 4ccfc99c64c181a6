"""The features a normalised text is indexed and compared by.

Five kinds, prefixed so they never collide:
``w:`` words from the jieba segmenter (rjieba), ``b:`` character bigrams (robust where the
segmenter splits differently), ``p:`` pinyin bigrams (homophone typos and pinyin input),
``e:`` English words, ``n:`` numbers by value (6.6万 and 66000 are one feature).
"""

from __future__ import annotations

import itertools
import re

import rjieba

from intents.pinyin import looks_like_pinyin, reading

_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_ASCII_WORD = re.compile(r"[a-z][a-z']*")
_NUMBER = re.compile(r"(\d+(?:\.\d+)?)(%|万|亿)?")
_MULTIPLIER = {"万": 10_000, "亿": 100_000_000}

ENGLISH_STOPWORDS = frozenset(
    ["a", "an", "and", "are", "as", "at", "be", "been", "by", "can", "could", "did", "do", "does", "for", "from", "get", "got", "had", "has", "have", "how", "i", "if", "in", "into", "is", "it", "its", "me", "my", "of", "on", "or", "our", "so", "than", "that", "the", "their", "them", "then", "there", "these", "this", "to", "was", "we", "were", "what", "when", "where", "which", "who", "whom", "why", "will", "with", "would", "you", "your", "please", "there's", "what's", "is", "it's", "i'm", "any", "some", "much", "many", "about", "tell", "know", "want", "need", "just", "also", "very"]
)


# Words that carry the asking, not the question: politeness, hedges, pronouns, particles. They are
# cut out before features are taken (from messages and content alike), so that a parent's
# 听说……是不是真的 or 俺家 does not weigh as much as the words that say what is asked. Question words
# that do say something (多少, 怎么, 哪里, 什么时候) stay.
CHINESE_FILLERS = frozenset(
    ["请问", "想问", "问一下", "问问", "请教", "一下", "听说", "是不是", "是否", "真的", "到底", "究竟", "其实", "这个", "那个", "这些", "那些", "这种", "那种", "这样", "那样", "我们", "我家", "俺家", "俺们", "咱们", "咱家", "你们", "他们", "她们", "您好", "你好", "谢谢", "麻烦", "大家", "一个", "有点", "有些", "还是", "就是", "但是", "可是", "的话", "然后", "已经", "知道", "不知道", "告诉", "帮忙", "一些", "之类", "这里", "这边", "那里", "那边", "我能", "方面", "吗", "呢", "吧", "啊", "呀", "嘛", "哦", "哈", "啦", "呗", "哇", "嗯", "的", "了", "着", "我", "你", "您", "他", "她", "俺", "咱", "也", "都", "就", "还", "很", "挺"]
)


def _content_runs(run: str) -> tuple[list[str], list[str]]:
    """A CJK run's words and the stretches between fillers (whose bigrams are features)."""
    words: list[str] = []
    stretches: list[str] = []
    current: list[str] = []
    for word in rjieba.cut(run):
        if word in CHINESE_FILLERS:
            if current:
                stretches.append("".join(current))
            current = []
            continue
        words.append(word)
        current.append(word)
    if current:
        stretches.append("".join(current))
    return words, stretches


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
    kept: list[str] = []  # the text without fillers, for the pinyin features
    for run in _CJK_RUN.findall(normalized):
        if len(run) == 1:
            feats.add("b:" + run)
        words, stretches = _content_runs(run)
        for stretch in stretches:
            feats.update("b:" + stretch[i: i + 2] for i in range(len(stretch) - 1))
        feats.update("w:" + w for w in words if len(w) >= 2)
        kept.extend(stretches)
    pinyin_input = looks_like_pinyin(normalized)
    if pinyin_input:
        syl = reading(normalized, ascii_words=True)
    else:
        syl = [s for stretch in kept for s in (*reading(stretch, ascii_words=False), "")]
    feats.update(
        f"p:{a}{b}" for a, b in itertools.pairwise(syl) if a.isalpha() and b.isalpha()
    )
    english = [] if pinyin_input else _ASCII_WORD.findall(normalized)
    for word in english:
        if word not in ENGLISH_STOPWORDS and len(word) > 1:
            feats.add("e:" + _stem(word))
    for digits, unit in _NUMBER.findall(normalized):
        feats.add("n:" + number_key(digits, unit or None))
    return feats
