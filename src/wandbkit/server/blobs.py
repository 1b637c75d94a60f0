"""File bytes on disk, beside the SQLite database.

The database holds a file's name, size and md5; the bytes live under a root directory:
``<db>.files/`` next to a database file, or a private temporary directory for an in-memory
store (created on first use, removed when the store closes or is garbage collected).

Layout: ``runs/<run pk>/<file pk>`` for run files; ``blobs/<md5 hex[:2]>/<md5 hex>`` for
artifact files, which are content-addressed (stored once, shared by every version holding
them). Row ids, not file names, name the blobs: run file names
may contain ``/`` or characters a file system dislikes, and a deleted-then-recreated file
gets a new id, so a stale signed URL can never serve the new bytes.

Every write goes to ``tmp/`` first and is renamed into place (``os.replace`` is atomic on
one file system): a reader sees the old bytes or the new, never half of either.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import shutil
import tempfile
import threading
import weakref
from pathlib import Path
from types import TracebackType


def md5_hex(md5_b64: str) -> str:
    """The hex form of a base64 md5 (W&B's manifest digest form).

    Raises:
        ValueError: not the base64 of a 16-byte digest.
    """
    try:
        raw = base64.b64decode(md5_b64.encode("ascii"), validate=True)
    except (UnicodeError, ValueError):
        raise ValueError(f"{md5_b64!r} is not a base64 md5") from None
    if len(raw) != 16:
        raise ValueError(f"{md5_b64!r} is not a base64 md5")
    return raw.hex()


class BlobWriter:
    """A blob being written: bytes go to a temporary file until :meth:`commit` renames it.

    Use as a context manager; leaving the block without committing discards the bytes.
    """

    def __init__(self, tmp_dir: Path) -> None:
        tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
        self._file = os.fdopen(fd, "wb")
        self._path = Path(name)
        self._md5 = hashlib.md5(usedforsecurity=False)
        self.size = 0
        self._done = False

    def write(self, chunk: bytes) -> None:
        """Append bytes."""
        self._file.write(chunk)
        self._md5.update(chunk)
        self.size += len(chunk)

    @property
    def md5(self) -> str:
        """The base64 md5 of what was written so far (W&B's checksum form)."""
        return base64.b64encode(self._md5.digest()).decode("ascii")

    def commit(self, destination: Path, *, fsync: bool = True) -> None:
        """Move the bytes to ``destination`` atomically.

        Args:
            destination: the final path.
            fsync: first force the bytes to disk, so a crash cannot leave a renamed but
                empty file (uploads do; seeds, which can be re-run, skip the cost).
        """
        self._file.flush()
        if fsync:
            os.fsync(self._file.fileno())
        self._file.close()
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self._path, destination)
        self._done = True

    def abort(self) -> None:
        """Discard the bytes (does nothing after :meth:`commit`)."""
        if self._done:
            return
        self._done = True
        self._file.close()
        with contextlib.suppress(FileNotFoundError):
            self._path.unlink()

    def __enter__(self) -> BlobWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.abort()


class BlobStore:
    """Where a store's file bytes live.

    Args:
        root: the directory, or ``None`` for a temporary one made on first use and removed
            by :meth:`close` (or when this object is garbage collected).
    """

    def __init__(self, root: Path | None) -> None:
        self._root = root
        self._temporary = root is None
        self._made = False
        self._lock = threading.Lock()
        self._finalizer: weakref.finalize[..., BlobStore] | None = None

    @property
    def root(self) -> Path:
        """The directory (created on first access)."""
        with self._lock:
            if self._root is None:
                self._root = Path(tempfile.mkdtemp(prefix="wandbkit-files-"))
                # An in-memory store that is never closed (common in tests) still cleans up.
                self._finalizer = weakref.finalize(
                    self, shutil.rmtree, str(self._root), ignore_errors=True
                )
            elif not self._made:
                # Once: every blob read asks for the root, and a mkdir per file adds up.
                self._root.mkdir(parents=True, exist_ok=True)
                self._made = True
            return self._root

    def path(self, run_pk: int, file_pk: int) -> Path:
        """Where the bytes of file ``file_pk`` of run ``run_pk`` are (or will be)."""
        return self.root / "runs" / str(run_pk) / str(file_pk)

    def digest_path(self, md5_b64: str) -> Path:
        """Where the content-addressed bytes with this base64 md5 are (or will be): artifact
        files, stored once by digest whichever artifacts hold them
        (``blobs/<md5 hex[:2]>/<md5 hex>``).

        Raises:
            ValueError: not the base64 of a 16-byte md5.
        """
        hexdigest = md5_hex(md5_b64)
        return self.root / "blobs" / hexdigest[:2] / hexdigest

    def writer(self) -> BlobWriter:
        """A writer for new bytes; commit it to a :meth:`path`."""
        return BlobWriter(self.root / "tmp")

    def write_bytes(
        self, run_pk: int, file_pk: int, data: bytes, *, fsync: bool = True
    ) -> tuple[int, str]:
        """Store ``data`` atomically; returns ``(size, base64 md5)``."""
        with self.writer() as writer:
            writer.write(data)
            writer.commit(self.path(run_pk, file_pk), fsync=fsync)
            return writer.size, writer.md5

    def remove(self, run_pk: int, file_pk: int) -> None:
        """Delete one blob (missing is fine)."""
        if self._root is None:
            return
        with contextlib.suppress(FileNotFoundError):
            self.path(run_pk, file_pk).unlink()

    def remove_run(self, run_pk: int) -> None:
        """Delete every blob of a run (missing is fine)."""
        if self._root is None:
            return
        shutil.rmtree(self._root / "runs" / str(run_pk), ignore_errors=True)

    def close(self) -> None:
        """Remove a temporary root; a root beside a database file is kept."""
        with self._lock:
            if self._finalizer is not None:
                self._finalizer()
                self._finalizer = None
                self._root = None
