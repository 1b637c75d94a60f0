"""History values: rows from the server's JSON text, data frames, and the history arguments.

History rows travel as JSON text, one object per line; :func:`parse_rows` reads a page of them
at once. pandas and polars are optional extras, imported only when a frame is asked for.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from wandbkit._core.errors import UsageError

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

__all__ = [
    "HistoryFormat",
    "check_format",
    "check_step",
    "check_stream",
    "parse_rows",
    "to_pandas",
    "to_polars",
]

HistoryFormat = Literal["default", "pandas", "polars"]


def parse_rows(lines: Iterable[str | Mapping[str, Any]]) -> list[dict[str, Any]]:
    """History rows from the server's JSON text lines (or already-parsed objects)."""
    items = list(lines)
    if items and isinstance(items[0], str):
        # Each line is one JSON object: one parse of the joined array (with pydantic-core's fast
        # parser) is much cheaper than a json.loads call per row. The count check catches a
        # line that is not exactly one value (it would change the number of elements).
        from pydantic_core import from_json

        try:
            parsed = from_json("[" + ",".join(items) + "]", allow_inf_nan=True)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            parsed = None
        if isinstance(parsed, list) and len(parsed) == len(items):
            return parsed
    return [json.loads(line) if isinstance(line, str) else dict(line) for line in items]


def check_step(value: object, argument: str) -> int | None:
    """Validate an optional history step bound."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise UsageError(f"{argument} must be a non-negative int step, got {value!r}")
    return value


def to_pandas(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows as a pandas DataFrame (pandas is the optional ``pandas`` extra)."""
    try:
        import pandas as pd
    except ImportError:
        raise UsageError(
            "pandas is not installed: pip install 'wandbkit[pandas]', or pass pandas=False"
        ) from None
    return pd.DataFrame.from_records(rows)


def to_polars(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Rows as a polars DataFrame (polars is the optional ``polars`` extra)."""
    try:
        import polars as pl
    except ImportError:
        raise UsageError(
            "polars is not installed: pip install 'wandbkit[polars]', or use format='default'"
        ) from None
    return pl.from_dicts(rows, infer_schema_length=None) if rows else pl.DataFrame()


def check_format(value: object) -> HistoryFormat:
    """Validate ``format=`` of ``Runs.histories``."""
    if value not in ("default", "pandas", "polars"):
        raise UsageError(f"format must be 'default', 'pandas' or 'polars', got {value!r}")
    return value


def check_stream(value: object) -> Literal["default", "system"]:
    """Validate ``stream=``: the run's own metrics or its system metrics."""
    if value not in ("default", "system"):
        raise UsageError(f"stream must be 'default' or 'system', got {value!r}")
    return value
