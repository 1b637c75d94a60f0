# Generated from src/wandbkit/_async/teams.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""Teams: a typed ``Team`` with its members, inviting users and removing members."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from wandbkit._core.errors import NotFoundError, UsageError
from wandbkit._html import Displayable, HtmlSummary
from wandbkit.paths import check_name

if TYPE_CHECKING:
    from wandbkit._generated.fragments import TeamFields, TeamMember
    from wandbkit._sync.context import ClientContext


class _TeamCreator(Protocol):
    """What ``AsyncTeam.create`` needs of an Api: its ``create_team``."""

    def create_team(self, team: str, admin_username: str | None = None) -> Team: ...


class Member(Displayable):
    """A member of a team (``wandb``'s ``Member``).

    Attributes:
        team: the team's name.
    """

    def __init__(self, ctx: ClientContext, team: str, fields: TeamMember) -> None:
        self._ctx = ctx
        self.team = team
        self._fields = fields

    @property
    def id(self) -> str:
        """The member's id (what ``delete()`` sends)."""
        return self._fields.id or ""

    @property
    def username(self) -> str | None:
        """The member's username."""
        return self._fields.username

    @property
    def name(self) -> str:
        """The member's display name."""
        return self._fields.name

    @property
    def email(self) -> str | None:
        """The member's e-mail address, when the server shares it."""
        return self._fields.email

    @property
    def role(self) -> str | None:
        """``admin`` or ``member`` (other roles on servers that have them)."""
        return self._fields.role

    @property
    def admin(self) -> bool:
        """Whether the member administers the team."""
        return self._fields.role == "admin"

    @property
    def pending(self) -> bool:
        """Whether the member has not accepted an invitation yet."""
        return bool(self._fields.pending)

    @property
    def account_type(self) -> str | None:
        """``USER`` or ``SERVICE``, when the server says."""
        return self._fields.account_type

    @property
    def photo_url(self) -> str | None:
        """The member's picture."""
        return self._fields.photo_url

    @property
    def api_key(self) -> str | None:
        """A service account's API key, shown to the team's admins; ``None`` otherwise."""
        return self._fields.api_key

    def delete(self) -> bool:
        """Take the member out of the team; returns whether they were a member.

        Raises:
            GraphQLError: the server refused (not an admin of the team, the last admin...).
        """
        result = self._ctx.client.remove_team_member(entity=self.team, id=self.id)
        return bool(result.delete_invite and result.delete_invite.success)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.username or self.name} of {self.team} ({self.role})>"

    def _html_summary(self) -> HtmlSummary:
        fields = {"team": self.team, "role": self.role, "name": self.name}
        return HtmlSummary("Member", self.username or self.name, fields)


class Team(Displayable):
    """A W&B team with its members, as ``Api.team()`` loads it.

    Attributes:
        name: the team's name.
        members: its members, as last loaded.
    """

    def __init__(self, ctx: ClientContext, fields: TeamFields) -> None:
        self._ctx = ctx
        self.name = fields.name
        self._set(fields)

    def _set(self, fields: TeamFields) -> None:
        self._fields = fields
        self.members = [Member(self._ctx, fields.name, m) for m in fields.members]

    @classmethod
    def fetch(cls, ctx: ClientContext, name: str) -> Team:
        """Load the team ``name``.

        Raises:
            UsageError: a malformed name (before any request).
            NotFoundError: no team of that name.
        """
        check_name(name, "team")
        result = ctx.client.get_team(name=name)
        if result.entity is None or not result.entity.is_team:
            raise NotFoundError(f"team {name!r} not found", operation_name="GetTeam")
        return cls(ctx, result.entity)

    def load(self, force: bool = False) -> Team:
        """Fetch the team again (members change); a loaded team is kept unless ``force``."""
        if force:
            self._set((Team.fetch(self._ctx, self.name))._fields)
        return self

    @property
    def id(self) -> str:
        """The server's opaque id of the team."""
        return self._fields.id

    @property
    def is_team(self) -> bool:
        """Always true for a team (``wandb`` loads any entity here)."""
        return self._fields.is_team

    @property
    def entity_type(self) -> str | None:
        """The entity's type, as the server says it."""
        return self._fields.entity_type

    @property
    def read_only(self) -> bool:
        """Whether the caller may only read the team's projects."""
        return bool(self._fields.read_only)

    @property
    def default_access(self) -> str:
        """The default visibility of the team's new projects."""
        return self._fields.default_access

    @property
    def private_only(self) -> bool:
        """Whether the team's projects must be private."""
        return self._fields.private_only

    @property
    def code_saving_enabled(self) -> bool:
        """Whether runs of the team save their code."""
        return self._fields.code_saving_enabled

    @property
    def photo_url(self) -> str | None:
        """The team's picture."""
        return self._fields.photo_url

    @property
    def available(self) -> bool | None:
        """Whether the name is free (W&B asks this of a name before creating a team)."""
        return self._fields.available

    @property
    def read_only_admin(self) -> bool:
        """Whether the team's admins may only read."""
        return bool(self._fields.read_only_admin)

    @property
    def storage_bytes(self) -> int:
        """How many bytes the team's files take on the server."""
        return int(self._fields.storage_bytes or 0)

    @property
    def is_paid(self) -> bool | None:
        """Whether the team is on a paid plan, when the server says."""
        return self._fields.is_paid

    @classmethod
    def create(cls, api: _TeamCreator, team: str, admin_username: str | None = None) -> Team:
        """Create a team (``Api.create_team``): ``AsyncTeam.create(api, "vision")``.

        Raises:
            UsageError: a malformed name (before any request).
            GraphQLError: the server refused (the name is taken, ...).
        """
        return api.create_team(team, admin_username)

    def create_service_account(self, description: str) -> Member:
        """Add a service account to the team (team admins only) and return it as a member;
        its ``api_key`` works at once.

        Unlike ``wandb``, which answers ``None``, a refusal raises with the server's reason.

        Raises:
            UsageError: an empty description (before any request).
            PermissionDeniedError: you are not an admin of the team.
        """
        if not isinstance(description, str) or not description.strip():
            raise UsageError(f"description must be a non-empty string, got {description!r}")
        result = self._ctx.client.create_service_account(entity=self.name, description=description)
        made = result.create_service_account.user if result.create_service_account else None
        self.load(force=True)
        member = next((m for m in self.members if made is not None and m.id == made.id), None)
        if member is None:
            raise NotFoundError(
                f"the new service account is not a member of team {self.name!r}",
                operation_name="CreateServiceAccount",
            )
        return member

    def invite(self, username_or_email: str, admin: bool = False) -> bool:
        """Add a user to the team by username, or by e-mail address (anything with an ``@``).

        Returns:
            True once the server has added (or invited) them. Unlike ``wandb``, which answers
            False, a refusal raises, with the server's reason.

        Raises:
            UsageError: an empty name (before any request).
            GraphQLError: the server refused (no such user, not an admin of the team...).
        """
        if not isinstance(username_or_email, str) or not username_or_email.strip():
            raise UsageError(
                f"username_or_email must be a username or an e-mail address, "
                f"got {username_or_email!r}"
            )
        if not isinstance(admin, bool):
            raise UsageError(f"admin must be a bool, got {admin!r}")
        who = username_or_email.strip()
        by_mail = "@" in who
        self._ctx.client.invite_team_member(
            entity=self.name,
            email=who if by_mail else None,
            username=None if by_mail else who,
            admin=admin,
        )
        return True

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Team) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} ({len(self.members)} members)>"

    def _html_summary(self) -> HtmlSummary:
        members = [f"{m.username or m.name} ({m.role})" for m in self.members]
        return HtmlSummary("Team", self.name, {"members": members})
