"""Run files: listing, authenticated and signed downloads, uploads, deletion."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest

from wandbkit.server.ids import encode_id
from wandbkit.server.store import RunRow
from wandbkit.server.testing import add_run, asgi_transport

from ..conftest import BASE_URL, Data, PostGraphQL, ServerApp
from ..runs_support import PATH, error_of, md5_b64, variables

FILES: dict[str, bytes] = {
    "config.yaml": b"lr:\n  value: 0.1\n",
    "requirements.txt": b"torch==2.3.1\n",
    "wandb-metadata.json": b'{"os": "Linux"}',
    "output.log": b"step 1\n" * 1000,
    "media/images/sample_0.png": bytes(range(256)) * 40,
    "model.ckpt": os.urandom(1024 * 1024 + 17),
    "notes/draft #1 100% ü?.txt": "naïve: ü".encode(),
}

FILES_QUERY = """
query RunFiles($entity: String!, $project: String!, $name: String!, $cursor: String,
               $perPage: Int = 50, $names: [String] = [], $pattern: String, $upload: Boolean) {
  project(name: $project, entityName: $entity) {
    run(name: $name) {
      fileCount
      files(names: $names, after: $cursor, first: $perPage, pattern: $pattern) {
        edges { cursor node { id name displayName url(upload: $upload) directUrl sizeBytes
                              mimetype updatedAt md5 digest storagePath } }
        pageInfo { endCursor hasNextPage }
      }
    }
  }
}
"""

CREATE = """
mutation CreateRunFiles($entity: String!, $project: String!, $run: String!, $files: [String!]!) {
  createRunFiles(
    input: {entityName: $entity, projectName: $project, runName: $run, files: $files}
  ) {
    runID uploadHeaders files { id name uploadUrl sizeBytes }
  }
}
"""

DELETE = """
mutation DeleteFiles($files: [ID!]!) { deleteFiles(input: {files: $files}) { success } }
"""


@pytest.fixture
def run(server_app: ServerApp) -> RunRow:
    return add_run(server_app.store, PATH, "files", files=FILES)


async def files_page(gql: PostGraphQL, data: Data, **extra: Any) -> dict[str, Any]:
    body = data(await gql(FILES_QUERY, variables(name="files", **extra)))
    result: dict[str, Any] = body["project"]["run"]
    return result


def names_of(page: dict[str, Any]) -> list[str]:
    return [edge["node"]["name"] for edge in page["files"]["edges"]]


async def test_files_are_listed_with_sizes_md5s_and_a_count(
    gql: PostGraphQL, data: Data, run: RunRow
) -> None:
    page = await files_page(gql, data)
    assert page["fileCount"] == len(FILES)
    assert names_of(page) == list(FILES)
    for edge in page["files"]["edges"]:
        node = edge["node"]
        content = FILES[node["name"]]
        assert int(node["sizeBytes"]) == len(content)
        assert node["md5"] == node["digest"] == md5_b64(content)
        assert node["displayName"] == node["name"].rsplit("/", 1)[-1]
        assert node["storagePath"] == f"{PATH}/files/{node['name']}"
        assert node["updatedAt"].endswith("Z") and node["mimetype"]
    by_name = {e["node"]["name"]: e["node"] for e in page["files"]["edges"]}
    assert by_name["config.yaml"]["mimetype"] == "text/yaml"
    assert by_name["media/images/sample_0.png"]["mimetype"] == "image/png"


@pytest.mark.parametrize("per_page", [1, 2, 4])
async def test_file_pages_chain_through_edge_cursors(
    gql: PostGraphQL, data: Data, run: RunRow, per_page: int
) -> None:
    names: list[str] = []
    cursor = None
    while True:
        files = (await files_page(gql, data, perPage=per_page, cursor=cursor))["files"]
        names += [edge["node"]["name"] for edge in files["edges"]]
        if not files["pageInfo"]["hasNextPage"]:
            break
        cursor = files["edges"][-1]["cursor"]
    assert names == list(FILES)


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"names": ["output.log", "config.yaml", "missing.txt"]}, ["config.yaml", "output.log"]),
        ({"names": []}, list(FILES)),
        ({"pattern": "%.json"}, ["wandb-metadata.json"]),
        ({"pattern": "media/%"}, ["media/images/sample_0.png"]),
        ({"pattern": "%CONFIG%"}, ["config.yaml"]),  # case-insensitive, as on MySQL
        ({"pattern": "model\\_ckpt"}, []),  # backslash escapes the wildcard
        ({"pattern": "model_ckpt"}, ["model.ckpt"]),
    ],
)
async def test_files_are_selected_by_names_or_pattern(
    gql: PostGraphQL, data: Data, run: RunRow, arguments: dict[str, Any], expected: list[str]
) -> None:
    assert names_of(await files_page(gql, data, **arguments)) == expected


async def test_file_url_needs_an_api_key_and_serves_the_exact_bytes(
    gql: PostGraphQL,
    data: Data,
    run: RunRow,
    client: httpx.AsyncClient,
    anonymous_client: httpx.AsyncClient,
    server_app: ServerApp,
) -> None:
    for edge in (await files_page(gql, data))["files"]["edges"]:
        node = edge["node"]
        content = FILES[node["name"]]
        assert node["url"] == f"{BASE_URL}/files/{PATH}/files/{quote(node['name'])}"
        assert (await anonymous_client.get(node["url"])).status_code == 401
        response = await client.get(node["url"])
        assert response.status_code == 200
        assert response.content == content
        assert response.headers["content-length"] == str(len(content))
        assert response.headers["content-md5"] == md5_b64(content)
        assert response.headers["etag"] == f'"{md5_b64(content)}"'
    bearer = {"Authorization": f"Bearer {server_app.seed.api_key}"}
    url = f"{BASE_URL}/files/{PATH}/files/config.yaml"
    assert (await anonymous_client.get(url, headers=bearer)).content == FILES["config.yaml"]
    assert (await client.get(f"{BASE_URL}/files/{PATH}/files/nope.txt")).status_code == 404
    assert (await client.get(f"{BASE_URL}/files/{PATH}/nope/config.yaml")).status_code == 404


async def test_direct_url_is_signed_and_works_without_an_api_key(
    gql: PostGraphQL, data: Data, run: RunRow, anonymous_client: httpx.AsyncClient
) -> None:
    for edge in (await files_page(gql, data))["files"]["edges"]:
        node = edge["node"]
        assert node["directUrl"].startswith(f"{BASE_URL}/signed/files/")
        response = await anonymous_client.get(node["directUrl"])
        assert response.status_code == 200
        assert response.content == FILES[node["name"]]
        assert response.headers["content-md5"] == node["md5"]


def tampered(url: str) -> list[str]:
    prefix, token = url.rsplit("/", 1)
    key, expires, mac = token.split(".")
    flipped = mac[:-1] + ("A" if mac[-1] != "A" else "B")
    return [
        f"{prefix}/{key}.{expires}.{flipped}",  # another signature
        f"{prefix}/{int(key) + 1}.{expires}.{mac}",  # another file
        f"{prefix}/{key}.{int(expires) + 3600}.{mac}",  # a later expiry
        f"{prefix}/{key}.{expires}",
        f"{prefix}/garbage",
        url.replace("/signed/files/", "/signed/upload/"),  # a download token to upload
    ]


async def test_a_tampered_or_expired_direct_url_is_forbidden(
    gql: PostGraphQL,
    data: Data,
    run: RunRow,
    anonymous_client: httpx.AsyncClient,
    server_app: ServerApp,
) -> None:
    url = (await files_page(gql, data, names=["config.yaml"]))["files"]["edges"][0]["node"][
        "directUrl"
    ]
    for bad in tampered(url):
        method = "PUT" if "/signed/upload/" in bad else "GET"
        response = await anonymous_client.request(method, bad, content=b"x")
        assert response.status_code == 403, bad
    later = datetime.now(timezone.utc) + timedelta(hours=2)
    server_app.store.clock = lambda: later
    expired = await anonymous_client.get(url)
    assert expired.status_code == 403 and "expired" in expired.text


async def test_file_urls_follow_the_host_the_request_came_in_on(
    server_app: ServerApp, run: RunRow
) -> None:
    async with httpx.AsyncClient(
        transport=asgi_transport(server_app.app),
        base_url="https://wandb.example.org:8443",
        headers={"Authorization": f"Bearer {server_app.seed.api_key}"},
    ) as client:
        response = await client.post(
            "/graphql", json={"query": FILES_QUERY, "variables": variables(name="files")}
        )
        node = response.json()["data"]["project"]["run"]["files"]["edges"][0]["node"]
        for url in (node["url"], node["directUrl"]):
            assert urlsplit(url).netloc == "wandb.example.org:8443"
        assert (await client.get(node["url"])).content == FILES["config.yaml"]


async def test_an_upload_through_create_run_files_then_put_is_listed(
    gql: PostGraphQL, data: Data, run: RunRow, anonymous_client: httpx.AsyncClient
) -> None:
    content = os.urandom(300_000)
    created = data(
        await gql(CREATE, variables(run="files", files=["uploads/new.bin", "notes.md"]))
    )["createRunFiles"]
    assert created["runID"] == encode_id("Run", run.pk)
    assert created["uploadHeaders"] == []
    assert [f["name"] for f in created["files"]] == ["uploads/new.bin", "notes.md"]
    # Pending files are not listed until their bytes arrive.
    assert (await files_page(gql, data))["fileCount"] == len(FILES)
    upload_url = created["files"][0]["uploadUrl"]
    assert upload_url.startswith(f"{BASE_URL}/signed/upload/")
    response = await anonymous_client.put(upload_url, content=content)
    assert response.status_code == 200
    assert response.headers["etag"] == f'"{md5_b64(content)}"'

    page = await files_page(gql, data, names=["uploads/new.bin"])
    (edge,) = page["files"]["edges"]
    assert int(edge["node"]["sizeBytes"]) == len(content)
    assert edge["node"]["md5"] == md5_b64(content)
    assert page["fileCount"] == len(FILES) + 1
    assert (await anonymous_client.get(edge["node"]["directUrl"])).content == content
    # A second upload replaces the bytes.
    await anonymous_client.put(upload_url, content=b"smaller")
    again = (await files_page(gql, data, names=["uploads/new.bin"]))["files"]["edges"][0]
    assert (int(again["node"]["sizeBytes"]), again["node"]["md5"]) == (7, md5_b64(b"smaller"))


async def test_an_upload_is_streamed_and_checked_against_content_md5(
    gql: PostGraphQL, data: Data, run: RunRow, anonymous_client: httpx.AsyncClient
) -> None:
    created = data(await gql(CREATE, variables(run="files", files=["big.bin"])))
    url = created["createRunFiles"]["files"][0]["uploadUrl"]
    chunks = [os.urandom(65536) for _ in range(8)]

    async def body() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    whole = b"".join(chunks)
    bad = await anonymous_client.put(url, content=b"abc", headers={"Content-MD5": md5_b64(b"xyz")})
    assert bad.status_code == 400
    assert (await files_page(gql, data, names=["big.bin"]))["files"]["edges"] == []
    good = await anonymous_client.put(url, content=body(), headers={"Content-MD5": md5_b64(whole)})
    assert good.status_code == 200
    node = (await files_page(gql, data, names=["big.bin"]))["files"]["edges"][0]["node"]
    assert (int(node["sizeBytes"]), node["md5"]) == (len(whole), md5_b64(whole))


async def test_url_with_upload_true_is_the_signed_upload_url(
    gql: PostGraphQL, data: Data, run: RunRow, anonymous_client: httpx.AsyncClient
) -> None:
    node = (await files_page(gql, data, names=["config.yaml"], upload=True))["files"]["edges"][0][
        "node"
    ]
    assert "/signed/upload/" in node["url"]
    assert (await anonymous_client.put(node["url"], content=b"lr: 1\n")).status_code == 200
    assert (await anonymous_client.get(node["directUrl"])).content == b"lr: 1\n"


async def test_delete_files_removes_rows_and_bytes(
    gql: PostGraphQL,
    data: Data,
    run: RunRow,
    server_app: ServerApp,
    anonymous_client: httpx.AsyncClient,
) -> None:
    store = server_app.store
    nodes = {e["node"]["name"]: e["node"] for e in (await files_page(gql, data))["files"]["edges"]}
    doomed = [nodes["model.ckpt"], nodes["output.log"]]
    paths = [
        store.run_files.path(f)
        for f in store.run_files.list(run.pk)
        if f.name in {"model.ckpt", "output.log"}
    ]
    assert all(path.is_file() for path in paths)
    result = data(await gql(DELETE, {"files": [node["id"] for node in doomed]}))
    assert result == {"deleteFiles": {"success": True}}
    page = await files_page(gql, data)
    assert page["fileCount"] == len(FILES) - 2
    assert "model.ckpt" not in names_of(page)
    assert not any(path.exists() for path in paths)
    assert (await anonymous_client.get(doomed[0]["directUrl"])).status_code == 404
    # Deleting again is harmless; a non-file id is an error.
    assert data(await gql(DELETE, {"files": [doomed[0]["id"]]}))["deleteFiles"]["success"]
    error = error_of(await gql(DELETE, {"files": [encode_id("Run", run.pk)]}))
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_readers_get_no_upload_urls_and_cannot_change_files(
    gql: PostGraphQL, data: Data, server_app: ServerApp
) -> None:
    store = server_app.store
    mallory = store.accounts.create_user("mallory")
    # A public project: readable by anyone, writable by its entity's members only.
    store.projects.upsert(mallory.entity_pk, "public", creator_pk=mallory.pk, access="USER_READ")
    theirs = add_run(store, "mallory/public", "theirs", files={"a.txt": b"a"})
    others = {"entity": "mallory", "project": "public", "name": "theirs"}
    body = data(await gql(FILES_QUERY, {**others, "upload": True}))
    node = body["project"]["run"]["files"]["edges"][0]["node"]
    assert node["url"] is None  # url(upload: true) for a reader
    denied = error_of(
        await gql(
            CREATE, {"entity": "mallory", "project": "public", "run": "theirs", "files": ["b"]}
        )
    )
    assert denied["extensions"]["code"] == "PERMISSION_DENIED"
    (file,) = store.run_files.list(theirs.pk)
    denied = error_of(await gql(DELETE, {"files": [encode_id("File", file.pk)]}))
    assert denied["extensions"]["code"] == "PERMISSION_DENIED"
    assert store.run_files.count(theirs.pk) == 1


async def test_create_run_files_refuses_unknown_runs_and_unsafe_names(
    gql: PostGraphQL, run: RunRow
) -> None:
    missing = error_of(await gql(CREATE, variables(run="nope", files=["a.txt"])))
    assert missing["extensions"]["code"] == "NOT_FOUND"
    for name in ("../escape.txt", "/abs.txt", "a//b", "", "a/./b"):
        error = error_of(await gql(CREATE, variables(run="files", files=[name])))
        assert error["extensions"]["code"] == "BAD_USER_INPUT", name


async def test_mark_run_files_uploaded_confirms_files_whose_bytes_arrived(
    gql: PostGraphQL, data: Data, run: RunRow
) -> None:
    mark = """
    mutation ($files: [String!]!) {
      markRunFilesUploaded(input: {entityName: "demo", projectName: "runs-test",
                                   runName: "files", files: $files}) { success }
    }
    """
    assert data(await gql(mark, {"files": ["config.yaml"]})) == {
        "markRunFilesUploaded": {"success": True}
    }
    await gql(CREATE, variables(run="files", files=["pending.txt"]))
    error = error_of(await gql(mark, {"files": ["pending.txt"]}))
    assert error["extensions"]["code"] == "NOT_FOUND"
