"""``wandbkit export``: a project's runs and full histories to a Parquet dataset, with a
progress bar; resumable (see :mod:`wandbkit.export` for the layout)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

import click

from wandbkit.cli._common import connection_options, err_console, handle_errors, session
from wandbkit.cli.runs import parse_filter_terms

if TYPE_CHECKING:
    import wandbkit
    from wandbkit.export import ExportProgress, ExportResult

__all__ = ["COMMANDS", "export", "parse_keys"]


def parse_keys(text: str | None) -> list[str] | None:
    """``--keys loss,acc`` as a list (``None`` for every metric)."""
    if text is None:
        return None
    keys = [key.strip() for key in text.split(",") if key.strip()]
    if not keys:
        raise click.BadParameter("give at least one metric name", param_hint="--keys")
    return keys


EXPORT_EPILOG = """\b
Examples:
  wandbkit export demo-team/llm-finetune --out ./export
  wandbkit export demo/vision --out ./vision -f state=finished --keys loss,acc
  duckdb -c "SELECT run_id, min(loss) FROM './export/history/*.parquet' GROUP BY 1"

\b
Layout: OUT/manifest.json, OUT/runs/part-0.parquet (one row per run: fields,
config and summary), OUT/history/<run_id>.parquet (every history row; every file
has the same columns). Interrupted? Run the same command again: finished runs
are skipped, and no half-written .parquet file is ever left.
"""


@click.command("export", epilog=EXPORT_EPILOG)
@click.argument("path", metavar="ENTITY/PROJECT")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The export directory (created; an earlier export there is resumed).",
)
@click.option("--filter", "filter_json", metavar="JSON", help="A MongoDB-style run filter.")
@click.option("-f", "terms", multiple=True, metavar="KEY=VALUE", help="A filter term (as runs).")
@click.option("--keys", metavar="LIST", help="Only these metrics (comma-separated) and _step.")
@click.option(
    "--concurrency",
    type=click.IntRange(min=1, max=64),
    default=8,
    show_default=True,
    help="History requests in flight at once.",
)
@click.option(
    "--page-size",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="History steps per request.",
)
@click.option(
    "--metadata",
    is_flag=True,
    help="Also read each run's wandb-metadata.json (host, Python, GPU; one more request per "
    "run) into the runs table's metadata column.",
)
@connection_options
@handle_errors
def export(
    path: str,
    out: Path,
    filter_json: str | None,
    terms: tuple[str, ...],
    keys: str | None,
    concurrency: int,
    page_size: int,
    metadata: bool,
) -> None:
    """Export the runs of ENTITY/PROJECT and their full histories to Parquet in --out."""
    filters = parse_filter_terms(filter_json, terms)
    metrics = parse_keys(keys)
    state = session(click.get_current_context())
    result = asyncio.run(
        _export(state.async_api(), path, out, filters, metrics, concurrency, page_size, metadata)
    )
    click.echo(str(result.out))
    click.echo(
        f"{result.runs} runs in {result.out} ({result.exported} exported, "
        f"{result.skipped} already complete), {result.history_rows} history rows written "
        f"in {result.seconds:.1f} s; manifest: {result.manifest}",
        err=True,
    )


async def _export(
    api: wandbkit.AsyncApi,
    path: str,
    out: Path,
    filters: dict[str, object] | None,
    keys: list[str] | None,
    concurrency: int,
    page_size: int,
    metadata: bool,
) -> ExportResult:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from wandbkit.export import export_project

    console = err_console()
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("runs · {task.fields[rows]:,} rows"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,  # no bar (nor a stray blank line) in logs and pipes
    )
    task = progress.add_task("listing runs", total=None, rows=0)

    def update(event: ExportProgress) -> None:
        if event.phase == "listing":
            return
        progress.update(
            task,
            description="exporting",
            total=event.runs_total,
            completed=event.runs_done + event.runs_skipped,
            rows=event.rows_written,
        )

    async with api:
        with progress:
            return await export_project(
                api,
                path,
                out,
                filters=filters,
                keys=keys,
                concurrency=concurrency,
                page_size=page_size,
                on_progress=update,
                metadata=metadata,
            )


#: The commands of this module, in the order ``wandbkit --help`` lists them.
COMMANDS = (export,)
