"""``POST /signed/artifact-file-bundle``: many files in one answer, each authorized by its own
signed token exactly as its URL would be, and bad input answered without a 5xx."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

import httpx
import pytest

from wandbkit._lang.artifact_bundle import (
    MAX_BUNDLE_TOKENS,
    SIGNED_ARTIFACT_BUNDLE_PATH,
    BundleDecoder,
    encode_request,
)
from wandbkit.server.seed import seed_basic_artifacts
from wandbkit.server.signing import ARTIFACT_FILE, ARTIFACT_MANIFEST
from wandbkit.server.store import Store
from wandbkit.server.testing import asgi_transport, make_seeded_app

from ..conftest import BASE_URL

TTL = timedelta(minutes=5)


def b64md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def decode(body: bytes, count: int) -> list[tuple[int, bytes]]:
    items: list[tuple[int, bytes]] = []
    current = b""
    decoder = BundleDecoder(count)
    for part in decoder.feed(body):
        current += part.data
        if part.last:
            items.append((part.status, current))
            current = b""
    assert decoder.complete
    return items


@pytest.fixture
def setup() -> tuple[httpx.AsyncClient, Store, int]:
    app, seed = make_seeded_app()
    store: Store = app.state.store
    seed_basic_artifacts(store, seed)
    pk = max(
        row["pk"] for row in store.db.all("SELECT pk FROM artifacts WHERE state = 'COMMITTED'", ())
    )
    client = httpx.AsyncClient(transport=asgi_transport(app), base_url=BASE_URL)
    return client, store, pk


def tokens_of(store: Store, artifact_pk: int) -> list[tuple[str, str]]:
    signer = store.db.url_signer
    return [
        (signer.sign(ARTIFACT_FILE, entry.pk, TTL), entry.digest)
        for entry in store.artifact_manifests.all_entries(artifact_pk)
        if entry.ref is None
    ]


async def test_a_bundle_holds_every_file_in_order(
    setup: tuple[httpx.AsyncClient, Store, int],
) -> None:
    client, store, pk = setup
    pairs = tokens_of(store, pk)
    assert len(pairs) > 2
    async with client:
        response = await client.post(
            SIGNED_ARTIFACT_BUNDLE_PATH, content=encode_request([t for t, _ in pairs])
        )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-wandbkit-file-bundle"
    items = decode(response.content, len(pairs))
    assert [(status, b64md5(data)) for status, data in items] == [(200, d) for _, d in pairs]


async def test_each_token_is_checked_on_its_own(
    setup: tuple[httpx.AsyncClient, Store, int],
) -> None:
    client, store, pk = setup
    (good, digest), *_ = tokens_of(store, pk)
    altered = good[:-1] + ("A" if good[-1] != "A" else "B")
    other_purpose = store.db.url_signer.sign(ARTIFACT_MANIFEST, pk, TTL)
    unknown = store.db.url_signer.sign(ARTIFACT_FILE, 10**9, TTL)
    async with client:
        response = await client.post(
            SIGNED_ARTIFACT_BUNDLE_PATH,
            content=encode_request([good, altered, other_purpose, "junk", unknown, good]),
        )
        assert response.status_code == 200
        items = decode(response.content, 6)
        assert [status for status, _ in items] == [200, 403, 403, 403, 404, 200]
        assert b64md5(items[0][1]) == digest == b64md5(items[5][1])
        assert b"bad signature" in items[1][1]
        # A deleted version's files are gone, as from their URLs.
        store.artifacts.delete(pk, delete_aliases=True)
        response = await client.post(SIGNED_ARTIFACT_BUNDLE_PATH, content=encode_request([good]))
        assert decode(response.content, 1) == [(404, b"file not found")]
        single = await client.get(f"/signed/artifact-files/{good}")
        assert single.status_code == 404


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"", 400),
        (b"not json", 400),
        (b"[]", 400),
        (b'{"tokens": "x"}', 400),
        (b'{"tokens": [1]}', 400),
        (b'{"tokens": []}', 400),
        (encode_request(["x"] * (MAX_BUNDLE_TOKENS + 1)), 413),
        (b"x" * (300 * 1024), 413),
    ],
    ids=["empty", "not-json", "list", "string", "number", "none", "too-many", "too-long"],
)
async def test_a_bad_request_is_a_4xx(
    setup: tuple[httpx.AsyncClient, Store, int], body: bytes, status: int
) -> None:
    client, _, _ = setup
    async with client:
        response = await client.post(SIGNED_ARTIFACT_BUNDLE_PATH, content=body)
    assert response.status_code == status
    assert "errors" in response.json()
