"""The loaders the Api wires into lower domains: a run's artifacts (``Run.logged_artifacts``,
``use_artifact``, ``log_artifact``) and a project's (``Project.artifacts_types``,
``collections``). Importing this module loads none of the artifacts code."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any, Literal

from wandbkit._async.artifacts.artifact import COLLECTION_HANDLE, NEW_DRAFT
from wandbkit._async.projects import PROJECT_ARTIFACTS
from wandbkit._async.runs.artifact_links import RUN_ARTIFACTS
from wandbkit._core.errors import APIError, UsageError

if TYPE_CHECKING:
    from wandbkit._async.artifacts.artifact import AsyncArtifact
    from wandbkit._async.artifacts.artifact_types import (
        AsyncArtifactTypes,
        AsyncProjectArtifactCollections,
    )
    from wandbkit._async.artifacts.collection import AsyncArtifactCollection
    from wandbkit._async.artifacts.publish import AsyncArtifactDraft
    from wandbkit._async.artifacts.versions import AsyncRunArtifacts
    from wandbkit._async.context import ClientContext
    from wandbkit._values.artifacts import ArtifactManifest


async def _artifact_of(ctx: ClientContext, artifact: Any, argument: str) -> AsyncArtifact:
    from wandbkit._async.artifacts.artifact import AsyncArtifact, fetch_artifact_by_name

    if isinstance(artifact, AsyncArtifact):
        return artifact
    if isinstance(artifact, str):
        return await fetch_artifact_by_name(ctx, artifact, argument=argument)
    raise UsageError(
        f"{argument} must be an Artifact from api.artifact() or an artifact name, got "
        f"{type(artifact).__name__}"
    )


class RunArtifactsOnDemand:
    """The ``RunArtifactsLoader`` the Api wires into runs."""

    def listed(
        self,
        ctx: ClientContext,
        entity: str,
        project: str,
        run_id: str,
        mode: Literal["logged", "used"],
        per_page: int,
        /,
    ) -> AsyncRunArtifacts:
        """The versions the run logged or used, lazily."""
        from wandbkit._async.artifacts.versions import AsyncRunArtifacts

        return AsyncRunArtifacts(ctx, entity, project, run_id, mode, per_page)

    async def use(
        self,
        ctx: ClientContext,
        entity: str,
        project: str,
        run_id: str,
        artifact: Any,
        use_as: str | None,
        /,
    ) -> AsyncArtifact:
        """``useArtifact``: the version becomes an input of the run."""
        from wandbkit._generated.input_types import UseArtifactInput

        if use_as is not None and not isinstance(use_as, str):
            raise UsageError(f"use_as must be a string or None, got {type(use_as).__name__}")
        found = await _artifact_of(ctx, artifact, "artifact")
        values: dict[str, Any] = {
            "entity_name": entity,
            "project_name": project,
            "run_name": run_id,
            "artifact_id": found.id,
        }
        if use_as is not None:
            values["used_as"] = use_as
        if (found.source_entity, found.source_project) != (entity, project):
            values["artifact_entity_name"] = found.source_entity
            values["artifact_project_name"] = found.source_project
        await ctx.client.use_artifact(input=UseArtifactInput(**values))
        return found

    async def log(
        self,
        ctx: ClientContext,
        entity: str,
        project: str,
        run_id: str,
        artifact: Any,
        aliases: Collection[str] | None,
        tags: Collection[str] | None,
        /,
    ) -> AsyncArtifact:
        """``createArtifact`` with the version's digest: the server answers the existing
        version, now also an output of the run, with the aliases and tags added."""
        from wandbkit._async.artifacts.artifact import AsyncArtifact
        from wandbkit._async.artifacts.place import check_aliases
        from wandbkit._generated.enums import ArtifactDigestAlgorithm
        from wandbkit._generated.input_types import (
            ArtifactAliasInput,
            CreateArtifactInput,
            TagInput,
        )
        from wandbkit._values.artifacts import check_tags

        if not isinstance(artifact, AsyncArtifact):
            raise UsageError(
                f"artifact must be an Artifact from api.artifact(), got {type(artifact).__name__}"
            )
        if (artifact.source_entity, artifact.source_project) != (entity, project):
            raise UsageError("a run can't log an artifact to a different project")
        collection = artifact.source_name.split(":", 1)[0]
        result = await ctx.client.log_existing_artifact(
            input=CreateArtifactInput(
                entity_name=entity,
                project_name=project,
                artifact_type_name=artifact.type,
                artifact_collection_names=[collection],
                run_name=run_id,
                digest=artifact.digest,
                digest_algorithm=ArtifactDigestAlgorithm.MANIFEST_MD5,
                aliases=[
                    ArtifactAliasInput(artifact_collection_name=collection, alias=alias)
                    for alias in check_aliases(aliases or [])
                ],
                tags=[TagInput(tag_name=tag) for tag in check_tags(tags or [])],
                enable_digest_deduplication=True,
            )
        )
        if result.create_artifact is None:
            raise APIError("the server created no artifact", operation_name="LogExistingArtifact")
        return artifact


class ProjectArtifactsOnDemand:
    """The ``ProjectArtifactsLister`` the Api wires into projects."""

    def types(
        self, ctx: ClientContext, entity: str | None, project: str, per_page: int, /
    ) -> AsyncArtifactTypes:
        """The project's artifact types, lazily."""
        from wandbkit._async.artifacts.artifact_types import AsyncArtifactTypes
        from wandbkit._async.artifacts.resolve import Where
        from wandbkit._lang.artifact_names import ArtifactName

        return AsyncArtifactTypes(ctx, Where(ArtifactName(entity, project, "")), per_page)

    def collections(
        self,
        ctx: ClientContext,
        entity: str | None,
        project: str,
        filters: Mapping[str, Any] | None,
        order: str | None,
        per_page: int,
        /,
    ) -> AsyncProjectArtifactCollections:
        """The project's collections of every type, lazily."""
        from wandbkit._async.artifacts.artifact_types import AsyncProjectArtifactCollections
        from wandbkit._async.artifacts.resolve import Where
        from wandbkit._lang.artifact_names import ArtifactName

        where = Where(ArtifactName(entity, project, ""))
        return AsyncProjectArtifactCollections(ctx, where, filters, order, per_page)


def collection_on_demand(
    ctx: ClientContext,
    entity: str,
    project: str,
    name: str,
    type: str,
    organization: str | None,
    /,
) -> AsyncArtifactCollection:
    """The ``CollectionHandle`` the Api wires into versions: a lazy collection."""
    from wandbkit._async.artifacts.collection import AsyncArtifactCollection

    return AsyncArtifactCollection(ctx, entity, project, name, type, organization=organization)


def draft_on_demand(artifact: AsyncArtifact, manifest: ArtifactManifest, /) -> AsyncArtifactDraft:
    """The ``DraftMaker`` the Api wires into versions."""
    from wandbkit._async.artifacts.publish import AsyncArtifactDraft

    return AsyncArtifactDraft.from_artifact(artifact, manifest)


def wire_artifacts(ctx: ClientContext, *, organization: str | None) -> None:
    """Give ``ctx`` the artifacts loaders runs and projects ask for, and the default
    organization registry names mean."""
    ctx.provide(COLLECTION_HANDLE, collection_on_demand)
    ctx.provide(NEW_DRAFT, draft_on_demand)
    ctx.provide(RUN_ARTIFACTS, RunArtifactsOnDemand())
    ctx.provide(PROJECT_ARTIFACTS, ProjectArtifactsOnDemand())
    ctx.default_organization = organization
