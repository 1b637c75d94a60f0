"""The server-side SVG line charts: points, gaps, degenerate ranges, bounds, escaping."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from wandbkit.server.web.charts import charts_from_rows, line_chart_svg

SVG = "{http://www.w3.org/2000/svg}"


def series(svg: str) -> ET.Element:
    """The chart's ``path.series`` (parsing the SVG proves it is well-formed XML)."""
    root = ET.fromstring(svg)
    found = [p for p in root.iter(f"{SVG}path") if p.get("class") == "series"]
    assert len(found) == 1
    return found[0]


def coordinates(d: str) -> list[tuple[str, float, float]]:
    return [(c, float(x), float(y)) for c, x, y in re.findall(r"([ML])([\d.]+),([\d.]+)", d)]


def test_a_series_is_one_move_then_a_line_to_every_point_inside_the_plot() -> None:
    points = [(float(step), 1.0 / (step + 1)) for step in range(20)]
    path = series(line_chart_svg("loss", points))
    moves = coordinates(path.get("d", ""))
    assert [c for c, _, _ in moves] == ["M"] + ["L"] * 19
    xs = [x for _, x, _ in moves]
    assert xs == sorted(xs)  # steps left to right
    ys = [y for _, _, y in moves]
    assert ys == sorted(ys)  # a falling loss goes down the screen (y grows downwards)
    assert all(0 <= x <= 420 and 0 <= y <= 220 for _, x, y in moves)
    assert path.get("data-points") == "20"


def test_a_missing_value_breaks_the_line() -> None:
    path = series(line_chart_svg("acc", [(0, 0.1), (1, 0.2), (2, None), (3, 0.4), (4, 0.5)]))
    assert [c for c, _, _ in coordinates(path.get("d", ""))] == ["M", "L", "M", "L"]


def test_a_constant_series_and_a_single_point_still_draw() -> None:
    flat = series(line_chart_svg("lr", [(0, 0.5), (1, 0.5), (2, 0.5)]))
    ys = {y for _, _, y in coordinates(flat.get("d", ""))}
    assert len(ys) == 1 and 12 < ys.pop() < 192
    lone = ET.fromstring(line_chart_svg("x", [(7, 3.0)]))
    assert list(lone.iter(f"{SVG}circle"))


def test_no_values_is_a_no_data_note() -> None:
    svg = line_chart_svg("empty", [(0, None), (1, None)])
    assert "no data" in svg and 'class="series"' not in svg


def test_the_key_is_escaped_in_the_title_and_attribute() -> None:
    svg = line_chart_svg('<b onclick="x">', [(0, 1.0), (1, 2.0)])
    ET.fromstring(svg)
    assert "<b " not in svg
    assert "&lt;b onclick=&#34;x&#34;&gt;" in svg


def test_rows_become_one_chart_per_numeric_key_with_underscore_keys_left_out() -> None:
    rows = [
        json.dumps({"_step": step, "_runtime": step * 0.1, "loss": 1.0 / (step + 1), "tag": "a"})
        for step in range(10)
    ] + [json.dumps({"_step": 10, "acc": 0.9, "flag": True, "bad": float("nan")})]
    charts, left_out = charts_from_rows(rows)
    assert [c.key for c in charts] == ["acc", "loss"]  # "bad" is never finite, "flag" a bool
    loss = charts[1]
    assert [x for x, _ in loss.points] == [float(s) for s in range(11)]
    assert loss.points[-1][1] is None and left_out == []


def test_past_the_chart_limit_the_other_keys_are_named() -> None:
    rows = [json.dumps({f"m{i:02d}": i for i in range(30)})]
    charts, left_out = charts_from_rows(rows, max_charts=24)
    assert len(charts) == 24 and left_out == [f"m{i:02d}" for i in range(24, 30)]


def test_rows_that_are_not_json_objects_are_skipped() -> None:
    charts, _ = charts_from_rows(["not json", "[1, 2]", json.dumps({"_step": 1, "x": 2})])
    assert [(c.key, c.points) for c in charts] == [("x", ((1.0, 2.0),))]
