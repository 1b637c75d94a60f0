"""How the command line shows values: rich tables, JSON, CSV, and sparklines.

Presentation only: nothing here talks to the server.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

import click

from wandbkit.cli._common import out_console

__all__ = [
    "FORMATS",
    "cell",
    "jsonable",
    "print_fields",
    "sparkline",
    "write_csv",
    "write_json",
    "write_listing",
    "write_records",
    "write_table",
]

#: The output formats of listing commands.
FORMATS = ("table", "json", "csv")

_BARS = "▁▂▃▄▅▆▇█"


def jsonable(value: Any) -> Any:
    """``value`` with datetimes as ISO-8601 text and non-finite floats as ``None``."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def cell(value: Any) -> str:
    """A short text for one table cell (``""`` for ``None``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (list, tuple)):
        return ", ".join(cell(v) for v in value)
    if isinstance(value, Mapping):
        return json.dumps(jsonable(value), separators=(",", ":"), default=str)
    return str(value)


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (Mapping, list, tuple)):
        return json.dumps(jsonable(value), separators=(",", ":"), default=str)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def write_csv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]], out: IO[str]) -> int:
    """Write a header and one line per row (missing values empty); the count of rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([_csv_cell(row.get(column)) for column in columns])
        count += 1
    return count


def write_json(rows: Iterable[Mapping[str, Any]], out: IO[str]) -> int:
    """Write a JSON array, one object per line, as rows arrive; the count of rows."""
    count = 0
    out.write("[")
    for row in rows:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(jsonable(row), default=str))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def write_table(
    columns: Sequence[str], rows: Iterable[Mapping[str, Any]], *, title: str | None = None
) -> int:
    """Print a rich table on stdout; the count of rows."""
    from rich.table import Table

    table = Table(title=title, title_justify="left", header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    count = 0
    for row in rows:
        table.add_row(*(cell(row.get(column)) for column in columns))
        count += 1
    out_console().print(table)
    return count


def print_fields(fields: Mapping[str, Any]) -> None:
    """Print ``key  value`` lines (a rich grid) for the non-empty values of ``fields``."""
    from rich.table import Table

    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column(overflow="fold")
    for key, value in fields.items():
        if value not in (None, "", [], {}):
            head.add_row(key, cell(value))
    out_console().print(head)


def write_records(
    fmt: str,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    out: IO[str],
    *,
    title: str | None = None,
) -> int:
    """Write ``rows`` (restricted to ``columns``) as ``fmt``: table, json or csv."""
    if fmt == "csv":
        return write_csv(columns, rows, out)
    if fmt == "json":
        return write_json(({c: row.get(c) for c in columns} for row in rows), out)
    return write_table(columns, rows, title=title)


def write_listing(
    fmt: str,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    what: str,
    *,
    extra: Sequence[str] = (),
) -> None:
    """A listing command's output on stdout: ``columns`` as a table (then ``N what`` on
    stderr), or ``columns`` and ``extra`` as json or csv."""
    wide = [*columns] if fmt == "table" else [*columns, *extra]
    shown = write_records(fmt, wide, rows, sys.stdout)
    if fmt == "table":
        click.echo(f"{shown} {what}", err=True)


def sparkline(values: Sequence[float], width: int = 40) -> str:
    """``values`` as a line of block characters, resampled to at most ``width`` of them."""
    finite = [v for v in values if isinstance(v, (int, float)) and math.isfinite(v)]
    if not finite:
        return ""
    if len(finite) > width:
        step = len(finite) / width
        finite = [finite[int(i * step)] for i in range(width - 1)] + [finite[-1]]
    low, high = min(finite), max(finite)
    if high == low:
        return _BARS[len(_BARS) // 2] * len(finite)
    scale = (len(_BARS) - 1) / (high - low)
    return "".join(_BARS[round((v - low) * scale)] for v in finite)
