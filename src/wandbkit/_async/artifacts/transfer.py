"""The artifact transfer engine: many files at once, each streamed, verified, renamed into place.

:func:`download_files` puts every file of a manifest under a root:

* the paths are checked first (:func:`safe_destination`), and so are the URLs' schemes: a
  hostile manifest is refused before any I/O, and nothing is ever written outside the root;
* a file already in the root with the right md5 is left alone; else a cache hit is
  materialized from the :class:`ArtifactCache` (hard link or copy, verified); else the bytes
  are streamed from the server into a temporary file beside the destination with their md5
  computed on the way, checked against the manifest, added to the cache and renamed into
  place (``os.replace``). A mismatch raises :class:`IntegrityError` and leaves no file;
* requests go through the transport's one retry loop; signed URLs get no API key, and the
  key only ever goes to the base URL's origin (references elsewhere never see it);
* small files from wandbkit's own server are asked for many at a time, in bundles
  (:mod:`wandbkit._lang.artifact_bundle`: one request instead of one per file); whatever a
  bundle does not deliver intact is fetched on its own, so bundles change only the speed;
* up to ``max_workers`` files move at once (coroutines here; threads in the sync twin), one
  chunk per file in memory, so memory does not grow with file size.

:func:`upload_files` PUTs files to the signed URLs of ``createArtifactFiles`` the same way.
"""

from __future__ import annotations

import contextlib
import math
import os
import stat
import tempfile
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

from wandbkit._async.context import ClientContext
from wandbkit._async.transport import CHUNK_SIZE, AsyncTransport
from wandbkit._core.artifact_cache import ArtifactCache, file_md5, stream_hashing
from wandbkit._core.artifact_paths import (
    SourceKind,
    check_layout,
    file_url_path,
    reference_scheme,
    safe_destination,
    source_kind,
)
from wandbkit._core.errors import IntegrityError, NotFoundError, UsageError
from wandbkit._core.flavor_async import IS_ASYNC, MaybeAwaitable, gather_limited, monotonic
from wandbkit._core.transfer import Tally, Transfer, md5_digest_of, verify_transfer
from wandbkit._core.transfer_jobs import (
    Directories,
    LocalFile,
    RemoteFile,
    Totals,
    TransferProgress,
    TransferReport,
    UploadTarget,
    WorkQueue,
    progress_enabled,
    run_threads,
)
from wandbkit._lang.artifact_bundle import (
    BundleDecoder,
    BundleError,
    bundle_target,
    encode_request,
)

__all__ = [
    "LocalFile",
    "RemoteFile",
    "TransferReport",
    "UploadTarget",
    "download_files",
    "file_md5_b64",
    "safe_destination",
    "upload_files",
]


def file_md5_b64(path: Path) -> tuple[str, int]:
    """The md5 (base64, W&B's form) and size of the file at ``path``, read in chunks.

    Raises:
        OSError: the file cannot be read.
    """
    got = file_md5(Path(path))
    return got.md5, got.size


@dataclass(frozen=True)
class _Download:
    file: RemoteFile
    dest: Path
    kind: SourceKind
    #: The md5 to check, or None for a reference whose digest is not an md5 (an ETag...).
    digest: bytes | None


#: Files up to this size are asked for in bundles when the server offers them
#: (:mod:`wandbkit._lang.artifact_bundle`); bigger ones stream on their own.
BUNDLE_MAX_FILE_BYTES = 256 * 1024
#: At most this many files per bundle: enough that the per-request cost vanishes, few enough
#: that the workers share the files evenly.
BUNDLE_MAX_FILES = 64


@dataclass(frozen=True)
class _Bundle:
    """Small files fetched in one request to the server's bundle route."""

    url: str
    jobs: tuple[_Download, ...]
    tokens: tuple[str, ...]


def _group(jobs: Sequence[_Download], workers: int) -> list[_Download | _Bundle]:
    """The jobs, with the small files of a bundling server grouped into bundles (spread over
    at least ``workers`` bundles when there are enough files, so that all workers help)."""
    singles: list[_Download | _Bundle] = []
    by_url: dict[str, list[tuple[_Download, str]]] = {}
    for job in jobs:
        target = None
        if (
            job.kind == "http"
            and not job.file.is_reference
            and not job.file.authenticate
            and job.file.size <= BUNDLE_MAX_FILE_BYTES
        ):
            target = bundle_target(job.file.url)
        if target is None:
            singles.append(job)
        else:
            by_url.setdefault(target[0], []).append((job, target[1]))
    bundles: list[_Download | _Bundle] = []
    for url, members in by_url.items():
        if len(members) == 1:
            singles.append(members[0][0])
            continue
        count = max(math.ceil(len(members) / BUNDLE_MAX_FILES), min(workers, len(members) // 8))
        count = max(count, 1)
        for i in range(count):
            part = members[i::count]
            bundles.append(
                _Bundle(url, tuple(job for job, _ in part), tuple(token for _, token in part))
            )
    # Big files first: they take longest, and the bundles then fill the gaps.
    return singles + bundles


async def _run_workers(
    worker: Callable[[], MaybeAwaitable[None]], count: int, queue: WorkQueue[Any]
) -> None:
    """``count`` copies of ``worker`` at once: coroutines here, threads in the sync twin
    (where an interrupted caller stops the queue before waiting for the threads)."""
    if IS_ASYNC:
        await gather_limited([worker] * count, max(count, 1))
    else:
        run_threads(worker, count, queue)


def _check_workers(max_workers: int) -> None:
    if isinstance(max_workers, bool) or not isinstance(max_workers, int) or max_workers < 1:
        raise UsageError(f"max_workers must be an int >= 1, got {max_workers!r}")


def _plan_downloads(
    files: Sequence[RemoteFile], root: Path, *, allow_missing_references: bool
) -> list[_Download]:
    """Check every path and URL (no I/O) and drop duplicates and skipped references."""
    jobs: dict[str, _Download] = {}
    for file in files:
        if not isinstance(file, RemoteFile):
            raise UsageError(f"files must be RemoteFile values, got {type(file).__name__}")
        dest = safe_destination(root, file.path)
        if isinstance(file.size, bool) or not isinstance(file.size, int) or file.size < 0:
            raise IntegrityError(f"artifact file {file.path!r} has an invalid size {file.size!r}")
        kind = source_kind(file.url, is_reference=file.is_reference)
        if kind is None:
            if allow_missing_references:
                continue
            raise UsageError(
                f"reference {file.url!r} of artifact file {file.path!r} uses the scheme "
                f"{reference_scheme(file.url)!r}, which wandbkit cannot download (only "
                "http://, https:// and file:// references); pass "
                "allow_missing_references=True to skip it"
            )
        digest = md5_digest_of(file.md5_b64) if isinstance(file.md5_b64, str) else None
        if digest is None and not file.is_reference:
            raise IntegrityError(
                f"artifact file {file.path!r} has digest {file.md5_b64!r}, which is not an md5"
            )
        earlier = jobs.get(file.path)
        if earlier is not None:
            if (earlier.digest, earlier.file.size) != (digest, file.size):
                raise UsageError(
                    f"artifact file path {file.path!r} appears twice with different contents"
                )
            continue
        jobs[file.path] = _Download(file, dest, kind, digest)
    check_layout(jobs)
    return list(jobs.values())


def _already_present(job: _Download) -> bool:
    """Whether the destination already holds exactly these bytes."""
    if job.digest is None:
        return False  # nothing to check it against: fetch again
    try:
        info = job.dest.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size != job.file.size:
            return False
        got = file_md5(job.dest)
    except OSError:
        return False
    return md5_digest_of(got.md5) == job.digest


def _read_local(job: _Download, sink: IO[bytes]) -> Transfer:
    path = file_url_path(job.file.url)
    try:
        reader = path.open("rb")
    except FileNotFoundError:
        raise NotFoundError(
            f"reference {job.file.url!r} of artifact file {job.file.path!r} does not exist"
        ) from None
    with reader:
        return stream_hashing(reader, sink)


async def _fetch(transport: AsyncTransport, job: _Download, sink: IO[bytes]) -> Transfer:
    if job.kind == "file":
        return _read_local(job, sink)
    return await transport.download(
        job.file.url,
        sink,
        # A signed URL needs no key. Otherwise the key goes only to the base URL's origin
        # (auth_header_for): never to a storage host or a reference on another host.
        authenticate=job.file.authenticate or job.file.is_reference,
        description=f"download of {job.file.path!r}",
    )


@dataclass
class _Batch:
    """What the workers of one download share."""

    transport: AsyncTransport
    cache: ArtifactCache | None
    totals: Totals
    directories: Directories
    allow_missing_references: bool
    cache_failed: bool = False

    def cache_failure(self, exc: OSError) -> None:
        """The cache is an optimization: a cache that cannot be written is warned about
        (once per batch) and then left out, and the download goes on."""
        if not self.cache_failed:
            self.cache_failed = True
            warnings.warn(
                f"the artifact cache {self.cache!r} cannot be used "
                f"({type(exc).__name__}: {exc}); downloading without it",
                RuntimeWarning,
                stacklevel=2,
            )

    def from_cache(self, job: _Download) -> bool:
        if self.cache is None or job.digest is None or self.cache_failed:
            return False
        try:
            return self.cache.materialize(job.file.md5_b64, job.file.size, job.dest)
        except OSError as exc:
            self.cache_failure(exc)
            return False

    def add_to_cache(self, job: _Download, temp: Path) -> None:
        if self.cache is None or job.digest is None or self.cache_failed:
            return
        try:
            # The md5 was computed from these very bytes while they were written.
            self.cache.add(temp, job.file.md5_b64, verify=False, share=True)
        except OSError as exc:
            self.cache_failure(exc)


async def _download_one(batch: _Batch, job: _Download) -> None:
    """Put one file in place (a missing reference that may be skipped is left out)."""
    file = job.file
    if _already_present(job):
        batch.totals.count(already_present=True)
        return
    batch.directories.make(job.dest.parent)
    if batch.from_cache(job):
        batch.totals.count(from_cache=file.size)
        return
    handle, temp_name = tempfile.mkstemp(prefix=".wk-", suffix=".part", dir=job.dest.parent)
    description = f"download of {file.path!r}"
    try:
        try:
            with os.fdopen(handle, "w+b") as sink:
                got = await _fetch(batch.transport, job, sink)
        except NotFoundError:
            if file.is_reference and batch.allow_missing_references:
                os.unlink(temp_name)
                return
            raise
        expected_md5 = file.md5_b64 if job.digest is not None else None
        verify_transfer(file.size, expected_md5, got, description=description)
        batch.add_to_cache(job, Path(temp_name))
        os.replace(temp_name, job.dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    batch.totals.count(transferred=got.size)


class _BundleItem:
    """One file of a bundle while its bytes arrive: a temporary file beside its destination."""

    def __init__(self, job: _Download) -> None:
        self.job = job
        handle, self.temp = tempfile.mkstemp(prefix=".wk-", suffix=".part", dir=job.dest.parent)
        self.sink = os.fdopen(handle, "wb")
        self.tally = Tally()

    def write(self, data: bytes) -> None:
        self.tally.add(data)
        self.sink.write(data)

    def discard(self) -> None:
        self.sink.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.temp)


def _finish_item(batch: _Batch, item: _BundleItem) -> bool:
    """Put a fully received file in place if it is intact; False (and no file) if not."""
    item.sink.close()
    job, got = item.job, item.tally.result()
    if got.size != job.file.size or md5_digest_of(got.md5) != job.digest:
        item.discard()  # fetched again on its own, which raises if it is still wrong
        return False
    try:
        batch.add_to_cache(job, Path(item.temp))
        os.replace(item.temp, job.dest)
    except BaseException:
        item.discard()
        raise
    batch.totals.count(transferred=got.size)
    return True


async def _fetch_bundle(batch: _Batch, bundle: _Bundle, jobs: list[int]) -> set[int]:
    """Ask for the files ``jobs`` (indices into ``bundle.jobs``) in one request; the indices
    of those now in place. Anything else (a failed request, a refused or damaged item) is
    left to the caller, which fetches it on its own."""
    done: set[int] = set()
    current: _BundleItem | None = None
    body = encode_request([bundle.tokens[i] for i in jobs])
    client = batch.transport.http_client
    try:
        # No key: every token authorizes its own file, as its signed URL would.
        async with client.stream(
            "POST", bundle.url, content=body, headers={"Content-Type": "application/json"}
        ) as response:
            if response.status_code != 200:
                return done
            decoder = BundleDecoder(len(jobs))
            async for chunk in response.aiter_bytes(CHUNK_SIZE):
                for part in decoder.feed(chunk):
                    index = jobs[part.index]
                    if part.status != 200:
                        continue
                    if current is None:
                        current = _BundleItem(bundle.jobs[index])
                    current.write(part.data)
                    if part.last:
                        item, current = current, None
                        if _finish_item(batch, item):
                            done.add(index)
    except (httpx.HTTPError, BundleError):
        pass  # the files not yet in place are fetched on their own
    finally:
        if current is not None:
            current.discard()
    return done


async def _download_bundle(batch: _Batch, bundle: _Bundle) -> None:
    """The files of a bundle: those present or cached as usual, the rest in one request, and
    whatever that did not deliver one by one."""
    wanted: list[int] = []
    for index, job in enumerate(bundle.jobs):
        if _already_present(job):
            batch.totals.count(already_present=True)
            continue
        batch.directories.make(job.dest.parent)
        if batch.from_cache(job):
            batch.totals.count(from_cache=job.file.size)
            continue
        wanted.append(index)
    done = await _fetch_bundle(batch, bundle, wanted) if len(wanted) > 1 else set()
    for index in wanted:
        if index not in done:
            await _download_one(batch, bundle.jobs[index])


async def download_files(
    context: ClientContext,
    files: Sequence[RemoteFile],
    root: Path,
    *,
    cache: ArtifactCache | None,
    max_workers: int = 16,
    progress: bool | None = None,
    allow_missing_references: bool = False,
) -> TransferReport:
    """Download ``files`` under ``root``, every byte verified, at most ``max_workers`` at once.

    Args:
        context: the client's context (its transport does the sending and retrying).
        files: the entries; a path listed twice with the same digest is fetched once.
        root: the directory to download into (created as needed).
        cache: the content-addressed cache to read from and add to; None for none.
        max_workers: files moving at once.
        progress: show a progress bar (None: only on a terminal, unless
            ``WANDBKIT_PROGRESS=0``).
        allow_missing_references: skip references that cannot be fetched (unsupported
            scheme, or not found) instead of raising.

    Returns:
        What was done; a skipped reference counts nowhere.

    Raises:
        UsageError: a hostile path, conflicting paths, an unsupported reference scheme, or a
            bad argument (before any I/O).
        IntegrityError: a file's size or md5 differ from the manifest (no file is left).
        NotFoundError: a reference does not exist.
        APIConnectionError: no answer after the retries.
        APIStatusError: a non-2xx answer.
    """
    started = monotonic()
    _check_workers(max_workers)
    root = Path(root)
    jobs = _plan_downloads(files, root, allow_missing_references=allow_missing_references)
    if root.exists() and not root.is_dir():
        raise UsageError(f"root must be a directory, but {str(root)!r} is a file")
    batch = _Batch(
        transport=context.transport,  # created once, before the workers share it
        cache=cache,
        totals=Totals(),
        directories=Directories(),
        allow_missing_references=allow_missing_references,
    )
    workers = min(max_workers, len(jobs))
    queue = WorkQueue(_group(jobs, workers))
    total_bytes = sum(job.file.size for job in jobs)
    try:
        batch.directories.make(root)
        with TransferProgress(
            "downloading", total_bytes, enabled=progress_enabled(progress)
        ) as bar:

            async def worker() -> None:
                while (job := queue.next()) is not None:
                    try:
                        if isinstance(job, _Bundle):
                            await _download_bundle(batch, job)
                        else:
                            await _download_one(batch, job)
                    except Exception as exc:  # raised once every worker is done
                        queue.fail(exc)
                    else:
                        members = job.jobs if isinstance(job, _Bundle) else (job,)
                        bar.advance(sum(member.file.size for member in members))

            await _run_workers(worker, workers, queue)
        queue.raise_failure()
    except BaseException:
        batch.directories.remove_empty()
        raise
    totals = batch.totals
    return TransferReport(
        files=totals.files,
        bytes_downloaded=totals.bytes_transferred,
        bytes_from_cache=totals.bytes_from_cache,
        files_already_present=totals.files_already_present,
        elapsed_seconds=monotonic() - started,
    )


def _check_upload(target: UploadTarget) -> None:
    if not isinstance(target, UploadTarget):
        raise UsageError(f"targets must be UploadTarget values, got {type(target).__name__}")
    safe_destination(Path("."), target.file.path)
    source_kind(target.url, is_reference=False)
    if md5_digest_of(target.file.md5_b64) is None:
        raise UsageError(
            f"the md5 of {target.file.path!r} must be base64 of an md5, got {target.file.md5_b64!r}"
        )


async def _upload_one(transport: AsyncTransport, target: UploadTarget, totals: Totals) -> None:
    file = target.file
    description = f"upload of {file.path!r}"
    size = file.source.stat().st_size
    if size != file.size:
        raise IntegrityError(
            f"{description}: {str(file.source)!r} has {size} bytes, not the {file.size} "
            "it had when it was hashed (was it changed?)"
        )
    sent = await transport.upload(
        target.url, file.source, headers=dict(target.headers), description=description
    )
    verify_transfer(file.size, file.md5_b64, sent, description=description)
    totals.count(transferred=sent.size)


async def upload_files(
    context: ClientContext,
    targets: Sequence[UploadTarget],
    *,
    max_workers: int = 16,
    progress: bool | None = None,
) -> TransferReport:
    """PUT each file to its signed upload URL, at most ``max_workers`` at once.

    Bodies are streamed from the files; failed attempts are retried by the transport's retry
    loop; the API key is never sent (upload URLs carry their own authorization). What was sent
    is checked against each file's recorded size and md5.

    Args:
        context: the client's context.
        targets: the files with their upload URLs and headers.
        max_workers: uploads at once.
        progress: show a progress bar (as for :func:`download_files`).

    Returns:
        What was sent (``bytes_downloaded`` counts the bytes sent).

    Raises:
        UsageError: a bad path, URL, md5 or argument (before any I/O).
        IntegrityError: a file changed since it was hashed.
        APIConnectionError: no answer after the retries.
        APIStatusError: the server refused an upload.
    """
    started = monotonic()
    _check_workers(max_workers)
    for target in targets:
        _check_upload(target)
    transport = context.transport
    queue = WorkQueue(targets)
    totals = Totals()
    total_bytes = sum(target.file.size for target in targets)
    with TransferProgress("uploading", total_bytes, enabled=progress_enabled(progress)) as bar:

        async def worker() -> None:
            while (target := queue.next()) is not None:
                try:
                    await _upload_one(transport, target, totals)
                except Exception as exc:
                    queue.fail(exc)
                else:
                    bar.advance(target.file.size)

        await _run_workers(worker, min(max_workers, len(targets)), queue)
    queue.raise_failure()
    return TransferReport(
        files=totals.files,
        bytes_downloaded=totals.bytes_transferred,
        bytes_from_cache=0,
        files_already_present=0,
        elapsed_seconds=monotonic() - started,
    )
