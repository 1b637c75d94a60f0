"""A run's values: who made it, its heavy fields, and the ``Summary`` view of them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from wandbkit._core.errors import UsageError
from wandbkit._core.flavor_async import MaybeAwaitable
from wandbkit._html import Explorable, HtmlSummary
from wandbkit._values.checks import sanitize_json
from wandbkit._values.runs import as_dict

#: How many keys ``repr(summary)`` names.
SUMMARY_REPR_KEYS = 6


@dataclass(frozen=True)
class RunUser:
    """The user who created a run."""

    name: str
    username: str | None


@dataclass
class HeavyFields:
    """The heavy fields of a run: loaded with the run (lazy=False) or on first need."""

    rawconfig_wrapped: dict[str, Any]
    summary: dict[str, Any]
    system_metrics: dict[str, Any]
    history_keys: dict[str, Any]
    partial: bool = False  # loaded with config_keys/summary_keys: not every key is here


class HeavyNode(Protocol):
    """A generated run node with the heavy fields: ``RunHeavyFields`` (``GetRun``,
    ``UpsertRun``), or the same fields selected by keys (``GetRunsFull``, ``GetRunsHeavy``).

    Each is JSON the ``JSONString`` scalar parsed (a dict, or None when the server has none).
    """

    @property
    def config(self) -> Any:
        """The wrapped config (``{"key": {"value": ...}}``)."""

    @property
    def summary_metrics(self) -> Any:
        """The summary."""

    @property
    def system_metrics(self) -> Any:
        """The latest system metrics."""

    @property
    def history_keys(self) -> Any:
        """The server's description of the logged history keys."""


def heavy_of(node: HeavyNode, *, partial: bool = False) -> HeavyFields:
    """The heavy fields a generated run node carries."""
    return HeavyFields(
        as_dict(node.config),
        as_dict(node.summary_metrics),
        as_dict(node.system_metrics),
        as_dict(node.history_keys),
        partial=partial,
    )


def check_optional_str(value: object, argument: str) -> str | None:
    """``value`` if it is a string or None.

    Raises:
        UsageError: anything else.
    """
    if value is not None and not isinstance(value, str):
        raise UsageError(f"{argument} must be a string or None, got {type(value).__name__}")
    return value


class AsyncSummary(Explorable, Mapping[str, Any]):
    """A run's summary: read like a dict, edit locally, persist with ``update()``.

    ``update()`` writes only the keys it is given and the keys set or deleted here since
    the summary was loaded, into the summary as the server holds it at that moment; keys
    another writer changed meanwhile are kept (on the local server atomically, on W&B up to
    one round trip; see :mod:`wandbkit._lang.summary_merge`). ``run.update()`` writes the
    whole summary, as W&B's own clients do: the last writer wins.

    Example:
        >>> run.summary["best_acc"]
        >>> run.summary.update({"best_acc": 0.93})  # the server keeps it; other keys stay

    Args:
        run_id: the run's id (for the repr).
        values: the run's current summary dict (loaded first, in the sync flavour).
        merge: merges values into the run's summary and persists it.
        edits: the run's record of keys set or deleted locally since the last load.
    """

    def __init__(
        self,
        run_id: str,
        values: Callable[[], dict[str, Any]],
        merge: Callable[[dict[str, Any]], MaybeAwaitable[None]],
        edits: set[str],
    ) -> None:
        self._run_id = run_id
        self._values = values
        self._merge = merge
        self._edits = edits

    def __getitem__(self, key: str) -> Any:
        return self._values()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values())

    def __len__(self) -> int:
        return len(self._values())

    def __setitem__(self, key: str, value: Any) -> None:
        """Set a value locally; ``update()`` or ``run.update()`` persists it."""
        self._values()[key] = sanitize_json(value, f"summary[{key!r}]")
        self._edits.add(key)

    def __delitem__(self, key: str) -> None:
        """Remove a key locally; ``update()`` or ``run.update()`` persists it."""
        del self._values()[key]
        self._edits.add(key)

    async def update(
        self, key_vals: Mapping[str, Any] | None = None, overwrite: bool = True, **more: Any
    ) -> None:
        """Merge ``key_vals`` (and keyword values) into the summary and persist it at once,
        with the local edits; only the keys named (and edited) are written, into the summary
        as the server holds it now.

        Args:
            key_vals: the values to set (keys are stripped of surrounding spaces, as in
                ``wandb``).
            overwrite: with ``False``, only keys the summary (as loaded) lacks are set.
            **more: more values, as keywords.

        Raises:
            UsageError: a non-bool ``overwrite`` or values that are not JSON (before any
                request).
        """
        if not isinstance(overwrite, bool):
            raise UsageError(f"overwrite must be a bool, got {overwrite!r}")
        merged = {
            str(key).strip(): value for key, value in {**dict(key_vals or {}), **more}.items()
        }
        if not overwrite:
            present = self._values()
            merged = {key: value for key, value in merged.items() if key not in present}
        sanitize_json(merged, "summary values")
        await self._merge(merged)

    def load(self) -> None:
        """Nothing to do, as in ``wandb``: the summary is the run's as last loaded
        (``run.load(force=True)`` fetches it again)."""

    def _no_h5(self, member: str) -> UsageError:
        return UsageError(
            f"Summary.{member}: summaries stored in wandb.h5 files (legacy, for large tensors) "
            "are not supported by wandbkit; summary values are JSON"
        )

    def open_h5(self) -> None:
        """Legacy ``wandb.h5`` summaries are not supported.

        Raises:
            UsageError: always, saying so.
        """
        raise self._no_h5("open_h5")

    def read_h5(self, path: Any, val: Any = None) -> None:
        """Legacy ``wandb.h5`` summaries are not supported.

        Raises:
            UsageError: always, saying so.
        """
        raise self._no_h5("read_h5")

    def write_h5(self, path: Any, val: Any) -> None:
        """Legacy ``wandb.h5`` summaries are not supported.

        Raises:
            UsageError: always, saying so.
        """
        raise self._no_h5("write_h5")

    def __str__(self) -> str:
        # ``print(run.summary)`` and f-strings show the values as a dict, as wandb's summary
        # prints; ``repr()`` stays one short line.
        return repr(dict(self._values()))

    def __repr__(self) -> str:
        values = self._values()
        keys = [k for k in values if not k.startswith("_")]
        more = ", ..." if len(keys) > SUMMARY_REPR_KEYS else ""
        shown = ", ".join(keys[:SUMMARY_REPR_KEYS]) + more
        return f"<Summary of run {self._run_id}: {len(values)} keys ({shown})>"

    def _html_summary(self) -> HtmlSummary:
        values = self._values()
        return HtmlSummary("Summary", f"run {self._run_id}", {k: values[k] for k in sorted(values)})
