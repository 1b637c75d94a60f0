"""Artifact types (``ArtifactType``) and the listings of types and collections
(``ArtifactTypes``, ``ArtifactCollections``, ``ProjectArtifactCollections``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from wandbkit._async.artifacts.collection import AsyncArtifactCollection
from wandbkit._async.artifacts.resolve import Where, fetch_collection, type_not_found
from wandbkit._async.artifacts.versions import check_filters, check_order
from wandbkit._async.context import ClientContext
from wandbkit._async.lazy import LazyRecord
from wandbkit._async.pagination import AsyncRelayPaginator, Page
from wandbkit._core.not_found import project_not_found
from wandbkit._html import HtmlSummary
from wandbkit.paths import check_name

if TYPE_CHECKING:
    from wandbkit._generated.fragments import ArtifactCollectionFields, ArtifactTypeFields


class AsyncArtifactType(LazyRecord["ArtifactTypeFields"]):
    """An artifact type of a project (``dataset``, ``model``, ...) and its collections."""

    def __init__(
        self,
        ctx: ClientContext,
        entity: str,
        project: str,
        type_name: str,
        fields: ArtifactTypeFields | None = None,
    ) -> None:
        super().__init__(fields)
        self._ctx = ctx
        #: The entity that owns the project.
        self.entity = entity
        #: The project.
        self.project = project
        #: The type's name (``wandb`` names this attribute ``type``).
        self.type = type_name

    async def _fetch(self) -> ArtifactTypeFields:
        result = await self._ctx.client.get_artifact_type(
            entity=self.entity, project=self.project, type_=self.type
        )
        if result.project is None:
            raise project_not_found(self.entity, self.project, "GetArtifactType")
        if result.project.artifact_type is None:
            raise type_not_found(self.entity, self.project, self.type, "GetArtifactType")
        return result.project.artifact_type

    def _not_loaded(self) -> str:
        return f"artifact type {self.type!r} is not loaded yet: `await artifact_type.load()` first"

    @property
    def id(self) -> str:
        """The server's id of the type."""
        return self._require().id

    @property
    def name(self) -> str:
        """The type's name."""
        return self.type

    @property
    def description(self) -> str | None:
        """The type's description."""
        return self._require().description

    @property
    def created_at(self) -> datetime:
        """When the type was first used in the project."""
        return self._require().created_at

    def collections(
        self,
        filters: Mapping[str, Any] | None = None,
        order: str | None = None,
        per_page: int = 50,
        start: str | None = None,
    ) -> AsyncArtifactCollections:
        """The type's collections, lazily (``len()`` is the server's count)."""
        return AsyncArtifactCollections(
            self._ctx,
            Where.at(self.entity, self.project),
            self.type,
            filters=filters,
            order=order,
            per_page=per_page,
            start=start,
        )

    async def collection(self, name: str) -> AsyncArtifactCollection:
        """One collection of the type, loaded.

        Raises:
            NotFoundError: no such collection.
            UsageError: a malformed name, or a collection of another type.
        """
        check_name(name, "name")
        fields = await fetch_collection(self._ctx, self.entity, self.project, self.type, name)
        return AsyncArtifactCollection(
            self._ctx, self.entity, self.project, name, self.type, fields
        )

    def __repr__(self) -> str:
        return f"<ArtifactType {self.type}>"

    def _html_summary(self) -> HtmlSummary:
        fields: dict[str, Any] = {"project": f"{self.entity}/{self.project}"}
        if self._fields is not None:
            fields.update(description=self.description, created_at=self.created_at)
        return HtmlSummary("ArtifactType", self.type, fields)


class AsyncArtifactCollections(AsyncRelayPaginator[AsyncArtifactCollection]):
    """The collections of one artifact type in a project, page by page (``len()`` is the
    server's count)."""

    def __init__(
        self,
        ctx: ClientContext,
        where: Where,
        type_name: str,
        filters: Mapping[str, Any] | None = None,
        order: str | None = None,
        per_page: int = 50,
        start: str | None = None,
    ) -> None:
        super().__init__(per_page=per_page, start=start)
        self._ctx = ctx
        self._where = where
        #: Filled in from the name's defaults when the first page loads.
        self.entity: str | None = where.known[0] if where.known else where.name.prefix
        self.project: str | None = where.known[1] if where.known else where.name.project
        self._organization: str | None = where.known[2] if where.known else None
        self.type_name = type_name
        self._filters_json = check_filters(filters)
        self.order = check_order(order)

    async def _locate(self) -> tuple[str, str]:
        entity, project, self._organization = await self._where.locate(self._ctx)
        self.entity, self.project = entity, project
        return entity, project

    async def _fetch(self, cursor: str | None) -> Page[AsyncArtifactCollection]:
        entity, project = await self._locate()
        result = await self._ctx.client.get_artifact_collections(
            entity=entity,
            project=project,
            type_=self.type_name,
            cursor=cursor,
            per_page=self.per_page,
            filters=self._filters_json,
            order=self.order,
        )
        if result.project is None:
            raise project_not_found(entity, project, "GetArtifactCollections")
        kind = result.project.artifact_type
        if kind is None:
            raise type_not_found(entity, project, self.type_name, "GetArtifactCollections")
        connection = kind.artifact_collections
        if connection is None:
            return Page([], None, False, 0)
        nodes = [edge.node for edge in connection.edges if edge.node is not None]
        info = connection.page_info
        return Page(
            self._wrap(entity, project, nodes),
            info.end_cursor,
            info.has_next_page,
            connection.total_count,
        )

    def _wrap(
        self, entity: str, project: str, nodes: Sequence[ArtifactCollectionFields]
    ) -> list[AsyncArtifactCollection]:
        return [
            AsyncArtifactCollection(
                self._ctx,
                entity,
                project,
                node.name,
                node.type_.name,
                node,
                organization=self._organization,
            )
            for node in nodes
        ]


class AsyncProjectArtifactCollections(AsyncArtifactCollections):
    """The collections of every artifact type in a project, page by page."""

    def __init__(
        self,
        ctx: ClientContext,
        where: Where,
        filters: Mapping[str, Any] | None = None,
        order: str | None = None,
        per_page: int = 50,
        start: str | None = None,
    ) -> None:
        super().__init__(ctx, where, "", filters, order, per_page, start)

    async def _fetch(self, cursor: str | None) -> Page[AsyncArtifactCollection]:
        entity, project = await self._locate()
        result = await self._ctx.client.get_project_artifact_collections(
            entity=entity,
            project=project,
            cursor=cursor,
            per_page=self.per_page,
            filters=self._filters_json,
            order=self.order,
        )
        if result.project is None:
            raise project_not_found(entity, project, "GetProjectArtifactCollections")
        connection = result.project.artifact_collections
        if connection is None:
            return Page([], None, False, 0)
        nodes = [edge.node for edge in connection.edges if edge.node is not None]
        info = connection.page_info
        return Page(
            self._wrap(entity, project, nodes),
            info.end_cursor,
            info.has_next_page,
            connection.total_count,
        )


class AsyncArtifactTypes(AsyncRelayPaginator[AsyncArtifactType]):
    """The artifact types of a project, page by page (the server gives no count)."""

    def __init__(
        self,
        ctx: ClientContext,
        where: Where,
        per_page: int = 50,
        start: str | None = None,
    ) -> None:
        super().__init__(per_page=per_page, start=start)
        self._ctx = ctx
        self._where = where
        #: Filled in from the name's defaults when the first page loads.
        self.entity: str | None = where.known[0] if where.known else where.name.prefix
        self.project: str | None = where.known[1] if where.known else where.name.project
        self._organization: str | None = where.known[2] if where.known else None

    async def _fetch(self, cursor: str | None) -> Page[AsyncArtifactType]:
        self.entity, self.project, _ = await self._where.locate(self._ctx)
        result = await self._ctx.client.get_artifact_types(
            entity=self.entity, project=self.project, cursor=cursor, per_page=self.per_page
        )
        if result.project is None:
            raise project_not_found(self.entity, self.project, "GetArtifactTypes")
        connection = result.project.artifact_types
        items = [
            AsyncArtifactType(self._ctx, self.entity, self.project, edge.node.name, edge.node)
            for edge in connection.edges
            if edge.node is not None
        ]
        info = connection.page_info
        return Page(items, info.end_cursor, info.has_next_page)
