"""``Api.sync_tensorboard``: TensorBoard logs written as a run's history through the writer."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from wandbkit._async.runs.writer import AsyncRunWriter
from wandbkit._values.tensorboard import read_scalar_rows

if TYPE_CHECKING:
    from wandbkit._async.context import ClientContext
    from wandbkit._async.runs.run import AsyncRun, SweepLoader

__all__ = ["sync_tensorboard"]


async def sync_tensorboard(
    ctx: ClientContext,
    load_sweep: SweepLoader,
    root_dir: str | Path,
    *,
    run_id: str | None,
    project: str,
    entity: str | None,
) -> AsyncRun:
    """Read the scalars under ``root_dir`` and write them as a new run; returns the run.

    Each TensorBoard step becomes one history row at that ``_step`` (in step order; a log with
    negative steps is numbered from 0 instead), with ``global_step`` holding the TensorBoard
    step, ``_timestamp`` the events' wall time and ``_runtime`` the seconds since the first.
    """
    from wandbkit._async.runs.run import fetch_run

    rows = read_scalar_rows(root_dir)  # raises UsageError before any request
    renumber = any(row.step < 0 for row in rows)
    first = rows[0].wall_time if rows else 0.0
    writer = AsyncRunWriter(
        ctx,
        load_sweep,
        project=project,
        entity=entity,
        run_id=run_id,
        config=None,
        name=None,
        notes=None,
        tags=["tensorboard"],
        group=None,
        job_type=None,
        resume=False,
        max_rows=5000,
        flush_every=3600.0,
        retry=None,
    )
    async with writer:
        for index, row in enumerate(rows):
            await writer.log(
                {
                    **row.values,
                    "global_step": row.step,
                    "_timestamp": row.wall_time,
                    "_runtime": max(0.0, row.wall_time - first),
                },
                step=index if renumber else row.step,
            )
    return await fetch_run(ctx, writer.entity, writer.project, writer.id, load_sweep)
