"""wandbkit's one extension of W&B's wire protocol: a summary update that names its keys.

W&B's ``upsertBucket`` replaces a run's whole summary with the ``summaryMetrics`` it is sent,
so two writers that each read the summary, change a different key and write it back lose one
another's key (the last write wins). wandbkit's ``run.summary.update(...)`` therefore sends,
beside the whole summary (read fresh from the server just before), the header
:data:`SUMMARY_KEYS_HEADER` naming the keys it sets or removes. The local server then changes
only those keys of the stored summary, atomically, so concurrent writers of different keys keep
each other's keys; a server that does not know the header (W&B itself) ignores it and replaces
the summary with the freshly read one plus the change, which narrows the race to one round trip.

The header's value is a JSON array of strings, ASCII-escaped so that any key fits in a header.
"""

from __future__ import annotations

import json
from collections.abc import Collection

__all__ = [
    "MAX_SUMMARY_KEYS",
    "SUMMARY_KEYS_HEADER",
    "SummaryKeysError",
    "encode_summary_keys",
    "parse_summary_keys",
]

#: The request header naming the summary keys an ``upsertBucket`` sets or removes.
SUMMARY_KEYS_HEADER = "X-Wandbkit-Summary-Keys"
#: Most keys one update may name (the header must stay well under HTTP header limits).
MAX_SUMMARY_KEYS = 1_000


class SummaryKeysError(ValueError):
    """The header's value is not a JSON array of at most :data:`MAX_SUMMARY_KEYS` strings."""


def encode_summary_keys(keys: Collection[str]) -> str:
    """The header value naming ``keys`` (sorted, ASCII-escaped JSON).

    Raises:
        SummaryKeysError: more than :data:`MAX_SUMMARY_KEYS` keys, or a key that is not a str.
    """
    if len(keys) > MAX_SUMMARY_KEYS:
        raise SummaryKeysError(
            f"one summary update names at most {MAX_SUMMARY_KEYS} keys, got {len(keys)}"
        )
    if not all(isinstance(key, str) for key in keys):
        raise SummaryKeysError("summary keys must be strings")
    return json.dumps(sorted(keys), ensure_ascii=True, separators=(",", ":"))


def parse_summary_keys(value: str) -> frozenset[str]:
    """The keys a header value names.

    Raises:
        SummaryKeysError: naming what is wrong with ``value``.
    """
    try:
        keys = json.loads(value)
    except ValueError:
        raise SummaryKeysError(f"{SUMMARY_KEYS_HEADER} must be a JSON array of strings") from None
    if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
        raise SummaryKeysError(f"{SUMMARY_KEYS_HEADER} must be a JSON array of strings")
    if len(keys) > MAX_SUMMARY_KEYS:
        raise SummaryKeysError(
            f"{SUMMARY_KEYS_HEADER} names at most {MAX_SUMMARY_KEYS} keys, got {len(keys)}"
        )
    return frozenset(keys)
