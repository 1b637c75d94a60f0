"""The conditions of an automation's event filter: parsed once (refusing bad input with a
:class:`SpecError` naming the part) and evaluated against what happened.

Two kinds, as the official client (wandb 0.31.0, ``wandb.automations``) writes them:

* **Mutation events** (artifact created, linked, aliased, tagged...) carry a Mongo-style filter
  over the event's ``alias`` and ``tag`` values, wrapped ``{"$or": [{"$and": [...]}]}``
  (``ArtifactEvent.alias.matches_regex("^prod")``). A field condition holds when *any* of the
  event's values satisfies it (``$ne``/``$nin`` when none does); ``$regex`` is RE2, as for run
  filters.
* **Run metric events** carry ``{"run_filter": "<run filter JSON>", "run_metric_filter":
  {"threshold_filter" | "change_filter" | "zscore_filter": {...}}}``, evaluated over the
  metric's last values in the run's history (the summary's value counts as the newest when it
  differs from the last logged one); for a run that logs no history of the metric, over the
  values its summary writes gave it (each write that changed it is one value, kept per
  automation and run from when the automation first saw the run):

  - threshold: ``agg_op`` (``MAX``/``MIN``/``AVERAGE``, or none: the latest value) over the last
    ``window_size`` values, compared with ``cmp_op`` to ``threshold``;
  - change: the aggregate of the last ``current_window_size`` values against the aggregate of
    the ``prior_window_size`` values before them (tumbling windows), as an ``ABSOLUTE``
    difference or a ``RELATIVE`` one (divided by the prior's magnitude), at least
    ``change_amount`` in the ``change_dir`` (``INCREASE``, ``DECREASE`` or ``ANY``);
  - z-score: the latest value against the mean and standard deviation of the
    ``window_size`` values before it, at least ``threshold`` deviations in ``change_dir``.
"""

from __future__ import annotations

import functools
import json
import math
import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import re2  # type: ignore[import-untyped]

from wandbkit.server.limits import MAX_JSON_DEPTH, json_depth_error
from wandbkit.server.run_filters import FilterError, check_regex, compile_run_filters

__all__ = [
    "ChangeCondition",
    "MetricCondition",
    "SpecError",
    "ThresholdCondition",
    "ZScoreCondition",
    "check_depth",
    "check_mutation_filter",
    "matches_mutation_filter",
    "parse_metric_condition",
    "run_filter_of",
]

#: The longest window (in logged values) a metric condition may look at.
MAX_WINDOW = 1000
#: How deeply a mutation event filter may nest.
MAX_DEPTH = 12
#: The fields a mutation event filter may test.
MUTATION_FIELDS = ("alias", "tag")
_AGGREGATIONS = ("MAX", "MIN", "AVERAGE")
_CMP_OPS = ("$gt", "$gte", "$lt", "$lte")
_DIRECTIONS = ("INCREASE", "DECREASE", "ANY")
_CHANGE_TYPES = ("ABSOLUTE", "RELATIVE")
_FIELD_OPS = ("$eq", "$ne", "$in", "$nin", "$regex", "$contains", "$exists", "$not")


class SpecError(ValueError):
    """An automation definition the server refuses; the message names the part and why."""


# -- run metric conditions --------------------------------------------------------------------


def _aggregate(values: Sequence[float], agg: str | None) -> float:
    if agg == "MAX":
        return max(values)
    if agg == "MIN":
        return min(values)
    if agg == "AVERAGE":
        return statistics.fmean(values)
    return values[-1]


@dataclass(frozen=True)
class ThresholdCondition:
    """``agg(last window values) <cmp> threshold``."""

    name: str
    agg: str | None
    window: int
    cmp: str
    threshold: float

    @property
    def needed(self) -> int:
        """How many of the latest values the condition looks at."""
        return self.window if self.agg else 1

    def holds(self, values: Sequence[float]) -> bool:
        """Whether the condition holds for a run whose metric took ``values`` (oldest first)."""
        if not values:
            return False
        value = _aggregate(values[-self.needed :], self.agg)
        return {
            "$gt": value > self.threshold,
            "$gte": value >= self.threshold,
            "$lt": value < self.threshold,
            "$lte": value <= self.threshold,
        }[self.cmp]

    def measure(self, values: Sequence[float]) -> float | None:
        """The value compared (for the firing's record)."""
        return _aggregate(values[-self.needed :], self.agg) if values else None


def _directed(change: float, amount: float, direction: str) -> bool:
    if direction == "INCREASE":
        return change >= amount
    if direction == "DECREASE":
        return change <= -amount
    return abs(change) >= amount


@dataclass(frozen=True)
class ChangeCondition:
    """The current window's aggregate against the prior window's, by at least ``amount``."""

    name: str
    agg: str | None
    window: int
    prior_window: int
    change_type: str
    direction: str
    amount: float

    @property
    def needed(self) -> int:
        """How many of the latest values the condition looks at."""
        return (self.window + self.prior_window) if self.agg else 2

    def measure(self, values: Sequence[float]) -> float | None:
        """The change observed, or ``None`` while there are too few values."""
        current_size, prior_size = (self.window, self.prior_window) if self.agg else (1, 1)
        if len(values) < current_size + prior_size:
            return None
        current = _aggregate(values[-current_size:], self.agg)
        prior = _aggregate(values[-(current_size + prior_size) : -current_size], self.agg)
        if self.change_type == "ABSOLUTE":
            return current - prior
        return (current - prior) / abs(prior) if prior != 0 else None

    def holds(self, values: Sequence[float]) -> bool:
        """Whether the change is at least ``amount`` in the condition's direction."""
        change = self.measure(values)
        return change is not None and _directed(change, self.amount, self.direction)


@dataclass(frozen=True)
class ZScoreCondition:
    """The latest value's z-score against the ``window`` values before it."""

    name: str
    window: int
    threshold: float
    direction: str

    @property
    def needed(self) -> int:
        """How many of the latest values the condition looks at."""
        return self.window + 1

    def measure(self, values: Sequence[float]) -> float | None:
        """The z-score, or ``None`` with fewer than two prior values or no spread."""
        prior = values[-(self.window + 1) : -1]
        if len(prior) < 2:
            return None
        spread = statistics.stdev(prior)
        if spread == 0:
            return None
        return (values[-1] - statistics.fmean(prior)) / spread

    def holds(self, values: Sequence[float]) -> bool:
        """Whether the z-score is at least ``threshold`` in the condition's direction."""
        score = self.measure(values)
        return score is not None and _directed(score, self.threshold, self.direction)


MetricCondition = ThresholdCondition | ChangeCondition | ZScoreCondition


def _number(spec: Mapping[str, Any], key: str, where: str, *, positive: bool = False) -> float:
    value = spec.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise SpecError(f"{where}.{key} must be a number, got {value!r}")
    if positive and value <= 0:
        raise SpecError(f"{where}.{key} must be positive, got {value!r}")
    return float(value)


def _window(spec: Mapping[str, Any], keys: Sequence[str], where: str, default: int) -> int:
    value: Any = next((spec[key] for key in keys if spec.get(key) is not None), default)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_WINDOW:
        raise SpecError(
            f"{where}.{keys[0]} must be an integer from 1 to {MAX_WINDOW}, got {value!r}"
        )
    return value


def _choice(spec: Mapping[str, Any], key: str, where: str, allowed: Sequence[str | None]) -> Any:
    value = spec.get(key)
    if value not in allowed:
        shown = [a for a in allowed if a is not None]
        raise SpecError(f"{where}.{key} must be one of {shown}, got {value!r}")
    return value


def _metric_name(spec: Mapping[str, Any], where: str) -> str:
    name = spec.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SpecError(f"{where}.name must name a metric")
    return name


def parse_metric_condition(event_type: str, event_filter: Mapping[str, Any]) -> MetricCondition:
    """The metric condition of a run metric event's filter.

    Raises:
        SpecError: a missing or wrong-kind metric filter, or a bad field in it.
    """
    wrapped = event_filter.get("run_metric_filter")
    legacy = event_filter.get("metric_filter")
    if wrapped is None and legacy is not None and event_type == "RUN_METRIC":
        wrapped = {"threshold_filter": _json_object(legacy, "metric_filter")}
    if not isinstance(wrapped, Mapping):
        raise SpecError("eventFilter.run_metric_filter must be an object")
    key = {
        "RUN_METRIC": "threshold_filter",
        "RUN_METRIC_CHANGE": "change_filter",
        "RUN_METRIC_ZSCORE": "zscore_filter",
    }[event_type]
    spec = wrapped.get(key)
    if not isinstance(spec, Mapping):
        raise SpecError(f"a {event_type} event needs eventFilter.run_metric_filter.{key}")
    where = f"run_metric_filter.{key}"
    name = _metric_name(spec, where)
    if key == "threshold_filter":
        return ThresholdCondition(
            name,
            _choice(spec, "agg_op", where, (*_AGGREGATIONS, None)),
            _window(spec, ("window_size",), where, 1),
            _choice(spec, "cmp_op", where, _CMP_OPS),
            _number(spec, "threshold", where),
        )
    if key == "change_filter":
        window = _window(spec, ("current_window_size", "window_size"), where, 1)
        return ChangeCondition(
            name,
            _choice(spec, "agg_op", where, (*_AGGREGATIONS, None)),
            window,
            _window(spec, ("prior_window_size",), where, window),
            _choice(spec, "change_type", where, _CHANGE_TYPES),
            _choice(spec, "change_dir", where, _DIRECTIONS),
            _number(spec, "change_amount", where, positive=True),
        )
    return ZScoreCondition(
        name,
        _window(spec, ("window_size",), where, 30),
        _number(spec, "threshold", where, positive=True) if "threshold" in spec else 3.0,
        _choice(spec, "change_dir", where, _DIRECTIONS) if "change_dir" in spec else "ANY",
    )


def _json_object(value: Any, where: str) -> Any:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise SpecError(f"{where} is not valid JSON: {exc.msg}") from None
        except RecursionError:
            raise SpecError(f"{where} nests more than {MAX_JSON_DEPTH} levels deep") from None
    check_depth(value, where)
    return value


def check_depth(value: Any, where: str) -> None:
    """Refuse JSON nested deeper than :data:`~wandbkit.server.limits.MAX_JSON_DEPTH` (the
    checks and the matching walk filters recursively).

    Raises:
        SpecError: naming ``where``.
    """
    if json_depth_error(value) is not None:
        raise SpecError(f"{where} nests more than {MAX_JSON_DEPTH} levels deep")


def _rewrite_contains(node: Any) -> Any:
    """The run filter language has no ``$contains`` (the official client's
    ``RunEvent.name.contains``): it becomes the equivalent escaped ``$regex``."""
    if isinstance(node, list):
        return [_rewrite_contains(item) for item in node]
    if isinstance(node, dict):
        if set(node) == {"$contains"} and isinstance(node["$contains"], str):
            return {"$regex": re.escape(node["$contains"])}
        return {key: _rewrite_contains(value) for key, value in node.items()}
    return node


def run_filter_of(event_filter: Mapping[str, Any]) -> Any:
    """The run filter of a run event's filter, ready for the run filter compiler.

    Raises:
        SpecError: ``run_filter`` is not a JSON object (or JSON text of one), or the run filter
            compiler refuses it.
    """
    raw = _json_object(event_filter.get("run_filter", {}), "eventFilter.run_filter")
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise SpecError("eventFilter.run_filter must be a JSON object")
    rewritten = _rewrite_contains(raw)
    try:
        compile_run_filters(rewritten)
    except FilterError as exc:
        raise SpecError(f"eventFilter.run_filter: {exc}") from None
    return rewritten


# -- mutation event filters -------------------------------------------------------------------


def check_mutation_filter(node: Any, depth: int = 0) -> None:
    """Refuse a mutation event filter this server cannot evaluate.

    Raises:
        SpecError: not an object, an unknown operator or field, a bad operand or regex, or
            nesting deeper than :data:`MAX_DEPTH`.
    """
    if depth > MAX_DEPTH:
        raise SpecError(f"eventFilter nests deeper than {MAX_DEPTH} levels")
    if not isinstance(node, dict):
        raise SpecError(f"eventFilter: expected an object, got {node!r}")
    for key, value in node.items():
        if key in ("$and", "$or", "$nor"):
            if not isinstance(value, list):
                raise SpecError(f"eventFilter: {key} takes a list")
            for item in value:
                check_mutation_filter(item, depth + 1)
        elif key.startswith("$"):
            raise SpecError(f"eventFilter: unknown operator {key!r}")
        elif key not in MUTATION_FIELDS:
            raise SpecError(
                f"eventFilter: unknown field {key!r}; expected one of {list(MUTATION_FIELDS)}"
            )
        else:
            _check_condition(key, value, depth + 1)


def _check_condition(field: str, condition: Any, depth: int) -> None:
    if not isinstance(condition, dict):
        _check_operand(field, "$eq", condition)
        return
    for op, operand in condition.items():
        if op not in _FIELD_OPS:
            raise SpecError(f"eventFilter.{field}: unknown operator {op!r}")
        if op == "$not":
            if depth > MAX_DEPTH:
                raise SpecError(f"eventFilter nests deeper than {MAX_DEPTH} levels")
            _check_condition(field, operand, depth + 1)
        else:
            _check_operand(field, op, operand)


def _check_operand(field: str, op: str, operand: Any) -> None:
    if op in ("$in", "$nin"):
        if not isinstance(operand, list) or not all(isinstance(v, str) for v in operand):
            raise SpecError(f"eventFilter.{field}.{op} takes a list of strings")
    elif op == "$exists":
        if not isinstance(operand, bool):
            raise SpecError(f"eventFilter.{field}.$exists takes true or false")
    elif not isinstance(operand, str):
        raise SpecError(f"eventFilter.{field}.{op} takes a string, got {operand!r}")
    elif op == "$regex":
        try:
            check_regex(operand)
        except FilterError as exc:
            raise SpecError(f"eventFilter.{field}: {exc}") from None


def matches_mutation_filter(node: Mapping[str, Any], values: Mapping[str, Sequence[str]]) -> bool:
    """Whether an event with these field values (``{"alias": [...], "tag": [...]}``) passes a
    filter that :func:`check_mutation_filter` accepted. Empty ``$and``/``$or`` lists hold, as
    W&B's ``{"$or": [{"$and": []}]}`` means "no condition"."""
    for key, value in node.items():
        if key == "$and" and not all(matches_mutation_filter(item, values) for item in value):
            return False
        if key == "$or" and value and not any(matches_mutation_filter(i, values) for i in value):
            return False
        if key == "$nor" and any(matches_mutation_filter(item, values) for item in value):
            return False
        if not key.startswith("$") and not _holds(values.get(key, ()), value):
            return False
    return True


class _Pattern(Protocol):
    """What a compiled RE2 pattern offers here (``google-re2`` ships no type information)."""

    def search(self, text: str) -> object | None: ...


@functools.lru_cache(maxsize=256)
def _pattern(pattern: str) -> _Pattern:
    compiled: _Pattern = re2.compile(pattern)
    return compiled


def _holds(values: Sequence[str], condition: Any) -> bool:
    if not isinstance(condition, dict):
        return condition in values
    return all(_holds_one(values, op, operand) for op, operand in condition.items())


def _holds_one(values: Sequence[str], op: str, operand: Any) -> bool:
    if op == "$eq":
        return operand in values
    if op == "$ne":
        return operand not in values
    if op in ("$in", "$nin"):
        return any(v in operand for v in values) == (op == "$in")
    if op == "$regex":
        return any(_pattern(operand).search(v) is not None for v in values)
    if op == "$contains":
        return any(operand in v for v in values)
    if op == "$exists":
        return bool(values) is bool(operand)
    return not _holds(values, operand)  # $not
