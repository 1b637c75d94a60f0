"""``Query.viewer`` and the ``User`` and ``ApiKey`` types."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType, QueryType
from graphql import GraphQLResolveInfo

from wandbkit.server.ids import encode_id
from wandbkit.server.resolvers.common import context
from wandbkit.server.resolvers.projects import projects_connection
from wandbkit.server.store import ApiKeyRow, OrganizationRow, UserRow


def resolve_viewer(_: Any, info: GraphQLResolveInfo, **__: Any) -> UserRow:
    """The authenticated user (``entityName`` is accepted and ignored, as W&B does)."""
    return context(info).viewer


def resolve_user_id(user: UserRow, _: GraphQLResolveInfo) -> str:
    return encode_id("User", user.pk)


def resolve_user_name(user: UserRow, _: GraphQLResolveInfo) -> str:
    # `name` is non-null in the schema; W&B shows the username when no full name is set.
    return user.name or user.username


def resolve_user_entity(user: UserRow, info: GraphQLResolveInfo) -> str:
    """The name of the user's default entity (where work goes when none is named)."""
    return context(info).required_entity(user.default_entity_pk).name


def resolve_user_teams(user: UserRow, info: GraphQLResolveInfo, **__: Any) -> dict[str, Any]:
    """The teams the user belongs to; ``EntityConnection`` has no page info, so all of them."""
    teams = context(info).store.entities.user_teams(user.pk)
    return {"edges": [{"node": team} for team in teams]}


def resolve_user_api_keys(user: UserRow, info: GraphQLResolveInfo, **__: Any) -> dict[str, Any]:
    """The user's API keys (id, name, description; never the key), visible only to themselves."""
    ctx = context(info)
    keys: list[ApiKeyRow] = ctx.store.accounts.api_keys(user.pk) if user.pk == ctx.viewer.pk else []
    return {"edges": [{"node": key} for key in keys]}


def resolve_user_organizations(
    user: UserRow, info: GraphQLResolveInfo, **__: Any
) -> list[OrganizationRow]:
    return context(info).store.entities.user_organizations(user.pk)


def resolve_user_projects(
    user: UserRow,
    info: GraphQLResolveInfo,
    *,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    **__: Any,
) -> dict[str, Any]:
    """The projects in the user's personal entity (``restrictTo: OWNED``)."""
    return projects_connection(
        context(info), user.entity_pk, first=first, after=after, last=last, before=before
    )


def resolve_api_key_id(key: ApiKeyRow, _: GraphQLResolveInfo) -> str:
    return encode_id("ApiKey", key.pk)


def bindables() -> list[QueryType | ObjectType]:
    """The Query fields and types this module resolves."""
    query = QueryType()
    query.set_field("viewer", resolve_viewer)

    user = ObjectType("User")
    user.set_field("id", resolve_user_id)
    user.set_field("name", resolve_user_name)
    user.set_field("entity", resolve_user_entity)
    user.set_field("teams", resolve_user_teams)
    user.set_field("apiKeys", resolve_user_api_keys)
    user.set_field("organizations", resolve_user_organizations)
    user.set_field("projects", resolve_user_projects)

    api_key = ObjectType("ApiKey")
    api_key.set_field("id", resolve_api_key_id)
    return [query, user, api_key]
