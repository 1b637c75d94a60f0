"""Line charts of a run's history, drawn on the server as inline SVG.

The page needs no JavaScript: each chart is an ``<svg>`` with axes, a few tick labels and one
``<path>`` through the sampled points (a gap where a step has no value for the key). The
input is bounded by the caller (:data:`MAX_POINTS` sampled rows, :data:`MAX_CHARTS` keys), so
a chart costs the same for a run of ten steps and of ten million.

Every text that reaches the SVG (the key, tick labels) is escaped here, so the result is safe
to mark as markup in a template.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

__all__ = ["MAX_CHARTS", "MAX_POINTS", "Chart", "charts_from_rows", "line_chart_svg"]

#: History rows sampled for a run's charts (first and last kept, evenly spaced between).
MAX_POINTS = 500
#: Keys drawn per run page; the others are named as not drawn.
MAX_CHARTS = 24

WIDTH, HEIGHT = 420, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 28
TICKS = 5


@dataclass(frozen=True)
class Chart:
    """One key's points: ``(x, y)`` pairs in step order; ``None`` ``y`` breaks the line."""

    key: str
    points: tuple[tuple[float, float | None], ...]

    @property
    def svg(self) -> Markup:
        """The chart as inline SVG markup."""
        return line_chart_svg(self.key, self.points)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def charts_from_rows(
    rows: Iterable[str], *, max_charts: int = MAX_CHARTS, x_key: str = "_step"
) -> tuple[list[Chart], list[str]]:
    """Charts of every numeric key of history rows (JSON texts), x being ``x_key``
    (``_step`` for history, ``_runtime`` for system metrics; a row's position without it).

    Keys starting with ``_`` (``_step``, ``_runtime``, ``_timestamp``) are not drawn; nor are
    keys whose values are never finite numbers.

    Returns:
        The charts of the first ``max_charts`` keys in name order, and the names of the
        numeric keys left out.
    """
    parsed: list[Mapping[str, object]] = []
    for index, text in enumerate(rows):
        try:
            row = json.loads(text)
        except ValueError:
            continue
        if isinstance(row, dict):
            row.setdefault(x_key, index)
            parsed.append(row)
    keys = sorted(
        {
            key
            for row in parsed
            for key, value in row.items()
            if not key.startswith("_") and _number(value) is not None
        }
    )
    charts = []
    for key in keys[:max_charts]:
        points = []
        for index, row in enumerate(parsed):
            x = _number(row.get(x_key))
            points.append((float(index) if x is None else x, _number(row.get(key))))
        charts.append(Chart(key, tuple(points)))
    return charts, keys[max_charts:]


def _ticks(low: float, high: float, count: int = TICKS) -> list[float]:
    """Round tick values covering ``[low, high]`` (1, 2 or 5 times a power of ten apart)."""
    if high <= low:
        return [low]
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step) * step
    values: list[float] = []
    value = first
    while value <= high + step * 1e-9 and len(values) < count * 3:
        values.append(0.0 if abs(value) < step * 1e-9 else value)
        value += step
    return values


def _label(value: float) -> str:
    if value != 0 and (abs(value) >= 1e5 or abs(value) < 1e-3):
        return f"{value:.1e}"
    return f"{value:.4g}"


def _range(values: Sequence[float]) -> tuple[float, float]:
    low, high = min(values), max(values)
    if low == high:
        pad = abs(low) * 0.1 or 1.0
        return low - pad, high + pad
    return low, high


def line_chart_svg(key: str, points: Sequence[tuple[float, float | None]]) -> Markup:
    """An SVG line chart of ``points`` titled ``key``.

    Args:
        key: the metric's name (escaped).
        points: ``(x, y)`` pairs in x order; a ``None`` ``y`` is a gap in the line.

    Returns:
        ``<svg class="chart">`` markup with one ``path.series`` whose ``d`` moves through the
        points (or a "no data" note when no point has a value).
    """
    present = [(x, y) for x, y in points if y is not None]
    title = escape(key)
    head = (
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" xmlns="http://www.w3.org/2000/svg" data-key="{title}">'
        f"<title>{title}</title>"
    )
    if not present:
        return Markup(
            f'{head}<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" '
            f'fill="#888">no data</text></svg>'
        )
    x_low, x_high = _range([x for x, _ in present])
    y_low, y_high = _range([y for _, y in present])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def sx(x: float) -> float:
        return LEFT + (x - x_low) / (x_high - x_low) * plot_w

    def sy(y: float) -> float:
        return TOP + plot_h - (y - y_low) / (y_high - y_low) * plot_h

    parts = [head, '<g class="grid" stroke="#e4e4e4" stroke-width="1">']
    labels = ['<g class="ticks" font-size="10" fill="#555">']
    for tick in _ticks(y_low, y_high):
        y = sy(tick)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        labels.append(
            f'<text x="{LEFT - 4}" y="{y + 3:.1f}" text-anchor="end">{_label(tick)}</text>'
        )
    for tick in _ticks(x_low, x_high):
        x = sx(tick)
        labels.append(
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 14}" text-anchor="middle">'
            f"{_label(tick)}</text>"
        )
    parts.append("</g>")
    labels.append("</g>")
    commands: list[str] = []
    pen_down = False
    for x, maybe_y in points:
        if maybe_y is None:
            pen_down = False
            continue
        commands.append(f"{'L' if pen_down else 'M'}{sx(x):.1f},{sy(maybe_y):.1f}")
        pen_down = True
    axes = (
        f'<path class="axes" d="M{LEFT},{TOP}V{TOP + plot_h}H{WIDTH - RIGHT}" '
        f'fill="none" stroke="#999"/>'
    )
    if len(present) == 1:  # a lone point: a dot, since a one-point path draws nothing
        x, y = present[0]
        parts.append(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2.5" fill="#1f77b4"/>')
    series = (
        f'<path class="series" d="{"".join(commands)}" fill="none" stroke="#1f77b4" '
        f'stroke-width="1.5" data-points="{len(present)}"/>'
    )
    return Markup("".join([*parts, *labels, axes, series, "</svg>"]))
