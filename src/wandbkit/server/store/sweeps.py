"""Sweeps: a project's hyperparameter searches. A sweep's runs are the runs that name it
(``RunRow.sweep_name``); count them with
``store.run_listing.count(project_pk, filters={"sweep": name})``."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from wandbkit.server.store._db import Database, lastrowid
from wandbkit.server.store.errors import NameConflictError, StoreError, UnknownRowError
from wandbkit.server.store.projects import Projects
from wandbkit.server.store.text import check_name, normalise_timestamp, random_id

#: Migration 6 ("sweeps"), with the runs' sweep index.
SWEEPS_SQL = """
CREATE TABLE IF NOT EXISTS sweeps (
    pk                 INTEGER PRIMARY KEY AUTOINCREMENT,
    project_pk         INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name               TEXT NOT NULL,
    display_name       TEXT,
    method             TEXT NOT NULL,
    state              TEXT NOT NULL,
    description        TEXT,
    config             TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    run_count_expected INTEGER,
    best_loss          REAL,
    UNIQUE (project_pk, name)
);
"""


@dataclass(frozen=True)
class SweepRow:
    """A sweep of a project. ``name`` is the sweep's id (what W&B's ``sweepName`` means);
    ``config`` is its YAML text, as W&B keeps it; ``state`` is upper case (``RUNNING``...)."""

    pk: int
    project_pk: int
    name: str
    display_name: str | None
    method: str
    state: str
    description: str | None
    config: str
    created_at: str
    updated_at: str
    run_count_expected: int | None
    best_loss: float | None


#: The states a sweep can be in, as W&B names them.
SWEEP_STATES = ("PENDING", "RUNNING", "PAUSED", "CANCELED", "FINISHED", "FAILED")


class Sweeps:
    """The ``sweeps`` table.

    Args:
        db: the store's database.
        projects: whether a project exists.
    """

    def __init__(self, db: Database, projects: Projects) -> None:
        self._db = db
        self._projects = projects

    def create(
        self,
        project_pk: int,
        name: str | None = None,
        *,
        config: str,
        method: str,
        state: str = "RUNNING",
        display_name: str | None = None,
        description: str | None = None,
        run_count_expected: int | None = None,
        best_loss: float | None = None,
        created_at: str | None = None,
    ) -> SweepRow:
        """Create a sweep in a project.

        Args:
            project_pk: the project.
            name: the sweep id (default: 8 random lowercase letters and digits, like W&B).
            config: the sweep's configuration as YAML text (W&B keeps and serves the text).
            method: ``grid``, ``random``, ``bayes``... (what the config says).
            state: one of :data:`SWEEP_STATES`.
            display_name: the human name.
            description: free text.
            run_count_expected: how many runs a finite (grid) sweep will have.
            best_loss: the best value of the sweep's metric so far.
            created_at: ISO-8601 creation time (default: the store's clock).

        Raises:
            UnknownRowError: no such project.
            NameConflictError: the project has a sweep with that name.
            StoreError: an unknown state, an empty method or config, or a bad name.
        """
        if state not in SWEEP_STATES:
            raise StoreError(f"sweep state must be one of {SWEEP_STATES}, got {state!r}")
        if not method or not config:
            raise StoreError("a sweep needs a method and a config")
        sweep_name = name if name is not None else random_id()
        check_name(sweep_name, "sweep")
        stamp = normalise_timestamp(created_at) if created_at else self._db.stamp()
        with self._db.transaction() as conn:
            if self._projects.get_by_pk(project_pk) is None:
                raise UnknownRowError("project not found")
            if self.get(project_pk, sweep_name) is not None:
                raise NameConflictError(f"sweep {sweep_name!r} exists in this project")
            cur = conn.execute(
                "INSERT INTO sweeps (project_pk, name, display_name, method, state, description,"
                " config, created_at, updated_at, run_count_expected, best_loss)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    project_pk,
                    sweep_name,
                    display_name,
                    method,
                    state,
                    description,
                    config,
                    stamp,
                    stamp,
                    run_count_expected,
                    best_loss,
                ),
            )
            created = self._db.one("SELECT * FROM sweeps WHERE pk = ?", (lastrowid(cur),))
        assert created is not None
        return _sweep(created)

    def get(self, project_pk: int, name: str) -> SweepRow | None:
        """The sweep ``name`` (its id) of a project, or ``None``."""
        row = self._db.one(
            "SELECT * FROM sweeps WHERE project_pk = ? AND name = ?", (project_pk, name)
        )
        return _sweep(row) if row is not None else None

    def get_by_pk(self, pk: int) -> SweepRow | None:
        """The sweep with row id ``pk``, or ``None``."""
        row = self._db.one("SELECT * FROM sweeps WHERE pk = ?", (pk,))
        return _sweep(row) if row is not None else None

    def count(self, project_pk: int) -> int:
        """How many sweeps a project has."""
        return self._db.count("SELECT COUNT(*) FROM sweeps WHERE project_pk = ?", (project_pk,))

    def list(self, project_pk: int, *, after_pk: int = 0, limit: int) -> list[SweepRow]:
        """A project's sweeps in creation order, after row id ``after_pk``, at most ``limit``."""
        rows = self._db.all(
            "SELECT * FROM sweeps WHERE project_pk = ? AND pk > ? ORDER BY pk LIMIT ?",
            (project_pk, after_pk, limit),
        )
        return [_sweep(row) for row in rows]


def _sweep(row: sqlite3.Row) -> SweepRow:
    return SweepRow(
        pk=row["pk"],
        project_pk=row["project_pk"],
        name=row["name"],
        display_name=row["display_name"],
        method=row["method"],
        state=row["state"],
        description=row["description"],
        config=row["config"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        run_count_expected=row["run_count_expected"],
        best_loss=row["best_loss"],
    )
