"""Pipelined paginators: the next page is asked for as soon as a page's cursor arrives.

A ``pipelined`` paginator's fetch hands the raw ``data`` of its response to ``_on_data``
before validating it; when the iteration is waiting for that page, the request for the next
one goes out then, and the page is parsed while the server works on its successor. The fakes
below make each step observable: a fetch records when its request is sent and when its page
is parsed, and (to make the order deterministic) waits a bounded time for its successor's
request before it finishes parsing."""

from __future__ import annotations

import asyncio
import threading
import time
from contextlib import aclosing
from typing import Any

from wandbkit._async.pagination import AsyncRelayPaginator
from wandbkit._async.pagination import Page as AsyncPage
from wandbkit._sync.pagination import Page, RelayPaginator, page_info_of

ITEMS = [f"item-{i}" for i in range(7)]
PATIENCE = 5.0  # seconds a fake waits for an event that pipelining makes happen at once


def _raw(cursor: str | None, per_page: int) -> dict[str, Any]:
    start = int(cursor) if cursor else 0
    chunk = ITEMS[start : start + per_page]
    end = start + len(chunk)
    return {
        "project": {
            "name": "p",
            "artifacts": {
                "edges": [
                    {"node": {"name": item, "pageInfo": {"hasNextPage": True}}} for item in chunk
                ],
                "pageInfo": {"endCursor": str(end), "hasNextPage": end < len(ITEMS)},
            },
        }
    }


def _page(raw: dict[str, Any]) -> tuple[list[str], str, bool]:
    connection = raw["project"]["artifacts"]
    info = connection["pageInfo"]
    return (
        [edge["node"]["name"] for edge in connection["edges"]],
        info["endCursor"],
        info["hasNextPage"],
    )


def _wait_until(condition: Any, patience: float = PATIENCE) -> bool:
    deadline = time.monotonic() + patience
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.001)
    return True


class Pipelined(RelayPaginator[str]):
    """Sync fake: the response "arrives" once the iteration waits for it (as it does for a
    caller faster than the server), then the page is "parsed"."""

    pipelined = True

    def __init__(self, per_page: int = 3, *, arrive_when_waited_for: bool = True) -> None:
        super().__init__(per_page=per_page)
        self.events: list[tuple[str, str | None]] = []
        self.arrive_when_waited_for = arrive_when_waited_for
        self._lock = threading.Lock()

    def _record(self, what: str, cursor: str | None) -> None:
        with self._lock:
            self.events.append((what, cursor))

    def sent(self) -> list[str | None]:
        return [cursor for what, cursor in self.events if what == "sent"]

    def _fetch(self, cursor: str | None) -> Page[str]:
        self._record("sent", cursor)
        raw = _raw(cursor, self.per_page)
        if self.arrive_when_waited_for:  # (a page loaded by len() is not waited for)
            _wait_until(lambda: self._waiting_on == cursor, patience=0.5)
        on_data = self._on_data(cursor)
        assert on_data is not None
        on_data(raw)
        items, end, more = _page(raw)
        early = self._early
        if more and early is not None and early[0] == end:
            # Parsing takes a while: the successor's request is out before it is done.
            assert _wait_until(lambda: end in self.sent())
        self._record("parsed", cursor)
        return Page(items, end, more, len(ITEMS))


def test_the_next_request_goes_out_before_the_page_is_parsed() -> None:
    pages = Pipelined()
    assert [item for item in pages] == ITEMS
    assert pages.events == [
        ("sent", None),
        ("sent", "3"),
        ("parsed", None),
        ("sent", "6"),
        ("parsed", "3"),
        ("parsed", "6"),
    ]
    assert list(pages) == ITEMS  # a second pass reads what is loaded
    assert pages.sent() == [None, "3", "6"]


def test_list_loads_the_first_page_for_its_length_then_pipelines() -> None:
    pages = Pipelined()
    assert list(pages) == ITEMS  # list() asks len() first, which loads the first page
    assert pages.events == [
        ("sent", None),
        ("parsed", None),
        ("sent", "3"),
        ("sent", "6"),
        ("parsed", "3"),
        ("parsed", "6"),
    ]


def test_without_prefetch_nothing_is_asked_for_early() -> None:
    pages = Pipelined(arrive_when_waited_for=False)
    pages.prefetch = False
    assert list(pages) == ITEMS
    assert pages.sent() == [None, "3", "6"]
    assert [what for what, _ in pages.events] == ["sent", "parsed"] * 3


def test_a_caller_busy_with_a_page_keeps_the_reading_one_page_ahead() -> None:
    pages = Pipelined(arrive_when_waited_for=False)
    iterator = iter(pages)
    assert next(iterator) == "item-0"
    # The prefetched second page arrives while the caller is still on the first one: it
    # asks for nothing more, whatever time passes.
    assert _wait_until(lambda: ("parsed", "3") in pages.events)
    time.sleep(0.05)
    assert pages.sent() == [None, "3"]
    assert list(iterator) == ITEMS[1:]
    assert pages.sent() == [None, "3", "6"]


def test_stopping_early_leaves_at_most_one_request_beyond_the_page_read() -> None:
    pages = Pipelined()
    for item in pages:
        if item == "item-3":
            break
    # Pages 1 and 2 were read; the third went out while the second was parsed.
    assert pages.sent() == [None, "3", "6"]
    assert pages.objects == ITEMS[:6]


def test_page_info_is_found_through_objects_only() -> None:
    raw = _raw(None, 3)
    assert page_info_of(raw) == ("3", True)  # the pageInfo keys inside the edges' list: unseen
    assert page_info_of({"a": {"pageInfo": {"endCursor": None, "hasNextPage": False}}}) == (
        None,
        False,
    )
    two = {"a": raw["project"], "b": {"c": raw["project"]["artifacts"]}}
    assert page_info_of(two) is None  # two connections: no guess
    assert page_info_of({"project": None}) is None
    assert page_info_of({"x": {"pageInfo": {"endCursor": "1"}}}) is None  # no hasNextPage


class AsyncPipelined(AsyncRelayPaginator[str]):
    pipelined = True

    def __init__(self, per_page: int = 3, *, held: frozenset[str] = frozenset()) -> None:
        super().__init__(per_page=per_page)
        self.events: list[tuple[str, str | None]] = []
        #: Cursors whose response never comes (until the request is cancelled).
        self.held = held

    async def _fetch(self, cursor: str | None) -> AsyncPage[str]:
        self.events.append(("sent", cursor))
        await asyncio.sleep(0)  # the response arrives while the iteration waits
        if cursor in self.held:
            await asyncio.Event().wait()
        raw = _raw(cursor, self.per_page)
        on_data = self._on_data(cursor)
        assert on_data is not None
        on_data(raw)
        items, end, more = _page(raw)
        await asyncio.sleep(0)  # parsing: the successor's task starts meanwhile
        self.events.append(("parsed", cursor))
        return AsyncPage(items, end, more, len(ITEMS))


def test_async_pipelining_sends_the_next_request_while_parsing() -> None:
    async def main() -> tuple[list[str], list[tuple[str, str | None]]]:
        pages = AsyncPipelined()
        return [item async for item in pages], pages.events

    items, events = asyncio.run(main())
    assert items == ITEMS
    assert events == [
        ("sent", None),
        ("sent", "3"),
        ("parsed", None),
        ("sent", "6"),
        ("parsed", "3"),
        ("parsed", "6"),
    ]


def test_async_stopping_early_cancels_what_was_asked_for_early() -> None:
    async def main() -> tuple[AsyncPipelined, list[asyncio.Task[object]]]:
        # The third page's response never comes: only cancelling its request ends its task.
        pages = AsyncPipelined(held=frozenset({"6"}))
        async with aclosing(pages.__aiter__()) as items:
            async for item in items:
                if item == "item-3":
                    break
        for _ in range(5):
            await asyncio.sleep(0)
        left = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        return pages, left

    pages, left = asyncio.run(main())
    sent = [cursor for what, cursor in pages.events if what == "sent"]
    assert sent == [None, "3", "6"]  # the third page was asked for early...
    assert left == []  # ...and its request cancelled when the iteration stopped
    assert ("parsed", "6") not in pages.events
