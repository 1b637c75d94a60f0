"""The official client's artifact read documents (wandb 0.31.0), answered from the artifact
seed: fetch by alias and version, manifest and file URLs, types, collections, versions,
aliases, lineage and links, with the response shapes the official models insist on.

The documents come from ``../shared/reference/official-ops/``; the tests skip without it.
One seeded app serves the whole module.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from wandbkit.server.seed import ArtifactSeed, SeedResult, seed_basic_artifacts
from wandbkit.server.store import Store
from wandbkit.server.testing import asgi_transport, basic_auth_header, make_seeded_app

from ..conftest import BASE_URL, data_of, official_document


@dataclass
class World:
    app: Starlette
    store: Store
    seed: SeedResult
    artifacts: ArtifactSeed


@pytest.fixture(scope="module")
def world() -> World:
    app, seed = make_seeded_app()
    store: Store = app.state.store
    return World(app, store, seed, seed_basic_artifacts(store, seed))


@pytest.fixture
async def client(world: World) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=asgi_transport(world.app),
        base_url=BASE_URL,
        headers=basic_auth_header(world.seed.api_key),
    ) as client:
        yield client


async def official(client: httpx.AsyncClient, name: str, variables: dict[str, Any]) -> Any:
    """Send an official document as the official client does (``operationName: ""``)."""
    response = await client.post(
        "/graphql",
        json={"query": official_document(name), "variables": variables, "operationName": ""},
    )
    return data_of(response)


def where(world: World) -> dict[str, str]:
    return {"entity": world.artifacts.entity, "project": world.artifacts.project}


def assert_artifact_fragment(artifact: dict[str, Any]) -> None:
    # What the official pydantic models require (official-client-wire REQUIRED_FIELDS.md).
    assert artifact["__typename"] == "Artifact"
    assert artifact["artifactSequence"]["__typename"] == "ArtifactSequence"
    project = artifact["artifactSequence"]["project"]
    assert project["id"] and isinstance(project["internalId"], str) and project["entity"]["name"]
    assert artifact["artifactType"]["name"] in ("dataset", "model")
    assert isinstance(artifact["ttlDurationSeconds"], int)
    assert isinstance(artifact["ttlIsInherited"], bool)
    assert isinstance(artifact["tags"], list)
    assert artifact["state"] in ("COMMITTED", "PENDING", "DELETED")
    for key in ("size", "digest", "fileCount", "createdAt"):
        assert artifact[key] is not None
    assert artifact["digestAlgorithm"] in ("MANIFEST_MD5", "MANIFEST_XXH128")
    assert artifact["metadata"] is None or isinstance(json.loads(artifact["metadata"]), dict)


async def membership(client: httpx.AsyncClient, world: World, name: str) -> dict[str, Any]:
    answer = await official(client, "ArtifactMembershipByName", {**where(world), "name": name})
    found: dict[str, Any] = answer["project"]["artifactCollectionMembership"]
    return found


async def test_a_version_is_fetched_by_alias_and_by_version_with_the_official_shapes(
    client: httpx.AsyncClient, world: World
) -> None:
    latest = await membership(client, world, "images:latest")
    assert latest["__typename"] == "ArtifactCollectionMembership"
    assert latest["versionIndex"] == world.artifacts.dataset_versions - 1
    assert [a["alias"] for a in latest["aliases"]] == ["latest"]
    assert latest["artifactCollection"]["__typename"] == "ArtifactSequence"
    assert_artifact_fragment(latest["artifact"])
    by_version = await membership(client, world, f"images:v{latest['versionIndex']}")
    assert by_version["artifact"]["id"] == latest["artifact"]["id"]
    best = await membership(client, world, "images:best")
    assert best["versionIndex"] == latest["versionIndex"] - 1
    assert json.loads(best["artifact"]["metadata"])["revision"] == best["versionIndex"]
    assert await membership(client, world, "images:v99") is None
    assert await membership(client, world, "nothing:latest") is None

    again = await official(client, "ArtifactByID", {"id": latest["artifact"]["id"]})
    assert_artifact_fragment(again["artifact"])
    aliases = {(a["artifactCollection"]["name"], a["alias"]) for a in again["artifact"]["aliases"]}
    assert aliases == {("images", "latest")}
    assert (await official(client, "ArtifactByID", {"id": "QXJ0aWZhY3Q6OTk5"}))["artifact"] is None
    typed = await official(
        client, "ArtifactType", {**where(world), "name": "classifier:production"}
    )
    assert typed["project"]["artifact"]["artifactType"]["name"] == "model"


async def test_the_manifest_and_every_file_download_without_a_key_and_verify(
    client: httpx.AsyncClient, world: World
) -> None:
    latest = await membership(client, world, "images:latest")
    artifact_id = latest["artifact"]["id"]
    manifest_url = (await official(client, "FetchArtifactManifest", {"id": artifact_id}))[
        "artifact"
    ]["currentManifest"]["file"]["directUrl"]
    async with httpx.AsyncClient(transport=asgi_transport(world.app)) as anonymous:
        manifest = (await anonymous.get(manifest_url)).json()
        assert manifest["version"] == 1
        assert manifest["storagePolicy"] == "wandb-storage-policy-v1"
        contents = manifest["contents"]
        assert len(contents) == latest["artifact"]["fileCount"]
        assert all(entry["birthArtifactID"] for entry in contents.values())
        urls: dict[str, str] = {}
        cursor = None
        while True:
            page = (
                await official(
                    client,
                    "GetArtifactMembershipFileUrls",
                    {
                        **where(world),
                        "collection": "images",
                        "alias": f"v{latest['versionIndex']}",
                        "cursor": cursor,
                        "perPage": 10,
                    },
                )
            )["project"]["artifactCollection"]["artifactMembership"]["files"]
            urls.update((e["node"]["name"], e["node"]["directUrl"]) for e in page["edges"])
            if not page["pageInfo"]["hasNextPage"]:
                break
            cursor = page["pageInfo"]["endCursor"]
        assert set(urls) == set(contents)
        for path, url in urls.items():
            body = (await anonymous.get(url)).content
            digest = base64.b64encode(hashlib.md5(body).digest()).decode()
            assert (digest, len(body)) == (contents[path]["digest"], contents[path]["size"])
        forged = manifest_url.rsplit(".", 1)[0] + "." + "A" * 43
        assert (await anonymous.get(forged)).status_code == 403


async def test_membership_files_list_with_a_total_and_names(
    client: httpx.AsyncClient, world: World
) -> None:
    files = (
        await official(
            client,
            "ArtifactMembershipFiles",
            {
                **where(world),
                "collection": "classifier",
                "alias": "production",
                "fileNames": ["config.json"],
            },
        )
    )["project"]["artifactCollection"]["artifactMembership"]["files"]
    assert files["totalCount"] == 1
    (edge,) = files["edges"]
    node = edge["node"]
    assert (node["__typename"], node["name"], node["mimetype"]) == (
        "File",
        "config.json",
        "application/json",
    )
    assert node["md5"] == node["digest"] and node["sizeBytes"] > 0
    assert (await client.get(node["url"])).status_code == 200  # the keyed fallback route


async def test_types_collections_and_versions_list_as_the_official_client_reads_them(
    client: httpx.AsyncClient, world: World
) -> None:
    types = (await official(client, "ProjectArtifactTypes", where(world)))["project"]
    assert [e["node"]["name"] for e in types["artifactTypes"]["edges"]] == ["dataset", "model"]
    one = await official(client, "ProjectArtifactType", {**where(world), "type": "model"})
    assert one["project"]["artifactType"]["__typename"] == "ArtifactType"

    listing = (await official(client, "ProjectArtifactCollections", where(world)))["project"][
        "artifactCollections"
    ]
    kinds = {e["node"]["name"]: e["node"]["__typename"] for e in listing["edges"]}
    assert kinds == {
        "images": "ArtifactSequence",
        "classifier": "ArtifactSequence",
        "classifier-releases": "ArtifactPortfolio",
    }
    assert listing["totalCount"] == 3
    images = next(e["node"] for e in listing["edges"] if e["node"]["name"] == "images")
    assert images["type"]["name"] == "dataset"
    assert [t["node"]["name"] for t in images["tags"]["edges"]] == ["vision"]
    ordered = await official(
        client,
        "ProjectArtifactCollections",
        {**where(world), "order": "-name", "filters": json.dumps({"name": {"$regex": "^cl"}})},
    )
    names = [e["node"]["name"] for e in ordered["project"]["artifactCollections"]["edges"]]
    assert names == ["classifier-releases", "classifier"]

    of_type = await official(
        client, "ArtifactTypeArtifactCollections", {**where(world), "type": "dataset", "perPage": 1}
    )
    collections = of_type["project"]["artifactType"]["artifactCollections"]
    assert collections["totalCount"] == 1 and not collections["pageInfo"]["hasNextPage"]

    single = await official(
        client, "ProjectArtifactCollection", {**where(world), "type": "dataset", "name": "images"}
    )
    assert single["project"]["artifactType"]["artifactCollection"]["id"] == images["id"]
    wrong_type = await official(
        client, "ProjectArtifactCollection", {**where(world), "type": "model", "name": "images"}
    )
    assert wrong_type["project"]["artifactType"]["artifactCollection"] is None

    aliases = (await official(client, "ArtifactCollectionAliases", {"id": images["id"]}))[
        "artifactCollection"
    ]["aliases"]
    assert {e["node"]["alias"] for e in aliases["edges"]} == {"latest", "best"}

    versions: list[str] = []
    cursor = None
    while True:
        answer = await official(
            client,
            "ProjectArtifacts",
            {
                **where(world),
                "type": "dataset",
                "collection": "images",
                "perPage": 2,
                "cursor": cursor,
                "filters": json.dumps({"state": "COMMITTED"}),
            },
        )
        artifacts = answer["project"]["artifactType"]["artifactCollection"]["artifacts"]
        assert artifacts["totalCount"] == world.artifacts.dataset_versions
        for edge in artifacts["edges"]:
            assert_artifact_fragment(edge["node"])
            versions.append(edge["version"])
        if not artifacts["pageInfo"]["hasNextPage"]:
            break
        cursor = artifacts["pageInfo"]["endCursor"]
    assert versions == [f"v{i}" for i in reversed(range(world.artifacts.dataset_versions))]

    of_type_versions = await official(
        client,
        "ArtifactOfType",
        {
            "entityName": world.artifacts.entity,
            "projectName": world.artifacts.project,
            "artifactTypeName": "model",
        },
    )
    edges = of_type_versions["project"]["artifactType"]["artifactCollections"]["edges"]
    assert {len(e["node"]["artifacts"]["edges"]) for e in edges} == {2, 1}


async def test_lineage_and_links_follow_the_runs_and_portfolios(
    client: httpx.AsyncClient, world: World
) -> None:
    production = await membership(client, world, "classifier:production")
    artifact_id = production["artifact"]["id"]
    created = (await official(client, "ArtifactCreatedBy", {"id": artifact_id}))["artifact"]
    assert created["createdBy"]["__typename"] == "Run"
    assert created["createdBy"]["name"] == world.artifacts.producer
    used = (await official(client, "ArtifactUsedBy", {"id": artifact_id}))["artifact"]
    assert [e["node"]["name"] for e in used["usedBy"]["edges"]] == [world.artifacts.consumer]

    run_vars = {**where(world), "run": world.artifacts.producer}
    outputs = (await official(client, "RunOutputArtifacts", run_vars))["project"]["run"]
    total = world.artifacts.dataset_versions + world.artifacts.model_versions
    assert outputs["artifacts"]["totalCount"] == total
    inputs = (
        await official(client, "RunInputArtifacts", {**run_vars, "run": world.artifacts.consumer})
    )["project"]["run"]["artifacts"]
    assert {e["node"]["artifactSequence"]["name"] for e in inputs["edges"]} == {
        "images",
        "classifier",
    }

    links = (await official(client, "FetchLinkedArtifacts", {"artifactID": artifact_id}))[
        "artifact"
    ]["artifactMemberships"]["edges"]
    found = {e["node"]["artifactCollection"]["name"]: e["node"] for e in links}
    assert found["classifier-releases"]["artifactCollection"]["__typename"] == "ArtifactPortfolio"
    assert {a["alias"] for a in found["classifier-releases"]["aliases"]} == {"latest", "staging"}
    assert found["classifier"]["versionIndex"] == world.artifacts.model_versions - 1

    read_only = await official(client, "IsProjectReadOnly", where(world))
    assert read_only == {"project": {"readOnly": False}}


@pytest.mark.parametrize(
    ("filters", "order", "cursor"),
    [
        ("[1, 2]", None, None),
        (json.dumps({"name": 5}), None, None),
        (json.dumps({"$or": "name"}), None, None),
        (json.dumps({"size": {"$gt": 1}}), None, None),
        (json.dumps({"name": {"$regex": "(" * 2000}}), None, None),
        (None, "-name; DROP TABLE artifacts", None),
        (None, "+versionIndex", None),
        (None, None, "bm90IGEgY3Vyc29y"),
        (None, None, "Y3Vyc29yOlsieCJd"),
    ],
)
async def test_bad_listing_arguments_are_client_errors_never_server_errors(
    client: httpx.AsyncClient,
    world: World,
    filters: str | None,
    order: str | None,
    cursor: str | None,
) -> None:
    for name, extra in (
        ("ProjectArtifactCollections", {}),
        ("ProjectArtifacts", {"type": "dataset", "collection": "images"}),
    ):
        response = await client.post(
            "/graphql",
            json={
                "query": official_document(name),
                "variables": {
                    **where(world),
                    **extra,
                    "filters": filters,
                    "order": order,
                    "cursor": cursor,
                },
                "operationName": "",
            },
        )
        assert response.status_code == 200, response.text
        errors = response.json().get("errors", [])
        assert all(e["extensions"]["code"] in ("BAD_USER_INPUT", "INVALID_CURSOR") for e in errors)
        # "+versionIndex" is a valid order of versions (oldest first), not of collections.
        valid = name == "ProjectArtifacts" and order == "+versionIndex"
        assert bool(errors) is not valid, errors
