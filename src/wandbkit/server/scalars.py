"""The W&B schema's custom scalars, as the local server reads and writes them.

* ``JSONString``: JSON text carried in a GraphQL string (run config, summaries, ``User.flags``,
  filter arguments). Resolvers may return Python values (dumped here) or ready-made text
  (passed through, so stored JSON is not re-encoded).
* ``JSON``: any JSON value, unchanged both ways (``historyKeys``, ``sampledHistory``).
* ``DateTime``: ISO-8601 text in UTC with a ``Z``, as the store keeps it.
* ``Int64`` and ``Duration``: integers (JSON numbers cover int64 in practice).
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any

from ariadne import ScalarType

from wandbkit.server.store.text import dumps_json, parse_timestamp, utc_timestamp


def serialize_json_string(value: Any) -> str:
    """Python value -> JSON text; text is assumed to be JSON already and passes through."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8")
    # W&B metrics may hold NaN/Infinity; the official client parses them, so keep them.
    return dumps_json(value)


def parse_json_string(value: Any) -> Any:
    """JSON text from a request -> Python value.

    Raises:
        ValueError: not a string, or not JSON (GraphQL reports it against the argument).
    """
    if not isinstance(value, str):
        raise ValueError("JSONString values must be strings holding JSON text")
    if not value:
        return None
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise ValueError(f"JSONString value is not valid JSON: {exc.msg}") from exc


def passthrough(value: Any) -> Any:
    """``JSON`` values are already what they should be, both ways."""
    return value


def serialize_datetime(value: Any) -> str:
    """A ``datetime`` or ISO text -> ``YYYY-MM-DDTHH:MM:SSZ`` in UTC."""
    if isinstance(value, datetime):
        return utc_timestamp(value)
    if isinstance(value, str):
        # The store already writes canonical text; anything else is normalised.
        return value if value.endswith("Z") else utc_timestamp(parse_timestamp(value))
    raise TypeError(f"DateTime cannot represent {type(value).__name__}")


def parse_datetime(value: Any) -> datetime:
    """ISO-8601 text from a request -> an aware UTC ``datetime``.

    Raises:
        ValueError: not ISO-8601 text.
    """
    if not isinstance(value, str):
        raise ValueError("DateTime values must be ISO-8601 strings")
    return parse_timestamp(value)


def serialize_int(value: Any) -> int:
    """An integral number -> ``int``."""
    if isinstance(value, bool):
        raise TypeError("integer scalars cannot represent a boolean")
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise TypeError(f"integer scalars cannot represent {value!r}")
        return int(value)
    return int(value)


def parse_int(value: Any) -> int:
    """A request's integer (a JSON number, or digits in a string) -> ``int``.

    Raises:
        ValueError: not an integral number.
    """
    if isinstance(value, bool):
        raise ValueError("expected an integer, got a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise ValueError(f"expected an integer, got {value!r}")


def scalar_types() -> list[ScalarType]:
    """Bindables for every custom scalar the server knows (bound only if the schema has it)."""
    return [
        ScalarType("JSONString", serializer=serialize_json_string, value_parser=parse_json_string),
        ScalarType("JSON", serializer=passthrough, value_parser=passthrough),
        ScalarType("DateTime", serializer=serialize_datetime, value_parser=parse_datetime),
        ScalarType("Int64", serializer=serialize_int, value_parser=parse_int),
        ScalarType("Duration", serializer=serialize_int, value_parser=parse_int),
    ]
