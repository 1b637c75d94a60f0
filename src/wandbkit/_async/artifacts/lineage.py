"""An artifact version's links and lineage (a part of ``Artifact``): the portfolios it is
linked into, linking and unlinking, deleting, waiting for a commit, and the runs that logged
and used it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from wandbkit._async.artifacts.place import ArtifactPlace, check_aliases, place_in
from wandbkit._async.artifacts.resolve import fetch_collection, resolve_collection_target
from wandbkit._async.context import ClientContext
from wandbkit._core.errors import APIError, NotFoundError, UsageError
from wandbkit._core.flavor_async import MaybeAwaitable, async_sleep, gather_limited, monotonic

if TYPE_CHECKING:
    from typing_extensions import Self

    from wandbkit._async.artifacts.listed import AnyArtifactFields
    from wandbkit._async.runs.run import AsyncRun
    from wandbkit._generated.fragments import ArtifactMembershipFields

#: Runs loaded at once by ``used_by()``.
USED_BY_CONCURRENCY = 8


class AsyncArtifactLineage:
    """Links, deletion and lineage of a version (``Artifact`` supplies its fields)."""

    _ctx: ClientContext
    _fields: AnyArtifactFields
    _place: ArtifactPlace

    def __init__(self, ctx: ClientContext, fields: AnyArtifactFields, place: ArtifactPlace) -> None:
        raise NotImplementedError  # ``Artifact`` supplies it

    @classmethod
    def from_membership(
        cls,
        ctx: ClientContext,
        membership: ArtifactMembershipFields,
        *,
        organization: str | None = None,
    ) -> Self:
        """The version a membership describes (``Artifact`` supplies it)."""
        raise NotImplementedError

    @classmethod
    async def fetch(
        cls,
        ctx: ClientContext,
        entity: str,
        project: str,
        member: str,
        *,
        organization: str | None = None,
    ) -> Self:
        """One version by ``collection:version`` (``Artifact`` supplies it)."""
        raise NotImplementedError

    def _set(self, fields: AnyArtifactFields, place: ArtifactPlace) -> None:
        raise NotImplementedError  # ``Artifact`` supplies it

    @property
    def id(self) -> str:
        """The version's id (``Artifact`` supplies it)."""
        raise NotImplementedError

    @property
    def type(self) -> str:
        """The type's name (``Artifact`` supplies it)."""
        raise NotImplementedError

    @property
    def state(self) -> str:
        """The version's state (``Artifact`` supplies it)."""
        raise NotImplementedError

    @property
    def qualified_name(self) -> str:
        """``entity/project/name`` (``Artifact`` supplies it)."""
        raise NotImplementedError

    @property
    def source_qualified_name(self) -> str:
        """The source's qualified name (``Artifact`` supplies it)."""
        raise NotImplementedError

    @property
    def source_entity(self) -> str:
        """The source's entity (``Artifact`` supplies it)."""
        raise NotImplementedError

    @property
    def source_project(self) -> str:
        """The source's project (``Artifact`` supplies it)."""
        raise NotImplementedError

    @property
    def source_version(self) -> str:
        """The source's version (``Artifact`` supplies it)."""
        raise NotImplementedError

    @property
    def entity(self) -> str:
        """The entity it was fetched through (``Artifact`` supplies it)."""
        raise NotImplementedError

    @property
    def project(self) -> str:
        """The project it was fetched through (``Artifact`` supplies it)."""
        raise NotImplementedError

    @property
    def is_link(self) -> bool:
        """Whether it was fetched through a link (``Artifact`` supplies it)."""
        raise NotImplementedError

    # -- links ---------------------------------------------------------------------------

    @property
    def linked_artifacts(self) -> MaybeAwaitable[list[Self]]:
        """Its links into portfolios (none for a link); see :meth:`get_linked_artifacts`."""
        return self.get_linked_artifacts()

    async def get_linked_artifacts(self) -> list[Self]:
        """The version as each portfolio it is linked into holds it (one request)."""
        if self.is_link:
            return []
        result = await self._ctx.client.get_artifact_memberships(id=self.id)
        if result.artifact is None:
            raise NotFoundError(f"artifact {self.qualified_name!r} not found")
        links = []
        for edge in result.artifact.artifact_memberships.edges:
            node = edge.node
            kind = (
                node.artifact_collection.typename__ if node and node.artifact_collection else None
            )
            if node is not None and kind == "ArtifactPortfolio":
                links.append(type(self).from_membership(self._ctx, node))
        return links

    @property
    def source_artifact(self) -> MaybeAwaitable[Self]:
        """The version as the collection that logged it holds it (itself, if not a link)."""
        return self.get_source_artifact()

    async def get_source_artifact(self) -> Self:
        """The version as the collection that logged it holds it."""
        if not self.is_link:
            return self
        source = self._fields.artifact_sequence
        place = replace(
            self._place,
            entity=self.source_entity,
            project=self.source_project,
            collection=source.name,
            version=self.source_version,
            collection_id=None,
            collection_kind="ArtifactSequence",
            asked=None,
        )
        found = await self._ctx.client.get_artifact_by_id(id=self.id)
        if found.artifact is None:
            raise NotFoundError(f"artifact {self.source_qualified_name!r} not found")
        listed = place_in(found.artifact, place.entity, place.project, place.collection)
        return type(self)(self._ctx, found.artifact, replace(place, aliases=listed.aliases))

    # -- changes -------------------------------------------------------------------------

    # -- changes -------------------------------------------------------------------------

    async def delete(self, delete_aliases: bool = False) -> None:
        """Delete the version (a link: remove the link only, the source stays).

        Args:
            delete_aliases: delete it even though it has aliases (else the server refuses).
        """
        from wandbkit._generated.input_types import DeleteArtifactInput

        if not isinstance(delete_aliases, bool):
            raise UsageError(f"delete_aliases must be a bool, got {delete_aliases!r}")
        if self.is_link:
            await self.unlink()
            return
        await self._ctx.client.delete_artifact(
            input=DeleteArtifactInput(artifact_id=self.id, delete_aliases=delete_aliases)
        )

    async def link(self, target_path: str, aliases: Iterable[str] | None = None) -> Self:
        """Link the version into a portfolio (created if new), e.g. a registry collection.

        Args:
            target_path: ``[entity/]project/portfolio`` or
                ``[organization/]wandb-registry-<registry>/<collection>``.
            aliases: aliases the link gets there (``latest`` moves by itself).

        Returns:
            The version as the portfolio holds it.

        Raises:
            UsageError: a malformed ``target_path`` or alias (before any request), or a
                registry that does not accept the version's type.
        """
        from wandbkit._generated.input_types import ArtifactAliasInput, LinkArtifactInput

        entity, project, name, organization = await resolve_collection_target(
            self._ctx, target_path, default_entity=self.source_entity, argument="target_path"
        )
        alias_inputs = [
            ArtifactAliasInput(artifact_collection_name=name, alias=alias)
            for alias in check_aliases(aliases or [])
        ]
        if organization is not None:
            await self._check_registry_accepts(entity, project)
        result = await self._ctx.client.link_artifact(
            input=LinkArtifactInput(
                artifact_id=self.id,
                artifact_portfolio_name=name,
                entity_name=entity,
                project_name=project,
                aliases=alias_inputs,
            )
        )
        linked = result.link_artifact
        if linked is not None and linked.artifact_membership is not None:
            return type(self).from_membership(
                self._ctx, linked.artifact_membership, organization=organization
            )
        if linked is None or linked.version_index is None:
            raise APIError("the server's linkArtifact answer names no version")
        member = f"{name}:v{linked.version_index}"
        return await type(self).fetch(self._ctx, entity, project, member, organization=organization)

    async def _check_registry_accepts(self, entity: str, project: str) -> None:
        """Refuse, before linking, a version of a type the registry does not accept (the
        server refuses it too; this names the accepted types without a failed mutation)."""
        result = await self._ctx.client.get_registry(entity=entity, name=project)
        found = result.entity.project if result.entity is not None else None
        if found is None or found.allow_all_artifact_types:
            return  # no such registry (visible): the server's answer says what is wrong
        accepted = [edge.node.name for edge in found.artifact_types.edges if edge.node]
        if self.type not in accepted:
            raise UsageError(
                f"registry {project.removeprefix('wandb-registry-')!r} accepts artifact "
                f"types {', '.join(map(repr, accepted)) or 'none'}; artifact "
                f"{self.qualified_name!r} is of type {self.type!r}"
            )

    async def unlink(self) -> None:
        """Remove this link from its portfolio (the source version stays).

        Raises:
            UsageError: the version is not a link (use ``delete()``).
        """
        from wandbkit._generated.input_types import UnlinkArtifactInput

        if not self.is_link:
            raise UsageError(
                f"artifact {self.qualified_name!r} is not a linked artifact and cannot be "
                "unlinked; to delete it, use 'delete'"
            )
        collection_id = self._place.collection_id
        if collection_id is None:
            place = self._place
            found = await fetch_collection(
                self._ctx, place.entity, place.project, self.type, place.collection
            )
            collection_id = found.id
        await self._ctx.client.unlink_artifact(
            input=UnlinkArtifactInput(artifact_id=self.id, artifact_portfolio_id=collection_id)
        )

    async def wait(self, timeout: int | None = None) -> Self:
        """Wait until the version is committed (a fetched one usually is); returns self.

        Raises:
            TimeoutError: still pending after ``timeout`` seconds.
        """
        deadline = None if timeout is None else monotonic() + timeout
        while self.state == "PENDING":
            if deadline is not None and monotonic() > deadline:
                raise TimeoutError(f"artifact {self.qualified_name!r} still pending")
            await async_sleep(1.0)
            found = await self._ctx.client.get_artifact_by_id(id=self.id)
            if found.artifact is None:
                raise NotFoundError(f"artifact {self.qualified_name!r} not found")
            fields = found.artifact
            listed = place_in(fields, self.entity, self.project, self._place.collection)
            self._set(fields, replace(self._place, aliases=listed.aliases))
        return self

    # -- lineage -------------------------------------------------------------------------

    async def logged_by(self) -> AsyncRun | None:
        """The run that logged the version, loaded; ``None`` if a user made it."""
        from wandbkit._async.runs.run import fetch_run
        from wandbkit._async.sweeps_api import load_sweep_on_demand

        result = await self._ctx.client.get_artifact_created_by(id=self.id)
        if result.artifact is None:
            raise NotFoundError(f"artifact {self.qualified_name!r} not found")
        creator = result.artifact.created_by
        project = getattr(creator, "project", None)
        name = getattr(creator, "name", None)
        if creator is None or creator.typename__ != "Run" or project is None or name is None:
            return None
        return await fetch_run(
            self._ctx, project.entity.name, project.name, name, load_sweep_on_demand
        )

    async def used_by(self) -> list[AsyncRun]:
        """The runs that used the version, loaded."""
        from wandbkit._async.runs.run import fetch_run
        from wandbkit._async.sweeps_api import load_sweep_on_demand

        result = await self._ctx.client.get_artifact_used_by(id=self.id)
        if result.artifact is None:
            raise NotFoundError(f"artifact {self.qualified_name!r} not found")
        paths = [
            (node.project.entity.name, node.project.name, node.name)
            for edge in result.artifact.used_by.edges
            if (node := edge.node) is not None and node.project is not None
        ]
        calls = [partial(fetch_run, self._ctx, *path, load_sweep_on_demand) for path in paths]
        return await gather_limited(calls, USED_BY_CONCURRENCY)
