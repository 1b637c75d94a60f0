"""The artifacts methods of the Api: ``artifact()``, ``artifacts()``, collections and types,
with ``wandb.Api``'s names, arguments and defaults. Artifacts load on first use."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from wandbkit._core.errors import NotFoundError, UsageError
from wandbkit.paths import check_name, parse_collection_path

if TYPE_CHECKING:
    from datetime import timedelta

    from wandbkit._async.artifacts.artifact import AsyncArtifact
    from wandbkit._async.artifacts.artifact_types import (
        AsyncArtifactCollections,
        AsyncArtifactType,
        AsyncArtifactTypes,
    )
    from wandbkit._async.artifacts.collection import AsyncArtifactCollection
    from wandbkit._async.artifacts.publish import AsyncArtifactDraft
    from wandbkit._async.artifacts.versions import AsyncArtifacts
    from wandbkit._async.context import ClientContext


class AsyncArtifactsMethods:
    """The Api's artifacts methods (a part of ``Api``, which supplies the context)."""

    _ctx: ClientContext

    async def _collection_place(
        self, name: str, argument: str = "name"
    ) -> tuple[str, str, str, str | None]:
        from wandbkit._async.artifacts.resolve import resolve

        parsed = parse_collection_path(name, argument=argument)
        entity, project, organization = await resolve(self._ctx, parsed)
        return entity, project, parsed.collection, organization

    async def artifact(self, name: str, type: str | None = None) -> AsyncArtifact:
        """One artifact version, by ``[entity/]project/name:version`` or ``...:alias`` (or a
        registry name ``[organization/]wandb-registry-<registry>/<collection>:<alias>``).

        A name without ``:version`` means ``:latest``; missing parts come from the defaults
        (``WANDB_ENTITY``/``WANDB_PROJECT``, the viewer's entity, ``uncategorized``).

        Args:
            name: the version's name.
            type: the type it must be of, if given.

        Raises:
            UsageError: a malformed name, or a version of another type than ``type``.
            NotFoundError: nothing of that name.

        Example:
            >>> art = api.artifact("my-team/mnist/dataset:latest", type="dataset")
            >>> art.download()
        """
        from wandbkit._async.artifacts.artifact import fetch_artifact_by_name

        return await fetch_artifact_by_name(self._ctx, name, type)

    async def artifact_exists(self, name: str, type: str | None = None) -> bool:
        """Whether ``artifact(name, type)`` finds a version (a type mismatch counts as no).

        Raises:
            UsageError: a malformed name.
            APIConnectionError: the server could not be reached (not an answer of "no").
        """
        from wandbkit._async.artifacts.artifact import fetch_artifact_by_name
        from wandbkit.paths import parse_artifact_path

        parse_artifact_path(name)
        try:
            await fetch_artifact_by_name(self._ctx, name, type)
        except (NotFoundError, UsageError):
            return False
        return True

    def artifacts(
        self,
        type_name: str,
        name: str,
        order: str | None = None,
        per_page: int = 50,
        tags: list[str] | None = None,
        start: str | None = None,
    ) -> AsyncArtifacts:
        """The committed versions of a collection, lazily (``len()`` is the server's count).

        Args:
            type_name: the collection's artifact type.
            name: ``[entity/]project/collection`` (or a registry collection).
            order: ``[+|-]field``, e.g. ``"-createdAt"``.
            per_page: versions per request.
            tags: keep the versions that carry all of these tags.
            start: a ``cursor`` from an earlier ``Artifacts``, to resume from.
        """
        from wandbkit._async.artifacts.resolve import Where
        from wandbkit._async.artifacts.versions import AsyncArtifacts

        parsed = parse_collection_path(name)
        return AsyncArtifacts(
            self._ctx,
            Where(parsed),
            parsed.collection,
            type_name,
            None,
            order,
            per_page,
            tags,
            start,
        )

    def artifact_versions(self, type_name: str, name: str, per_page: int = 50) -> AsyncArtifacts:
        """Deprecated in ``wandb`` (which warns): ``artifacts(type_name, name, per_page=...)``."""
        warnings.warn(
            "Api.artifact_versions(type_name, name) is deprecated; use "
            "Api.artifacts(type_name, name)",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.artifacts(type_name, name, per_page=per_page)

    async def artifact_collection(self, type_name: str, name: str) -> AsyncArtifactCollection:
        """One collection of a type, loaded: ``name`` is ``[entity/]project/collection``.

        Raises:
            UsageError: a malformed name, or a collection of another type.
            NotFoundError: no such project, type or collection.
        """
        from wandbkit._async.artifacts.collection import AsyncArtifactCollection
        from wandbkit._async.artifacts.resolve import fetch_collection

        check_name(type_name, "type_name")
        entity, project, collection, organization = await self._collection_place(name)
        fields = await fetch_collection(self._ctx, entity, project, type_name, collection)
        return AsyncArtifactCollection(
            self._ctx, entity, project, collection, type_name, fields, organization=organization
        )

    async def artifact_collection_exists(self, name: str, type: str) -> bool:
        """Whether ``artifact_collection(type, name)`` finds a collection.

        Raises:
            UsageError: a malformed name or type.
        """
        check_name(type, "type")
        parse_collection_path(name)
        try:
            await self.artifact_collection(type, name)
        except (NotFoundError, UsageError):
            return False
        return True

    def artifact_collections(
        self,
        project_name: str,
        type_name: str,
        order: str | None = None,
        per_page: int = 50,
        start: str | None = None,
    ) -> AsyncArtifactCollections:
        """The collections of one type in a project, lazily (``len()`` is the server's count).

        Args:
            project_name: ``[entity/]project`` (or ``[organization/]wandb-registry-<name>``).
            type_name: the artifact type.
            order: ``[+|-]field``.
            per_page: collections per request.
            start: a ``cursor`` from an earlier ``ArtifactCollections``.
        """
        from wandbkit._async.artifacts.artifact_types import AsyncArtifactCollections
        from wandbkit._async.artifacts.resolve import Where

        check_name(type_name, "type_name")
        where = Where.project(project_name, argument="project_name")
        return AsyncArtifactCollections(
            self._ctx, where, type_name, order=order, per_page=per_page, start=start
        )

    async def artifact_type(self, type_name: str, project: str | None = None) -> AsyncArtifactType:
        """One artifact type of a project, loaded.

        Raises:
            NotFoundError: no such project or type.
        """
        from wandbkit._async.artifacts.artifact_types import AsyncArtifactType
        from wandbkit._async.artifacts.resolve import Where

        check_name(type_name, "type_name")
        entity, name, _ = await Where.project(project).locate(self._ctx)
        return await AsyncArtifactType(self._ctx, entity, name, type_name).load()

    def artifact_types(
        self, project: str | None = None, start: str | None = None
    ) -> AsyncArtifactTypes:
        """The artifact types of a project (``[entity/]project``; default ``WANDB_PROJECT``),
        lazily."""
        from wandbkit._async.artifacts.artifact_types import AsyncArtifactTypes
        from wandbkit._async.artifacts.resolve import Where

        return AsyncArtifactTypes(self._ctx, Where.project(project), start=start)

    def create_artifact(
        self,
        name: str,
        type: str,
        *,
        description: str | None = None,
        metadata: dict[str, Any] | None = None,
        aliases: list[str] | None = None,
        tags: list[str] | None = None,
        ttl: timedelta | None = None,
        run: str | None = None,
    ) -> AsyncArtifactDraft:
        """A new version of ``[entity/]project/collection``, to fill and ``publish()``
        (nothing is sent before; ``wandb.Api`` has no such method: it needs a run).

        Example:
            >>> draft = api.create_artifact("team/mnist/dataset", type="dataset")
            >>> draft.add_dir("data/")
            >>> art = draft.publish()  # `await draft.publish()` with AsyncApi

        Raises:
            UsageError: a malformed name, type, alias, tag or metadata (before any request).
        """
        from wandbkit._async.artifacts.publish import AsyncArtifactDraft

        return AsyncArtifactDraft(
            self._ctx,
            name,
            type,
            description=description,
            metadata=metadata,
            aliases=aliases,
            tags=tags,
            ttl=ttl,
            run=run,
        )
