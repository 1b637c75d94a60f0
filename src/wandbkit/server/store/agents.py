"""Sweep agents: the processes that run a sweep's trials, with their heartbeats and runs.

An agent belongs to one sweep, has a name (its id, what ``Sweep.agent(agentName:)`` takes),
a host, a state and a heartbeat time; the runs it executed are listed in ``agent_runs``.
``totalRuns`` is the number of those runs.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from wandbkit.server.store._db import Database, lastrowid
from wandbkit.server.store.errors import NameConflictError, StoreError, UnknownRowError
from wandbkit.server.store.text import check_name, normalise_timestamp, random_id

#: Part of migration 7 ("people, reports and agents").
AGENTS_SQL = """
CREATE TABLE IF NOT EXISTS agents (
    pk           INTEGER PRIMARY KEY AUTOINCREMENT,
    sweep_pk     INTEGER NOT NULL REFERENCES sweeps(pk) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    host         TEXT NOT NULL,
    state        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    heartbeat_at TEXT,
    UNIQUE (sweep_pk, name)
);
CREATE TABLE IF NOT EXISTS agent_runs (
    agent_pk INTEGER NOT NULL REFERENCES agents(pk) ON DELETE CASCADE,
    run_pk   INTEGER NOT NULL REFERENCES runs(pk) ON DELETE CASCADE,
    PRIMARY KEY (agent_pk, run_pk)
);
"""

#: The states an agent can be in, as W&B names them.
AGENT_STATES = ("RUNNING", "FINISHED", "FAILED", "CRASHED", "STOPPED")


@dataclass(frozen=True)
class AgentRow:
    """A sweep agent; ``total_runs`` counts the runs it executed."""

    pk: int
    sweep_pk: int
    name: str
    host: str
    state: str
    created_at: str
    heartbeat_at: str | None
    total_runs: int


class Agents:
    """The ``agents`` and ``agent_runs`` tables."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def create(
        self,
        sweep_pk: int,
        name: str | None = None,
        *,
        host: str,
        state: str = "RUNNING",
        created_at: str | None = None,
    ) -> AgentRow:
        """Register an agent of a sweep; its heartbeat starts at its creation.

        Raises:
            StoreError: an unknown state, an empty host or a bad name.
            UnknownRowError: no such sweep.
            NameConflictError: the sweep has an agent of that name.
        """
        if state not in AGENT_STATES:
            raise StoreError(f"agent state must be one of {AGENT_STATES}, got {state!r}")
        if not host.strip():
            raise StoreError("an agent needs a host")
        agent_name = name if name is not None else random_id()
        check_name(agent_name, "agent")
        stamp = normalise_timestamp(created_at) if created_at else self._db.stamp()
        with self._db.transaction() as conn:
            if self._db.one("SELECT 1 FROM sweeps WHERE pk = ?", (sweep_pk,)) is None:
                raise UnknownRowError("sweep not found")
            if self.get(sweep_pk, agent_name) is not None:
                raise NameConflictError(f"agent {agent_name!r} exists in this sweep")
            cur = conn.execute(
                "INSERT INTO agents (sweep_pk, name, host, state, created_at, heartbeat_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (sweep_pk, agent_name, host, state, stamp, stamp),
            )
            pk = lastrowid(cur)
        found = self.get_by_pk(pk)
        assert found is not None
        return found

    def heartbeat(self, pk: int, *, at: str | None = None, state: str | None = None) -> AgentRow:
        """Record that the agent is alive (now, or ``at``), optionally in a new ``state``.

        Raises:
            UnknownRowError: no such agent.
            StoreError: an unknown state.
        """
        if state is not None and state not in AGENT_STATES:
            raise StoreError(f"agent state must be one of {AGENT_STATES}, got {state!r}")
        stamp = normalise_timestamp(at) if at else self._db.stamp()
        with self._db.transaction() as conn:
            changed = conn.execute(
                "UPDATE agents SET heartbeat_at = ?, state = COALESCE(?, state) WHERE pk = ?",
                (stamp, state, pk),
            ).rowcount
        if not changed:
            raise UnknownRowError("agent not found")
        found = self.get_by_pk(pk)
        assert found is not None
        return found

    def add_run(self, pk: int, run_pk: int) -> None:
        """Note that the agent executed a run (again is a no-op)."""
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO agent_runs (agent_pk, run_pk) VALUES (?, ?)", (pk, run_pk)
            )

    def get(self, sweep_pk: int, name: str) -> AgentRow | None:
        """The sweep's agent called ``name``, or ``None``."""
        row = self._db.one(f"{_SELECT} WHERE a.sweep_pk = ? AND a.name = ?", (sweep_pk, name))
        return _agent(row) if row else None

    def get_by_pk(self, pk: int) -> AgentRow | None:
        """The agent with row id ``pk``, or ``None``."""
        row = self._db.one(f"{_SELECT} WHERE a.pk = ?", (pk,))
        return _agent(row) if row else None

    def of_sweep(self, sweep_pk: int) -> list[AgentRow]:
        """The sweep's agents, oldest first."""
        rows = self._db.all(f"{_SELECT} WHERE a.sweep_pk = ? ORDER BY a.pk", (sweep_pk,))
        return [_agent(row) for row in rows]

    def run_pks(self, pk: int) -> list[int]:
        """The row ids of the runs the agent executed."""
        rows = self._db.all("SELECT run_pk FROM agent_runs WHERE agent_pk = ?", (pk,))
        return [int(row["run_pk"]) for row in rows]


_SELECT = (
    "SELECT a.*, (SELECT COUNT(*) FROM agent_runs r WHERE r.agent_pk = a.pk) AS total_runs"
    " FROM agents a"
)


def _agent(row: sqlite3.Row) -> AgentRow:
    return AgentRow(
        pk=row["pk"],
        sweep_pk=row["sweep_pk"],
        name=row["name"],
        host=row["host"],
        state=row["state"],
        created_at=row["created_at"],
        heartbeat_at=row["heartbeat_at"],
        total_runs=row["total_runs"],
    )
