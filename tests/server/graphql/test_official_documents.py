"""The exact documents the official client (wandb 0.31.0) sends, answered without errors.

They are read from ``../shared/reference/official-ops/``; the tests skip when it is absent.
Python-side operations go out with ``operationName: ""``; wandb-core's own carry their name
and no ``variables`` key (see the wire report).
"""

from __future__ import annotations

from typing import Any

from ..conftest import Data, PostGraphQL, ServerApp, official_document


def assert_user_fragment(user: dict[str, Any], username: str) -> None:
    # Keys the client's pydantic models require; id and name must be non-null.
    for key in ("id", "name", "username", "email", "admin", "flags", "entity", "deletedAt"):
        assert key in user
    assert user["id"] and user["name"]
    assert user["username"] == username
    assert isinstance(user["apiKeys"]["edges"], list)
    assert all(e["node"]["id"] and e["node"]["name"] for e in user["apiKeys"]["edges"])
    assert all(e["node"]["name"] for e in user["teams"]["edges"])


def assert_project_fragment(project: dict[str, Any], name: str, entity: str) -> None:
    assert project["__typename"] == "Project"
    assert project["id"] and project["createdAt"]
    assert (project["name"], project["entityName"]) == (name, entity)
    assert project["isBenchmark"] is False


async def test_get_viewer(gql: PostGraphQL, data: Data, server_app: ServerApp) -> None:
    response = await gql(official_document("GetViewer"), {}, operationName="")
    viewer = data(response)["viewer"]
    assert_user_fragment(viewer, server_app.seed.username)
    assert viewer["entity"] == server_app.seed.entity
    assert [e["node"]["name"] for e in viewer["teams"]["edges"]] == [server_app.seed.team]


async def test_get_default_entity(gql: PostGraphQL, data: Data, server_app: ServerApp) -> None:
    response = await gql(official_document("GetDefaultEntity"), {}, operationName="")
    viewer = data(response)["viewer"]
    assert viewer["id"] and viewer["entity"] == server_app.seed.entity


async def test_create_project_then_get_project_and_get_projects(
    gql: PostGraphQL, data: Data, server_app: ServerApp
) -> None:
    team = server_app.seed.team
    created = data(
        await gql(
            official_document("CreateProject"),
            {"input": {"entityName": team, "name": "official", "description": "via wandb"}},
            operationName="",
        )
    )["result"]
    assert created["inserted"] is True
    assert created["project"] == created["model"]
    assert created["project"]["name"] == "official"
    assert created["project"]["entityName"] == team
    assert created["project"]["views"] == "{}"

    project = data(
        await gql(
            official_document("GetProject"),
            {"entity": team, "name": "official"},
            operationName="",
        )
    )["project"]
    assert_project_fragment(project, "official", team)
    assert_user_fragment(project["user"], server_app.seed.username)

    missing = await gql(
        official_document("GetProject"), {"entity": team, "name": "nope"}, operationName=""
    )
    assert data(missing) == {"project": None}

    models = data(
        await gql(
            official_document("GetProjects"),
            {"entity": team, "cursor": None, "perPage": 200},
            operationName="",
        )
    )["models"]
    assert models["pageInfo"]["__typename"] == "PageInfo"
    assert models["pageInfo"]["hasNextPage"] is False
    (edge,) = models["edges"]
    assert_project_fragment(edge["node"], "official", team)


async def test_get_projects_pages_with_end_cursor(
    gql: PostGraphQL, data: Data, server_app: ServerApp
) -> None:
    create = official_document("CreateProject")
    for name in ("one", "two"):
        await gql(create, {"input": {"name": name}}, operationName="")
    query = official_document("GetProjects")
    names: list[str] = []
    cursor = None
    while True:
        models = data(
            await gql(
                query,
                {"entity": server_app.seed.entity, "cursor": cursor, "perPage": 1},
                operationName="",
            )
        )["models"]
        names += [e["node"]["name"] for e in models["edges"]]
        if not models["pageInfo"]["hasNextPage"]:
            break
        cursor = models["pageInfo"]["endCursor"]
    assert names == ["one", "two"]


async def test_wandb_core_viewer_without_variables(
    gql: PostGraphQL, data: Data, server_app: ServerApp
) -> None:
    text = official_document("wandb-core/Viewer")
    assert "\t" in text  # wandb-core indents with tabs; the parser must not care
    viewer = data(await gql(text, operationName="Viewer"))["viewer"]
    assert viewer["id"] and viewer["entity"] == server_app.seed.entity
    assert viewer["username"] == server_app.seed.username
    assert viewer["flags"] == "{}"
    # The same document as a Python-side operation would send it.
    assert data(await gql(text, {}, operationName=""))["viewer"] == viewer


async def test_wandb_core_server_features_query(gql: PostGraphQL, data: Data) -> None:
    text = official_document("wandb-core/ServerFeaturesQuery")
    features = data(await gql(text, operationName="ServerFeaturesQuery"))["serverInfo"]["features"]
    enabled = {f["name"] for f in features if f["isEnabled"]}
    assert "ARTIFACT_REGISTRY_SEARCH" in enabled
    assert "ARTIFACT_DIGEST_ALGORITHM" in enabled
