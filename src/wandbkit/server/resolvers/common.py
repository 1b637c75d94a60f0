"""What every resolver module shares: the request context, client errors and relay paging.

Resolvers run with Ariadne's ``convert_names_case``: GraphQL ``entityName`` arrives as the
keyword argument ``entity_name``, input objects arrive as dicts with snake_case keys, and
default resolvers read snake_case attributes or keys (``has_next_page`` for
``hasNextPage``). Return store rows or snake_case dicts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from graphql import GraphQLError, GraphQLResolveInfo

from wandbkit.server.ids import InvalidCursorError, decode_row_cursor, encode_cursor
from wandbkit.server.signing import UrlSigner
from wandbkit.server.store import EntityRow, ProjectRow, RunRow, Store, UserRow

RowT = TypeVar("RowT")

#: Page size when a connection is asked without ``first``.
DEFAULT_PAGE_SIZE = 50
#: Larger ``first`` values are clamped to this, so one request cannot ask for everything.
MAX_PAGE_SIZE = 1000


class ClientError(GraphQLError):
    """An error the client caused (bad input, no permission); logged quietly, not as a bug.

    Args:
        message: what went wrong, naming the argument and the expected form.
        code: a machine-readable code, sent as ``extensions.code``.
    """

    code = "BAD_USER_INPUT"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message, extensions={"code": code or self.code})


class PermissionDenied(ClientError):
    """The viewer may not do this."""

    code = "PERMISSION_DENIED"


class NotFound(ClientError):
    """A mutation named something that does not exist (queries answer ``null`` instead)."""

    code = "NOT_FOUND"


@dataclass
class RequestContext:
    """Per-request state handed to resolvers as ``info.context``.

    It memoises entity and user look-ups, which many projects in one page share.

    Attributes:
        store: the server's store.
        viewer: the authenticated user.
        base_url: the URL the request came in on, without a trailing slash; file URLs are
            built on it so they work behind any host and port.
    """

    store: Store
    viewer: UserRow
    base_url: str = "http://localhost"
    _entities: dict[int, EntityRow | None] = field(default_factory=dict, repr=False)
    _users: dict[int, UserRow | None] = field(default_factory=dict, repr=False)
    _projects: dict[int, ProjectRow | None] = field(default_factory=dict, repr=False)
    _runs: dict[int, RunRow | None] = field(default_factory=dict, repr=False)
    _writable: dict[int, bool] = field(default_factory=dict, repr=False)
    _signer: UrlSigner | None = field(default=None, repr=False)

    def entity(self, pk: int) -> EntityRow | None:
        """The entity with row id ``pk`` (memoised)."""
        if pk not in self._entities:
            self._entities[pk] = self.store.get_entity_by_pk(pk)
        return self._entities[pk]

    def user(self, pk: int) -> UserRow | None:
        """The user with row id ``pk`` (memoised)."""
        if pk not in self._users:
            self._users[pk] = self.store.get_user_by_pk(pk)
        return self._users[pk]

    def project(self, pk: int) -> ProjectRow | None:
        """The project with row id ``pk`` (memoised)."""
        if pk not in self._projects:
            self._projects[pk] = self.store.get_project_by_pk(pk)
        return self._projects[pk]

    def run(self, pk: int) -> RunRow | None:
        """The run with row id ``pk`` (memoised for the request; files share their run)."""
        if pk not in self._runs:
            self._runs[pk] = self.store.get_run_by_pk(pk)
        return self._runs[pk]

    def remember_run(self, run: RunRow) -> RunRow:
        """Record a run just read or written, so later look-ups in this request see it."""
        self._runs[run.pk] = run
        return run

    def forget_run(self, pk: int) -> None:
        """Drop a memoised run (after it changed or was deleted)."""
        self._runs.pop(pk, None)

    @property
    def signer(self) -> UrlSigner:
        """Signs the request's file URLs with the store's secret and clock."""
        if self._signer is None:
            self._signer = UrlSigner(self.store.signing_secret, self.store.now)
        return self._signer

    def required_entity(self, pk: int) -> EntityRow:
        """The entity with row id ``pk``; it exists because a foreign key says so."""
        entity = self.entity(pk)
        if entity is None:  # pragma: no cover - guarded by foreign keys
            raise GraphQLError(f"entity {pk} vanished")
        return entity

    def default_entity(self) -> EntityRow:
        """The viewer's default entity."""
        return self.required_entity(self.viewer.default_entity_pk)

    def can_write(self, entity: EntityRow) -> bool:
        """Whether the viewer may change things in ``entity`` (memoised)."""
        if entity.pk not in self._writable:
            self._writable[entity.pk] = self.store.can_write(self.viewer, entity)
        return self._writable[entity.pk]


def context(info: GraphQLResolveInfo) -> RequestContext:
    """The :class:`RequestContext` of the request being resolved."""
    ctx = info.context
    assert isinstance(ctx, RequestContext)
    return ctx


def empty_connection() -> dict[str, Any]:
    """A relay connection with no edges (for lists whose domain is not implemented yet)."""
    return {"page_info": page_info([], has_next_page=False, has_previous_page=False), "edges": []}


def page_info(
    cursors: Sequence[str], *, has_next_page: bool, has_previous_page: bool
) -> dict[str, Any]:
    """A ``PageInfo`` dict for a page whose edges carry ``cursors``."""
    return {
        "has_next_page": has_next_page,
        "has_previous_page": has_previous_page,
        "start_cursor": cursors[0] if cursors else None,
        "end_cursor": cursors[-1] if cursors else None,
    }


def paginate_by_pk(
    fetch: Callable[[int, int], list[RowT]],
    pk_of: Callable[[RowT], int],
    *,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
) -> dict[str, Any]:
    """One page of a relay connection over rows in row-id order.

    Args:
        fetch: ``(after_pk, limit) -> rows`` with ``pk > after_pk`` in ascending order.
        pk_of: a row's id, which its cursor encodes.
        first: page size; ``None`` means :data:`DEFAULT_PAGE_SIZE`, larger than
            :data:`MAX_PAGE_SIZE` is clamped.
        after: the cursor of the last item already seen.
        last: backward paging is not supported; must be ``None``.
        before: backward paging is not supported; must be ``None``.

    Returns:
        ``{"edges": [{"node", "cursor"}], "page_info": {...}}``.

    Raises:
        ClientError: a negative ``first``, backward paging, or a cursor this server did not
            hand out ("invalid cursor").
    """
    if last is not None or before is not None:
        raise ClientError("backward pagination (last/before) is not supported; use first/after")
    if first is None:
        limit = DEFAULT_PAGE_SIZE
    elif first < 0:
        raise ClientError(f"first must be zero or more, got {first}")
    else:
        limit = min(first, MAX_PAGE_SIZE)
    after_pk = 0
    if after:
        try:
            after_pk = decode_row_cursor(after)
        except InvalidCursorError:
            raise ClientError(
                "invalid cursor: pass an endCursor or edge cursor from an earlier page",
                code="INVALID_CURSOR",
            ) from None
    # One extra row tells whether another page exists without a COUNT query.
    rows = fetch(after_pk, limit + 1)
    page = rows[:limit]
    cursors = [encode_cursor(pk_of(row)) for row in page]
    return {
        "edges": [{"node": row, "cursor": c} for row, c in zip(page, cursors, strict=True)],
        "page_info": page_info(
            cursors, has_next_page=len(rows) > limit, has_previous_page=after_pk > 0
        ),
    }
