"""A run's history (metric rows by step) and events (system-metric rows).

History lives in blocks of up to 128 consecutive rows per table row
(:mod:`wandbkit.server.history_blocks`): a run's sampled history reads a few table rows, not
one per history row. The run's bookkeeping (``historyKeys``, ``lastStep``, the line count)
stays on the run; :meth:`History.append` hands it to
:meth:`~wandbkit.server.store.runs.Runs.record_history`.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from wandbkit.server.history import downsample, merge_history_keys
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
from wandbkit.server.store._db import Database
from wandbkit.server.store.errors import StoreError, UnknownRowError
from wandbkit.server.store.runs import RunRow, Runs
from wandbkit.server.store.text import dumps_json, parse_timestamp

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

#: Migration 4 ("history blocks"), with :func:`history_into_blocks`.
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


def history_into_blocks(conn: sqlite3.Connection) -> None:
    """Migration 4's upgrade: version 3 kept one table row per history row; move them into
    blocks, run by run, and drop the old table."""
    rows = conn.execute("SELECT run_pk, step, row FROM history ORDER BY run_pk, step")
    for run_pk, group in itertools.groupby(rows, key=lambda row: int(row[0])):
        items = list(group)
        _, blocks = append_blocks(None, [int(i[1]) for i in items], [str(i[2]) for i in items])
        _insert_blocks(conn, run_pk, blocks)
    conn.execute("DROP TABLE history")


def _complete_and_increasing(rows: Sequence[Mapping[str, Any]], last_step: int) -> bool:
    """Whether every row has an integer ``_step`` (rising, above ``last_step``), a
    ``_timestamp`` and a ``_runtime``: then nothing needs filling in."""
    steps = [row.get("_step") for row in rows]
    if not all(type(step) is int for step in steps):
        return False
    previous = [last_step, *steps[:-1]]
    return all(a < b for a, b in zip(previous, steps, strict=True)) and all(  # type: ignore[operator]
        "_timestamp" in row and "_runtime" in row for row in rows
    )


def _block(row: sqlite3.Row) -> Block:
    return Block(
        seq=row["seq"],
        first_step=row["first_step"],
        last_step=row["last_step"],
        row_count=row["row_count"],
        steps=row["steps"],
        rows=row["rows"],
    )


def _insert_blocks(conn: sqlite3.Connection, run_pk: int, blocks: Iterable[Block]) -> None:
    conn.executemany(
        "INSERT INTO history_blocks (run_pk, seq, first_step, last_step, row_count, steps, rows)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(run_pk, b.seq, b.first_step, b.last_step, b.row_count, b.steps, b.rows) for b in blocks],
    )


class History:
    """The ``history_blocks`` and ``run_events`` tables.

    Args:
        db: the store's database.
        runs: whether a run exists, and its bookkeeping.
    """

    def __init__(self, db: Database, runs: Runs) -> None:
        self._db = db
        self._runs = runs

    def append(
        self,
        run_pk: int,
        rows: Iterable[Mapping[str, Any]],
        *,
        update_summary: bool = False,
        texts: Sequence[str] | None = None,
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
            texts: the rows' JSON texts as received (``file_stream`` lines), one per row: a
                row that needs nothing filled in is stored as this text, not re-encoded.

        Returns:
            The updated run.

        Raises:
            UnknownRowError: no run has that id.
            StoreError: a ``_step`` that is not an integer above the run's last step.
        """
        with self._db.transaction() as conn:
            run = self._runs.get_by_pk(run_pk)
            if run is None:
                raise UnknownRowError("run not found")
            started = parse_timestamp(run.created_at).timestamp()
            now = self._db.now().timestamp()
            last_step = run.last_step
            given_rows = list(rows)
            prepared: list[Mapping[str, Any]] = []
            encoded: list[str] = []
            if texts is not None and _complete_and_increasing(given_rows, last_step):
                # A writer's batch as received: every row complete, steps rising; no row to
                # touch, the texts go in as sent.
                prepared, encoded = given_rows, list(texts)
                given_rows = []
                last_step = prepared[-1]["_step"] if prepared else last_step
            for index, given in enumerate(given_rows):
                step = given.get("_step", last_step + 1)
                if type(step) is not int or step <= last_step:
                    raise StoreError(
                        f"history _step must be an integer above {last_step}, got {step!r}"
                    )
                if texts is not None and "_timestamp" in given and "_runtime" in given:
                    prepared.append(given)  # complete as received: store the text as is
                    encoded.append(texts[index])
                else:
                    row: dict[str, Any] = dict(given)
                    row["_step"] = step
                    row.setdefault("_timestamp", now)
                    row.setdefault("_runtime", max(0.0, float(row["_timestamp"]) - started))
                    prepared.append(row)
                    encoded.append(dumps_json(row))
                last_step = step
            if not prepared:
                return run
            self._append_texts(conn, run_pk, [row["_step"] for row in prepared], encoded)
            keys = merge_history_keys(json.loads(run.history_keys or "{}"), prepared, last_step)
            summary = run.summary
            if update_summary:
                merged = json.loads(summary)
                for done in prepared:
                    merged.update(done)
                summary = dumps_json(merged)
            self._runs.record_history(
                run_pk,
                added=len(prepared),
                last_step=last_step,
                history_keys=dumps_json(keys),
                summary=summary,
            )
            updated = self._runs.get_by_pk(run_pk)
        assert updated is not None
        return updated

    def _append_texts(
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
        stored = _block(last) if last is not None else None
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

    def rows(
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
        with self._db.lock:
            # Blocks' step ranges rise with seq: two index seeks find the blocks to read.
            low, high = 0, None
            if min_step is not None:
                found = self._db.one(
                    "SELECT seq FROM history_blocks WHERE run_pk = ? AND last_step >= ?"
                    " ORDER BY last_step LIMIT 1",
                    (run_pk, min_step),
                )
                if found is None:
                    return []
                low = int(found[0])
            if max_step is not None:
                found = self._db.one(
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
            blocks = self._db.all(sql + " ORDER BY seq", params)
        texts: list[str] = []
        for first, last, steps, joined in blocks:
            texts.extend(rows_between(first, last, steps, joined, min_step, max_step))
            if limit is not None and len(texts) >= limit:
                return texts[:limit]
        return texts

    def rows_sampled(self, run_pk: int, samples: int) -> list[str]:
        """At most ``samples`` evenly spaced history rows (first and last kept), as JSON text.

        The same rows as ``downsample(rows(run_pk), samples)``, but only the blocks
        holding a kept row are read (see :func:`~wandbkit.server.history_blocks.sample_plan`).
        """
        if samples <= 0:
            return []
        with self._db.lock:
            shape = self._db.one(
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
                return downsample(self.rows(run_pk), samples)
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
            found = self._db.all(sql, params)
        rows: list[str] = []
        for (joined,) in found:
            rows.extend(split_rows(joined))
        return plan.pick(rows)

    def tail(self, run_pk: int, last: int) -> list[str]:
        """A run's last ``last`` history rows as stored JSON text, in step order."""
        if last <= 0:
            return []
        blocks = self._db.all(
            "SELECT rows FROM history_blocks WHERE run_pk = ? ORDER BY seq DESC LIMIT ?",
            (run_pk, last // BLOCK_ROWS + 2),
        )
        rows: list[str] = []
        for (joined,) in reversed(blocks):
            rows.extend(split_rows(joined))
        return rows[-last:]

    def event_tail(self, run_pk: int, last: int) -> list[str]:
        """A run's last ``last`` system-metric rows as stored JSON text, oldest first."""
        rows = self._db.all(
            "SELECT row FROM (SELECT seq, row FROM run_events WHERE run_pk = ?"
            " ORDER BY seq DESC LIMIT ?) ORDER BY seq",
            (run_pk, max(0, last)),
        )
        return [row[0] for row in rows]

    def steps(self, run_pk: int) -> list[int]:
        """Every logged step of a run, in order."""
        blocks = self._db.all(
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
        with self._db.transaction() as conn:
            if self._runs.get_by_pk(run_pk) is None:
                raise UnknownRowError("run not found")
            last = self._db.one("SELECT MAX(seq) FROM run_events WHERE run_pk = ?", (run_pk,))
            first = (last[0] if last and last[0] is not None else -1) + 1
            values = [(run_pk, first + i, dumps_json(row)) for i, row in enumerate(rows)]
            conn.executemany("INSERT INTO run_events (run_pk, seq, row) VALUES (?, ?, ?)", values)
        return len(values)

    def event_count(self, run_pk: int) -> int:
        """How many system-metric rows a run has."""
        return self._db.count("SELECT COUNT(*) FROM run_events WHERE run_pk = ?", (run_pk,))

    def event_rows(self, run_pk: int) -> list[str]:
        """A run's system-metric rows as stored JSON text, oldest first."""
        rows = self._db.all("SELECT row FROM run_events WHERE run_pk = ? ORDER BY seq", (run_pk,))
        return [row[0] for row in rows]

    def bulk_insert(self, rows: Iterable[tuple[int, int, str]]) -> None:
        """Insert ``(run_pk, step, row JSON text)`` history rows as given (no bookkeeping).

        The caller keeps the runs' ``history_line_count``, ``last_step`` and
        ``history_keys`` right (see :class:`~wandbkit.server.store.runs.NewRun`). A run's rows
        come together, in rising step order, after any rows it already has.

        Raises:
            StoreError: steps out of order, or a row that is not JSON text.
        """
        with self._db.transaction() as conn:
            for run_pk, group in itertools.groupby(rows, key=lambda row: row[0]):
                items = list(group)
                self._append_texts(
                    conn, run_pk, [item[1] for item in items], [item[2] for item in items]
                )
