"""The runs table of an export: one row per run with its fields, its config and summary as
JSON text, and every scalar config and summary value in a column of its own."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from wandbkit.export._arrow import column_types_from_values, to_table

if TYPE_CHECKING:
    import pyarrow as pa

    import wandbkit

__all__ = ["FIELD_COLUMNS", "runs_table"]

#: The run fields of the runs table and their column types, in column order.
FIELD_COLUMNS: dict[str, str] = {
    "run_id": "string",
    "name": "string",
    "state": "string",
    "created_at": "timestamp",
    "heartbeat_at": "timestamp",
    "user": "string",
    "tags": "list<string>",
    "group": "string",
    "job_type": "string",
    "sweep": "string",
    "notes": "string",
    "commit": "string",
    "url": "string",
    "history_line_count": "int64",
    "last_step": "int64",
    "config": "json",
    "summary": "json",
    "system_metrics": "json",
}


def _scalars(document: Mapping[str, Any], prefix: str) -> Iterator[tuple[str, Any]]:
    for key, value in document.items():
        if isinstance(value, Mapping):
            if value:
                yield from _scalars(value, f"{prefix}{key}.")
        elif not isinstance(value, list):
            yield f"{prefix}{key}", value


def _row(run: wandbkit.AsyncRun) -> dict[str, Any]:
    user = run.user
    config, summary = run.config, run.summary_metrics
    return {
        "run_id": run.id,
        "name": run.name,
        "state": str(run.state),
        "created_at": run.created_at,
        "heartbeat_at": run.heartbeat_at,
        "user": user.username if user is not None else None,
        "tags": list(run.tags),
        "group": run.group,
        "job_type": run.job_type,
        "sweep": run.sweep_name,
        "notes": run.notes,
        "commit": run.commit,
        "url": run.url,
        "history_line_count": run.history_line_count,
        "last_step": run.last_history_step,
        "config": config,
        "summary": summary,
        "system_metrics": run.system_metrics,
        **dict(_scalars(config, "config.")),
        **dict(_scalars(summary, "summary.")),
    }


def runs_table(
    runs: Sequence[wandbkit.AsyncRun], metadata: Mapping[str, Any] | None = None
) -> pa.Table:
    """One row per run (runs listed with their heavy fields).

    Args:
        runs: the runs.
        metadata: run id -> its ``wandb-metadata.json`` document, for a ``metadata`` column
            (JSON text) after the fields; ``None``: no such column.
    """
    rows = [_row(run) for run in runs]
    fields = dict(FIELD_COLUMNS)
    if metadata is not None:
        fields["metadata"] = "json"
        for row in rows:
            row["metadata"] = metadata.get(row["run_id"])
    flat = column_types_from_values(
        {k: v for k, v in row.items() if k not in fields} for row in rows
    )
    types = {**fields, **dict(sorted(flat.items()))}
    return to_table(rows, types)
