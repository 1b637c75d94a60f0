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

import itertools
import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from wandbkit.server.blobs import BlobStore
from wandbkit.server.history import (
    downsample,
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
from wandbkit.server.store.run_files import RUN_FILES_SQL, RunFileRow, RunFiles
from wandbkit.server.store.run_listing import RUN_SNAPSHOTS_SQL, RunListing, RunsPage
from wandbkit.server.store.runs import RUNS_SQL, RUNS_SWEEP_INDEX_SQL, NewRun, RunRow, Runs
from wandbkit.server.store.text import (
    check_name,
    dumps_json,
    normalise_timestamp,
    parse_timestamp,
    precise_timestamp,
    random_id,
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


# -- rows ---------------------------------------------------------------------------------


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


# -- schema -------------------------------------------------------------------------------


#: Part of migration 3 ("runs"): history one table row per history row (moved into blocks by
#: migration 4) and system-metric events.
HISTORY_V3_SQL = """
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
"""


#: The store's schema, in order. Append new domains (runs, files, artifacts, registries) as
#: new versions; a database remembers the last version it applied.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "identity", script(ENTITIES_SQL, ACCOUNTS_SQL, MEMBERS_SQL)),
    Migration(2, "projects", PROJECTS_SQL),
    Migration(
        3,
        "runs",
        script(RUNS_SQL, HISTORY_V3_SQL, RUN_FILES_SQL, RUN_SNAPSHOTS_SQL, SERVER_SECRETS_SQL),
    ),
    Migration(4, "history blocks", HISTORY_BLOCKS_SQL, _history_into_blocks),
    Migration(5, "console logs", LOG_LINES_SQL),
    Migration(6, "sweeps", script(SWEEPS_SQL, RUNS_SWEEP_INDEX_SQL)),
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
        #: Run file bytes: ``<db>.files/`` beside a database file, a temporary directory for
        #: an in-memory database.
        blobs = BlobStore(None if self.db.in_memory else Path(self.db.path + ".files"))
        self.entities = Entities(self.db)
        self.accounts = Accounts(self.db, self.entities)
        self.projects = Projects(self.db, self.entities)
        self.run_files = RunFiles(self.db, blobs)
        self.runs = Runs(self.db, self.projects, self.run_files)
        self.run_listing = RunListing(self.db, self.runs)

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
            self.run_files.blobs.close()

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
            run = self.runs.get_by_pk(run_pk)
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
            updated = self.runs.get_by_pk(run_pk)
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
            if self.runs.get_by_pk(run_pk) is None:
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
            if self.runs.get_by_pk(run_pk) is None:
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


# -- helpers ------------------------------------------------------------------------------


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
