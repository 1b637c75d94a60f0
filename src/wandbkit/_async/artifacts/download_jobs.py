"""One file of a download: the plan (checked paths and URLs), the checks of what is already
there, and the fetch of one file (streamed, or in parallel ranges), verified and renamed
into place (a part of :mod:`wandbkit._async.artifacts.transfer`)."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO

from wandbkit._async.transport import AsyncTransport
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
from wandbkit._core.flavor_async import gather_limited
from wandbkit._core.transfer import Transfer, md5_digest_of, verify_transfer
from wandbkit._core.transfer_jobs import Directories, RemoteFile, Totals

__all__ = [
    "MULTIPART_MIN_BYTES",
    "PART_BYTES",
    "PART_WORKERS",
    "Batch",
    "Download",
    "download_one",
    "fetch_one",
    "in_parts",
    "plan_downloads",
    "settled",
]


@dataclass(frozen=True)
class Download:
    file: RemoteFile
    dest: Path
    kind: SourceKind
    #: The md5 to check, or None for a reference whose digest is not an md5 (an ETag...).
    digest: bytes | None


def plan_downloads(
    files: Sequence[RemoteFile], root: Path, *, allow_missing_references: bool
) -> list[Download]:
    """Check every path and URL (no I/O) and drop duplicates and skipped references."""
    jobs: dict[str, Download] = {}
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
        jobs[file.path] = Download(file, dest, kind, digest)
    check_layout(jobs)
    return list(jobs.values())


def already_present(job: Download) -> bool:
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


def read_local(job: Download, sink: IO[bytes]) -> Transfer:
    path = file_url_path(job.file.url)
    try:
        reader = path.open("rb")
    except FileNotFoundError:
        raise NotFoundError(
            f"reference {job.file.url!r} of artifact file {job.file.path!r} does not exist"
        ) from None
    with reader:
        return stream_hashing(reader, sink)


async def fetch_parts(
    transport: AsyncTransport, job: Download, sink: IO[bytes], temp: Path
) -> Transfer | None:
    """The file in ranges of ``PART_BYTES``, ``PART_WORKERS`` at once, each written at its
    offset; then hashed from disk (parts arrive out of order). None when the server does not
    do ranges (the caller streams it whole)."""
    size = job.file.size
    sink.flush()
    fd = sink.fileno()
    os.ftruncate(fd, size)
    description = f"download of {job.file.path!r}"

    async def part(offset: int) -> bool:
        return await transport.download_range(
            job.file.url,
            fd,
            offset,
            min(PART_BYTES, size - offset),
            authenticate=job.file.authenticate or job.file.is_reference,
            description=f"{description} (bytes from {offset})",
        )

    calls = [partial(part, offset) for offset in range(0, size, PART_BYTES)]
    if not all(await gather_limited(calls, PART_WORKERS)):
        return None
    return file_md5(temp)


async def fetch(transport: AsyncTransport, job: Download, sink: IO[bytes]) -> Transfer:
    if job.kind == "file":
        return read_local(job, sink)
    return await transport.download(
        job.file.url,
        sink,
        # A signed URL needs no key. Otherwise the key goes only to the base URL's origin
        # (auth_header_for): never to a storage host or a reference on another host.
        authenticate=job.file.authenticate or job.file.is_reference,
        description=f"download of {job.file.path!r}",
    )


#: ``multipart``: files of at least this size are fetched in parallel ranges by default (as
#: ``wandb``: 2 GiB), in parts of ``PART_BYTES`` (its 100 MiB), ``PART_WORKERS`` at once.
MULTIPART_MIN_BYTES = 2 * 2**30
PART_BYTES = 100 * 2**20
PART_WORKERS = 8


def in_parts(multipart: bool | None, size: int) -> bool:
    """Whether a file of ``size`` bytes is fetched in ranges: ``wandb``'s rule (``None``: from
    2 GiB; True: always, False: never), for a file of more than one part."""
    if multipart is False or size <= PART_BYTES:
        return False
    return multipart is True or size >= MULTIPART_MIN_BYTES


@dataclass
class Batch:
    """What the workers of one download share."""

    transport: AsyncTransport
    cache: ArtifactCache | None
    totals: Totals
    directories: Directories
    allow_missing_references: bool
    multipart: bool | None = None
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

    def from_cache(self, job: Download) -> bool:
        if self.cache is None or job.digest is None or self.cache_failed:
            return False
        try:
            return self.cache.materialize(job.file.md5_b64, job.file.size, job.dest)
        except OSError as exc:
            self.cache_failure(exc)
            return False

    def add_to_cache(self, job: Download, temp: Path) -> None:
        if self.cache is None or job.digest is None or self.cache_failed:
            return
        try:
            # The md5 was computed from these very bytes while they were written.
            self.cache.add(temp, job.file.md5_b64, verify=False, share=True)
        except OSError as exc:
            self.cache_failure(exc)


def settled(batch: Batch, job: Download) -> bool:
    """Whether the file needs no fetch: already in place, or now copied from the cache (its
    directory is made either way when it is not already there)."""
    if already_present(job):
        batch.totals.count(already_present=True)
        return True
    batch.directories.make(job.dest.parent)
    if batch.from_cache(job):
        batch.totals.count(from_cache=job.file.size)
        return True
    return False


async def download_one(batch: Batch, job: Download) -> None:
    """Put one file in place (a missing reference that may be skipped is left out)."""
    if not settled(batch, job):
        await fetch_one(batch, job)


async def fetch_one(batch: Batch, job: Download) -> None:
    """Fetch one file that :func:`settled` found missing, verify it and put it in place."""
    file = job.file
    handle, temp_name = tempfile.mkstemp(prefix=".wk-", suffix=".part", dir=job.dest.parent)
    description = f"download of {file.path!r}"
    try:
        try:
            with os.fdopen(handle, "w+b") as sink:
                parted = None
                if job.kind == "http" and in_parts(batch.multipart, file.size):
                    parted = await fetch_parts(batch.transport, job, sink, Path(temp_name))
                got = parted or await fetch(batch.transport, job, sink)
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
