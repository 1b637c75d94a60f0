"""Run values as W&B stores them, and as Python code wants them (no I/O here).

The server keeps a run's config in a wrapped form, ``{"lr": {"value": 0.01, "desc": null}}``,
with internal keys (``_wandb``, ``wandb_version``) beside the user's; ``run.config`` gives the
plain values and ``run.rawconfig`` everything. History rows travel as JSON text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal

from wandbkit._core.errors import UsageError

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

WANDB_INTERNAL_KEYS = frozenset({"_wandb", "wandb_version"})
HistoryFormat = Literal["default", "pandas", "polars"]


class RunState(str, Enum):
    """A run's state. Compares equal to the server's strings (``RunState.FINISHED == "finished"``).

    A state this version does not know (a newer server's) becomes a member named after it
    rather than an error.
    """

    RUNNING = "running"
    FINISHED = "finished"
    CRASHED = "crashed"
    FAILED = "failed"
    KILLED = "killed"
    PREEMPTING = "preempting"
    PREEMPTED = "preempted"
    PENDING = "pending"

    @classmethod
    def _missing_(cls, value: object) -> RunState | None:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value.upper()
        member._value_ = value
        return member

    @property
    def is_terminal(self) -> bool:
        """Whether the run has stopped for good (finished, crashed, failed, killed, preempted)."""
        return self in _TERMINAL

    def __str__(self) -> str:
        return str(self.value)


@dataclass(frozen=True)
class ConsoleLogLine:
    """One line of a run's console output, as ``wandb``'s ``ConsoleLogLine``.

    Attributes:
        number: the line's position in the run's console log, from 0.
        timestamp: when the line was captured (aware UTC), or None if the server recorded no
            time (or one this client cannot read).
        level: ``"error"`` for a line written to stderr, ``""`` otherwise.
        label: which process wrote the line when several write to one run; ``""`` otherwise.
        content: the text of the line.
    """

    number: int
    timestamp: datetime | None
    level: str
    label: str
    content: str


def console_line(
    number: int | None,
    timestamp: str | None,
    level: str | None,
    label: str | None,
    line: str | None,
) -> ConsoleLogLine:
    """A :class:`ConsoleLogLine` from the server's ``LogLine`` fields (nulls made empty)."""
    return ConsoleLogLine(
        number=number or 0,
        timestamp=_console_timestamp(timestamp),
        level=level or "",
        label=label or "",
        content=line or "",
    )


def _console_timestamp(text: str | None) -> datetime | None:
    # As wandb's: a time the client cannot read is no time, not an error.
    from wandbkit._core.scalars import parse_datetime

    if not text:
        return None
    try:
        moment: datetime = parse_datetime(text)
    except ValueError:
        return None
    return moment


_TERMINAL = frozenset(
    {RunState.FINISHED, RunState.CRASHED, RunState.FAILED, RunState.KILLED, RunState.PREEMPTED}
)


def split_config(raw: Mapping[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Unwrap a server config into ``(config, rawconfig)``.

    ``config`` holds the user's keys with plain values; ``rawconfig`` holds every key
    (internal ones included), also unwrapped — as ``wandb.Api`` gives them.
    """
    user: dict[str, Any] = {}
    internal: dict[str, Any] = {}
    for key, value in (raw or {}).items():
        plain = value["value"] if isinstance(value, dict) and "value" in value else value
        (internal if key in WANDB_INTERNAL_KEYS else user)[key] = plain
    return user, {**internal, **user}


def wrap_config(config: Mapping[str, Any], rawconfig: Mapping[str, Any]) -> dict[str, Any]:
    """The wrapped form the server stores: the user's keys plus the internal ones kept."""
    wrapped: dict[str, Any] = {}
    for key in WANDB_INTERNAL_KEYS:
        if key in rawconfig:
            wrapped[key] = {"value": rawconfig[key], "desc": None}
    for key, value in config.items():
        wrapped[key] = {"value": value, "desc": None}
    return wrapped


def as_dict(value: Any) -> dict[str, Any]:
    """A JSON object the server sent (parsed or as text); anything else becomes ``{}``."""
    if isinstance(value, str):
        value = json.loads(value) if value else {}
    return dict(value) if isinstance(value, Mapping) else {}


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


def check_keys(keys: object, argument: str = "keys") -> list[str] | None:
    """Validate a list of metric names (``None`` means all)."""
    if keys is None:
        return None
    if isinstance(keys, str) or not isinstance(keys, Sequence):
        raise UsageError(f"{argument} must be a list of metric names, got {keys!r}")
    for key in keys:
        if not isinstance(key, str) or not key:
            raise UsageError(f"{argument} must hold non-empty strings, got {key!r}")
    return list(keys)


def check_positive_int(value: object, argument: str) -> int:
    """Validate a count or size argument."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UsageError(f"{argument} must be a positive int, got {value!r}")
    return value


def check_step(value: object, argument: str) -> int | None:
    """Validate an optional history step bound."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise UsageError(f"{argument} must be a non-negative int step, got {value!r}")
    return value


def sanitize_json(value: Any, argument: str) -> Any:
    """Refuse values the server cannot store as JSON (NaN, sets, objects) before the request."""
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"{argument} must be JSON-serializable without NaN/inf: {exc}") from None
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
