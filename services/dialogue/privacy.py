"""Redaction of personal data before anything is stored or logged.

Parents paste ID numbers, phone numbers and names into chats; none of it helps answer a policy
question, so it is replaced by a placeholder at the edge of the store and the logs.

The rules match a *normalised view* of the message, not the message itself: full-width and other
compatibility characters (``１３８１２３４５６７８``, ``ｍｅ＠ｘ．ｃｎ``) are read through NFKC, any
decimal digit as its ASCII digit, and a long run of Chinese digits read out one by one
(``一三八一二三四五六七八``) as digits. The intent normaliser, and with it the inbox's grouping
key, folds text the same way (NFKC, numerals to digits), so a rule that only saw the raw text let
the number through there in its ASCII form. The view is aligned character by character with the message,
so a match is replaced in the message itself and the rest of it is stored exactly as written.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

# -- the normalised view ---------------------------------------------------------------------

_FOLD_CACHE_LIMIT = 65536


class _FoldTable(dict[int, str]):
    """``str.translate`` table: a code point to its NFKC form with every decimal digit in ASCII.

    Filled on first sight of a character, so the C loop of ``translate`` does the work for every
    character seen before (nearly all of a message's). Bounded by the characters people type.
    """

    def __missing__(self, key: int) -> str:
        folded = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c
                         for c in unicodedata.normalize("NFKC", chr(key)))
        if len(self) < _FOLD_CACHE_LIMIT:
            self[key] = folded
        return folded


_FOLD = _FoldTable()

# Digits as parents read a number out: 一三八…, 幺 for 1, 〇/零, the financial forms.
_CN_DIGITS = str.maketrans("〇零一二三四五六七八九幺壹贰貳叁參肆伍陆陸柒捌玖",
                           "001234567891122334566789")
_DIGIT_CLASS = "0-9〇零一二三四五六七八九幺壹贰貳叁參肆伍陆陸柒捌玖"
# A separator people put between digit groups (after NFKC: full-width forms are ASCII already).
_SEP = r"[ \t.\-\u00b7\u2010-\u2015\u2212\u30fb]"
# Seven or more digits read out one by one: no count in running text looks like that (a count
# has 十/百/千), and every number rule below needs at least seven digits.
_CN_DIGIT_RUN = re.compile(rf"[{_DIGIT_CLASS}](?:{_SEP}?[{_DIGIT_CLASS}]){{6,}}")


def _read_digits(match: re.Match[str]) -> str:
    return match.group(0).translate(_CN_DIGITS)


def _view(text: str) -> str:
    """The text the rules match: NFKC, ASCII digits, spoken-out digit runs as digits."""
    if text.isascii():
        return text
    return _CN_DIGIT_RUN.sub(_read_digits, text.translate(_FOLD))


# -- name rules' guards ----------------------------------------------------------------------

# Common surnames (the large majority of people in Wenzhou and of migrant families), simplified
# and the traditional forms of the most common. A self-introduction ("我是王小明的家长") is taken as
# a name only when it starts with one: "我是想问，…" or "我是老师" must keep their meaning.
# Surnames that mostly start ordinary words (单亲, 全职, 司机, 房东, 班长, 时候, 成年…) are left
# out.
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余于杜叶程魏"
    "苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付傅方邹熊白孟秦邱侯江尹薛闫阎段雷龙黎史陶贺毛郝顾"
    "龚邵万覃武钱戴严欧莫孔向常汤康易乔赖文施洪辛柯庄樊殷葛牛温季郎章应缪厉池项麻包虞倪翁卓詹"
    "戚连柳谷毕申裘褚滕祝伍鲍岳齐安管卞鲁苗凌费俞焦尤舒霍左翟涂关甘景宁祁解邢纪耿阮蓝芦冉饶骆"
    "路查柴奚谈宗游曲米颜丘宫占屈梅蒲仇符鄢佘裴聂巫巩晏晁麦练盛卜宣靳隋狄窦岑栾蒙娄牟邬桂苑"
    "甄荣闵桑谌浦卫车胥鞠仲伏茅柏尚封储"
    "陳張劉楊黃趙吳孫馬鄭謝許韓鄧馮蕭蔡蔣葉蘇呂盧鍾譚陸範賈鄒賀顧龔萬錢嚴歐湯賴莊溫應繆厲項鮑"
    "齊魯費翟塗關寧紀藍蘆饒駱羅郭韋")
_COMPOUND_SURNAMES = frozenset((
    "欧阳", "歐陽", "司马", "司馬", "诸葛", "諸葛", "上官", "东方", "東方", "皇甫", "尉迟", "公孙",
    "慕容", "令狐", "司徒", "夏侯", "轩辕", "长孙", "宇文", "澹台", "端木", "南宫", "西门", "闻人"))
# Words that follow 我是/本人 and start with a surname-like character but are no name: roles,
# kin, school years, places people say they come from.
_NOT_NAMES = frozenset((
    "家长", "老师", "学生", "外地", "本地", "新温州", "高一", "高二", "高三", "高中", "高职", "高校",
    "初一", "初二", "初三", "妈妈", "爸爸", "班主任", "校长", "单亲", "全职", "游客", "万一",
    "孙子", "孙女", "孙儿", "孫子", "孫女",
    "温州", "金华", "龙湾", "龙港", "文成", "宁波", "宁夏", "江苏", "江西", "安徽", "云南", "贵州",
    "甘肃", "武汉", "苏州", "常州", "徐州", "温岭", "黄岩", "石家庄", "高新区"))
# A word ending so is a person's kind, not their name (路人, 温州人, 高中生, 程序员).
_NOT_NAME_ENDINGS = frozenset("人生员师长级班区县市镇村省家校族户")

_HAN = r"[\u4e00-\u9fff]"
_PUNCT = r"[\s,.!?;:)\]、。，！？；：…~]"
_KIN = (r"的?(?:家长|家長|妈妈|媽媽|爸爸|母亲|母親|父亲|父親|孩子|奶奶|爷爷|爺爺|外婆|外公|"
        r"监护人|監護人)")
# What ends a name after 我是/本人: punctuation, the end, "…的家长/妈妈/…", or the question.
_NAME_END = rf"(?={_PUNCT}|$|{_KIN}|想|请问|請問|咨询|諮詢|问一下|問一下)"


def _self_named(match: re.Match[str]) -> tuple[int, int] | None:
    """The span of the name in "我是王小明的家长", or None for "我是高三学生", "我是外地人"."""
    name = match.group("pii")
    compound = name[:2] in _COMPOUND_SURNAMES
    if not compound and (len(name) > 3 or name[0] not in _SURNAMES):
        return None
    if name in _NOT_NAMES or name[-1] in _NOT_NAME_ENDINGS or "的" in name:  # 我是高一的，
        return None
    return match.span("pii")


# -- e-mail ----------------------------------------------------------------------------------

# A non-ASCII local part runs into the Chinese before it ("我的邮箱是张三@例子.中国"): it starts
# after the last word that introduces an address.
_EMAIL_LEAD = re.compile(r".*(?:是|为|為|到|给|給|发|發|至|邮箱|郵箱|信箱|邮件|郵件)")
_ASCII_LOCAL_TAIL = re.compile(r"[A-Za-z0-9_.%+-]+$")


def _email(match: re.Match[str]) -> tuple[int, int]:
    """The span of the address; an ASCII local part never takes the Chinese before it."""
    local = match.group("local")
    if local[-1].isascii():
        tail = _ASCII_LOCAL_TAIL.search(local)
        keep = len(local) - (len(tail.group(0)) if tail else 0)
    else:
        lead = _EMAIL_LEAD.match(local)
        keep = lead.end() if lead else 0
    return match.start() + keep, match.end()


# -- the rules -------------------------------------------------------------------------------


def _whole(match: re.Match[str]) -> tuple[int, int] | None:
    return match.span("pii") if "pii" in match.re.groupindex else match.span()


@dataclass(frozen=True, slots=True)
class _Rule:
    """A pattern on the view, its placeholder, and which part of a match is personal."""

    pattern: re.Pattern[str]
    placeholder: str
    span: Callable[[re.Match[str]], tuple[int, int] | None] = _whole


_D = "[0-9]"
# Every number rule needs seven digits with at most one separator between two of them.
_SEVEN_DIGITS = re.compile(rf"{_D}(?:{_SEP}?{_D}){{6}}")


def _has_at(view: str) -> bool:
    return "@" in view


def _has_digits(view: str) -> bool:
    return _SEVEN_DIGITS.search(view) is not None


def _has_name_cue(view: str) -> bool:
    return "叫" in view or "我是" in view or "本人" in view or "姓名" in view or "名字" in view


def _has_english_cue(view: str) -> bool:
    lowered = view.lower()
    return "my name is" in lowered or "i am called" in lowered


# Groups of rules, in order, each behind a cheap test (substring checks, one short regex) that
# every match of its rules passes: most messages hold no personal data and skip every regex.
_RULES: tuple[tuple[Callable[[str], bool], tuple[_Rule, ...]], ...] = (
    # An IDN e-mail (用户@例子.中国, user@müller.de) as well as an ASCII one; first, so that a
    # QQ or phone number used as the local part goes with its address. A Chinese top-level
    # domain is matched by name, so the sentence after it is not taken for a longer domain.
    # The local part is at most 64 characters (RFC 5321): unbounded, a long run of letters
    # before an "@" cost time quadratic in its length.
    (_has_at, (
        _Rule(re.compile(r"(?P<local>[\w\u0300-\u036f.%+-]{1,64})@(?:[\w\u0300-\u036f-]+\.)+"
                         r"(?:[A-Za-z]{2,63}|中国|中國|公司|网络|網絡|在线|集团|政务|公益|"
                         r"[^\W\d_]{2,63})"), "[邮箱]", _email),
    )),
    # Cards, ID numbers, phone numbers: digit groups may be split by spaces, dashes or dots.
    # A card in groups of four (6222 0212 3456 7890 123) goes first: the ID rules would take its
    # last fifteen digits and leave the first group.
    (_has_digits, (
        _Rule(re.compile(rf"(?<![0-9])[3-6]{_D}{{3}}(?:{_SEP}{_D}{{4}}){{3}}(?:{_SEP}?{_D}{{1,3}})?"
                         rf"(?![0-9A-Za-z])"), "[卡号]"),
        _Rule(re.compile(rf"(?<![0-9A-Za-z]){_D}(?:{_SEP}?{_D}){{16}}{_SEP}?[0-9Xx]"
                         rf"(?![0-9A-Za-z])"), "[身份证号]"),
        _Rule(re.compile(rf"(?<![0-9A-Za-z]){_D}(?:{_SEP}?{_D}){{14}}(?![0-9A-Za-z])"),
              "[身份证号]"),
        _Rule(re.compile(rf"(?<![0-9])(?:(?:\+|00)?86{_SEP}?)?1[3-9]{_D}(?:{_SEP}?{_D}{{4}}){{2}}"
                         rf"(?![0-9])"), "[手机号]"),
        _Rule(re.compile(rf"(?<![0-9])\(?0{_D}{{2,3}}\)?{_SEP}?{_D}{{3,4}}{_SEP}?{_D}{{4}}"
                         rf"(?![0-9])"), "[电话]"),
        _Rule(re.compile(r"(?<![0-9])[0-9]{16,19}(?![0-9])"), "[卡号]"),
    )),
    # Names: stated ("姓名：张三"), called ("孩子叫李小华"), introduced ("我是王小明的家长").
    (_has_name_cue, (
        _Rule(re.compile(rf"(?:姓名|名字)\s*[:是叫]?\s*(?P<pii>{_HAN}{{2,4}})"), "[姓名]"),
        _Rule(re.compile(rf"(?:我|孩子|儿子|兒子|女儿|女兒|娃|小孩|学生|學生)(?:的名字)?叫\s?"
                         rf"(?!什么|什麼|啥|家长|家長|老师|老師)(?P<pii>{_HAN}{{2,3}})"),
              "[姓名]"),
        _Rule(re.compile(rf"(?:我是|本人(?:是|叫)?)\s?(?P<pii>{_HAN}{{2,4}}?){_NAME_END}"),
              "[姓名]", _self_named),
    )),
    (_has_english_cue, (
        _Rule(re.compile(r"(?i)(?:my name is|i am called)\s+"
                         r"(?P<pii>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)"), "[name]"),
    )),
)


def redact(text: str) -> str:
    """``text`` with e-mail addresses, ID numbers, phone numbers and stated names replaced.

    Each rule runs on the normalised view; its matches are replaced in the view and, at the same
    places, in the text, so both stay aligned for the next rule and the text keeps its own
    characters everywhere else.
    """
    view = _view(text)
    # Nearly always one character of the view per character of the text: plain strings. When
    # some character folds to several ("…" to "...", "⑩" to "10"), the text is spread over the
    # view's positions (built on the first match only): each character at the first position of
    # its folded form, "" at the others; a match that cuts into a folded character takes it all.
    pieces: list[str] | None = None
    aligned = len(view) == len(text)
    for cue, rules in _RULES:
        if not cue(view):
            continue
        for rule in rules:
            spans = _spans(rule, view)
            if not spans:
                continue
            if aligned:
                text = _splice(text, spans, rule.placeholder)
            else:
                if pieces is None:
                    pieces = _spread(text)
                spans = [_widen(pieces, start, end) for start, end in spans]
                pieces = _splice_pieces(pieces, spans, rule.placeholder)
            view = _splice(view, spans, rule.placeholder)
    return text if pieces is None else "".join(pieces)


def _spans(rule: _Rule, view: str) -> list[tuple[int, int]]:
    spans = []
    for match in rule.pattern.finditer(view):
        span = rule.span(match)
        if span is not None and span[0] < span[1]:
            spans.append(span)
    return spans


def _spread(text: str) -> list[str]:
    pieces: list[str] = []
    for ch in text:
        pieces.append(ch)
        pieces.extend([""] * (len(_FOLD[ord(ch)]) - 1))
    return pieces


def _widen(pieces: list[str], start: int, end: int) -> tuple[int, int]:
    while start > 0 and pieces[start] == "":
        start -= 1
    while end < len(pieces) and pieces[end] == "":
        end += 1
    return start, end


def _splice(text: str, spans: list[tuple[int, int]], placeholder: str) -> str:
    out, last = [], 0
    for start, end in spans:
        if start >= last:
            out += [text[last:start], placeholder]
            last = end
    out.append(text[last:])
    return "".join(out)


def _splice_pieces(pieces: list[str], spans: list[tuple[int, int]],
                   placeholder: str) -> list[str]:
    out: list[str] = []
    last = 0
    for start, end in spans:
        if start >= last:
            out += pieces[last:start]
            out += placeholder  # one piece per character, as the view has
            last = end
    out += pieces[last:]
    return out


def pseudonym(salt: bytes, channel: str, user_id: str) -> str:
    """A stable, salted hash of a channel user id: exchanges can be grouped, not traced back."""
    digest = hmac.new(salt, f"{channel}:{user_id}".encode(), hashlib.sha256).hexdigest()
    return digest[:32]
