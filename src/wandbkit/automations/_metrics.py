"""Run-event filters: metric thresholds, changes and z-scores, run states, and the run filter
they are combined with.

Built from expressions, as in ``wandb.automations``::

    RunEvent.metric("loss").max(5) > 0.5             # MetricThresholdFilter
    RunEvent.metric("acc").mean(3).increases_by(frac=0.1)   # MetricChangeFilter
    abs(RunEvent.metric("loss").zscore(30)) > 3      # MetricZScoreFilter
    RunEvent.state.in_(["finished", "failed"])       # a state filter
    (RunEvent.metric("loss") > 1) & RunEvent.name.contains("sweep")   # with a run filter

Every value is checked when it is built: a bad one is a
:class:`~wandbkit._core.errors.UsageError` naming the field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Final

from wandbkit._core.errors import UsageError
from wandbkit._html import Explorable
from wandbkit.automations._enums import Agg, ChangeDir, ChangeType, ReportedRunState, lookup
from wandbkit.automations._mongo import FilterExpr, wrap_run_filter

#: Python comparison spellings accepted for ``cmp`` and the Mongo operators they mean.
PY2MONGO_OPS: Final[dict[str, str]] = {
    "==": "$eq", "!=": "$ne", ">": "$gt", "<": "$lt", ">=": "$gte", "<=": "$lte",
}  # fmt: skip
MONGO2PY_OPS: Final[dict[str, str]] = {v: k for k, v in PY2MONGO_OPS.items()}
#: The comparisons a metric threshold filter can make.
THRESHOLD_OPS: Final[tuple[str, ...]] = ("$gte", "$gt", "$lt", "$lte")


def check_metric_name(name: object, where: str = "name") -> str:
    """A metric name: a non-empty string."""
    if not isinstance(name, str) or not name.strip():
        raise UsageError(f"{where} must be a non-empty metric name, got {name!r}")
    return name


def check_window(value: object, where: str) -> int:
    """A window size: a positive int."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UsageError(f"{where} must be a positive int, got {value!r}")
    return value


def check_number(value: object, where: str, *, positive: bool = False) -> int | float:
    """A threshold: an int or float (positive, for changes and z-scores)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UsageError(f"{where} must be a number, got {value!r}")
    if value != value or value in (float("inf"), float("-inf")):
        raise UsageError(f"{where} must be a finite number, got {value!r}")
    if positive and value <= 0:
        raise UsageError(f"{where} must be positive, got {value!r}")
    return value


def check_cmp(value: object) -> str:
    """A threshold comparison: ``$gt``/``$gte``/``$lt``/``$lte`` or ``>``/``>=``/``<``/``<=``."""
    op = PY2MONGO_OPS.get(value.strip(), value.strip()) if isinstance(value, str) else value
    if op not in THRESHOLD_OPS:
        raise UsageError(
            f"cmp must be one of {', '.join(THRESHOLD_OPS)} (or >, >=, <, <=), got {value!r}"
        )
    return str(op)


def _agg(value: object) -> Agg | None:
    return None if value is None else lookup(Agg, value, "agg")


class _MetricCondition(Explorable):
    """What the three metric filters share: ``run_filter & metric_filter`` combines them into a
    :class:`RunMetricFilter`, and the repr is the condition as written."""

    def __and__(self, other: object) -> RunMetricFilter:
        if isinstance(other, FilterExpr):
            return RunMetricFilter(run=other, metric=self)  # type: ignore[arg-type]
        return NotImplemented

    __rand__ = __and__

    def __repr__(self) -> str:
        return repr(self._short_text())

    def _short_text(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True, repr=False)
class MetricThresholdFilter(_MetricCondition):
    """A metric (or its aggregate over ``window`` values) compared with a threshold."""

    name: str
    agg: Agg | None = None
    window: int = 1
    cmp: str
    threshold: int | float

    def __post_init__(self) -> None:
        check_metric_name(self.name)
        object.__setattr__(self, "agg", _agg(self.agg))
        check_window(self.window, "window")
        object.__setattr__(self, "cmp", check_cmp(self.cmp))
        check_number(self.threshold, "threshold")

    def _wire_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "agg_op": self.agg.value if self.agg else None,
            "window_size": self.window,
            "cmp_op": self.cmp,
            "threshold": self.threshold,
        }

    def _short_text(self) -> str:
        """The condition as written, e.g. ``val_acc > 0.9``."""
        metric = f"{self.agg.value}({self.name})" if self.agg else self.name
        return f"{metric} {MONGO2PY_OPS.get(self.cmp, self.cmp)} {self.threshold}"


@dataclass(frozen=True, kw_only=True, repr=False)
class MetricChangeFilter(_MetricCondition):
    """A change of a metric between two tumbling windows, absolute or relative."""

    name: str
    agg: Agg | None = None
    window: int = 1
    prior_window: int | None = None
    change_type: ChangeType
    change_dir: ChangeDir
    threshold: int | float
    #: Not part of the server's form; present for symmetry with the threshold filter.
    cmp: None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_metric_name(self.name)
        object.__setattr__(self, "agg", _agg(self.agg))
        check_window(self.window, "window")
        prior = self.window if self.prior_window is None else self.prior_window
        object.__setattr__(self, "prior_window", check_window(prior, "prior_window"))
        object.__setattr__(self, "change_type", lookup(ChangeType, self.change_type, "change_type"))
        object.__setattr__(self, "change_dir", lookup(ChangeDir, self.change_dir, "change_dir"))
        check_number(self.threshold, "threshold", positive=True)

    def _wire_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "agg_op": self.agg.value if self.agg else None,
            "current_window_size": self.window,
            "change_amount": self.threshold,
            "prior_window_size": self.prior_window,
            "change_type": self.change_type.value,
            "change_dir": self.change_dir.value,
        }

    def _short_text(self) -> str:
        """The condition as written, e.g. ``val_acc > 0.9``."""
        metric = f"{self.agg.value}({self.name})" if self.agg else self.name
        verb = (
            "changes" if self.change_dir is ChangeDir.ANY else f"{self.change_dir.value.lower()}s"
        )
        amount = (
            f"{self.threshold:.2%}"
            if self.change_type is ChangeType.RELATIVE
            else f"{self.threshold}"
        )
        return f"{metric} {verb} {amount}"


@dataclass(frozen=True, kw_only=True, repr=False)
class MetricZScoreFilter(_MetricCondition):
    """A metric's z-score over a window of values compared with a threshold."""

    name: str
    window: int = 30
    threshold: int | float = 3.0
    change_dir: ChangeDir = ChangeDir.ANY

    def __post_init__(self) -> None:
        check_metric_name(self.name)
        check_window(self.window, "window")
        check_number(self.threshold, "threshold", positive=True)
        object.__setattr__(self, "change_dir", lookup(ChangeDir, self.change_dir, "change_dir"))

    def _wire_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "window_size": self.window,
            "threshold": self.threshold,
            "change_dir": self.change_dir.value,
        }

    def _short_text(self) -> str:
        """The condition as written, e.g. ``val_acc > 0.9``."""
        if self.change_dir is ChangeDir.DECREASE:
            return f"zscore({self.name!r}) < -{self.threshold}"
        if self.change_dir is ChangeDir.INCREASE:
            return f"zscore({self.name!r}) > +{self.threshold}"
        return f"abs(zscore({self.name!r})) > {self.threshold}"


MetricFilter = MetricThresholdFilter | MetricChangeFilter | MetricZScoreFilter
METRIC_FILTER_TYPES: Final = (MetricThresholdFilter, MetricChangeFilter, MetricZScoreFilter)


class _MetricOperand:
    """What comparisons and changes of a metric (or of its aggregate) build."""

    name: str
    _agg: Agg | None = None
    _window: int = 1

    def _threshold(self, cmp: str, value: object) -> MetricThresholdFilter:
        return MetricThresholdFilter(
            name=self.name,
            agg=self._agg,
            window=self._window,
            cmp=cmp,
            threshold=value,  # type: ignore[arg-type]
        )

    def gt(self, value: int | float, /) -> MetricThresholdFilter:
        """``metric > value``."""
        return self._threshold("$gt", value)

    def lt(self, value: int | float, /) -> MetricThresholdFilter:
        """``metric < value``."""
        return self._threshold("$lt", value)

    def gte(self, value: int | float, /) -> MetricThresholdFilter:
        """``metric >= value``."""
        return self._threshold("$gte", value)

    def lte(self, value: int | float, /) -> MetricThresholdFilter:
        """``metric <= value``."""
        return self._threshold("$lte", value)

    def __gt__(self, other: int | float) -> MetricThresholdFilter:
        return self.gt(other)

    def __lt__(self, other: int | float) -> MetricThresholdFilter:
        return self.lt(other)

    def __ge__(self, other: int | float) -> MetricThresholdFilter:
        return self.gte(other)

    def __le__(self, other: int | float) -> MetricThresholdFilter:
        return self.lte(other)

    def changes_by(
        self,
        *,
        diff: int | float | None = None,
        frac: int | float | None = None,
        _dir: ChangeDir = ChangeDir.ANY,
    ) -> MetricChangeFilter:
        """The metric rises or falls by ``diff`` (absolute) or ``frac`` (relative, 0.1 = 10%).

        Raises:
            UsageError: neither or both of ``diff`` and ``frac``, or one that is not positive.
        """
        if (diff is None) == (frac is None):
            raise UsageError("changes_by: give exactly one of diff= or frac=")
        if diff is not None:
            change_type, amount = ChangeType.ABSOLUTE, check_number(diff, "diff", positive=True)
        else:
            change_type, amount = ChangeType.RELATIVE, check_number(frac, "frac", positive=True)
        return MetricChangeFilter(
            name=self.name,
            agg=self._agg,
            window=self._window,
            change_type=change_type,
            change_dir=_dir,
            threshold=amount,
        )

    def increases_by(
        self, *, diff: int | float | None = None, frac: int | float | None = None
    ) -> MetricChangeFilter:
        """The metric rises by ``diff`` or ``frac`` (see :meth:`changes_by`)."""
        return self.changes_by(diff=diff, frac=frac, _dir=ChangeDir.INCREASE)

    def decreases_by(
        self, *, diff: int | float | None = None, frac: int | float | None = None
    ) -> MetricChangeFilter:
        """The metric falls by ``diff`` or ``frac`` (see :meth:`changes_by`)."""
        return self.changes_by(diff=diff, frac=frac, _dir=ChangeDir.DECREASE)


class MetricVal(_MetricOperand):
    """A metric's latest value, as ``RunEvent.metric(name)`` gives it."""

    def __init__(self, name: str) -> None:
        self.name = check_metric_name(name)

    def max(self, window: int) -> MetricAgg:
        """The maximum over the last ``window`` values."""
        return MetricAgg(self.name, Agg.MAX, window)

    def min(self, window: int) -> MetricAgg:
        """The minimum over the last ``window`` values."""
        return MetricAgg(self.name, Agg.MIN, window)

    def avg(self, window: int) -> MetricAgg:
        """The average over the last ``window`` values."""
        return MetricAgg(self.name, Agg.AVERAGE, window)

    def mean(self, window: int) -> MetricAgg:
        """The average over the last ``window`` values (an alias of :meth:`avg`)."""
        return self.avg(window)

    def zscore(self, window: int) -> ZScoreMetricOperand:
        """The z-score over the last ``window`` values; compare it (``> 3``, ``< -3``, or
        ``abs(...) > 3``)."""
        return ZScoreMetricOperand(self.name, window)

    def __repr__(self) -> str:
        return f"MetricVal({self.name!r})"


class MetricAgg(_MetricOperand):
    """An aggregate of a metric over a window (``RunEvent.metric(name).max(5)``)."""

    def __init__(self, name: str, agg: Agg | str, window: int) -> None:
        self.name = check_metric_name(name)
        self._agg = lookup(Agg, agg, "agg")
        self._window = check_window(window, "window")

    @property
    def agg(self) -> Agg:
        """The aggregation."""
        assert self._agg is not None
        return self._agg

    @property
    def window(self) -> int:
        """The window size."""
        return self._window

    def __repr__(self) -> str:
        return f"MetricAgg({self.name!r}, {self.agg.value}, {self.window})"


class ZScoreMetricOperand:
    """A metric's z-score, to compare: ``> t`` (rises), ``< -t`` (falls), ``abs(..) > t``."""

    def __init__(self, name: str, window: int, is_absolute: bool = False) -> None:
        self.name = check_metric_name(name)
        self.window = check_window(window, "window")
        self.is_absolute = is_absolute

    def lt(self, value: int | float, /) -> MetricZScoreFilter:
        """``zscore < value`` for a negative ``value`` (the threshold is its magnitude)."""
        check_number(value, "threshold")
        if self.is_absolute:
            raise UsageError("threshold: an absolute z-score cannot be compared with <")
        if value >= 0:
            raise UsageError(f"threshold: zscore(...) < t needs a negative t, got {value!r}")
        return MetricZScoreFilter(
            name=self.name, window=self.window, change_dir=ChangeDir.DECREASE, threshold=abs(value)
        )

    def gt(self, value: int | float, /) -> MetricZScoreFilter:
        """``zscore > value`` (or ``abs(zscore) > value``) for a positive ``value``."""
        check_number(value, "threshold", positive=True)
        direction = ChangeDir.ANY if self.is_absolute else ChangeDir.INCREASE
        return MetricZScoreFilter(
            name=self.name, window=self.window, change_dir=direction, threshold=abs(value)
        )

    __lt__ = __le__ = lt
    __gt__ = __ge__ = gt

    def __abs__(self) -> ZScoreMetricOperand:
        return ZScoreMetricOperand(self.name, self.window, is_absolute=True)

    def abs(self) -> ZScoreMetricOperand:
        """The absolute z-score (either direction)."""
        return self.__abs__()


@dataclass(frozen=True)
class StateFilter(Explorable):
    """The run states to watch for (deduplicated and sorted, as the official client sends)."""

    states: tuple[ReportedRunState, ...]

    def __post_init__(self) -> None:
        given: Iterable[object]
        given = [self.states] if isinstance(self.states, str) else self.states
        if not isinstance(given, Iterable):
            raise UsageError(f"states must be a list of run states, got {self.states!r}")
        parsed = {lookup(ReportedRunState, s, "states") for s in given}
        if not parsed:
            raise UsageError("states must name at least one run state")
        object.__setattr__(self, "states", tuple(sorted(parsed, key=lambda s: s.value)))

    def _wire_json(self) -> dict[str, Any]:
        return {"states": [s.value for s in self.states]}

    def _short_text(self) -> str:
        return "state in " + ", ".join(s.value for s in self.states)

    def __and__(self, other: object) -> RunStateFilter:
        if isinstance(other, FilterExpr):
            return RunStateFilter(run=other, state=self)
        return NotImplemented

    __rand__ = __and__


class StateOperand:
    """``RunEvent.state``: build a state filter with ``==``, ``eq`` or ``in_``."""

    def eq(self, state: str | ReportedRunState, /) -> StateFilter:
        """The run's state becomes ``state``."""
        return StateFilter((state,))  # type: ignore[arg-type]

    def in_(self, states: Iterable[str | ReportedRunState], /) -> StateFilter:
        """The run's state becomes one of ``states``."""
        if isinstance(states, str) or not isinstance(states, Iterable):
            raise UsageError(f"states must be a list of run states, got {states!r}")
        return StateFilter(tuple(states))  # type: ignore[arg-type]

    def __eq__(self, other: object) -> StateFilter:  # type: ignore[override]
        if isinstance(other, (str, ReportedRunState)):
            return self.eq(other)
        raise UsageError(f"RunEvent.state: compare with a run state name, got {other!r}")

    __hash__ = object.__hash__


def _with_run(text: str, run: FilterExpr) -> str:
    """A condition's text, with its run filter when it has one (``{"$and": []}`` is none)."""
    raw = run.to_json()
    if raw in ({"$and": []}, {}):
        return text
    return f"{text} for runs {json.dumps(raw, default=str, separators=(',', ':'))}"


def _run_filter(value: object) -> FilterExpr:
    return FilterExpr(wrap_run_filter(value))


@dataclass(frozen=True, kw_only=True)
class RunMetricFilter(Explorable):
    """A metric condition and the run filter that runs must also match."""

    run: FilterExpr = field(default_factory=lambda: FilterExpr({"$and": []}))
    metric: MetricFilter

    def __post_init__(self) -> None:
        object.__setattr__(self, "run", _run_filter(self.run))
        if not isinstance(self.metric, METRIC_FILTER_TYPES):
            raise UsageError(
                "filter: a run metric event needs a metric filter, e.g. "
                f"RunEvent.metric('loss') > 1, got {type(self.metric).__name__}"
            )

    @property
    def event_type_value(self) -> str:
        """The server's event type for this metric condition."""
        if isinstance(self.metric, MetricChangeFilter):
            return "RUN_METRIC_CHANGE"
        if isinstance(self.metric, MetricZScoreFilter):
            return "RUN_METRIC_ZSCORE"
        return "RUN_METRIC"

    def _wire_json(self) -> dict[str, Any]:
        from pydantic_core import to_json

        key = {
            "RUN_METRIC": "threshold_filter",
            "RUN_METRIC_CHANGE": "change_filter",
            "RUN_METRIC_ZSCORE": "zscore_filter",
        }[self.event_type_value]
        return {
            "run_filter": to_json(self.run.to_json()).decode(),
            "run_metric_filter": {key: self.metric._wire_json()},
            "metric_filter": None,
        }

    def _short_text(self) -> str:
        return _with_run(self.metric._short_text(), self.run)

    def with_run(self, run: FilterExpr) -> RunMetricFilter:
        """The same metric condition with another run filter."""
        return replace(self, run=run)


@dataclass(frozen=True, kw_only=True)
class RunStateFilter(Explorable):
    """A run-state condition and the run filter that runs must also match."""

    run: FilterExpr = field(default_factory=lambda: FilterExpr({"$and": []}))
    state: StateFilter

    def __post_init__(self) -> None:
        object.__setattr__(self, "run", _run_filter(self.run))
        if not isinstance(self.state, StateFilter):
            raise UsageError(
                "filter: a run state event needs a state filter, e.g. "
                f"RunEvent.state.in_(['finished', 'failed']), got {type(self.state).__name__}"
            )

    def _short_text(self) -> str:
        return _with_run(self.state._short_text(), self.run)

    def _wire_json(self) -> dict[str, Any]:
        from pydantic_core import to_json

        return {
            "run_filter": to_json(self.run.to_json()).decode(),
            "run_state_filter": self.state._wire_json(),
        }
