"""Reports (W&B's "views" of type ``runs``) and custom chart presets.

A report belongs to a project and has a creator, a display name, a description and a spec: the
JSON document the W&B app edits. Its ``panelGroups`` are the report's sections; each section
has ``runSets`` whose filters (the app's filter tree), sort and selections say which of the
project's runs the section shows. The store keeps the spec as JSON text and does not interpret
it; :mod:`wandbkit.server.seed` writes specs of that shape.

A custom chart preset (``createCustomChart``) is a named Vega spec of an entity.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wandbkit.server.store._db import Database, lastrowid
from wandbkit.server.store.errors import NameConflictError, StoreError
from wandbkit.server.store.text import check_name, dumps_json, random_id

#: Part of migration 7 ("people, reports and agents"): reports and custom charts.
REPORTS_SQL = """
CREATE TABLE IF NOT EXISTS views (
    pk           INTEGER PRIMARY KEY AUTOINCREMENT,
    project_pk   INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    creator_pk   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    view_type    TEXT NOT NULL,
    name         TEXT NOT NULL,
    display_name TEXT,
    description  TEXT,
    spec         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (project_pk, view_type, name)
);
CREATE INDEX IF NOT EXISTS views_project ON views(project_pk, view_type, pk);
CREATE TABLE IF NOT EXISTS custom_charts (
    pk           INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_pk    INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    creator_pk   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    name         TEXT NOT NULL,
    display_name TEXT NOT NULL,
    chart_type   TEXT NOT NULL,
    access       TEXT NOT NULL,
    spec         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (entity_pk, name)
);
"""

#: The view type of reports (W&B's ``allViews(viewType: "runs")``).
REPORT_VIEW_TYPE = "runs"
#: The access levels of a custom chart, as the server spells them.
CHART_ACCESS = ("PRIVATE", "PUBLIC")
#: The chart types this server keeps (W&B's presets are Vega-Lite ``vega2`` specs).
CHART_TYPES = ("vega2",)
#: The largest spec kept, in characters of JSON text.
MAX_SPEC_CHARS = 1_000_000


@dataclass(frozen=True)
class ViewRow:
    """A report (or another kind of saved view) of a project; ``spec`` is JSON text."""

    pk: int
    project_pk: int
    creator_pk: int | None
    view_type: str
    name: str
    display_name: str | None
    description: str | None
    spec: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class CustomChartRow:
    """A custom chart preset of an entity; ``spec`` is JSON text."""

    pk: int
    entity_pk: int
    creator_pk: int | None
    name: str
    display_name: str
    chart_type: str
    access: str
    spec: str
    created_at: str


def _spec_text(spec: Mapping[str, Any] | str, what: str) -> str:
    if isinstance(spec, str):
        try:
            value = json.loads(spec)
        except json.JSONDecodeError as exc:
            raise StoreError(f"{what} is not valid JSON: {exc.msg}") from None
    else:
        value = dict(spec)
    if not isinstance(value, dict):
        raise StoreError(f"{what} must be a JSON object")
    text = dumps_json(value)
    if len(text) > MAX_SPEC_CHARS:
        raise StoreError(f"{what} is larger than {MAX_SPEC_CHARS} characters")
    return text


class Reports:
    """The ``views`` and ``custom_charts`` tables."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def create(
        self,
        project_pk: int,
        *,
        display_name: str,
        spec: Mapping[str, Any] | str,
        creator_pk: int | None = None,
        description: str | None = None,
        name: str | None = None,
        view_type: str = REPORT_VIEW_TYPE,
        created_at: str | None = None,
    ) -> ViewRow:
        """Save a report (a view of type ``runs``) in a project.

        Args:
            project_pk: the project.
            display_name: the title shown in the app and in the report's URL.
            spec: the report's JSON document (sections in ``panelGroups``).
            creator_pk: the user who wrote it.
            description: a subtitle.
            name: the view's internal name (default: a random id, as W&B's are).
            view_type: ``runs`` for reports.
            created_at: the creation time (default: now).

        Raises:
            StoreError: an empty title or a spec that is not a JSON object.
            NameConflictError: the project has a view of that name and type.
        """
        if not display_name.strip():
            raise StoreError("a report needs a display name")
        text = _spec_text(spec, "spec")
        now = created_at or self._db.stamp(seconds=True)
        view_name = name or random_id()
        with self._db.transaction() as conn:
            taken = self._db.one(
                "SELECT 1 FROM views WHERE project_pk = ? AND view_type = ? AND name = ?",
                (project_pk, view_type, view_name),
            )
            if taken is not None:
                raise NameConflictError(f"the project has a view named {view_name!r}")
            cur = conn.execute(
                "INSERT INTO views (project_pk, creator_pk, view_type, name, display_name,"
                " description, spec, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    project_pk,
                    creator_pk,
                    view_type,
                    view_name,
                    display_name,
                    description,
                    text,
                    now,
                    now,
                ),
            )
            pk = lastrowid(cur)
        found = self.get_by_pk(pk)
        assert found is not None
        return found

    def get_by_pk(self, pk: int) -> ViewRow | None:
        """The view with row id ``pk``, or ``None``."""
        row = self._db.one("SELECT * FROM views WHERE pk = ?", (pk,))
        return _view(row) if row else None

    def page(
        self,
        project_pk: int,
        *,
        view_type: str | None = REPORT_VIEW_TYPE,
        display_name: str | None = None,
        creator_pk: int | None = None,
        after_pk: int = 0,
        limit: int = 50,
    ) -> list[ViewRow]:
        """A project's views in creation order with ``pk > after_pk``, at most ``limit``;
        optionally only one type, one title (W&B's ``viewName`` matches the display name or
        the internal name) or one creator."""
        where = ["project_pk = ?", "pk > ?"]
        params: list[Any] = [project_pk, after_pk]
        if view_type is not None:
            where.append("view_type = ?")
            params.append(view_type)
        if display_name is not None:
            where.append("(display_name = ? OR name = ?)")
            params += [display_name, display_name]
        if creator_pk is not None:
            where.append("creator_pk = ?")
            params.append(creator_pk)
        rows = self._db.all(
            f"SELECT * FROM views WHERE {' AND '.join(where)} ORDER BY pk LIMIT ?",
            (*params, limit),
        )
        return [_view(row) for row in rows]

    # -- custom charts ---------------------------------------------------------------------

    def create_chart(
        self,
        entity_pk: int,
        name: str,
        *,
        display_name: str,
        chart_type: str,
        access: str,
        spec: Mapping[str, Any] | str,
        creator_pk: int | None = None,
    ) -> CustomChartRow:
        """Save a custom chart preset of an entity.

        Raises:
            InvalidNameError: a bad name.
            StoreError: an unknown type or access, or a spec that is not a JSON object.
            NameConflictError: the entity has a chart of that name.
        """
        check_name(name, "chart")
        if chart_type not in CHART_TYPES:
            raise StoreError(f"chart type must be one of {list(CHART_TYPES)}, got {chart_type!r}")
        if access not in CHART_ACCESS:
            raise StoreError(f"access must be one of {list(CHART_ACCESS)}, got {access!r}")
        text = _spec_text(spec, "spec")
        now = self._db.stamp(seconds=True)
        with self._db.transaction() as conn:
            if self.get_chart(entity_pk, name) is not None:
                raise NameConflictError(f"the entity has a custom chart named {name!r}")
            cur = conn.execute(
                "INSERT INTO custom_charts (entity_pk, creator_pk, name, display_name,"
                " chart_type, access, spec, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (entity_pk, creator_pk, name, display_name, chart_type, access, text, now),
            )
            pk = lastrowid(cur)
        return CustomChartRow(
            pk, entity_pk, creator_pk, name, display_name, chart_type, access, text, now
        )

    def get_chart(self, entity_pk: int, name: str) -> CustomChartRow | None:
        """The entity's custom chart called ``name``, or ``None``."""
        row = self._db.one(
            "SELECT * FROM custom_charts WHERE entity_pk = ? AND name = ?", (entity_pk, name)
        )
        return _chart(row) if row else None


def _view(row: sqlite3.Row) -> ViewRow:
    return ViewRow(
        pk=row["pk"],
        project_pk=row["project_pk"],
        creator_pk=row["creator_pk"],
        view_type=row["view_type"],
        name=row["name"],
        display_name=row["display_name"],
        description=row["description"],
        spec=row["spec"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _chart(row: sqlite3.Row) -> CustomChartRow:
    return CustomChartRow(
        pk=row["pk"],
        entity_pk=row["entity_pk"],
        creator_pk=row["creator_pk"],
        name=row["name"],
        display_name=row["display_name"],
        chart_type=row["chart_type"],
        access=row["access"],
        spec=row["spec"],
        created_at=row["created_at"],
    )
