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

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from wandbkit._async.artifacts.bundles import Bundle, download_bundle, group
from wandbkit._async.artifacts.download_jobs import Batch, download_one, plan_downloads
from wandbkit._async.context import ClientContext
from wandbkit._async.transport import AsyncTransport
from wandbkit._core.artifact_cache import ArtifactCache, file_md5
from wandbkit._core.artifact_paths import (
    safe_destination,
    source_kind,
)
from wandbkit._core.errors import IntegrityError, UsageError
from wandbkit._core.flavor_async import IS_ASYNC, MaybeAwaitable, gather_limited, monotonic
from wandbkit._core.transfer import md5_digest_of, verify_transfer
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


async def download_files(
    context: ClientContext,
    files: Sequence[RemoteFile],
    root: Path,
    *,
    cache: ArtifactCache | None,
    max_workers: int = 16,
    progress: bool | None = None,
    allow_missing_references: bool = False,
    multipart: bool | None = None,
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
        multipart: fetch big files in parallel ranges (``wandb``'s switch): None from
            ``MULTIPART_MIN_BYTES`` (2 GiB), True every file of more than one part, False
            none. A server without ranges gets whole-file requests.

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
    jobs = plan_downloads(files, root, allow_missing_references=allow_missing_references)
    if root.exists() and not root.is_dir():
        raise UsageError(f"root must be a directory, but {str(root)!r} is a file")
    batch = Batch(
        transport=context.transport,  # created once, before the workers share it
        cache=cache,
        totals=Totals(),
        directories=Directories(),
        allow_missing_references=allow_missing_references,
        multipart=multipart,
    )
    workers = min(max_workers, len(jobs))
    queue = WorkQueue(group(jobs, workers, multipart))
    total_bytes = sum(job.file.size for job in jobs)
    try:
        batch.directories.make(root)
        with TransferProgress(
            "downloading", total_bytes, enabled=progress_enabled(progress)
        ) as bar:

            async def worker() -> None:
                while (job := queue.next()) is not None:
                    try:
                        if isinstance(job, Bundle):
                            await download_bundle(batch, job)
                        else:
                            await download_one(batch, job)
                    except Exception as exc:  # raised once every worker is done
                        queue.fail(exc)
                    else:
                        members = job.jobs if isinstance(job, Bundle) else (job,)
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
