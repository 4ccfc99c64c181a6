"""The figures of a date range, as values: the range (Beijing days, as staff type them), each
day's counts by channel, outcome and topic with its reply times, the unanswered groups' trend,
the worst-rated entries, and the per-day table the CSV export writes.

Read by :mod:`services.staff.analytics`; kept apart so the values can be built and tested without
a store.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import ClassVar

from services.errors import Invalid
from services.platform.timeutil import BEIJING, as_utc

OUTCOMES = ("answer", "clarify", "fallback", "crisis", "other")
OUTCOME_LABELS = {"answer": "回答", "clarify": "澄清", "fallback": "未答", "crisis": "危机",
                  "other": "其他"}
MAX_DAYS = 366  # a year and a day: enough for a yearly review, bounded work per request
DEFAULT_DAYS = 7


def outcome_of(kind: str, flagged: bool) -> str:
    """The outcome an exchange counts under: a flagged exchange is a crisis whatever its kind;
    greetings, support lines, rate limits and group noise are "other"."""
    if flagged or kind == "crisis":
        return "crisis"
    return kind if kind in OUTCOMES else "other"


def beijing_day(value: datetime) -> date:
    """The Beijing calendar day of a stored time."""
    return as_utc(value).astimezone(BEIJING).date()


def today() -> date:
    """Today in Beijing."""
    return datetime.now(BEIJING).date()


@dataclass(frozen=True, slots=True)
class DateRange:
    """Beijing days from ``start`` to ``end``, both included."""

    start: date
    end: date

    @classmethod
    def last(cls, days: int = DEFAULT_DAYS, until: date | None = None) -> DateRange:
        """The ``days`` days ending with ``until`` (default today)."""
        end = until or today()
        return cls(end - timedelta(days=max(1, min(days, MAX_DAYS)) - 1), end)

    @classmethod
    def parse(cls, start: str, end: str, until: date | None = None) -> DateRange:
        """The range typed on the page (ISO dates; either may be empty): empty means the last
        :data:`DEFAULT_DAYS` days, or that many days up to or from the one given.
        Raises :class:`Invalid` with the field at fault."""
        first, last = _date(start, "from"), _date(end, "to")
        if first is None and last is None:
            return cls.last(DEFAULT_DAYS, until)
        if first is None:
            return cls.last(DEFAULT_DAYS, last)
        if last is None:
            last = first + timedelta(days=DEFAULT_DAYS - 1)
        if first > last:
            raise Invalid("开始日期不能晚于结束日期。", [("from", "晚于结束日期")])
        if (last - first).days + 1 > MAX_DAYS:
            raise Invalid(f"一次最多查看 {MAX_DAYS} 天。", [("to", "范围太长")])
        return cls(first, last)

    @property
    def days(self) -> list[date]:
        """Every day of the range, in order."""
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def bounds(self) -> tuple[datetime, datetime]:
        """The range as UTC times: from the first day's midnight to the midnight after the last."""
        start = datetime.combine(self.start, time(), BEIJING)
        end = datetime.combine(self.end + timedelta(days=1), time(), BEIJING)
        return start.astimezone(UTC), end.astimezone(UTC)

    def __str__(self) -> str:
        return f"{self.start.isoformat()} 至 {self.end.isoformat()}"


def _date(text: str, name: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise Invalid(f"日期“{text[:20]}”看不懂，请写成 2024-06-01 这样。",
                      [(name, "日期格式不对")]) from None
    if not 2000 <= value.year <= 2100:
        raise Invalid("日期应在 2000 年到 2100 年之间。", [(name, "超出范围")])
    return value


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile (``share`` 0..1) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Day:
    """One day's exchanges, counted three ways, and their reply times."""

    day: date
    channels: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    topics: Counter[str] = field(default_factory=Counter)  # exchanges that named an entry
    latencies: list[float] = field(default_factory=list, repr=False)

    @property
    def total(self) -> int:
        """How many exchanges the day had."""
        return sum(self.outcomes.values())

    @property
    def median_ms(self) -> float | None:
        """The day's median reply time."""
        return statistics.median(self.latencies) if self.latencies else None

    @property
    def p95_ms(self) -> float | None:
        """The day's 95th-percentile reply time."""
        return percentile(self.latencies, 0.95)


@dataclass(frozen=True, slots=True)
class UnansweredTrend:
    """An open inbox group: its name, how often it was asked in the range, per day, and ever."""

    text: str
    in_range: int
    per_day: tuple[int, ...]
    total: int
    last_seen: datetime | None


@dataclass(frozen=True, slots=True)
class EntryRating:
    """👍/👎 votes given in the range on the answers of one entry."""

    entry_id: str
    title: str
    up: int
    down: int

    @property
    def approval(self) -> float:
        """Share of 👍 (0..1)."""
        return self.up / (self.up + self.down) if self.up + self.down else 0.0


@dataclass
class Figures:
    """Everything the page, the CSV and the report show for one range."""

    period: DateRange
    days: list[Day]
    topic_titles: Mapping[str, str]
    unanswered: list[UnansweredTrend]
    worst: list[EntryRating]
    outcome_labels: ClassVar[Mapping[str, str]] = OUTCOME_LABELS

    def _sum(self, part: Callable[[Day], Counter[str]]) -> Counter[str]:
        total: Counter[str] = Counter()
        for day in self.days:
            total.update(part(day))
        return total

    @property
    def total(self) -> int:
        """Exchanges in the range."""
        return sum(d.total for d in self.days)

    @property
    def outcomes(self) -> dict[str, int]:
        """Exchanges per outcome, every outcome present, in :data:`OUTCOMES` order."""
        counts = self._sum(lambda d: d.outcomes)
        return {name: counts[name] for name in OUTCOMES}

    @property
    def crises(self) -> int:
        """Crisis exchanges in the range (a count; their texts stay on the crisis page)."""
        return self.outcomes["crisis"]

    @property
    def channels(self) -> list[str]:
        """Channels that had exchanges, busiest first."""
        return [name for name, _ in sorted(self._sum(lambda d: d.channels).items(),
                                           key=lambda kv: (-kv[1], kv[0]))]

    @property
    def topics(self) -> list[str]:
        """Topics asked about, most asked first."""
        return [name for name, _ in sorted(self._sum(lambda d: d.topics).items(),
                                           key=lambda kv: (-kv[1], kv[0]))]

    def topic_title(self, topic: str) -> str:
        """A topic's title where the content is known, else its id."""
        return self.topic_titles.get(topic, topic)

    @property
    def latency(self) -> tuple[float | None, float | None, int]:
        """Median and 95th percentile of reply time (ms), and how many replies they cover."""
        values = [v for d in self.days for v in d.latencies]
        return (statistics.median(values) if values else None, percentile(values, 0.95),
                len(values))

    def table(self) -> tuple[list[str], list[list[str | int]]]:
        """The per-day figures as a header and rows (the CSV export)."""
        channels, topics = self.channels, self.topics
        header = ["日期", "消息数", *(OUTCOME_LABELS[o] for o in OUTCOMES),
                  *(f"渠道:{c}" for c in channels), *(f"主题:{self.topic_title(t)}" for t in topics),
                  "延迟中位数ms", "延迟p95ms"]
        rows: list[list[str | int]] = []
        for d in self.days:
            rows.append([d.day.isoformat(), d.total, *(d.outcomes[o] for o in OUTCOMES),
                         *(d.channels[c] for c in channels), *(d.topics[t] for t in topics),
                         _ms(d.median_ms), _ms(d.p95_ms)])
        return header, rows


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"
