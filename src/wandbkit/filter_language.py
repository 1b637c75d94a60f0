"""The run filter language itself, shared by the client's checks and the server's compiler.

Stdlib only, with no I/O: ``wandbkit.filters`` validates filters before a request leaves and
``wandbkit.server.run_filters`` compiles them to SQL; both read the fields, operators and
operand rules from here, so they cannot drift apart. Each side raises its own error class
(``UsageError`` on the client, ``FilterError`` on the server) with the same messages.
"""

from __future__ import annotations

import enum
import math
import re
from datetime import datetime, timedelta, timezone

__all__ = [
    "DOCUMENT_PREFIXES",
    "FIELD_KINDS",
    "FIELD_LIST",
    "FIELD_OPS",
    "LOGICAL_OPS",
    "MAX_DEPTH",
    "ORDER_FIELD_LIST",
    "RANGE_OPS",
    "FieldKind",
    "describe",
    "is_number",
    "number_problem",
    "parse_time",
]

#: How deeply filter objects may nest (logical operators, field operator objects, ``$not``).
MAX_DEPTH = 32

LOGICAL_OPS = ("$and", "$or", "$nor")
FIELD_OPS = ("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists", "$regex")
RANGE_OPS = ("$gt", "$gte", "$lt", "$lte")
_INT_LIMIT = 2**63


class FieldKind(enum.Enum):
    """What a field holds, which decides the operands it accepts."""

    TEXT = "a string"
    TIME = "a time"
    DURATION = "a number of seconds"
    TAGS = "a list of strings"
    JSON = "a JSON value"


#: Plain field names and their kinds, in the order error messages list them.
FIELD_KINDS: dict[str, FieldKind] = {
    "name": FieldKind.TEXT,
    "displayName": FieldKind.TEXT,
    "display_name": FieldKind.TEXT,
    "state": FieldKind.TEXT,
    "tags": FieldKind.TAGS,
    "createdAt": FieldKind.TIME,
    "created_at": FieldKind.TIME,
    "updatedAt": FieldKind.TIME,
    "updated_at": FieldKind.TIME,
    "heartbeatAt": FieldKind.TIME,
    "heartbeat_at": FieldKind.TIME,
    "duration": FieldKind.DURATION,
    "group": FieldKind.TEXT,
    "jobType": FieldKind.TEXT,
    "job_type": FieldKind.TEXT,
    "host": FieldKind.TEXT,
    "username": FieldKind.TEXT,
    "sweep": FieldKind.TEXT,
    "notes": FieldKind.TEXT,
    "description": FieldKind.TEXT,
}

#: JSON documents addressed as ``<prefix>.<key>[.<key>...]`` (``config.lr``, ...).
DOCUMENT_PREFIXES = ("config", "summary_metrics", "summaryMetrics", "summary", "system_metrics")

_PATHS = ", or a path under " + ", ".join(f"{p}." for p in DOCUMENT_PREFIXES)
#: The accepted filter fields, as error messages list them.
FIELD_LIST = ", ".join(FIELD_KINDS) + _PATHS
#: The accepted order fields (every filter field but ``tags``), as error messages list them.
ORDER_FIELD_LIST = (
    ", ".join(name for name, kind in FIELD_KINDS.items() if kind is not FieldKind.TAGS) + _PATHS
)


def describe(value: object) -> str:
    """A value as error messages show it: its type, and a short repr for scalars."""
    if value is None or isinstance(value, (bool, int, float, str)):
        shown = repr(value)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        return f"{type(value).__name__} {shown}"
    return type(value).__name__


def is_number(value: object) -> bool:
    """An int or a float, not a bool."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def number_problem(value: float, where: str) -> str | None:
    """Why ``value`` cannot be a JSON number operand, or ``None`` when it can."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"{where}: NaN and infinity are not valid JSON numbers"
    if isinstance(value, int) and not -_INT_LIMIT <= value < _INT_LIMIT:
        return f"{where}: integer {value} is outside the 64-bit range"
    return None


_TIME_PATTERN = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def parse_time(value: object) -> datetime | None:
    """A time operand (ISO-8601 text or epoch seconds) as a UTC datetime; ``None`` if it has
    no time's shape.

    Raises:
        ValueError, OverflowError: a well-shaped value out of range (month 13, ...).
    """
    if is_number(value):
        assert isinstance(value, (int, float))
        return (_EPOCH + timedelta(seconds=value)).astimezone(timezone.utc)
    if not isinstance(value, str):
        return None
    match = _TIME_PATTERN.fullmatch(value.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zulu, sign, zone_h, zone_m = match.groups()
    zone = timezone.utc  # naive times are UTC, as the server stores them
    if sign is not None and not zulu:
        offset = timedelta(hours=int(zone_h), minutes=int(zone_m or 0))
        zone = timezone(-offset if sign == "-" else offset)
    return datetime(
        int(year),
        int(month),
        int(day),
        int(hour or 0),
        int(minute or 0),
        int(second or 0),
        int((fraction or "0")[:6].ljust(6, "0")),  # nanoseconds are truncated to micro
        tzinfo=zone,
    ).astimezone(timezone.utc)
