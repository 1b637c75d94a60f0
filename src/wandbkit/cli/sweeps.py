"""``wandbkit sweep ls|show``: a project's sweeps, and one sweep with its config, best run and
runs (``Project.sweeps``, ``Api.sweep``, ``Sweep.best_run``, ``Sweep.runs``)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from wandbkit.cli._common import (
    connection_options,
    handle_errors,
    limited,
    out_console,
    session,
    split_path,
)
from wandbkit.cli.render import (
    FORMATS,
    jsonable,
    print_fields,
    write_json,
    write_listing,
    write_records,
)

if TYPE_CHECKING:
    import wandbkit

__all__ = ["COMMANDS", "sweep"]

SWEEP_COLUMNS = ("id", "name", "state", "method", "runs", "best_loss", "created_at")
RUN_COLUMNS = ("id", "name", "state", "created_at")


def _sweep_row(found: wandbkit.Sweep) -> dict[str, Any]:
    return {
        "id": found.id,
        "name": found.name,
        "state": found.state,
        "method": found.method,
        "runs": found.run_count,
        "best_loss": found.best_loss,
        "created_at": found.created_at,
        "url": found.url,
    }


@click.group(
    "sweep",
    epilog="""\b
Examples:
  wandbkit sweep ls demo-team/diffusion-sweeps
  wandbkit sweep show demo-team/diffusion-sweeps/SWEEP_ID
""",
)
def sweep() -> None:
    """List a project's sweeps and show one."""


LS_EPILOG = """\b
Examples:
  wandbkit sweep ls demo-team/diffusion-sweeps
  wandbkit sweep ls demo-team/diffusion-sweeps --format json
"""


@sweep.command("ls", epilog=LS_EPILOG)
@click.argument("path", metavar="ENTITY/PROJECT")
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help="Show at most N sweeps.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@connection_options
@handle_errors
def ls(path: str, limit: int | None, fmt: str) -> None:
    """List the sweeps of ENTITY/PROJECT."""
    entity, project = split_path(path, (2,), "ENTITY/PROJECT")
    api = session(click.get_current_context()).api()
    listing = api.project(project, entity=entity).sweeps()
    rows = (_sweep_row(s) for s in limited(listing, limit))
    write_listing(fmt, SWEEP_COLUMNS, rows, f"sweeps in {path}", extra=("url",))


SHOW_EPILOG = """\b
Examples:
  wandbkit sweep show demo-team/diffusion-sweeps/SWEEP_ID
  wandbkit sweep show https://wandb.ai/demo-team/diffusion-sweeps/sweeps/SWEEP_ID --format json
"""


@sweep.command("show", epilog=SHOW_EPILOG)
@click.argument("path", metavar="PATH")
@click.option(
    "--runs",
    "run_limit",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    metavar="N",
    help="List the first N of the sweep's runs.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@connection_options
@handle_errors
def show(path: str, run_limit: int, fmt: str) -> None:
    """Show one sweep: its fields, config, best run and runs.

    PATH is entity/project/sweep_id (or entity/project/sweeps/sweep_id, or the sweep's URL).
    """
    api = session(click.get_current_context()).api()
    found = api.sweep(path)
    best = found.best_run()
    fields = {
        "path": "/".join(found.path),
        **_sweep_row(found),
        "expected_runs": found.expected_run_count,
        "best_run": "/".join(best.path) if best is not None else None,
        "metric": found.config.get("metric"),
    }
    runs = [
        {"id": r.id, "name": r.name, "state": str(r.state), "created_at": r.created_at}
        for r in limited(found.runs, run_limit)
    ]
    if fmt == "json":
        write_json([jsonable({**fields, "config": found.config, "runs": runs})], sys.stdout)
        return
    print_fields(fields)
    parameters = found.config.get("parameters")
    if isinstance(parameters, dict) and parameters:
        print_fields({f"parameters.{k}": v for k, v in parameters.items()})
    out_console().print()
    write_records("table", RUN_COLUMNS, runs, sys.stdout, title=f"runs (first {run_limit})")


#: The commands of this module, in the order ``wandbkit --help`` lists them.
COMMANDS = (sweep,)
