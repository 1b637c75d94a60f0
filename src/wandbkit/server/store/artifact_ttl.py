"""An artifact version's time to live, as the ``ttlDurationSeconds`` input and field spell it."""

from __future__ import annotations

#: ``ttlDurationSeconds`` values that are not durations (the official client's convention).
TTL_INHERIT = -1
TTL_DISABLED = -2


def ttl_columns(ttl_duration_seconds: int | None) -> tuple[int | None, bool]:
    """``(ttl_duration_seconds, ttl_is_inherited)`` to store for a ``ttlDurationSeconds``
    input: a positive number of seconds sets the TTL, ``-1`` inherits the project's policy,
    ``-2`` (or zero) disables it; ``None`` inherits."""
    if ttl_duration_seconds is None or ttl_duration_seconds == TTL_INHERIT:
        return None, True
    if ttl_duration_seconds > 0:
        return ttl_duration_seconds, False
    return None, False
