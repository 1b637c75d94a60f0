# Generated from src/wandbkit/_async/pagination.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""Lazy relay paginators: pages load as the caller iterates, one request per page."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, overload

from wandbkit._core.errors import APIError, UsageError
from wandbkit._core.flavor_sync import discard, resolve, spawn
from wandbkit._html import Explorable
from wandbkit._sync.lazy import load_on_demand

if TYPE_CHECKING:
    from wandbkit._core.flavor_sync import Pending

ItemT = TypeVar("ItemT")

MAX_PER_PAGE = 10_000

#: ``_waiting_on`` when the iteration is not waiting for a page.
_NOT_WAITING = object()


def page_info_of(data: Mapping[str, Any]) -> tuple[str | None, bool] | None:
    """The ``(endCursor, hasNextPage)`` of the one connection in a response's raw ``data``,
    found through objects only (never inside lists, so a page's nodes are not walked);
    ``None`` when there is none or more than one."""
    found: tuple[str | None, bool] | None = None
    stack: list[Mapping[str, Any]] = [data]
    while stack:
        value = stack.pop()
        info = value.get("pageInfo")
        if isinstance(info, Mapping) and isinstance(info.get("hasNextPage"), bool):
            if found is not None:
                return None
            cursor = info.get("endCursor")
            found = (cursor if isinstance(cursor, str) else None, info["hasNextPage"])
        stack.extend(v for v in value.values() if isinstance(v, Mapping) and v is not info)
    return found


@dataclass(frozen=True)
class Page(Generic[ItemT]):
    """One page of a relay connection, converted to domain objects."""

    items: list[ItemT]
    end_cursor: str | None
    has_next_page: bool
    total: int | None = None


def check_per_page(per_page: object) -> int:
    """Validate a page size before any request.

    Raises:
        UsageError: not an int between 1 and ``MAX_PER_PAGE``.
    """
    if isinstance(per_page, bool) or not isinstance(per_page, int):
        raise UsageError(f"per_page must be an int from 1 to {MAX_PER_PAGE}, got {per_page!r}")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise UsageError(f"per_page must be an int from 1 to {MAX_PER_PAGE}, got {per_page}")
    return per_page


class Stepping(Generic[ItemT]):
    """``next(paginator)``, as ``wandb``'s paginators (which are iterators) allow:
    ``next(api.slack_integrations())`` gives the first object, each further call the next
    one, and ``StopIteration`` after the last. A ``for`` loop still starts from the first
    object each time; stepping keeps its own place."""

    _stepper: Iterator[ItemT] | None = None

    def __iter__(self) -> Iterator[ItemT]:
        raise NotImplementedError

    def __next__(self) -> ItemT:
        if self._stepper is None:
            self._stepper = self.__iter__()
        return self._stepper.__next__()


class RelayPaginator(Stepping[ItemT], Explorable):
    """Iterate a relay connection lazily; subclasses say how to fetch one page.

    Pages are fetched only while the caller iterates (the next one in the background while
    the caller works through the current one; set ``prefetch = False`` to stop that); the
    objects already loaded stay in ``objects``. A ``pipelined`` paginator whose caller is
    waiting for a page asks for the one after it as soon as the page's cursor arrives, while
    the page is still being parsed (so one request is in flight at most, beyond the page the
    caller waits for). ``cursor`` is where the next page starts: pass
    it as ``start=`` to the same ``Api`` method to resume later, in this process or another.

    Args:
        per_page: how many objects each request asks for.
        start: a cursor from an earlier paginator's ``cursor``, to resume from.
    """

    #: Whether ``_fetch`` passes :meth:`_on_data` to its request (see the class docstring).
    pipelined: ClassVar[bool] = False

    def __init__(self, *, per_page: int, start: str | None = None) -> None:
        self.per_page = check_per_page(per_page)
        if start is not None and not isinstance(start, str):
            raise UsageError(f"start must be a cursor string, got {type(start).__name__}")
        self.objects: list[ItemT] = []
        self.pages_loaded = 0
        #: Fetch the next page in the background while iterating (one page ahead at most).
        self.prefetch = True
        self._cursor = start
        self._more = True
        self._total: int | None = None
        self._step_index = 0  # where next() is
        #: The cursor of the page the iteration waits for (``_NOT_WAITING`` when it does not).
        self._waiting_on: object = _NOT_WAITING
        #: The next page, asked for by :meth:`_on_data` before its predecessor was parsed.
        self._early: tuple[str, Pending[Page[ItemT]]] | None = None

    def _fetch(self, cursor: str | None) -> Page[ItemT]:
        raise NotImplementedError

    def _on_data(self, cursor: str | None) -> Callable[[dict[str, Any]], bool] | None:
        """What a ``pipelined`` ``_fetch`` passes as ``on_data`` to the request of the page
        after ``cursor``: when the iteration is waiting for that page, the next one is asked
        for as soon as its cursor is known; says whether it was (``None`` when not
        pipelined)."""
        if not self.pipelined:
            return None

        def on_data(data: dict[str, Any]) -> bool:
            # (_NOT_WAITING equals no cursor.)
            if self._waiting_on != cursor or self._early is not None or not self.prefetch:
                return False
            info = page_info_of(data)
            if info is None or not info[1] or info[0] is None or info[0] == cursor:
                return False
            self._early = (info[0], spawn(self._fetch, info[0]))
            return True

        return on_data

    @property
    def cursor(self) -> str | None:
        """The cursor where the next page starts (``None`` before the first page)."""
        return self._cursor

    @property
    def more(self) -> bool:
        """Whether the server has more pages after the ones loaded."""
        return self._more

    @property
    def length(self) -> int | None:
        """The server's count of all objects (``None`` if it gives none), as ``wandb``'s
        ``length``: reading it first loads the first page (with ``AsyncApi``, ``await
        paginator.load()`` first)."""
        if self.pages_loaded == 0 and self._more:
            load_on_demand(
                self.load,
                f"{type(self).__name__}.length needs its first page: "
                "`await paginator.load()` first",
            )
        return self._total

    def _load_next_page(self) -> bool:
        if not self._more:
            return False
        self._apply(self._fetch(self._cursor))
        return True

    def _apply(self, page: Page[ItemT]) -> None:
        if page.has_next_page and (page.end_cursor is None or page.end_cursor == self._cursor):
            # A server that hands back the same cursor would make us loop for ever.
            raise APIError(
                f"{type(self).__name__}: the server said there are more pages but its cursor "
                f"did not advance (cursor {page.end_cursor!r})"
            )
        self.objects.extend(page.items)
        self.pages_loaded += 1
        if page.end_cursor is not None:
            self._cursor = page.end_cursor
        self._more = page.has_next_page
        self._total = page.total

    def load(self, pages: int = 1) -> RelayPaginator[ItemT]:
        """Fetch up to ``pages`` more pages now (none if all are loaded); returns self."""
        for _ in range(pages):
            if not self._load_next_page():
                break
        return self

    def to_list(self) -> list[ItemT]:
        """Fetch every remaining page and return all objects."""
        while self._load_next_page():
            pass
        return list(self.objects)

    def __iter__(self) -> Iterator[ItemT]:
        return self._iterate()

    def __next__(self) -> ItemT:
        # Stepping reads the loaded objects, loading the next page when it runs out (no
        # prefetch: a for loop over the same paginator meanwhile must not fetch pages twice).
        index = self._step_index
        while index >= len(self.objects):
            if not self._load_next_page():
                raise StopIteration
        self._step_index = index + 1
        return self.objects[index]

    def _iterate(self) -> Iterator[ItemT]:
        index = 0
        pending: Pending[Page[ItemT]] | None = None
        pending_cursor: str | None = None
        try:
            while True:
                if pending is None and self._more and self.pages_loaded > 0 and self.prefetch:
                    # The next page: asked for already while this one was parsed, or now,
                    # while the caller works through this one.
                    pending_cursor = self._cursor
                    pending = self._take_early(pending_cursor)
                    if pending is None:
                        pending = spawn(self._fetch, pending_cursor)
                while index < len(self.objects):
                    yield self.objects[index]
                    index += 1
                if not self._more:
                    return
                with self._waiting(pending_cursor if pending is not None else self._cursor):
                    if pending is None:
                        self._load_next_page()
                        continue
                    page = resolve(pending)
                pending = None
                if pending_cursor != self._cursor:
                    continue  # someone loaded pages meanwhile (load(), indexing)
                self._apply(page)
        finally:
            discard(pending)
            self._take_early(None)  # cancels any (none is asked for at no cursor)

    def _take_early(self, cursor: str | None) -> Pending[Page[ItemT]] | None:
        """The page :meth:`_on_data` asked for early, if it was at ``cursor``; any other is
        cancelled."""
        early, self._early = self._early, None
        if early is not None and early[0] == cursor:
            return early[1]
        discard(early[1] if early is not None else None)
        return None

    @contextmanager
    def _waiting(self, cursor: str | None) -> Iterator[None]:
        """While the iteration waits for the page at ``cursor`` (see :meth:`_on_data`)."""
        self._waiting_on = cursor
        try:
            yield
        finally:
            self._waiting_on = _NOT_WAITING

    def __len__(self) -> int:
        if self.pages_loaded == 0:
            load_on_demand(
                self.load,
                f"len() of {type(self).__name__} needs its first page: "
                "`await paginator.load()` first",
            )
        if self._total is None:
            raise TypeError(f"{type(self).__name__} has no len(): the server gives no count")
        return self._total

    @overload
    def __getitem__(self, index: int) -> ItemT: ...

    @overload
    def __getitem__(self, index: slice) -> list[ItemT]: ...

    def __getitem__(self, index: int | slice) -> ItemT | list[ItemT]:
        if isinstance(index, slice):
            needed = None if index.stop is None or index.stop < 0 else index.stop
            if index.start is not None and index.start < 0:
                needed = None
        elif isinstance(index, int):
            needed = None if index < 0 else index + 1
        else:
            raise UsageError(f"index must be an int or a slice, got {type(index).__name__}")
        if (needed is None or len(self.objects) < needed) and self._more:
            load_on_demand(
                partial(self._load_until, needed),
                f"{type(self).__name__}[{index!r}] is not loaded: iterate with `async for` "
                "or `await paginator.to_list()` first",
            )
        return self.objects[index]

    def _load_until(self, needed: int | None) -> None:
        """Load pages until ``needed`` objects are here (all of them, for None)."""
        while (needed is None or len(self.objects) < needed) and self._more:
            self._load_next_page()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} loaded={len(self.objects)} more={self._more}>"
