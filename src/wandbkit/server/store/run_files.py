"""A run's files: names, sizes and md5s in the ``run_files`` table, bytes on disk.

The bytes live in a :class:`~wandbkit.server.blobs.BlobStore` beside the database; this
repository writes and removes them together with their rows, under the store's lock, so a
file row never points at missing bytes once its upload is committed.
"""

from __future__ import annotations

import mimetypes
import sqlite3
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wandbkit.server.blobs import BlobStore, BlobWriter
from wandbkit.server.store._db import Database, lastrowid
from wandbkit.server.store.errors import InvalidNameError, UnknownRowError
from wandbkit.server.store.text import normalise_timestamp

#: Part of migration 3 ("runs"). Row ids are AUTOINCREMENT so a deleted file's id (inside
#: opaque ids and signed URLs) never comes back as someone else's.
RUN_FILES_SQL = """
CREATE TABLE IF NOT EXISTS run_files (
    pk         INTEGER PRIMARY KEY AUTOINCREMENT,
    run_pk     INTEGER NOT NULL REFERENCES runs(pk) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    size_bytes INTEGER NOT NULL DEFAULT 0,
    md5        TEXT,
    mimetype   TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    uploaded   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (run_pk, name)
);
"""

#: MIME types for the files W&B runs usually have; the standard table lacks or differs on them.
_KNOWN_MIMETYPES = {
    ".log": "text/plain",
    ".yaml": "text/yaml",
    ".yml": "text/yaml",
    ".txt": "text/plain",
    ".json": "application/json",
    ".md": "text/markdown",
    ".ckpt": "application/octet-stream",
    ".pt": "application/octet-stream",
    ".pth": "application/octet-stream",
}


@dataclass(frozen=True)
class RunFileRow:
    """A file of a run; ``uploaded`` is false until its bytes have arrived.

    ``md5`` is the base64 of the md5 digest (what W&B reports), ``None`` before the upload.
    """

    pk: int
    run_pk: int
    name: str
    size_bytes: int
    md5: str | None
    mimetype: str | None
    created_at: str
    updated_at: str
    uploaded: bool


def guess_mimetype(name: str) -> str:
    """The MIME type a run file gets from its name."""
    suffix = Path(name).suffix.lower()
    if suffix in _KNOWN_MIMETYPES:
        return _KNOWN_MIMETYPES[suffix]
    guessed, _ = mimetypes.guess_type(name, strict=False)
    return guessed or "application/octet-stream"


#: Unicode categories refused in file names: control characters and line/paragraph separators.
_UNSERVABLE_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})


def check_file_name(name: str) -> str:
    """Validate a run file name: a relative path without ``.``/``..`` or empty segments.

    Raises:
        InvalidNameError: the name is unsafe or empty.
    """
    if not isinstance(name, str) or not name or len(name) > 1024:
        raise InvalidNameError("file names must be non-empty strings of at most 1024 characters")
    segments = name.split("/")
    if (
        name.startswith("/")
        or "\\" in name
        or "\x00" in name
        or any(segment in ("", ".", "..") for segment in segments)
    ):
        raise InvalidNameError(
            f"file name {name!r} must be a relative path without '.', '..' or empty segments"
        )
    if any(unicodedata.category(char) in _UNSERVABLE_CATEGORIES for char in name):
        # Such a name could be stored but never asked for in a URL path (a newline ends the
        # request line), nor shown on one line: refuse it at upload.
        raise InvalidNameError(f"file name {name!r} must not contain control characters")
    return name


class RunFiles:
    """The ``run_files`` table and the bytes of its files.

    Args:
        db: the store's database.
        blobs: where the bytes go (``<db>.files/`` beside a database file, a temporary
            directory for an in-memory database).
    """

    def __init__(self, db: Database, blobs: BlobStore) -> None:
        self._db = db
        self.blobs = blobs

    def create(
        self,
        run_pk: int,
        name: str,
        *,
        mimetype: str | None = None,
        created_at: str | None = None,
    ) -> RunFileRow:
        """The file ``name`` of a run, created pending (not uploaded) if it does not exist.

        Raises:
            UnknownRowError: no run has that id.
            InvalidNameError: an empty name, an absolute path, or ``.``/``..`` segments.
        """
        check_file_name(name)
        with self._db.transaction() as conn:
            existing = self.get(run_pk, name)
            if existing is not None:
                return existing
            now = normalise_timestamp(created_at) if created_at else self._db.stamp()
            try:
                cur = conn.execute(
                    "INSERT INTO run_files (run_pk, name, mimetype, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (run_pk, name, mimetype or guess_mimetype(name), now, now),
                )
            except sqlite3.IntegrityError as exc:
                # The run is another repository's row; its foreign key answers whether it
                # exists (the file's own name was checked above).
                if "FOREIGN KEY" not in str(exc):
                    raise
                raise UnknownRowError("run not found") from None
            created = self.get_by_pk(lastrowid(cur))
        assert created is not None
        return created

    def put(
        self,
        run_pk: int,
        name: str,
        data: bytes,
        *,
        mimetype: str | None = None,
        updated_at: str | None = None,
        fsync: bool = True,
    ) -> RunFileRow:
        """Store a run file's bytes in one call (create or replace); for seeds and tests.

        Args:
            run_pk: the run.
            name: the file's path in the run (``media/plot.png``).
            data: the bytes.
            mimetype: default: guessed from the name.
            updated_at: the upload time (default: the store's clock); a new file is also
                created at this time.
            fsync: force the bytes to disk before they are renamed into place (seeds that
                can simply be re-run skip it).

        Raises:
            UnknownRowError: no run has that id.
            InvalidNameError: a bad file name (see :meth:`create`).
        """
        with self._db.transaction():
            pending = self.create(run_pk, name, mimetype=mimetype, created_at=updated_at)
            size, md5 = self.blobs.write_bytes(run_pk, pending.pk, data, fsync=fsync)
            return self._mark_uploaded(pending.pk, size, md5, updated_at)

    def commit_upload(self, file_pk: int, writer: BlobWriter) -> RunFileRow:
        """Move an upload's bytes into place and mark the file uploaded with their size and md5.

        Raises:
            UnknownRowError: the file was deleted while its bytes were arriving (they are
                discarded).
        """
        with self._db.transaction():
            file = self.get_by_pk(file_pk)
            if file is None:
                writer.abort()
                raise UnknownRowError("file not found")
            writer.commit(self.blobs.path(file.run_pk, file.pk))
            return self._mark_uploaded(file.pk, writer.size, writer.md5, None)

    def _mark_uploaded(
        self, file_pk: int, size: int, md5: str, updated_at: str | None
    ) -> RunFileRow:
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE run_files SET size_bytes = ?, md5 = ?, uploaded = 1, updated_at = ?"
                " WHERE pk = ?",
                (
                    size,
                    md5,
                    normalise_timestamp(updated_at) if updated_at else self._db.stamp(),
                    file_pk,
                ),
            )
            file = self.get_by_pk(file_pk)
        assert file is not None
        return file

    def get(self, run_pk: int, name: str) -> RunFileRow | None:
        """The file ``name`` of a run (uploaded or not), or ``None``."""
        row = self._db.one("SELECT * FROM run_files WHERE run_pk = ? AND name = ?", (run_pk, name))
        return _run_file(row) if row else None

    def get_by_pk(self, pk: int) -> RunFileRow | None:
        """The run file with row id ``pk``, or ``None``."""
        row = self._db.one("SELECT * FROM run_files WHERE pk = ?", (pk,))
        return _run_file(row) if row else None

    def get_by_pks(self, pks: Iterable[int]) -> dict[int, RunFileRow]:
        """The run files with these row ids that exist, by row id."""
        rows = self._db.rows_by_pks("SELECT * FROM run_files WHERE pk IN", pks)
        return {row["pk"]: _run_file(row) for row in rows}

    def count(self, run_pk: int, *, uploaded_only: bool = True) -> int:
        """How many files a run has (by default only those whose bytes arrived)."""
        sql = "SELECT COUNT(*) FROM run_files WHERE run_pk = ?"
        if uploaded_only:
            sql += " AND uploaded = 1"
        return self._db.count(sql, (run_pk,))

    def delete(self, pks: Iterable[int]) -> int:
        """Delete run files and their bytes; returns how many existed."""
        with self._db.transaction() as conn:
            files = self.get_by_pks(pks).values()
            conn.executemany("DELETE FROM run_files WHERE pk = ?", [(f.pk,) for f in files])
            for file in files:
                self.blobs.remove(file.run_pk, file.pk)
        return len(files)

    def path(self, file: RunFileRow) -> Path:
        """Where an uploaded file's bytes are on disk."""
        return self.blobs.path(file.run_pk, file.pk)

    def remove_run(self, run_pk: int) -> None:
        """Remove the bytes of every file of a run (for a run being deleted; the rows go with
        the run)."""
        self.blobs.remove_run(run_pk)

    def list(
        self,
        run_pk: int,
        *,
        names: Sequence[str] | None = None,
        pattern: str | None = None,
        mimetypes: Sequence[str] | None = None,
        after_pk: int = 0,
        limit: int = 1000,
        uploaded_only: bool = True,
    ) -> list[RunFileRow]:
        """A run's files in creation order (row id), starting after ``after_pk``.

        Args:
            run_pk: the run.
            names: only these exact names (empty or ``None``: any).
            pattern: an SQL ``LIKE`` pattern on the name (``%`` any run, ``_`` one
                character, ``\\`` escapes), case-insensitive for ASCII as on MySQL.
            mimetypes: only these MIME types (empty or ``None``: any).
            after_pk: keyset position (the row id of the last file already seen).
            limit: at most this many files.
            uploaded_only: leave out files whose bytes have not arrived.
        """
        sql = "SELECT * FROM run_files WHERE run_pk = ? AND pk > ?"
        params: list[Any] = [run_pk, after_pk]
        if uploaded_only:
            sql += " AND uploaded = 1"
        if names:
            sql += f" AND name IN ({','.join('?' * len(names))})"
            params.extend(names)
        if pattern is not None:
            sql += " AND name LIKE ? ESCAPE '\\'"
            params.append(pattern)
        if mimetypes:
            sql += f" AND mimetype IN ({','.join('?' * len(mimetypes))})"
            params.extend(mimetypes)
        sql += " ORDER BY pk LIMIT ?"
        params.append(limit)
        return [_run_file(row) for row in self._db.all(sql, params)]


def _run_file(row: sqlite3.Row) -> RunFileRow:
    return RunFileRow(
        pk=row["pk"],
        run_pk=row["run_pk"],
        name=row["name"],
        size_bytes=row["size_bytes"],
        md5=row["md5"],
        mimetype=row["mimetype"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        uploaded=bool(row["uploaded"]),
    )
