"""Run history rules, as pure functions: downsampling, sampled-history specs, key statistics.

The store keeps history rows as JSON text, one per step; resolvers decide which rows a request
gets. The rules follow what W&B's clients rely on (see the official client's wire report):

* ``Run.history(samples)`` without a step range is the whole history thinned to at most
  ``samples`` rows, evenly spaced, always keeping the first and the last row.
* ``Run.sampledHistory(specs)``: per spec, rows with *all* the spec's keys, projected onto
  those keys, with ``minStep`` and ``maxStep`` both inclusive, thinned the same way.
* ``Run.historyKeys`` is ``{"lastStep": n, "keys": {key: {"typeCounts": [...]}}}``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, TypeVar

T = TypeVar("T")

#: Rows returned when a history query names no ``samples``.
DEFAULT_HISTORY_SAMPLES = 500
#: Larger ``samples`` values are clamped to this, so one request cannot ask for everything.
MAX_HISTORY_SAMPLES = 100_000


def downsample_indices(count: int, samples: int) -> list[int]:
    """Indices of at most ``samples`` of ``count`` items, evenly spaced, in order.

    The first and the last item are always kept when ``samples >= 2``; with ``samples == 1``
    only the first is.

    Example:
        >>> downsample_indices(10, 4)
        [0, 3, 6, 9]
        >>> downsample_indices(3, 10)
        [0, 1, 2]
    """
    if samples <= 0 or count <= 0:
        return []
    if count <= samples:
        return list(range(count))
    if samples == 1:
        return [0]
    # Integer arithmetic: spacing (count-1)/(samples-1) > 1, so the indices are distinct and
    # the last one is exactly count-1.
    span, gaps = count - 1, samples - 1
    return [(i * span + gaps // 2) // gaps for i in range(samples)]


def downsample(items: Sequence[T], samples: int) -> list[T]:
    """At most ``samples`` of ``items`` (see :func:`downsample_indices`)."""
    return [items[i] for i in downsample_indices(len(items), samples)]


def clamp_samples(samples: int | None, what: str = "samples") -> int:
    """``samples`` with its default applied and its maximum enforced.

    Raises:
        ValueError: a negative number.
    """
    if samples is None:
        return DEFAULT_HISTORY_SAMPLES
    if samples < 0:
        raise ValueError(f"{what} must be zero or more, got {samples}")
    return min(samples, MAX_HISTORY_SAMPLES)


@dataclass(frozen=True)
class SampledHistorySpec:
    """One ``sampledHistory`` spec: which keys, how many rows, which steps (both inclusive)."""

    keys: tuple[str, ...]
    samples: int
    min_step: int | None = None
    max_step: int | None = None


def parse_sampled_history_spec(spec: Any) -> SampledHistorySpec:
    """Validate a spec (already parsed from its JSONString).

    Duplicated keys are dropped (wandb-core sends ``_step`` twice); unknown spec fields are
    ignored.

    Raises:
        ValueError: the message names the offending field and the expected form.
    """
    if isinstance(spec, str):
        # A spec that was JSON-encoded twice still names what the caller meant.
        try:
            spec = json.loads(spec)
        except json.JSONDecodeError:
            raise ValueError("a sampledHistory spec must be a JSON object") from None
    if not isinstance(spec, Mapping):
        raise ValueError('a sampledHistory spec must be a JSON object like {"keys": ["loss"]}')
    keys = spec.get("keys")
    if not isinstance(keys, list) or not keys or not all(isinstance(k, str) and k for k in keys):
        raise ValueError("sampledHistory spec 'keys' must be a non-empty list of key names")
    samples = _optional_int(spec, "samples")
    return SampledHistorySpec(
        keys=tuple(dict.fromkeys(keys)),
        samples=clamp_samples(samples, "sampledHistory spec 'samples'"),
        min_step=_optional_int(spec, "minStep"),
        max_step=_optional_int(spec, "maxStep"),
    )


def _optional_int(spec: Mapping[str, Any], name: str) -> int | None:
    value = spec.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"sampledHistory spec {name!r} must be an integer, got {value!r}")
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(f"sampledHistory spec {name!r} must be an integer, got {value!r}")
    return int(value)


def project_row(row: Mapping[str, Any], keys: Sequence[str]) -> dict[str, Any] | None:
    """``row`` reduced to ``keys``, or ``None`` when it lacks any of them."""
    try:
        return {key: row[key] for key in keys}
    except KeyError:
        return None


def value_type(value: Any) -> str:
    """The W&B history type name of a logged value (``number``, ``string``, a media type...)."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        media = value.get("_type")
        return media if isinstance(media, str) else "map"
    if isinstance(value, (list, tuple)):
        return "list"
    return type(value).__name__


_FAST_TYPES: dict[type, str] = {float: "number", int: "number", str: "string", bool: "boolean"}


def empty_history_keys() -> dict[str, Any]:
    """``historyKeys`` of a run without history."""
    return {"lastStep": -1, "keys": {}}


def merge_history_keys(
    history_keys: Mapping[str, Any], rows: Iterable[Mapping[str, Any]], last_step: int
) -> dict[str, Any]:
    """``history_keys`` updated with the type counts of ``rows`` and the new ``last_step``."""
    counts: dict[str, dict[str, int]] = {}
    for key, info in dict(history_keys.get("keys") or {}).items():
        counts[key] = {entry["type"]: int(entry["count"]) for entry in info.get("typeCounts", [])}
    fast = _FAST_TYPES  # seeding calls this for every logged value: skip isinstance chains
    listed = list(rows)
    key_shapes = Counter(map(tuple, listed))
    if len(key_shapes) == 1:
        # One writer's batch: every row has the same keys. Count each key's value types in C
        # (Counter over the values' types), in first-seen order.
        for key in next(iter(key_shapes)):
            values = list(map(itemgetter(key), listed))
            kinds = Counter(map(type, values))
            of_key = counts.setdefault(key, {})
            if all(kind in fast for kind in kinds):
                for kind, times in kinds.items():
                    name = fast[kind]
                    of_key[name] = of_key.get(name, 0) + times
                continue
            for value in values:  # media, maps, lists or None: the name depends on the value
                name = fast.get(type(value)) or value_type(value)
                of_key[name] = of_key.get(name, 0) + 1
        return _history_keys(counts, last_step)
    # Rows that differ in keys mostly share a few shapes of keys and value types: count each
    # shape once, then add its counts times its frequency. Counter keeps first appearances in
    # order, so each key's types stay in first-seen order.
    shapes = Counter(
        zip(map(tuple, listed), [tuple(map(type, r.values())) for r in listed], strict=True)
    )
    if all(kind in fast for _, kinds in shapes for kind in kinds):
        for shape, times in shapes.items():
            _count_shape(counts, shape, times)
    else:  # media, maps, lists or None: the type name depends on the value
        for row in listed:
            for key, value in row.items():
                per_type = counts.get(key)
                if per_type is None:
                    per_type = counts[key] = {}
                name = fast.get(type(value)) or value_type(value)
                per_type[name] = per_type.get(name, 0) + 1
    return _history_keys(counts, last_step)


def _history_keys(counts: dict[str, dict[str, int]], last_step: int) -> dict[str, Any]:
    return {
        "lastStep": last_step,
        "keys": {
            key: {"typeCounts": [{"type": t, "count": c} for t, c in per_type.items()]}
            for key, per_type in counts.items()
        },
    }


def _count_shape(
    counts: dict[str, dict[str, int]],
    shape: tuple[tuple[str, ...], tuple[type, ...]],
    times: int,
) -> None:
    for key, kind in zip(*shape, strict=True):
        per_type = counts.get(key)
        if per_type is None:
            per_type = counts[key] = {}
        name = _FAST_TYPES[kind]
        per_type[name] = per_type.get(name, 0) + times


def dumps_json(value: Any) -> str:
    """Compact JSON text, as the store keeps and the server sends it (history and summary rows,
    configs, flags, ``JSONString`` answers); NaN and infinities are kept (W&B logs them)."""
    return json.dumps(value, separators=(",", ":"), allow_nan=True)
