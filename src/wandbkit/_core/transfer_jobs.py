"""The values and bookkeeping of a batch of file transfers, shared by both flavours of the
artifact engine.

The values (:class:`RemoteFile`, :class:`LocalFile`, :class:`UploadTarget`,
:class:`TransferReport`) are defined once here, so ``AsyncApi`` and ``Api`` hand out the same
classes; ``wandbkit._async.artifacts.transfer`` (and its sync twin) re-export them. The engine
runs a few workers that take jobs from one :class:`WorkQueue` (coroutines on one event loop, or
threads), creates directories through :class:`Directories`, counts what they did in
:class:`Totals` and shows it with :class:`TransferProgress`. All of these are safe to use from
several threads; only :class:`Directories` touches the file system.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TextIO, TypeVar

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

__all__ = [
    "ENV_PROGRESS",
    "Directories",
    "LocalFile",
    "RemoteFile",
    "Totals",
    "TransferProgress",
    "TransferReport",
    "UploadTarget",
    "WorkQueue",
    "progress_enabled",
    "run_threads",
]

#: Environment variable that turns progress bars off (``0``, ``false``, ``no``, ``off``).
ENV_PROGRESS = "WANDBKIT_PROGRESS"

_OFF = frozenset({"0", "false", "no", "off"})

_Job = TypeVar("_Job")


@dataclass(frozen=True)
class RemoteFile:
    """One file of an artifact to download.

    Attributes:
        path: the manifest path (POSIX, relative), checked by ``safe_destination``.
        md5_b64: the manifest digest: base64 of the md5 (W&B's form).
        size: bytes.
        url: the server's signed direct URL, or a reference URL (``http(s)://``, ``file://``).
        is_reference: whether the entry is a reference (its bytes live outside W&B).
        authenticate: send the API key with the request, for a URL that needs it (the
            server's fallback file routes). Signed URLs carry their own authorization and
            get no key by default; references get it only on the base URL's origin. The key
            never goes to another origin, whatever this says.
    """

    path: str
    md5_b64: str
    size: int
    url: str
    is_reference: bool = False
    authenticate: bool = False


@dataclass(frozen=True)
class TransferReport:
    """What a batch of transfers did.

    Attributes:
        files: files now present and verified under the root (uploads: files sent).
        bytes_downloaded: bytes that crossed the network (uploads: bytes sent).
        bytes_from_cache: bytes copied or hard-linked from the cache.
        files_already_present: verified files already in the root (nothing done).
        elapsed_seconds: wall time of the batch.
    """

    files: int
    bytes_downloaded: int
    bytes_from_cache: int
    files_already_present: int
    elapsed_seconds: float

    @property
    def bytes_transferred(self) -> int:
        """Bytes that crossed the network, whichever way (same as ``bytes_downloaded``)."""
        return self.bytes_downloaded


@dataclass(frozen=True)
class LocalFile:
    """One local file to upload as an artifact entry.

    Attributes:
        path: the manifest path.
        source: the local file.
        md5_b64: its md5, base64.
        size: its size in bytes.
    """

    path: str
    source: Path
    md5_b64: str
    size: int


@dataclass(frozen=True)
class UploadTarget:
    """Where one file goes: the upload URL and headers ``createArtifactFiles`` gave.

    Attributes:
        file: the file.
        url: its signed upload URL.
        headers: the upload headers, parsed (``_core.transfer.parse_upload_headers``).
    """

    file: LocalFile
    url: str
    headers: Mapping[str, str]


class WorkQueue(Generic[_Job]):
    """Jobs handed out one at a time; after the first failure no new job is handed out.

    Workers call :meth:`next` until it gives None, and report an exception with :meth:`fail`
    instead of raising it, so that every worker finishes (and cleans up) its current job
    before :meth:`raise_failure` raises the first failure to the caller.
    """

    def __init__(self, jobs: Sequence[_Job]) -> None:
        self._jobs: Iterator[_Job] = iter(jobs)
        self._lock = threading.Lock()
        self._failure: Exception | None = None
        self._stopped = False
        self.failures = 0

    def next(self) -> _Job | None:
        """The next job, or None when there is none left, a job failed, or it was stopped."""
        with self._lock:
            if self._failure is not None or self._stopped:
                return None
            return next(self._jobs, None)

    def stop(self) -> None:
        """Hand out no more jobs (the caller was interrupted)."""
        with self._lock:
            self._stopped = True

    def fail(self, exc: Exception) -> None:
        """Record a job's failure: the first one is raised, later ones are counted."""
        with self._lock:
            self.failures += 1
            if self._failure is None:
                self._failure = exc

    @property
    def failed(self) -> bool:
        """Whether a job failed."""
        return self._failure is not None

    def raise_failure(self) -> None:
        """Raise the first recorded failure, if any."""
        if self._failure is not None:
            raise self._failure


def run_threads(worker: Callable[[], object], count: int, queue: WorkQueue[Any]) -> None:
    """Run ``worker`` on ``count`` threads until ``queue`` is empty (the sync engine's pool).

    Unlike a ``ThreadPoolExecutor`` leaving its ``with`` block, an interrupted caller
    (Ctrl-C) stops the queue first: each thread finishes, or cleans up, the file it is on and
    takes no new one, and only then is the interruption raised.
    """
    if count <= 1:
        worker()
        return
    threads: list[threading.Thread] = []
    try:
        for i in range(count):
            threads.append(threading.Thread(target=worker, name=f"wandbkit-transfer-{i}"))
            threads[-1].start()
        for thread in threads:
            thread.join()
    except BaseException:
        queue.stop()
        for thread in threads:
            thread.join()
        raise


class Directories:
    """Creates the parent directories of destinations, remembering the ones it created, so
    that a failed batch can remove those left empty (and only those)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._created: list[Path] = []

    def make(self, directory: Path) -> None:
        """Create ``directory`` and its missing parents (a no-op when it exists)."""
        missing: list[Path] = []
        current = directory
        while not current.is_dir() and current != current.parent:
            missing.append(current)
            current = current.parent
        for path in reversed(missing):
            try:
                os.mkdir(path)
            except FileExistsError:
                continue  # another worker made it (or it is a file: the write will say so)
            with self._lock:
                self._created.append(path)

    def remove_empty(self) -> None:
        """Remove the directories this created that are empty now, deepest first."""
        with self._lock:
            created, self._created = self._created, []
        for path in sorted(created, key=lambda p: len(p.parts), reverse=True):
            with contextlib.suppress(OSError):
                os.rmdir(path)


class Totals:
    """What a batch did, counted by several workers at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.files = 0
        self.bytes_transferred = 0
        self.bytes_from_cache = 0
        self.files_already_present = 0

    def count(
        self, *, transferred: int = 0, from_cache: int = 0, already_present: bool = False
    ) -> None:
        """Count one file now in place, and how it got there."""
        with self._lock:
            self.files += 1
            self.bytes_transferred += transferred
            self.bytes_from_cache += from_cache
            self.files_already_present += int(already_present)


def progress_enabled(
    progress: bool | None,
    *,
    environ: Mapping[str, str] | None = None,
    stream: TextIO | None = None,
) -> bool:
    """Whether to show a progress bar.

    Args:
        progress: True or False decide; None (the default) shows one only when ``stream``
            (stderr) is a terminal and ``WANDBKIT_PROGRESS`` is not ``0``/``false``/``no``/``off``.
        environ: the environment to read; defaults to ``os.environ``.
        stream: where the bar would go; defaults to ``sys.stderr``.
    """
    if progress is not None:
        return bool(progress)
    env = os.environ if environ is None else environ
    if env.get(ENV_PROGRESS, "").strip().lower() in _OFF:
        return False
    target = sys.stderr if stream is None else stream
    isatty = getattr(target, "isatty", None)
    return bool(isatty is not None and isatty())


class TransferProgress:
    """A progress bar of files and bytes on stderr (rich, imported only when shown).

    When disabled, or when rich is not installed, every method does nothing.

    Args:
        description: what is moving (``"downloading"``).
        total_bytes: the bytes the batch will account for.
        enabled: show the bar.
    """

    def __init__(self, description: str, total_bytes: int, *, enabled: bool) -> None:
        self._description = description
        self._total = total_bytes
        self._enabled = enabled
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> TransferProgress:
        if not self._enabled:
            return self
        try:
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
                TransferSpeedColumn,
            )
        except ImportError:  # rich is optional: no bar rather than an error
            return self
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task(self._description, total=self._total)
        return self

    def advance(self, nbytes: int) -> None:
        """Account for ``nbytes`` more (one file done: downloaded, copied or found)."""
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, advance=nbytes)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
