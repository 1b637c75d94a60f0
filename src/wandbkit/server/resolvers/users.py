"""``Query.viewer``, ``Query.users``, the ``User`` and ``ApiKey`` types, and the mutations on
users and keys: ``createUser``, ``generateApiKey``, ``deleteApiKey``.

Searching and creating users is for instance admins; anyone else gets a ``PERMISSION_DENIED``
error that says so, not an empty answer. A user sees their own API keys (names and
descriptions, never the secret), an instance admin everyone's. ``generateApiKey`` answers the
new key's secret as its ``name``, once, as W&B does; the store keeps only its hash. A deleted
key fails the next request it authenticates.
"""

from __future__ import annotations

import dataclasses
import secrets
from typing import Any

from ariadne import MutationType, ObjectType, QueryType
from graphql import GraphQLResolveInfo

from wandbkit.server.ids import InvalidIdError, decode_int_id, encode_id
from wandbkit.server.resolvers.common import (
    ClientError,
    NotFound,
    PermissionDenied,
    RequestContext,
    context,
    non_null,
)
from wandbkit.server.resolvers.errors import client_errors
from wandbkit.server.resolvers.projects import projects_connection
from wandbkit.server.store import ApiKeyRow, OrganizationRow, StoreError, UserRow
from wandbkit.server.store.accounts import MAX_SEARCH_RESULTS


def resolve_viewer(_: Any, info: GraphQLResolveInfo, **__: Any) -> UserRow:
    """The authenticated user (``entityName`` is accepted and ignored, as W&B does)."""
    return context(info).viewer


def _require_instance_admin(ctx: RequestContext, action: str) -> None:
    if not ctx.viewer.admin:
        raise PermissionDenied(
            f"{action}: permission denied: only instance admins may do this, and user "
            f"{ctx.viewer.username!r} is not one"
        )


def resolve_users(
    _: Any,
    info: GraphQLResolveInfo,
    *,
    query: str | None = None,
    usernames: list[str | None] | None = None,
    ids: list[str | None] | None = None,
    first: int | None = None,
    after: str | None = None,
    **__: Any,
) -> dict[str, Any]:
    """Users whose username, e-mail or name contains ``query`` (or named in ``usernames`` or
    ``ids``), for instance admins; at most ``first`` (capped at 100) in creation order."""
    ctx = context(info)
    _require_instance_admin(ctx, "users")
    if after is not None:
        raise ClientError("users: this connection has no pages; narrow the query instead")
    limit = MAX_SEARCH_RESULTS if first is None else first
    if limit < 0:
        raise ClientError(f"users: first must be zero or more, got {limit}")
    names = non_null(usernames) if usernames is not None else None
    found = ctx.store.accounts.search_users(query, usernames=names, limit=limit)
    if ids is not None:
        wanted = set()
        for value in non_null(ids):
            try:
                wanted.add(decode_int_id(value, "User"))
            except InvalidIdError:
                continue
        found = [user for user in found if user.pk in wanted]
    return {"edges": [{"node": user} for user in found]}


def resolve_create_user(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    """Create a user from an e-mail address (instance admins only)."""
    ctx = context(info)
    _require_instance_admin(ctx, "createUser")
    with client_errors("createUser", errors=(StoreError,)):
        user = ctx.store.accounts.create_user_for_email(
            str(input.get("email") or ""), admin=bool(input.get("admin"))
        )
    return {"user": user}


def resolve_generate_api_key(
    _: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]
) -> dict[str, Any]:
    """A new API key for the viewer; the answer's ``name`` is the secret (shown only here)."""
    ctx = context(info)
    description = input.get("description")
    if description is not None and len(description) > 1024:
        raise ClientError("generateApiKey: description must be at most 1024 characters")
    key, row = ctx.store.accounts.create_api_key(
        ctx.viewer.pk, name=f"key-{secrets.token_hex(4)}", description=description
    )
    return {"api_key": dataclasses.replace(row, name=key)}


def resolve_delete_api_key(
    _: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]
) -> dict[str, Any]:
    """Revoke an API key by its id: your own, or anyone's for an instance admin."""
    ctx = context(info)
    raw = str(input.get("id") or "")
    try:
        pk = decode_int_id(raw, "ApiKey")
    except InvalidIdError:
        raise ClientError(f"deleteApiKey: {raw!r} is not an API key id") from None
    key = ctx.store.accounts.get_api_key(pk)
    if key is None or (key.user_pk != ctx.viewer.pk and not ctx.viewer.admin):
        # Another user's key is reported missing, so ids do not tell whose keys exist.
        raise NotFound(f"deleteApiKey: no API key {raw!r} of yours")
    return {"success": ctx.store.accounts.delete_api_key(pk)}


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
    """The user's API keys (id, name, description; never the key), visible to themselves and
    to instance admins."""
    ctx = context(info)
    visible = user.pk == ctx.viewer.pk or ctx.viewer.admin
    keys: list[ApiKeyRow] = ctx.store.accounts.api_keys(user.pk) if visible else []
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
    """The Query and Mutation fields and the types this module resolves."""
    query = QueryType()
    query.set_field("viewer", resolve_viewer)
    query.set_field("users", resolve_users)

    mutation = MutationType()
    mutation.set_field("createUser", resolve_create_user)
    mutation.set_field("generateApiKey", resolve_generate_api_key)
    mutation.set_field("deleteApiKey", resolve_delete_api_key)

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
    return [query, mutation, user, api_key]
