"""Registries: the projects named ``wandb-registry-<name>`` in an organization's own entity,
with their settings (allowed artifact types), members and roles.

A registry *is* a project (runs, artifacts and access go through the projects table); this
repository owns what only registries have. Visibility is the project's ``access``:
``PRIVATE`` (W&B's "organization": every member of the organization reads it) or ``RESTRICTED``
(only the registry's members, users or teams, read it). Roles are ``admin``, ``member``,
``viewer`` and ``restricted_viewer``; the creator becomes an admin. Only registry admins (and
organization admins and instance admins) change members and roles.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from wandbkit.server.store._db import Database
from wandbkit.server.store.accounts import UserRow
from wandbkit.server.store.entities import Entities, EntityRow
from wandbkit.server.store.errors import NameConflictError, StoreError, UnknownRowError
from wandbkit.server.store.projects import ProjectRow, Projects

__all__ = [
    "REGISTRIES_SQL",
    "REGISTRY_PREFIX",
    "ROLES",
    "VISIBILITIES",
    "Registries",
    "RegistryMember",
    "RegistrySettings",
]

#: The project-name prefix of a registry (``wandb-registry-model`` is the ``model`` registry).
REGISTRY_PREFIX = "wandb-registry-"
#: Registry roles, strongest first.
ROLES = ("admin", "member", "viewer", "restricted_viewer")
#: Project access values a registry may have: "organization" and "restricted".
VISIBILITIES = ("PRIVATE", "RESTRICTED")

MemberKind = Literal["user", "team"]

#: Migration 8 ("registries").
REGISTRIES_SQL = """
CREATE TABLE IF NOT EXISTS registry_settings (
    project_id               INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
    allow_all_artifact_types INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS registry_artifact_types (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    PRIMARY KEY (project_id, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS registry_members (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('user', 'team')),
    member_id  INTEGER NOT NULL,
    role       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (project_id, kind, member_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS registry_members_by_member ON registry_members (kind, member_id);
"""


@dataclass(frozen=True)
class RegistrySettings:
    """What a registry has beyond its project: its allowed artifact types."""

    allow_all_artifact_types: bool
    artifact_types: tuple[str, ...]


@dataclass(frozen=True)
class RegistryMember:
    """A user or a team in a registry, with its role."""

    kind: MemberKind
    member_pk: int
    role: str


def is_registry_name(name: str) -> bool:
    """Whether a project name is a registry's (``wandb-registry-<name>``)."""
    return name.startswith(REGISTRY_PREFIX) and len(name) > len(REGISTRY_PREFIX)


def check_role(role: str) -> str:
    """Validate a role name.

    Raises:
        StoreError: not one of :data:`ROLES`.
    """
    if role not in ROLES:
        raise StoreError(f"unknown registry role {role!r}; expected one of {', '.join(ROLES)}")
    return role


class Registries:
    """The ``registry_settings``, ``registry_artifact_types`` and ``registry_members`` tables."""

    def __init__(self, db: Database, entities: Entities, projects: Projects) -> None:
        self._db = db
        self._entities = entities
        self._projects = projects

    # -- registries -----------------------------------------------------------------------

    def is_registry(self, project: ProjectRow) -> bool:
        """Whether a project is a registry: a ``wandb-registry-`` project of an org entity."""
        if not is_registry_name(project.name):
            return False
        entity = self._entities.get_by_pk(project.entity_pk)
        return entity is not None and entity.kind == "organization"

    def create(
        self,
        org_entity: EntityRow,
        name: str,
        *,
        creator: UserRow,
        access: str = "PRIVATE",
        description: str | None = None,
        allow_all_artifact_types: bool = True,
        artifact_types: Sequence[str] = (),
    ) -> ProjectRow:
        """Create a registry (``name`` is the full ``wandb-registry-…`` project name); its
        creator becomes its admin.

        Raises:
            StoreError: not an organization's entity, not a registry name, a bad visibility.
            NameConflictError: the registry exists.
            InvalidNameError: a bad name.
        """
        if org_entity.kind != "organization":
            raise StoreError(
                f"registries live in an organization's entity, not {org_entity.name!r}"
            )
        if not is_registry_name(name):
            raise StoreError(f"a registry's project name starts with {REGISTRY_PREFIX!r}")
        check_access(access)
        with self._db.transaction() as conn:
            if self._projects.get(org_entity.pk, name) is not None:
                raise NameConflictError(f"registry {name!r} already exists")
            project, _ = self._projects.upsert(
                org_entity.pk, name, creator_pk=creator.pk, description=description, access=access
            )
            conn.execute(
                "INSERT INTO registry_settings (project_id, allow_all_artifact_types)"
                " VALUES (?, ?)",
                (project.pk, int(allow_all_artifact_types)),
            )
            self._add_types(conn, project.pk, artifact_types)
            self._put_member(conn, project.pk, "user", creator.pk, "admin")
        return project

    def update(
        self,
        project: ProjectRow,
        *,
        allow_all_artifact_types: bool | None = None,
        artifact_types: Sequence[str] = (),
    ) -> RegistrySettings:
        """Change what types a registry allows; types are only ever added (as on W&B)."""
        with self._db.transaction() as conn:
            self._ensure_settings(conn, project.pk)
            if allow_all_artifact_types is not None:
                conn.execute(
                    "UPDATE registry_settings SET allow_all_artifact_types = ?"
                    " WHERE project_id = ?",
                    (int(allow_all_artifact_types), project.pk),
                )
            self._add_types(conn, project.pk, artifact_types)
        return self.settings(project.pk)

    def settings(self, project_pk: int) -> RegistrySettings:
        """A registry's settings (a project made without them allows every type)."""
        row = self._db.one(
            "SELECT allow_all_artifact_types FROM registry_settings WHERE project_id = ?",
            (project_pk,),
        )
        types = self._db.all(
            "SELECT name FROM registry_artifact_types WHERE project_id = ? ORDER BY name",
            (project_pk,),
        )
        return RegistrySettings(
            allow_all_artifact_types=bool(row[0]) if row is not None else True,
            artifact_types=tuple(str(r[0]) for r in types),
        )

    def delete(self, project_pk: int) -> bool:
        """Delete a registry's project (and with it its collections, links and members)."""
        with self._db.transaction() as conn:
            cur = conn.execute("DELETE FROM projects WHERE id = ?", (project_pk,))
        return cur.rowcount > 0

    def _ensure_settings(self, conn: sqlite3.Connection, project_pk: int) -> None:
        conn.execute(
            "INSERT OR IGNORE INTO registry_settings (project_id) VALUES (?)", (project_pk,)
        )

    def _add_types(self, conn: sqlite3.Connection, project_pk: int, names: Sequence[str]) -> None:
        conn.executemany(
            "INSERT OR IGNORE INTO registry_artifact_types (project_id, name) VALUES (?, ?)",
            [(project_pk, name) for name in names],
        )

    # -- members --------------------------------------------------------------------------

    def put_member(self, project_pk: int, kind: MemberKind, member_pk: int, role: str) -> None:
        """Add a user or team to a registry with ``role``, or change its role."""
        check_role(role)
        with self._db.transaction() as conn:
            if self._projects.get_by_pk(project_pk) is None:
                raise UnknownRowError("registry not found")
            self._put_member(conn, project_pk, kind, member_pk, role)

    def set_role(self, project_pk: int, kind: MemberKind, member_pk: int, role: str) -> None:
        """Change a member's role.

        Raises:
            UnknownRowError: not a member of this registry.
            StoreError: an unknown role.
        """
        check_role(role)
        with self._db.transaction() as conn:
            cur = conn.execute(
                "UPDATE registry_members SET role = ?"
                " WHERE project_id = ? AND kind = ? AND member_id = ?",
                (role, project_pk, kind, member_pk),
            )
        if cur.rowcount == 0:
            raise UnknownRowError(f"that {kind} is not a member of this registry")

    def _put_member(
        self, conn: sqlite3.Connection, project_pk: int, kind: MemberKind, member_pk: int, role: str
    ) -> None:
        conn.execute(
            "INSERT INTO registry_members (project_id, kind, member_id, role, created_at)"
            " VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (project_id, kind, member_id) DO UPDATE SET role = excluded.role",
            (project_pk, kind, member_pk, role, self._db.stamp(seconds=True)),
        )

    def remove_member(self, project_pk: int, kind: MemberKind, member_pk: int) -> bool:
        """Take a user or team out of a registry; returns whether it was a member."""
        with self._db.transaction() as conn:
            cur = conn.execute(
                "DELETE FROM registry_members WHERE project_id = ? AND kind = ? AND member_id = ?",
                (project_pk, kind, member_pk),
            )
        return cur.rowcount > 0

    def members(self, project_pk: int, kind: MemberKind) -> list[RegistryMember]:
        """A registry's user or team members, in the order they joined."""
        rows = self._db.all(
            "SELECT kind, member_id, role FROM registry_members"
            " WHERE project_id = ? AND kind = ? ORDER BY created_at, member_id",
            (project_pk, kind),
        )
        return [RegistryMember(r["kind"], int(r["member_id"]), str(r["role"])) for r in rows]

    def role_of_member(self, project_pk: int, kind: MemberKind, member_pk: int) -> str | None:
        """The role a user or team holds in a registry itself, or ``None``."""
        row = self._db.one(
            "SELECT role FROM registry_members WHERE project_id = ? AND kind = ? AND member_id = ?",
            (project_pk, kind, member_pk),
        )
        return str(row[0]) if row is not None else None

    def role_of(self, project_pk: int, user_pk: int) -> str | None:
        """A user's strongest role in a registry, directly or through a team; ``None`` for a
        non-member."""
        rows = self._db.all(
            "SELECT role FROM registry_members WHERE project_id = ? AND"
            " ((kind = 'user' AND member_id = ?) OR (kind = 'team' AND member_id IN"
            " (SELECT entity_id FROM team_members WHERE user_id = ?)))",
            (project_pk, user_pk, user_pk),
        )
        roles = {str(r[0]) for r in rows}
        return next((role for role in ROLES if role in roles), None)

    def can_read_restricted(self, project: ProjectRow, user: UserRow) -> bool:
        """Whether a user may read a ``RESTRICTED`` project: instance admins, admins of its
        organization and its members (directly or through a team). A restricted project
        outside an organization is open to its entity's team members, as a private one is."""
        if user.admin:
            return True
        entity = self._entities.get_by_pk(project.entity_pk)
        if entity is None:
            return False
        if entity.kind != "organization" or entity.organization_pk is None:
            return entity.pk == user.entity_pk or self._entities.is_team_member(entity.pk, user.pk)
        if self.is_org_admin(entity.organization_pk, user.pk):
            return True
        return self.role_of(project.pk, user.pk) is not None

    def is_org_admin(self, organization_pk: int, user_pk: int) -> bool:
        """Whether a user is an admin of an organization."""
        return any(
            pk == user_pk and role == "admin"
            for pk, role in self._entities.organization_member_roles(organization_pk)
        )

    def restricted_of(self, entity_pk: int) -> list[int]:
        """The ids of an entity's restricted projects."""
        rows = self._db.all(
            "SELECT id FROM projects WHERE entity_id = ? AND access = 'RESTRICTED'", (entity_pk,)
        )
        return [int(r[0]) for r in rows]

    def unreadable_restricted(self, entity: EntityRow, user: UserRow) -> list[int]:
        """The ids of the restricted projects of ``entity`` that ``user`` may not read (none
        for instance admins and the admins of its organization)."""
        if user.admin:
            return []
        org_pk = entity.organization_pk if entity.kind == "organization" else None
        if org_pk is not None and self.is_org_admin(org_pk, user.pk):
            return []
        readable = set(self.readable_restricted(entity.pk, user.pk))
        return [pk for pk in self.restricted_of(entity.pk) if pk not in readable]

    def readable_restricted(self, entity_pk: int, user_pk: int) -> list[int]:
        """The restricted registries of an entity that a user is a member of (directly or
        through a team)."""
        rows = self._db.all(
            "SELECT DISTINCT p.id FROM projects p JOIN registry_members rm ON rm.project_id = p.id"
            " WHERE p.entity_id = ? AND p.access = 'RESTRICTED' AND"
            " ((rm.kind = 'user' AND rm.member_id = ?) OR (rm.kind = 'team' AND rm.member_id IN"
            " (SELECT entity_id FROM team_members WHERE user_id = ?)))",
            (entity_pk, user_pk, user_pk),
        )
        return [int(r[0]) for r in rows]


def check_access(access: str) -> str:
    """Validate a registry's access value.

    Raises:
        StoreError: not ``PRIVATE`` ("organization") or ``RESTRICTED``.
    """
    if access not in VISIBILITIES:
        raise StoreError(
            f"a registry's access is PRIVATE (organization) or RESTRICTED, not {access!r}"
        )
    return access


def json_list(values: Sequence[int]) -> str:
    """A list of ids as one JSON parameter (read with ``json_each``)."""
    return json.dumps(list(values))
