"""Registry members: users and teams with a role (``admin``, ``member``, ``viewer``,
``restricted_viewer``), and the ids the member mutations take.

A member is named by a ``UserMember``/``TeamMember``, by any object with the server's ``id``
(a ``User``, a ``Team``), or by that id itself: base64 of ``User:<n>`` or ``Entity:<n>``.
"""

from __future__ import annotations

import base64
import binascii
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from wandbkit._core.errors import UsageError
from wandbkit._html import Explorable

__all__ = [
    "MemberKind",
    "MemberRole",
    "RegistryTeam",
    "RegistryUser",
    "TeamMember",
    "UserMember",
    "check_role",
    "member_id",
    "split_members",
]

MemberKind = Literal["User", "Entity"]


class MemberRole(str, enum.Enum):
    """A member's role in a registry."""

    ADMIN = "admin"
    MEMBER = "member"
    VIEWER = "viewer"
    RESTRICTED_VIEWER = "restricted_viewer"


@dataclass(frozen=True)
class RegistryUser(Explorable):
    """A user as a registry's member list gives it."""

    id: str
    username: str | None
    name: str | None
    email: str | None


@dataclass(frozen=True)
class RegistryTeam(Explorable):
    """A team as a registry's member list gives it."""

    id: str
    name: str


@dataclass(frozen=True)
class UserMember(Explorable):
    """A user in a registry, with the role they hold there."""

    user: RegistryUser
    role: str
    kind: MemberKind = "User"


@dataclass(frozen=True)
class TeamMember(Explorable):
    """A team in a registry, with the role it holds there."""

    team: RegistryTeam
    role: str
    kind: MemberKind = "Entity"


def check_role(role: object) -> str:
    """A role's wire name.

    Raises:
        UsageError: not one of admin, member, viewer, restricted_viewer.
    """
    value = role.value if isinstance(role, MemberRole) else role
    if not isinstance(value, str) or value not in {r.value for r in MemberRole}:
        choices = ", ".join(r.value for r in MemberRole)
        raise UsageError(f"role must be one of {choices}, got {role!r}")
    return value


def member_id(member: object) -> tuple[MemberKind, str]:
    """``("User" | "Entity", id)`` of a member given as an object or an id.

    Raises:
        UsageError: no id, or one that is not base64 of ``User:<n>`` or ``Entity:<n>``.
    """
    if isinstance(member, UserMember):
        raw: object = member.user.id
    elif isinstance(member, TeamMember):
        raw = member.team.id
    elif isinstance(member, str):
        raw = member
    else:
        raw = getattr(member, "id", None)
    if not isinstance(raw, str):
        raise UsageError(
            "a member is a User, a Team, a UserMember, a TeamMember or a user/team id, "
            f"got {type(member).__name__}"
        )
    try:
        kind, _, key = base64.b64decode(raw, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        kind, key = "", ""
    if kind not in ("User", "Entity") or not key.isdigit():
        raise UsageError(f"member id {raw!r} is not a user (User:<n>) or team (Entity:<n>) id")
    return ("User" if kind == "User" else "Entity"), raw


def split_members(members: Iterable[object]) -> tuple[list[str], list[str]]:
    """``(user ids, team ids)`` of the members, each once, sorted.

    Raises:
        UsageError: no members, or one :func:`member_id` refuses.
    """
    users: set[str] = set()
    teams: set[str] = set()
    for member in members:
        kind, value = member_id(member)
        (users if kind == "User" else teams).add(value)
    if not users and not teams:
        raise UsageError("name at least one member (a User, a Team, or an id)")
    return sorted(users), sorted(teams)
