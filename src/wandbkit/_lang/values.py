"""Operand rules shared by the filter languages: how values are shown in messages, which numbers
JSON (and SQLite) can carry, and how a time operand is read."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, timezone

__all__ = ["describe", "is_number", "number_problem", "parse_time"]

# Integers SQLite can bind; a bigger Python int would raise OverflowError at execute time.
_INT_LIMIT = 2**63


def describe(value: object) -> str:
    """A value as error messages show it: its type, and a short repr for scalars."""
    if value is None or isinstance(value, (bool, int, float, str)):
        shown = repr(value)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        return f"{type(value).__name__} {shown}"
    return type(value).__name__


def is_number(value: object) -> bool:
    """An int or a float, not a bool (which JSON keeps apart from numbers)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def number_problem(value: float) -> str | None:
    """Why ``value`` cannot be a JSON number operand, or ``None`` when it can."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN and infinity are not valid JSON numbers"
    if isinstance(value, int) and not -_INT_LIMIT <= value < _INT_LIMIT:
        return f"integer {value} is outside the 64-bit range"
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
