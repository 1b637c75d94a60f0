"""The local server's SQLite store: organizations, entities, users, API keys and projects.

Design notes:

* One connection shared by all threads, guarded by a re-entrant lock. uvicorn runs resolvers
  on one event loop, tests and seeders touch the store from other threads, and SQLite calls
  here are short, so one lock is simpler than per-thread connections and never deadlocks on
  SQLite's own file locks. File databases use WAL so a second process (``wandbkit server
  seed`` beside a running server) can read while the server writes.
* The schema is a list of numbered :data:`MIGRATIONS`, one per domain; ``PRAGMA user_version``
  records how far a database has come. Runs, files, artifacts and registries arrive as new
  migrations appended to the list; never edit a migration that has shipped.
* Rows come back as frozen dataclasses whose attribute names are the snake_case forms of the
  GraphQL field names, so Ariadne's default resolvers (with ``convert_names_case``) read them
  directly. Row ids are called ``pk`` on purpose: the GraphQL ``id`` is an opaque string that
  a resolver must build, and a missing resolver then fails loudly instead of leaking integers.
* Timestamps are UTC ISO-8601 text with a ``Z`` (``2024-01-01T00:00:00Z``); that text sorts
  chronologically.
* API keys are stored as SHA-256 hashes only; the plain key exists once, in the return value
  of :meth:`Store.create_api_key`.
* Runs use fixed-width timestamps with microseconds (``2024-01-01T00:00:00.000000Z``), so text
  order is time order even between runs created in the same second; the run filter compiler
  (:mod:`wandbkit.server.run_filters`) compares them as text.
* Run history lives in blocks of up to 128 consecutive rows per table row
  (:mod:`wandbkit.server.history_blocks`): a run's sampled history reads a few table rows, not
  one per history row.
* Run file bytes live on disk beside the database (:mod:`wandbkit.server.blobs`); the
  ``run_files`` table holds names, sizes and md5s.
* ``Store.clock`` is the store's notion of now (run times, cursor expiry, URL signatures);
  tests replace it to travel in time.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import mimetypes
import sqlite3
import struct
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

from wandbkit.server.blobs import BlobStore, BlobWriter
from wandbkit.server.history import (
    downsample,
    empty_history_keys,
    merge_history_keys,
)
from wandbkit.server.history_blocks import (
    BLOCK_ROWS,
    Block,
    HistoryLayoutError,
    append_blocks,
    rows_between,
    sample_plan,
    split_rows,
    unpack_steps,
)
from wandbkit.server.run_filters import (
    compile_run_filters,
    compile_run_order,
)
from wandbkit.server.store._db import SERVER_SECRETS_SQL, Database, Migration, lastrowid, script
from wandbkit.server.store.accounts import ACCOUNTS_SQL, Accounts, ApiKeyRow, Membership, UserRow
from wandbkit.server.store.entities import (
    ENTITIES_SQL,
    MEMBERS_SQL,
    Entities,
    EntityRow,
    OrganizationRow,
)
from wandbkit.server.store.errors import (
    InvalidNameError,
    NameConflictError,
    StoreError,
    UnknownRowError,
    UnknownSnapshotError,
)
from wandbkit.server.store.projects import PROJECTS_SQL, ProjectRow, Projects
from wandbkit.server.store.text import (
    check_name,
    dumps_json,
    json_object_text,
    json_text,
    normalise_timestamp,
    parse_timestamp,
    precise_timestamp,
    random_id,
    tags_text,
)

__all__ = [
    "ApiKeyRow",
    "EntityRow",
    "InvalidNameError",
    "LogLineRow",
    "Membership",
    "NameConflictError",
    "NewRun",
    "OrganizationRow",
    "ProjectRow",
    "RunFileRow",
    "RunRow",
    "RunsPage",
    "Store",
    "StoreError",
    "SweepRow",
    "UnknownRowError",
    "UnknownSnapshotError",
    "UserRow",
]


#: The states W&B runs move through.
RUN_STATES = frozenset(
    {"pending", "running", "finished", "failed", "crashed", "killed", "preempting", "preempted"}
)

#: How long a runs cursor stays valid after its first page was served.
RUN_SNAPSHOT_TTL = timedelta(hours=24)
#: How many runs cursors are kept at most; the oldest are dropped first.
MAX_RUN_SNAPSHOTS = 10_000


def wrap_config(values: Mapping[str, Any]) -> dict[str, Any]:
    """A plain config in W&B's stored form, ``{"k": {"value": v, "desc": None}}``.

    Example:
        >>> wrap_config({"lr": 0.1})
        {'lr': {'value': 0.1, 'desc': None}}
    """
    return {key: {"value": value, "desc": None} for key, value in values.items()}


# -- rows ---------------------------------------------------------------------------------


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
class RunFileRow:
    """A file of a run; ``uploaded`` is false until its bytes have arrived.

    ``md5`` is the base64 of the md5 digest (what W&B reports), ``None`` before the upload.
    """

    pk: int
    run_pk: int
    name: str
    size_bytes: int
    md5: str | None
    mimetype: str | None
    created_at: str
    updated_at: str
    uploaded: bool


@dataclass(frozen=True)
class LogLineRow:
    """One line of a run's console output (``Run.logLines``).

    ``seq`` counts a run's lines from 1 and keys cursors; ``number`` is the line's position
    from 0, as W&B reports it. ``level`` is ``"error"`` for a line written to stderr and
    ``None`` for stdout (W&B's clients show that as an empty level).
    """

    seq: int
    number: int
    timestamp: str | None
    level: str | None
    label: str | None
    line: str


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


@dataclass(frozen=True)
class NewRun:
    """A run for :meth:`Store.bulk_insert_runs`: values are stored as given, unchecked.

    JSON fields may be mappings (dumped) or ready JSON text; the history statistics must
    match the rows the caller inserts with :meth:`Store.bulk_insert_history`.
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


@dataclass(frozen=True)
class RunsPage:
    """One page of a project's runs, read from a cursor snapshot.

    Attributes:
        snapshot_pk: the snapshot every cursor of this listing points into.
        runs: ``(position, run)`` pairs; ``position`` counts the snapshot entries up to and
            including this run, so ``(snapshot_pk, position)`` is the cursor after it.
        has_next_page: whether a live run follows the last one.
    """

    snapshot_pk: int
    runs: tuple[tuple[int, RunRow], ...]
    has_next_page: bool


# -- schema -------------------------------------------------------------------------------


# Column names are fixed: the run filter compiler (run_filters.py) writes SQL against them.
# Row ids are AUTOINCREMENT so a deleted run's or file's id (inside opaque ids, cursors and
# signed URLs) never comes back as someone else's.
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
CREATE TABLE IF NOT EXISTS history (
    run_pk INTEGER NOT NULL REFERENCES runs(pk) ON DELETE CASCADE,
    step   INTEGER NOT NULL,
    row    TEXT NOT NULL,
    PRIMARY KEY (run_pk, step)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS run_events (
    run_pk INTEGER NOT NULL REFERENCES runs(pk) ON DELETE CASCADE,
    seq    INTEGER NOT NULL,
    row    TEXT NOT NULL,
    PRIMARY KEY (run_pk, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS run_files (
    pk         INTEGER PRIMARY KEY AUTOINCREMENT,
    run_pk     INTEGER NOT NULL REFERENCES runs(pk) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    size_bytes INTEGER NOT NULL DEFAULT 0,
    md5        TEXT,
    mimetype   TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    uploaded   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (run_pk, name)
);
CREATE TABLE IF NOT EXISTS run_cursor_snapshots (
    pk         INTEGER PRIMARY KEY AUTOINCREMENT,
    project_pk INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    query_key  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    run_pks    BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS run_cursor_snapshots_created ON run_cursor_snapshots(created_at);
"""

HISTORY_BLOCKS_SQL = """
CREATE TABLE IF NOT EXISTS history_blocks (
    run_pk     INTEGER NOT NULL REFERENCES runs(pk) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    first_step INTEGER NOT NULL,
    last_step  INTEGER NOT NULL,
    row_count  INTEGER NOT NULL,
    steps      BLOB NOT NULL,
    rows       TEXT NOT NULL,
    PRIMARY KEY (run_pk, seq)
);
CREATE UNIQUE INDEX IF NOT EXISTS history_blocks_first ON history_blocks(run_pk, first_step);
CREATE UNIQUE INDEX IF NOT EXISTS history_blocks_last ON history_blocks(run_pk, last_step);
"""


def _history_into_blocks(conn: sqlite3.Connection) -> None:
    # Version 3 kept one table row per history row; move them into blocks, run by run.
    rows = conn.execute("SELECT run_pk, step, row FROM history ORDER BY run_pk, step")
    for run_pk, group in itertools.groupby(rows, key=lambda row: int(row[0])):
        items = list(group)
        _, blocks = append_blocks(None, [int(i[1]) for i in items], [str(i[2]) for i in items])
        _insert_blocks(conn, run_pk, blocks)
    conn.execute("DROP TABLE history")


def _insert_blocks(conn: sqlite3.Connection, run_pk: int, blocks: Iterable[Block]) -> None:
    conn.executemany(
        "INSERT INTO history_blocks (run_pk, seq, first_step, last_step, row_count, steps, rows)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(run_pk, b.seq, b.first_step, b.last_step, b.row_count, b.steps, b.rows) for b in blocks],
    )


LOG_LINES_SQL = """
CREATE TABLE IF NOT EXISTS run_log_lines (
    run_pk    INTEGER NOT NULL REFERENCES runs(pk) ON DELETE CASCADE,
    seq       INTEGER NOT NULL,
    timestamp TEXT,
    level     TEXT CHECK (level IS NULL OR level = 'error'),
    label     TEXT,
    line      TEXT NOT NULL,
    PRIMARY KEY (run_pk, seq)
) WITHOUT ROWID;
"""


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
CREATE INDEX IF NOT EXISTS runs_project_sweep ON runs(project_pk, sweep_name);
"""


#: The store's schema, in order. Append new domains (runs, files, artifacts, registries) as
#: new versions; a database remembers the last version it applied.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "identity", script(ENTITIES_SQL, ACCOUNTS_SQL, MEMBERS_SQL)),
    Migration(2, "projects", PROJECTS_SQL),
    Migration(3, "runs", script(RUNS_SQL, SERVER_SECRETS_SQL)),
    Migration(4, "history blocks", HISTORY_BLOCKS_SQL, _history_into_blocks),
    Migration(5, "console logs", LOG_LINES_SQL),
    Migration(6, "sweeps", SWEEPS_SQL),
)


# -- the store ----------------------------------------------------------------------------


class Store:
    """The emulator's data, in one SQLite database.

    Args:
        path: a database file (created if missing) or ``":memory:"`` for a private
            in-memory database that lives as long as this object.
        clock: the store's "now" (default: the system clock, UTC). It stamps runs and files,
            expires runs cursors and signed URLs; ``store.clock`` may be replaced later.

    Example:
        >>> store = Store()
        >>> user = store.accounts.create_user("ada")
        >>> store.entities.get("ada").kind
        'user'
    """

    def __init__(
        self, path: str | Path = ":memory:", *, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.db = Database(str(path), clock=clock, migrations=MIGRATIONS)
        self.entities = Entities(self.db)
        self.accounts = Accounts(self.db, self.entities)
        self.projects = Projects(self.db, self.entities)
        #: Run file bytes: ``<db>.files/`` beside a database file, a temporary directory for
        #: an in-memory database.
        self.blobs = BlobStore(None if self.db.in_memory else Path(self.db.path + ".files"))

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def path(self) -> str:
        """The database file (or ``":memory:"``)."""
        return self.db.path

    @property
    def clock(self) -> Callable[[], datetime]:
        """The store's "now"; tests replace it to travel in time."""
        return self.db.clock

    @clock.setter
    def clock(self, clock: Callable[[], datetime]) -> None:
        self.db.clock = clock

    def close(self) -> None:
        """Close the database connection (and remove a temporary files directory)."""
        with self.db.lock:
            self.db.close()
            self.blobs.close()

    def now(self) -> datetime:
        """The store's current time (see ``clock``)."""
        return self.db.now()

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """Hold the lock and run the block in one write transaction (rolled back on error).

        Nested use joins the outer transaction.
        """
        return self.db.transaction()

    @property
    def schema_version(self) -> int:
        """The last migration this database has applied."""
        return self.db.schema_version

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.path!r})"

    def counts(self) -> dict[str, int]:
        """How many users, entities, projects and runs the database holds."""
        return self.db.table_sizes(("users", "entities", "projects", "runs"))

    # -- runs -----------------------------------------------------------------------------

    def _new_run_name(self, project_pk: int) -> str:
        while True:
            name = random_id()
            if self.get_run(project_pk, name) is None:
                return name

    def create_run(
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
                normalised to :func:`precise_timestamp` form.
            heartbeat_at: last sign of life (default: ``created_at``).

        Returns:
            The new run.

        Raises:
            InvalidNameError: a bad run name.
            NameConflictError: the project has a run of that name.
            StoreError: an unknown state, or JSON that is not an object.
        """
        name = check_name(name, "run") if name is not None else self._new_run_name(project_pk)
        _check_state(state)
        created = normalise_timestamp(created_at) if created_at else self.db.stamp()
        heartbeat = normalise_timestamp(heartbeat_at) if heartbeat_at else created
        with self.transaction() as conn:
            if self.get_run(project_pk, name) is not None:
                raise NameConflictError(f"run {name!r} already exists in this project")
            cur = conn.execute(
                "INSERT INTO runs (project_pk, name, display_name, state, config, summary,"
                " system_metrics, tags, notes, description, group_name, job_type, host,"
                " commit_hash, sweep_name, user_pk, created_at, updated_at, heartbeat_at,"
                " history_keys) VALUES (" + ", ".join("?" * 20) + ")",
                (
                    project_pk,
                    name,
                    display_name if display_name is not None else name,
                    state,
                    json_object_text(config, "config"),
                    json_object_text(summary, "summary"),
                    json_object_text(system_metrics, "system metrics"),
                    tags_text(tags),
                    notes,
                    description,
                    group_name,
                    job_type,
                    host,
                    commit_hash,
                    sweep_name,
                    user_pk,
                    created,
                    created,
                    heartbeat,
                    dumps_json(empty_history_keys()),
                ),
            )
            run = self.get_run_by_pk(lastrowid(cur))
        assert run is not None
        return run

    def get_run(self, project_pk: int, name: str) -> RunRow | None:
        """The run ``name`` (its id) in a project, or ``None``."""
        row = self.db.one(
            "SELECT * FROM runs WHERE project_pk = ? AND name = ?", (project_pk, name)
        )
        return _run(row) if row else None

    def get_run_by_pk(self, pk: int) -> RunRow | None:
        """The run with row id ``pk``, or ``None``."""
        row = self.db.one("SELECT * FROM runs WHERE pk = ?", (pk,))
        return _run(row) if row else None

    def get_runs_by_pks(self, pks: Iterable[int]) -> dict[int, RunRow]:
        """The runs with these row ids that exist, by row id."""
        rows = self.db.rows_by_pks("SELECT * FROM runs WHERE pk IN", pks)
        return {row["pk"]: _run(row) for row in rows}

    def find_run(self, entity_name: str, project_name: str, run_name: str) -> RunRow | None:
        """The run ``entity/project/run`` by names (one query), or ``None``."""
        row = self.db.one(
            "SELECT r.* FROM runs r JOIN projects p ON p.id = r.project_pk"
            " JOIN entities e ON e.id = p.entity_id"
            " WHERE e.name = ? AND p.name = ? AND r.name = ?",
            (entity_name, project_name, run_name),
        )
        return _run(row) if row else None

    def run_names(self, project_pk: int) -> set[str]:
        """The names (ids) of every run of a project."""
        rows = self.db.all("SELECT name FROM runs WHERE project_pk = ?", (project_pk,))
        return {row[0] for row in rows}

    def update_run(
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
        with self.transaction() as conn:
            if self.get_run_by_pk(pk) is None:
                raise UnknownRowError("run not found")
            changes["updated_at"] = self.db.stamp()
            # Column names come from the fixed keys above, never from the caller.
            assignments = ", ".join(f"{column} = ?" for column in changes)
            conn.execute(f"UPDATE runs SET {assignments} WHERE pk = ?", (*changes.values(), pk))
            run = self.get_run_by_pk(pk)
        assert run is not None
        return run

    def delete_run(self, pk: int) -> bool:
        """Delete a run with its history, events, files and their bytes.

        Returns:
            ``False`` if there was no such run.
        """
        with self.transaction() as conn:
            deleted = conn.execute("DELETE FROM runs WHERE pk = ?", (pk,)).rowcount > 0
            # Under the lock: an upload that commits concurrently either finished before
            # (and its bytes go now) or finds its file row gone.
            if deleted:
                self.blobs.remove_run(pk)
        return deleted

    def _runs_where(
        self, project_pk: int, filters: Any, names: Sequence[str] | None
    ) -> tuple[str, list[Any]]:
        fragment = compile_run_filters(filters)
        clauses = ["r.project_pk = ?", f"({fragment.sql})"]
        params: list[Any] = [project_pk, *fragment.params]
        if names:
            clauses.append(f"r.name IN ({','.join('?' * len(names))})")
            params.extend(names)
        return " AND ".join(clauses), params

    def run_pks(
        self,
        project_pk: int,
        *,
        filters: Any = None,
        order: str | None = None,
        names: Sequence[str] | None = None,
    ) -> list[int]:
        """The row ids of a project's runs that match, in order.

        Args:
            project_pk: the project.
            filters: W&B's Mongo-style filter (parsed JSON) or ``None`` for all runs.
            order: ``[+|-]created_at``, ``[+|-]summary_metrics.x``, ``[+|-]config.x``...
                (default: newest first); ties are broken by row id.
            names: only runs with these names (ids); empty or ``None`` for any.

        Raises:
            wandbkit.server.run_filters.FilterError: a filter or order the server does not
                understand.
        """
        where, params = self._runs_where(project_pk, filters, names)
        terms = compile_run_order(order)
        order_by = ", ".join(f"{t.sql} {'DESC' if t.descending else 'ASC'}" for t in terms)
        rows = self.db.all(
            f"SELECT r.pk FROM {_RUNS_FROM} WHERE {where} ORDER BY {order_by}", params
        )
        return [int(row[0]) for row in rows]

    def count_runs(
        self, project_pk: int, *, filters: Any = None, names: Sequence[str] | None = None
    ) -> int:
        """How many of a project's runs match ``filters`` (see :meth:`run_pks`).

        Raises:
            wandbkit.server.run_filters.FilterError: a filter the server does not understand.
        """
        where, params = self._runs_where(project_pk, filters, names)
        row = self.db.one(f"SELECT COUNT(*) FROM {_RUNS_FROM} WHERE {where}", params)
        assert row is not None
        return int(row[0])

    def list_runs(
        self,
        project_pk: int,
        *,
        filters: Any = None,
        order: str | None = None,
        names: Sequence[str] | None = None,
    ) -> list[RunRow]:
        """A project's matching runs, in order (see :meth:`run_pks`); for tests and tools."""
        pks = self.run_pks(project_pk, filters=filters, order=order, names=names)
        found = self.get_runs_by_pks(pks)
        return [found[pk] for pk in pks if pk in found]

    # -- runs cursors ---------------------------------------------------------------------

    def runs_page(
        self,
        project_pk: int,
        *,
        limit: int,
        filters: Any = None,
        order: str | None = None,
        names: Sequence[str] | None = None,
        after: tuple[int, int] | None = None,
    ) -> RunsPage:
        """One page of a project's runs, stable while runs change between pages.

        The first page (``after`` is ``None``) snapshots the ordered row ids of every match;
        later pages read that snapshot from ``after = (snapshot_pk, position)`` on. A run
        therefore appears at most once and none that existed at the first page is skipped,
        even when runs are created, updated or re-ordered meanwhile. Runs deleted since are
        left out; runs created since are not listed (start again to see them). Rows are read
        fresh, so each page shows current values.

        Args:
            project_pk: the project.
            limit: the page size (0 or more).
            filters: see :meth:`run_pks`.
            order: see :meth:`run_pks`.
            names: see :meth:`run_pks`.
            after: the position after the last run already seen.

        Raises:
            UnknownSnapshotError: ``after`` names a snapshot that expired (older than
                :data:`RUN_SNAPSHOT_TTL`), was pruned, or was made for another project or
                another filters/order.
            wandbkit.server.run_filters.FilterError: a bad filter or order.
        """
        query_key = _runs_query_key(filters, order, names)
        if after is None:
            pks = self.run_pks(project_pk, filters=filters, order=order, names=names)
            snapshot_pk = self._save_run_snapshot(project_pk, query_key, pks)
            start = 0
        else:
            snapshot_pk, start = after
            pks = self._load_run_snapshot(snapshot_pk, project_pk, query_key)
        found: list[tuple[int, RunRow]] = []
        position = start
        # Fetch in chunks, skipping deleted runs, until one run beyond the page is known.
        while position < len(pks) and len(found) <= limit:
            chunk = pks[position : position + 2 * (limit + 1 - len(found)) + 8]
            rows = self.get_runs_by_pks(chunk)
            for offset, pk in enumerate(chunk):
                if pk in rows:
                    found.append((position + offset + 1, rows[pk]))
                    if len(found) > limit:
                        break
            position += len(chunk)
        return RunsPage(snapshot_pk, tuple(found[:limit]), has_next_page=len(found) > limit)

    def _save_run_snapshot(self, project_pk: int, query_key: str, pks: Sequence[int]) -> int:
        now = self.now()
        packed = struct.pack(f"<{len(pks)}q", *pks)
        with self.transaction() as conn:
            conn.execute(
                "DELETE FROM run_cursor_snapshots WHERE created_at < ?",
                (precise_timestamp(now - RUN_SNAPSHOT_TTL),),
            )
            cur = conn.execute(
                "INSERT INTO run_cursor_snapshots (project_pk, query_key, created_at, run_pks)"
                " VALUES (?, ?, ?, ?)",
                (project_pk, query_key, precise_timestamp(now), packed),
            )
            snapshot_pk = lastrowid(cur)
            conn.execute(
                "DELETE FROM run_cursor_snapshots WHERE pk <= ?",
                (snapshot_pk - MAX_RUN_SNAPSHOTS,),
            )
        return snapshot_pk

    def _load_run_snapshot(self, snapshot_pk: int, project_pk: int, query_key: str) -> list[int]:
        row = self.db.one("SELECT * FROM run_cursor_snapshots WHERE pk = ?", (snapshot_pk,))
        if row is None or row["created_at"] < precise_timestamp(self.now() - RUN_SNAPSHOT_TTL):
            raise UnknownSnapshotError(
                "the cursor has expired; list the runs again from the first page"
            )
        if row["project_pk"] != project_pk or row["query_key"] != query_key:
            raise UnknownSnapshotError(
                "the cursor belongs to another listing (project, filters or order differ)"
            )
        data = bytes(row["run_pks"])
        return list(struct.unpack(f"<{len(data) // 8}q", data))

    # -- history --------------------------------------------------------------------------

    def append_history(
        self, run_pk: int, rows: Iterable[Mapping[str, Any]], *, update_summary: bool = False
    ) -> RunRow:
        """Log history rows to a run, keeping ``historyKeys``, ``lastStep`` and the line count.

        Each row is a mapping of metric names to JSON values. Missing bookkeeping is filled
        in as W&B does: ``_step`` (the next step), ``_timestamp`` (the store's clock, Unix
        seconds) and ``_runtime`` (seconds since the run was created).

        Args:
            run_pk: the run.
            rows: the rows, in step order.
            update_summary: also merge each row into the run's summary (as ``wandb.log``
                does), so the summary holds the last logged values.

        Returns:
            The updated run.

        Raises:
            UnknownRowError: no run has that id.
            StoreError: a ``_step`` that is not an integer above the run's last step.
        """
        with self.transaction() as conn:
            run = self.get_run_by_pk(run_pk)
            if run is None:
                raise UnknownRowError("run not found")
            started = parse_timestamp(run.created_at).timestamp()
            now = self.now().timestamp()
            last_step = run.last_step
            prepared: list[dict[str, Any]] = []
            for given in rows:
                row = dict(given)
                step = row.get("_step", last_step + 1)
                if isinstance(step, bool) or not isinstance(step, int) or step <= last_step:
                    raise StoreError(
                        f"history _step must be an integer above {last_step}, got {step!r}"
                    )
                row["_step"] = step
                row.setdefault("_timestamp", now)
                row.setdefault("_runtime", max(0.0, float(row["_timestamp"]) - started))
                prepared.append(row)
                last_step = step
            if not prepared:
                return run
            self._append_history_texts(
                conn, run_pk, [row["_step"] for row in prepared], [dumps_json(r) for r in prepared]
            )
            keys = merge_history_keys(json.loads(run.history_keys or "{}"), prepared, last_step)
            summary = run.summary
            if update_summary:
                merged = json.loads(summary)
                for row in prepared:
                    merged.update(row)
                summary = dumps_json(merged)
            conn.execute(
                "UPDATE runs SET history_line_count = history_line_count + ?, last_step = ?,"
                " history_keys = ?, summary = ?, updated_at = ? WHERE pk = ?",
                (len(prepared), last_step, dumps_json(keys), summary, self.db.stamp(), run_pk),
            )
            updated = self.get_run_by_pk(run_pk)
        assert updated is not None
        return updated

    def _append_history_texts(
        self, conn: sqlite3.Connection, run_pk: int, steps: Sequence[int], texts: Sequence[str]
    ) -> None:
        """Store rows after a run's last block (filling it first); see
        :mod:`wandbkit.server.history_blocks`.

        Raises:
            StoreError: steps not strictly increasing or not above the stored ones, or a row
                that is not JSON text.
        """
        last = conn.execute(
            "SELECT seq, first_step, last_step, row_count, steps, rows FROM history_blocks"
            " WHERE run_pk = ? ORDER BY seq DESC LIMIT 1",
            (run_pk,),
        ).fetchone()
        stored = Block(*last) if last is not None else None
        try:
            refilled, new = append_blocks(stored, steps, texts)
        except HistoryLayoutError as exc:
            raise StoreError(str(exc)) from None
        if refilled is not None:
            conn.execute(
                "UPDATE history_blocks SET last_step = ?, row_count = ?, steps = ?, rows = ?"
                " WHERE run_pk = ? AND seq = ?",
                (
                    refilled.last_step,
                    refilled.row_count,
                    refilled.steps,
                    refilled.rows,
                    run_pk,
                    refilled.seq,
                ),
            )
        _insert_blocks(conn, run_pk, new)

    def history_rows(
        self,
        run_pk: int,
        *,
        min_step: int | None = None,
        max_step: int | None = None,
        limit: int | None = None,
    ) -> list[str]:
        """History rows as stored JSON text, in step order, for steps in
        ``[min_step, max_step)`` (either bound may be ``None``), at most ``limit`` of them."""
        if limit is not None and limit <= 0:
            return []
        with self.db.lock:
            # Blocks' step ranges rise with seq: two index seeks find the blocks to read.
            low, high = 0, None
            if min_step is not None:
                found = self.db.one(
                    "SELECT seq FROM history_blocks WHERE run_pk = ? AND last_step >= ?"
                    " ORDER BY last_step LIMIT 1",
                    (run_pk, min_step),
                )
                if found is None:
                    return []
                low = int(found[0])
            if max_step is not None:
                found = self.db.one(
                    "SELECT seq FROM history_blocks WHERE run_pk = ? AND first_step < ?"
                    " ORDER BY first_step DESC LIMIT 1",
                    (run_pk, max_step),
                )
                if found is None or int(found[0]) < low:
                    return []
                high = int(found[0])
            if high is None and limit is not None:
                # Full blocks of BLOCK_ROWS rows: no more blocks than these can be needed.
                high = low + limit // BLOCK_ROWS + 1
            sql = (
                "SELECT first_step, last_step, steps, rows FROM history_blocks"
                " WHERE run_pk = ? AND seq >= ?"
            )
            params: list[Any] = [run_pk, low]
            if high is not None:
                sql += " AND seq <= ?"
                params.append(high)
            blocks = self.db.all(sql + " ORDER BY seq", params)
        texts: list[str] = []
        for first, last, steps, joined in blocks:
            texts.extend(rows_between(first, last, steps, joined, min_step, max_step))
            if limit is not None and len(texts) >= limit:
                return texts[:limit]
        return texts

    def history_rows_sampled(self, run_pk: int, samples: int) -> list[str]:
        """At most ``samples`` evenly spaced history rows (first and last kept), as JSON text.

        The same rows as ``downsample(history_rows(run_pk), samples)``, but only the blocks
        holding a kept row are read (see :func:`~wandbkit.server.history_blocks.sample_plan`).
        """
        if samples <= 0:
            return []
        with self.db.lock:
            shape = self.db.one(
                "SELECT COUNT(*), MAX(seq), SUM(row_count), (SELECT row_count FROM"
                " history_blocks WHERE run_pk = ?1 ORDER BY seq DESC LIMIT 1)"
                " FROM history_blocks WHERE run_pk = ?1",
                (run_pk,),
            )
            assert shape is not None
            blocks, last_seq, count, last_count = shape
            if not blocks:
                return []
            regular = last_seq == blocks - 1 and count == (blocks - 1) * BLOCK_ROWS + last_count
            if count <= samples or not regular:
                # Not the layout append_blocks makes (a hand-edited database, say): positions
                # do not follow from row numbers, so read everything.
                return downsample(self.history_rows(run_pk), samples)
            plan = sample_plan(count, samples)
            if len(plan.blocks) == blocks:
                sql = "SELECT rows FROM history_blocks WHERE run_pk = ? ORDER BY seq"
                params: tuple[Any, ...] = (run_pk,)
            else:
                sql = (
                    "SELECT rows FROM history_blocks WHERE run_pk = ?"
                    " AND seq IN (SELECT value FROM json_each(?)) ORDER BY seq"
                )
                params = (run_pk, json.dumps(plan.blocks))
            found = self.db.all(sql, params)
        rows: list[str] = []
        for (joined,) in found:
            rows.extend(split_rows(joined))
        return plan.pick(rows)

    def history_steps(self, run_pk: int) -> list[int]:
        """Every logged step of a run, in order."""
        blocks = self.db.all(
            "SELECT steps FROM history_blocks WHERE run_pk = ? ORDER BY seq", (run_pk,)
        )
        steps: list[int] = []
        for (packed,) in blocks:
            steps.extend(unpack_steps(packed))
        return steps

    def append_events(self, run_pk: int, rows: Iterable[Mapping[str, Any]]) -> int:
        """Log system-metric rows (``Run.events``) to a run; returns how many were added.

        Raises:
            UnknownRowError: no run has that id.
        """
        with self.transaction() as conn:
            if self.get_run_by_pk(run_pk) is None:
                raise UnknownRowError("run not found")
            last = self.db.one("SELECT MAX(seq) FROM run_events WHERE run_pk = ?", (run_pk,))
            first = (last[0] if last and last[0] is not None else -1) + 1
            values = [(run_pk, first + i, dumps_json(row)) for i, row in enumerate(rows)]
            conn.executemany("INSERT INTO run_events (run_pk, seq, row) VALUES (?, ?, ?)", values)
        return len(values)

    def event_rows(self, run_pk: int) -> list[str]:
        """A run's system-metric rows as stored JSON text, oldest first."""
        rows = self.db.all("SELECT row FROM run_events WHERE run_pk = ? ORDER BY seq", (run_pk,))
        return [row[0] for row in rows]

    # -- sweeps ---------------------------------------------------------------------------

    def create_sweep(
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
            created_at: ISO-8601 creation time (default: now).

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
        stamp = normalise_timestamp(created_at) if created_at else self.db.stamp()
        with self.transaction() as conn:
            if self.projects.get_by_pk(project_pk) is None:
                raise UnknownRowError("project not found")
            if self.get_sweep(project_pk, sweep_name) is not None:
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
            created = self.db.one("SELECT * FROM sweeps WHERE pk = ?", (lastrowid(cur),))
        assert created is not None
        return SweepRow(**dict(created))

    def get_sweep(self, project_pk: int, name: str) -> SweepRow | None:
        """The sweep ``name`` (its id) of a project, or ``None``."""
        row = self.db.one(
            "SELECT * FROM sweeps WHERE project_pk = ? AND name = ?", (project_pk, name)
        )
        return SweepRow(**dict(row)) if row is not None else None

    def list_sweeps(self, project_pk: int, *, after_pk: int = 0, limit: int) -> list[SweepRow]:
        """A project's sweeps in creation order, after row id ``after_pk``, at most ``limit``."""
        rows = self.db.all(
            "SELECT * FROM sweeps WHERE project_pk = ? AND pk > ? ORDER BY pk LIMIT ?",
            (project_pk, after_pk, limit),
        )
        return [SweepRow(**dict(row)) for row in rows]

    def count_sweeps(self, project_pk: int) -> int:
        """How many sweeps a project has."""
        row = self.db.one("SELECT COUNT(*) FROM sweeps WHERE project_pk = ?", (project_pk,))
        return int(row[0]) if row is not None else 0

    def count_sweep_runs(self, project_pk: int, name: str) -> int:
        """How many runs of a project belong to the sweep ``name``."""
        row = self.db.one(
            "SELECT COUNT(*) FROM runs WHERE project_pk = ? AND sweep_name = ?", (project_pk, name)
        )
        return int(row[0]) if row is not None else 0

    # -- console output -------------------------------------------------------------------

    def append_log_lines(self, run_pk: int, lines: Iterable[str | Mapping[str, Any]]) -> int:
        """Add lines to a run's console output; returns how many were added.

        Each line is its text (stdout, no timestamp) or a mapping with ``line`` and optional
        ``level`` (``"error"`` for stderr; ``None`` or absent for stdout), ``timestamp``
        (ISO-8601 text or an aware ``datetime``) and ``label`` (which process of a
        multi-process run wrote it).

        Raises:
            UnknownRowError: no run has that id.
            StoreError: a line that is not text, an unknown level or a bad timestamp.
        """
        values = []
        with self.transaction() as conn:
            if self.get_run_by_pk(run_pk) is None:
                raise UnknownRowError("run not found")
            last = self.db.one("SELECT MAX(seq) FROM run_log_lines WHERE run_pk = ?", (run_pk,))
            seq = last[0] if last is not None and last[0] is not None else 0
            for given in lines:
                seq += 1
                values.append((run_pk, seq, *_log_line_values(given)))
            conn.executemany(
                "INSERT INTO run_log_lines (run_pk, seq, timestamp, level, label, line)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                values,
            )
        return len(values)

    def log_lines(self, run_pk: int, *, after_seq: int = 0, limit: int) -> list[LogLineRow]:
        """A run's console lines after ``after_seq``, oldest first, at most ``limit``."""
        rows = self.db.all(
            "SELECT seq, seq - 1, timestamp, level, label, line FROM run_log_lines"
            " WHERE run_pk = ? AND seq > ? ORDER BY seq LIMIT ?",
            (run_pk, after_seq, limit),
        )
        return [LogLineRow(*row) for row in rows]

    def log_lines_tail(self, run_pk: int, last: int) -> list[LogLineRow]:
        """A run's last ``last`` console lines, oldest first."""
        rows = self.db.all(
            "SELECT * FROM (SELECT seq, seq - 1, timestamp, level, label, line"
            " FROM run_log_lines WHERE run_pk = ? ORDER BY seq DESC LIMIT ?) ORDER BY 1",
            (run_pk, last),
        )
        return [LogLineRow(*row) for row in rows]

    def count_log_lines(self, run_pk: int) -> int:
        """How many console lines a run has."""
        row = self.db.one("SELECT COUNT(*) FROM run_log_lines WHERE run_pk = ?", (run_pk,))
        return int(row[0]) if row is not None else 0

    # -- bulk loading -----------------------------------------------------------------------

    def bulk_insert_runs(self, project_pk: int, runs: Iterable[NewRun]) -> list[int]:
        """Insert many runs without per-run checks; returns their row ids, in order.

        Meant for seeding inside one :meth:`transaction` together with
        :meth:`bulk_insert_history`; names must be unique in the project.
        """
        pks: list[int] = []
        with self.transaction() as conn:
            for run in runs:
                created = run.created_at
                cur = conn.execute(
                    "INSERT INTO runs (project_pk, name, display_name, state, config, summary,"
                    " system_metrics, tags, notes, description, group_name, job_type, host,"
                    " commit_hash, sweep_name, user_pk, created_at, updated_at, heartbeat_at,"
                    " history_line_count, last_step, history_keys)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        project_pk,
                        run.name,
                        run.display_name if run.display_name is not None else run.name,
                        run.state,
                        json_text(run.config),
                        json_text(run.summary),
                        json_text(run.system_metrics),
                        tags_text(run.tags),
                        run.notes,
                        run.description,
                        run.group_name,
                        run.job_type,
                        run.host,
                        run.commit_hash,
                        run.sweep_name,
                        run.user_pk,
                        created,
                        run.updated_at or created,
                        run.heartbeat_at or created,
                        run.history_line_count,
                        run.last_step,
                        json_text(run.history_keys),
                    ),
                )
                pks.append(lastrowid(cur))
        return pks

    def bulk_insert_history(self, rows: Iterable[tuple[int, int, str]]) -> None:
        """Insert ``(run_pk, step, row JSON text)`` history rows as given (no bookkeeping).

        The caller keeps the runs' ``history_line_count``, ``last_step`` and
        ``history_keys`` right (see :class:`NewRun`). A run's rows come together, in rising
        step order, after any rows it already has.

        Raises:
            StoreError: steps out of order, or a row that is not JSON text.
        """
        with self.transaction() as conn:
            for run_pk, group in itertools.groupby(rows, key=lambda row: row[0]):
                items = list(group)
                self._append_history_texts(
                    conn, run_pk, [item[1] for item in items], [item[2] for item in items]
                )

    # -- run files ------------------------------------------------------------------------

    def create_run_file(
        self,
        run_pk: int,
        name: str,
        *,
        mimetype: str | None = None,
        created_at: str | None = None,
    ) -> RunFileRow:
        """The file ``name`` of a run, created pending (not uploaded) if it does not exist.

        Raises:
            UnknownRowError: no run has that id.
            InvalidNameError: an empty name, an absolute path, or ``.``/``..`` segments.
        """
        check_file_name(name)
        with self.transaction() as conn:
            existing = self.get_run_file(run_pk, name)
            if existing is not None:
                return existing
            if self.get_run_by_pk(run_pk) is None:
                raise UnknownRowError("run not found")
            now = normalise_timestamp(created_at) if created_at else self.db.stamp()
            cur = conn.execute(
                "INSERT INTO run_files (run_pk, name, mimetype, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (run_pk, name, mimetype or guess_mimetype(name), now, now),
            )
            created = self.get_run_file_by_pk(lastrowid(cur))
        assert created is not None
        return created

    def put_run_file(
        self,
        run_pk: int,
        name: str,
        data: bytes,
        *,
        mimetype: str | None = None,
        updated_at: str | None = None,
        fsync: bool = True,
    ) -> RunFileRow:
        """Store a run file's bytes in one call (create or replace); for seeds and tests.

        Args:
            run_pk: the run.
            name: the file's path in the run (``media/plot.png``).
            data: the bytes.
            mimetype: default: guessed from the name.
            updated_at: the upload time (default: the store's clock); a new file is also
                created at this time.
            fsync: force the bytes to disk before they are renamed into place (seeds that
                can simply be re-run skip it).

        Raises:
            UnknownRowError: no run has that id.
            InvalidNameError: a bad file name (see :meth:`create_run_file`).
        """
        with self.transaction():
            pending = self.create_run_file(run_pk, name, mimetype=mimetype, created_at=updated_at)
            size, md5 = self.blobs.write_bytes(run_pk, pending.pk, data, fsync=fsync)
            return self._mark_uploaded(pending.pk, size, md5, updated_at)

    def commit_run_file_upload(self, file_pk: int, writer: BlobWriter) -> RunFileRow:
        """Move an upload's bytes into place and mark the file uploaded with their size and md5.

        Raises:
            UnknownRowError: the file was deleted while its bytes were arriving (they are
                discarded).
        """
        with self.transaction():
            file = self.get_run_file_by_pk(file_pk)
            if file is None:
                writer.abort()
                raise UnknownRowError("file not found")
            writer.commit(self.blobs.path(file.run_pk, file.pk))
            return self._mark_uploaded(file.pk, writer.size, writer.md5, None)

    def _mark_uploaded(
        self, file_pk: int, size: int, md5: str, updated_at: str | None
    ) -> RunFileRow:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE run_files SET size_bytes = ?, md5 = ?, uploaded = 1, updated_at = ?"
                " WHERE pk = ?",
                (
                    size,
                    md5,
                    normalise_timestamp(updated_at) if updated_at else self.db.stamp(),
                    file_pk,
                ),
            )
            file = self.get_run_file_by_pk(file_pk)
        assert file is not None
        return file

    def get_run_file(self, run_pk: int, name: str) -> RunFileRow | None:
        """The file ``name`` of a run (uploaded or not), or ``None``."""
        row = self.db.one("SELECT * FROM run_files WHERE run_pk = ? AND name = ?", (run_pk, name))
        return _run_file(row) if row else None

    def get_run_file_by_pk(self, pk: int) -> RunFileRow | None:
        """The run file with row id ``pk``, or ``None``."""
        row = self.db.one("SELECT * FROM run_files WHERE pk = ?", (pk,))
        return _run_file(row) if row else None

    def get_run_files_by_pks(self, pks: Iterable[int]) -> dict[int, RunFileRow]:
        """The run files with these row ids that exist, by row id."""
        rows = self.db.rows_by_pks("SELECT * FROM run_files WHERE pk IN", pks)
        return {row["pk"]: _run_file(row) for row in rows}

    def list_run_files(
        self,
        run_pk: int,
        *,
        names: Sequence[str] | None = None,
        pattern: str | None = None,
        mimetypes: Sequence[str] | None = None,
        after_pk: int = 0,
        limit: int = 1000,
        uploaded_only: bool = True,
    ) -> list[RunFileRow]:
        """A run's files in creation order (row id), starting after ``after_pk``.

        Args:
            run_pk: the run.
            names: only these exact names (empty or ``None``: any).
            pattern: an SQL ``LIKE`` pattern on the name (``%`` any run, ``_`` one
                character, ``\\`` escapes), case-insensitive for ASCII as on MySQL.
            mimetypes: only these MIME types (empty or ``None``: any).
            after_pk: keyset position (the row id of the last file already seen).
            limit: at most this many files.
            uploaded_only: leave out files whose bytes have not arrived.
        """
        sql = "SELECT * FROM run_files WHERE run_pk = ? AND pk > ?"
        params: list[Any] = [run_pk, after_pk]
        if uploaded_only:
            sql += " AND uploaded = 1"
        if names:
            sql += f" AND name IN ({','.join('?' * len(names))})"
            params.extend(names)
        if pattern is not None:
            sql += " AND name LIKE ? ESCAPE '\\'"
            params.append(pattern)
        if mimetypes:
            sql += f" AND mimetype IN ({','.join('?' * len(mimetypes))})"
            params.extend(mimetypes)
        sql += " ORDER BY pk LIMIT ?"
        params.append(limit)
        return [_run_file(row) for row in self.db.all(sql, params)]

    def count_run_files(self, run_pk: int, *, uploaded_only: bool = True) -> int:
        """How many files a run has (by default only those whose bytes arrived)."""
        sql = "SELECT COUNT(*) FROM run_files WHERE run_pk = ?"
        if uploaded_only:
            sql += " AND uploaded = 1"
        row = self.db.one(sql, (run_pk,))
        assert row is not None
        return int(row[0])

    def delete_run_files(self, pks: Iterable[int]) -> int:
        """Delete run files and their bytes; returns how many existed."""
        with self.transaction() as conn:
            files = self.get_run_files_by_pks(pks).values()
            conn.executemany("DELETE FROM run_files WHERE pk = ?", [(f.pk,) for f in files])
            for file in files:
                self.blobs.remove(file.run_pk, file.pk)
        return len(files)

    def run_file_path(self, file: RunFileRow) -> Path:
        """Where an uploaded file's bytes are on disk."""
        return self.blobs.path(file.run_pk, file.pk)


# -- helpers ------------------------------------------------------------------------------


_RUNS_FROM = "runs r LEFT JOIN users u ON u.id = r.user_pk"

#: MIME types for the files W&B runs usually have; the standard table lacks or differs on them.
_KNOWN_MIMETYPES = {
    ".log": "text/plain",
    ".yaml": "text/yaml",
    ".yml": "text/yaml",
    ".txt": "text/plain",
    ".json": "application/json",
    ".md": "text/markdown",
    ".ckpt": "application/octet-stream",
    ".pt": "application/octet-stream",
    ".pth": "application/octet-stream",
}


def guess_mimetype(name: str) -> str:
    """The MIME type a run file gets from its name."""
    suffix = Path(name).suffix.lower()
    if suffix in _KNOWN_MIMETYPES:
        return _KNOWN_MIMETYPES[suffix]
    guessed, _ = mimetypes.guess_type(name, strict=False)
    return guessed or "application/octet-stream"


def check_file_name(name: str) -> str:
    """Validate a run file name: a relative path without ``.``/``..`` or empty segments.

    Raises:
        InvalidNameError: the name is unsafe or empty.
    """
    if not isinstance(name, str) or not name or len(name) > 1024:
        raise InvalidNameError("file names must be non-empty strings of at most 1024 characters")
    segments = name.split("/")
    if (
        name.startswith("/")
        or "\\" in name
        or "\x00" in name
        or any(segment in ("", ".", "..") for segment in segments)
    ):
        raise InvalidNameError(
            f"file name {name!r} must be a relative path without '.', '..' or empty segments"
        )
    return name


def _check_state(state: str) -> str:
    if state not in RUN_STATES:
        raise StoreError(f"run state must be one of {', '.join(sorted(RUN_STATES))}; got {state!r}")
    return state


def _log_line_values(
    given: str | Mapping[str, Any],
) -> tuple[str | None, str | None, str | None, str]:
    # (timestamp, level, label, line) of one console line, checked.
    if isinstance(given, str):
        return None, None, None, given
    if not isinstance(given, Mapping) or not isinstance(given.get("line"), str):
        raise StoreError(f"a console line is its text or a mapping with a 'line' text: {given!r}")
    level = given.get("level")
    if level not in (None, "error"):
        raise StoreError(f"console line level must be 'error' (stderr) or None, got {level!r}")
    label = given.get("label")
    if label is not None and not isinstance(label, str):
        raise StoreError(f"console line label must be text, got {label!r}")
    stamp = given.get("timestamp")
    if isinstance(stamp, datetime):
        stamp = precise_timestamp(stamp)
    elif stamp is not None:
        if not isinstance(stamp, str):
            raise StoreError(f"console line timestamp must be ISO-8601 text, got {stamp!r}")
        try:
            stamp = normalise_timestamp(stamp)
        except ValueError:
            raise StoreError(f"console line timestamp is not ISO-8601: {stamp!r}") from None
    return stamp, level, label, given["line"]


def _runs_query_key(filters: Any, order: str | None, names: Sequence[str] | None) -> str:
    # What a cursor's snapshot was made for; a cursor replayed with other arguments is refused.
    canonical = json.dumps(
        [filters, order, sorted(names) if names else None], sort_keys=True, default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def _run(row: sqlite3.Row) -> RunRow:
    return RunRow(
        pk=row["pk"],
        project_pk=row["project_pk"],
        name=row["name"],
        display_name=row["display_name"],
        state=row["state"],
        config=row["config"],
        summary=row["summary"],
        system_metrics=row["system_metrics"],
        tags=tuple(json.loads(row["tags"] or "[]")),
        notes=row["notes"],
        description=row["description"],
        group_name=row["group_name"],
        job_type=row["job_type"],
        host=row["host"],
        commit_hash=row["commit_hash"],
        sweep_name=row["sweep_name"],
        user_pk=row["user_pk"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        heartbeat_at=row["heartbeat_at"],
        history_line_count=row["history_line_count"],
        last_step=row["last_step"],
        history_keys=row["history_keys"],
    )


def _run_file(row: sqlite3.Row) -> RunFileRow:
    return RunFileRow(
        pk=row["pk"],
        run_pk=row["run_pk"],
        name=row["name"],
        size_bytes=row["size_bytes"],
        md5=row["md5"],
        mimetype=row["mimetype"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        uploaded=bool(row["uploaded"]),
    )
