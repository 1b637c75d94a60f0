"""Entities (users' personal ones, teams, organizations' own), organizations and memberships.

An entity is the owner in every W&B path (``entity/project/run``). Users live in
:mod:`~wandbkit.server.store.accounts`, which asks this repository for the personal entity it
creates with each user; member lists with their users are answered there too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from wandbkit.server.store._db import Database, lastrowid
from wandbkit.server.store.errors import NameConflictError, StoreError
from wandbkit.server.store.text import check_name

EntityKind = Literal["user", "team", "organization"]

#: Part of migration 1 ("identity"), before the users tables.
ENTITIES_SQL = """
CREATE TABLE IF NOT EXISTS entities (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL CHECK (kind IN ('user', 'team', 'organization')),
    organization_id INTEGER REFERENCES organizations(id),
    created_at      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS organizations (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    entity_id   INTEGER NOT NULL UNIQUE REFERENCES entities(id),
    created_at  TEXT NOT NULL
);
"""

#: Part of migration 1 ("identity"), after the users tables.
MEMBERS_SQL = """
CREATE TABLE IF NOT EXISTS team_members (
    entity_id  INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role       TEXT NOT NULL DEFAULT 'member',
    created_at TEXT NOT NULL,
    PRIMARY KEY (entity_id, user_id)
);
CREATE INDEX IF NOT EXISTS team_members_user ON team_members(user_id);
CREATE TABLE IF NOT EXISTS organization_members (
    organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role            TEXT NOT NULL DEFAULT 'member',
    created_at      TEXT NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX IF NOT EXISTS organization_members_user ON organization_members(user_id);
"""


@dataclass(frozen=True)
class OrganizationRow:
    """An organization; ``entity_pk`` is its own entity (where registries live)."""

    pk: int
    name: str
    entity_pk: int
    created_at: str


@dataclass(frozen=True)
class EntityRow:
    """An entity: a user's personal one, a team, or an organization's own."""

    pk: int
    name: str
    kind: EntityKind
    organization_pk: int | None
    created_at: str


class Entities:
    """The ``entities``, ``organizations``, ``team_members`` and ``organization_members``
    tables."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- entities -------------------------------------------------------------------------

    def get(self, name: str) -> EntityRow | None:
        """The entity called ``name`` (user, team or organization), or ``None``."""
        row = self._db.one("SELECT * FROM entities WHERE name = ?", (name,))
        return _entity(row) if row else None

    def get_by_pk(self, pk: int) -> EntityRow | None:
        """The entity with row id ``pk``, or ``None``."""
        row = self._db.one("SELECT * FROM entities WHERE id = ?", (pk,))
        return _entity(row) if row else None

    def get_by_pks(self, pks: Iterable[int]) -> dict[int, EntityRow]:
        """The entities with these row ids that exist, by row id (one query per 500)."""
        rows = self._db.rows_by_pks("SELECT * FROM entities WHERE id IN", pks)
        return {int(row["id"]): _entity(row) for row in rows}

    def insert(
        self,
        conn: sqlite3.Connection,
        name: str,
        kind: EntityKind,
        organization_pk: int | None,
        created_at: str,
    ) -> int:
        """Add an entity inside the caller's transaction (``conn``); returns its row id.

        For the repositories that create an entity together with its owner (a user, an
        organization); the name must have been checked.

        Raises:
            NameConflictError: an entity with that name exists.
        """
        if self.get(name) is not None:
            raise NameConflictError(f"entity {name!r} already exists")
        cur = conn.execute(
            "INSERT INTO entities (name, kind, organization_id, created_at) VALUES (?, ?, ?, ?)",
            (name, kind, organization_pk, created_at),
        )
        return lastrowid(cur)

    # -- organizations --------------------------------------------------------------------

    def create_organization(
        self, name: str, *, entity_name: str | None = None, created_at: str | None = None
    ) -> OrganizationRow:
        """Create an organization and its own entity (named ``entity_name`` or ``name``).

        Raises:
            InvalidNameError: a bad name.
            NameConflictError: the organization or the entity name exists.
        """
        check_name(name, "organization")
        entity_name = check_name(entity_name or name, "entity")
        now = created_at or self._db.stamp(seconds=True)
        with self._db.transaction() as conn:
            if self.get_organization(name) is not None:
                raise NameConflictError(f"organization {name!r} already exists")
            entity_pk = self.insert(conn, entity_name, "organization", None, now)
            cur = conn.execute(
                "INSERT INTO organizations (name, entity_id, created_at) VALUES (?, ?, ?)",
                (name, entity_pk, now),
            )
            org_pk = lastrowid(cur)
            conn.execute(
                "UPDATE entities SET organization_id = ? WHERE id = ?", (org_pk, entity_pk)
            )
        return OrganizationRow(org_pk, name, entity_pk, now)

    def get_organization(self, name: str) -> OrganizationRow | None:
        """The organization called ``name``, or ``None``."""
        row = self._db.one("SELECT * FROM organizations WHERE name = ?", (name,))
        return _organization(row) if row else None

    def get_organization_by_pk(self, pk: int) -> OrganizationRow | None:
        """The organization with row id ``pk``, or ``None``."""
        row = self._db.one("SELECT * FROM organizations WHERE id = ?", (pk,))
        return _organization(row) if row else None

    def add_organization_member(
        self, organization_pk: int, user_pk: int, *, role: str = "member"
    ) -> None:
        """Make a user a member of an organization (or change the role)."""
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO organization_members (organization_id, user_id, role, created_at)"
                " VALUES (?, ?, ?, ?)"
                " ON CONFLICT (organization_id, user_id) DO UPDATE SET role = excluded.role",
                (organization_pk, user_pk, role, self._db.stamp(seconds=True)),
            )

    def is_organization_member(self, organization_pk: int, user_pk: int) -> bool:
        """Whether the user belongs to the organization."""
        return (
            self._db.one(
                "SELECT 1 FROM organization_members WHERE organization_id = ? AND user_id = ?",
                (organization_pk, user_pk),
            )
            is not None
        )

    def organization_member_roles(self, organization_pk: int) -> list[tuple[int, str]]:
        """``(user_pk, role)`` of an organization's members, in the order they joined."""
        rows = self._db.all(
            "SELECT user_id, role FROM organization_members WHERE organization_id = ?"
            " ORDER BY created_at, user_id",
            (organization_pk,),
        )
        return [(int(row["user_id"]), str(row["role"])) for row in rows]

    def user_organizations(self, user_pk: int) -> list[OrganizationRow]:
        """The organizations a user belongs to, oldest membership first."""
        rows = self._db.all(
            "SELECT o.* FROM organizations o JOIN organization_members m"
            " ON m.organization_id = o.id WHERE m.user_id = ? ORDER BY o.id",
            (user_pk,),
        )
        return [_organization(r) for r in rows]

    # -- teams ----------------------------------------------------------------------------

    def create_team(
        self, name: str, *, organization_pk: int | None = None, created_at: str | None = None
    ) -> EntityRow:
        """Create a team entity, optionally inside an organization.

        Raises:
            InvalidNameError: a bad name.
            NameConflictError: an entity with that name exists.
        """
        check_name(name, "team")
        now = created_at or self._db.stamp(seconds=True)
        with self._db.transaction() as conn:
            pk = self.insert(conn, name, "team", organization_pk, now)
        return EntityRow(pk, name, "team", organization_pk, now)

    def add_team_member(self, team_pk: int, user_pk: int, *, role: str = "member") -> None:
        """Make a user a member of a team (or change the role).

        Raises:
            StoreError: the entity is not a team.
        """
        team = self.get_by_pk(team_pk)
        if team is None or team.kind != "team":
            raise StoreError("only team entities have members")
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO team_members (entity_id, user_id, role, created_at)"
                " VALUES (?, ?, ?, ?)"
                " ON CONFLICT (entity_id, user_id) DO UPDATE SET role = excluded.role",
                (team_pk, user_pk, role, self._db.stamp(seconds=True)),
            )

    def remove_team_member(self, team_pk: int, user_pk: int) -> bool:
        """Take a user out of a team; returns whether they were a member."""
        with self._db.transaction() as conn:
            cur = conn.execute(
                "DELETE FROM team_members WHERE entity_id = ? AND user_id = ?", (team_pk, user_pk)
            )
        return cur.rowcount > 0

    def team_role(self, team_pk: int, user_pk: int) -> str | None:
        """A user's role in a team (``admin``, ``member``), or ``None`` if not a member."""
        row = self._db.one(
            "SELECT role FROM team_members WHERE entity_id = ? AND user_id = ?",
            (team_pk, user_pk),
        )
        return str(row[0]) if row is not None else None

    def team_member_roles(self, team_pk: int) -> list[tuple[int, str]]:
        """``(user_pk, role)`` of a team's members, in the order they joined."""
        rows = self._db.all(
            "SELECT user_id, role FROM team_members WHERE entity_id = ?"
            " ORDER BY created_at, user_id",
            (team_pk,),
        )
        return [(int(row["user_id"]), str(row["role"])) for row in rows]

    def user_teams(self, user_pk: int) -> list[EntityRow]:
        """The teams a user belongs to, oldest team first."""
        rows = self._db.all(
            "SELECT e.* FROM entities e JOIN team_members m ON m.entity_id = e.id"
            " WHERE m.user_id = ? ORDER BY e.id",
            (user_pk,),
        )
        return [_entity(r) for r in rows]

    def is_team_member(self, team_pk: int, user_pk: int) -> bool:
        """Whether the user belongs to the team."""
        return (
            self._db.one(
                "SELECT 1 FROM team_members WHERE entity_id = ? AND user_id = ?",
                (team_pk, user_pk),
            )
            is not None
        )


def _organization(row: sqlite3.Row) -> OrganizationRow:
    return OrganizationRow(
        pk=row["id"], name=row["name"], entity_pk=row["entity_id"], created_at=row["created_at"]
    )


def _entity(row: sqlite3.Row) -> EntityRow:
    return EntityRow(
        pk=row["id"],
        name=row["name"],
        kind=row["kind"],
        organization_pk=row["organization_id"],
        created_at=row["created_at"],
    )
