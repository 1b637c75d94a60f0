"""Reports and custom charts end to end: listing a project's reports with every field, the
runs of a section's run set, report paths, HTML, and saving custom chart presets.

Every test runs on both flavours (``flavor``)."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

import wandbkit
from wandbkit.errors import NotFoundError, NotLoadedError, PermissionDeniedError, UsageError
from wandbkit.server.testing import add_run

from ..support import Flavor


def run_set(conditions: list[dict[str, Any]], tree: list[str], sort: str = "createdAt") -> Any:
    return {
        "id": "rs",
        "filters": {"op": "OR", "filters": [{"op": "AND", "filters": conditions}]},
        "sort": {"key": {"section": "run", "name": sort}, "ascending": True},
        "selections": {"root": 1, "bounds": [], "tree": tree},
    }


FINISHED = {"key": {"section": "run", "name": "state"}, "op": "=", "value": "finished"}
ADAM = {"key": {"section": "config", "name": "opt"}, "op": "=", "value": "adam"}


@pytest.fixture
def reports(seeded_app: tuple[Any, Any]) -> dict[str, Any]:
    """demo/vision: runs a (finished, adam), b (finished, sgd), c (running, adam), and two
    reports: "Vision: overview" (a section of finished runs a, b selected; one of adam runs
    with only c selected) and "Second"."""
    store = seeded_app[0].state.store
    for name, state, opt in (
        ("a", "finished", "adam"),
        ("b", "finished", "sgd"),
        ("c", "running", "adam"),
    ):
        add_run(store, "demo/vision", name, state=state, config={"opt": opt})
    project = store.projects.get(store.entities.get("demo").pk, "vision")
    user = store.accounts.get_user("demo")
    spec = {
        "panelGroups": [
            {"name": "Finished", "runSets": [run_set([FINISHED], ["a", "b"])], "openRunSet": 0},
            {"name": "Adam", "runSets": [run_set([ADAM], ["c"])]},
        ]
    }
    first = store.reports.create(
        project.pk,
        display_name="Vision: overview",
        description="all of it",
        spec=spec,
        creator_pk=user.pk,
    )
    store.reports.create(project.pk, display_name="Second", spec={}, creator_pk=user.pk)
    return {"first": first}


async def test_reports_list_with_every_field(flavor: Flavor, reports: Any) -> None:
    found = await flavor.list(flavor.api.reports("demo/vision"))
    assert [r.display_name for r in found] == ["Vision: overview", "Second"]
    report = found[0]
    assert isinstance(report, (wandbkit.BetaReport, wandbkit.AsyncBetaReport))
    assert report.name == reports["first"].name and report.description == "all of it"
    assert report.user == wandbkit.ReportUser(
        username="demo", email="demo@example.com", photo_url=None
    )
    assert report.entity == "demo" and report.project == "vision" and report.id
    assert [s["name"] for s in report.sections] == ["Finished", "Adam"]
    assert report.spec["panelGroups"][0]["runSets"][0]["id"] == "rs"
    assert report.created_at and report.updated_at
    assert (
        report.url
        == f"http://wandbkit.test/demo/vision/reports/Vision-overview--{report.id.rstrip('=')}"
    )
    assert found[1].sections == [] and found[1].spec == {}


async def test_the_runs_of_a_section_follow_its_run_set(flavor: Flavor, reports: Any) -> None:
    (report, _) = await flavor.list(flavor.api.reports("demo/vision"))
    finished, adam = report.sections
    assert [r.id for r in await flavor.list(report.runs(finished))] == ["a", "b"]
    assert [r.id for r in await flavor.list(report.runs(adam))] == ["c"]
    everyone = await flavor.list(report.runs(adam, only_selected=False))
    assert sorted(r.id for r in everyone) == ["a", "c"]
    flavor.transport.clear()
    with pytest.raises(UsageError, match=r"one of report\.sections"):
        report.runs({"name": "none"})
    with pytest.raises(UsageError, match="per_page"):
        report.runs(finished, per_page=0)
    assert flavor.transport.operations == []


async def test_reports_filter_by_title_and_page(flavor: Flavor, reports: Any) -> None:
    named = await flavor.list(flavor.api.reports("demo/vision", name="Vision%3A%20overview"))
    assert [r.display_name for r in named] == ["Vision: overview"]
    paged = flavor.api.reports("demo/vision", per_page=1)
    assert [r.display_name for r in await flavor.list(paged)] == ["Vision: overview", "Second"]
    assert paged.pages_loaded == 2 and len(paged) == 2
    assert await flavor.list(flavor.api.reports("demo/vision", name="nope")) == []


async def test_missing_projects_and_bad_paths(flavor: Flavor, reports: Any) -> None:
    with pytest.raises(NotFoundError, match="project 'demo/ghost' not found"):
        await flavor.list(flavor.api.reports("demo/ghost"))
    flavor.transport.clear()
    with pytest.raises(UsageError):
        flavor.api.reports("a/b/c/d/e")
    with pytest.raises(UsageError, match="path is required"):
        flavor.api.reports()
    assert flavor.transport.operations == []


async def test_a_report_path_gives_a_report_that_loads_on_first_need(
    flavor: Flavor, reports: Any
) -> None:
    (listed, _) = await flavor.list(flavor.api.reports("demo/vision"))
    flavor.transport.clear()
    report = await flavor(flavor.api.from_path(listed.url))
    assert flavor.transport.operations == []  # nothing sent yet
    assert report.display_name == "Vision overview" and report.id == listed.id
    if flavor.is_async:
        with pytest.raises(NotLoadedError):
            _ = report.spec
        await report.load()
    assert report.spec == listed.spec and report.display_name == "Vision: overview"
    assert report == listed
    ghost = await flavor(flavor.api.from_path("demo/vision/reports/Gone--Vmlldzo5OTk"))
    with pytest.raises(NotFoundError, match="report 'Vmlldzo5OTk=' not found"):
        await flavor(ghost.load())


async def test_reports_render_as_html(flavor: Flavor, reports: Any) -> None:
    (report, _) = await flavor.list(flavor.api.reports("demo/vision"))
    html = report.to_html(height=300)
    assert f'src="{report.url}?jupyter=true"' in html and "height:300px" in html
    assert "display:none" in report.to_html(hidden=True)
    assert report._repr_html_() == report.to_html()
    with pytest.raises(UsageError, match="height must be a positive int"):
        report.to_html(height=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert report.display() is False
    assert "Jupyter notebook" in str(caught[0].message)


async def test_custom_charts_are_saved_where_you_may_write(
    flavor: Flavor, seeded_app: tuple[Any, Any]
) -> None:
    spec = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "mark": "line"}
    made = await flavor(
        flavor.api.create_custom_chart("demo", "loss-curve", "Loss curve", "vega2", "private", spec)
    )
    assert made == "demo/loss-curve"
    store = seeded_app[0].state.store
    chart = store.reports.get_chart(store.entities.get("demo").pk, "loss-curve")
    assert chart.access == "PRIVATE" and chart.display_name == "Loss curve"
    text = '{"mark": "bar"}'
    assert (
        await flavor(
            flavor.api.create_custom_chart("demo", "bars", "Bars", "vega2", "public", text)
        )
        == "demo/bars"
    )
    with pytest.raises(wandbkit.GraphQLError, match="has a custom chart named 'bars'"):
        await flavor(flavor.api.create_custom_chart("demo", "bars", "B", "vega2", "public", text))
    store.accounts.create_user("ana")
    with pytest.raises(PermissionDeniedError, match="cannot create custom charts"):
        await flavor(flavor.api.create_custom_chart("ana", "x", "X", "vega2", "public", spec))
    flavor.transport.clear()
    for args in (
        ("demo", "x", "X", "vega3", "public", spec),
        ("demo", "x", "X", "vega2", "secret", spec),
        ("demo", "x", "", "vega2", "public", spec),
        ("demo", "x", "X", "vega2", "public", "[1]"),
        ("demo", "x", "X", "vega2", "public", "{nope"),
        ("bad name", "x", "X", "vega2", "public", spec),
    ):
        with pytest.raises(UsageError):
            await flavor(flavor.api.create_custom_chart(*args))
    assert flavor.transport.operations == []
