"""The official client's registry documents (wandb 0.31.0) against the local server: search at
every level with filters and orders in SQL, the registry fields of Project, create, update,
rename, delete, members and roles; who may change what; bad filters and fields answered as
GraphQL errors naming them, never a 500."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from wandbkit.server.ids import encode_id
from wandbkit.server.seed import seed_basic_artifacts, seed_basic_registries
from wandbkit.server.seed.registries import RegistrySeed, seed_registries_benchmark
from wandbkit.server.testing import asgi_transport, basic_auth_header

from ..conftest import BASE_URL, ServerApp, official_document


@pytest.fixture
def regs(server_app: ServerApp) -> RegistrySeed:
    seed_basic_artifacts(server_app.store, server_app.seed)
    return seed_basic_registries(server_app.store, server_app.seed)


async def send(client: httpx.AsyncClient, name: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": official_document(name), "variables": variables}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def registries(client: httpx.AsyncClient, **variables: Any) -> list[str]:
    body = await send(client, "FetchRegistries", {"organization": "demo-org", **variables})
    edges = data_of_body(body)["organization"]["orgEntity"]["projects"]["edges"]
    return [e["node"]["name"].removeprefix("wandb-registry-") for e in edges]


def data_of_body(body: dict[str, Any]) -> Any:
    assert "errors" not in body, body["errors"]
    return body["data"]


@pytest.fixture
async def reader(server_app: ServerApp, regs: RegistrySeed) -> Any:
    user = server_app.store.accounts.get_user(regs.reader)
    assert user is not None
    key, _ = server_app.store.accounts.create_api_key(user.pk)
    async with httpx.AsyncClient(
        transport=asgi_transport(server_app.app), base_url=BASE_URL, headers=basic_auth_header(key)
    ) as client:
        yield client


async def test_fetch_registries_with_the_official_fragment(
    client: httpx.AsyncClient, regs: RegistrySeed
) -> None:
    body = await send(client, "FetchRegistries", {"organization": "demo-org", "perPage": 100})
    nodes = [
        e["node"] for e in data_of_body(body)["organization"]["orgEntity"]["projects"]["edges"]
    ]
    model = next(n for n in nodes if n["name"] == "wandb-registry-model")
    assert (
        model["__typename"] == "Project" and model["entity"]["organization"]["name"] == "demo-org"
    )
    assert model["access"] == "PRIVATE" and model["allowAllArtifactTypes"] is False
    assert [e["node"]["name"] for e in model["artifactTypes"]["edges"]] == ["model"]
    assert {n["access"] for n in nodes} == {"PRIVATE", "RESTRICTED"}


@pytest.mark.parametrize(
    ("filters", "order", "expected"),
    [
        ({"name": {"$regex": "model"}}, None, ["model"]),
        ({"name": {"$in": ["wandb-registry-model", "wandb-registry-x"]}}, None, ["model"]),
        ({"$nor": [{"name": "wandb-registry-model"}]}, "-name", ["restricted", "dataset"]),
        ({}, "+name", ["dataset", "model", "restricted"]),
        (None, "-created_at", ["restricted", "dataset", "model"]),
    ],
)
async def test_registry_filters_and_orders(
    client: httpx.AsyncClient,
    regs: RegistrySeed,
    filters: dict[str, Any] | None,
    order: str | None,
    expected: list[str],
) -> None:
    variables = {"filters": json.dumps(filters) if filters is not None else None, "order": order}
    assert await registries(client, **variables) == expected


async def test_pages_follow_their_cursors(client: httpx.AsyncClient, regs: RegistrySeed) -> None:
    seen: list[str] = []
    cursor = None
    for _ in range(4):
        body = await send(
            client,
            "FetchRegistries",
            {"organization": "demo-org", "perPage": 1, "cursor": cursor, "order": "-name"},
        )
        page = data_of_body(body)["organization"]["orgEntity"]["projects"]
        seen += [e["node"]["name"] for e in page["edges"]]
        cursor = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
    assert seen == ["wandb-registry-restricted", "wandb-registry-model", "wandb-registry-dataset"]


async def test_collections_and_versions_across_registries(
    client: httpx.AsyncClient, regs: RegistrySeed
) -> None:
    body = await send(
        client,
        "RegistryCollections",
        {
            "organization": "demo-org",
            "registryFilter": json.dumps({"name": "wandb-registry-dataset"}),
            "collectionFilter": json.dumps({"tag": "vision"}),
            "perPage": 10,
        },
    )
    found = data_of_body(body)["organization"]["orgEntity"]["artifactCollections"]
    assert found["totalCount"] == 1
    (node,) = [e["node"] for e in found["edges"]]
    assert node["__typename"] == "ArtifactPortfolio" and node["name"] == "images"
    assert node["project"]["name"] == "wandb-registry-dataset"
    body = await send(
        client,
        "RegistryVersions",
        {
            "organization": "demo-org",
            "collectionFilter": json.dumps({"name": "images"}),
            "artifactFilter": json.dumps({"alias": "golden"}),
            "order": "-artifact_created_at",
        },
    )
    (version,) = data_of_body(body)["organization"]["orgEntity"]["artifactMemberships"]["edges"]
    assert {a["alias"] for a in version["node"]["aliases"]} == {"golden"}
    assert version["node"]["artifactCollection"]["project"]["name"] == "wandb-registry-dataset"


@pytest.mark.parametrize(
    ("document", "variables", "message"),
    [
        (
            "FetchRegistries",
            {"filters": '{"colour": 1}'},
            "unknown field 'colour'; expected one of id",
        ),
        ("FetchRegistries", {"order": "-size"}, "cannot order registries by 'size'"),
        ("RegistryCollections", {"collectionFilter": '{"alias": "x"}'}, "unknown field 'alias'"),
        ("RegistryVersions", {"artifactFilter": '{"tag": {"$bogus": 1}}'}, "unknown operator"),
        ("RegistryVersions", {"registryFilter": '{"name": 3}'}, "projectFilters['name']"),
        ("RegistryVersions", {"artifactFilter": '{"alias": {"$regex": "(a+)\\\\1"}}'}, "RE2"),
    ],
)
async def test_bad_filters_are_graphql_errors_naming_them(
    client: httpx.AsyncClient,
    regs: RegistrySeed,
    document: str,
    variables: dict[str, Any],
    message: str,
) -> None:
    body = await send(client, document, {"organization": "demo-org", **variables})
    assert message in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_filters_on_another_entitys_projects_are_refused_by_name(
    client: httpx.AsyncClient, regs: RegistrySeed
) -> None:
    query = '{ entity(name: "demo") { projects(filters: "{}") { edges { node { name } } } } }'
    body = (await client.post("/graphql", json={"query": query})).json()
    assert (
        "Entity.projects: filters are supported on an organization's entity only"
        in (body["errors"][0]["message"])
    )


async def test_create_update_rename_and_delete(
    client: httpx.AsyncClient, regs: RegistrySeed, reader: httpx.AsyncClient
) -> None:
    new = {
        "entityName": "demo-org",
        "name": "wandb-registry-fresh",
        "access": "RESTRICTED",
        "allowAllArtifactTypesInRegistry": False,
        "artifactTypes": [{"name": "model"}],
        "description": "new",
    }
    made = data_of_body(await send(client, "UpsertRegistry", {"input": new}))["upsertModel"]
    assert made["inserted"] is True and made["project"]["access"] == "RESTRICTED"
    # A member of the organization outside the registry cannot see or change it.
    refused = await send(reader, "UpsertRegistry", {"input": {**new, "description": "x"}})
    assert refused["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
    again = await send(client, "UpsertRegistry", {"input": {**new, "description": "newer"}})
    assert data_of_body(again)["upsertModel"]["inserted"] is False
    bad = await send(client, "UpsertRegistry", {"input": {**new, "access": "USER_READ"}})
    assert "PRIVATE (organization) or RESTRICTED" in bad["errors"][0]["message"]
    renamed = await send(
        client,
        "RenameRegistry",
        {
            "input": {
                "entityName": "demo-org",
                "oldProjectName": "wandb-registry-fresh",
                "newProjectName": "wandb-registry-renamed",
            }
        },
    )
    project = data_of_body(renamed)["renameProject"]["project"]
    assert project["name"] == "wandb-registry-renamed" and project["description"] == "newer"
    refused = await send(reader, "DeleteRegistry", {"id": project["id"]})
    assert refused["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    done = await send(client, "DeleteRegistry", {"id": project["id"]})
    assert data_of_body(done)["deleteModel"]["success"] is True
    assert "renamed" not in await registries(client)


async def test_only_registry_admins_change_members_and_roles(
    client: httpx.AsyncClient, server_app: ServerApp, regs: RegistrySeed, reader: httpx.AsyncClient
) -> None:
    body = await send(
        client, "FetchRegistry", {"entity": "demo-org", "name": "wandb-registry-model"}
    )
    registry_id = data_of_body(body)["entity"]["project"]["id"]
    reader_row = server_app.store.accounts.get_user(regs.reader)
    assert reader_row is not None
    reader_id = encode_id("User", reader_row.pk)
    add = {"input": {"projectId": registry_id, "userIds": [reader_id]}}
    refused = await send(reader, "CreateRegistryMembers", add)
    assert refused["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
    assert data_of_body(await send(client, "CreateRegistryMembers", add))["result"]["success"]
    role = {"input": {"projectId": registry_id, "userId": reader_id, "userProjectRole": "viewer"}}
    assert data_of_body(await send(client, "UpdateUserRegistryRole", role))["result"]["success"]
    # A viewer is still no admin.
    refused = await send(reader, "UpdateUserRegistryRole", {**role})
    assert refused["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
    members = data_of_body(
        await send(
            client, "RegistryUserMembers", {"project": "wandb-registry-model", "entity": "demo-org"}
        )
    )["project"]["members"]
    assert {(m["username"], m["role"]["name"]) for m in members} == {
        ("demo", "admin"),
        (regs.reader, "viewer"),
    }
    bad_role = {"input": {**role["input"], "userProjectRole": "owner"}}
    assert (
        "unknown registry role 'owner'"
        in (await send(client, "UpdateUserRegistryRole", bad_role))["errors"][0]["message"]
    )
    team = server_app.store.entities.get(server_app.seed.team)
    assert team is not None
    team_id = encode_id("Entity", team.pk)
    teams = {"input": {"projectId": registry_id, "teamIds": [team_id]}}
    assert data_of_body(await send(client, "CreateRegistryMembers", teams))["result"]["success"]
    team_role = {"input": {"projectId": registry_id, "teamId": team_id, "teamProjectRole": "admin"}}
    assert data_of_body(await send(client, "UpdateTeamRegistryRole", team_role))["result"][
        "success"
    ]
    listed = data_of_body(
        await send(
            client, "RegistryTeamMembers", {"project": "wandb-registry-model", "entity": "demo-org"}
        )
    )["project"]["teamMembers"]
    assert [(t["team"]["name"], t["role"]["name"]) for t in listed] == [(team.name, "admin")]
    removed = {"input": {"projectId": registry_id, "userIds": [reader_id], "teamIds": [team_id]}}
    assert data_of_body(await send(client, "DeleteRegistryMembers", removed))["result"]["success"]
    not_a_user = {"input": {"projectId": registry_id, "userIds": ["bm9wZQ=="]}}
    assert (
        "is not a user id"
        in (await send(client, "CreateRegistryMembers", not_a_user))["errors"][0]["message"]
    )


async def test_the_organization_and_its_search_mode(
    client: httpx.AsyncClient, regs: RegistrySeed
) -> None:
    org = data_of_body(await send(client, "FetchOrganization", {"org": "demo-org"}))["organization"]
    assert org["orgEntity"]["entityType"] == "organization"
    features = data_of_body(
        await send(client, "FetchAdvancedRegistryFeatures", {"organization": "demo-org"})
    )
    assert features["organization"]["advancedRegistryFeatures"] == {"advancedSearch": True}
    info = data_of_body(await send(client, "FetchOrgInfoFromEntity", {"entity": "demo"}))
    assert [o["name"] for o in info["entity"]["user"]["organizations"]] == ["demo-org"]


async def test_a_search_on_many_registries_stays_in_sql(
    server_app: ServerApp, client: httpx.AsyncClient
) -> None:
    bench = seed_registries_benchmark(
        server_app.store, server_app.seed, registries=3, collections=4, versions=10
    )
    body = await send(
        client,
        "RegistryVersions",
        {
            "organization": "demo-org",
            "artifactFilter": json.dumps({"tag": bench.tag}),
            "perPage": 1000,
        },
    )
    edges = data_of_body(body)["organization"]["orgEntity"]["artifactMemberships"]["edges"]
    assert len(edges) == bench.tagged == 3 * 4 * 1
