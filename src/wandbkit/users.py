"""Users as the API returns them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from wandbkit._html import Displayable, Explorable, HtmlSummary

if TYPE_CHECKING:
    from wandbkit._generated.fragments import UserFields


class User(Displayable):
    """A W&B user (the viewer, a project's owner, ...); plain data, no requests.

    Attributes mirror the server's ``User`` type, in snake case.
    """

    __slots__ = ("_fields",)

    def __init__(self, fields: UserFields) -> None:
        self._fields = fields

    @property
    def id(self) -> str:
        """The server's opaque id of the user."""
        return self._fields.id

    @property
    def name(self) -> str:
        """The user's display name."""
        return self._fields.name

    @property
    def username(self) -> str | None:
        """The login name (also the user's personal entity, usually)."""
        return self._fields.username

    @property
    def email(self) -> str | None:
        """The e-mail address, when the server shares it with the caller."""
        return self._fields.email

    @property
    def admin(self) -> bool:
        """Whether the user administers the W&B instance."""
        return bool(self._fields.admin)

    @property
    def entity(self) -> str | None:
        """The user's default entity: where runs go when no entity is given."""
        return self._fields.entity

    @property
    def flags(self) -> dict[str, Any]:
        """Feature flags of the account, parsed from the server's JSON text."""
        flags = self._fields.flags
        return dict(flags) if isinstance(flags, dict) else {}

    @property
    def deleted_at(self) -> datetime | None:
        """When the account was deleted, or ``None``."""
        return self._fields.deleted_at

    @property
    def teams(self) -> list[str]:
        """Names of the teams the user belongs to."""
        teams = self._fields.teams
        if teams is None:
            return []
        return [edge.node.name for edge in teams.edges if edge.node is not None]

    def to_dict(self) -> dict[str, Any]:
        """The user's fields as plain JSON-ready values, keyed as the server names them."""
        return self._fields.model_dump(mode="json", by_alias=True)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, User) and other.id == self.id

    def __hash__(self) -> int:
        return hash(("User", self.id))

    def __repr__(self) -> str:
        return f"<User {self.username or self.name!r}>"

    def _html_summary(self) -> HtmlSummary:
        fields = {
            "name": self.name,
            "entity": self.entity,
            "teams": self.teams,
            "admin": self.admin,
        }
        return HtmlSummary("User", self.username or self.name, fields)


@dataclass(frozen=True)
class OrgEntity(Explorable):
    """An organization's own entity (where its registries live)."""

    id: str
    name: str
    entity_type: str | None = "organization"


@dataclass(frozen=True)
class Organization(Explorable):
    """A W&B organization, read-only (``wandb``'s ``Organization``)."""

    id: str
    name: str
    org_entity: OrgEntity | None

    def _html_summary(self) -> HtmlSummary:
        entity = self.org_entity.name if self.org_entity is not None else None
        return HtmlSummary("Organization", self.name, {"entity": entity})
