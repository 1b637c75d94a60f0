# Generated from src/wandbkit/_async/artifacts/_api.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""The artifacts methods of the Api: ``artifact()``, ``artifacts()``, collections and types,
with ``wandb.Api``'s names, arguments and defaults. Artifacts load on first use."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from wandbkit._core.errors import NotFoundError, UsageError
from wandbkit.paths import check_name, parse_collection_path

if TYPE_CHECKING:
    from datetime import timedelta

    from wandbkit._sync.artifacts.artifact import Artifact
    from wandbkit._sync.artifacts.artifact_types import (
        ArtifactCollections,
        ArtifactType,
        ArtifactTypes,
    )
    from wandbkit._sync.artifacts.collection import ArtifactCollection
    from wandbkit._sync.artifacts.publish import ArtifactDraft
    from wandbkit._sync.artifacts.versions import Artifacts
    from wandbkit._sync.context import ClientContext


class ArtifactsMethods:
    """The Api's artifacts methods (a part of ``Api``, which supplies the context)."""

    _ctx: ClientContext

    def _collection_place(
        self, name: str, argument: str = "name"
    ) -> tuple[str, str, str, str | None]:
        from wandbkit._sync.artifacts.resolve import resolve

        parsed = parse_collection_path(name, argument=argument)
        entity, project, organization = resolve(self._ctx, parsed)
        return entity, project, parsed.collection, organization

    def artifact(self, name: str, type: str | None = None) -> Artifact:
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
        from wandbkit._sync.artifacts.artifact import fetch_artifact_by_name

        return fetch_artifact_by_name(self._ctx, name, type)

    def artifact_exists(self, name: str, type: str | None = None) -> bool:
        """Whether ``artifact(name, type)`` finds a version (a type mismatch counts as no).

        Raises:
            UsageError: a malformed name.
            APIConnectionError: the server could not be reached (not an answer of "no").
        """
        from wandbkit._sync.artifacts.artifact import fetch_artifact_by_name
        from wandbkit.paths import parse_artifact_path

        parse_artifact_path(name)
        try:
            fetch_artifact_by_name(self._ctx, name, type)
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
    ) -> Artifacts:
        """The committed versions of a collection, lazily (``len()`` is the server's count).

        Args:
            type_name: the collection's artifact type.
            name: ``[entity/]project/collection`` (or a registry collection).
            order: ``[+|-]field``, e.g. ``"-createdAt"``.
            per_page: versions per request.
            tags: keep the versions that carry all of these tags.
            start: a ``cursor`` from an earlier ``Artifacts``, to resume from.
        """
        from wandbkit._sync.artifacts.resolve import Where
        from wandbkit._sync.artifacts.versions import Artifacts

        parsed = parse_collection_path(name)
        return Artifacts(
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

    def artifact_versions(self, type_name: str, name: str, per_page: int = 50) -> Artifacts:
        """Deprecated in ``wandb`` (which warns): ``artifacts(type_name, name, per_page=...)``."""
        warnings.warn(
            "Api.artifact_versions(type_name, name) is deprecated; use "
            "Api.artifacts(type_name, name)",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.artifacts(type_name, name, per_page=per_page)

    def artifact_collection(self, type_name: str, name: str) -> ArtifactCollection:
        """One collection of a type, loaded: ``name`` is ``[entity/]project/collection``.

        Raises:
            UsageError: a malformed name, or a collection of another type.
            NotFoundError: no such project, type or collection.
        """
        from wandbkit._sync.artifacts.collection import ArtifactCollection
        from wandbkit._sync.artifacts.resolve import fetch_collection

        check_name(type_name, "type_name")
        entity, project, collection, organization = self._collection_place(name)
        fields = fetch_collection(self._ctx, entity, project, type_name, collection)
        return ArtifactCollection(
            self._ctx, entity, project, collection, type_name, fields, organization=organization
        )

    def artifact_collection_exists(self, name: str, type: str) -> bool:
        """Whether ``artifact_collection(type, name)`` finds a collection.

        Raises:
            UsageError: a malformed name or type.
        """
        check_name(type, "type")
        parse_collection_path(name)
        try:
            self.artifact_collection(type, name)
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
    ) -> ArtifactCollections:
        """The collections of one type in a project, lazily (``len()`` is the server's count).

        Args:
            project_name: ``[entity/]project`` (or ``[organization/]wandb-registry-<name>``).
            type_name: the artifact type.
            order: ``[+|-]field``.
            per_page: collections per request.
            start: a ``cursor`` from an earlier ``ArtifactCollections``.
        """
        from wandbkit._sync.artifacts.artifact_types import ArtifactCollections
        from wandbkit._sync.artifacts.resolve import Where

        check_name(type_name, "type_name")
        where = Where.project(project_name, argument="project_name")
        return ArtifactCollections(
            self._ctx, where, type_name, order=order, per_page=per_page, start=start
        )

    def artifact_type(self, type_name: str, project: str | None = None) -> ArtifactType:
        """One artifact type of a project, loaded.

        Raises:
            NotFoundError: no such project or type.
        """
        from wandbkit._sync.artifacts.artifact_types import ArtifactType
        from wandbkit._sync.artifacts.resolve import Where

        check_name(type_name, "type_name")
        entity, name, _ = Where.project(project).locate(self._ctx)
        return ArtifactType(self._ctx, entity, name, type_name).load()

    def artifact_types(self, project: str | None = None, start: str | None = None) -> ArtifactTypes:
        """The artifact types of a project (``[entity/]project``; default ``WANDB_PROJECT``),
        lazily."""
        from wandbkit._sync.artifacts.artifact_types import ArtifactTypes
        from wandbkit._sync.artifacts.resolve import Where

        return ArtifactTypes(self._ctx, Where.project(project), start=start)

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
    ) -> ArtifactDraft:
        """A new version of ``[entity/]project/collection``, to fill and ``publish()``
        (nothing is sent before; ``wandb.Api`` has no such method: it needs a run).

        Example:
            >>> draft = api.create_artifact("team/mnist/dataset", type="dataset")
            >>> draft.add_dir("data/")
            >>> art = draft.publish()  # `await draft.publish()` with AsyncApi

        Raises:
            UsageError: a malformed name, type, alias, tag or metadata (before any request).
        """
        from wandbkit._sync.artifacts.publish import ArtifactDraft

        return ArtifactDraft(
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
