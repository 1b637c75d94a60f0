"""The store's text forms: timestamps, JSON, names, generated ids and API key hashes.

Every repository writes values through these helpers, so one table never stores a timestamp
or a JSON document differently from another.

* Timestamps are UTC ISO-8601 text with a ``Z`` (``2024-01-01T00:00:00Z``); that text sorts
  chronologically. Runs, history and files use the fixed-width form with microseconds
  (``2024-01-01T00:00:00.000000Z``), so text order is time order even within one second; the
  run filter compiler (:mod:`wandbkit.server.run_filters`) compares them as text.
* JSON is compact (:func:`dumps_json`), as the server also sends it.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import string
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from wandbkit._lang.names import name_problem
from wandbkit.server.store.errors import InvalidNameError, StoreError

#: Names of entities, users and projects: what the real server accepts in URLs.

TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
#: Runs, history and files: fixed width with microseconds, so text order is time order.
PRECISE_TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"

#: Run names the server invents are this long, from lowercase letters and digits (like W&B).
GENERATED_RUN_NAME_LENGTH = 8
RUN_NAME_ALPHABET = string.ascii_lowercase + string.digits


def utc_now() -> datetime:
    """The system clock, in UTC: the store's default clock."""
    return datetime.now(timezone.utc)


def _as_utc(moment: datetime | None) -> datetime:
    # Default now; naive datetimes are taken to be UTC.
    if moment is None:
        return utc_now()
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def utc_timestamp(moment: datetime | None = None) -> str:
    """Format a moment (default: now) as the store's UTC timestamp text.

    Naive datetimes are taken to be UTC.

    Example:
        >>> utc_timestamp(datetime(2024, 1, 1, tzinfo=timezone.utc))
        '2024-01-01T00:00:00Z'
    """
    return _as_utc(moment).strftime(TIMESTAMP_FORMAT)


def precise_timestamp(moment: datetime | None = None) -> str:
    """Format a moment (default: now) as fixed-width UTC text with microseconds.

    Example:
        >>> precise_timestamp(datetime(2024, 1, 1, tzinfo=timezone.utc))
        '2024-01-01T00:00:00.000000Z'
    """
    return _as_utc(moment).strftime(PRECISE_TIMESTAMP_FORMAT)


def parse_timestamp(text: str) -> datetime:
    """Read ISO-8601 text (a store timestamp, or any with a zone, ``Z`` or none) into an aware
    UTC datetime; naive text is taken to be UTC.

    Raises:
        ValueError: not ISO-8601 text.
    """
    # fromisoformat() before 3.11 does not take a trailing Z.
    normalized = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    return _as_utc(datetime.fromisoformat(normalized))


def normalise_timestamp(text: str) -> str:
    """Any ISO-8601 text in the :func:`precise_timestamp` form (what runs and files store).

    Raises:
        ValueError: not ISO-8601 text.
    """
    return precise_timestamp(parse_timestamp(text))


def dumps_json(value: Any) -> str:
    """Compact JSON text, as the store keeps and the server sends it (history and summary rows,
    configs, flags, ``JSONString`` answers); NaN and infinities are kept (W&B logs them)."""
    return json.dumps(value, separators=(",", ":"), allow_nan=True)


def json_text(value: Mapping[str, Any] | str) -> str:
    """JSON text as given, or a mapping dumped with :func:`dumps_json` (values stored unchecked)."""
    return value if isinstance(value, str) else dumps_json(value)


def json_object_text(value: Mapping[str, Any] | str | None, what: str) -> str:
    """Checked JSON object text for a column; ``None`` is the empty object.

    Raises:
        StoreError: the value is not a JSON object (``what`` names it in the message).
    """
    if value is None:
        return "{}"
    parsed = json.loads(value) if isinstance(value, str) else value
    if not isinstance(parsed, Mapping):
        raise StoreError(f"the {what} must be a JSON object")
    return json_text(value)


def tags_text(tags: Sequence[str]) -> str:
    """A run's tags as stored (a JSON list of strings).

    Raises:
        StoreError: not a list of strings (a lone string is refused, not split).
    """
    if isinstance(tags, str) or not all(isinstance(tag, str) for tag in tags):
        raise StoreError("tags must be a list of strings")
    return json.dumps(list(tags))


def random_id() -> str:
    """An id like W&B's generated run and sweep ids: 8 lowercase letters and digits."""
    return "".join(secrets.choice(RUN_NAME_ALPHABET) for _ in range(GENERATED_RUN_NAME_LENGTH))


def check_name(name: str, what: str) -> str:
    """Validate an entity, user or project name by the one rule client and server share
    (:mod:`wandbkit._lang.names`).

    Raises:
        InvalidNameError: empty, too long, ``.``/``..``, or a character other than letters,
            digits, ``-``, ``_`` and ``.``.
    """
    problem = name_problem(name, what)
    if problem is not None:
        raise InvalidNameError(problem)
    return name


def hash_api_key(key: str) -> str:
    """The stored form of an API key (hex SHA-256)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
