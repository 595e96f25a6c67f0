"""Pagers: every item of a list, fetching its pages (Google AIP-158) as they are consumed.

The generated ``iter_<items>`` methods call the list method with the caller's filters and
each ``next_page_token`` in turn, until a page comes back without one. Nothing is fetched
before the first item is asked for, and a page only once the previous one is used up.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import TypeVar

PageT = TypeVar("PageT")
ItemT = TypeVar("ItemT")


def iterate_pages(
    fetch: Callable[[str], PageT],
    items: Callable[[PageT], Iterable[ItemT]],
    next_token: Callable[[PageT], str],
) -> Iterator[ItemT]:
    token = ""
    while True:
        page = fetch(token)
        yield from items(page)
        token = next_token(page)
        if not token:
            return


async def iterate_pages_async(
    fetch: Callable[[str], Awaitable[PageT]],
    items: Callable[[PageT], Iterable[ItemT]],
    next_token: Callable[[PageT], str],
) -> AsyncIterator[ItemT]:
    token = ""
    while True:
        page = await fetch(token)
        for item in items(page):
            yield item
        token = next_token(page)
        if not token:
            return
