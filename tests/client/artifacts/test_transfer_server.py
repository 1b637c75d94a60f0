"""The transfer engine against the in-process local server: its signed file URLs, its fault
injection (dropped connections, 502s, truncated bodies), both flavours of the client.

Run files stand in for artifact files here: they are served by the same signed, expiring
``/signed/files/`` route with the same base64 md5 the manifest would give.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from anyio.from_thread import start_blocking_portal

import wandbkit
from wandbkit._async.artifacts import transfer as async_transfer
from wandbkit._core.artifact_cache import ArtifactCache
from wandbkit._core.errors import WandbkitError
from wandbkit._core.transfer_jobs import RemoteFile, TransferReport
from wandbkit._sync.artifacts import transfer as sync_transfer
from wandbkit.server.faults import Fault, Faults
from wandbkit.server.testing import add_run, make_seeded_app

from ..support import BASE_URL, RecordingTransport, SyncRecordingTransport

CONTENTS = {f"data/shard-{i:02d}.bin": os.urandom(20_000 + 3_001 * i) for i in range(24)}


@dataclass
class Client:
    """One flavour of the client on the in-process server, and the server's fault plan."""

    name: str
    api: Any
    transport: Any
    faults: Faults
    files: list[RemoteFile]

    async def download(self, root: Path, **options: Any) -> TransferReport:
        options.setdefault("progress", False)
        options.setdefault("cache", None)
        if self.name == "async":
            return await async_transfer.download_files(self.api._ctx, self.files, root, **options)
        return sync_transfer.download_files(self.api._ctx, self.files, root, **options)

    def signed_requests(self) -> list[httpx.Request]:
        return [r for r in self.transport.requests if "/signed/files/" in r.url.path]


def _remote_files(run_files: list[Any]) -> list[RemoteFile]:
    return [RemoteFile(f.name, f.md5, f.size, f.direct_url) for f in run_files]


@pytest.fixture(params=["async", "sync"])
async def client(request: pytest.FixtureRequest) -> AsyncIterator[Client]:
    app, seed = make_seeded_app()
    project = f"{seed.entity}/artifacts-engine"
    add_run(app.state.store, project, "holder", files=CONTENTS)
    faults: Faults = app.state.faults
    options: dict[str, Any] = {"api_key": seed.api_key, "base_url": BASE_URL, "max_retries": 8}
    if request.param == "async":
        transport = RecordingTransport(httpx.ASGITransport(app=app))
        async with wandbkit.AsyncApi(transport=transport, **options) as api:
            run = await api.run(f"{project}/holder")
            files = _remote_files([f async for f in run.files(per_page=100)])
            yield Client("async", api, transport, faults, files)
        return
    with start_blocking_portal() as portal:
        sync_transport = SyncRecordingTransport(app, portal)
        with wandbkit.Api(transport=sync_transport, **options) as sync_api:
            files = _remote_files(list(sync_api.run(f"{project}/holder").files(per_page=100)))
            yield Client("sync", sync_api, sync_transport, faults, files)


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


async def test_every_byte_arrives_through_drops_and_502s(client: Client, tmp_path: Path) -> None:
    client.faults.add(Fault.drop(), route="/signed/files/*", times=6)
    client.faults.add(Fault.status(502, retry_after=0.01), route="/signed/files/*", times=6)
    cache = ArtifactCache(tmp_path / "cache")

    report = await client.download(tmp_path / "one", cache=cache, max_workers=6)

    assert tree(tmp_path / "one") == CONTENTS
    assert report.bytes_downloaded == sum(map(len, CONTENTS.values()))
    assert len(client.faults.injected) == 12  # the faults really were injected
    assert len(client.signed_requests()) == len(CONTENTS) + 12

    # Into another root: from the cache, nothing over the network.
    client.transport.clear()
    again = await client.download(tmp_path / "two", cache=cache)
    assert client.signed_requests() == []
    assert again.bytes_from_cache == report.bytes_downloaded
    assert tree(tmp_path / "two") == CONTENTS


async def test_a_truncated_body_is_refused_and_not_kept(client: Client, tmp_path: Path) -> None:
    client.faults.add(Fault.truncate(), route="/signed/files/*")

    with pytest.raises(WandbkitError):
        await client.download(tmp_path / "root", max_workers=2)

    assert not (tmp_path / "root").exists()


async def test_signed_urls_get_no_key(client: Client, tmp_path: Path) -> None:
    await client.download(tmp_path / "root")

    signed = client.signed_requests()
    assert len(signed) == len(CONTENTS)
    assert all("authorization" not in r.headers for r in signed)
    assert tree(tmp_path / "root") == CONTENTS  # the signature alone lets them through
