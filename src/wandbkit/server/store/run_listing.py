"""A project's runs, filtered, ordered and paged: the query side of the ``runs`` table.

The run filter compiler (:mod:`wandbkit.server.run_filters`) writes SQL against the ``runs``
columns and the run's user (``username``), so these queries read ``runs`` joined to
``users``; they never write either table. Paging is stable: the first page snapshots the
ordered row ids of every match into ``run_cursor_snapshots``, and later pages read the
snapshot.
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from wandbkit.server.run_filters import compile_run_filters, compile_run_order
from wandbkit.server.store._db import Database, lastrowid
from wandbkit.server.store.errors import UnknownSnapshotError
from wandbkit.server.store.runs import RunRow, Runs
from wandbkit.server.store.text import precise_timestamp

#: How long a runs cursor stays valid after its first page was served.
RUN_SNAPSHOT_TTL = timedelta(hours=24)
#: How many runs cursors are kept at most; the oldest are dropped first.
MAX_RUN_SNAPSHOTS = 10_000

#: Part of migration 3 ("runs").
RUN_SNAPSHOTS_SQL = """
CREATE TABLE IF NOT EXISTS run_cursor_snapshots (
    pk         INTEGER PRIMARY KEY AUTOINCREMENT,
    project_pk INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    query_key  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    run_pks    BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS run_cursor_snapshots_created ON run_cursor_snapshots(created_at);
"""

_RUNS_FROM = "runs r LEFT JOIN users u ON u.id = r.user_pk"


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


class RunListing:
    """Listings of a project's runs, and the ``run_cursor_snapshots`` table behind their
    cursors.

    Args:
        db: the store's database.
        runs: reads the listed rows.
    """

    def __init__(self, db: Database, runs: Runs) -> None:
        self._db = db
        self._runs = runs

    def _where(
        self, project_pk: int, filters: Any, names: Sequence[str] | None
    ) -> tuple[str, list[Any]]:
        fragment = compile_run_filters(filters)
        clauses = ["r.project_pk = ?", f"({fragment.sql})"]
        params: list[Any] = [project_pk, *fragment.params]
        if names:
            clauses.append(f"r.name IN ({','.join('?' * len(names))})")
            params.extend(names)
        return " AND ".join(clauses), params

    def pks(
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
        where, params = self._where(project_pk, filters, names)
        terms = compile_run_order(order)
        order_by = ", ".join(f"{t.sql} {'DESC' if t.descending else 'ASC'}" for t in terms)
        rows = self._db.all(
            f"SELECT r.pk FROM {_RUNS_FROM} WHERE {where} ORDER BY {order_by}", params
        )
        return [int(row[0]) for row in rows]

    def count(
        self, project_pk: int, *, filters: Any = None, names: Sequence[str] | None = None
    ) -> int:
        """How many of a project's runs match ``filters`` (see :meth:`pks`).

        Raises:
            wandbkit.server.run_filters.FilterError: a filter the server does not understand.
        """
        where, params = self._where(project_pk, filters, names)
        return self._db.count(f"SELECT COUNT(*) FROM {_RUNS_FROM} WHERE {where}", params)

    def page(
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
            filters: see :meth:`pks`.
            order: see :meth:`pks`.
            names: see :meth:`pks`.
            after: the position after the last run already seen.

        Raises:
            UnknownSnapshotError: ``after`` names a snapshot that expired (older than
                :data:`RUN_SNAPSHOT_TTL`), was pruned, or was made for another project or
                another filters/order.
            wandbkit.server.run_filters.FilterError: a bad filter or order.
        """
        query_key = _runs_query_key(filters, order, names)
        if after is None:
            pks = self.pks(project_pk, filters=filters, order=order, names=names)
            snapshot_pk = self._save_snapshot(project_pk, query_key, pks)
            start = 0
        else:
            snapshot_pk, start = after
            pks = self._load_snapshot(snapshot_pk, project_pk, query_key)
        found: list[tuple[int, RunRow]] = []
        position = start
        # Fetch in chunks, skipping deleted runs, until one run beyond the page is known.
        while position < len(pks) and len(found) <= limit:
            chunk = pks[position : position + 2 * (limit + 1 - len(found)) + 8]
            rows = self._runs.get_by_pks(chunk)
            for offset, pk in enumerate(chunk):
                if pk in rows:
                    found.append((position + offset + 1, rows[pk]))
                    if len(found) > limit:
                        break
            position += len(chunk)
        return RunsPage(snapshot_pk, tuple(found[:limit]), has_next_page=len(found) > limit)

    def _save_snapshot(self, project_pk: int, query_key: str, pks: Sequence[int]) -> int:
        now = self._db.now()
        packed = struct.pack(f"<{len(pks)}q", *pks)
        with self._db.transaction() as conn:
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

    def _load_snapshot(self, snapshot_pk: int, project_pk: int, query_key: str) -> list[int]:
        row = self._db.one("SELECT * FROM run_cursor_snapshots WHERE pk = ?", (snapshot_pk,))
        if row is None or row["created_at"] < precise_timestamp(self._db.now() - RUN_SNAPSHOT_TTL):
            raise UnknownSnapshotError(
                "the cursor has expired; list the runs again from the first page"
            )
        if row["project_pk"] != project_pk or row["query_key"] != query_key:
            raise UnknownSnapshotError(
                "the cursor belongs to another listing (project, filters or order differ)"
            )
        data = bytes(row["run_pks"])
        return list(struct.unpack(f"<{len(data) // 8}q", data))

    def list(
        self,
        project_pk: int,
        *,
        filters: Any = None,
        order: str | None = None,
        names: Sequence[str] | None = None,
    ) -> list[RunRow]:
        """A project's matching runs, in order (see :meth:`pks`); for tests and tools."""
        pks = self.pks(project_pk, filters=filters, order=order, names=names)
        found = self._runs.get_by_pks(pks)
        return [found[pk] for pk in pks if pk in found]


def _runs_query_key(filters: Any, order: str | None, names: Sequence[str] | None) -> str:
    # What a cursor's snapshot was made for; a cursor replayed with other arguments is refused.
    canonical = json.dumps(
        [filters, order, sorted(names) if names else None], sort_keys=True, default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]
