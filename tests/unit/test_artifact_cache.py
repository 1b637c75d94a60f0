"""The content-addressed artifact cache (wandbkit._core.artifact_cache)."""

from __future__ import annotations

import base64
import hashlib
import multiprocessing
import os
import stat
import threading
import time
from pathlib import Path

import pytest

from wandbkit._core.artifact_cache import ArtifactCache, copy_hashing, file_md5
from wandbkit._core.errors import IntegrityError, UsageError


def md5_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.fixture(params=[True, False], ids=["link", "copy"])
def cache(request: pytest.FixtureRequest, tmp_path: Path) -> ArtifactCache:
    return ArtifactCache(tmp_path / "cache", link=request.param)


def test_entries_are_laid_out_by_md5_hex(tmp_path: Path) -> None:
    cache = ArtifactCache(tmp_path)
    digest = hashlib.md5(b"hello").hexdigest()
    expected = tmp_path / "obj" / "md5" / digest[:2] / digest[2:]
    assert cache.path_for(md5_b64(b"hello")) == expected
    assert cache.path_for(digest) == expected  # hex is accepted too


@pytest.mark.parametrize("bad", ["", "not-an-md5", "abc=", "../../etc/passwd", "g" * 32])
def test_a_malformed_md5_is_a_usage_error(tmp_path: Path, bad: str) -> None:
    with pytest.raises(UsageError, match="md5"):
        ArtifactCache(tmp_path).lookup(bad, 1)


def test_add_then_lookup_and_materialize(cache: ArtifactCache, tmp_path: Path) -> None:
    data = b"x" * 5000
    digest = md5_b64(data)
    assert cache.lookup(digest, len(data)) is None
    assert not cache.materialize(digest, len(data), tmp_path / "out" / "a.bin")

    entry = cache.add(write(tmp_path / "src.bin", data), digest)

    assert entry == cache.path_for(digest)
    assert entry.read_bytes() == data
    assert stat.S_IMODE(entry.stat().st_mode) & 0o222 == 0  # entries are read-only
    assert cache.lookup(digest, len(data)) == entry
    assert cache.lookup(digest, len(data) + 1) is None  # a size mismatch is a miss
    dest = tmp_path / "out" / "deep" / "a.bin"
    assert cache.materialize(digest, len(data), dest)
    assert dest.read_bytes() == data
    assert cache.size() == len(data)
    assert [p.name for p in dest.parent.iterdir()] == ["a.bin"]  # no temporary left


def test_link_mode_hard_links_and_copy_mode_copies(tmp_path: Path) -> None:
    data = b"shared bytes"
    digest = md5_b64(data)
    linked = ArtifactCache(tmp_path / "c1", link=True)
    entry = linked.add(write(tmp_path / "a", data), digest, verify=True)
    assert linked.materialize(digest, len(data), tmp_path / "linked")
    assert os.path.samefile(entry, tmp_path / "linked")

    copied = ArtifactCache(tmp_path / "c2", link=False)
    entry = copied.add(write(tmp_path / "b", data), digest)
    assert copied.materialize(digest, len(data), tmp_path / "copied")
    assert not os.path.samefile(entry, tmp_path / "copied")
    assert os.access(tmp_path / "copied", os.W_OK)  # a copy is an ordinary file


def test_add_verifies_the_bytes(cache: ArtifactCache, tmp_path: Path) -> None:
    source = write(tmp_path / "src.bin", b"actual")
    with pytest.raises(IntegrityError, match=r"src\.bin"):
        cache.add(source, md5_b64(b"claimed"))
    assert cache.lookup(md5_b64(b"claimed"), 6) is None
    assert cache.size() == 0
    shard = cache.path_for(md5_b64(b"claimed")).parent
    assert list(shard.iterdir()) == []  # the temporary is gone


def test_a_corrupt_entry_is_dropped_not_handed_out(cache: ArtifactCache, tmp_path: Path) -> None:
    data = b"good data"
    digest = md5_b64(data)
    entry = cache.add(write(tmp_path / "src", data), digest)
    os.chmod(entry, 0o644)
    entry.write_bytes(b"evil data")  # same size, other bytes: a disk error or an edit
    dest = tmp_path / "out" / "f"

    assert not cache.materialize(digest, len(data), dest)

    assert not dest.exists()
    assert cache.lookup(digest, len(data)) is None
    assert list(dest.parent.iterdir()) == []


def test_materialize_replaces_an_existing_destination(cache: ArtifactCache, tmp_path: Path) -> None:
    data = b"new content"
    digest = md5_b64(data)
    cache.add(write(tmp_path / "src", data), digest)
    dest = write(tmp_path / "out" / "f", b"old")
    assert cache.materialize(digest, len(data), dest)
    assert dest.read_bytes() == data


def test_cleanup_evicts_least_recently_used(tmp_path: Path) -> None:
    cache = ArtifactCache(tmp_path / "cache")
    blobs = [bytes([i]) * 1000 for i in range(4)]
    for i, data in enumerate(blobs):
        entry = cache.add(write(tmp_path / f"s{i}", data), md5_b64(data))
        os.utime(entry, (1_000_000 + i, 1_000_000 + i))  # added in order, oldest first
    # Using the oldest makes it the most recent.
    assert cache.materialize(md5_b64(blobs[0]), 1000, tmp_path / "use0")

    assert cache.cleanup(2500) == 2000

    kept = {data for data in blobs if cache.lookup(md5_b64(data), 1000) is not None}
    assert kept == {blobs[0], blobs[3]}
    assert cache.size() == 2000
    assert cache.cleanup(0) == 2000
    assert cache.size() == 0
    assert (tmp_path / "use0").read_bytes() == blobs[0]  # materialized files stay


def test_cleanup_removes_stale_temporaries_only(tmp_path: Path) -> None:
    cache = ArtifactCache(tmp_path)
    data = b"abc"
    entry = cache.add(write(tmp_path / "s", data), md5_b64(data))
    stale = write(entry.parent / ".wk-old.tmp", b"x" * 10)
    fresh = write(entry.parent / ".wk-new.tmp", b"y" * 10)
    old = time.time() - 3 * 24 * 3600
    os.utime(stale, (old, old))

    assert cache.cleanup(10**9) == 10

    assert not stale.exists()
    assert fresh.exists()
    assert cache.size() == 3


@pytest.mark.parametrize("bad", [-1, 1.5, True, "10"])
def test_cleanup_checks_its_argument(tmp_path: Path, bad: object) -> None:
    with pytest.raises(UsageError, match="max_bytes"):
        ArtifactCache(tmp_path).cleanup(bad)  # type: ignore[arg-type]


def test_empty_or_missing_cache(tmp_path: Path) -> None:
    cache = ArtifactCache(tmp_path / "never-created")
    assert cache.size() == 0
    assert cache.cleanup(0) == 0
    assert list(cache.entries()) == []


def test_default_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert ArtifactCache.default(environ={}).root == tmp_path / "home/.cache/wandbkit/artifacts"
    assert ArtifactCache.default(environ={"XDG_CACHE_HOME": "/xdg"}).root == Path(
        "/xdg/wandbkit/artifacts"
    )
    # A relative XDG_CACHE_HOME is invalid (XDG spec) and ignored.
    relative = ArtifactCache.default(environ={"XDG_CACHE_HOME": "rel"})
    assert relative.root == tmp_path / "home/.cache/wandbkit/artifacts"
    moved = ArtifactCache.default(environ={"WANDBKIT_CACHE_DIR": "/c", "XDG_CACHE_HOME": "/x"})
    assert moved.root == Path("/c")
    assert ArtifactCache.default(environ={"WANDBKIT_CACHE_DIR": " "}).root.name == "artifacts"
    monkeypatch.setenv("WANDBKIT_CACHE_DIR", str(tmp_path / "env"))
    assert ArtifactCache.default().root == tmp_path / "env"
    assert "env" in repr(ArtifactCache.default())


def test_hashing_helpers(tmp_path: Path) -> None:
    data = os.urandom(3 * (1 << 20) + 17)  # several chunks and a tail
    source = write(tmp_path / "big", data)
    assert file_md5(source).md5 == md5_b64(data)
    assert file_md5(source).size == len(data)
    copied = copy_hashing(source, tmp_path / "copy")
    assert copied.md5 == md5_b64(data)
    assert (tmp_path / "copy").read_bytes() == data


def test_two_threads_adding_and_materializing_the_same_entry(tmp_path: Path) -> None:
    cache = ArtifactCache(tmp_path / "cache")
    data = os.urandom(200_000)
    digest = md5_b64(data)
    errors: list[BaseException] = []

    def racer(n: int) -> None:
        try:
            for i in range(30):
                source = write(tmp_path / f"src-{n}-{i}", data)
                cache.add(source, digest)
                assert cache.materialize(digest, len(data), tmp_path / f"out-{n}" / "f")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=racer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert file_md5(cache.path_for(digest)).md5 == digest
    assert [p.name for p in cache.path_for(digest).parent.iterdir()] == [
        cache.path_for(digest).name
    ]


def _add_many(root: str, source_dir: str, data: bytes, rounds: int, link: bool) -> None:
    cache = ArtifactCache(root, link=link)
    digest = md5_b64(data)
    for i in range(rounds):
        source = write(Path(source_dir) / f"{os.getpid()}-{i}", data)
        cache.add(source, digest)
        dest = Path(source_dir) / f"out-{os.getpid()}"
        if not cache.materialize(digest, len(data), dest):
            raise AssertionError("a fresh entry was not found")
        if dest.read_bytes() != data:
            raise AssertionError("materialized bytes differ")


@pytest.mark.parametrize("link", [True, False], ids=["link", "copy"])
def test_two_processes_adding_the_same_entry_both_end_correct(tmp_path: Path, link: bool) -> None:
    data = os.urandom(300_000)
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(
            target=_add_many,
            args=(str(tmp_path / "cache"), str(tmp_path / f"p{n}"), data, 25, link),
        )
        for n in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)

    assert [worker.exitcode for worker in workers] == [0, 0]
    cache = ArtifactCache(tmp_path / "cache")
    entry = cache.lookup(md5_b64(data), len(data))
    assert entry is not None
    assert file_md5(entry).md5 == md5_b64(data)
    assert cache.size() == len(data)
