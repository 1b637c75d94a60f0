"""The official client's artifact edit documents (wandb 0.31.0): update, aliases, delete,
link and unlink, collection edits and tags, use; write access and typed errors."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from wandbkit.server.ids import encode_id
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
    client: httpx.AsyncClient

    @property
    def where(self) -> dict[str, str]:
        return {"entity": self.artifacts.entity, "project": self.artifacts.project}

    async def send(
        self, name: str, variables: dict[str, Any], client: httpx.AsyncClient | None = None
    ) -> dict[str, Any]:
        response = await (client or self.client).post(
            "/graphql",
            json={"query": official_document(name), "variables": variables, "operationName": ""},
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(self, name: str, variables: dict[str, Any]) -> Any:
        response = await self.client.post(
            "/graphql",
            json={"query": official_document(name), "variables": variables, "operationName": ""},
        )
        return data_of(response)

    async def membership(self, name: str) -> Any:
        answer = await self.data("ArtifactMembershipByName", {**self.where, "name": name})
        return answer["project"]["artifactCollectionMembership"]

    async def collection_id(self, name: str) -> str:
        answer = await self.data("ProjectArtifactCollections", self.where)
        ids = {
            e["node"]["name"]: e["node"]["id"]
            for e in answer["project"]["artifactCollections"]["edges"]
        }
        return ids[name]


@pytest.fixture
async def world() -> AsyncIterator[World]:
    app, seed = make_seeded_app()
    store: Store = app.state.store
    artifacts = seed_basic_artifacts(store, seed)
    async with httpx.AsyncClient(
        transport=asgi_transport(app), base_url=BASE_URL, headers=basic_auth_header(seed.api_key)
    ) as client:
        yield World(app, store, seed, artifacts, client)


def code_of(body: dict[str, Any]) -> str:
    code: str = body["errors"][0]["extensions"]["code"]
    return code


def alias_input(world: World, collection: str, alias: str) -> dict[str, str]:
    return {
        "alias": alias,
        "entityName": world.artifacts.entity,
        "projectName": world.artifacts.project,
        "artifactCollectionName": collection,
    }


async def test_update_artifact_changes_description_metadata_ttl_and_tags(world: World) -> None:
    artifact = (await world.membership("images:latest"))["artifact"]
    updated = (
        await world.data(
            "UpdateArtifact",
            {
                "input": {
                    "artifactID": artifact["id"],
                    "description": "cleaned",
                    "metadata": json.dumps({"rows": 7}),
                    "ttlDurationSeconds": 3600,
                    "tagsToAdd": [{"tagName": "gold"}],
                    "tagsToDelete": [{"tagName": "clean"}],
                }
            },
        )
    )["result"]["artifact"]
    assert updated["description"] == "cleaned"
    assert json.loads(updated["metadata"]) == {"rows": 7}
    assert (updated["ttlDurationSeconds"], updated["ttlIsInherited"]) == (3600, False)
    assert [t["name"] for t in updated["tags"]] == ["gold"]
    disabled = (
        await world.data(
            "UpdateArtifact", {"input": {"artifactID": artifact["id"], "ttlDurationSeconds": -2}}
        )
    )["result"]["artifact"]
    assert (disabled["ttlDurationSeconds"], disabled["ttlIsInherited"]) == (-2, False)
    assert disabled["description"] == "cleaned"  # unchanged when not given
    bad = await world.send(
        "UpdateArtifact", {"input": {"artifactID": artifact["id"], "metadata": "[1, 2]"}}
    )
    assert code_of(bad) == "BAD_USER_INPUT" and "metadata" in bad["errors"][0]["message"]


async def test_aliases_are_added_and_deleted_and_move_between_versions(world: World) -> None:
    oldest = (await world.membership("images:v0"))["artifact"]
    add = {"input": {"artifactID": oldest["id"], "aliases": [alias_input(world, "images", "best")]}}
    assert (await world.data("AddAliases", add))["result"] == {"success": True}
    assert (await world.membership("images:best"))["versionIndex"] == 0
    assert (await world.membership("images:v1"))["aliases"] == []
    assert (await world.data("DeleteAliases", add))["result"] == {"success": True}
    assert await world.membership("images:best") is None
    version_like = {
        "input": {"artifactID": oldest["id"], "aliases": [alias_input(world, "images", "v5")]}
    }
    assert code_of(await world.send("AddAliases", version_like)) == "BAD_USER_INPUT"
    elsewhere = {
        "input": {"artifactID": oldest["id"], "aliases": [alias_input(world, "classifier", "x")]}
    }
    assert code_of(await world.send("AddAliases", elsewhere)) == "NOT_FOUND"


async def test_a_version_with_aliases_is_deleted_only_with_delete_aliases(world: World) -> None:
    latest = await world.membership("images:latest")
    refused = await world.send(
        "DeleteArtifact", {"input": {"artifactID": latest["artifact"]["id"]}}
    )
    assert code_of(refused) == "FAILED_PRECONDITION"
    assert "latest" in refused["errors"][0]["message"]
    done = await world.data(
        "DeleteArtifact", {"input": {"artifactID": latest["artifact"]["id"], "deleteAliases": True}}
    )
    assert done["result"]["artifact"]["id"] == latest["artifact"]["id"]
    assert (await world.membership("images:latest"))["versionIndex"] == latest["versionIndex"] - 1
    gone = await world.data("ArtifactByID", {"id": latest["artifact"]["id"]})
    assert gone == {"artifact": None}


async def test_link_and_unlink_a_version_in_a_portfolio(world: World) -> None:
    artifact = (await world.membership("images:v1"))["artifact"]
    linked = (
        await world.data(
            "LinkArtifact",
            {
                "input": {
                    "artifactID": artifact["id"],
                    "artifactPortfolioName": "golden",
                    "entityName": world.artifacts.entity,
                    "projectName": world.artifacts.project,
                    "aliases": [{"alias": "prod", "artifactCollectionName": "golden"}],
                }
            },
        )
    )["result"]
    membership = linked["artifactMembership"]
    assert linked["versionIndex"] == 0 == membership["versionIndex"]
    assert membership["createdAt"]
    assert membership["artifactCollection"]["__typename"] == "ArtifactPortfolio"
    assert {a["alias"] for a in membership["aliases"]} == {"latest", "prod"}
    assert membership["artifact"]["id"] == artifact["id"]
    assert (await world.membership("golden:prod"))["artifact"]["id"] == artifact["id"]
    portfolio_id = await world.collection_id("golden")
    unlink = {"input": {"artifactID": artifact["id"], "artifactPortfolioID": portfolio_id}}
    assert (await world.data("UnlinkArtifact", unlink))["result"] == {"success": True}
    assert await world.membership("golden:prod") is None
    assert code_of(await world.send("UnlinkArtifact", unlink)) == "NOT_FOUND"
    into_a_sequence = {
        "input": {"artifactID": artifact["id"], "artifactPortfolioName": "classifier"}
    }
    assert code_of(await world.send("LinkArtifact", into_a_sequence)) == "BAD_USER_INPUT"


async def test_collections_are_renamed_retyped_tagged_and_deleted(world: World) -> None:
    sequence_id = await world.collection_id("images")
    renamed = (
        await world.data(
            "UpdateArtifactSequence",
            {"input": {"artifactSequenceID": sequence_id, "name": "photos", "description": "d"}},
        )
    )["result"]["artifactCollection"]
    assert (renamed["__typename"], renamed["name"], renamed["description"]) == (
        "ArtifactSequence",
        "photos",
        "d",
    )
    moved = (
        await world.data(
            "UpdateArtifactSequenceType",
            {"input": {"artifactSequenceID": sequence_id, "destinationArtifactTypeName": "model"}},
        )
    )["result"]["artifactCollection"]
    assert moved["type"]["name"] == "model"
    assert (await world.membership("photos:latest"))["artifact"]["artifactType"]["name"] == "model"

    tags = {
        "input": {
            "entityName": world.artifacts.entity,
            "projectName": world.artifacts.project,
            "artifactCollectionName": "photos",
            "tags": [{"tagName": "reviewed"}, {"tagName": "vision"}],
        }
    }
    added = (await world.data("AddArtifactCollectionTags", tags))["result"]["tags"]
    assert [t["name"] for t in added] == ["reviewed", "vision"]
    assert (await world.data("DeleteArtifactCollectionTags", tags))["result"] == {"success": True}

    portfolio_id = await world.collection_id("classifier-releases")
    portfolio = (
        await world.data(
            "UpdateArtifactPortfolio",
            {"input": {"artifactPortfolioID": portfolio_id, "description": "releases"}},
        )
    )["result"]["artifactCollection"]
    assert portfolio["__typename"] == "ArtifactPortfolio"
    wrong_kind = {"input": {"artifactSequenceID": portfolio_id, "name": "x"}}
    assert code_of(await world.send("UpdateArtifactSequence", wrong_kind)) == "BAD_USER_INPUT"

    deleted = await world.data("DeleteArtifactPortfolio", {"id": portfolio_id})
    assert deleted["result"]["artifactCollection"] == {
        "__typename": "ArtifactPortfolio",
        "state": "DELETED",
    }
    assert (await world.membership("classifier:production")) is not None  # versions stay
    gone = await world.data("DeleteArtifactSequence", {"id": sequence_id})
    assert gone["result"]["artifactCollection"]["state"] == "DELETED"
    assert await world.membership("photos:latest") is None


@pytest.mark.parametrize(
    "variant", ["UseArtifact", "UseArtifact_2", "UseArtifact_3", "UseArtifact_4"]
)
async def test_every_use_artifact_variant_records_the_run_as_a_user(
    world: World, variant: str
) -> None:
    world.store.runs.create(
        world.store.projects.find(world.artifacts.entity, world.artifacts.project).pk,  # type: ignore[union-attr]
        "reader",
    )
    artifact = (await world.membership("classifier:production"))["artifact"]
    variables = {
        "entityName": world.artifacts.entity,
        "projectName": world.artifacts.project,
        "runName": "reader",
        "artifactID": artifact["id"],
        "usedAs": "weights",
        "artifactEntityName": world.artifacts.entity,
        "artifactProjectName": world.artifacts.project,
    }
    used = (await world.data(variant, variables))["useArtifact"]["artifact"]
    assert used["id"] == artifact["id"] and used["state"] == "COMMITTED"
    users = (await world.data("ArtifactUsedBy", {"id": artifact["id"]}))["artifact"]["usedBy"]
    assert "reader" in {e["node"]["name"] for e in users["edges"]}


async def test_a_reader_cannot_edit_and_an_outsider_cannot_see(world: World) -> None:
    store = world.store
    project = store.projects.find(world.artifacts.entity, world.artifacts.project)
    assert project is not None
    reader = store.accounts.create_user("reader")
    key, _ = store.accounts.create_api_key(reader.pk)
    artifact = (await world.membership("images:latest"))["artifact"]
    update = {"input": {"artifactID": artifact["id"], "description": "vandalised"}}
    async with httpx.AsyncClient(
        transport=asgi_transport(world.app), base_url=BASE_URL, headers=basic_auth_header(key)
    ) as other:
        assert code_of(await world.send("UpdateArtifact", update, other)) == "NOT_FOUND"
        store.projects.update(project.pk, access="USER_READ")
        assert code_of(await world.send("UpdateArtifact", update, other)) == "PERMISSION_DENIED"
        delete = {"input": {"artifactID": artifact["id"], "deleteAliases": True}}
        assert code_of(await world.send("DeleteArtifact", delete, other)) == "PERMISSION_DENIED"
    assert (await world.membership("images:latest"))["artifact"]["description"] != "vandalised"


@pytest.mark.parametrize("delete_artifacts", [True, False])
async def test_deleting_a_run_deletes_its_artifacts_only_when_asked(
    world: World, delete_artifacts: bool
) -> None:
    project = world.store.projects.find(world.artifacts.entity, world.artifacts.project)
    assert project is not None
    producer = world.store.runs.get(project.pk, world.artifacts.producer)
    assert producer is not None
    artifact = (await world.membership("images:latest"))["artifact"]
    variables = {"id": encode_id("Run", producer.pk), "deleteArtifacts": delete_artifacts}
    assert "errors" not in await world.send("DeleteRun_2", variables)
    left = await world.data("ArtifactByID", {"id": artifact["id"]})
    if delete_artifacts:
        assert left == {"artifact": None}
        assert await world.membership("classifier:production") is None
    else:
        assert left["artifact"]["id"] == artifact["id"]
        created = await world.data("ArtifactCreatedBy", {"id": artifact["id"]})
        assert created == {"artifact": {"createdBy": None}}
