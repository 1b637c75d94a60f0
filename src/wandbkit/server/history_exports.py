"""Parquet exports of run history, as W&B makes them for runs that have ended.

W&B exports a run's history to parquet files; ``Run.parquetHistory(liveKeys)`` answers their
signed URLs (``parquetUrls``) and, in ``liveData``, the rows not exported yet (reduced to the
live keys). wandb-core reads the files for ``scan_history`` and downloads them for
``Run.download_history_exports`` (``core/internal/runhistoryreader``): it asks for each file's
size with ``HEAD``, reads whole files with ``GET`` and column chunks with ranged ``GET``\\ s, and
needs a ``_step`` column (cast to int64) in step order.

W&B exports a run some hours after it ends (about 4 h: wandb/wandb#12511); until then the whole
history is live, which is what a script reading a run it just wrote sees. Here a run's history
is exported when it is asked for and the run has not been running for :attr:`HistoryExports.delay`
by the store's clock (``exports_for(store).delay = EXPORT_DELAY`` is W&B's 4 h,
``timedelta(0)`` exports at once). The delay is ``None`` by default: no exports, every row
live, as before exports existed (seeded runs ended long ago, and the official client reads
exported history differently: a key a row lacks comes back as ``None``, and
``scan_history(keys=...)`` no longer drops rows lacking a key). One part with every row
not yet exported, so a resumed run that ends again gets a second part with its new rows;
while a run runs, its new rows are live. Parts are files under the run's folder of the file
store (``runs/<run pk>/history-exports/``, removed with the run), named
``<part>.<first step>.<last step>.<rows>.parquet``: exports are derived from the stored
history and need no table. When the stored rows up to the last exported step
no longer match what was exported, the parts are thrown away and made again.

Columns: ``_step`` (int64) first, then every key in the order first seen; a key missing from a
row is null (so wandb-core's rows carry ``None`` there, as against W&B). Values become what
pyarrow infers (numbers, strings, booleans, lists, structs for nested objects); a key whose
values share no type (a number in one row, a string in another) is written as the JSON text of
each value. Needs pyarrow (the ``server`` extra has it); without it no run has exports and every
row is live.
"""

from __future__ import annotations

import json
import re
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from wandbkit.server.store import RunRow, Store
from wandbkit.server.store.text import parse_timestamp

#: The folder of a run's exports, inside the run's folder of the file store.
EXPORTS_DIR = "history-exports"
_PART_NAME = re.compile(r"([0-9]{1,6})\.(-?[0-9]{1,19})\.(-?[0-9]{1,19})\.([0-9]{1,19})\.parquet")
#: How long after a run stops running W&B exports its history (about 4 hours).
EXPORT_DELAY = timedelta(hours=4)
#: The most parts a run keeps; past it, everything is exported again as one part.
MAX_PARTS = 100


@dataclass(frozen=True)
class ExportPart:
    """One parquet file of a run's history.

    Attributes:
        index: its place among the run's parts (from 0).
        first_step: its first step.
        last_step: its last step.
        rows: how many rows it holds.
        path: the file.
    """

    index: int
    first_step: int
    last_step: int
    rows: int
    path: Path


def pyarrow_available() -> bool:
    """Whether pyarrow can be imported (exports need it)."""
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        return False
    return True


class HistoryExports:
    """The parquet exports of one store's runs."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()
        self.available = pyarrow_available()
        #: How long a run must have stopped running before its rows are exported; ``None``
        #: (the default) exports nothing.
        self.delay: timedelta | None = None

    def folder(self, run_pk: int) -> Path:
        """Where a run's parts are."""
        return self._store.run_files.blobs.root / "runs" / str(run_pk) / EXPORTS_DIR

    def parts(self, run_pk: int) -> list[ExportPart]:
        """A run's parts, in order."""
        folder = self.folder(run_pk)
        if not folder.is_dir():
            return []
        found = []
        for path in folder.iterdir():
            match = _PART_NAME.fullmatch(path.name)
            if match:
                index, first, last, rows = (int(g) for g in match.groups())
                found.append(ExportPart(index, first, last, rows, path))
        return sorted(found, key=lambda part: part.index)

    def part(self, run_pk: int, index: int) -> ExportPart | None:
        """One part of a run, or ``None``."""
        return next((p for p in self.parts(run_pk) if p.index == index), None)

    def ensure(self, run: RunRow, steps: Sequence[int]) -> list[ExportPart]:
        """The run's parts, after exporting its unexported rows if it has ended.

        Args:
            run: the run.
            steps: every step it has stored, in order.
        """
        if not self.available:
            return []
        with self._lock:
            parts = self.parts(run.pk)
            if parts and (len(parts) >= MAX_PARTS or not _still_valid(parts, steps)):
                self._wipe(run.pk)
                parts = []
            covered = parts[-1].last_step if parts else None
            fresh = [s for s in steps if covered is None or s > covered]
            if fresh and self._ended(run):
                texts = self._store.history.rows(
                    run.pk, min_step=None if covered is None else covered + 1
                )
                parts.append(self._write(run.pk, len(parts), [json.loads(t) for t in texts]))
            return parts

    def _ended(self, run: RunRow) -> bool:
        """Whether the run stopped running at least :attr:`delay` ago."""
        if run.state == "running" or self.delay is None:
            return False
        return self._store.db.now() - parse_timestamp(run.updated_at) >= self.delay

    def _write(self, run_pk: int, index: int, rows: list[dict[str, Any]]) -> ExportPart:
        import pyarrow.parquet as pq

        table = history_table(rows)
        first, last = int(rows[0]["_step"]), int(rows[-1]["_step"])
        folder = self.folder(run_pk)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{index}.{first}.{last}.{len(rows)}.parquet"
        with self._store.run_files.blobs.writer() as writer:
            sink = _WriterFile(writer)
            pq.write_table(table, sink)
            writer.commit(path, fsync=False)
        return ExportPart(index, first, last, len(rows), path)

    def _wipe(self, run_pk: int) -> None:
        for part in self.parts(run_pk):
            part.path.unlink(missing_ok=True)


class _WriterFile:
    """A :class:`~wandbkit.server.blobs.BlobWriter` as the file object pyarrow writes to."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer
        self.closed = False

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._writer.write(chunk)
        return len(chunk)

    def flush(self) -> None:
        return None

    def tell(self) -> int:
        size: int = self._writer.size
        return size

    def close(self) -> None:
        self.closed = True


def _still_valid(parts: list[ExportPart], steps: Sequence[int]) -> bool:
    """Whether the stored rows up to the last exported step are as many as were exported."""
    last = parts[-1].last_step
    return sum(1 for s in steps if s <= last) == sum(p.rows for p in parts)


def history_table(rows: list[dict[str, Any]]) -> Any:
    """History rows as an arrow table (``_step`` first, keys in first-seen order)."""
    import pyarrow as pa

    keys: dict[str, None] = {"_step": None}
    for row in rows:
        keys.update(dict.fromkeys(row))
    columns = {"_step": pa.array([int(row["_step"]) for row in rows], pa.int64())}
    for key in keys:
        if key != "_step":
            columns[key] = _column([row.get(key) for row in rows])
    return pa.table(columns)


def _column(values: list[Any]) -> Any:
    import pyarrow as pa

    try:
        array = pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
        array = None
    if array is None or not _writable(array.type):
        array = pa.array([None if v is None else json.dumps(v) for v in values], pa.string())
    return array


def _writable(kind: Any) -> bool:
    """Whether parquet can hold the type (it cannot hold a struct without fields)."""
    import pyarrow as pa

    if pa.types.is_struct(kind):
        fields = [kind.field(i) for i in range(kind.num_fields)]
        return bool(fields) and all(_writable(f.type) for f in fields)
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return _writable(kind.value_type)
    return True


_BY_STORE: weakref.WeakKeyDictionary[Store, HistoryExports] = weakref.WeakKeyDictionary()
_BY_STORE_LOCK = threading.Lock()


def exports_for(store: Store) -> HistoryExports:
    """The one :class:`HistoryExports` of a store."""
    with _BY_STORE_LOCK:
        found = _BY_STORE.get(store)
        if found is None:
            found = _BY_STORE[store] = HistoryExports(store)
        return found
