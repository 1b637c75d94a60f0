"""Reports and custom charts over GraphQL: ``Project.allViews`` (filtered by type and title,
paged, invisible with a private project) and ``createCustomChart``."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from wandbkit.server.testing import add_run, asgi_transport, basic_auth_header

from ..conftest import BASE_URL, Data, PostGraphQL, ServerApp, official_document
from ..runs_support import error_of

VIEWS = """
query ($e: String!, $p: String!, $t: String, $n: String, $first: Int, $after: String) {
  project(entityName: $e, name: $p) {
    allViews(viewType: $t, viewName: $n, first: $first, after: $after) {
      edges { cursor node { id name displayName description spec user { username } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
CHART = """
mutation ($e: String!, $n: String!, $t: String!, $a: String!, $s: JSONString!) {
  createCustomChart(input: {entity: $e, name: $n, displayName: "Chart", type: $t,
                            access: $a, spec: $s}) { chart { id } }
}
"""
SPEC = {"panelGroups": [{"name": "All", "runSets": [{"filters": {}, "selections": {}}]}]}


@pytest.fixture
def reports(server_app: ServerApp) -> list[Any]:
    """Three views of demo/vision: two reports and a workspace."""
    store = server_app.store
    add_run(store, "demo/vision", "r1")
    project = store.projects.get(store.entities.get("demo").pk, "vision")
    assert project is not None
    user = store.accounts.get_user("demo")
    made = [
        store.reports.create(
            project.pk, display_name=title, spec=SPEC, creator_pk=user.pk, description="d"
        )
        for title in ("First look", "Second look")
    ]
    store.reports.create(project.pk, display_name="ws", spec={}, view_type="project-view")
    return made


async def test_reports_list_with_their_spec_and_author(
    gql: PostGraphQL, data: Data, reports: list[Any]
) -> None:
    found = data(await gql(VIEWS, {"e": "demo", "p": "vision", "t": "runs"}))
    edges = found["project"]["allViews"]["edges"]
    assert [e["node"]["displayName"] for e in edges] == ["First look", "Second look"]
    node = edges[0]["node"]
    assert json.loads(node["spec"]) == SPEC and node["user"] == {"username": "demo"}
    assert node["name"] == reports[0].name and node["description"] == "d"
    every = data(await gql(VIEWS, {"e": "demo", "p": "vision"}))["project"]["allViews"]
    assert len(every["edges"]) == 3


async def test_reports_page_and_filter_by_title(
    gql: PostGraphQL, data: Data, reports: list[Any]
) -> None:
    first = data(await gql(VIEWS, {"e": "demo", "p": "vision", "t": "runs", "first": 1}))
    page = first["project"]["allViews"]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = data(
        await gql(
            VIEWS, {"e": "demo", "p": "vision", "t": "runs", "after": page["pageInfo"]["endCursor"]}
        )
    )["project"]["allViews"]
    assert [e["node"]["displayName"] for e in rest["edges"]] == ["Second look"]
    named = data(await gql(VIEWS, {"e": "demo", "p": "vision", "t": "runs", "n": "Second look"}))
    assert len(named["project"]["allViews"]["edges"]) == 1
    error = error_of(await gql(VIEWS, {"e": "demo", "p": "vision", "after": "junk"}))
    assert "invalid cursor" in error["message"]


async def test_reports_of_a_private_project_are_invisible_to_others(
    server_app: ServerApp, reports: list[Any]
) -> None:
    ana = server_app.store.accounts.create_user("ana")
    key, _ = server_app.store.accounts.create_api_key(ana.pk)
    async with httpx.AsyncClient(
        transport=asgi_transport(server_app.app), base_url=BASE_URL, headers=basic_auth_header(key)
    ) as client:
        answer = await client.post(
            "/graphql", json={"query": VIEWS, "variables": {"e": "demo", "p": "vision"}}
        )
    assert answer.json()["data"] == {"project": None}


async def test_the_official_project_views_document_runs(
    gql: PostGraphQL, data: Data, reports: list[Any]
) -> None:
    variables = {"project": "vision", "entity": "demo", "reportLimit": 50}
    found = data(await gql(official_document("ProjectViews"), variables))
    assert len(found["project"]["allViews"]["edges"]) == 2


async def test_custom_charts_are_created_once_where_you_may_write(
    server_app: ServerApp, gql: PostGraphQL, data: Data
) -> None:
    spec = json.dumps({"$schema": "https://vega.github.io/schema/vega-lite/v5.json"})
    made = data(
        await gql(CHART, {"e": "demo", "n": "my-chart", "t": "vega2", "a": "private", "s": spec})
    )
    assert made["createCustomChart"]["chart"]["id"] == "demo/my-chart"
    chart = server_app.store.reports.get_chart(server_app.store.entities.get("demo").pk, "my-chart")
    assert chart is not None and chart.access == "PRIVATE" and json.loads(chart.spec)
    again = error_of(
        await gql(CHART, {"e": "demo", "n": "my-chart", "t": "vega2", "a": "public", "s": spec})
    )
    assert "the entity has a custom chart named 'my-chart'" in again["message"]
    bad = error_of(
        await gql(CHART, {"e": "demo", "n": "other", "t": "vega3", "a": "public", "s": spec})
    )
    assert "chart type must be one of" in bad["message"]
    ana = server_app.store.accounts.create_user("ana")
    assert ana is not None
    other = error_of(
        await gql(CHART, {"e": "ana", "n": "x", "t": "vega2", "a": "public", "s": spec})
    )
    assert other["extensions"]["code"] == "PERMISSION_DENIED"
    core = official_document("wandb-core/CreateCustomChart")
    answer = await gql(
        core,
        {
            "entity": "demo",
            "chartName": "core-chart",
            "displayName": "C",
            "chartType": "vega2",
            "access": "PUBLIC",
            "spec": spec,
        },
    )
    assert data(answer)["createCustomChart"]["chart"]["id"]
