"""The lazy record: a domain object whose fields arrive with one request, made on first need.

Every noun of the API (a project, a sweep, a run's heavy fields, the pages of a listing) is
handed out before the server is asked, so building one costs nothing. Its fields are fetched by
``load()``, or, when a plain attribute is read first, by :func:`load_on_demand`: the one place
that knows how the two flavours differ there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from wandbkit._core.errors import NotLoadedError
from wandbkit._core.flavor_async import IS_ASYNC, MaybeAwaitable
from wandbkit._html import Explorable

FieldsT = TypeVar("FieldsT")
RecordT = TypeVar("RecordT", bound="LazyRecord[Any]")


def load_on_demand(load: Callable[[], MaybeAwaitable[object]], message: str) -> None:
    """Load what an attribute read needs, in the flavour that can.

    Reading an attribute cannot await. So the async flavour refuses with ``NotLoadedError``
    (``message`` says what to await first), while in the generated sync twin, where ``load()``
    blocks and returns, the same call loads. The async source thus holds a statement only the
    sync twin reaches; this function is the one place it lives.

    Args:
        load: what loads the missing part (called only in the sync flavour).
        message: what the async flavour's ``NotLoadedError`` says.

    Raises:
        NotLoadedError: in the async flavour, always.
    """
    if IS_ASYNC:
        raise NotLoadedError(message)
    _ = load()


class LazyRecord(Explorable, Generic[FieldsT]):
    """A record whose fields (``FieldsT``, usually a generated fragment) load on first need.

    Subclasses implement ``_fetch()`` (one request for the fields) and ``_not_loaded()`` (what
    the async flavour's error says), and read their fields through ``_require()``; a property
    that passes one field through is then ``return self._require().<field>``.

    Args:
        fields: the fields, when the request that found the record brought them already.
    """

    def __init__(self, fields: FieldsT | None = None) -> None:
        self._fields = fields

    @property
    def loaded(self) -> bool:
        """Whether the fields have been fetched."""
        return self._fields is not None

    async def load(self: RecordT, force: bool = False) -> RecordT:
        """Fetch the fields now (again, with ``force=True``); returns self.

        Raises:
            NotFoundError: the server knows no such object (any more).
        """
        if self._fields is None or force:
            self._set_fields(await self._fetch())
        return self

    async def _fetch(self) -> FieldsT:
        """One request for the record's fields."""
        raise NotImplementedError

    def _set_fields(self, fields: FieldsT) -> None:
        """Keep freshly fetched fields (subclasses also drop what they derived from the old)."""
        self._fields = fields

    def _not_loaded(self) -> str:
        """What ``NotLoadedError`` says when a field is read before ``load()`` (async)."""
        raise NotImplementedError

    def _load_on_read(self) -> MaybeAwaitable[object]:
        """What a read of a missing field loads in the sync flavour (default: ``load()``)."""
        return self.load()

    def _require(self) -> FieldsT:
        """The fields, loaded first in the sync flavour; refused before ``load()`` in async."""
        if self._fields is None:
            load_on_demand(self._load_on_read, self._not_loaded())
        assert self._fields is not None
        return self._fields
