# Generated from src/wandbkit/_async/artifacts/listed.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""Lightly listed versions: a listing's page of versions arrives with their light fields
(``ArtifactLightFields``), and the rest (``ArtifactHeavyFields``) loads for the whole page in
one request, the same page asked again, the first time one of them is read.

:class:`AsyncListedFields` is the part of ``Artifact`` that keeps the left-out fields and
loads them; :class:`ListedPage` is the page that loads them for all its versions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from wandbkit._core.errors import NotFoundError
from wandbkit._sync.lazy import load_on_demand

if TYPE_CHECKING:
    from wandbkit._generated.fragments import (
        ArtifactFields,
        ArtifactHeavyFields,
        ArtifactLightFields,
    )
    from wandbkit._sync.context import ClientContext

    #: What a version is made from: every field, or a listing's light ones.
    AnyArtifactFields = ArtifactFields | ArtifactLightFields
    #: Where the fields a listing leaves out come from.
    HeavySource = ArtifactFields | ArtifactHeavyFields


class ArtifactBatch(Protocol):
    """The page of a listing a lightly listed version belongs to: it loads the left-out
    fields of all its versions in one request."""

    def join(self, artifact: ListedFields) -> None:
        """Add a version of the page."""

    def load_heavy(self) -> None:
        """Give every version of the page not loaded yet its left-out fields."""


class HeavyPages(Protocol):
    """A listing that can ask one of its pages again for the heavy fields only."""

    #: Whether the next pages are listed light (off once a page's heavy fields were wanted:
    #: the following pages then bring every field, one request each instead of two).
    lazy: bool

    def _heavy_page(self, cursor: str | None) -> Sequence[ArtifactHeavyFields]:
        """The heavy fields of the versions of the page that starts after ``cursor``."""
        ...


class ListedPage:
    """The versions of one lightly listed page: their heavy fields load together, in one
    request for the same page (versions that left the page since are then asked for alone).

    Args:
        owner: the listing that listed the page.
        cursor: the cursor the page was listed after.
    """

    def __init__(self, owner: HeavyPages, cursor: str | None) -> None:
        self._owner = owner
        self._cursor = cursor
        self._artifacts: list[ListedFields] = []

    def join(self, artifact: ListedFields) -> None:
        """Add a version of the page."""
        self._artifacts.append(artifact)

    def load_heavy(self) -> None:
        """Give every version of the page not loaded yet its heavy fields, in one request."""
        pending = [artifact for artifact in self._artifacts if not artifact.full_data_loaded]
        if not pending:
            return
        self._owner.lazy = False
        found = {heavy.id: heavy for heavy in self._owner._heavy_page(self._cursor)}
        for artifact in pending:
            heavy = found.get(artifact.id)
            if heavy is not None:  # else gone from the page: its own load asks for it
                artifact._receive_heavy(heavy)


class ListedFields:
    """The fields of a version a listing leaves out, kept and loaded on first need
    (``Artifact`` supplies the rest)."""

    _ctx: ClientContext
    _page: ArtifactBatch | None
    _heavy: HeavySource | None
    _tags: list[str]
    _description: str | None
    _ttl_seconds: int | None
    _ttl_inherited: bool
    _ttl_changed: bool

    @property
    def id(self) -> str:
        """The version's id (``Artifact`` supplies it)."""
        raise NotImplementedError

    @property
    def qualified_name(self) -> str:
        """``entity/project/collection:version`` (``Artifact`` supplies it)."""
        raise NotImplementedError

    def _receive_heavy(self, heavy: HeavySource) -> None:
        """Keep the fields a listing left out (or every field's copy of them)."""
        self._heavy = heavy
        self._tags = [tag.name for tag in heavy.tags]
        self._description = heavy.description
        self._ttl_seconds = heavy.ttl_duration_seconds
        self._ttl_inherited = heavy.ttl_is_inherited
        self._ttl_changed = False

    @property
    def full_data_loaded(self) -> bool:
        """Whether every field is here (a listed version's load on first need)."""
        return self._heavy is not None

    def load_full_data(self) -> None:
        """Load the fields a listing left out, for every version of its page at once
        (nothing when they are here).

        Raises:
            NotFoundError: the version is gone since it was listed.
        """
        if self._heavy is None and self._page is not None:
            self._page.load_heavy()
        if self._heavy is None:  # left its page since it was listed: ask for it alone
            result = self._ctx.client.get_artifact_by_id(id=self.id)
            if result.artifact is None:
                raise NotFoundError(
                    f"artifact {self.qualified_name!r} not found", operation_name="GetArtifactById"
                )
            self._receive_heavy(result.artifact)

    def _more(self) -> HeavySource:
        """The fields a listing leaves out: loaded first in the sync flavour, refused before
        ``load_full_data()`` in async."""
        if self._heavy is None:
            load_on_demand(
                self.load_full_data,
                f"artifact {self.qualified_name!r} was listed with its light fields only: "
                "`await artifact.load_full_data()` first",
            )
        assert self._heavy is not None
        return self._heavy
