# Generated from src/wandbkit/_async/registries/ahead.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""Asking for a listing's next page while this one is still being parsed.

A page of registry versions costs the client about as much to validate into its models as the
server takes for the next page; with the next page's cursor read straight from the answer's
JSON, its request is already on its way meanwhile. The page asked for ahead is used only by a
fetch at exactly that cursor (and the same selection); anything else fetches as before.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from wandbkit._core.flavor_sync import discard, resolve, spawn, sync_sleep

if TYPE_CHECKING:
    from wandbkit._core.flavor_sync import Pending
    from wandbkit._generated.client import WandbClient

__all__ = ["PageAhead", "next_cursor", "unvalidated_client"]

Data = dict[str, Any]


@functools.cache
def _unvalidated_class() -> type[WandbClient]:
    from wandbkit._generated.client import WandbClient

    class Unvalidated(WandbClient):
        """The generated client answering each operation's ``data`` as it came (validated
        later, with :meth:`~wandbkit._async.executor.AsyncGraphQLExecutor.parse_result`)."""

        def parse_result(self, model: Any, data: Data, *, operation_name: str) -> Any:
            return data

    return Unvalidated


def unvalidated_client(client: WandbClient) -> WandbClient:
    """A generated client over ``client``'s transport whose methods answer the raw ``data``
    (typed as the models they would have built: cast what they answer to ``dict``)."""
    return _unvalidated_class()(client.transport)


def next_cursor(data: Any, *path: str) -> str | None:
    """The cursor of the page after the connection at ``path`` in ``data`` (raw JSON), or
    ``None`` if there is none or the answer has no such connection (the validation that
    follows names what is wrong)."""
    connection = data
    for key in path:
        connection = connection.get(key) if isinstance(connection, Mapping) else None
    if not isinstance(connection, Mapping):
        return None
    info = connection.get("pageInfo")
    if not isinstance(info, Mapping) or info.get("hasNextPage") is not True:
        return None
    end = info.get("endCursor")
    return end if isinstance(end, str) and end else None


class PageAhead:
    """At most one page asked for ahead of the caller, keyed by its cursor and selection."""

    def __init__(self) -> None:
        self._pending: tuple[tuple[str, bool], Pending[Data]] | None = None

    def start(self, key: tuple[str, bool], fetch: Callable[[str, bool], Any]) -> None:
        """Start ``fetch(cursor, light)`` for the page at ``key``, replacing any other, and
        let it send its request before the caller goes on parsing (validation holds the
        interpreter for milliseconds at a time)."""
        self.drop()
        cursor, light = key
        self._pending = (key, spawn(fetch, cursor, light))
        sync_sleep(0)

    def take(self, key: tuple[str | None, bool]) -> Data | None:
        """The page fetched ahead at ``key`` (raising what its request raised), or ``None``
        when none was (what was fetched for another key is dropped)."""
        if self._pending is None:
            return None
        found, pending = self._pending
        self._pending = None
        if found != key:
            discard(pending)
            return None
        found_data: Data = resolve(pending)
        return found_data

    def drop(self) -> None:
        """Forget the page fetched ahead, if any."""
        if self._pending is not None:
            discard(self._pending[1])
            self._pending = None
