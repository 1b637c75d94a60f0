"""The registry search, page by page: ``Registries``, their ``Collections`` and the
``Versions`` linked into them, chained as ``api.registries(...).collections(...).versions(...)``.

Filters are checked and rewritten before any request, as the official client does
(:mod:`wandbkit._lang.registry_fields`): unknown fields raise ``UsageError`` naming the allowed
ones, aliases become canonical names and registry names get the ``wandb-registry-`` prefix.
Without a parent ``order`` a chained listing is one query that reuses the parent's filters;
with one, the children are listed parent by parent in the parent's order (no cursor, ``len()``
or ``start=`` there).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncIterable, AsyncIterator, Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, cast

from wandbkit._async.artifacts.artifact import AsyncArtifact
from wandbkit._async.artifacts.collection import AsyncArtifactCollection
from wandbkit._async.artifacts.listed import ListedPage
from wandbkit._async.artifacts.resolve import organization_name
from wandbkit._async.pagination import AsyncRelayPaginator, AsyncStepping, Page
from wandbkit._async.registries.ahead import PageAhead, next_cursor, unvalidated_client
from wandbkit._core.errors import NotFoundError, UsageError
from wandbkit._html import Explorable
from wandbkit._lang.filters import FilterSyntaxError
from wandbkit._lang.registry_fields import (
    ADVANCED,
    BASIC,
    COLLECTION_ORDERS,
    EITHER,
    VERSION_ORDERS,
    Level,
    LevelName,
    rewrite_filter,
)

if TYPE_CHECKING:
    from wandbkit._async.context import ClientContext
    from wandbkit._generated.async_client import AsyncWandbClient
    from wandbkit._generated.fragments import ArtifactHeavyFields
    from wandbkit._generated.get_registry_versions import GetRegistryVersionsOrganization
    from wandbkit._generated.get_registry_versions_light import (
        GetRegistryVersionsLightOrganization,
    )

ItemT = TypeVar("ItemT")


class _HasOrg(Protocol):
    """A parent listing that resolves the organization on first need."""

    async def _org(self) -> str: ...


ParentT = TypeVar("ParentT")
Filter = Mapping[str, Any]

#: The page size of the registry listings (as the official client's).
DEFAULT_PER_PAGE = 100


def check_filter(filters: object, level: Level, argument: str = "filter") -> dict[str, Any] | None:
    """A filter checked against ``level`` and rewritten for sending (``None`` for none).

    Raises:
        UsageError: not a dict, an unknown field (the message lists the allowed ones), a bad
            operator or operand, or one field named twice.
    """
    if filters is not None and not isinstance(filters, Mapping):
        raise UsageError(f"{argument} must be a dict, got {type(filters).__name__}")
    try:
        return rewrite_filter(dict(filters) if filters else None, level, argument=argument)
    except FilterSyntaxError as exc:
        raise UsageError(str(exc)) from None


def check_order(
    order: object, allowed: tuple[str, ...] | Mapping[str, str], level: str
) -> str | None:
    """``[+|-]key`` with a key ``allowed`` for ``level``; unsigned means ``+``.

    Raises:
        UsageError: not such a string (the message lists the allowed keys).
    """
    if order is None:
        return None
    keys = tuple(allowed)
    text = order.strip() if isinstance(order, str) else ""
    key = text[1:] if text[:1] in ("+", "-") else text
    if key not in keys:
        raise UsageError(
            f"order must be '[+|-]<key>' with a key {level} can be ordered by "
            f"({', '.join(keys)}), got {order!r}"
        )
    return text if text[0] in "+-" else f"+{text}"


def registry_filter_for(internal_id: str | None, full_name: str) -> dict[str, Any]:
    """The registries filter that selects one registry: its integer id, decoded from the base64
    ``ProjectInternalId:<n>``, or else its full name."""
    if internal_id:
        try:
            kind, _, key = base64.b64decode(internal_id, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            kind, key = "", ""
        if kind in ("ProjectInternalId", "Project") and key.isdigit():
            return {"id": int(key)}
    return {"name": full_name}


class AsyncChain(AsyncStepping[ItemT], Explorable, Generic[ParentT, ItemT]):
    """The children of each parent, parent after parent, in the parents' order: what a listing
    chained from an ordered one gives. It iterates like a listing; it has no cursor, no
    ``len()`` and no indexing (the server cannot count or resume it)."""

    def __init__(
        self, parents: AsyncIterable[ParentT], children: Callable[[ParentT], AsyncIterable[ItemT]]
    ) -> None:
        self._parents = parents
        self._children = children

    def __aiter__(self) -> AsyncIterator[ItemT]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[ItemT]:
        async for parent in self._parents:
            async for item in self._children(parent):
                yield item

    async def to_list(self) -> list[ItemT]:
        """Every item of every parent."""
        return [item async for item in self]

    def __len__(self) -> int:
        raise TypeError(f"{type(self).__name__} has no len(): it is listed parent by parent")

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class AsyncCollectionsChain(AsyncChain[Any, AsyncArtifactCollection]):
    """Collections listed registry by registry (registries fetched with ``order=``)."""

    def __init__(
        self,
        ctx: ClientContext,
        parents: AsyncIterable[Any],
        children: Callable[[Any], AsyncIterable[AsyncArtifactCollection]],
    ) -> None:
        super().__init__(parents, children)
        self._ctx = ctx

    def versions(
        self,
        filter: Filter | None = None,
        per_page: int = DEFAULT_PER_PAGE,
        start: str | None = None,
    ) -> AsyncChain[AsyncArtifactCollection, AsyncArtifact]:
        """The versions of each collection, collection after collection.

        Raises:
            UsageError: ``start`` (there is no cursor to resume from) or a bad filter.
        """
        if start is not None:
            raise UsageError("start is not supported on versions chained from ordered collections")
        check_filter(filter, EITHER["versions"])
        return AsyncChain(self, lambda c: _versions_of_collection(self._ctx, c, filter, per_page))


def _versions_of_collection(
    ctx: ClientContext, collection: AsyncArtifactCollection, filter: Filter | None, per_page: int
) -> AsyncRegistryVersions:
    return AsyncRegistryVersions(
        ctx,
        collection.organization,
        registry_filter=registry_filter_for(collection.project_internal_id, collection.project),
        collection_filter={"name": collection.name},
        artifact_filter=filter,
        per_page=per_page,
    )


class AsyncRegistryCollections(AsyncRelayPaginator[AsyncArtifactCollection]):
    """Registry collections (portfolios) matching a registries filter and a collections filter,
    page by page; ``len()`` is the server's count."""

    def __init__(
        self,
        ctx: ClientContext,
        organization: str | None,
        registry_filter: Filter | None = None,
        collection_filter: Filter | None = None,
        order: str | None = None,
        per_page: int = DEFAULT_PER_PAGE,
        start: str | None = None,
        *,
        owner: _HasOrg | None = None,
    ) -> None:
        super().__init__(per_page=per_page, start=start)
        self._ctx = ctx
        self._owner = owner
        self.organization = organization
        self.registry_filter = check_filter(registry_filter, BASIC["registries"], "registry_filter")
        self.collection_filter = check_filter(
            collection_filter, BASIC["collections"], "collection_filter"
        )
        self._raw = (dict(registry_filter or {}) or None, dict(collection_filter or {}) or None)
        self.order = check_order(order, COLLECTION_ORDERS, "collections")

    async def _org(self) -> str:
        if self.organization is None:
            self.organization = (
                await self._owner._org()
                if self._owner is not None
                else await organization_name(self._ctx, None)
            )
        return self.organization

    async def _fetch(self, cursor: str | None) -> Page[AsyncArtifactCollection]:
        org = await self._org()
        result = await self._ctx.client.get_registry_collections(
            organization=org,
            registry_filter=self.registry_filter,
            collection_filter=self.collection_filter,
            cursor=cursor,
            per_page=self.per_page,
            order=self.order,
        )
        found = result.organization
        if found is None or found.org_entity is None:
            raise NotFoundError(
                f"organization {org!r} not found", operation_name="GetRegistryCollections"
            )
        connection = found.org_entity.artifact_collections
        if connection is None:
            return Page([], None, False, 0)
        items = []
        for edge in connection.edges:
            node = edge.node
            if node is not None:
                project = node.project
                items.append(
                    AsyncArtifactCollection(
                        self._ctx,
                        project.entity.name,
                        project.name,
                        node.name,
                        node.type_.name,
                        node,
                        organization=org,
                    )
                )
        info = connection.page_info
        return Page(items, info.end_cursor, info.has_next_page, connection.total_count)

    def versions(
        self,
        filter: Filter | None = None,
        order: str | None = None,
        per_page: int = DEFAULT_PER_PAGE,
        start: str | None = None,
    ) -> AsyncRegistryVersions | AsyncChain[AsyncArtifactCollection, AsyncArtifact]:
        """The versions linked into these collections.

        Raises:
            UsageError: a bad filter, or ``start`` with collections listed in order.
        """
        check_filter(filter, EITHER["versions"])
        if self.order is None:
            registries, collections = self._raw
            return AsyncRegistryVersions(
                self._ctx, self.organization, registries, collections, filter, order, per_page,
                start, owner=self,
            )  # fmt: skip
        if start is not None:
            raise UsageError("start is not supported on versions of collections listed in order")
        return AsyncChain(self, lambda c: _versions_of_collection(self._ctx, c, filter, per_page))


class AsyncRegistryVersions(AsyncRelayPaginator[AsyncArtifact]):
    """Versions linked into registry collections, matching the three levels' filters, page by
    page. The filters are rewritten in the organization's search mode (asked once, on the first
    page); ``order`` needs advanced search.

    Versions arrive with their light fields (``Artifact`` says which); the first read of
    another field loads the rest for its page at once, and the pages listed after that bring
    every field."""

    def __init__(
        self,
        ctx: ClientContext,
        organization: str | None,
        registry_filter: Filter | None = None,
        collection_filter: Filter | None = None,
        artifact_filter: Filter | None = None,
        order: str | None = None,
        per_page: int = DEFAULT_PER_PAGE,
        start: str | None = None,
        *,
        owner: _HasOrg | None = None,
    ) -> None:
        super().__init__(per_page=per_page, start=start)
        self._ctx = ctx
        self._owner = owner
        self.organization = organization
        given: dict[LevelName, Filter | None] = {
            "registries": registry_filter,
            "collections": collection_filter,
            "versions": artifact_filter,
        }
        for level, value in given.items():
            check_filter(value, EITHER[level], _ARGUMENTS[level])
        self._raw = {level: dict(value) if value else None for level, value in given.items()}
        self.order = check_order(order, VERSION_ORDERS, "versions")
        self._sent: dict[str, Any] | None = None
        #: Whether pages are listed with the light fields (until one's heavy fields are read).
        self.lazy = True
        self._ahead = PageAhead()
        self._unvalidated: AsyncWandbClient | None = None

    async def _prepare(self) -> dict[str, Any]:
        if self._sent is not None:
            return self._sent
        if self.organization is None:
            self.organization = (
                await self._owner._org()
                if self._owner is not None
                else await organization_name(self._ctx, None)
            )
        org = self.organization
        features = await self._ctx.client.get_advanced_registry_features(organization=org)
        found = features.organization
        advanced = bool(
            found
            and found.advanced_registry_features
            and found.advanced_registry_features.advanced_search
        )
        levels = ADVANCED if advanced else BASIC
        sent: dict[str, Any] = {"organization": org}
        for level, value in self._raw.items():
            sent[_VARIABLES[level]] = check_filter(value, levels[level], _ARGUMENTS[level])
        if self.order is not None:
            if not advanced:
                raise UsageError(
                    f"order on registry versions needs advanced registry search, which "
                    f"organization {org!r} does not have"
                )
            sign, key = self.order[0], self.order[1:]
            sent["order"] = sign + VERSION_ORDERS[key]
        self._sent = sent
        return sent

    async def _heavy_page(self, cursor: str | None) -> list[ArtifactHeavyFields]:
        """The heavy fields of the page listed after ``cursor`` (``GetRegistryVersionsHeavy``)."""
        sent = await self._prepare()
        result = await self._ctx.client.get_registry_versions_heavy(
            **sent, cursor=cursor, per_page=self.per_page
        )
        found = result.organization
        entity = found.org_entity if found is not None else None
        connection = entity.artifact_memberships if entity is not None else None
        if connection is None:  # gone since listed: each version asks for itself
            return []
        return [
            edge.node.artifact
            for edge in connection.edges
            if edge.node is not None and edge.node.artifact is not None
        ]

    async def _page_data(self, cursor: str | None, light: bool) -> dict[str, Any]:
        """A page's ``data`` as the server answered it, not validated yet."""
        sent = await self._prepare()
        client = self._unvalidated
        if client is None:
            client = self._unvalidated = unvalidated_client(self._ctx.client)
        if light:
            answer: Any = await client.get_registry_versions_light(
                **sent, cursor=cursor, per_page=self.per_page
            )
        else:
            answer = await client.get_registry_versions(
                **sent, cursor=cursor, per_page=self.per_page
            )
        return cast("dict[str, Any]", answer)

    async def _fetch(self, cursor: str | None) -> Page[AsyncArtifact]:
        from wandbkit._generated.get_registry_versions import GetRegistryVersions
        from wandbkit._generated.get_registry_versions_light import GetRegistryVersionsLight

        sent = await self._prepare()
        org = sent["organization"]
        light = self.lazy
        data = await self._ahead.take((cursor, light))
        if data is None:
            data = await self._page_data(cursor, light)
        following = next_cursor(data, "organization", "orgEntity", "artifactMemberships")
        if following is not None and following != cursor and self.pages_loaded > 0:
            # Iterating on: the next page is asked for while this one is parsed.
            await self._ahead.start((following, light), self._page_data)
        page: ListedPage | None = None
        found: GetRegistryVersionsOrganization | GetRegistryVersionsLightOrganization | None
        if light:
            page = ListedPage(self, cursor)
            found = self._ctx.client.parse_result(
                GetRegistryVersionsLight, data, operation_name="GetRegistryVersionsLight"
            ).organization
        else:
            found = self._ctx.client.parse_result(
                GetRegistryVersions, data, operation_name="GetRegistryVersions"
            ).organization
        if found is None or found.org_entity is None:
            raise NotFoundError(
                f"organization {org!r} not found", operation_name="GetRegistryVersions"
            )
        connection = found.org_entity.artifact_memberships
        if connection is None:
            return Page([], None, False)
        items = [
            AsyncArtifact.from_membership(self._ctx, edge.node, organization=org, page=page)
            for edge in connection.edges
            if edge.node is not None and edge.node.artifact is not None
        ]
        info = connection.page_info
        return Page(items, info.end_cursor, info.has_next_page)


_ARGUMENTS: dict[LevelName, str] = {
    "registries": "registry_filter",
    "collections": "collection_filter",
    "versions": "filter",
}
_VARIABLES: dict[LevelName, str] = {
    "registries": "registry_filter",
    "collections": "collection_filter",
    "versions": "artifact_filter",
}
