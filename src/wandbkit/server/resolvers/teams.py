"""Teams: ``createTeam``, and team membership through ``createInvite``/``deleteInvite``.

W&B mails an invitation to an address it does not know; the emulator sends no mail, so an
invite names an existing user (by username or e-mail address) and makes them a member at once.
Team admins (and instance admins) manage members; any user may create a team and becomes its
admin, or names another user as its admin.
"""

from __future__ import annotations

from typing import Any

from ariadne import MutationType, ObjectType
from graphql import GraphQLResolveInfo

from wandbkit.server.ids import InvalidIdError, decode_int_id, encode_id
from wandbkit.server.resolvers.common import (
    ClientError,
    PermissionDenied,
    RequestContext,
    context,
)
from wandbkit.server.resolvers.errors import client_errors
from wandbkit.server.store import EntityRow, UserRow


def _team(ctx: RequestContext, name: str | None, action: str) -> EntityRow:
    entity = ctx.store.entities.get(name) if name else None
    if entity is None or entity.kind != "team":
        raise ClientError(f"{action}: no team named {name!r}")
    return entity


def _require_team_admin(ctx: RequestContext, team: EntityRow, action: str) -> None:
    viewer: UserRow = ctx.viewer
    if viewer.admin or ctx.store.entities.team_role(team.pk, viewer.pk) == "admin":
        return
    raise PermissionDenied(f"{action}: only an admin of team {team.name!r} may do this")


def resolve_create_team(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    """Create a team; its admin is ``teamAdminUserName`` (an existing user) or the viewer.

    Naming another admin is for instance admins, as on W&B.
    """
    ctx = context(info)
    admin_name = input.get("team_admin_user_name")
    admin = ctx.viewer
    if admin_name and admin_name != ctx.viewer.username:
        if not ctx.viewer.admin:
            raise PermissionDenied("createTeam: only an instance admin may name another admin")
        found = ctx.store.accounts.get_user(admin_name)
        if found is None:
            raise ClientError(f"createTeam: no user named {admin_name!r}")
        admin = found
    with client_errors("createTeam"):
        team = ctx.store.entities.create_team(input["team_name"])
    ctx.store.entities.add_team_member(team.pk, admin.pk, role="admin")
    return {"entity": team}


def resolve_create_invite(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    """Add an existing user (by ``username`` or ``email``) to a team, as admin or member."""
    ctx = context(info)
    team = _team(ctx, input.get("entity_name"), "createInvite")
    _require_team_admin(ctx, team, "createInvite")
    username, email = input.get("username"), input.get("email")
    if bool(username) == bool(email):
        raise ClientError("createInvite: give a username or an email, not both")
    user = (
        ctx.store.accounts.get_user(username)
        if username
        else ctx.store.accounts.get_user_by_email(str(email))
    )
    if user is None:
        raise ClientError(
            f"createInvite: no user {username or email!r} on this server (the local server "
            "sends no invitation mail)"
        )
    role = input.get("role") or ("admin" if input.get("admin") else "member")
    if role not in ("admin", "member"):
        raise ClientError(f"createInvite: role must be 'admin' or 'member', got {role!r}")
    ctx.store.entities.add_team_member(team.pk, user.pk, role=role)
    return {
        "invite": {
            "id": encode_id("Invite", f"{team.pk}:{user.pk}"),
            "name": user.username,
            "email": user.email,
            "created_at": ctx.store.db.stamp(seconds=True),
            "to_user": user,
        }
    }


def resolve_delete_invite(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    """Take a member out of a team: ``id`` is the member's id (``Member.id``).

    A team admin may remove anyone; a member may remove themselves. The last admin stays.
    """
    ctx = context(info)
    team = _team(ctx, input.get("entity_name"), "deleteInvite")
    try:
        user_pk = decode_int_id(str(input.get("id") or ""), "User")
    except InvalidIdError:
        raise ClientError(f"deleteInvite: {input.get('id')!r} is not a member id") from None
    if user_pk != ctx.viewer.pk:
        _require_team_admin(ctx, team, "deleteInvite")
    role = ctx.store.entities.team_role(team.pk, user_pk)
    if role is None:
        return {"success": False}
    admins = [m for m in ctx.store.accounts.team_members(team.pk) if m.role == "admin"]
    if role == "admin" and len(admins) == 1:
        raise ClientError(f"deleteInvite: the last admin of team {team.name!r} cannot leave")
    return {"success": ctx.store.entities.remove_team_member(team.pk, user_pk)}


def resolve_create_service_account(
    _: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]
) -> dict[str, Any]:
    """Create a service account in a team (team admins only); its API key works at once and
    its team's admins read it as ``Member.apiKey``."""
    ctx = context(info)
    team = _team(ctx, input.get("entity_name"), "createServiceAccount")
    _require_team_admin(ctx, team, "createServiceAccount")
    description = str(input.get("description") or "").strip()
    if not description or len(description) > 1024:
        raise ClientError("createServiceAccount: description must be 1 to 1024 characters")
    account = ctx.store.service_accounts.create(team.pk, description)
    return {"user": account.user}


def bindables() -> list[ObjectType]:
    """The team mutations."""
    mutation = MutationType()
    mutation.set_field("createTeam", resolve_create_team)
    mutation.set_field("createInvite", resolve_create_invite)
    mutation.set_field("deleteInvite", resolve_delete_invite)
    mutation.set_field("createServiceAccount", resolve_create_service_account)
    return [mutation]
