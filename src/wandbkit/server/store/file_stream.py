"""What a run's ``file_stream`` requests write: history, system metrics, console lines and the
summary, at the line offsets the writer sends, plus the run's liveness and final state.

The official SDK (wandb-core) and wandbkit's writer stream a run as JSON lines per "file"
(``wandb-history.jsonl``, ``wandb-events.jsonl``, ``output.log``, ``wandb-summary.json``), each
chunk with the line index (``offset``) of its first line. The rules kept here:

* A line below the file's next offset was stored already: history and events lines are then
  skipped (a chunk re-sent after a lost answer is not stored twice), console lines replace the
  stored ones (wandb-core re-sends a line that a ``\\r`` rewrote, at its old number).
* A chunk past the next offset (a gap) is stored, and the next offset moves past it, so
  re-sending it later is still recognised.
* ``wandb-summary.json`` is one line, the whole current summary: it replaces the run's.
* Every request is a heartbeat; ``complete`` ends the run as ``finished`` (exit code 0) or
  ``failed``, unless it was stopped (``killed``) meanwhile. A run streamed here that stays
  silent past a limit becomes ``crashed`` (:meth:`FileStreams.crash_silent_runs`).

The next offsets live in ``run_streams`` (one row per streamed run), which also marks the runs
whose liveness the server watches: seeded or API-made runs never crash by silence.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from wandbkit.server.store._db import Database
from wandbkit.server.store.console import Console
from wandbkit.server.store.errors import UnknownRowError
from wandbkit.server.store.history import History
from wandbkit.server.store.runs import RunRow, Runs
from wandbkit.server.store.text import dumps_json, precise_timestamp

#: Migration 8 ("file streams").
RUN_STREAMS_SQL = """
CREATE TABLE IF NOT EXISTS run_streams (
    run_pk    INTEGER PRIMARY KEY REFERENCES runs(pk) ON DELETE CASCADE,
    opened_at TEXT NOT NULL,
    offsets   TEXT NOT NULL DEFAULT '{}'
);
"""

#: The file names of a stream, as wandb-core sends them.
HISTORY_FILE = "wandb-history.jsonl"
EVENTS_FILE = "wandb-events.jsonl"
SUMMARY_FILE = "wandb-summary.json"
OUTPUT_FILE = "output.log"
STREAM_FILES = frozenset({HISTORY_FILE, EVENTS_FILE, SUMMARY_FILE, OUTPUT_FILE})

#: States a stream's ``complete`` does not overwrite (the run was stopped or ended otherwise).
_FINAL_STATES = frozenset({"killed", "crashed", "preempted"})


@dataclass(frozen=True)
class Chunk:
    """Lines of one stream file starting at line ``offset``; ``rows`` are the parsed lines:
    JSON objects for history and events, for console output the mappings
    :meth:`~wandbkit.server.store.console.Console.append` takes (``line``, ``level``,
    ``timestamp``, ``label``); ``texts`` are the lines as sent."""

    offset: int
    texts: tuple[str, ...]
    rows: tuple[Any, ...]


@dataclass(frozen=True)
class StreamRequest:
    """One checked ``file_stream`` request body."""

    history: Chunk | None = None
    events: Chunk | None = None
    summary: Mapping[str, Any] | None = None
    console: Chunk | None = None
    uploaded: tuple[str, ...] = ()
    preempting: bool = False
    complete: bool = False
    exitcode: int | None = None


@dataclass(frozen=True)
class StreamResult:
    """What one request changed, and what the answer tells the writer."""

    run: RunRow
    history_added: int = 0
    events_added: int = 0
    console_written: int = 0
    skipped: int = 0
    stopped: bool = False
    offsets: dict[str, int] = field(default_factory=dict)


class FileStreams:
    """The ``run_streams`` table, and applying stream requests to runs.

    Args:
        db: the store's database.
        runs: the runs and their state.
        history: history rows and events.
        console: console lines.
    """

    def __init__(self, db: Database, runs: Runs, history: History, console: Console) -> None:
        self._db = db
        self._runs = runs
        self._history = history
        self._console = console

    def offsets(self, run_pk: int) -> dict[str, int]:
        """The next line offset of each stream file of a run (for runs never streamed: what
        the run holds, so a resumed run's writer continues after its rows)."""
        run = self._runs.get_by_pk(run_pk)
        if run is None:
            raise UnknownRowError("run not found")
        row = self._db.one("SELECT offsets FROM run_streams WHERE run_pk = ?", (run_pk,))
        stored: dict[str, int] = json.loads(row[0]) if row is not None else {}
        return {
            HISTORY_FILE: stored.get(HISTORY_FILE, run.history_line_count),
            EVENTS_FILE: stored.get(EVENTS_FILE, self._history.event_count(run_pk)),
            OUTPUT_FILE: stored.get(OUTPUT_FILE, self._console.count(run_pk)),
        }

    def apply(self, run_pk: int, request: StreamRequest) -> StreamResult:
        """Store one request's lines and state changes, in one transaction.

        Raises:
            UnknownRowError: no run has that id.
            StoreError: a history row whose ``_step`` is not above the run's last step, or a
                bad console line.
        """
        with self._db.transaction() as conn:
            offsets = self.offsets(run_pk)
            skipped = 0
            history_added = events_added = console_written = 0
            if request.history is not None:
                rows, skip = _new_part(request.history, offsets[HISTORY_FILE])
                skipped += skip
                if rows:
                    texts = request.history.texts[skip:]
                    self._history.append(run_pk, rows, texts=texts)
                    history_added = len(rows)
                offsets[HISTORY_FILE] = max(
                    offsets[HISTORY_FILE], request.history.offset + len(request.history.rows)
                )
            if request.events is not None:
                rows, skip = _new_part(request.events, offsets[EVENTS_FILE])
                skipped += skip
                if rows:
                    events_added = self._history.append_events(run_pk, rows)
                    self._merge_system_metrics(run_pk, rows)
                offsets[EVENTS_FILE] = max(
                    offsets[EVENTS_FILE], request.events.offset + len(request.events.rows)
                )
            if request.console is not None:
                console_written = self._console.put(
                    run_pk, request.console.offset, request.console.rows
                )
                offsets[OUTPUT_FILE] = max(
                    offsets[OUTPUT_FILE], request.console.offset + len(request.console.rows)
                )
            run = self._runs.get_by_pk(run_pk)
            assert run is not None
            now = precise_timestamp(self._db.now())
            state: str | None = None
            if request.complete and run.state not in _FINAL_STATES:
                state = "finished" if not request.exitcode else "failed"
            elif request.preempting and run.state == "running":
                state = "preempting"
            run = self._runs.update(
                run_pk,
                summary=dict(request.summary) if request.summary is not None else None,
                state=state,
                heartbeat_at=now,
            )
            conn.execute(
                "INSERT INTO run_streams (run_pk, opened_at, offsets) VALUES (?, ?, ?)"
                " ON CONFLICT (run_pk) DO UPDATE SET offsets = excluded.offsets",
                (run_pk, now, dumps_json(offsets)),
            )
        return StreamResult(
            run=run,
            history_added=history_added,
            events_added=events_added,
            console_written=console_written,
            skipped=skipped,
            stopped=run.state == "killed",
            offsets=offsets,
        )

    def _merge_system_metrics(self, run_pk: int, rows: Sequence[Mapping[str, Any]]) -> None:
        # Run.systemMetrics holds the latest value of each system metric, as on W&B.
        run = self._runs.get_by_pk(run_pk)
        assert run is not None
        merged = json.loads(run.system_metrics)
        for row in rows:
            merged.update((k, v) for k, v in row.items() if k != "_wandb")
        self._runs.update(run_pk, system_metrics=merged)

    def crash_silent_runs(self, silent_for: float) -> list[str]:
        """Mark ``crashed`` every streamed run still ``running`` (or ``preempting``) whose
        last sign of life is older than ``silent_for`` seconds; returns their names."""
        cutoff = precise_timestamp(self._db.now() - timedelta(seconds=silent_for))
        with self._db.transaction() as conn:
            rows = conn.execute(
                "SELECT pk, name FROM runs WHERE state IN ('running', 'preempting')"
                " AND heartbeat_at < ? AND pk IN (SELECT run_pk FROM run_streams)",
                (cutoff,),
            ).fetchall()
            for row in rows:
                self._runs.update(row["pk"], state="crashed")
        return [row["name"] for row in rows]


def _new_part(chunk: Chunk, next_offset: int) -> tuple[list[Any], int]:
    """The rows of ``chunk`` at or past ``next_offset``, and how many were skipped."""
    skip = min(max(0, next_offset - chunk.offset), len(chunk.rows))
    return list(chunk.rows[skip:]), skip
