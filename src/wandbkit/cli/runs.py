"""``wandbkit runs`` (a project's runs as a table, JSON or CSV) and ``wandbkit run`` (one run,
with sparklines of its metrics)."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import click

from wandbkit.cli._common import (
    connection_options,
    handle_errors,
    json_object,
    limited,
    out_console,
    session,
)
from wandbkit.cli.render import (
    FORMATS,
    cell,
    jsonable,
    print_fields,
    sparkline,
    write_json,
    write_records,
)

if TYPE_CHECKING:
    import wandbkit

__all__ = ["COMMANDS", "column_value", "parse_columns", "parse_filter_terms", "run", "runs"]

#: Columns ``wandbkit runs`` shows without ``--columns``.
DEFAULT_COLUMNS = ("id", "name", "state", "created_at")

#: Plain run columns and how to read them from a ``Run``.
RUN_COLUMNS: dict[str, str] = {
    "id": "id",
    "name": "name",
    "display_name": "display_name",
    "state": "state",
    "created_at": "created_at",
    "heartbeat_at": "heartbeat_at",
    "tags": "tags",
    "group": "group",
    "job_type": "job_type",
    "sweep": "sweep_name",
    "notes": "notes",
    "commit": "commit",
    "url": "url",
    "history_line_count": "history_line_count",
}
_CONFIG = ("config.",)
_SUMMARY = ("summary.", "summary_metrics.")
_TERM = re.compile(r"^\s*([^=<>!~\s]+)\s*(==|=|!=|>=|<=|>|<|~)\s*(.*?)\s*$")
_OPERATORS = {"=": None, "==": None, "!=": "$ne", ">": "$gt", ">=": "$gte", "<": "$lt"}
_OPERATORS.update({"<=": "$lte", "~": "$regex"})
# Field names whose operands are numbers; every other plain field takes text.
_NUMERIC_FIELDS = frozenset({"duration"})
_DOCUMENTS = ("config.", "summary.", "summary_metrics.", "summaryMetrics.", "system_metrics.")


def parse_columns(text: str | None) -> list[str]:
    """``--columns name,state,config.lr`` as a list, checked.

    Raises:
        click.BadParameter: an unknown column.
    """
    if text is None:
        return list(DEFAULT_COLUMNS)
    columns = [c.strip() for c in text.split(",") if c.strip()]
    if not columns:
        raise click.BadParameter("give at least one column", param_hint="--columns")
    for column in columns:
        if column not in RUN_COLUMNS and not column.startswith(_CONFIG + _SUMMARY):
            known = ", ".join(RUN_COLUMNS)
            raise click.BadParameter(
                f"unknown column {column!r}; use {known}, config.<key> or summary.<key>",
                param_hint="--columns",
            )
        if column.endswith("."):
            raise click.BadParameter(f"{column!r} names no key", param_hint="--columns")
    return columns


def _operand(key: str, text: str) -> Any:
    if key.startswith(_DOCUMENTS) or key in _NUMERIC_FIELDS:
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def parse_filter_terms(filter_json: str | None, terms: Sequence[str]) -> dict[str, Any] | None:
    """``--filter JSON`` and ``-f key=value`` terms as one run filter (``None`` for none).

    A term is ``key OP value`` with OP one of ``= != > >= < <= ~`` (``~`` is a regular
    expression); values of ``config.``/``summary.`` keys are read as JSON when they parse
    (``-f config.lr=0.01`` is a number, ``-f config.opt=adam`` a string). All parts must hold.

    Raises:
        click.BadParameter: malformed JSON or a malformed term.
    """
    parts: list[dict[str, Any]] = []
    parsed = json_object(filter_json, "--filter", '{"state": "finished"}')
    if parsed is not None:
        parts.append(parsed)
    for term in terms:
        match = _TERM.match(term)
        if match is None:
            raise click.BadParameter(
                f"{term!r} is not KEY=VALUE (or KEY!=, >, >=, <, <=, ~ VALUE)", param_hint="-f"
            )
        key, op, text = match.groups()
        value = text if op == "~" else _operand(key, text)
        operator = _OPERATORS[op]
        parts.append({key: value if operator is None else {operator: value}})
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return {"$and": parts}


def _lookup(document: Mapping[str, Any], dotted: str) -> Any:
    if dotted in document:
        return document[dotted]
    value: Any = document
    for key in dotted.split("."):
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


def column_value(run: wandbkit.Run, column: str) -> Any:
    """The value of ``column`` (a plain column, ``config.<key>`` or ``summary.<key>``)."""
    if column.startswith(_CONFIG):
        return _lookup(run.config, column.removeprefix("config."))
    for prefix in _SUMMARY:
        if column.startswith(prefix):
            return _lookup(run.summary_metrics, column.removeprefix(prefix))
    value = getattr(run, RUN_COLUMNS[column])
    return str(value) if column == "state" else value


def _top_keys(columns: Sequence[str], prefixes: tuple[str, ...]) -> list[str]:
    keys: dict[str, None] = {}
    for column in columns:
        for prefix in prefixes:
            if column.startswith(prefix):
                keys[column.removeprefix(prefix).split(".")[0]] = None
    return list(keys)


RUNS_EPILOG = """\b
Examples:
  wandbkit runs demo-team/llm-finetune
  wandbkit runs demo-team/llm-finetune -f state=finished -f 'config.lr>=0.001'
  wandbkit runs demo/vision --filter '{"tags": "baseline"}' --order -summary.acc
  wandbkit runs demo/vision --columns id,name,config.lr,summary.loss --format csv > runs.csv
"""


@click.command("runs", epilog=RUNS_EPILOG)
@click.argument("path", metavar="ENTITY/PROJECT")
@click.option("--filter", "filter_json", metavar="JSON", help="A MongoDB-style run filter.")
@click.option(
    "-f",
    "terms",
    multiple=True,
    metavar="KEY=VALUE",
    help="A filter term (also !=, >, >=, <, <=, ~ for a regex); repeat for more (all hold).",
)
@click.option(
    "--order",
    default="+created_at",
    show_default=True,
    metavar="KEY",
    help="[+|-] then created_at, heartbeat_at, name, config.<key> or summary.<key>.",
)
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help="Show at most N runs.")
@click.option(
    "--columns",
    metavar="LIST",
    help="Comma-separated columns (default: id,name,state,created_at); plain ones: "
    + ", ".join(RUN_COLUMNS)
    + "; and config.<key>, summary.<key>.",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@connection_options
@handle_errors
def runs(
    path: str,
    filter_json: str | None,
    terms: tuple[str, ...],
    order: str,
    limit: int | None,
    columns: str | None,
    fmt: str,
) -> None:
    """List the runs of ENTITY/PROJECT, filtered and sorted by the server."""
    chosen = parse_columns(columns)
    filters = parse_filter_terms(filter_json, terms)
    config_keys = _top_keys(chosen, _CONFIG)
    summary_keys = _top_keys(chosen, _SUMMARY)
    heavy = bool(config_keys or summary_keys)
    api = session(click.get_current_context()).api()
    listing = api.runs(
        path,
        filters,
        order=order,
        per_page=min(limit or 50, 100),
        lazy=not heavy,
        config_keys=config_keys or None,
        summary_keys=summary_keys or None,
    )

    def rows() -> Iterator[dict[str, Any]]:
        for found in limited(listing, limit):
            yield {column: column_value(found, column) for column in chosen}

    shown = write_records(fmt, chosen, rows(), sys.stdout, title=None)
    if fmt == "table":
        total = len(listing) if listing.pages_loaded else shown
        click.echo(f"{shown} of {total} runs in {path}", err=True)


def _flatten(document: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in document.items():
        if isinstance(value, Mapping) and value:
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


RUN_EPILOG = """\b
Examples:
  wandbkit run demo-team/llm-finetune/RUN_ID
  wandbkit run https://wandb.ai/demo-team/llm-finetune/runs/RUN_ID --format json
"""


@click.command("run", epilog=RUN_EPILOG)
@click.argument("path", metavar="PATH")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option(
    "--samples",
    type=click.IntRange(min=2, max=1000),
    default=200,
    show_default=True,
    help="History rows the sparklines are drawn from.",
)
@connection_options
@handle_errors
def run(path: str, fmt: str, samples: int) -> None:
    """Show one run: its fields, config, and summary with a sparkline per metric.

    PATH is entity/project/run_id (or entity/project/runs/run_id, or the run's URL).
    """
    api = session(click.get_current_context()).api()
    found = api.run(path)
    fields = {
        "path": "/".join(found.path),
        "name": found.name,
        "state": str(found.state),
        "url": found.url,
        "created_at": found.created_at,
        "heartbeat_at": found.heartbeat_at,
        "user": found.user.username if found.user is not None else None,
        "tags": found.tags,
        "group": found.group,
        "job_type": found.job_type,
        "sweep": found.sweep_name,
        "history_rows": found.history_line_count,
    }
    if fmt == "json":
        document = {**fields, "config": found.config, "summary": found.summary_metrics}
        write_json([jsonable(document)], sys.stdout)
        return
    history = found.history(samples=samples, pandas=False)
    assert isinstance(history, list)  # pandas=False
    _print_run(fields, found.config, found.summary_metrics, history)


def _print_run(
    fields: Mapping[str, Any],
    config: Mapping[str, Any],
    summary: Mapping[str, Any],
    history: Sequence[Mapping[str, Any]],
) -> None:
    from rich.table import Table

    console = out_console()
    print_fields(fields)

    if config:
        table = Table(title="config", title_justify="left", header_style="bold")
        table.add_column("key")
        table.add_column("value", overflow="fold")
        for key, value in sorted(_flatten(config)):
            table.add_row(key, cell(value))
        console.print(table)

    metrics = {k: v for k, v in summary.items() if not k.startswith("_")}
    if metrics:
        table = Table(title="summary", title_justify="left", header_style="bold")
        table.add_column("metric")
        table.add_column("last", justify="right")
        table.add_column("min", justify="right")
        table.add_column("max", justify="right")
        table.add_column(f"history ({len(history)} samples)", no_wrap=True)
        for key, value in sorted(metrics.items()):
            series = [row[key] for row in history if _is_number(row.get(key))]
            low = cell(min(series)) if series else ""
            high = cell(max(series)) if series else ""
            table.add_row(key, _short(cell(value)), low, high, sparkline(series, SPARK_WIDTH))
        console.print(table)


#: Characters of a sparkline in ``wandbkit run``, and of a summary value before it is cut.
SPARK_WIDTH = 24
VALUE_WIDTH = 28


def _short(text: str) -> str:
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1] + "…"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


#: The commands of this module, in the order ``wandbkit --help`` lists them.
COMMANDS = (runs, run)
