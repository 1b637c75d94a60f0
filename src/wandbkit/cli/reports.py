"""``wandbkit report ls|show``: a project's reports, and one report's fields and sections
(``Api.reports``, ``Api.from_path``)."""

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

__all__ = ["COMMANDS", "report"]

REPORT_COLUMNS = ("id", "title", "author", "updated_at", "url")


def _report_row(found: wandbkit.BetaReport) -> dict[str, Any]:
    return {
        "id": found.id,
        "title": found.display_name,
        "author": found.user.username if found.user is not None else None,
        "created_at": found.created_at,
        "updated_at": found.updated_at,
        "description": found.description,
        "url": found.url,
    }


@click.group(
    "report",
    epilog="""\b
Examples:
  wandbkit report ls demo/mnist-baselines
  wandbkit report show demo/mnist-baselines/reports/MNIST-baselines--Vmlldzox
""",
)
def report() -> None:
    """List a project's reports and show one."""


LS_EPILOG = """\b
Examples:
  wandbkit report ls demo/mnist-baselines
  wandbkit report ls demo-team/imagenet-resnet --name 'ResNet recipes' --format json
"""


@report.command("ls", epilog=LS_EPILOG)
@click.argument("path", metavar="ENTITY/PROJECT")
@click.option("--name", metavar="TITLE", help="Only the reports with this title.")
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help="Show at most N reports.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@connection_options
@handle_errors
def ls(path: str, name: str | None, limit: int | None, fmt: str) -> None:
    """List the reports of ENTITY/PROJECT, oldest first."""
    split_path(path, (2,), "ENTITY/PROJECT")
    api = session(click.get_current_context()).api()
    rows = (_report_row(r) for r in limited(api.reports(path, name=name), limit))
    extra = ("created_at", "description")
    write_listing(fmt, REPORT_COLUMNS, rows, f"reports in {path}", extra=extra)


SHOW_EPILOG = """\b
Examples:
  wandbkit report show demo/mnist-baselines/reports/MNIST-baselines--Vmlldzox
  wandbkit report show URL --format json         # the url column of 'wandbkit report ls'
"""


@report.command("show", epilog=SHOW_EPILOG)
@click.argument("path", metavar="PATH")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@connection_options
@handle_errors
def show(path: str, fmt: str) -> None:
    """Show one report: its fields and sections.

    PATH is entity/project/reports/Title--ID, or the report's URL.
    """
    from wandbkit import BetaReport

    api = session(click.get_current_context()).api()
    found = api.from_path(path)
    if not isinstance(found, BetaReport):
        raise click.BadParameter(
            f"{path!r} is not a report path (entity/project/reports/Title--ID)",
            param_hint="PATH",
        )
    found.load()
    fields = {"path": f"{found.entity}/{found.project}", **_report_row(found)}
    sections = [
        {"name": s.get("name"), "run_sets": len(s.get("runSets") or [])} for s in found.sections
    ]
    if fmt == "json":
        write_json([jsonable({**fields, "sections": sections})], sys.stdout)
        return
    print_fields(fields)
    if sections:
        out_console().print()
        write_records("table", ["name", "run_sets"], sections, sys.stdout, title="sections")


#: The commands of this module, in the order ``wandbkit --help`` lists them.
COMMANDS = (report,)
