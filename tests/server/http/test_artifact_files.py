"""Publishing an artifact as the official SDK does (its documents, in its order, with its
variables) and the artifact file routes: uploads verified and stored once by digest, content
already stored not uploaded again, an interrupted publish leaving no committed version, unsafe
manifest paths refused."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from wandbkit._lang.artifact_digest import artifact_digest
from wandbkit.server.seed import ArtifactSeed, seed_basic_artifacts
from wandbkit.server.store import Store
from wandbkit.server.testing import asgi_transport, basic_auth_header, make_seeded_app

from ..conftest import BASE_URL, data_of, official_document, sdk_document


def b64md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


@dataclass
class Publisher:
    """Sends the SDK's publishing documents against one app."""

    app: Starlette
    store: Store
    artifacts: ArtifactSeed
    client: httpx.AsyncClient
    anonymous: httpx.AsyncClient

    async def send(self, name: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post(
            "/graphql", json={"query": sdk_document(name), "variables": variables}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def create(self, files: dict[str, bytes], aliases: tuple[str, ...] = ()) -> Any:
        digest = artifact_digest((path, b64md5(data)) for path, data in files.items())
        variables = {
            "input": {
                "aliases": [
                    {"alias": a, "artifactCollectionName": "ds"} for a in ("latest", *aliases)
                ],
                "artifactCollectionName": "ds",
                "artifactCollectionNames": None,
                "artifactTypeName": "dataset",
                "clientID": "c" * 128,
                "clientMutationId": None,
                "description": "wire capture",
                "digest": digest,
                "digestAlgorithm": "MANIFEST_MD5",
                "distributedID": None,
                "enableDigestDeduplication": True,
                "entityName": self.artifacts.entity,
                "historyStep": None,
                "labels": None,
                "metadata": json.dumps({"rows": len(files)}),
                "projectName": self.artifacts.project,
                "runName": self.artifacts.producer,
                "sequenceClientID": "s" * 128,
                "storageRegion": None,
                "ttlDurationSeconds": None,
            }
        }
        return data_of_body(await self.send("CreateArtifact", variables))["createArtifact"][
            "artifact"
        ]

    async def manifest(self, artifact_id: str, digest: str, include_upload: bool) -> Any:
        variables = {
            "artifactID": artifact_id,
            "baseArtifactID": None,
            "name": "wandb_manifest.json",
            "digest": digest,
            "entityName": self.artifacts.entity,
            "projectName": self.artifacts.project,
            "runName": self.artifacts.producer,
            "manifestType": "FULL",
            "includeUpload": include_upload,
        }
        answer = data_of_body(await self.send("CreateArtifactManifest", variables))
        return answer["createArtifactManifest"]["artifactManifest"]

    async def files(self, artifact_id: str, manifest_id: str, files: dict[str, bytes]) -> Any:
        specs = [
            {
                "artifactID": artifact_id,
                "artifactManifestID": manifest_id,
                "digest": b64md5(data),
                "md5": b64md5(data),
                "mimetype": None,
                "name": path,
                "uploadPartsInput": None,
            }
            for path, data in files.items()
        ]
        variables = {
            "input": {
                "artifactFiles": specs,
                "clientMutationId": None,
                "cloudRegionID": None,
                "digestAlgorithm": "MANIFEST_MD5",
                "storageLayout": "V2",
            }
        }
        answer = data_of_body(await self.send("CreateArtifactFiles", variables))
        return [edge["node"] for edge in answer["createArtifactFiles"]["files"]["edges"]]

    async def publish(
        self, files: dict[str, bytes], aliases: tuple[str, ...] = ()
    ) -> tuple[Any, int]:
        """The whole SDK sequence; the created artifact and how many files were PUT."""
        created = await self.create(files, aliases)
        if created["state"] == "COMMITTED":
            return created, 0
        manifest = await self.manifest(created["id"], "", include_upload=False)
        nodes = await self.files(created["id"], manifest["id"], files)
        puts = 0
        contents = {}
        for (path, data), node in zip(files.items(), nodes, strict=True):
            assert node["uploadHeaders"] == [] and node["uploadMultipartUrls"] is None
            if node["uploadUrl"] is not None:
                put = await self.anonymous.put(node["uploadUrl"], content=data)
                assert put.status_code == 200, put.text
                puts += 1
            contents[path] = {
                "digest": b64md5(data),
                "size": len(data),
                "local_path": f"/tmp/staging/{path}",
                "birthArtifactID": node["artifact"]["id"],
                "skip_cache": False,
            }
        body = json.dumps(
            {
                "version": 1,
                "storagePolicy": "wandb-storage-policy-v1",
                "storagePolicyConfig": {"storageLayout": "V2"},
                "contents": contents,
            }
        ).encode()
        manifest = await self.manifest(created["id"], b64md5(body), include_upload=True)
        put = await self.anonymous.put(manifest["file"]["uploadUrl"], content=body)
        assert put.status_code == 200, put.text
        commit = data_of_body(await self.send("CommitArtifact", {"artifactID": created["id"]}))
        assert commit["commitArtifact"]["artifact"]["id"] == created["id"]
        return created, puts

    async def by_id(self, artifact_id: str) -> Any:
        response = await self.client.post(
            "/graphql",
            json={"query": official_document("ArtifactByID"), "variables": {"id": artifact_id}},
        )
        return data_of(response)["artifact"]


def data_of_body(body: dict[str, Any]) -> Any:
    assert "errors" not in body, body["errors"]
    return body["data"]


@pytest.fixture
async def publisher() -> AsyncIterator[Publisher]:
    app, seed = make_seeded_app()
    store: Store = app.state.store
    artifacts = seed_basic_artifacts(store, seed)
    transport = asgi_transport(app)
    async with (
        httpx.AsyncClient(
            transport=transport, base_url=BASE_URL, headers=basic_auth_header(seed.api_key)
        ) as client,
        httpx.AsyncClient(transport=transport, base_url=BASE_URL) as anonymous,
    ):
        yield Publisher(app, store, artifacts, client, anonymous)


FILES = {"a.txt": b"alpha\n" * 3, "data/b.txt": b"bravo\n" * 3, "data/sub/c.txt": b"charlie\n"}


async def test_the_sdk_sequence_publishes_a_version_that_reads_back_and_downloads(
    publisher: Publisher,
) -> None:
    created, puts = await publisher.publish(FILES, aliases=("best",))
    assert created["state"] == "PENDING" and created["artifactSequence"]["latestArtifact"] is None
    assert puts == 3
    artifact = await publisher.by_id(created["id"])
    assert (artifact["state"], artifact["versionIndex"], artifact["fileCount"]) == (
        "COMMITTED",
        0,
        3,
    )
    assert artifact["digest"] == artifact_digest((p, b64md5(d)) for p, d in FILES.items())
    assert {a["alias"] for a in artifact["aliases"]} == {"latest", "best"}
    assert artifact["size"] == sum(len(d) for d in FILES.values())
    manifest_url = (
        data_of(
            await publisher.client.post(
                "/graphql",
                json={
                    "query": official_document("FetchArtifactManifest"),
                    "variables": {"id": created["id"]},
                },
            )
        )
    )["artifact"]["currentManifest"]["file"]["directUrl"]
    contents = (await publisher.anonymous.get(manifest_url)).json()["contents"]
    assert set(contents) == set(FILES)
    assert "local_path" not in contents["a.txt"]  # client-local fields are not kept


async def test_the_same_content_again_is_the_committed_version_and_uploads_nothing(
    publisher: Publisher,
) -> None:
    first, _ = await publisher.publish(FILES)
    again, puts = await publisher.publish(FILES)
    assert (again["id"], again["state"], puts) == (first["id"], "COMMITTED", 0)


async def test_only_changed_content_is_uploaded_and_latest_moves(publisher: Publisher) -> None:
    first, _ = await publisher.publish(FILES)
    changed = {**FILES, "data/b.txt": b"bravo, revised\n"}
    second, puts = await publisher.publish(changed)
    assert second["artifactSequence"]["latestArtifact"]["id"] == first["id"]
    assert puts == 1
    assert (await publisher.by_id(second["id"]))["versionIndex"] == 1
    older = await publisher.by_id(first["id"])
    assert {a["alias"] for a in older["aliases"]} == set()


async def test_an_interrupted_publish_leaves_no_committed_version_and_can_be_retried(
    publisher: Publisher,
) -> None:
    files = {"x.bin": b"never uploaded"}
    created = await publisher.create(files)
    manifest = await publisher.manifest(created["id"], "", include_upload=False)
    (node,) = await publisher.files(created["id"], manifest["id"], files)
    assert node["uploadUrl"]
    refused = await publisher.send("CommitArtifact", {"artifactID": created["id"]})
    assert refused["errors"][0]["extensions"]["code"] == "FAILED_PRECONDITION"  # no manifest
    assert (await publisher.by_id(created["id"]))["state"] == "PENDING"
    store = publisher.store
    project = store.projects.find(publisher.artifacts.entity, publisher.artifacts.project)
    assert project is not None
    sequence = store.artifact_collections.get(project.pk, "ds")
    assert sequence is not None
    assert store.artifact_memberships.versions(sequence.pk, limit=5) == []
    retried, puts = await publisher.publish(files)
    assert retried["id"] != created["id"] and puts == 1
    assert (await publisher.by_id(retried["id"]))["versionIndex"] == 0


async def test_an_upload_must_have_the_md5_it_was_issued_for(publisher: Publisher) -> None:
    files = {"x.bin": b"the real bytes"}
    created = await publisher.create(files)
    manifest = await publisher.manifest(created["id"], "", include_upload=False)
    (node,) = await publisher.files(created["id"], manifest["id"], files)
    url = node["uploadUrl"]
    wrong = await publisher.anonymous.put(url, content=b"other bytes")
    assert wrong.status_code == 400 and "md5" in wrong.text
    header = await publisher.anonymous.put(
        url, content=files["x.bin"], headers={"Content-MD5": b64md5(b"nope")}
    )
    assert header.status_code == 400 and "Content-MD5" in header.text
    good = await publisher.anonymous.put(
        url, content=files["x.bin"], headers={"Content-MD5": b64md5(files["x.bin"])}
    )
    assert good.status_code == 200
    again = await publisher.anonymous.put(url, content=files["x.bin"])
    assert again.status_code == 200  # idempotent; the bytes are stored once
    forged = await publisher.anonymous.put(url.rsplit(".", 1)[0] + "." + "A" * 43, content=b"x")
    assert forged.status_code == 403


@pytest.mark.parametrize("path", ["../escape.txt", "/etc/passwd", "a\\b.txt", "nul\x00.txt"])
async def test_a_manifest_with_an_unsafe_path_is_refused(publisher: Publisher, path: str) -> None:
    created = await publisher.create({"ok.txt": b"ok"})
    body = json.dumps(
        {"version": 1, "contents": {path: {"digest": b64md5(b"ok"), "size": 2}}}
    ).encode()
    manifest = await publisher.manifest(created["id"], b64md5(body), include_upload=True)
    put = await publisher.anonymous.put(manifest["file"]["uploadUrl"], content=body)
    assert put.status_code == 400 and "manifest path" in put.text
    specs = await publisher.send(
        "CreateArtifactFiles",
        {
            "input": {
                "artifactFiles": [
                    {"artifactID": created["id"], "name": path, "md5": b64md5(b"ok")}
                ],
                "storageLayout": "V2",
            }
        },
    )
    assert specs["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_publishing_needs_write_access(publisher: Publisher) -> None:
    store = publisher.store
    outsider = store.accounts.create_user("outsider")
    key, _ = store.accounts.create_api_key(outsider.pk)
    created = await publisher.create({"ok.txt": b"ok"})
    async with httpx.AsyncClient(
        transport=asgi_transport(publisher.app), base_url=BASE_URL, headers=basic_auth_header(key)
    ) as other:
        commit = await other.post(
            "/graphql",
            json={
                "query": sdk_document("CommitArtifact"),
                "variables": {"artifactID": created["id"]},
            },
        )
    assert commit.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_signed_download_urls_expire_and_die_with_their_version(
    publisher: Publisher,
) -> None:
    created, _ = await publisher.publish(FILES)
    query = """query($id: ID!) { artifact(id: $id) { currentManifest { file { directUrl } } } }"""
    answer = data_of(
        await publisher.client.post(
            "/graphql", json={"query": query, "variables": {"id": created["id"]}}
        )
    )
    manifest_url = answer["artifact"]["currentManifest"]["file"]["directUrl"]
    assert (await publisher.anonymous.get(manifest_url)).status_code == 200
    now = publisher.store.now()
    publisher.store.clock = lambda: now + timedelta(hours=2)
    expired = await publisher.anonymous.get(manifest_url)
    assert expired.status_code == 403 and "expired" in expired.text
    publisher.store.clock = lambda: now
    deleted = await publisher.client.post(
        "/graphql",
        json={
            "query": official_document("DeleteArtifact"),
            "variables": {"input": {"artifactID": created["id"], "deleteAliases": True}},
        },
    )
    assert "errors" not in deleted.json()
    assert (await publisher.anonymous.get(manifest_url)).status_code == 404
