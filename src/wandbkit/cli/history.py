"""``wandbkit history``: every history row of a run, as CSV, JSON or Parquet."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import click

from wandbkit.cli._common import connection_options, handle_errors, session
from wandbkit.cli.export import parse_keys
from wandbkit.cli.render import write_csv, write_json

__all__ = ["COMMANDS", "history", "history_columns"]


def history_columns(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every key of ``rows`` in first-seen order, ``_step`` first."""
    seen: dict[str, None] = {"_step": None}
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)


HISTORY_EPILOG = """\b
Examples:
  wandbkit history demo-team/llm-finetune/RUN_ID > history.csv
  wandbkit history demo-team/llm-finetune/RUN_ID --keys loss,lr --format json
  wandbkit history demo-team/llm-finetune/RUN_ID --format parquet --out run.parquet
  wandbkit history demo-team/llm-finetune/RUN_ID --min-step 100 --max-step 200
"""


@click.command("history", epilog=HISTORY_EPILOG)
@click.argument("path", metavar="PATH")
@click.option("--keys", metavar="LIST", help="Only rows with these metrics (comma-separated).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json", "parquet"]),
    default="csv",
    show_default=True,
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: stdout; required for parquet).",
)
@click.option("--min-step", type=click.IntRange(min=0), help="First step (default: 0).")
@click.option("--max-step", type=click.IntRange(min=0), help="Stop before this step.")
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE.png",
    help="Draw the metrics (--keys, else up to 6) as a PNG line chart; rows are written "
    "only with --out then (needs the plots extra, matplotlib).",
)
@connection_options
@handle_errors
def history(
    path: str,
    keys: str | None,
    fmt: str,
    out: Path | None,
    min_step: int | None,
    max_step: int | None,
    plot: Path | None,
) -> None:
    """Write every history row of the run at PATH (entity/project/run_id), in step order."""
    if fmt == "parquet" and out is None:
        raise click.UsageError("--format parquet needs --out FILE")
    metrics = parse_keys(keys)
    api = session(click.get_current_context()).api()
    run = api.run(path)
    scan: Iterable[dict[str, Any]] = run.scan_history(
        keys=metrics, min_step=min_step, max_step=max_step
    )
    if plot is not None:
        rows = list(scan)
        _plot(rows, metrics, plot, path)
        scan = rows
        if out is None:
            return
    if fmt == "parquet":
        assert out is not None
        from wandbkit.export import write_history_parquet

        rows = list(scan)
        write_history_parquet(rows, out, history_keys=run.history_keys, keys=metrics, run_id=run.id)
        click.echo(f"{len(rows)} rows of {path} written to {out}", err=True)
        return
    if out is None:
        count = _write(fmt, scan, sys.stdout, metrics)
    else:
        # A temporary file, renamed when complete: an error never leaves half a file.
        temp = out.with_name(f".{out.name}.tmp")
        try:
            with temp.open("w", encoding="utf-8", newline="") as sink:
                count = _write(fmt, scan, sink, metrics)
            temp.replace(out)
        finally:
            temp.unlink(missing_ok=True)
        click.echo(f"{count} rows of {path} written to {out}", err=True)


#: Metrics ``--plot`` draws without ``--keys``: the first ones logged, at most this many.
PLOT_METRICS = 6


def _plot(rows: list[dict[str, Any]], keys: list[str] | None, out: Path, path: str) -> None:
    from wandbkit.plots import plot_metrics

    if keys is None:
        numeric = [
            key
            for key in history_columns(rows)
            if not key.startswith("_")
            and any(
                isinstance(r.get(key), (int, float)) and not isinstance(r.get(key), bool)
                for r in rows
            )
        ]
        keys = numeric[:PLOT_METRICS]
    written = plot_metrics(rows, keys, out, title=path)
    click.echo(f"plot of {', '.join(keys)} ({len(rows)} rows) written to {written}", err=True)


def _write(
    fmt: str, scan: Iterable[Mapping[str, Any]], sink: IO[str], metrics: list[str] | None
) -> int:
    if fmt == "json":
        return write_json(scan, sink)
    if metrics is not None:  # the columns are known: stream
        return write_csv(["_step", *metrics], scan, sink)
    rows = list(scan)  # CSV needs every column up front
    return write_csv(history_columns(rows), rows, sink)


#: The commands of this module, in the order ``wandbkit --help`` lists them.
COMMANDS = (history,)
