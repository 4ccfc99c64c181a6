"""Pure rules the dialogue applies before matching: language, small talk, out-of-scope questions."""

from __future__ import annotations

import re
from collections.abc import Sequence

from intents.content import OutOfScope, SmallTalk
from intents.normalize import Normalizer, basic_form, strip_symbols
from intents.pinyin import looks_like_pinyin

_CJK = re.compile(r"[\u3400-\u9fff]")
_LETTERS = re.compile(r"[a-zA-Z]")
# Words that may surround a greeting or a thank-you without making it a question.
_FILLER = re.compile(
    r"好的|好吧|那个|非常|十分|真的|实在|万分|太|很|了|呀|啊|哈|哦|噢|嗯|呢|吧|啦|哟|的|!|"
    r"解答|回答|答复|帮助|帮忙|耐心|机器人|小助手|老师|大家|各位|你们|您|你|请问|请|是|"
    r"\b(so|very|much|a lot|lot|ok|okay|oh|again|bot|there|all|you|guys|everyone)\b"
)


def detect_language(text: str) -> str:
    """``en`` for a message written mostly in English letters (not pinyin), else ``zh``."""
    basic = basic_form(text)
    letters = len(_LETTERS.findall(basic))
    if letters < 3 or looks_like_pinyin(basic):
        return "zh"
    return "en" if letters > 2 * len(_CJK.findall(basic)) else "zh"


def small_talk(text: str, items: Sequence[SmallTalk]) -> SmallTalk | None:
    """The small-talk item when the message is only a greeting, thanks and the like."""
    rest = f" {strip_symbols(basic_form(text))} "
    found: SmallTalk | None = None
    for item in items:
        for phrase in sorted(item.phrases, key=len, reverse=True):
            key = basic_form(phrase)
            pattern = rf"\b{re.escape(key)}\b" if key.isascii() else re.escape(key)
            if re.search(pattern, rest):
                rest = re.sub(pattern, " ", rest)
                # 你好，你是谁 is a question about the bot, 好的，再见 a goodbye: a greeting or an
                # acknowledgement yields to the other small talk in the message
                found = item if found is None or found.id in ("greeting", "ack") else found
    if found is None:
        return None
    return found if not _FILLER.sub(" ", rest).strip() else None


def out_of_scope(text: str, rules: Sequence[OutOfScope], normalize: Normalizer) -> OutOfScope | None:
    """The first out-of-scope rule whose pattern the message matches."""
    forms = {basic_form(text), normalize(text)}
    for rule in rules:
        if any(re.search(p, form) for p in rule.patterns for form in forms):
            return rule
    return None
