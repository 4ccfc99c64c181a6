"""Chinese numerals to digits, where they carry a number.

Parents write 百分之九十, 六万六千, 三十五点七三亿, 一千多名 as often as 90%, 6.6万 and 1211. The
content keeps the source's digits, so both sides are brought to digits before matching. A lone
numeral inside a word (一体化, 一生一导师) is left alone unless a unit follows it (七部门, 十项),
because turning every 一 into 1 would only add noise to the index.
"""

from __future__ import annotations

import re

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
          "七": 7, "八": 8, "九": 9}
SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
NUMERAL_CHARS = "".join(DIGITS) + "".join(SMALL_UNITS) + "".join(BIG_UNITS) + "点"
# A unit or measure word after a single numeral shows that it counts something.
MEASURES = "个名所项次部年人万亿千百成岁月日级份家条场门批届轮位倍类种天周"

_RUN = re.compile(f"[{NUMERAL_CHARS}]+")
_PERCENT = re.compile(r"百分之([0-9.]+)")
_TENTHS = re.compile(r"(?<![0-9.])([1-9])成")


def _parse_integer(text: str) -> int | None:
    """Value of an integer numeral such as 一千二百一十一 or 二〇二四; None if it is not one."""
    if not text:
        return None
    if all(ch in DIGITS for ch in text) and len(text) > 1:  # 二〇二四: digit by digit
        return int("".join(str(DIGITS[ch]) for ch in text))
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in DIGITS:
            if digit is not None:
                return None  # two digits in a row inside a unit numeral: not a number
            digit = DIGITS[ch]
        elif ch in SMALL_UNITS:
            section += (1 if digit is None else digit) * SMALL_UNITS[ch]
            digit = None
        elif ch in BIG_UNITS:
            section += digit or 0
            total += (section or 1) * BIG_UNITS[ch]
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


def _format(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def _convert_run(run: str) -> str | None:
    """Digits for a numeral run, keeping a trailing 万/亿 as the unit the source writes."""
    unit = ""
    if run[-1] in BIG_UNITS and len(run) > 1 and run[-2] not in BIG_UNITS:
        run, unit = run[:-1], run[-1]
    if "点" in run:
        whole, _, frac = run.partition("点")
        value = _parse_integer(whole)
        if value is None or not frac or any(ch not in DIGITS for ch in frac):
            return None
        return f"{value}.{''.join(str(DIGITS[ch]) for ch in frac)}{unit}"
    value = _parse_integer(run)
    return None if value is None else f"{_format(value)}{unit}"


def convert_numerals(text: str) -> str:
    """Replace numerals that count something with digits; leave numerals inside words."""

    def replace(match: re.Match[str]) -> str:
        run = match.group(0)
        after = text[match.end(): match.end() + 1]
        before = text[match.start() - 1: match.start()] if match.start() else ""
        counts = len(run) > 1 or (after and after in MEASURES) or before in ("第", "之")
        if not counts or run in ("万", "亿", "千", "百", "点"):
            return run
        converted = _convert_run(run)
        return run if converted is None else converted

    text = _RUN.sub(replace, text)
    text = _PERCENT.sub(lambda m: f"{m.group(1)}%", text)
    return _TENTHS.sub(lambda m: f"{int(m.group(1)) * 10}%", text)
