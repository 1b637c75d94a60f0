"""Projects (the schema's legacy name: model), each in one entity."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from wandbkit.server.store._db import Database, lastrowid
from wandbkit.server.store.entities import Entities
from wandbkit.server.store.errors import NameConflictError, UnknownRowError
from wandbkit.server.store.text import check_name

DEFAULT_ACCESS = "PRIVATE"

#: Migration 2 ("projects").
PROJECTS_SQL = """
CREATE TABLE IF NOT EXISTS projects (
    id           INTEGER PRIMARY KEY,
    entity_id    INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    description  TEXT,
    access       TEXT NOT NULL DEFAULT 'PRIVATE',
    views        TEXT NOT NULL DEFAULT '{}',
    is_benchmark INTEGER NOT NULL DEFAULT 0,
    read_only    INTEGER NOT NULL DEFAULT 0,
    creator_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (entity_id, name)
);
"""


@dataclass(frozen=True)
class ProjectRow:
    """A project (the schema's legacy name: model)."""

    pk: int
    entity_pk: int
    name: str
    description: str | None
    access: str
    views: str
    is_benchmark: bool
    read_only: bool
    creator_pk: int | None
    created_at: str
    updated_at: str


class Projects:
    """The ``projects`` table."""

    def __init__(self, db: Database, entities: Entities) -> None:
        self._db = db
        self._entities = entities

    def get(self, entity_pk: int, name: str) -> ProjectRow | None:
        """The project ``name`` in an entity, or ``None``."""
        row = self._db.one(
            "SELECT * FROM projects WHERE entity_id = ? AND name = ?", (entity_pk, name)
        )
        return _project(row) if row else None

    def get_by_pk(self, pk: int) -> ProjectRow | None:
        """The project with row id ``pk``, or ``None``."""
        row = self._db.one("SELECT * FROM projects WHERE id = ?", (pk,))
        return _project(row) if row else None

    def get_by_pks(self, pks: Iterable[int]) -> dict[int, ProjectRow]:
        """The projects with these row ids that exist, by row id (one query per 500)."""
        rows = self._db.rows_by_pks("SELECT * FROM projects WHERE id IN", pks)
        return {int(row["id"]): _project(row) for row in rows}

    def find(self, entity_name: str, name: str) -> ProjectRow | None:
        """The project ``entity/name`` by names, or ``None``."""
        entity = self._entities.get(entity_name)
        return self.get(entity.pk, name) if entity is not None else None

    def upsert(
        self,
        entity_pk: int,
        name: str,
        *,
        creator_pk: int | None,
        description: str | None = None,
        access: str | None = None,
        views: str | None = None,
        is_benchmark: bool | None = None,
        created_at: str | None = None,
    ) -> tuple[ProjectRow, bool]:
        """Create the project ``name`` in an entity, or update the fields given (not ``None``).

        Returns:
            ``(project, inserted)``.

        Raises:
            InvalidNameError: a bad project name.
        """
        check_name(name, "project")
        with self._db.transaction() as conn:
            existing = self.get(entity_pk, name)
            if existing is not None:
                return self._update(
                    conn,
                    existing,
                    description=description,
                    access=access,
                    views=views,
                    is_benchmark=is_benchmark,
                ), False
            now = created_at or self._db.stamp(seconds=True)
            cur = conn.execute(
                "INSERT INTO projects (entity_id, name, description, access, views,"
                " is_benchmark, creator_id, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    entity_pk,
                    name,
                    description,
                    access or DEFAULT_ACCESS,
                    views or "{}",
                    int(bool(is_benchmark)),
                    creator_pk,
                    now,
                    now,
                ),
            )
            project = self.get_by_pk(lastrowid(cur))
        assert project is not None
        return project, True

    def update(
        self,
        pk: int,
        *,
        name: str | None = None,
        description: str | None = None,
        access: str | None = None,
        views: str | None = None,
        is_benchmark: bool | None = None,
    ) -> ProjectRow:
        """Change the fields given (not ``None``) of a project, including its name.

        Raises:
            UnknownRowError: no project has that id.
            InvalidNameError: a bad new name.
            NameConflictError: the new name is taken in the project's entity.
        """
        with self._db.transaction() as conn:
            project = self.get_by_pk(pk)
            if project is None:
                raise UnknownRowError("project not found")
            if name is not None and name != project.name:
                check_name(name, "project")
                if self.get(project.entity_pk, name) is not None:
                    raise NameConflictError(f"project {name!r} already exists")
                conn.execute("UPDATE projects SET name = ? WHERE id = ?", (name, pk))
            return self._update(
                conn,
                project,
                description=description,
                access=access,
                views=views,
                is_benchmark=is_benchmark,
                touched=name is not None and name != project.name,
            )

    def _update(
        self,
        conn: sqlite3.Connection,
        project: ProjectRow,
        *,
        description: str | None,
        access: str | None,
        views: str | None,
        is_benchmark: bool | None,
        touched: bool = False,
    ) -> ProjectRow:
        changes: dict[str, Any] = {}
        if description is not None:
            changes["description"] = description
        if access is not None:
            changes["access"] = access
        if views is not None:
            changes["views"] = views
        if is_benchmark is not None:
            changes["is_benchmark"] = int(is_benchmark)
        if changes or touched:
            changes["updated_at"] = self._db.stamp(seconds=True)
            # Column names come from the fixed keys above, never from the caller.
            assignments = ", ".join(f"{column} = ?" for column in changes)
            conn.execute(
                f"UPDATE projects SET {assignments} WHERE id = ?",
                (*changes.values(), project.pk),
            )
        updated = self.get_by_pk(project.pk)
        assert updated is not None
        return updated

    def list(
        self,
        entity_pk: int,
        *,
        after_pk: int = 0,
        limit: int,
        access_in: Collection[str] | None = None,
        restricted_in: Collection[int] | None = None,
    ) -> list[ProjectRow]:
        """An entity's projects in creation order (row id), starting after ``after_pk``.

        Keyset paging on the row id: a project created while a caller pages through the list
        lands at the end, so no project is skipped or repeated. ``access_in`` keeps only
        projects with one of these access values (what a non-member may see);
        ``restricted_in`` keeps only those ``RESTRICTED`` projects (restricted registries) whose
        ids it holds.
        """
        if access_in is None:
            restricted = json.dumps(None if restricted_in is None else sorted(restricted_in))
            rows = self._db.all(
                "SELECT * FROM projects WHERE entity_id = ? AND id > ?"
                " AND (access != 'RESTRICTED' OR json(?) = 'null'"
                " OR id IN (SELECT value FROM json_each(?))) ORDER BY id LIMIT ?",
                (entity_pk, after_pk, restricted, restricted, limit),
            )
        else:
            rows = self._db.all(
                "SELECT * FROM projects WHERE entity_id = ? AND id > ?"
                " AND access IN (SELECT value FROM json_each(?)) ORDER BY id LIMIT ?",
                (entity_pk, after_pk, json.dumps(sorted(access_in)), limit),
            )
        return [_project(r) for r in rows]


def _project(row: sqlite3.Row) -> ProjectRow:
    return ProjectRow(
        pk=row["id"],
        entity_pk=row["entity_id"],
        name=row["name"],
        description=row["description"],
        access=row["access"],
        views=row["views"],
        is_benchmark=bool(row["is_benchmark"]),
        read_only=bool(row["read_only"]),
        creator_pk=row["creator_id"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
