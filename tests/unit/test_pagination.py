"""Relay paginators: lazy pages, resumable cursors, guards against a stuck server."""

from __future__ import annotations

import pytest

from wandbkit._async.pagination import AsyncRelayPaginator
from wandbkit._async.pagination import Page as AsyncPage
from wandbkit._sync.pagination import Page, RelayPaginator
from wandbkit.errors import APIError, NotLoadedError, UsageError

ITEMS = [f"item-{i}" for i in range(7)]


def _page(cursor: str | None, per_page: int, total: int | None) -> Page[str]:
    start = int(cursor) if cursor else 0
    chunk = ITEMS[start : start + per_page]
    end = start + len(chunk)
    return Page(chunk, str(end), end < len(ITEMS), total)


class FakePaginator(RelayPaginator[str]):
    def __init__(self, per_page: int = 3, start: str | None = None, total: int | None = 7):
        super().__init__(per_page=per_page, start=start)
        self.requests: list[str | None] = []
        self.total = total

    def _fetch(self, cursor: str | None) -> Page[str]:
        self.requests.append(cursor)
        return _page(cursor, self.per_page, self.total)


class AsyncFakePaginator(AsyncRelayPaginator[str]):
    def __init__(self, per_page: int = 3) -> None:
        super().__init__(per_page=per_page)
        self.requests: list[str | None] = []

    async def _fetch(self, cursor: str | None) -> AsyncPage[str]:
        self.requests.append(cursor)
        return _page(cursor, self.per_page, 7)


def test_nothing_is_fetched_until_iteration_starts() -> None:
    pages = FakePaginator()
    assert pages.requests == []
    assert pages.cursor is None and pages.more


def test_iteration_fetches_each_page_once_in_order() -> None:
    pages = FakePaginator()
    assert list(pages) == ITEMS
    assert pages.requests == [None, "3", "6"]
    assert list(pages) == ITEMS
    assert pages.requests == [None, "3", "6"]


def test_len_comes_from_the_server_count_after_one_page() -> None:
    pages = FakePaginator()
    assert len(pages) == 7
    assert pages.requests == [None]


def test_len_without_a_server_count_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="no len"):
        len(FakePaginator(total=None))


def test_indexing_loads_only_the_pages_it_needs() -> None:
    pages = FakePaginator()
    assert pages[4] == "item-4"
    assert pages.requests == [None, "3"]
    assert pages[1:3] == ["item-1", "item-2"]
    assert pages[-1] == "item-6"
    assert pages.requests == [None, "3", "6"]


def test_a_cursor_resumes_where_another_paginator_stopped() -> None:
    first = FakePaginator()
    first.load()
    resumed = FakePaginator(start=first.cursor)
    assert list(resumed) == ITEMS[3:]
    assert resumed.requests == ["3", "6"]


def test_a_cursor_that_does_not_advance_raises_instead_of_looping() -> None:
    class Stuck(FakePaginator):
        def _fetch(self, cursor: str | None) -> Page[str]:
            self.requests.append(cursor)
            return Page(["x"], "same", True, None)

    pages = Stuck()
    with pytest.raises(APIError, match="did not advance"):
        list(pages)
    assert len(pages.requests) == 2


def test_empty_pages_with_more_to_come_are_skipped_over() -> None:
    class Sparse(FakePaginator):
        def _fetch(self, cursor: str | None) -> Page[str]:
            self.requests.append(cursor)
            if cursor is None:
                return Page([], "a", True, None)
            return Page(["x"], "b", False, None)

    assert list(Sparse()) == ["x"]


@pytest.mark.parametrize("per_page", [0, -1, 10_001, 2.5, "10", True, None])
def test_a_bad_page_size_fails_before_any_request(per_page: object) -> None:
    with pytest.raises(UsageError, match="per_page must be an int"):
        FakePaginator(per_page=per_page)  # type: ignore[arg-type]


async def test_async_iteration_fetches_pages_lazily() -> None:
    pages = AsyncFakePaginator()
    seen = [item async for item in pages]
    assert seen == ITEMS
    assert pages.requests == [None, "3", "6"]


async def test_async_len_and_indexing_need_the_pages_loaded_first() -> None:
    pages = AsyncFakePaginator()
    with pytest.raises(NotLoadedError, match=r"await paginator\.load"):
        len(pages)
    await pages.load()
    assert len(pages) == 7
    assert pages[2] == "item-2"
    with pytest.raises(NotLoadedError):
        pages[5]
    assert await pages.to_list() == ITEMS
    assert pages[5] == "item-5"


def test_next_steps_through_the_objects_as_wandbs_paginators_do() -> None:
    pages = FakePaginator()
    assert [next(pages) for _ in range(4)] == ITEMS[:4]
    assert pages.requests == [None, "3"]
    assert list(pages) == ITEMS  # a for loop still starts from the first object
    assert [next(pages) for _ in range(3)] == ITEMS[4:]
    with pytest.raises(StopIteration):
        next(pages)
    assert pages.requests == [None, "3", "6"]


async def test_anext_steps_through_the_objects() -> None:
    pages = AsyncFakePaginator()
    assert [await anext(pages), await anext(pages)] == ITEMS[:2]
    assert [item async for item in pages] == ITEMS
    assert pages.requests == [None, "3", "6"]
