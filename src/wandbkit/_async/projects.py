"""Projects: a lazy handle for one, and a paginator over an entity's projects."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from wandbkit._async.context import ClientContext, LoaderKey
from wandbkit._async.lazy import LazyRecord
from wandbkit._async.pagination import AsyncRelayPaginator, Page
from wandbkit._core.errors import NotFoundError, UsageError
from wandbkit._core.not_found import project_not_found
from wandbkit._html import Displayable
from wandbkit.paths import check_name
from wandbkit.users import User

if TYPE_CHECKING:
    from wandbkit._async.sweeps import AsyncSweeps
    from wandbkit._generated.fragments import ProjectFields


#: The spellings of creation order ``Project.sweeps(order=...)`` accepts without a warning.
CREATION_ORDERS = ("+created_at", "created_at", "+createdAt", "createdAt")


class SweepsLister(Protocol):
    """Lists a project's sweeps; projects sit below sweeps, so the Api wires this in."""

    def __call__(
        self,
        ctx: ClientContext,
        entity: str | None,
        project: str,
        /,
        *,
        per_page: int,
        filters: Mapping[str, Any] | None,
    ) -> AsyncSweeps:
        """The sweeps of ``entity/project``, lazily."""


class ProjectArtifactsLister(Protocol):
    """Lists a project's artifact types and collections; projects sit below artifacts, so
    the Api provides this under :data:`PROJECT_ARTIFACTS`."""

    def types(
        self, ctx: ClientContext, entity: str | None, project: str, per_page: int, /
    ) -> AsyncRelayPaginator[Any]:
        """The project's artifact types, lazily."""

    def collections(
        self,
        ctx: ClientContext,
        entity: str | None,
        project: str,
        filters: Mapping[str, Any] | None,
        order: str | None,
        per_page: int,
        /,
    ) -> AsyncRelayPaginator[Any]:
        """The project's artifact collections of every type, lazily."""


#: The key the Api provides the projects' artifacts lister under.
PROJECT_ARTIFACTS: LoaderKey[ProjectArtifactsLister] = LoaderKey("a project's artifacts")


class AsyncProject(LazyRecord["ProjectFields"], Displayable):
    """A W&B project.

    ``name`` is known at once; everything else is fetched with one request the first time it
    is read (with ``AsyncApi``, call ``await project.load()`` first; reading earlier raises
    ``NotLoadedError``).

    Example:
        >>> project = api.project("my-project", entity="my-team")  # no request yet
        >>> project.created_at  # one GetProject request, then cached
    """

    def __init__(
        self,
        ctx: ClientContext,
        name: str,
        entity: str | None = None,
        fields: ProjectFields | None = None,
        *,
        list_sweeps: SweepsLister,
    ) -> None:
        super().__init__(fields)
        self._ctx = ctx
        self._list_sweeps = list_sweeps
        self.name = check_name(name, "name")
        self._entity = check_name(entity, "entity") if entity is not None else None

    async def _fetch(self) -> ProjectFields:
        entity = await self._ctx.resolve_entity(self._entity)
        self._entity = entity
        result = await self._ctx.client.get_project(name=self.name, entity=entity)
        if result.project is None:
            raise project_not_found(entity, self.name, "GetProject")
        return result.project

    def _not_loaded(self) -> str:
        return f"project {self.name!r} is not loaded yet: `await project.load()` first"

    @property
    def entity(self) -> str:
        """The entity (user or team) that owns the project."""
        if self._entity is None:
            return self._require().entity_name
        return self._entity

    @property
    def path(self) -> list[str]:
        """``[entity, name]``, as ``wandb.Api`` gives it."""
        return [self.entity, self.name]

    @property
    def url(self) -> str:
        """The project's page in the W&B app."""
        return f"{self._ctx.app_url}/{self.entity}/{self.name}"

    @property
    def id(self) -> str:
        """The server's opaque id of the project."""
        return self._require().id

    @property
    def internal_id(self) -> str:
        """The server's base64 internal id (holds the integer id)."""
        return self._require().internal_id

    @property
    def description(self) -> str | None:
        """The project's description."""
        return self._require().description

    @property
    def access(self) -> str | None:
        """Who may see the project (``PRIVATE``, ``USER_READ``, ...), as the server says it."""
        return self._require().access

    @property
    def created_at(self) -> datetime:
        """When the project was created (aware, UTC)."""
        return self._require().created_at

    @property
    def updated_at(self) -> datetime | None:
        """When the project last changed."""
        return self._require().updated_at

    @property
    def is_benchmark(self) -> bool:
        """Whether the project is a benchmark."""
        return self._require().is_benchmark

    @property
    def read_only(self) -> bool:
        """Whether the caller may only read the project."""
        return bool(self._require().read_only)

    @property
    def user(self) -> User | None:
        """The user who created the project."""
        owner = self._require().user
        return User(owner) if owner is not None else None

    @property
    def owner(self) -> User:
        """The project's owner (the user who created it), as ``wandb``'s ``Project.owner``.

        Raises:
            NotFoundError: the server names no owner.
        """
        owner = self.user
        if owner is None:
            raise NotFoundError(f"project '{self.entity}/{self.name}' has no owner")
        return owner

    @property
    def entity_name(self) -> str:
        """The owning entity's name (``wandb``'s ``entity_name``; the same as ``entity``)."""
        return self.entity

    def to_html(self, height: int = 420, hidden: bool = False) -> str:
        """HTML that embeds the project's workspace (for notebooks), from a template."""
        from wandbkit._html import render

        if isinstance(height, bool) or not isinstance(height, int) or height <= 0:
            raise UsageError(f"height must be a positive int of pixels, got {height!r}")
        return render("project.html.j2", url=self.url, height=height, hidden=hidden, project=self)

    def display(self, height: int = 420, hidden: bool = False) -> bool:
        """Show the project in a Jupyter notebook; False (with a warning) elsewhere."""
        from wandbkit._html import display_html

        return display_html(self.to_html(height, hidden), "project")

    def _repr_html_(self) -> str:
        return self.to_html()

    def sweeps(
        self,
        per_page: int = 50,
        filters: Mapping[str, Any] | None = None,
        order: str | None = None,
    ) -> AsyncSweeps:
        """The project's sweeps, oldest first, lazily (``len()`` is the server's count).

        Args:
            per_page: sweeps per request.
            filters: a run-style filter of the sweeps (this server accepts only ``{}``).
            order: accepted as ``wandb`` accepts it (any string); the server lists sweeps in
                creation order only, so an order other than that warns that it is not applied
                (``wandb`` ignores it silently).

        Raises:
            UsageError: an ``order`` that is not a string.
        """
        if order is not None and not isinstance(order, str):
            raise UsageError(f"order must be a string or None, got {order!r}")
        if order not in (None, "", *CREATION_ORDERS):
            warnings.warn(
                f"Project.sweeps(order={order!r}): sweeps are listed oldest first; the order "
                "is not applied",
                stacklevel=2,
            )
        return self._list_sweeps(
            self._ctx, self._entity, self.name, per_page=per_page, filters=filters
        )

    def artifacts_types(self, per_page: int = 50) -> AsyncRelayPaginator[Any]:
        """The project's artifact types, lazily (``wandb`` spells the name so)."""
        lister = self._ctx.loader(PROJECT_ARTIFACTS)
        return lister.types(self._ctx, self._entity, self.name, per_page)

    def collections(
        self,
        filters: Mapping[str, Any] | None = None,
        order: str | None = None,
        per_page: int = 50,
    ) -> AsyncRelayPaginator[Any]:
        """The project's artifact collections of every type, lazily (``len()`` is the
        server's count)."""
        lister = self._ctx.loader(PROJECT_ARTIFACTS)
        return lister.collections(self._ctx, self._entity, self.name, filters, order, per_page)

    def to_dict(self) -> dict[str, Any]:
        """The project's fields as JSON-ready values, keyed as the server names them."""
        return self._require().model_dump(mode="json", by_alias=True)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AsyncProject):
            return NotImplemented
        return (other._entity, other.name) == (self._entity, self.name)

    def __hash__(self) -> int:
        return hash(("Project", self._entity, self.name))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._entity or '?'}/{self.name}>"


class AsyncProjects(AsyncRelayPaginator[AsyncProject]):
    """The projects of one entity, fetched page by page as you iterate.

    The server gives no total count of projects, so ``len()`` raises ``TypeError`` (as for
    any iterator); ``length`` is ``None``.
    """

    def __init__(
        self,
        ctx: ClientContext,
        entity: str | None,
        *,
        list_sweeps: SweepsLister,
        per_page: int = 200,
        start: str | None = None,
    ) -> None:
        super().__init__(per_page=per_page, start=start)
        self._ctx = ctx
        self._list_sweeps = list_sweeps
        self.entity = check_name(entity, "entity") if entity is not None else None

    async def _fetch(self, cursor: str | None) -> Page[AsyncProject]:
        entity = await self._ctx.resolve_entity(self.entity)
        self.entity = entity
        result = await self._ctx.client.get_projects(
            entity=entity, cursor=cursor, per_page=self.per_page
        )
        if result.models is None:
            raise NotFoundError(f"entity {entity!r} not found", operation_name="GetProjects")
        items = [
            AsyncProject(
                self._ctx,
                edge.node.name,
                edge.node.entity_name,
                fields=edge.node,
                list_sweeps=self._list_sweeps,
            )
            for edge in result.models.edges
            if edge.node is not None
        ]
        info = result.models.page_info
        return Page(items, info.end_cursor, info.has_next_page)
