"""Argument checkers shared by the domains: bad input fails before the network."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from wandbkit._core.errors import UsageError

__all__ = ["check_keys", "check_positive_int", "sanitize_json"]


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


def sanitize_json(value: Any, argument: str) -> Any:
    """Refuse values the server cannot store as JSON (NaN, sets, objects) before the request."""
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"{argument} must be JSON-serializable without NaN/inf: {exc}") from None
    return value
