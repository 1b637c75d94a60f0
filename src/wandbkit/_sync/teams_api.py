# Generated from src/wandbkit/_async/teams_api.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""The teams and organizations methods of the Api. Teams load on first use: importing the Api
does not import the teams module."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wandbkit._core.errors import NotFoundError, UsageError
from wandbkit.paths import check_name
from wandbkit.users import Organization, OrgEntity

if TYPE_CHECKING:
    from wandbkit._sync.context import ClientContext
    from wandbkit._sync.teams import Team


class TeamsMethods:
    """The Api's teams methods (a part of ``Api``, which supplies the context and the default
    organization)."""

    _ctx: ClientContext
    _default_organization: str | None

    def organization(self, name: str | None = None) -> Organization:
        """An organization; without a name, ``overrides["organization"]`` or else the one your
        default entity belongs to.

        Raises:
            UsageError: a malformed name, or no name and a default entity in no organization.
            NotFoundError: no organization of that name.
        """
        if name is None:
            name = self._default_organization
        if name is None:
            entity = self._ctx.resolve_entity(self._ctx.settings.entity)
            owner = self._ctx.client.get_entity_organization(entity=entity)
            org = owner.entity.organization if owner.entity is not None else None
            if org is None:
                raise UsageError(
                    f"name is required: the default entity {entity!r} is in no organization"
                )
            name = org.name
        check_name(name, "name")
        result = self._ctx.client.get_organization(name=name)
        found = result.organization
        if found is None:
            raise NotFoundError(
                f"organization {name!r} not found", operation_name="GetOrganization"
            )
        entity_fields = found.org_entity
        return Organization(
            id=found.id,
            name=found.name,
            org_entity=OrgEntity(entity_fields.id, entity_fields.name, entity_fields.entity_type)
            if entity_fields is not None
            else None,
        )

    def team(self, team: str) -> Team:
        """A team with its members.

        Raises:
            UsageError: a malformed name.
            NotFoundError: no team of that name (a user's personal entity is not a team).
        """
        from wandbkit._sync.teams import Team  # teams load on first use

        return Team.fetch(self._ctx, team)

    def create_team(self, team: str, admin_username: str | None = None) -> Team:
        """Create a team; its admin is you, or ``admin_username`` (naming someone else is for
        instance admins).

        Raises:
            UsageError: a malformed name (before any request).
            GraphQLError: the server refused (the name is taken, not allowed...).
        """
        from wandbkit._sync.teams import Team

        check_name(team, "team")
        if admin_username is not None:
            check_name(admin_username, "admin_username")
        result = self._ctx.client.create_team(team_name=team, team_admin_user_name=admin_username)
        created = result.create_team.entity if result.create_team is not None else None
        if created is None:  # pragma: no cover - the server answers the entity or an error
            return Team.fetch(self._ctx, team)
        return Team(self._ctx, created)
