"""An artifact version's files end to end, on ``AsyncApi`` and ``Api``: the manifest and its
entries, the files listing, downloads through the engine and the cache (verified, atomic, a
second download moving nothing), ``verify``, ``file`` and ``checkout``."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from wandbkit.errors import IntegrityError, UsageError
from wandbkit.server.faults import Fault
from wandbkit.server.seed import ArtifactSeed

from ..support import Flavor


def md5_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def path(arts: ArtifactSeed, name: str) -> str:
    return f"{arts.entity}/{arts.project}/{name}"


def download_gets(flavor: Flavor) -> list[str]:
    """The files fetched: one per signed file GET, one per token of a bundle request."""
    fetched = []
    for r in flavor.transport.requests:
        if r.url.path.startswith("/signed/artifact-files/"):
            fetched.append(r.url.path)
        elif r.url.path == "/signed/artifact-file-bundle":
            fetched.extend(json.loads(r.content)["tokens"])
    return fetched


async def test_manifest_entries_and_files(flavor: Flavor, arts: ArtifactSeed) -> None:
    model = await flavor(flavor.api.artifact(path(arts, "classifier:v1")))
    manifest = await flavor(model.manifest)
    assert list(manifest.entries) == ["config.json", "weights/part-0.bin", "weights/part-1.bin"]
    assert manifest.digest() == model.digest
    assert manifest.size() == model.size
    entry = await flavor(model.get_entry("weights/part-1.bin"))
    assert entry.size == 1024 and entry.ref is None and entry.birth_artifact_id
    assert entry.ref_url() == f"wandb-artifact://{model.id}/weights/part-1.bin"
    with pytest.raises(KeyError):
        await flavor(model.get_entry("nope.bin"))
    with pytest.warns(DeprecationWarning):
        assert (await flavor(model.get_path("config.json"))).path == "config.json"
    files = model.files(per_page=2)
    listed = await flavor.list(files)
    # Files are named by their base name, as wandb names them.
    assert sorted(f.name for f in listed) == sorted(p.rsplit("/", 1)[-1] for p in manifest.entries)
    assert len(files) == 3 and files.path == [arts.entity, arts.project, "classifier:v1"]
    only = await flavor.list(model.files(names=["config.json"]))
    assert [f.name for f in only] == ["config.json"]
    config = await flavor(only[0].read_bytes())
    assert md5_b64(config) == manifest.entries["config.json"].digest


async def test_download_verify_and_the_cache(
    flavor: Flavor, arts: ArtifactSeed, tmp_path: Path
) -> None:
    dataset = await flavor(flavor.api.artifact(path(arts, "images:v2")))
    manifest = await flavor(dataset.manifest)
    root = tmp_path / "one"
    flavor.transport.clear()
    assert await flavor(dataset.download(root=str(root), max_workers=4)) == str(root)
    assert len(download_gets(flavor)) == len(manifest.entries)
    for name, entry in manifest.entries.items():
        assert md5_b64((root / name).read_bytes()) == entry.digest
    await flavor(dataset.verify(root=str(root)))
    # Into the same root again: every file is there and right, so nothing moves.
    flavor.transport.clear()
    await flavor(dataset.download(root=str(root)))
    assert download_gets(flavor) == []
    # Into another root: the cache provides every file.
    other = tmp_path / "two"
    await flavor(dataset.download(root=str(other)))
    assert download_gets(flavor) == []
    await flavor(dataset.verify(root=str(other)))
    # skip_cache fetches them again.
    await flavor(dataset.download(root=str(tmp_path / "three"), skip_cache=True))
    assert len(download_gets(flavor)) == len(manifest.entries)


async def test_path_prefix_and_default_root(
    flavor: Flavor, arts: ArtifactSeed, tmp_path: Path
) -> None:
    dataset = await flavor(flavor.api.artifact(path(arts, "images:v0")))
    root = Path(await flavor(dataset.download(path_prefix="test/")))
    assert root == tmp_path / "artifacts" / "images:v0"
    names = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    assert names and all(name.startswith("test/") for name in names)


async def test_verify_finds_changes_and_strangers(
    flavor: Flavor, arts: ArtifactSeed, tmp_path: Path
) -> None:
    model = await flavor(flavor.api.artifact(path(arts, "classifier:v0")))
    root = tmp_path / "m"
    await flavor(model.download(root=str(root)))
    (root / "stranger.txt").write_text("x")
    with pytest.raises(IntegrityError, match="not in artifact"):
        await flavor(model.verify(root=str(root)))
    (root / "stranger.txt").unlink()
    target = root / "config.json"
    target.unlink()  # files may be hard links into the cache: replace, never write in place
    target.write_text("{}")
    with pytest.raises(IntegrityError, match=r"digest mismatch for file: 'config\.json'"):
        await flavor(model.verify(root=str(root)))
    # checkout puts the root back to exactly the artifact: strangers go, changes are undone.
    (root / "stranger.txt").write_text("x")
    await flavor(model.checkout(root=str(root)))
    assert not (root / "stranger.txt").exists()
    await flavor(model.verify(root=str(root)))


async def test_a_corrupt_blob_is_an_integrity_error_and_leaves_no_file(
    flavor: Flavor, arts: ArtifactSeed, tmp_path: Path, seeded_app: tuple[object, object]
) -> None:
    model = await flavor(flavor.api.artifact(path(arts, "classifier:v0")))
    entry = (await flavor(model.manifest)).entries["config.json"]
    store = seeded_app[0].state.store  # type: ignore[attr-defined]
    blob = Path(store.artifact_manifests.blob_path(entry.digest))
    os.chmod(blob, 0o644)
    blob.write_bytes(b"X" + blob.read_bytes()[1:])
    root = tmp_path / "bad"
    with pytest.raises(IntegrityError):
        await flavor(model.download(root=str(root), skip_cache=True))
    assert not (root / "config.json").exists()
    assert not [p for p in root.rglob("*.part")]


async def test_file_of_a_single_file_artifact(
    flavor: Flavor, arts: ArtifactSeed, tmp_path: Path
) -> None:
    model = await flavor(flavor.api.artifact(path(arts, "classifier:v0")))
    with pytest.raises(UsageError, match="holds 3 files"):
        await flavor(model.file(root=str(tmp_path)))
    entry = await flavor(model.get_entry("config.json"))
    written = await flavor(entry.download(root=str(tmp_path / "one")))
    assert Path(written).read_bytes().startswith(b"{")


async def test_failed_signed_urls_fall_back_to_the_keyed_routes(
    flavor: Flavor, arts: ArtifactSeed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wandbkit._async.artifacts.contents import AsyncArtifactContents
    from wandbkit._sync.artifacts.contents import ArtifactContents

    model = await flavor(flavor.api.artifact(path(arts, "classifier:v0")))
    names = list((await flavor(model.manifest)).entries)
    bogus = {name: "http://wandbkit.test/signed/artifact-files/expired" for name in names}

    async def expired_async(self: object) -> dict[str, str]:
        return bogus

    def expired_sync(self: object) -> dict[str, str]:
        return bogus

    monkeypatch.setattr(AsyncArtifactContents, "_file_urls", expired_async)
    monkeypatch.setattr(ArtifactContents, "_file_urls", expired_sync)
    flavor.transport.clear()
    root = tmp_path / "fallback"
    await flavor(model.download(root=str(root), skip_cache=True))
    await flavor(model.verify(root=str(root)))
    fallbacks = [r for r in flavor.transport.requests if r.url.path.startswith("/artifactsV2/")]
    assert len(fallbacks) == len(names)
    assert all(r.headers.get("authorization") for r in fallbacks)
    signed = [r for r in flavor.transport.requests if "/signed/" in r.url.path]
    assert signed and not any(r.headers.get("authorization") for r in signed)


@pytest.mark.parametrize(
    "fault",
    [Fault.status(502, retry_after=0.01), Fault.truncate(), Fault.drop()],
    ids=["502", "truncated", "dropped"],
)
async def test_a_failed_bundle_falls_back_to_one_request_per_file(
    flavor: Flavor,
    arts: ArtifactSeed,
    seeded_app: tuple[Any, Any],
    tmp_path: Path,
    fault: Fault,
) -> None:
    """Small files come in bundles from this server; a bundle that fails however it fails is
    fetched file by file, and every file still ends verified."""
    app, _ = seeded_app
    dataset = await flavor(flavor.api.artifact(path(arts, "images:v2")))
    manifest = await flavor(dataset.manifest)
    app.state.faults.add(fault, route="/signed/artifact-file-bundle")
    flavor.transport.clear()
    root = tmp_path / "root"
    await flavor(dataset.download(root=str(root), max_workers=2))
    bundles = [r for r in flavor.transport.requests if r.url.path.endswith("file-bundle")]
    singles = [r for r in flavor.transport.requests if "/signed/artifact-files/" in r.url.path]
    assert bundles and len(app.state.faults.injected) >= 1
    assert 0 < len(singles) <= len(manifest.entries)
    await flavor(dataset.verify(root=str(root)))


async def test_downloads_copy_from_the_cache_unless_hard_links_are_asked_for(
    flavor: Flavor, arts: ArtifactSeed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """By default a second root gets writable copies (as the official client makes): an edit
    in one root changes nothing else. ``hard_links=True`` links read-only files instead."""
    model = await flavor(flavor.api.artifact(path(arts, "classifier:v1")))
    first, second, linked = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    await flavor(model.download(root=str(first)))
    await flavor(model.download(root=str(second)))
    name = "config.json"
    assert not os.path.samefile(first / name, second / name)
    assert os.access(first / name, os.W_OK) and os.access(second / name, os.W_OK)
    original = (second / name).read_bytes()
    (first / name).write_bytes(b"edited in place")  # the file shared with the cache
    assert (second / name).read_bytes() == original
    # The cache entry that shares the edited file is caught by its md5, and fetched again.
    third = tmp_path / "d"
    await flavor(model.download(root=str(third)))
    assert (third / name).read_bytes() == original
    await flavor(model.download(root=str(linked), hard_links=True))
    assert (linked / name).read_bytes() == original
    assert (linked / name).stat().st_nlink > 1
    assert not os.access(linked / name, os.W_OK) or os.geteuid() == 0
    assert stat.S_IMODE((linked / name).stat().st_mode) & 0o222 == 0
    monkeypatch.setenv("WANDBKIT_CACHE_HARD_LINKS", "1")
    fourth = tmp_path / "e"
    await flavor(model.download(root=str(fourth)))
    assert (fourth / name).stat().st_nlink > 1


@pytest.mark.parametrize("multipart", [True, None, False], ids=["on", "default", "off"])
async def test_multipart_fetches_big_files_in_ranges(
    flavor: Flavor,
    arts: ArtifactSeed,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    multipart: bool | None,
) -> None:
    """``multipart`` as in ``wandb``: True fetches every file of more than one part in
    parallel ranges, None only files from 2 GiB, False none; the bytes are verified alike.
    (The part size is made small here so that the seed's files have several parts.)"""
    from wandbkit._async.artifacts import download_jobs as async_jobs
    from wandbkit._sync.artifacts import download_jobs as sync_jobs

    for module in (async_jobs, sync_jobs):
        monkeypatch.setattr(module, "PART_BYTES", 100)
    model = await flavor(flavor.api.artifact(path(arts, "classifier:v1")))
    manifest = await flavor(model.manifest)
    big = {p: e.size for p, e in manifest.entries.items() if (e.size or 0) > 100}
    assert big, "the seed's model needs files of several parts"
    flavor.transport.clear()
    root = tmp_path / "m"
    await flavor(model.download(root=str(root), multipart=multipart, skip_cache=True))
    await flavor(model.verify(root=str(root)))
    ranged = [r for r in flavor.transport.requests if "range" in r.headers]
    if multipart is True:
        expected = sum(-(-size // 100) for size in big.values() if size)
        assert len(ranged) == expected
        assert all(r.headers["range"].startswith("bytes=") for r in ranged)
    else:
        assert ranged == []
    with pytest.raises(UsageError, match="multipart must be a bool or None"):
        await flavor(model.download(root=str(root), multipart="yes"))  # type: ignore[arg-type]
