"""Multipart uploads as wandb-core sends them for files of 2 GiB and more
(``core/pkg/artifacts/multipart.go`` and ``saver.go``): ``createArtifactFiles`` with
``uploadPartsInput`` answers ``uploadUrl: null`` and one URL per part, each part is ``PUT``
with its ``Content-MD5`` and answers an ``ETag``, ``completeMultipartUploadArtifact`` joins
the parts (checked against each ETag and the file's md5), then the version commits as usual.
The parts here are small: the server does not care how large a part is."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from typing import Any

import pytest

from wandbkit._lang.artifact_digest import artifact_digest

from .test_artifact_files import Publisher, b64md5, data_of_body
from .test_artifact_files import publisher as publisher

#: wandb-core's document (core/api/graphql/mutation_complete_multipart_upload_artifact.graphql);
#: never captured on the wire (the SDK only sends it for files of 2 GiB and more).
COMPLETE = """
mutation CompleteMultipartUploadArtifact(
  $completeMultipartAction: CompleteMultipartAction!
  $completedParts: [UploadPartsInput!]!
  $artifactID: ID!
  $storagePath: String!
  $uploadID: String!
) {
  completeMultipartUploadArtifact(
    input: {
      completeMultipartAction: $completeMultipartAction
      completedParts: $completedParts
      artifactID: $artifactID
      storagePath: $storagePath
      uploadID: $uploadID
    }
  ) {
    digest
  }
}
"""

PART = 64 * 1024
DATA = os.urandom(PART * 3 + 123)
PARTS = [DATA[i : i + PART] for i in range(0, len(DATA), PART)]


def hexmd5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


async def start(publisher: Publisher, parts: list[bytes] = PARTS) -> tuple[Any, Any, Any]:
    """CreateArtifact, CreateArtifactManifest and CreateArtifactFiles with part md5s."""
    files = {"big.bin": DATA}
    created = await publisher.create(files)
    manifest = await publisher.manifest(created["id"], "", include_upload=False)
    spec = {
        "artifactID": created["id"],
        "artifactManifestID": manifest["id"],
        "digest": b64md5(DATA),
        "md5": b64md5(DATA),
        "mimetype": None,
        "name": "big.bin",
        "uploadPartsInput": [
            {"partNumber": n, "hexMD5": hexmd5(part)} for n, part in enumerate(parts, start=1)
        ],
    }
    variables = {"input": {"artifactFiles": [spec], "storageLayout": "V2"}}
    answer = data_of_body(await publisher.send("CreateArtifactFiles", variables))
    node = answer["createArtifactFiles"]["files"]["edges"][0]["node"]
    return created, manifest, node


async def put_parts(publisher: Publisher, node: Any, parts: list[bytes] = PARTS) -> list[str]:
    etags = []
    for url_part, part in zip(node["uploadMultipartUrls"]["uploadUrlParts"], parts, strict=True):
        put = await publisher.anonymous.put(
            url_part["uploadUrl"],
            content=part,
            headers={"Content-MD5": b64md5(part), "Content-Type": ""},
        )
        assert put.status_code == 200, put.text
        etags.append(put.headers["ETag"])
    return etags


async def complete(publisher: Publisher, created: Any, node: Any, etags: list[str]) -> Any:
    response = await publisher.client.post(
        "/graphql",
        json={
            "query": COMPLETE,
            "variables": {
                "completeMultipartAction": "Complete",
                "completedParts": [
                    {"partNumber": n, "hexMD5": etag} for n, etag in enumerate(etags, start=1)
                ],
                "artifactID": node["artifact"]["id"],
                "storagePath": node["storagePath"],
                "uploadID": node["uploadMultipartUrls"]["uploadID"],
            },
        },
    )
    assert response.status_code == 200, response.text
    return response.json()


async def finish(publisher: Publisher, created: Any, node: Any) -> None:
    """Upload the manifest and commit (the rest of the SDK sequence)."""
    body = json.dumps(
        {
            "version": 1,
            "storagePolicy": "wandb-storage-policy-v1",
            "storagePolicyConfig": {"storageLayout": "V2"},
            "contents": {
                "big.bin": {
                    "digest": b64md5(DATA),
                    "size": len(DATA),
                    "birthArtifactID": node["artifact"]["id"],
                }
            },
        }
    ).encode()
    manifest = await publisher.manifest(created["id"], b64md5(body), include_upload=True)
    put = await publisher.anonymous.put(manifest["file"]["uploadUrl"], content=body)
    assert put.status_code == 200, put.text
    data_of_body(await publisher.send("CommitArtifact", {"artifactID": created["id"]}))


async def test_a_multipart_upload_commits_and_downloads_byte_exact(publisher: Publisher) -> None:
    created, _, node = await start(publisher)
    assert node["uploadUrl"] is None and node["uploadHeaders"] == []
    urls = node["uploadMultipartUrls"]["uploadUrlParts"]
    assert [u["partNumber"] for u in urls] == [1, 2, 3, 4]
    etags = await put_parts(publisher, node)
    assert etags == [f'"{hexmd5(part)}"' for part in PARTS]  # S3's form: quoted hex md5
    answer = await complete(publisher, created, node, etags)
    assert answer["data"]["completeMultipartUploadArtifact"]["digest"] == b64md5(DATA)
    await finish(publisher, created, node)
    artifact = await publisher.by_id(created["id"])
    assert artifact["state"] == "COMMITTED"
    assert artifact["digest"] == artifact_digest([("big.bin", b64md5(DATA))])
    path = publisher.store.artifact_manifests.blob_path(b64md5(DATA))
    assert path.read_bytes() == DATA
    # The parts are gone once joined.
    assert list((publisher.store.artifact_manifests.blobs.root / "multipart").glob("*/*")) == []


async def test_a_part_that_does_not_match_its_content_md5_is_refused(
    publisher: Publisher,
) -> None:
    _, _, node = await start(publisher)
    url = node["uploadMultipartUrls"]["uploadUrlParts"][0]["uploadUrl"]
    put = await publisher.anonymous.put(
        url, content=PARTS[0], headers={"Content-MD5": b64md5(b"other")}
    )
    assert put.status_code == 400 and "Content-MD5" in put.text


@pytest.mark.parametrize("problem", ["missing part", "wrong etag", "bad storage path"])
async def test_completing_a_broken_upload_is_an_error_and_commits_nothing(
    publisher: Publisher, problem: str
) -> None:
    created, _, node = await start(publisher)
    etags = await put_parts(publisher, node)
    if problem == "missing part":
        etags = etags[:-1]
    elif problem == "wrong etag":
        etags[1] = f'"{hexmd5(b"not this")}"'
    else:
        node = {**node, "storagePath": "artifacts/" + "0" * 32}
    answer = await complete(publisher, created, node, etags)
    assert answer["data"]["completeMultipartUploadArtifact"] is None
    message = answer["errors"][0]["message"]
    assert message.startswith("completeMultipartUploadArtifact:"), message
    blob = publisher.store.artifact_manifests.blob(b64md5(DATA))
    assert blob is not None and not blob.stored


async def test_part_urls_and_upload_ids_are_signed(publisher: Publisher) -> None:
    created, _, node = await start(publisher)
    url = node["uploadMultipartUrls"]["uploadUrlParts"][0]["uploadUrl"]
    forged = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
    put = await publisher.anonymous.put(forged, content=PARTS[0])
    assert put.status_code == 403
    # A part URL is not a whole-file upload URL, nor the other way round.
    single = url.replace("/signed/artifact-upload-part/", "/signed/artifact-upload/")
    assert (await publisher.anonymous.put(single, content=PARTS[0])).status_code == 403
    etags = await put_parts(publisher, node)
    forged_id = {**node, "uploadMultipartUrls": {**node["uploadMultipartUrls"], "uploadID": "1"}}
    answer = await complete(publisher, created, forged_id, etags)
    assert "uploadID is not valid" in answer["errors"][0]["message"]


async def test_bad_part_specs_are_refused_before_any_upload(publisher: Publisher) -> None:
    with pytest.raises(AssertionError, match="parts must be numbered"):
        files = {"big.bin": DATA}
        created = await publisher.create(files)
        manifest = await publisher.manifest(created["id"], "", include_upload=False)
        spec = {
            "artifactID": created["id"],
            "artifactManifestID": manifest["id"],
            "md5": b64md5(DATA),
            "name": "big.bin",
            "uploadPartsInput": [{"partNumber": 2, "hexMD5": hexmd5(PARTS[0])}],
        }
        variables = {"input": {"artifactFiles": [spec], "storageLayout": "V2"}}
        data_of_body(await publisher.send("CreateArtifactFiles", variables))


def test_part_etags_are_hex_md5s() -> None:
    from wandbkit.server.multipart import MultipartError, hex_md5

    assert hex_md5('"' + "A" * 32 + '"') == "a" * 32
    with pytest.raises(MultipartError):
        hex_md5(base64.b64encode(b"x" * 16).decode())
