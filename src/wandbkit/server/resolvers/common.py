"""What every resolver module shares: the request context, client errors and relay paging.

Resolvers run with Ariadne's ``convert_names_case``: GraphQL ``entityName`` arrives as the
keyword argument ``entity_name``, input objects arrive as dicts with snake_case keys, and
default resolvers read snake_case attributes or keys (``has_next_page`` for
``hasNextPage``). Return store rows or snake_case dicts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

from graphql import GraphQLError, GraphQLResolveInfo

from wandbkit.server.ids import InvalidCursorError, decode_row_cursor, encode_cursor
from wandbkit.server.permissions import RESTRICTED_ACCESS, project_readable
from wandbkit.server.signing import UrlSigner
from wandbkit.server.store import EntityRow, ProjectRow, RunRow, Store, UserRow

RowT = TypeVar("RowT")
T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")

#: Page size when a connection is asked without ``first``.
DEFAULT_PAGE_SIZE = 50
#: Larger ``first`` values are clamped to this, so one request cannot ask for everything.
MAX_PAGE_SIZE = 1000
#: What an "invalid cursor" error tells the client to do.
INVALID_CURSOR_HINT = "pass an endCursor or edge cursor from an earlier page"


class Strings(list[str]):
    """A resolver's answer that holds only ``str`` items (history rows from the store, say):
    the executor passes it to the response as it is, without looking at each item."""


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


class Memo(Generic[K, V]):
    """The answers of one loader (``store.runs.get_by_pk``, say) for one request.

    Each key is loaded at most once; what a resolver has just read or written can be
    remembered, and what it changed forgotten. Every domain's look-ups use this one class
    through :meth:`RequestContext.memo` rather than a cache of their own.

    Args:
        load: answers one key (``None`` for "there is none" is an answer too).
    """

    __slots__ = ("_load", "_values")

    def __init__(self, load: Callable[[K], V]) -> None:
        self._load = load
        self._values: dict[K, V] = {}

    def __call__(self, key: K) -> V:
        """The answer for ``key``, loaded on the first call."""
        if key not in self._values:
            self._values[key] = self._load(key)
        return self._values[key]

    def remember(self, key: K, value: V) -> V:
        """Record ``value`` as the answer for ``key`` (a row just read or written)."""
        self._values[key] = value
        return value

    def remember_all(self, values: Mapping[K, V]) -> None:
        """Record every answer of ``values`` (a page's rows, loaded in one query)."""
        self._values.update(values)

    def forget(self, key: K) -> None:
        """Drop the answer for ``key`` (after it changed or was deleted)."""
        self._values.pop(key, None)


@dataclass
class RequestContext:
    """Per-request state handed to resolvers as ``info.context``.

    It memoises look-ups, which many rows of one page share, through one generic
    :class:`Memo` per loader (:meth:`memo`); users a page is about to need are loaded
    together on the first miss (see :meth:`expect_users`).

    Attributes:
        store: the server's store.
        viewer: the authenticated user.
        base_url: the URL the request came in on, without a trailing slash; file URLs are
            built on it so they work behind any host and port.
        summary_keys: the summary keys an ``upsertBucket`` of this request sets or removes
            (wandbkit's :mod:`~wandbkit._lang.summary_merge` header), or ``None`` when the
            request replaces the whole summary as W&B does.
    """

    store: Store
    viewer: UserRow
    base_url: str = "http://localhost"
    summary_keys: frozenset[str] | None = None
    _memos: dict[object, Memo[Any, Any]] = field(default_factory=dict, repr=False)
    _users: dict[int, UserRow | None] = field(default_factory=dict, repr=False)
    _expected_users: set[int] = field(default_factory=set, repr=False)
    _readable: dict[tuple[int, int, str], bool] = field(default_factory=dict, repr=False)

    def memo(self, load: Callable[[K], V]) -> Memo[K, V]:
        """The request's :class:`Memo` of ``load`` (one per loader, made on first use):
        ``ctx.memo(ctx.store.runs.get_by_pk)(pk)``."""
        found = self._memos.get(load)
        if found is None:
            found = self._memos[load] = Memo(load)
        return cast("Memo[K, V]", found)

    def entity(self, pk: int) -> EntityRow | None:
        """The entity with row id ``pk`` (memoised)."""
        return self.memo(self.store.entities.get_by_pk)(pk)

    def entity_or_default(self, name: str | None) -> EntityRow | None:
        """The entity called ``name`` (``None`` if there is none), or without a name the
        viewer's default entity."""
        return self.store.entities.get(name) if name else self.default_entity()

    def user(self, pk: int) -> UserRow | None:
        """The user with row id ``pk`` (memoised; loads every expected user with it)."""
        if pk not in self._users:
            wanted = {pk, *self._expected_users}
            self._expected_users.clear()
            found = self.store.accounts.get_users_by_pks(wanted)
            for user_pk in wanted:
                self._users[user_pk] = found.get(user_pk)
        return self._users[pk]

    def expect_users(self, pks: Iterable[int | None]) -> None:
        """Note users that resolvers of this request may ask for (the users of a page of
        runs): the first :meth:`user` miss then loads them all in one query, and a request
        that never asks costs nothing."""
        self._expected_users.update(pk for pk in pks if pk is not None and pk not in self._users)

    def project(self, pk: int) -> ProjectRow | None:
        """The project with row id ``pk`` (memoised)."""
        return self.memo(self.store.projects.get_by_pk)(pk)

    def remember_project(self, project: ProjectRow) -> ProjectRow:
        """Record a project just read, so its runs' look-ups of it need no query."""
        self.memo(self.store.projects.get_by_pk).remember(project.pk, project)
        return project

    def run(self, pk: int) -> RunRow | None:
        """The run with row id ``pk`` (memoised for the request; files share their run)."""
        return self.memo(self.store.runs.get_by_pk)(pk)

    def remember_run(self, run: RunRow) -> RunRow:
        """Record a run just read or written, so later look-ups in this request see it."""
        self.memo(self.store.runs.get_by_pk).remember(run.pk, run)
        return run

    def forget_run(self, pk: int) -> None:
        """Drop a memoised run (after it changed or was deleted)."""
        self.memo(self.store.runs.get_by_pk).forget(pk)

    @property
    def signer(self) -> UrlSigner:
        """Signs the request's file URLs with the store's secret and clock."""
        return self.store.db.url_signer

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
        return self.memo(self._viewer_can_write)(entity.pk)

    def _viewer_can_write(self, entity_pk: int) -> bool:
        return self.store.accounts.can_write(self.viewer, self.required_entity(entity_pk))

    def require_write(self, entity: EntityRow, action: str) -> None:
        """Refuse unless the viewer may change things in ``entity``.

        Raises:
            PermissionDenied: naming the viewer, the ``action`` and the entity.
        """
        if not self.can_write(entity):
            raise PermissionDenied(
                f"permission denied: user {self.viewer.username!r} cannot {action} "
                f"in entity {entity.name!r}"
            )

    def can_read(self, project: ProjectRow) -> bool:
        """Whether the viewer may read ``project`` and everything in it
        (:mod:`wandbkit.server.permissions`); decided once per request for each project,
        however many rows of a page live in it (keyed by what the answer depends on, so a
        project a mutation has just moved or locked away is decided again)."""
        key = (project.pk, project.entity_pk, project.access)
        known = self._readable.get(key)
        if known is None:
            known = self._readable[key] = self._can_read(project)
        return known

    def _can_read(self, project: ProjectRow) -> bool:
        member = self.can_write(self.required_entity(project.entity_pk))
        restricted = project.access == RESTRICTED_ACCESS and self.memo(
            self._viewer_reads_restricted
        )(project.pk)
        return project_readable(project.access, member=member, restricted_member=restricted)

    def readable_restricted(self, entity: EntityRow) -> list[int]:
        """The ids of the restricted registries of ``entity`` the viewer may read (all of
        them for an organization admin)."""
        org_pk = entity.organization_pk if entity.kind == "organization" else None
        if org_pk is not None and self.store.registries.is_org_admin(org_pk, self.viewer.pk):
            found = self.store.registries.restricted_of(entity.pk)
        else:
            found = self.store.registries.readable_restricted(entity.pk, self.viewer.pk)
        # Decided for the whole request: the rows of a search in these registries need no
        # look-up of their own.
        remember = self.memo(self._viewer_reads_restricted).remember
        for pk in found:
            remember(pk, True)
        return found

    def _viewer_reads_restricted(self, project_pk: int) -> bool:
        project = self.project(project_pk)
        return project is not None and self.store.registries.can_read_restricted(
            project, self.viewer
        )

    def readable(self, project: ProjectRow | None) -> ProjectRow | None:
        """``project`` if the viewer may read it, else ``None`` (as if it did not exist)."""
        return project if project is not None and self.can_read(project) else None

    def project_read_only(self, project: ProjectRow) -> bool:
        """Locked projects, and every project of an entity the viewer cannot write to."""
        return project.read_only or not self.can_write(self.required_entity(project.entity_pk))


def context(info: GraphQLResolveInfo) -> RequestContext:
    """The :class:`RequestContext` of the request being resolved."""
    ctx = info.context
    assert isinstance(ctx, RequestContext)
    return ctx


def empty_connection() -> dict[str, Any]:
    """A relay connection with no edges (for lists whose domain is not implemented yet)."""
    return {"page_info": page_info([], has_next_page=False, has_previous_page=False), "edges": []}


def resolve_empty_connection(_: Any, __: GraphQLResolveInfo, **___: Any) -> dict[str, Any]:
    """A resolver answering :func:`empty_connection` whatever the arguments."""
    return empty_connection()


def constant(value: Any) -> Callable[..., Any]:
    """A resolver answering ``value`` whatever the arguments (a fresh copy of a list)."""

    def resolve(_: Any, __: GraphQLResolveInfo, **___: Any) -> Any:
        # A fresh copy: resolvers must not hand out one shared mutable list.
        return list(value) if isinstance(value, list) else value

    return resolve


def non_null(values: Iterable[T | None] | None) -> list[T]:
    """The items of a ``[T]`` argument that are not ``null`` (nulls name nothing)."""
    return [value for value in values or () if value is not None]


def forbid_backward_paging(last: int | None, before: str | None) -> None:
    """Refuse ``last``/``before``: connections here page forward only.

    Raises:
        ClientError: either is given.
    """
    if last is not None or before is not None:
        raise ClientError("backward pagination (last/before) is not supported; use first/after")


def page_size(first: int | None) -> int:
    """The page size a connection serves for ``first``: ``None`` means
    :data:`DEFAULT_PAGE_SIZE`, more than :data:`MAX_PAGE_SIZE` is clamped.

    Raises:
        ClientError: a negative ``first``.
    """
    if first is None:
        return DEFAULT_PAGE_SIZE
    if first < 0:
        raise ClientError(f"first must be zero or more, got {first}")
    return min(first, MAX_PAGE_SIZE)


def invalid_cursor(detail: str = INVALID_CURSOR_HINT) -> ClientError:
    """The error for a cursor this server cannot continue from."""
    return ClientError(f"invalid cursor: {detail}", code="INVALID_CURSOR")


class Cursor:
    """An edge's cursor (:func:`~wandbkit.server.ids.encode_cursor` of ``keys``), encoded only
    if the ``cursor`` field is asked for: most clients read the page's ``endCursor`` only.

    It is the edge's ``"cursor"`` value: graphql-core's and Ariadne's default resolvers call a
    callable value with the resolve info, which encodes it.
    """

    __slots__ = ("keys",)

    def __init__(self, *keys: int | str) -> None:
        self.keys = keys

    def __call__(self, _: GraphQLResolveInfo | None = None, **__: Any) -> str:
        return encode_cursor(*self.keys)

    def __repr__(self) -> str:
        return f"Cursor{self.keys!r}"


def page_info(
    cursors: Sequence[str | Cursor], *, has_next_page: bool, has_previous_page: bool
) -> dict[str, Any]:
    """A ``PageInfo`` dict for a page whose edges carry ``cursors`` (the first and the last
    are encoded here)."""
    return {
        "has_next_page": has_next_page,
        "has_previous_page": has_previous_page,
        "start_cursor": _encoded(cursors[0]) if cursors else None,
        "end_cursor": _encoded(cursors[-1]) if cursors else None,
    }


def _encoded(cursor: str | Cursor) -> str:
    return cursor if isinstance(cursor, str) else cursor()


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
    forbid_backward_paging(last, before)
    limit = page_size(first)
    after_pk = 0
    if after:
        try:
            after_pk = decode_row_cursor(after)
        except InvalidCursorError:
            raise invalid_cursor() from None
    # One extra row tells whether another page exists without a COUNT query.
    rows = fetch(after_pk, limit + 1)
    page = rows[:limit]
    cursors = [Cursor(pk_of(row)) for row in page]
    return {
        "edges": [{"node": row, "cursor": c} for row, c in zip(page, cursors, strict=True)],
        "page_info": page_info(
            cursors, has_next_page=len(rows) > limit, has_previous_page=after_pk > 0
        ),
    }
