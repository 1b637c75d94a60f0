"""``Query.entity``, ``Query.organization`` and the ``Entity``, ``Member``, ``Organization`` types.

Missing entities and organizations resolve to ``null``, not to errors: the official client
turns ``null`` into its own clean "not found" messages.
"""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType, QueryType
from graphql import GraphQLResolveInfo

from wandbkit.server.ids import InvalidIdError, decode_int_id, encode_id
from wandbkit.server.resolvers.common import (
    ClientError,
    constant,
    context,
    resolve_empty_connection,
)
from wandbkit.server.resolvers.projects import projects_connection
from wandbkit.server.store import EntityRow, Membership, OrganizationRow, ProjectRow, UserRow

#: Fixed answers for non-null Entity fields the emulator has no notion of (yet).
ENTITY_DEFAULTS: dict[str, Any] = {
    "defaultAccess": "PRIVATE",
    "privateOnly": False,
    "codeSavingEnabled": False,
    "readOnlyAdmin": False,
    "storageBytes": 0,
    # An existing entity's name is taken; a local server has no billing plans.
    "available": False,
    "isPaid": False,
}


def resolve_entity(
    _: Any, info: GraphQLResolveInfo, *, name: str | None = None, **__: Any
) -> EntityRow | None:
    """The entity called ``name``, or ``null``."""
    if not name:
        return None
    return context(info).store.entities.get(name)


def resolve_organization(
    _: Any, info: GraphQLResolveInfo, *, id: str | None = None, name: str | None = None
) -> OrganizationRow | None:
    """The organization with this ``name`` or ``id``, or ``null``."""
    store = context(info).store
    if name:
        return store.entities.get_organization(name)
    if id:
        try:
            return store.entities.get_organization_by_pk(decode_int_id(id, "Organization"))
        except InvalidIdError:
            return None
    return None


def resolve_entity_id(entity: EntityRow, _: GraphQLResolveInfo) -> str:
    return encode_id("Entity", entity.pk)


def resolve_entity_is_team(entity: EntityRow, _: GraphQLResolveInfo) -> bool:
    # An organization's own entity behaves as a team (shared, with members), as on W&B.
    return entity.kind != "user"


def resolve_entity_type(entity: EntityRow, _: GraphQLResolveInfo) -> str:
    # Lowercase, as the official client checks ("organization" for an org's own entity).
    return entity.kind


def resolve_entity_read_only(entity: EntityRow, info: GraphQLResolveInfo) -> bool:
    return not context(info).can_write(entity)


def resolve_entity_projects(
    entity: EntityRow,
    info: GraphQLResolveInfo,
    *,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    pattern: str | None = None,
    order: str | None = None,
) -> dict[str, Any]:
    """The entity's projects in creation order, relay-paged."""
    if pattern is not None or order is not None:
        # Better a clear error than a silently unfiltered or differently ordered list.
        raise ClientError("Entity.projects: pattern and order are not supported by this server")
    return projects_connection(
        context(info), entity.pk, first=first, after=after, last=last, before=before
    )


def resolve_entity_project(
    entity: EntityRow, info: GraphQLResolveInfo, *, name: str | None = None
) -> ProjectRow | None:
    if not name:
        return None
    ctx = context(info)
    return ctx.readable(ctx.store.projects.get(entity.pk, name))


def resolve_entity_members(entity: EntityRow, info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    """Team members; a personal entity's only member is its user; an org's are its members."""
    ctx = context(info)
    store = ctx.store
    members: list[Membership]
    keys: dict[int, str | None] = {}
    if entity.kind == "team":
        members = store.accounts.team_members(entity.pk)
        # A service account's key is for the team's admins, as on W&B.
        admin = ctx.viewer.admin or store.entities.team_role(entity.pk, ctx.viewer.pk) == "admin"
        keys = {
            sa.user.pk: sa.api_key if admin else None
            for sa in store.service_accounts.of_team(entity.pk)
        }
    elif entity.kind == "organization" and entity.organization_pk is not None:
        members = store.accounts.organization_members(entity.organization_pk)
    else:
        owner = store.accounts.get_user_by_entity(entity.pk)
        members = [Membership(owner, "admin")] if owner else []
    return [member_dict(m, service=m.user.pk in keys, api_key=keys.get(m.user.pk)) for m in members]


def member_dict(
    membership: Membership, *, service: bool = False, api_key: str | None = None
) -> dict[str, Any]:
    """A ``Member`` (snake_case keys): a person (``USER``) or a team's service account
    (``SERVICE``); ``api_key`` only for a service account, shown to its team's admins."""
    user = membership.user
    return {
        "id": encode_id("User", user.pk),
        "username": user.username,
        "name": user.name or user.username,
        "email": user.email,
        "role": membership.role,
        "admin": membership.role == "admin",
        "pending": False,
        "account_type": "SERVICE" if service else "USER",
        "api_key": api_key,
        "photo_url": None,
    }


def resolve_entity_user(entity: EntityRow, info: GraphQLResolveInfo) -> UserRow | None:
    """The user of a personal entity; ``null`` for teams and organizations."""
    if entity.kind != "user":
        return None
    return context(info).store.accounts.get_user_by_entity(entity.pk)


def resolve_entity_organization(
    entity: EntityRow, info: GraphQLResolveInfo
) -> OrganizationRow | None:
    if entity.organization_pk is None:
        return None
    return context(info).store.entities.get_organization_by_pk(entity.organization_pk)


def resolve_organization_id(organization: OrganizationRow, _: GraphQLResolveInfo) -> str:
    return encode_id("Organization", organization.pk)


def resolve_organization_org_entity(
    organization: OrganizationRow, info: GraphQLResolveInfo
) -> EntityRow | None:
    """The organization's own entity (where its registries live)."""
    return context(info).store.entities.get_by_pk(organization.entity_pk)


def resolve_organization_feature_flags(
    _: OrganizationRow, __: GraphQLResolveInfo, **___: Any
) -> list[dict[str, Any]]:
    # No per-organization feature flags are emulated; an empty list is "none enabled".
    return []


def bindables() -> list[QueryType | ObjectType]:
    """The Query fields and types this module resolves."""
    query = QueryType()
    query.set_field("entity", resolve_entity)
    query.set_field("organization", resolve_organization)

    entity = ObjectType("Entity")
    entity.set_field("id", resolve_entity_id)
    entity.set_field("isTeam", resolve_entity_is_team)
    entity.set_field("readOnly", resolve_entity_read_only)
    entity.set_field("entityType", resolve_entity_type)
    entity.set_field("projects", resolve_entity_projects)
    entity.set_field("project", resolve_entity_project)
    entity.set_field("members", resolve_entity_members)
    entity.set_field("user", resolve_entity_user)
    entity.set_field("organization", resolve_entity_organization)
    for field_name, value in ENTITY_DEFAULTS.items():
        entity.set_field(field_name, constant(value))

    organization = ObjectType("Organization")
    organization.set_field("id", resolve_organization_id)
    organization.set_field("featureFlags", resolve_organization_feature_flags)
    organization.set_field("orgEntity", resolve_organization_org_entity)
    return [query, entity, organization]
