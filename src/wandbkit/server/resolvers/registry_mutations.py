"""Registries, write side: UpsertRegistry, RenameRegistry, DeleteRegistry and the member
mutations (CreateRegistryMembers, DeleteRegistryMembers, UpdateUserRegistryRole,
UpdateTeamRegistryRole).

``upsertModel`` and ``renameProject`` are the projects domain's; this module answers them when
they name a registry (a ``wandb-registry-`` project of an organization's entity) and hands
every other project to :mod:`~wandbkit.server.resolvers.projects`. Any member of the
organization may create a registry and becomes its admin; changing a registry, its members or
their roles takes a registry admin (or an organization or instance admin). A registry the viewer
cannot read answers as if it did not exist.
"""

from __future__ import annotations

from typing import Any

from ariadne import MutationType
from graphql import GraphQLResolveInfo

from wandbkit.server.ids import InvalidIdError, decode_id, decode_int_id
from wandbkit.server.resolvers import projects
from wandbkit.server.resolvers.common import (
    ClientError,
    NotFound,
    PermissionDenied,
    RequestContext,
    context,
    non_null,
)
from wandbkit.server.resolvers.errors import STORE_ERRORS, client_errors
from wandbkit.server.store import EntityRow, ProjectRow
from wandbkit.server.store.registries import MemberKind, check_access, is_registry_name

__all__ = ["bindables"]


def _is_admin(ctx: RequestContext, project: ProjectRow) -> bool:
    if ctx.viewer.admin:
        return True
    entity = ctx.required_entity(project.entity_pk)
    registries = ctx.store.registries
    if entity.organization_pk is not None and registries.is_org_admin(
        entity.organization_pk, ctx.viewer.pk
    ):
        return True
    return registries.role_of(project.pk, ctx.viewer.pk) == "admin"


def _require_admin(ctx: RequestContext, project: ProjectRow, operation: str) -> None:
    if not _is_admin(ctx, project):
        raise PermissionDenied(
            f"{operation}: user {ctx.viewer.username!r} is not an admin of registry "
            f"{project.name!r}"
        )


def _registry_by_id(ctx: RequestContext, value: Any, operation: str) -> ProjectRow:
    """The readable registry an input's project id names.

    Raises:
        ClientError: not a project id.
        NotFound: no such registry, or one the viewer cannot read.
    """
    try:
        pk = decode_int_id(str(value), "Project", "ProjectInternalId")
    except InvalidIdError:
        raise ClientError(f"{operation}: {value!r} is not a registry id") from None
    project = ctx.readable(ctx.project(pk))
    if project is None or not ctx.store.registries.is_registry(project):
        raise NotFound(f"{operation}: registry not found")
    return project


def _types(input: dict[str, Any]) -> list[str]:
    return [str(t["name"]) for t in non_null(input.get("artifact_types")) if t.get("name")]


def _upsert_registry(
    ctx: RequestContext, entity: EntityRow, name: str, input: dict[str, Any]
) -> dict[str, Any]:
    operation = "upsertModel"
    access = input.get("access")
    with client_errors(operation, errors=STORE_ERRORS):
        if access is not None:
            check_access(access)
        existing = ctx.store.projects.get(entity.pk, name)
        if existing is not None and ctx.readable(existing) is None:
            raise PermissionDenied(f"{operation}: cannot change registry {name!r}")
        if existing is None:
            ctx.require_write(entity, "create registries")
            created = ctx.store.registries.create(
                entity,
                name,
                creator=ctx.viewer,
                access=access or "PRIVATE",
                description=input.get("description"),
                allow_all_artifact_types=input.get("allow_all_artifact_types_in_registry")
                is not False,
                artifact_types=_types(input),
            )
            return {"project": ctx.remember_project(created), "model": created, "inserted": True}
        _require_admin(ctx, existing, operation)
        updated = ctx.store.projects.update(
            existing.pk, description=input.get("description"), access=access
        )
        ctx.store.registries.update(
            updated,
            allow_all_artifact_types=input.get("allow_all_artifact_types_in_registry"),
            artifact_types=_types(input),
        )
    ctx.memo(ctx.store.projects.get_by_pk).forget(updated.pk)
    return {"project": updated, "model": updated, "inserted": False}


def _registry_target(
    ctx: RequestContext, entity_name: str | None, name: str | None
) -> EntityRow | None:
    entity = ctx.entity_or_default(entity_name)
    if entity is None or entity.kind != "organization" or not name:
        return None
    return entity if is_registry_name(name) else None


def resolve_upsert_model(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    """Create or update a registry (UpsertRegistry); other projects as the projects domain."""
    ctx = context(info)
    if input.get("id"):
        try:
            pk = decode_int_id(str(input["id"]), "Project")
        except InvalidIdError:
            pk = None
        project = ctx.project(pk) if pk is not None else None
        if project is not None and ctx.store.registries.is_registry(project):
            if input.get("name") not in (None, project.name):
                raise ClientError("upsertModel: rename a registry with renameProject")
            owner = ctx.required_entity(project.entity_pk)
            return _upsert_registry(ctx, owner, project.name, input)
    else:
        target = _registry_target(ctx, input.get("entity_name"), input.get("name"))
        if target is not None:
            return _upsert_registry(ctx, target, str(input["name"]), input)
    return projects.resolve_upsert_model(_, info, input=input)


def resolve_rename_project(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    """Rename a registry (RenameRegistry); other projects as the projects domain."""
    ctx = context(info)
    entity = _registry_target(ctx, input.get("entity_name"), input.get("old_project_name"))
    if entity is None:
        return projects.resolve_rename_project(_, info, input=input)
    operation = "renameProject"
    project = ctx.readable(ctx.store.projects.get(entity.pk, input["old_project_name"]))
    if project is None:
        raise NotFound(f"{operation}: registry {input['old_project_name']!r} not found")
    _require_admin(ctx, project, operation)
    new_name = str(input["new_project_name"])
    if not is_registry_name(new_name):
        raise ClientError(f"{operation}: a registry's new name must start with 'wandb-registry-'")
    with client_errors(operation, errors=STORE_ERRORS):
        renamed = ctx.store.projects.update(project.pk, name=new_name)
    ctx.memo(ctx.store.projects.get_by_pk).forget(project.pk)
    return {"project": renamed, "model": renamed, "inserted": False}


def resolve_delete_model(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    """Delete a registry (DeleteRegistry), its collections, links and members."""
    ctx = context(info)
    project = _registry_by_id(ctx, input["id"], "deleteModel")
    _require_admin(ctx, project, "deleteModel")
    ctx.store.registries.delete(project.pk)
    ctx.memo(ctx.store.projects.get_by_pk).forget(project.pk)
    return {"success": True}


def _member(ctx: RequestContext, value: Any, kind: MemberKind, operation: str) -> int:
    expected = "User" if kind == "user" else "Entity"
    try:
        _, key = decode_id(str(value), expected)
        pk = int(key)
    except (InvalidIdError, ValueError):
        raise ClientError(f"{operation}: {value!r} is not a {kind} id ({expected}:<n>)") from None
    if kind == "user":
        found = ctx.user(pk) is not None
    else:
        team = ctx.entity(pk)
        found = team is not None and team.kind == "team"
    if not found:
        raise NotFound(f"{operation}: no {kind} has the id {value!r}")
    return pk


def _members(
    ctx: RequestContext, input: dict[str, Any], operation: str
) -> list[tuple[MemberKind, int]]:
    users = [("user", _member(ctx, v, "user", operation)) for v in non_null(input.get("user_ids"))]
    teams = [("team", _member(ctx, v, "team", operation)) for v in non_null(input.get("team_ids"))]
    found: list[tuple[MemberKind, int]] = [*users, *teams]  # type: ignore[list-item]
    if not found:
        raise ClientError(f"{operation}: name some userIds or teamIds")
    return found


def resolve_create_members(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    """Add users and teams to a registry as members (CreateRegistryMembers)."""
    ctx = context(info)
    operation = "createProjectMembers"
    project = _registry_by_id(ctx, input["project_id"], operation)
    _require_admin(ctx, project, operation)
    for kind, pk in _members(ctx, input, operation):
        if ctx.store.registries.role_of_member(project.pk, kind, pk) is None:
            ctx.store.registries.put_member(project.pk, kind, pk, "member")
    return {"success": True}


def resolve_delete_members(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    """Take users and teams out of a registry (DeleteRegistryMembers)."""
    ctx = context(info)
    operation = "deleteProjectMembers"
    project = _registry_by_id(ctx, input["project_id"], operation)
    _require_admin(ctx, project, operation)
    for kind, pk in _members(ctx, input, operation):
        ctx.store.registries.remove_member(project.pk, kind, pk)
    return {"success": True}


def _update_role(
    info: GraphQLResolveInfo, input: dict[str, Any], kind: MemberKind, operation: str
) -> Any:
    ctx = context(info)
    project = _registry_by_id(ctx, input["project_id"], operation)
    _require_admin(ctx, project, operation)
    member_key, role_key = (
        ("user_id", "user_project_role")
        if kind == "user"
        else (
            "team_id",
            "team_project_role",
        )
    )
    pk = _member(ctx, input[member_key], kind, operation)
    with client_errors(operation, errors=STORE_ERRORS):
        ctx.store.registries.set_role(project.pk, kind, pk, str(input[role_key]))
    return {"success": True}


def resolve_update_user_role(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    """Set a user member's role (UpdateUserRegistryRole)."""
    return _update_role(info, input, "user", "updateProjectMember")


def resolve_update_team_role(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    """Set a team member's role (UpdateTeamRegistryRole)."""
    return _update_role(info, input, "team", "updateProjectTeamMember")


def bindables() -> list[MutationType]:
    """The Mutation fields this module resolves (bound after the projects domain's)."""
    mutation = MutationType()
    mutation.set_field("upsertModel", resolve_upsert_model)
    mutation.set_field("renameProject", resolve_rename_project)
    mutation.set_field("deleteModel", resolve_delete_model)
    mutation.set_field("createProjectMembers", resolve_create_members)
    mutation.set_field("deleteProjectMembers", resolve_delete_members)
    mutation.set_field("updateProjectMember", resolve_update_user_role)
    mutation.set_field("updateProjectTeamMember", resolve_update_team_role)
    return [mutation]
