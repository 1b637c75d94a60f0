"""LazyRecord: one request on first need, refused before load() in async, loaded on read in sync."""

from __future__ import annotations

import pytest

from wandbkit._async.lazy import LazyRecord as AsyncLazyRecord
from wandbkit._async.lazy import load_on_demand as async_load_on_demand
from wandbkit._sync.lazy import LazyRecord, load_on_demand
from wandbkit.errors import NotLoadedError


class Note(LazyRecord[dict[str, str]]):
    """A record whose fetches are counted; each fetch gives a new version."""

    def __init__(self, fields: dict[str, str] | None = None) -> None:
        super().__init__(fields)
        self.fetches = 0
        self.derived: str | None = None

    def _fetch(self) -> dict[str, str]:
        self.fetches += 1
        return {"text": f"v{self.fetches}"}

    def _set_fields(self, fields: dict[str, str]) -> None:
        super()._set_fields(fields)
        self.derived = None  # what a subclass computed from the old fields goes

    def _not_loaded(self) -> str:
        return "note is not loaded: `await note.load()` first"

    @property
    def text(self) -> str:
        return self._require()["text"]


class AsyncNote(AsyncLazyRecord[dict[str, str]]):
    async def _fetch(self) -> dict[str, str]:
        return {"text": "fetched"}

    def _not_loaded(self) -> str:
        return "note is not loaded: `await note.load()` first"

    @property
    def text(self) -> str:
        return self._require()["text"]


def test_the_sync_flavour_loads_on_the_first_read_and_only_then() -> None:
    note = Note()
    assert not note.loaded and note.fetches == 0
    assert note.text == "v1" and note.text == "v1"
    assert note.loaded and note.fetches == 1


def test_load_fetches_once_unless_forced_and_resets_what_was_derived() -> None:
    note = Note()
    assert note.load() is note and note.load() is note
    assert note.fetches == 1
    note.derived = "from v1"
    note.load(force=True)
    assert note.text == "v2" and note.derived is None


def test_fields_given_up_front_need_no_request() -> None:
    note = Note({"text": "listed"})
    assert note.loaded and note.text == "listed" and note.fetches == 0


async def test_the_async_flavour_refuses_a_read_before_load_saying_what_to_await() -> None:
    note = AsyncNote()
    with pytest.raises(NotLoadedError, match=r"await note\.load\(\)"):
        _ = note.text
    assert await note.load() is note
    assert note.text == "fetched"


def test_load_on_demand_calls_the_loader_only_in_the_sync_flavour() -> None:
    calls: list[str] = []
    load_on_demand(lambda: calls.append("loaded"), "unused")
    assert calls == ["loaded"]
    with pytest.raises(NotLoadedError, match="say what to await"):
        async_load_on_demand(lambda: calls.append("never"), "say what to await")
    assert calls == ["loaded"]
