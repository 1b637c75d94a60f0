"""Runs (the schema's legacy name: bucket): create, read, change and delete them one by one,
or insert many at once for seeding.

Filtered, ordered and paged listings are :mod:`~wandbkit.server.store.run_listing`; history,
console output and files are their own repositories, which ask this one whether a run exists.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from wandbkit.server.history import empty_history_keys
from wandbkit.server.store._db import Database, lastrowid, make_row, row_dict
from wandbkit.server.store.errors import NameConflictError, StoreError, UnknownRowError
from wandbkit.server.store.events import RunChanged
from wandbkit.server.store.projects import Projects
from wandbkit.server.store.run_files import RunFiles
from wandbkit.server.store.text import (
    check_name,
    dumps_json,
    json_object_text,
    json_text,
    normalise_timestamp,
    random_id,
    tags_text,
)

#: The states W&B runs move through.
RUN_STATES = frozenset(
    {"pending", "running", "finished", "failed", "crashed", "killed", "preempting", "preempted"}
)

# Column names are fixed: the run filter compiler (run_filters.py) writes SQL against them.
# Row ids are AUTOINCREMENT so a deleted run's id (inside opaque ids, cursors and signed URLs)
# never comes back as someone else's. Part of migration 3 ("runs").
RUNS_SQL = """
CREATE TABLE IF NOT EXISTS runs (
    pk                 INTEGER PRIMARY KEY AUTOINCREMENT,
    project_pk         INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name               TEXT NOT NULL,
    display_name       TEXT,
    state              TEXT NOT NULL DEFAULT 'running',
    config             TEXT NOT NULL DEFAULT '{}',
    summary            TEXT NOT NULL DEFAULT '{}',
    system_metrics     TEXT NOT NULL DEFAULT '{}',
    tags               TEXT NOT NULL DEFAULT '[]',
    notes              TEXT,
    description        TEXT,
    group_name         TEXT,
    job_type           TEXT,
    host               TEXT,
    commit_hash        TEXT,
    sweep_name         TEXT,
    user_pk            INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    heartbeat_at       TEXT,
    history_line_count INTEGER NOT NULL DEFAULT 0,
    last_step          INTEGER NOT NULL DEFAULT -1,
    history_keys       TEXT NOT NULL DEFAULT '{}',
    UNIQUE (project_pk, name)
);
CREATE INDEX IF NOT EXISTS runs_project_created ON runs(project_pk, created_at);
"""

#: Part of migration 6 ("sweeps"): a sweep's runs are those naming it.
RUNS_SWEEP_INDEX_SQL = """
CREATE INDEX IF NOT EXISTS runs_project_sweep ON runs(project_pk, sweep_name);
"""


def wrap_config(values: Mapping[str, Any]) -> dict[str, Any]:
    """A plain config in W&B's stored form, ``{"k": {"value": v, "desc": None}}``.

    Example:
        >>> wrap_config({"lr": 0.1})
        {'lr': {'value': 0.1, 'desc': None}}
    """
    return {key: {"value": value, "desc": None} for key, value in values.items()}


@dataclass(frozen=True)
class RunRow:
    """A run (the schema's legacy name: bucket).

    ``config``, ``summary``, ``system_metrics`` and ``history_keys`` are JSON text as stored;
    ``config`` is in W&B's wrapped form (``{"k": {"value": v, "desc": null}}``).
    """

    pk: int
    project_pk: int
    name: str
    display_name: str | None
    state: str
    config: str
    summary: str
    system_metrics: str
    tags: tuple[str, ...]
    notes: str | None
    description: str | None
    group_name: str | None
    job_type: str | None
    host: str | None
    commit_hash: str | None
    sweep_name: str | None
    user_pk: int | None
    created_at: str
    updated_at: str
    heartbeat_at: str | None
    history_line_count: int
    last_step: int
    history_keys: str


@dataclass(frozen=True)
class NewRun:
    """A run for :meth:`Runs.bulk_insert`: values are stored as given, unchecked.

    JSON fields may be mappings (dumped) or ready JSON text; the history statistics must
    match the rows the caller inserts with
    :meth:`~wandbkit.server.store.history.History.bulk_insert`. The field names are the
    ``runs`` columns: :meth:`Runs.create` stores its checked values through this class too.
    """

    name: str
    created_at: str
    display_name: str | None = None
    state: str = "finished"
    config: Mapping[str, Any] | str = "{}"
    summary: Mapping[str, Any] | str = "{}"
    system_metrics: Mapping[str, Any] | str = "{}"
    tags: Sequence[str] = ()
    notes: str | None = None
    description: str | None = None
    group_name: str | None = None
    job_type: str | None = None
    host: str | None = None
    commit_hash: str | None = None
    sweep_name: str | None = None
    user_pk: int | None = None
    updated_at: str | None = None
    heartbeat_at: str | None = None
    history_line_count: int = 0
    last_step: int = -1
    history_keys: Mapping[str, Any] | str = "{}"


#: The columns every run insert writes: the project and the fields of :class:`NewRun`.
_INSERT_COLUMNS = ("project_pk", *(field.name for field in fields(NewRun)))
_INSERT_SQL = (
    f"INSERT INTO runs ({', '.join(_INSERT_COLUMNS)})"
    f" VALUES ({', '.join('?' * len(_INSERT_COLUMNS))})"
)


class Runs:
    """The ``runs`` table.

    Args:
        db: the store's database.
        projects: answers :meth:`find` by names.
        run_files: removes a deleted run's file bytes.
    """

    def __init__(self, db: Database, projects: Projects, run_files: RunFiles) -> None:
        self._db = db
        self._projects = projects
        self._run_files = run_files

    def create(
        self,
        project_pk: int,
        name: str | None = None,
        *,
        user_pk: int | None = None,
        display_name: str | None = None,
        state: str = "running",
        config: Mapping[str, Any] | str | None = None,
        summary: Mapping[str, Any] | str | None = None,
        system_metrics: Mapping[str, Any] | str | None = None,
        tags: Sequence[str] = (),
        notes: str | None = None,
        description: str | None = None,
        group_name: str | None = None,
        job_type: str | None = None,
        host: str | None = None,
        commit_hash: str | None = None,
        sweep_name: str | None = None,
        created_at: str | None = None,
        heartbeat_at: str | None = None,
    ) -> RunRow:
        """Create a run in a project.

        Args:
            project_pk: the project.
            name: the run id (default: 8 random lowercase letters and digits, like W&B).
            user_pk: the user who made the run.
            display_name: the human name (default: ``name``).
            state: one of :data:`RUN_STATES`.
            config: the config in W&B's wrapped form (see :func:`wrap_config`), as a mapping
                or JSON text; stored as given.
            summary: the summary, as a mapping or JSON text.
            system_metrics: the system-metrics summary, as a mapping or JSON text.
            tags: the run's tags.
            notes: free text.
            description: free text.
            group_name: the run's group.
            job_type: the run's job type.
            host: the machine it ran on.
            commit_hash: the git commit it ran at.
            sweep_name: the sweep (by name) it belongs to.
            created_at: creation time (default: the store's clock); any ISO text is
                normalised to :func:`~wandbkit.server.store.text.precise_timestamp` form.
            heartbeat_at: last sign of life (default: ``created_at``).

        Returns:
            The new run.

        Raises:
            InvalidNameError: a bad run name.
            NameConflictError: the project has a run of that name.
            StoreError: an unknown state, or JSON that is not an object.
        """
        name = check_name(name, "run") if name is not None else self._new_name(project_pk)
        _check_state(state)
        created = normalise_timestamp(created_at) if created_at else self._db.stamp()
        heartbeat = normalise_timestamp(heartbeat_at) if heartbeat_at else created
        with self._db.transaction() as conn:
            if self.get(project_pk, name) is not None:
                raise NameConflictError(f"run {name!r} already exists in this project")
            run = NewRun(
                name=name,
                created_at=created,
                display_name=display_name,
                state=state,
                config=json_object_text(config, "config"),
                summary=json_object_text(summary, "summary"),
                system_metrics=json_object_text(system_metrics, "system metrics"),
                tags=tags,
                notes=notes,
                description=description,
                group_name=group_name,
                job_type=job_type,
                host=host,
                commit_hash=commit_hash,
                sweep_name=sweep_name,
                user_pk=user_pk,
                heartbeat_at=heartbeat,
                history_keys=dumps_json(empty_history_keys()),
            )
            created_run = self.get_by_pk(_insert(conn, project_pk, run))
        assert created_run is not None
        return created_run

    def bulk_insert(self, project_pk: int, runs: Iterable[NewRun]) -> list[int]:
        """Insert many runs without per-run checks; returns their row ids, in order.

        Meant for seeding inside one :meth:`~wandbkit.server.store.Store.transaction`
        together with :meth:`~wandbkit.server.store.history.History.bulk_insert`; names must
        be unique in the project.
        """
        with self._db.transaction() as conn:
            return [_insert(conn, project_pk, run) for run in runs]

    def _new_name(self, project_pk: int) -> str:
        while True:
            name = random_id()
            if self.get(project_pk, name) is None:
                return name

    def get(self, project_pk: int, name: str) -> RunRow | None:
        """The run ``name`` (its id) in a project, or ``None``."""
        row = self._db.one(
            "SELECT * FROM runs WHERE project_pk = ? AND name = ?", (project_pk, name)
        )
        return _run(row) if row else None

    def get_by_pk(self, pk: int) -> RunRow | None:
        """The run with row id ``pk``, or ``None``."""
        row = self._db.one("SELECT * FROM runs WHERE pk = ?", (pk,))
        return _run(row) if row else None

    def get_by_pks(self, pks: Iterable[int]) -> dict[int, RunRow]:
        """The runs with these row ids that exist, by row id."""
        rows = self._db.rows_by_pks("SELECT * FROM runs WHERE pk IN", pks)
        return {row["pk"]: _run(row) for row in rows}

    def find(self, entity_name: str, project_name: str, run_name: str) -> RunRow | None:
        """The run ``entity/project/run`` by names, or ``None``."""
        project = self._projects.find(entity_name, project_name)
        return self.get(project.pk, run_name) if project is not None else None

    def names(self, project_pk: int) -> set[str]:
        """The names (ids) of every run of a project."""
        rows = self._db.all("SELECT name FROM runs WHERE project_pk = ?", (project_pk,))
        return {row[0] for row in rows}

    def update(
        self,
        pk: int,
        *,
        display_name: str | None = None,
        state: str | None = None,
        config: Mapping[str, Any] | str | None = None,
        summary: Mapping[str, Any] | str | None = None,
        system_metrics: Mapping[str, Any] | str | None = None,
        tags: Sequence[str] | None = None,
        notes: str | None = None,
        description: str | None = None,
        group_name: str | None = None,
        job_type: str | None = None,
        host: str | None = None,
        commit_hash: str | None = None,
        sweep_name: str | None = None,
        heartbeat_at: str | None = None,
    ) -> RunRow:
        """Change the fields given (not ``None``) of a run; ``summary`` replaces the whole
        summary and ``config`` the whole config, as W&B's ``upsertBucket`` does.

        Raises:
            UnknownRowError: no run has that id.
            StoreError: an unknown state, or JSON that is not an object.
        """
        changes: dict[str, Any] = {}
        if display_name is not None:
            changes["display_name"] = display_name
        if state is not None:
            changes["state"] = _check_state(state)
        if config is not None:
            changes["config"] = json_object_text(config, "config")
        if summary is not None:
            changes["summary"] = json_object_text(summary, "summary")
        if system_metrics is not None:
            changes["system_metrics"] = json_object_text(system_metrics, "system metrics")
        if tags is not None:
            changes["tags"] = tags_text(tags)
        for column, value in (
            ("notes", notes),
            ("description", description),
            ("group_name", group_name),
            ("job_type", job_type),
            ("host", host),
            ("commit_hash", commit_hash),
            ("sweep_name", sweep_name),
        ):
            if value is not None:
                changes[column] = value
        if heartbeat_at is not None:
            changes["heartbeat_at"] = normalise_timestamp(heartbeat_at)
        with self._db.transaction() as conn:
            before = self.get_by_pk(pk)
            if before is None:
                raise UnknownRowError("run not found")
            changes["updated_at"] = self._db.stamp()
            # Column names come from the fixed keys above, never from the caller.
            assignments = ", ".join(f"{column} = ?" for column in changes)
            conn.execute(f"UPDATE runs SET {assignments} WHERE pk = ?", (*changes.values(), pk))
            run = self.get_by_pk(pk)
            assert run is not None
            metrics = "summary" in changes and run.summary != before.summary
            if metrics or run.state != before.state:
                self._db.emit(RunChanged(pk, before.state, run.state, metrics))
        return run

    def merge_summary(self, pk: int, values: Mapping[str, Any], keys: Collection[str]) -> RunRow:
        """Change only ``keys`` of a run's stored summary, atomically: a key in ``values``
        takes its value there, a key missing from ``values`` is removed; every other key
        stays as stored (so concurrent writers of different keys keep each other's).

        Raises:
            UnknownRowError: no run has that id.
            StoreError: the merged summary is not a JSON object.
        """
        with self._db.transaction() as conn:
            run = self.get_by_pk(pk)
            if run is None:
                raise UnknownRowError("run not found")
            merged = json.loads(run.summary)
            for key in keys:
                if key in values:
                    merged[key] = values[key]
                else:
                    merged.pop(key, None)
            conn.execute(
                "UPDATE runs SET summary = ?, updated_at = ? WHERE pk = ?",
                (json_object_text(merged, "summary"), self._db.stamp(), pk),
            )
            self._db.emit(RunChanged(pk, run.state, run.state, metrics=True))
            run = self.get_by_pk(pk)
        assert run is not None
        return run

    def record_history(
        self, pk: int, *, added: int, last_step: int, history_keys: str, summary: str
    ) -> None:
        """Count ``added`` history rows into a run's bookkeeping (line count, last step,
        ``historyKeys``) and set its summary; for the history repository, inside its
        transaction."""
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE runs SET history_line_count = history_line_count + ?, last_step = ?,"
                " history_keys = ?, summary = ?, updated_at = ? WHERE pk = ?",
                (added, last_step, history_keys, summary, self._db.stamp(), pk),
            )
            state = conn.execute("SELECT state FROM runs WHERE pk = ?", (pk,)).fetchone()
            if state is not None:
                self._db.emit(RunChanged(pk, state[0], state[0], metrics=True))

    def delete(self, pk: int) -> bool:
        """Delete a run with its history, events, files and their bytes.

        Returns:
            ``False`` if there was no such run.
        """
        with self._db.transaction() as conn:
            deleted = conn.execute("DELETE FROM runs WHERE pk = ?", (pk,)).rowcount > 0
            # Under the lock: an upload that commits concurrently either finished before
            # (and its bytes go now) or finds its file row gone.
            if deleted:
                self._run_files.remove_run(pk)
        return deleted


def _insert(conn: sqlite3.Connection, project_pk: int, run: NewRun) -> int:
    # The one way a run row is written: NewRun's fields are the columns.
    stored: dict[str, Any] = {field.name: getattr(run, field.name) for field in fields(NewRun)}
    stored.update(
        project_pk=project_pk,
        display_name=run.display_name if run.display_name is not None else run.name,
        config=json_text(run.config),
        summary=json_text(run.summary),
        system_metrics=json_text(run.system_metrics),
        tags=tags_text(run.tags),
        updated_at=run.updated_at or run.created_at,
        heartbeat_at=run.heartbeat_at or run.created_at,
        history_keys=json_text(run.history_keys),
    )
    cur = conn.execute(_INSERT_SQL, [stored[column] for column in _INSERT_COLUMNS])
    return lastrowid(cur)


def _check_state(state: str) -> str:
    if state not in RUN_STATES:
        raise StoreError(f"run state must be one of {', '.join(sorted(RUN_STATES))}; got {state!r}")
    return state


def _run(row: sqlite3.Row) -> RunRow:
    values = row_dict(row)
    values["tags"] = tuple(json.loads(values["tags"] or "[]"))
    return make_row(RunRow, values)
