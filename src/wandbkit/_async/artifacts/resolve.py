"""From the names people write to the server's keys: defaults for a name's missing parts,
registry names to the organization's entity, and the fetch of one version by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from wandbkit._core.errors import NotFoundError, UsageError
from wandbkit._core.not_found import project_not_found
from wandbkit._lang.artifact_names import ArtifactName
from wandbkit.paths import parse_collection_path, parse_project_path

if TYPE_CHECKING:
    from wandbkit._async.context import ClientContext
    from wandbkit._generated.fragments import ArtifactCollectionFields

#: The project a name without one means when no default project is set (as in ``wandb``).
DEFAULT_PROJECT = "uncategorized"


async def organization_name(ctx: ClientContext, organization: str | None) -> str:
    """The organization's name: ``organization``, else the configured default, else the one
    the viewer's entity belongs to (a team's organization, or the user's only one).

    Raises:
        UsageError: none given, and the entity belongs to no organization or to several (the
            message names them: pass one explicitly).
    """
    if organization is not None:
        return organization
    if ctx.default_organization is not None:
        return ctx.default_organization
    entity = await ctx.resolve_entity(ctx.settings.entity)
    found = await ctx.client.get_org_info_from_entity(entity=entity)
    owner = found.entity
    if owner is not None and owner.organization is not None:
        return owner.organization.name
    names = sorted({o.name for o in owner.user.organizations} if owner and owner.user else ())
    if len(names) == 1:
        return names[0]
    if not names:
        raise UsageError(
            f"organization is required: entity {entity!r} belongs to no organization (for a "
            "registry name, write 'organization/wandb-registry-<registry>/...')"
        )
    raise UsageError(
        f"organization is required: entity {entity!r} belongs to several organizations "
        f"({', '.join(repr(n) for n in names)}); name one"
    )


async def org_entity(ctx: ClientContext, organization: str | None) -> tuple[str, str]:
    """The entity that holds an organization's registries, and the organization's name.

    ``organization`` may name the organization or its entity; ``None`` means the default
    organization (``overrides["organization"]``), else the one the default entity is in.

    Raises:
        UsageError: no organization given and the default entity is in none.
        NotFoundError: no such organization.
    """
    name = organization or await organization_name(ctx, None)
    found = await ctx.client.get_organization(name=name)
    if found.organization is not None and found.organization.org_entity is not None:
        return found.organization.org_entity.name, found.organization.name
    # The name may be the organization's entity: its organization is then the one asked for.
    owner = await ctx.client.get_entity_organization(entity=name)
    if owner.entity is not None and owner.entity.organization is not None:
        return name, owner.entity.organization.name
    raise NotFoundError(f"organization {name!r} not found", operation_name="GetOrganization")


async def resolve(
    ctx: ClientContext, parsed: ArtifactName, default_entity: str | None = None
) -> tuple[str, str, str | None]:
    """``(entity, project, organization)`` of a parsed name, its missing parts filled in:
    the project from settings (else ``uncategorized``); the entity from the name, else
    ``default_entity``, settings or the viewer's; for a registry, the organization's entity."""
    project = parsed.project or ctx.settings.project or DEFAULT_PROJECT
    if parsed.is_registry:
        entity, organization = await org_entity(ctx, parsed.prefix)
        return entity, project, organization
    entity = parsed.prefix or default_entity or await ctx.resolve_entity(None)
    return entity, project, None


async def resolve_collection_target(
    ctx: ClientContext, path: str, *, default_entity: str | None, argument: str
) -> tuple[str, str, str, str | None]:
    """``(entity, project, collection, organization)`` of a collection path.

    Raises:
        UsageError: the path is malformed.
    """
    parsed = parse_collection_path(path, argument=argument)
    entity, project, organization = await resolve(ctx, parsed, default_entity)
    return entity, project, parsed.collection, organization


@dataclass(frozen=True)
class Where:
    """Where a listing lives: a parsed name whose missing parts are filled in on the first
    page (so making the listing sends nothing), or a place already known.

    Attributes:
        name: the parsed project or collection name (``collection`` unused for a project).
        known: ``(entity, project, organization)`` when already resolved.
    """

    name: ArtifactName
    known: tuple[str, str, str | None] | None = None

    @classmethod
    def at(cls, entity: str, project: str, organization: str | None = None) -> Where:
        """A place already known."""
        return cls(ArtifactName(entity, project, ""), (entity, project, organization))

    @classmethod
    def project(cls, path: str | None, *, argument: str = "project") -> Where:
        """A project path (``[entity/]project``, ``[organization/]wandb-registry-<name>``),
        checked now, resolved on first need; ``None`` is the default project.

        Raises:
            UsageError: a malformed path.
        """
        if path is None:
            return cls(ArtifactName(None, None, ""))
        parsed = parse_project_path(path, argument=argument)
        return cls(ArtifactName(parsed.entity, parsed.project, ""))

    async def locate(self, ctx: ClientContext) -> tuple[str, str, str | None]:
        """``(entity, project, organization)``."""
        if self.known is not None:
            return self.known
        return await resolve(ctx, self.name)


def type_not_found(entity: str, project: str, type_name: str, operation: str) -> NotFoundError:
    """The error for an artifact type the server answered ``null`` for."""
    return NotFoundError(
        f"artifact type {type_name!r} not found in project '{entity}/{project}'",
        operation_name=operation,
    )


async def fetch_collection(
    ctx: ClientContext, entity: str, project: str, type_name: str, name: str
) -> ArtifactCollectionFields:
    """One collection's fields (``GetArtifactCollection``).

    Raises:
        NotFoundError: no such project, type, or collection.
        UsageError: the collection exists with another type.
    """
    result = await ctx.client.get_artifact_collection(
        entity=entity, project=project, type_=type_name, name=name
    )
    if result.project is None:
        raise project_not_found(entity, project, "GetArtifactCollection")
    artifact_type = result.project.artifact_type
    found = artifact_type.artifact_collection if artifact_type is not None else None
    if found is not None:
        return found
    other = await ctx.client.get_artifact_collection_any_type(
        entity=entity, project=project, name=name
    )
    elsewhere = other.project.artifact_collection if other.project is not None else None
    if elsewhere is not None:
        raise UsageError(
            f"artifact collection '{entity}/{project}/{name}' is of type "
            f"{elsewhere.type_.name!r}, not {type_name!r}"
        )
    if artifact_type is None:
        raise type_not_found(entity, project, type_name, "GetArtifactCollection")
    raise NotFoundError(
        f"artifact collection '{entity}/{project}/{name}' of type {type_name!r} not found",
        operation_name="GetArtifactCollection",
    )
