"""Bulk export of a project's runs and full histories to a Parquet dataset.

::

    import asyncio, wandbkit
    from wandbkit.export import export_project

    async def main() -> None:
        async with wandbkit.AsyncApi() as api:
            result = await export_project(api, "team/project", "./export")
            print(result.runs, result.history_rows)

    asyncio.run(main())

or ``wandbkit export team/project --out ./export`` on the command line. Needs the ``parquet``
extra (pyarrow); ``import wandbkit.export`` itself imports none of it.

Layout of ``OUT/``::

    manifest.json             what was exported from where (see below)
    runs/part-0.parquet       one row per run
    history/<run_id>.parquet  one file per run: every history row of the run

``runs/``: ``run_id``, ``name``, ``state``, ``created_at``/``heartbeat_at`` (UTC timestamps),
``user``, ``tags`` (list of strings), ``group``, ``job_type``, ``sweep``, ``notes``,
``commit``, ``url``, ``history_line_count``, ``last_step``, ``config``/``summary``/
``system_metrics`` as JSON text, ``metadata`` (with ``metadata=True`` / ``--metadata``: the
run's ``wandb-metadata.json``, as JSON text); then every scalar config and summary value in a
column of its own, named ``config.<key>`` / ``summary.<key>`` (nested keys joined with dots).

``history/``: ``run_id`` first, then ``_step`` (int64) and one column per metric: numbers are
double, strings string, booleans bool, anything else (media, lists, dicts, a metric whose type
varies) its JSON text. **Every history file has the same columns** (the union over the
exported runs, from their ``historyKeys``; a run lacking a metric has nulls there), so the
folder reads as one table with no schema merging::

    duckdb:  SELECT run_id, max(loss) FROM 'OUT/history/*.parquet' GROUP BY run_id
    polars:  pl.scan_parquet("OUT/history/*.parquet")
    spark:   spark.read.parquet("OUT/history")
    pandas:  pd.read_parquet("OUT/history")

``manifest.json``: ``format`` (``wandbkit-export/1``), ``source`` (base URL, entity,
project, filters, keys, metadata), ``complete``, ``started_at``/``updated_at``, ``history_columns``
(name -> type), ``runs_table`` (file, rows) and ``runs``: per run id its ``file``, ``rows``,
``last_step``, ``bytes`` and ``exported_at``.

Resuming: every file is written to a temporary name and renamed when complete, so a
``*.parquet`` file is never half-written. Run again with the same arguments after an
interruption, the export skips the runs that are complete (and whose last step has not moved)
and writes the others; the runs table and the manifest are rewritten at the end. A run
exported again after new steps were logged is rewritten whole; runs no longer selected leave
the export. If new runs bring new metrics to a resumed export, the files written before lack
those columns: read with ``union_by_name=true`` (DuckDB) or ``missing_columns="insert"``
(Polars) then, or export again into an empty directory.
"""

from __future__ import annotations

from wandbkit.export._engine import (
    DEFAULT_CONCURRENCY,
    DEFAULT_PAGE_SIZE,
    ExportProgress,
    ExportResult,
    export_project,
    write_history_parquet,
)
from wandbkit.export._manifest import MANIFEST_NAME, Manifest, RunEntry

__all__ = [
    "DEFAULT_CONCURRENCY",
    "DEFAULT_PAGE_SIZE",
    "MANIFEST_NAME",
    "ExportProgress",
    "ExportResult",
    "Manifest",
    "RunEntry",
    "export_project",
    "write_history_parquet",
]
