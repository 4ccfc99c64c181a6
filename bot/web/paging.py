"""Pages of a long admin list (the entry list has well over a hundred entries; one screen of
tall rows each is no way to find one on a phone).

The list is already in memory and filtered by the service, so a page is a slice; what this adds
is reading ``?page=`` forgivingly (a typo or a page past the end shows a real page, never an
error) and the links that keep the search and filters while turning pages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import urlencode

PER_PAGE = 20
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list: its items, where it is, and the links to its neighbours."""

    items: Sequence[T]
    number: int  # 1-based
    pages: int  # at least 1, so "第 1/1 页" even for an empty list
    total: int
    first: int  # 1-based position of the first item shown (0 when the list is empty)
    prev_url: str
    next_url: str

    @property
    def last(self) -> int:
        """1-based position of the last item shown."""
        return self.first + len(self.items) - 1 if self.items else 0


def page_number(raw: str) -> int:
    """``?page=`` as a number; anything that is not a positive whole number means page 1."""
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1


def paginate(items: Sequence[T], raw_page: str, path: str, keep: Mapping[str, str],
             per_page: int = PER_PAGE) -> Page[T]:
    """The page ``raw_page`` asks for (clamped to the last one) with links that carry ``keep``
    (the non-blank search and filter values) along."""
    pages = max(1, -(-len(items) // per_page))
    number = min(page_number(raw_page), pages)
    start = (number - 1) * per_page
    shown = items[start:start + per_page]

    def url(n: int) -> str:
        query = {k: v for k, v in keep.items() if v}
        if n > 1:
            query["page"] = str(n)
        return f"{path}?{urlencode(query)}" if query else path

    return Page(shown, number, pages, len(items), start + 1 if shown else 0,
                url(number - 1) if number > 1 else "", url(number + 1) if number < pages else "")
