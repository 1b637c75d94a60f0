"""The export itself: list the runs, fetch every history concurrently, write the files."""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wandbkit.errors import UsageError
from wandbkit.export._arrow import (
    STEP_KEY,
    column_types_from_history_keys,
    column_types_from_values,
    require_pyarrow,
    to_table,
    write_parquet,
)
from wandbkit.export._manifest import MANIFEST_NAME, Manifest, RunEntry, now
from wandbkit.export._runs_table import runs_table

if TYPE_CHECKING:
    import wandbkit

__all__ = [
    "DEFAULT_CONCURRENCY",
    "DEFAULT_PAGE_SIZE",
    "ExportProgress",
    "ExportResult",
    "export_project",
    "write_history_parquet",
]

#: History requests in flight at once.
DEFAULT_CONCURRENCY = 8
#: History steps per request (a run of up to this many steps costs one request).
DEFAULT_PAGE_SIZE = 10_000
#: Runs per listing request (each comes with its config, summary and history keys).
LIST_PAGE_SIZE = 100
#: Runs per batched history request (``Runs.histories`` sends this many per request).
BATCH_RUNS = 10
#: Runs of at most this many rows are fetched in batched requests; longer ones are scanned.
BATCH_MAX_STEPS = 2_000
#: Rows one chunk of batched requests may hold in memory at most.
CHUNK_MAX_ROWS = 100_000
#: Chunks of batched requests in flight at once (each with up to concurrency / 2 requests).
CHUNK_WORKERS = 2
#: Seconds between checkpoints of the manifest while histories are written.
CHECKPOINT_SECONDS = 2.0

HISTORY_DIR = "history"
RUNS_DIR = "runs"
RUNS_FILE = "part-0.parquet"
_META_RUN = b"wandbkit.run_id"
_META_LAST = b"wandbkit.last_step"
_META_DOC = b"wandbkit.metadata"


@dataclass(frozen=True)
class ExportProgress:
    """Where an export is: ``phase`` is ``"listing"``, ``"history"`` or ``"done"``."""

    phase: str
    runs_total: int
    runs_done: int
    runs_skipped: int
    rows_written: int


@dataclass(frozen=True)
class ExportResult:
    """What one call of :func:`export_project` did.

    Attributes:
        out: the export directory.
        runs: runs in the export (this call's and earlier calls').
        exported: runs whose history this call wrote.
        skipped: runs already complete from an earlier call, left as they were.
        history_rows: rows this call wrote.
        seconds: how long it took.
    """

    out: Path
    runs: int
    exported: int
    skipped: int
    history_rows: int
    seconds: float

    @property
    def manifest(self) -> Path:
        """The manifest file."""
        return self.out / MANIFEST_NAME


@dataclass
class _Counts:
    checkpoint: float
    done: int = 0
    rows: int = 0


def _check_positive(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UsageError(f"{name} must be a positive int, got {value!r}")
    return value


def _source(
    base_url: str,
    entity: str,
    project: str,
    filters: Any,
    keys: Sequence[str] | None,
    metadata: bool,
) -> dict[str, Any]:
    return {
        "base_url": base_url,
        "entity": entity,
        "project": project,
        "filters": filters,
        "keys": list(keys) if keys is not None else None,
        "metadata": metadata,
    }


def _metadata_of_file(path: Path) -> Any:
    """The run metadata a history file carries (``--metadata``), or None."""
    import pyarrow.parquet as pq

    stored = (pq.read_schema(path).metadata or {}).get(_META_DOC)
    return json.loads(stored) if stored else None


def _remove_stale_temporaries(out: Path) -> None:
    # What a killed export left mid-write: never a *.parquet name, always a .<name>.tmp-*.
    for folder in (out, out / HISTORY_DIR, out / RUNS_DIR):
        if folder.is_dir():
            for stale in folder.glob(".*.tmp-*"):
                stale.unlink(missing_ok=True)


def _entry_from_file(path: Path, relative: str) -> RunEntry | None:
    """The entry of a history file written after the manifest's last checkpoint."""
    import pyarrow.parquet as pq

    try:
        meta = pq.read_metadata(path)
    except (OSError, ValueError):
        return None
    schema_meta = meta.schema.to_arrow_schema().metadata or {}
    if _META_LAST not in schema_meta:
        return None
    return RunEntry(
        file=relative,
        rows=meta.num_rows,
        last_step=int(schema_meta[_META_LAST]),
        bytes=path.stat().st_size,
        exported_at=now(),
    )


def write_history_parquet(
    rows: Sequence[Mapping[str, Any]],
    out: str | Path,
    *,
    history_keys: Mapping[str, Any] | None = None,
    keys: Sequence[str] | None = None,
    run_id: str | None = None,
) -> int:
    """Write one run's history rows to a Parquet file atomically, typed as an export types
    them (from the run's ``history_keys`` when given, else from the values); its size.

    Raises:
        UsageError: pyarrow is missing.
    """
    require_pyarrow()
    if history_keys is not None and history_keys.get("keys"):
        columns = column_types_from_history_keys([history_keys], keys)
    else:
        columns = {STEP_KEY: "int64", **column_types_from_values(rows)}
    constants = {"run_id": run_id} if run_id is not None else None
    return write_parquet(to_table(rows, columns, constants=constants), Path(out))


def _chunks(
    todo: deque[wandbkit.AsyncRun], keys: Sequence[str] | None, concurrency: int
) -> deque[list[wandbkit.AsyncRun]]:
    """Take the runs whose whole history batched requests can bring out of ``todo``, in
    chunks of ``BATCH_RUNS`` runs per request x the concurrency shared by the chunks in
    flight (so that no more than ``concurrency`` requests are).

    With ``keys`` every run is scanned (the batched request has no key selection).
    """
    chunks: deque[list[wandbkit.AsyncRun]] = deque()
    if keys is not None:
        return chunks
    per_chunk = BATCH_RUNS * max(1, concurrency // _chunk_workers(concurrency))
    rest: deque[wandbkit.AsyncRun] = deque()
    current: list[wandbkit.AsyncRun] = []
    steps = 0
    for run in todo:
        count = run.history_line_count
        if not 0 < count <= BATCH_MAX_STEPS:
            rest.append(run)  # no history (nothing to fetch), or too long for one answer
            continue
        if current and (len(current) >= per_chunk or steps + count > CHUNK_MAX_ROWS):
            chunks.append(current)
            current, steps = [], 0
        current.append(run)
        steps += count
    if current:
        chunks.append(current)
    todo.clear()
    todo.extend(rest)
    return chunks


def _chunk_workers(concurrency: int) -> int:
    return min(CHUNK_WORKERS, concurrency)


async def _batched_histories(
    api: wandbkit.AsyncApi, path: str, chunk: Sequence[wandbkit.AsyncRun]
) -> dict[str, list[dict[str, Any]]]:
    """The histories of ``chunk``'s runs, ``BATCH_RUNS`` per request (``Runs.histories``
    asking for more samples than any of them has rows), by run id."""
    listing = api.runs(path, {"name": {"$in": [run.id for run in chunk]}})
    rows = await listing.histories(samples=BATCH_MAX_STEPS)
    assert isinstance(rows, list)  # format="default"
    by_run: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_run.setdefault(row.pop("run_id"), []).append(row)
    return by_run


async def _all_of(workers: list[Coroutine[Any, Any, None]]) -> None:
    """Run ``workers`` together; the first failure cancels the others and is raised."""
    tasks = [asyncio.ensure_future(worker) for worker in workers]
    if not tasks:
        return
    try:
        finished, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in finished:
            task.result()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _history_rows(
    run: wandbkit.AsyncRun, keys: Sequence[str] | None, page_size: int
) -> list[dict[str, Any]]:
    last = run.last_history_step
    if last < 0:
        return []
    scan = run.scan_history(
        keys=list(keys) if keys is not None else None, page_size=page_size, max_step=last + 1
    )
    return [row async for row in scan]


async def export_project(
    api: wandbkit.AsyncApi,
    path: str,
    out: str | Path,
    *,
    filters: Mapping[str, Any] | None = None,
    keys: Sequence[str] | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    page_size: int = DEFAULT_PAGE_SIZE,
    on_progress: Callable[[ExportProgress], None] | None = None,
    metadata: bool = False,
) -> ExportResult:
    """Export a project's runs and full histories to a Parquet dataset in ``out``.

    Resumable: called again on the same ``out`` after an interruption, it skips the runs whose
    history file is complete and whose last step has not moved since, and writes the rest.

    Args:
        api: the client to read with.
        path: ``entity/project`` (or ``project`` with the default entity).
        out: the export directory (created if missing).
        filters: a run filter, as ``Api.runs`` takes it.
        keys: export only these history metrics (and ``_step``); ``None`` = every metric.
        concurrency: history requests in flight at once.
        page_size: history steps per request.
        on_progress: called as the export advances.
        metadata: also read each run's ``wandb-metadata.json`` (host, Python, GPU, command;
            one more request per run) into the runs table's ``metadata`` column.

    Raises:
        UsageError: bad arguments, pyarrow missing, or ``out`` holds another export.
        APIError: the server failed; what was finished stays, and a new call resumes.
    """
    started = time.perf_counter()
    require_pyarrow()
    concurrency = _check_positive(concurrency, "concurrency")
    page_size = _check_positive(page_size, "page_size")
    if keys is not None and (isinstance(keys, str) or not all(isinstance(k, str) for k in keys)):
        raise UsageError(f"keys must be a list of metric names, got {keys!r}")
    root = Path(out)
    if root.exists() and not root.is_dir():
        raise UsageError(f"out {str(root)!r} is a file; give a directory")
    report = on_progress or (lambda _: None)

    listing = api.runs(path, filters, per_page=LIST_PAGE_SIZE, lazy=False)
    report(ExportProgress("listing", 0, 0, 0, 0))
    runs = [run async for run in listing]
    entity, project = str(listing.entity), listing.project
    source = _source(api.settings.base_url, entity, project, listing.filters, keys, metadata)

    root.mkdir(parents=True, exist_ok=True)
    manifest_path = root / MANIFEST_NAME
    manifest = Manifest.load(manifest_path)
    if manifest is not None and manifest.source != source:
        raise UsageError(
            f"{root} holds an export of {manifest.source['entity']}/"
            f"{manifest.source['project']} with other options; use another --out directory"
        )
    manifest = manifest or Manifest(source=source)
    manifest.complete = False
    _remove_stale_temporaries(root)

    columns = column_types_from_history_keys((run.history_keys for run in runs), keys)
    # A resumed export keeps the columns it started with (files already written have them)
    # and adds what new runs brought.
    merged = dict(manifest.history_columns)
    for key, kind in columns.items():
        merged.setdefault(key, kind)
    manifest.history_columns = columns = merged

    todo: deque[wandbkit.AsyncRun] = deque()
    documents: dict[str, Any] = {}
    skipped = 0
    for run in runs:
        relative = f"{HISTORY_DIR}/{run.id}.parquet"
        entry = manifest.runs.get(run.id)
        if entry is None and (root / relative).is_file():
            entry = _entry_from_file(root / relative, relative)
        if entry is not None and entry.last_step == run.last_history_step:
            manifest.runs[run.id] = entry
            skipped += 1
            if metadata:
                documents[run.id] = _metadata_of_file(root / relative)
        else:
            manifest.runs.pop(run.id, None)
            todo.append(run)

    state = _Counts(checkpoint=time.monotonic())

    def progress(phase: str) -> None:
        report(ExportProgress(phase, len(runs), state.done, skipped, state.rows))

    progress("history")

    async def finish(run: wandbkit.AsyncRun, rows: list[dict[str, Any]]) -> None:
        relative = f"{HISTORY_DIR}/{run.id}.parquet"
        meta = {_META_RUN.decode(): run.id, _META_LAST.decode(): str(run.last_history_step)}
        if metadata:
            documents[run.id] = await run.get_metadata()
            meta[_META_DOC.decode()] = json.dumps(documents[run.id], default=str)
        table = to_table(rows, columns, constants={"run_id": run.id}, metadata=meta)
        size = await asyncio.to_thread(write_parquet, table, root / relative)
        manifest.runs[run.id] = RunEntry(relative, len(rows), run.last_history_step, size, now())
        state.done += 1
        state.rows += len(rows)
        progress("history")
        if time.monotonic() - state.checkpoint > CHECKPOINT_SECONDS:
            state.checkpoint = time.monotonic()
            manifest.save(manifest_path)

    async def scan_worker() -> None:
        while todo:
            run = todo.popleft()
            await finish(run, await _history_rows(run, keys, page_size))

    chunks = _chunks(todo, keys, concurrency)

    async def chunk_worker() -> None:
        while chunks:
            chunk = chunks.popleft()
            by_run = await _batched_histories(api, f"{entity}/{project}", chunk)
            for run in chunk:
                rows = by_run.get(run.id, [])
                if len(rows) == run.history_line_count:
                    await finish(run, rows)
                else:  # not every row came: scan this run page by page instead
                    todo.append(run)

    try:
        workers = min(_chunk_workers(concurrency), len(chunks))
        await _all_of([chunk_worker() for _ in range(workers)])
        await _all_of([scan_worker() for _ in range(min(concurrency, len(todo)))])
    finally:
        manifest.save(manifest_path)

    table = runs_table(runs, documents if metadata else None)
    write_parquet(table, root / RUNS_DIR / RUNS_FILE)
    manifest.runs_table = {"file": f"{RUNS_DIR}/{RUNS_FILE}", "rows": table.num_rows}
    # Runs no longer selected (deleted, or filtered out since) leave the export.
    listed = {run.id for run in runs}
    for name in [name for name in manifest.runs if name not in listed]:
        (root / manifest.runs.pop(name).file).unlink(missing_ok=True)
    manifest.complete = True
    manifest.save(manifest_path)
    progress("done")
    return ExportResult(
        out=root,
        runs=len(runs),
        exported=state.done,
        skipped=skipped,
        history_rows=state.rows,
        seconds=time.perf_counter() - started,
    )
