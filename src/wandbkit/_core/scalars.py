"""Custom GraphQL scalars of the W&B schema, as the generated models read and write them.

``JSONString`` is JSON text carried inside a GraphQL string (run config, summary, filters):
parsed into Python values on the way in, dumped to text on the way out. ``DateTime`` values
arrive as ISO-8601 text, sometimes without a zone (the server means UTC).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from pydantic_core import from_json


def parse_json_string(value: Any) -> Any:
    """Parse a ``JSONString`` value; a value that is already parsed is returned as it is."""
    if isinstance(value, (str, bytes, bytearray)):
        if not value:
            return None
        # pydantic-core's parser: about twice as fast as json.loads on configs and summaries.
        return from_json(value, allow_inf_nan=True)
    return value


def is_unset(value: object) -> bool:
    """Whether ``value`` is the generated client's UNSET (an optional argument not passed).

    Checked by name: the marker class lives in the generated package, which this module must
    not import (the generated models import this module).
    """
    return type(value).__name__ == "UnsetType"


def serialize_json_string(value: Any) -> Any:
    """Dump a Python value to ``JSONString`` text; text is sent unchanged."""
    if value is None or isinstance(value, str) or is_unset(value):
        # UNSET (an optional argument not passed) is dropped later by the executor.
        return value
    return json.dumps(value, separators=(",", ":"), allow_nan=True)


def parse_datetime(value: Any) -> Any:
    """Parse ISO-8601 text into an aware ``datetime`` (UTC when the text names no zone).

    Any number of fraction digits is read (servers write 3, 6 or 9); ``fromisoformat`` before
    Python 3.11 takes neither that nor a trailing ``Z``.

    Raises:
        ValueError: text that is not ISO-8601.
    """
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)  # Python 3.11 reads W&B's text as it is
        except ValueError:
            text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
            head, dot, rest = text.partition(".")
            if dot:
                digits = len(rest) - len(rest.lstrip("0123456789"))
                text = f"{head}.{rest[:digits][:6].ljust(6, '0')}{rest[digits:]}"
            parsed = datetime.fromisoformat(text)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def serialize_datetime(value: datetime) -> str:
    """Write a ``datetime`` as ISO-8601 text in UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat()
