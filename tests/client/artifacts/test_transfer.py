"""The artifact transfer engine (download_files / upload_files), both flavours, over a scripted
storage server (httpx.MockTransport): verification, atomicity, the cache, hostile manifests,
where the API key goes, retries, and bounded concurrency.

Sleeps of the retry loop are replaced by a fake clock, so no test waits.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import signal
import threading
import time
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest

import wandbkit._async.transport as async_transport_module
import wandbkit._sync.transport as sync_transport_module
from wandbkit._async.artifacts import download_jobs as async_jobs
from wandbkit._async.artifacts import transfer as async_transfer
from wandbkit._async.context import ClientContext as AsyncContext
from wandbkit._core.artifact_cache import ArtifactCache
from wandbkit._core.config import Settings
from wandbkit._core.errors import (
    APIConnectionError,
    BadRequestError,
    IntegrityError,
    NotFoundError,
    UsageError,
)
from wandbkit._core.transfer_jobs import LocalFile, RemoteFile, TransferReport, UploadTarget
from wandbkit._sync.artifacts import download_jobs as sync_jobs
from wandbkit._sync.artifacts import transfer as sync_transfer
from wandbkit._sync.context import ClientContext as SyncContext

BASE = "http://wandbkit.test"
OTHER = "https://storage.elsewhere.test"
SECRET = "0123456789abcdef0123456789abcdef01234567"

Side = Literal["async", "sync"]


def md5_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


class _Body(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body in chunks that may break off after ``fail_after`` bytes."""

    def __init__(self, data: bytes, fail_after: int | None, chunk: int = 64 * 1024) -> None:
        self.data, self.fail_after, self.chunk = data, fail_after, chunk

    def __iter__(self) -> Iterator[bytes]:
        for start in range(0, len(self.data), self.chunk):
            if self.fail_after is not None and start >= self.fail_after:
                raise httpx.RemoteProtocolError("peer closed connection mid-body")
            yield self.data[start : start + self.chunk]
        if self.fail_after is not None and self.fail_after >= len(self.data):
            raise httpx.RemoteProtocolError("peer closed connection mid-body")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self:
            yield chunk


@dataclass
class Storage:
    """Serves blobs by URL, takes uploads, and misbehaves as told."""

    blobs: dict[str, bytes] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    corrupt: set[str] = field(default_factory=set)
    #: URL -> how many more times its body breaks off half way.
    drops: dict[str, int] = field(default_factory=dict)
    #: URL -> statuses to answer first, in order.
    statuses: dict[str, list[int]] = field(default_factory=dict)
    uploads: dict[str, bytes] = field(default_factory=dict)
    #: Answer Range requests (206); otherwise they get the whole blob (200), as a server
    #: without ranges does.
    ranges: bool = False
    in_flight: int = 0
    peak_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, url: str, data: bytes) -> str:
        self.blobs[url] = data
        return url

    def _enter(self) -> None:
        with self.lock:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self.lock:
            self.in_flight -= 1

    def answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        url = str(request.url)
        scripted = self.statuses.get(url)
        if scripted:
            return httpx.Response(scripted.pop(0), text="scripted")
        if request.method == "PUT":
            body = request.read()
            expected = request.headers.get("Content-MD5")
            if expected is not None and expected != md5_b64(body):
                return httpx.Response(400, text="Content-MD5 mismatch")
            self.uploads[url] = body
            return httpx.Response(200)
        if url not in self.blobs:
            return httpx.Response(404, text="no such blob")
        data = self.blobs[url]
        if url in self.corrupt:
            data = bytes([data[0] ^ 1]) + data[1:]
        wanted = request.headers.get("range")
        if self.ranges and wanted is not None:
            first, last = (int(n) for n in wanted.removeprefix("bytes=").split("-"))
            part = data[first : last + 1]
            headers = {"Content-Range": f"bytes {first}-{first + len(part) - 1}/{len(data)}"}
            return httpx.Response(206, content=part, headers=headers)
        fail_after = None
        if self.drops.get(url, 0) > 0:
            self.drops[url] -= 1
            fail_after = len(data) // 2
        return httpx.Response(200, stream=_Body(data, fail_after))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self._enter()
        try:
            time.sleep(0.002)  # long enough for the other threads to be in flight too
            return self.answer(request)
        finally:
            self._leave()

    async def handle_async(self, request: httpx.Request) -> httpx.Response:
        self._enter()
        try:
            await asyncio.sleep(0.002)
            return self.answer(request)
        finally:
            self._leave()

    def got(self, url_prefix: str) -> list[httpx.Request]:
        return [r for r in self.requests if str(r.url).startswith(url_prefix)]


@pytest.fixture(autouse=True)
def no_sleeping(monkeypatch: pytest.MonkeyPatch) -> None:
    async def skip_async(seconds: float) -> None:
        return None

    monkeypatch.setattr(async_transport_module, "async_sleep", skip_async)
    monkeypatch.setattr(sync_transport_module, "sync_sleep", lambda seconds: None)


@pytest.fixture(params=["async", "sync"])
def side(request: pytest.FixtureRequest) -> Side:
    value: Side = request.param
    return value


@pytest.fixture
def storage() -> Storage:
    return Storage()


def settings() -> Settings:
    return Settings(base_url=BASE, api_key=SECRET, max_retries=3)


async def download(
    side: Side, storage: Storage, files: list[RemoteFile], root: Path, **options: Any
) -> TransferReport:
    options.setdefault("cache", None)
    options.setdefault("progress", False)
    if side == "async":
        ctx = AsyncContext(settings(), transport=httpx.MockTransport(storage.handle_async))
        try:
            return await async_transfer.download_files(ctx, files, root, **options)
        finally:
            await ctx.aclose()
    sync_ctx = SyncContext(settings(), transport=httpx.MockTransport(storage))
    try:
        return sync_transfer.download_files(sync_ctx, files, root, **options)
    finally:
        sync_ctx.close()


async def upload(
    side: Side, storage: Storage, targets: list[UploadTarget], **options: Any
) -> TransferReport:
    options.setdefault("progress", False)
    if side == "async":
        ctx = AsyncContext(settings(), transport=httpx.MockTransport(storage.handle_async))
        try:
            return await async_transfer.upload_files(ctx, targets, **options)
        finally:
            await ctx.aclose()
    sync_ctx = SyncContext(settings(), transport=httpx.MockTransport(storage))
    try:
        return sync_transfer.upload_files(sync_ctx, targets, **options)
    finally:
        sync_ctx.close()


def stored(storage: Storage, path: str, data: bytes, host: str = BASE) -> RemoteFile:
    url = storage.add(f"{host}/signed/files/{hashlib.sha1(path.encode()).hexdigest()}", data)
    return RemoteFile(path=path, md5_b64=md5_b64(data), size=len(data), url=url)


def dataset(storage: Storage, count: int = 30) -> dict[str, bytes]:
    contents = {f"part-{i // 10}/file-{i}.bin": os.urandom(1000 + 137 * i) for i in range(count)}
    contents["empty.txt"] = b""
    contents["big/blob.bin"] = os.urandom(2 * (1 << 20) + 333)  # several 1 MiB chunks
    return contents


def files_of(storage: Storage, contents: dict[str, bytes]) -> list[RemoteFile]:
    return [stored(storage, path, data) for path, data in contents.items()]


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (temporaries included) by POSIX path."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# -- downloads ----------------------------------------------------------------------------


async def test_downloads_every_file_verified(side: Side, storage: Storage, tmp_path: Path) -> None:
    contents = dataset(storage)
    root = tmp_path / "root"

    report = await download(side, storage, files_of(storage, contents), root, max_workers=4)

    assert tree(root) == contents  # every byte, and no temporary left behind
    assert report.files == len(contents)
    assert report.bytes_downloaded == sum(map(len, contents.values()))
    assert (report.bytes_from_cache, report.files_already_present) == (0, 0)
    assert report.elapsed_seconds >= 0
    assert 1 < storage.peak_in_flight <= 4  # concurrent, and bounded by max_workers


async def test_a_md5_mismatch_raises_and_leaves_nothing(
    side: Side, storage: Storage, tmp_path: Path
) -> None:
    bad = stored(storage, "deep/dir/model.bin", os.urandom(5000))
    storage.corrupt.add(bad.url)
    cache = ArtifactCache(tmp_path / "cache")
    root = tmp_path / "root"

    with pytest.raises(IntegrityError, match=r"'deep/dir/model\.bin'.*md5"):
        await download(side, storage, [bad], root, cache=cache)

    assert not root.exists()  # nor the directories made for it
    assert cache.size() == 0


async def test_directories_that_were_there_stay(
    side: Side, storage: Storage, tmp_path: Path
) -> None:
    bad = stored(storage, "kept/new/f.bin", os.urandom(50))
    storage.corrupt.add(bad.url)
    (tmp_path / "root" / "kept").mkdir(parents=True)

    with pytest.raises(IntegrityError):
        await download(side, storage, [bad], tmp_path / "root")

    assert [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")] == [
        "root",
        "root/kept",
    ]


async def test_an_unwritable_cache_is_warned_about_and_skipped(
    side: Side, storage: Storage, tmp_path: Path
) -> None:
    (tmp_path / "cache-is-a-file").write_bytes(b"")
    cache = ArtifactCache(tmp_path / "cache-is-a-file")
    contents = {"a": b"1", "b/c": b"22"}

    with pytest.warns(RuntimeWarning, match="cannot be used"):
        report = await download(
            side,
            storage,
            files_of(storage, contents),
            tmp_path / "root",
            cache=cache,
            max_workers=1,
        )

    assert tree(tmp_path / "root") == contents
    assert report.bytes_downloaded == 3


async def test_a_size_mismatch_raises(side: Side, storage: Storage, tmp_path: Path) -> None:
    data = os.urandom(100)
    entry = RemoteFile("f.bin", md5_b64(data), 99, storage.add(f"{BASE}/signed/files/x", data))
    with pytest.raises(IntegrityError, match=r"100 bytes transferred.*99"):
        await download(side, storage, [entry], tmp_path / "root")
    assert tree(tmp_path / "root") == {}


async def test_a_dropped_body_is_retried_from_scratch(
    side: Side, storage: Storage, tmp_path: Path
) -> None:
    data = os.urandom(600_000)
    entry = stored(storage, "a.bin", data)
    storage.drops[entry.url] = 2

    report = await download(side, storage, [entry], tmp_path / "root")

    assert (tmp_path / "root" / "a.bin").read_bytes() == data
    assert len(storage.got(entry.url)) == 3
    assert report.bytes_downloaded == len(data)  # the partial attempts are not counted


async def test_a_body_that_always_breaks_fails_cleanly(
    side: Side, storage: Storage, tmp_path: Path
) -> None:
    entry = stored(storage, "a.bin", os.urandom(300_000))
    storage.drops[entry.url] = 100

    with pytest.raises(APIConnectionError, match=r"'a\.bin'"):
        await download(side, storage, [entry], tmp_path / "root")

    assert tree(tmp_path / "root") == {}
    assert len(storage.got(entry.url)) == 4  # 1 + max_retries


async def test_server_errors_are_retried_then_typed(
    side: Side, storage: Storage, tmp_path: Path
) -> None:
    data = b"payload"
    flaky = stored(storage, "flaky", data)
    gone = stored(storage, "gone", b"x")
    storage.statuses[flaky.url] = [503, 502]
    storage.blobs.pop(gone.url)

    with pytest.raises(NotFoundError, match="'gone'"):
        await download(side, storage, [flaky, gone], tmp_path / "root", max_workers=1)
    assert (tmp_path / "root" / "flaky").read_bytes() == data
    assert not (tmp_path / "root" / "gone").exists()


async def test_a_second_download_into_the_same_root_transfers_nothing(
    side: Side, storage: Storage, tmp_path: Path
) -> None:
    contents = dataset(storage)
    files = files_of(storage, contents)
    root = tmp_path / "root"
    cache = ArtifactCache(tmp_path / "cache")
    await download(side, storage, files, root, cache=cache)
    storage.requests.clear()

    again = await download(side, storage, files, root, cache=cache)

    assert storage.requests == []
    assert again.bytes_downloaded == 0
    assert again.files_already_present == again.files == len(contents)
    assert tree(root) == contents


async def test_a_new_root_is_filled_from_the_cache(
    side: Side, storage: Storage, tmp_path: Path
) -> None:
    contents = dataset(storage)
    files = files_of(storage, contents)
    cache = ArtifactCache(tmp_path / "cache")
    first = await download(side, storage, files, tmp_path / "one", cache=cache)
    assert first.bytes_from_cache == 0
    assert cache.size() == sum(map(len, contents.values()))
    storage.requests.clear()

    second = await download(side, storage, files, tmp_path / "two", cache=cache)

    assert storage.requests == []
    assert second.bytes_downloaded == 0
    assert second.bytes_from_cache == sum(map(len, contents.values()))
    assert tree(tmp_path / "two") == contents


async def test_a_changed_file_in_the_root_is_replaced(
    side: Side, storage: Storage, tmp_path: Path
) -> None:
    data = os.urandom(4000)
    entry = stored(storage, "dir/f.bin", data)
    root = tmp_path / "root"
    (root / "dir").mkdir(parents=True)
    (root / "dir" / "f.bin").write_bytes(b"stale local edit")

    report = await download(side, storage, [entry], root, cache=None)

    assert (root / "dir" / "f.bin").read_bytes() == data
    assert report.bytes_downloaded == len(data)
    assert report.files_already_present == 0


async def test_a_corrupt_cache_entry_is_downloaded_again(
    side: Side, storage: Storage, tmp_path: Path
) -> None:
    data = os.urandom(4000)
    entry = stored(storage, "f.bin", data)
    cache = ArtifactCache(tmp_path / "cache", link=False)
    await download(side, storage, [entry], tmp_path / "one", cache=cache)
    cached = cache.path_for(entry.md5_b64)
    os.chmod(cached, 0o644)
    cached.write_bytes(os.urandom(4000))

    report = await download(side, storage, [entry], tmp_path / "two", cache=cache)

    assert (tmp_path / "two" / "f.bin").read_bytes() == data
    assert report.bytes_downloaded == len(data)
    assert cached.read_bytes() == data  # the entry is good again


@pytest.mark.parametrize(
    "path", ["../escape.txt", "/etc/passwd", "a/../../x", "a\\..\\x", "nul\x00byte", "a//b", ""]
)
async def test_hostile_paths_are_refused_before_any_io(
    side: Side, storage: Storage, tmp_path: Path, path: str
) -> None:
    good = stored(storage, "fine.txt", b"fine")
    hostile = RemoteFile(path, md5_b64(b"x"), 1, storage.add(f"{BASE}/signed/files/h", b"x"))
    root = tmp_path / "sub" / "root"

    with pytest.raises(UsageError, match="refused"):
        await download(side, storage, [good, hostile], root)

    assert storage.requests == []
    assert list(tmp_path.iterdir()) == []  # not even the root was created


async def test_conflicting_manifests_are_refused(
    side: Side, storage: Storage, tmp_path: Path
) -> None:
    a = stored(storage, "a", b"1")
    a_child = stored(storage, "a/b", b"2")
    with pytest.raises(UsageError, match="conflict"):
        await download(side, storage, [a, a_child], tmp_path / "root")
    twice = RemoteFile("a", md5_b64(b"other"), 5, a.url)
    with pytest.raises(UsageError, match="twice"):
        await download(side, storage, [a, twice], tmp_path / "root")
    assert storage.requests == []


async def test_the_same_entry_twice_is_fetched_once(
    side: Side, storage: Storage, tmp_path: Path
) -> None:
    a = stored(storage, "a", b"1")
    report = await download(side, storage, [a, a], tmp_path / "root")
    assert report.files == 1
    assert len(storage.requests) == 1


async def test_a_stored_file_must_have_an_md5(side: Side, storage: Storage, tmp_path: Path) -> None:
    entry = RemoteFile("a", "not-an-md5", 1, storage.add(f"{BASE}/signed/files/a", b"1"))
    with pytest.raises(IntegrityError, match="not an md5"):
        await download(side, storage, [entry], tmp_path / "root")
    assert storage.requests == []


@pytest.mark.parametrize("bad", [0, -1, True, 2.0])
async def test_max_workers_is_checked(
    side: Side, storage: Storage, tmp_path: Path, bad: object
) -> None:
    with pytest.raises(UsageError, match="max_workers"):
        await download(side, storage, [], tmp_path / "root", max_workers=bad)


async def test_the_root_must_be_a_directory(side: Side, storage: Storage, tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(UsageError, match="root must be a directory"):
        await download(side, storage, [stored(storage, "a", b"1")], tmp_path / "file")
    assert storage.requests == []


async def test_nothing_to_download(side: Side, storage: Storage, tmp_path: Path) -> None:
    report = await download(side, storage, [], tmp_path / "root")
    assert (report.files, report.bytes_downloaded) == (0, 0)


async def test_one_failure_stops_handing_out_new_files(
    side: Side, storage: Storage, tmp_path: Path
) -> None:
    bad = stored(storage, "bad", os.urandom(100))
    storage.corrupt.add(bad.url)
    rest = [stored(storage, f"f{i}", os.urandom(100)) for i in range(50)]

    with pytest.raises(IntegrityError, match="'bad'"):
        await download(side, storage, [bad, *rest], tmp_path / "root", max_workers=2)

    assert len(storage.requests) < 10
    left = tree(tmp_path / "root")
    assert all(not name.startswith(".") for name in left)  # only verified files stay
    assert all(left[f.path] == storage.blobs[f.url] for f in rest if f.path in left)


def test_an_interrupted_sync_download_stops_taking_files(storage: Storage, tmp_path: Path) -> None:
    files = [stored(storage, f"dir/f{i}", os.urandom(2000)) for i in range(300)]
    answer = storage.answer
    interrupted = threading.Event()
    once = threading.Lock()

    def interrupt_on_the_fifth(request: httpx.Request) -> httpx.Response:
        # Exactly one Ctrl-C (two workers may see the fifth request at once), while the
        # main thread waits.
        with once:
            fire = len(storage.requests) >= 4 and not interrupted.is_set()
            if fire:
                interrupted.set()
        if fire:
            # To the main thread, as a terminal's Ctrl-C reaches it: a process-wide kill from
            # this worker thread may be taken by the worker itself, and the main thread would
            # notice it only after its join returns.
            signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)
        return answer(request)

    storage.answer = interrupt_on_the_fifth  # type: ignore[method-assign]
    ctx = SyncContext(settings(), transport=httpx.MockTransport(storage))
    try:
        with pytest.raises(KeyboardInterrupt):
            sync_transfer.download_files(
                ctx, files, tmp_path / "root", cache=None, progress=False, max_workers=4
            )
    finally:
        ctx.close()

    assert len(storage.requests) < 40  # the threads took no new file after the interruption
    left = tree(tmp_path / "root")
    assert [n for n in left if n.split("/")[-1].startswith(".")] == []
    assert all(data == storage.blobs[f.url] for f in files if (data := left.get(f.path)))


# -- where the key goes, and references ----------------------------------------------------


async def test_the_key_goes_only_where_it_is_needed_on_the_base_url_origin(
    side: Side, storage: Storage, tmp_path: Path
) -> None:
    signed = stored(storage, "signed", b"a signed URL on the server")
    fallback_url = storage.add(f"{BASE}/artifacts/entity/abc", b"fallback route")
    fallback = RemoteFile("fallback", md5_b64(b"fallback route"), 14, fallback_url, False, True)
    elsewhere_url = storage.add(f"{OTHER}/x", b"storage host")
    elsewhere = RemoteFile("elsewhere", md5_b64(b"storage host"), 12, elsewhere_url, False, True)
    data = b"referenced bytes"
    ref = RemoteFile("ref.txt", md5_b64(data), len(data), storage.add(f"{OTHER}/r", data), True)
    ref_on_base = RemoteFile("ref2", md5_b64(data), len(data), storage.add(f"{BASE}/r", data), True)
    port_url = storage.add("http://wandbkit.test:8081/r", data)
    other_port = RemoteFile("ref3", md5_b64(data), len(data), port_url, True, True)

    files = [signed, fallback, elsewhere, ref, ref_on_base, other_port]
    await download(side, storage, files, tmp_path / "root")

    assert tree(tmp_path / "root")["ref.txt"] == data
    by_url = {str(r.url): r for r in storage.requests}
    for keyed in (fallback, ref_on_base):
        assert "authorization" in by_url[keyed.url].headers
    for unkeyed in (signed, elsewhere, ref, other_port):
        assert "authorization" not in by_url[unkeyed.url].headers
        assert SECRET not in str(by_url[unkeyed.url].headers)


@pytest.mark.parametrize("url", ["s3://bucket/key.bin", "gs://bucket/key", "ftp://host/x"])
async def test_an_unsupported_reference_scheme_is_named(
    side: Side, storage: Storage, tmp_path: Path, url: str
) -> None:
    good = stored(storage, "good", b"good")
    ref = RemoteFile("ref.bin", md5_b64(b"x"), 1, url, is_reference=True)

    with pytest.raises(UsageError) as caught:
        await download(side, storage, [good, ref], tmp_path / "root")
    scheme = url.split(":")[0]
    assert f"scheme {scheme!r}" in str(caught.value)
    assert "allow_missing_references" in str(caught.value)
    assert storage.requests == []

    report = await download(
        side, storage, [good, ref], tmp_path / "root", allow_missing_references=True
    )
    assert report.files == 1
    assert tree(tmp_path / "root") == {"good": b"good"}


async def test_file_references_are_copied_and_verified(
    side: Side, storage: Storage, tmp_path: Path
) -> None:
    data = os.urandom(3000)
    local = tmp_path / "elsewhere" / "data file.bin"
    local.parent.mkdir()
    local.write_bytes(data)
    ref = RemoteFile("copied.bin", md5_b64(data), len(data), local.as_uri(), is_reference=True)
    wrong = RemoteFile("wrong.bin", md5_b64(b"other"), len(data), local.as_uri(), True)

    report = await download(side, storage, [ref], tmp_path / "root")
    assert (tmp_path / "root" / "copied.bin").read_bytes() == data
    assert report.bytes_downloaded == len(data)

    with pytest.raises(IntegrityError, match=r"'wrong\.bin'"):
        await download(side, storage, [wrong], tmp_path / "root")
    assert not (tmp_path / "root" / "wrong.bin").exists()


async def test_missing_references_raise_or_are_skipped(
    side: Side, storage: Storage, tmp_path: Path
) -> None:
    missing_file = RemoteFile(
        "f", md5_b64(b"x"), 1, (tmp_path / "nope").as_uri(), is_reference=True
    )
    missing_http = RemoteFile("h", md5_b64(b"x"), 1, f"{OTHER}/nope", is_reference=True)

    for ref in (missing_file, missing_http):
        with pytest.raises(NotFoundError):
            await download(side, storage, [ref], tmp_path / "root")
    report = await download(
        side,
        storage,
        [missing_file, missing_http],
        tmp_path / "root",
        allow_missing_references=True,
    )
    assert report.files == 0
    assert tree(tmp_path / "root") == {}


async def test_a_reference_whose_digest_is_not_an_md5_is_checked_by_size(
    side: Side, storage: Storage, tmp_path: Path
) -> None:
    data = b"etag-addressed"
    ref = RemoteFile(
        "e", '"5d41402abc4b2a76b9719d911017c592-2"', len(data), f"{OTHER}/e", is_reference=True
    )
    storage.add(ref.url, data)
    cache = ArtifactCache(tmp_path / "cache")

    await download(side, storage, [ref], tmp_path / "root", cache=cache)

    assert (tmp_path / "root" / "e").read_bytes() == data
    assert cache.size() == 0  # only md5-verified bytes are cached


async def test_progress_bar_does_not_change_the_result(
    side: Side, storage: Storage, tmp_path: Path
) -> None:
    contents = {"a": b"1" * 100, "b": b"2" * 200}
    report = await download(
        side, storage, files_of(storage, contents), tmp_path / "root", progress=True
    )
    assert report.files == 2
    assert tree(tmp_path / "root") == contents


async def test_memory_does_not_grow_with_file_size(storage: Storage, tmp_path: Path) -> None:
    big = os.urandom(24 * (1 << 20))
    entry = stored(storage, "big.bin", big)
    tracemalloc.start()
    try:
        await download("async", storage, [entry], tmp_path / "root")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (tmp_path / "root" / "big.bin").stat().st_size == len(big)
    assert peak < 6 * (1 << 20)  # a few chunks, not 24 MiB


def test_file_md5_b64(tmp_path: Path) -> None:
    data = os.urandom(5000)
    (tmp_path / "f").write_bytes(data)
    assert async_transfer.file_md5_b64(tmp_path / "f") == (md5_b64(data), len(data))
    assert sync_transfer.file_md5_b64(tmp_path / "f") == (md5_b64(data), len(data))


# -- uploads -------------------------------------------------------------------------------


def upload_target(storage: Storage, tmp_path: Path, name: str, data: bytes) -> UploadTarget:
    source = tmp_path / "src" / name
    source.parent.mkdir(exist_ok=True)
    source.write_bytes(data)
    local = LocalFile(path=f"dir/{name}", source=source, md5_b64=md5_b64(data), size=len(data))
    url = f"{OTHER}/upload/{name}?sig=abc"
    headers = {"Content-MD5": md5_b64(data), "X-Upload-Kind": "artifact"}
    return UploadTarget(file=local, url=url, headers=headers)


async def test_uploads_in_parallel_with_the_headers(
    side: Side, storage: Storage, tmp_path: Path
) -> None:
    blobs = {f"f{i}.bin": os.urandom(2000 + i) for i in range(12)}
    targets = [upload_target(storage, tmp_path, n, d) for n, d in blobs.items()]

    report = await upload(side, storage, targets, max_workers=4)

    assert report.files == len(blobs)
    assert report.bytes_transferred == sum(map(len, blobs.values()))
    assert {url.split("/")[-1].split("?")[0]: b for url, b in storage.uploads.items()} == blobs
    assert 1 < storage.peak_in_flight <= 4
    for request in storage.requests:
        assert request.method == "PUT"
        assert request.headers["X-Upload-Kind"] == "artifact"
        assert "authorization" not in request.headers


async def test_uploads_are_retried(side: Side, storage: Storage, tmp_path: Path) -> None:
    target = upload_target(storage, tmp_path, "f", b"content")
    storage.statuses[target.url] = [503, 500]
    await upload(side, storage, [target])
    assert len(storage.requests) == 3
    assert storage.uploads[target.url] == b"content"


async def test_a_refused_upload_is_a_typed_error(
    side: Side, storage: Storage, tmp_path: Path
) -> None:
    target = upload_target(storage, tmp_path, "f", b"content")
    lying = UploadTarget(target.file, target.url, {"Content-MD5": md5_b64(b"else")})
    with pytest.raises(BadRequestError, match="'dir/f'"):
        await upload(side, storage, [lying])


async def test_a_file_changed_since_hashing_is_not_sent(
    side: Side, storage: Storage, tmp_path: Path
) -> None:
    target = upload_target(storage, tmp_path, "f", b"content")
    target.file.source.write_bytes(b"content, and more")
    with pytest.raises(IntegrityError, match="'dir/f'"):
        await upload(side, storage, [target])
    assert storage.requests == []
    same_size = b"CONTENT"
    target.file.source.write_bytes(same_size)
    no_md5_check = UploadTarget(target.file, target.url, {})
    with pytest.raises(IntegrityError, match="md5"):
        await upload(side, storage, [no_md5_check])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"url": "ftp://x/y"}, "http"),
        ({"path": "../x"}, "refused"),
        ({"md5_b64": "nope"}, "md5"),
    ],
)
async def test_uploads_are_checked_before_any_io(
    side: Side, storage: Storage, tmp_path: Path, change: dict[str, str], message: str
) -> None:
    target = upload_target(storage, tmp_path, "f", b"x")
    file = target.file
    if "path" in change or "md5_b64" in change:
        file = LocalFile(
            change.get("path", file.path), file.source, change.get("md5_b64", file.md5_b64), 1
        )
    bad = UploadTarget(file, change.get("url", target.url), target.headers)
    with pytest.raises(UsageError, match=message):
        await upload(side, storage, [target, bad])
    assert storage.requests == []


@pytest.mark.parametrize("ranges", [True, False], ids=["ranges", "no-ranges"])
async def test_multipart_downloads_in_ranges_or_whole(
    side: Side, storage: Storage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ranges: bool
) -> None:
    """``multipart=True``: a file of several parts comes in parallel ranges written at their
    offsets and is verified as a whole; a server that answers a range with the whole file
    (200) gets one plain request instead. A corrupt file is refused either way."""
    for module in (async_jobs, sync_jobs):
        monkeypatch.setattr(module, "PART_BYTES", 1000)
    storage.ranges = ranges
    data = os.urandom(4500)
    url = storage.add(f"{BASE}/signed/files/big", data)
    files = [RemoteFile("big.bin", md5_b64(data), len(data), url)]
    report = await download(side, storage, files, tmp_path / "r", multipart=True)
    assert (tmp_path / "r" / "big.bin").read_bytes() == data
    assert report.bytes_downloaded == len(data)
    asked = [r.headers.get("range") for r in storage.got(url)]
    if ranges:
        assert sorted(asked, key=lambda r: int(r.split("=")[1].split("-")[0])) == [
            f"bytes={start}-{min(start + 999, 4499)}" for start in range(0, 4500, 1000)
        ]
    else:
        assert asked[-1] is None and len(asked) == 6  # five ranges answered whole, then one
    storage.corrupt.add(url)
    with pytest.raises(IntegrityError):
        await download(side, storage, files, tmp_path / "bad", multipart=True)
    assert not (tmp_path / "bad" / "big.bin").exists()
