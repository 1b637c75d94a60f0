"""A run's console output (``Run.logLines``): stdout and stderr lines, in order."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wandbkit.server.store._db import Database
from wandbkit.server.store.errors import StoreError, UnknownRowError
from wandbkit.server.store.runs import Runs
from wandbkit.server.store.text import normalise_timestamp, precise_timestamp

#: Migration 5 ("console logs").
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


class Console:
    """The ``run_log_lines`` table.

    Args:
        db: the store's database.
        runs: whether a run exists.
    """

    def __init__(self, db: Database, runs: Runs) -> None:
        self._db = db
        self._runs = runs

    def append(self, run_pk: int, lines: Iterable[str | Mapping[str, Any]]) -> int:
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
        with self._db.transaction() as conn:
            if self._runs.get_by_pk(run_pk) is None:
                raise UnknownRowError("run not found")
            last = self._db.one("SELECT MAX(seq) FROM run_log_lines WHERE run_pk = ?", (run_pk,))
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

    def put(self, run_pk: int, offset: int, lines: Sequence[str | Mapping[str, Any]]) -> int:
        """Write lines at line numbers ``offset``, ``offset + 1``, ... (from 0), replacing
        lines already stored there (a console line that a carriage return rewrote is sent
        again at its number); returns how many were written.

        Raises:
            UnknownRowError: no run has that id.
            StoreError: a negative offset, or a bad line (see :meth:`append`).
        """
        if offset < 0:
            raise StoreError(f"console line offset must be zero or more, got {offset}")
        values = [
            (run_pk, offset + 1 + i, *_log_line_values(given)) for i, given in enumerate(lines)
        ]
        with self._db.transaction() as conn:
            if self._runs.get_by_pk(run_pk) is None:
                raise UnknownRowError("run not found")
            conn.executemany(
                "INSERT OR REPLACE INTO run_log_lines (run_pk, seq, timestamp, level, label, line)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                values,
            )
        return len(values)

    def lines(self, run_pk: int, *, after_seq: int = 0, limit: int) -> list[LogLineRow]:
        """A run's console lines after ``after_seq``, oldest first, at most ``limit``."""
        rows = self._db.all(
            "SELECT * FROM run_log_lines WHERE run_pk = ? AND seq > ? ORDER BY seq LIMIT ?",
            (run_pk, after_seq, limit),
        )
        return [_log_line(row) for row in rows]

    def tail(self, run_pk: int, last: int) -> list[LogLineRow]:
        """A run's last ``last`` console lines, oldest first."""
        rows = self._db.all(
            "SELECT * FROM (SELECT * FROM run_log_lines WHERE run_pk = ?"
            " ORDER BY seq DESC LIMIT ?) ORDER BY seq",
            (run_pk, last),
        )
        return [_log_line(row) for row in rows]

    def count(self, run_pk: int) -> int:
        """How many console lines a run has."""
        return self._db.count("SELECT COUNT(*) FROM run_log_lines WHERE run_pk = ?", (run_pk,))


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


def _log_line(row: sqlite3.Row) -> LogLineRow:
    return LogLineRow(
        seq=row["seq"],
        number=row["seq"] - 1,
        timestamp=row["timestamp"],
        level=row["level"],
        label=row["label"],
        line=row["line"],
    )
