"""PNG line charts of run histories, with matplotlib (the ``plots`` extra).

::

    from wandbkit.plots import plot_histories
    runs = api.runs("team/proj", order="-summary_metrics.acc", per_page=5)[:5]
    plot_histories({run.name: run.scan_history(keys=["loss"]) for run in runs}, "loss",
                   "best-runs.png", title="loss of the 5 best runs")

``wandbkit history PATH --plot out.png`` draws one run's metrics the same way. matplotlib is
imported inside the functions (with the non-interactive Agg backend), so importing this module
costs nothing and needs no display.
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from wandbkit.errors import UsageError

__all__ = ["plot_histories", "plot_metrics"]

_MISSING = "PNG plots need matplotlib: pip install 'wandbkit[plots]'"


def _umask() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


#: What open() would give a new file (0644 under the usual umask), read once at import.
_FILE_MODE = 0o666 & ~_umask()


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UsageError(_MISSING) from None
    return plt


def _points(
    rows: Iterable[Mapping[str, Any]], key: str, x_axis: str
) -> tuple[list[float], list[float]]:
    xs: list[float] = []
    ys: list[float] = []
    for index, row in enumerate(rows):
        value = row.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if math.isfinite(value):
            x = row.get(x_axis, index)
            xs.append(float(x) if isinstance(x, (int, float)) else float(index))
            ys.append(float(value))
    return xs, ys


def _save(figure: Any, out: str | os.PathLike[str]) -> Path:
    target = Path(out)
    if target.suffix.lower() != ".png":
        raise UsageError(f"the plot file must end in .png, got {str(target)!r}")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.tmp-", suffix=".png", dir=target.parent)
    os.fchmod(handle, _FILE_MODE)  # mkstemp's 0600 would survive the rename
    os.close(handle)
    try:
        figure.savefig(temp, dpi=110, format="png")
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    return target


def plot_histories(
    histories: Mapping[str, Iterable[Mapping[str, Any]]],
    key: str,
    out: str | os.PathLike[str],
    *,
    x_axis: str = "_step",
    title: str | None = None,
) -> Path:
    """One line per run: ``key`` against ``x_axis``; written to the PNG file ``out``.

    Args:
        histories: a label (the run's name) -> its history rows.
        key: the metric to draw.
        out: the ``.png`` file to write (atomically).
        x_axis: the row key on the x axis.
        title: the chart's title (default: ``key``).

    Returns:
        The file written.

    Raises:
        UsageError: matplotlib is missing, ``out`` is not a .png, or no run has ``key``.
    """
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(8, 4.5))
    try:
        drawn = 0
        for label, rows in histories.items():
            xs, ys = _points(rows, key, x_axis)
            if xs:
                axes.plot(xs, ys, label=label, linewidth=1.4)
                drawn += 1
        if not drawn:
            raise UsageError(f"no run has numeric values of {key!r} to plot")
        axes.set_xlabel(x_axis)
        axes.set_ylabel(key)
        axes.set_title(title or key)
        axes.grid(alpha=0.3)
        axes.legend(fontsize="small")
        figure.tight_layout()
        return _save(figure, out)
    finally:
        plt.close(figure)


def plot_metrics(
    rows: Sequence[Mapping[str, Any]],
    keys: Sequence[str],
    out: str | os.PathLike[str],
    *,
    x_axis: str = "_step",
    title: str | None = None,
) -> Path:
    """One run's metrics, one panel per key stacked, to the PNG file ``out``.

    Raises:
        UsageError: matplotlib is missing, ``out`` is not a .png, or none of ``keys`` has
            numeric values.
    """
    series = [(key, *_points(rows, key, x_axis)) for key in keys]
    series = [(key, xs, ys) for key, xs, ys in series if xs]
    if not series:
        what = f"none of {list(keys)} has" if keys else "the rows have no metric with"
        raise UsageError(f"{what} numeric values to plot")
    plt = _pyplot()
    figure, panels = plt.subplots(
        len(series), 1, figsize=(8, 2.4 * len(series) + 0.6), sharex=True, squeeze=False
    )
    try:
        for (key, xs, ys), axes in zip(series, panels[:, 0], strict=True):
            axes.plot(xs, ys, linewidth=1.4)
            axes.set_ylabel(key)
            axes.grid(alpha=0.3)
        panels[-1, 0].set_xlabel(x_axis)
        if title:
            figure.suptitle(title)
        figure.tight_layout()
        return _save(figure, out)
    finally:
        plt.close(figure)
