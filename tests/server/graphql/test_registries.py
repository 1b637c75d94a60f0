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


async def collection_names(client: httpx.AsyncClient, collection_filter: Any) -> list[str]:
    body = await send(
        client,
        "RegistryCollections",
        {"organization": "demo-org", "collectionFilter": json.dumps(collection_filter)},
    )
    edges = data_of_body(body)["organization"]["orgEntity"]["artifactCollections"]["edges"]
    return sorted(e["node"]["name"] for e in edges)


async def version_aliases(client: httpx.AsyncClient, artifact_filter: Any) -> list[set[str]]:
    body = await send(
        client,
        "RegistryVersions",
        {"organization": "demo-org", "artifactFilter": json.dumps(artifact_filter)},
    )
    edges = data_of_body(body)["organization"]["orgEntity"]["artifactMemberships"]["edges"]
    return [{a["alias"] for a in e["node"]["aliases"]} for e in edges]


async def test_contains_size_and_all_at_every_level(
    client: httpx.AsyncClient, regs: RegistrySeed
) -> None:
    """W&B's extra operators: ``$contains`` (a substring), ``$size`` (how many) and ``$all``
    (every one), on registries, collections and versions, evaluated in SQL."""
    assert await registries(client, filters=json.dumps({"name": {"$contains": "data"}})) == [
        "dataset"
    ]
    assert await registries(
        client, filters=json.dumps({"description": {"$contains": "organization"}})
    ) == ["model"]
    assert await collection_names(client, {"name": {"$contains": "holdout"}}) == ["images-holdout"]
    assert await collection_names(client, {"tag": {"$all": ["vision", "prod"]}}) == ["classifier"]
    assert await collection_names(client, {"tag": {"$size": 1}}) == ["images"]
    assert await collection_names(client, {"tag": {"$size": 0}}) == [
        "images-holdout",
        "secret-classifier",
    ]
    assert await collection_names(client, {"tag": {"$contains": "pro"}}) == ["classifier"]
    assert await version_aliases(client, {"alias": {"$all": ["golden"]}}) == [{"golden"}]
    assert await version_aliases(client, {"alias": {"$all": ["golden", "production"]}}) == []
    with_one = await version_aliases(client, {"alias": {"$size": 1}})
    assert with_one and all(len(aliases) == 1 for aliases in with_one)


@pytest.mark.parametrize(
    ("artifact_filter", "message"),
    [
        ({"created_at": {"$size": 1}}, "$size needs a list field"),
        ({"tag": {"$size": -1}}, "expected an int >= 0"),
        ({"tag": {"$all": []}}, "expected a non-empty list"),
        ({"tag": {"$contains": 3}}, "expected a string"),
    ],
)
async def test_bad_uses_of_the_extra_operators_are_named(
    client: httpx.AsyncClient, regs: RegistrySeed, artifact_filter: Any, message: str
) -> None:
    body = await send(
        client,
        "RegistryVersions",
        {"organization": "demo-org", "artifactFilter": json.dumps(artifact_filter)},
    )
    assert message in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


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
        (
            "RegistryVersions",
            {"artifactFilter": json.dumps({"alias": {"$regex": "(" * 2000}})},
            "nests its groups too deeply",
        ),
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


async def _classifier_id(client: httpx.AsyncClient) -> str:
    body = await send(
        client,
        "RegistryCollections",
        {
            "organization": "demo-org",
            "registryFilter": json.dumps({"name": "wandb-registry-model"}),
            "collectionFilter": json.dumps({"name": "classifier"}),
        },
    )
    (edge,) = data_of_body(body)["organization"]["orgEntity"]["artifactCollections"]["edges"]
    return str(edge["node"]["id"])


async def test_a_registry_viewer_may_read_but_not_write(
    client: httpx.AsyncClient, server_app: ServerApp, regs: RegistrySeed, reader: httpx.AsyncClient
) -> None:
    """Registry roles decide writes in a registry: a viewer (or restricted viewer) is refused
    every change, a member may make them; what the viewer reads stays readable."""
    store = server_app.store
    registry = store.projects.get(store.entities.get("demo-org").pk, "wandb-registry-model")  # type: ignore[union-attr]
    user = store.accounts.get_user(regs.reader)
    assert registry is not None and user is not None
    collection_id = await _classifier_id(client)
    update = {"input": {"artifactPortfolioID": collection_id, "description": "edited"}}
    for role in ("viewer", "restricted_viewer"):
        store.registries.put_member(registry.pk, "user", user.pk, role)
        refused = await send(reader, "UpdateArtifactPortfolio", update)
        assert refused["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
        assert f"their role there is '{role}'" in refused["errors"][0]["message"]
        tags = {
            "input": {
                "entityName": "demo-org",
                "projectName": "wandb-registry-model",
                "artifactCollectionName": "classifier",
                "tags": [{"tagName": "x"}],
            }
        }
        refused = await send(reader, "AddArtifactCollectionTags", tags)
        assert refused["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
        assert await collection_names(reader, {"name": "classifier"}) == ["classifier"]
    store.registries.put_member(registry.pk, "user", user.pk, "member")
    done = await send(reader, "UpdateArtifactPortfolio", update)
    assert data_of_body(done)["result"]["artifactCollection"]["description"] == "edited"


async def test_linking_a_type_the_registry_does_not_accept_is_refused(
    client: httpx.AsyncClient, server_app: ServerApp, regs: RegistrySeed
) -> None:
    store = server_app.store
    entity = store.entities.get(server_app.seed.entity)
    assert entity is not None
    project = store.projects.get(entity.pk, "artifacts")
    assert project is not None
    images = store.artifact_collections.get(project.pk, "images")
    assert images is not None
    dataset_pk = store.artifact_memberships.versions(images.pk, limit=1)[0].artifact_pk
    link = {
        "input": {
            "artifactID": encode_id("Artifact", dataset_pk),
            "artifactPortfolioName": "classifier",
            "entityName": "demo-org",
            "projectName": "wandb-registry-model",
        }
    }
    refused = await send(client, "LinkArtifact", link)
    message = refused["errors"][0]["message"]
    assert "registry 'model' accepts artifact types 'model', not 'dataset'" in message
    # By the portfolio's id too, and into a registry that takes datasets it works.
    by_id = {"input": {**link["input"], "artifactPortfolioID": await _classifier_id(client)}}
    refused = await send(client, "LinkArtifact", by_id)
    assert "accepts artifact types 'model'" in refused["errors"][0]["message"]
    fine = {"input": {**link["input"], "projectName": "wandb-registry-dataset"}}
    assert data_of_body(await send(client, "LinkArtifact", fine))["result"]
