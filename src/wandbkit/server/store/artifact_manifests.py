"""Artifact manifests: each version's entries (path, digest, size, reference), and the
content-addressed blobs that hold their bytes.

An artifact file's bytes are stored once by their md5, whichever versions hold them, in the
store's :class:`~wandbkit.server.blobs.BlobStore` (``blobs/<md5 hex>``, beside run files). A
blob row is created *pending* when a client is given an upload URL for it and marked stored
when bytes with exactly that md5 have arrived; a blob that is already stored is never uploaded
again (``createArtifactFiles`` answers ``uploadUrl: null``).

The manifest W&B clients download is built from the entries on request, in W&B's form
(:func:`manifest_document`); a manifest a client uploads is parsed and checked by
:func:`parse_manifest` (no ``..``, absolute paths, backslashes or NUL in a path).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wandbkit.server.blobs import BlobStore, BlobWriter, md5_hex
from wandbkit.server.store._db import Database, row_dict
from wandbkit.server.store.errors import InvalidNameError, StoreError, UnknownRowError
from wandbkit.server.store.run_files import check_file_name

#: Part of migration 7 ("artifacts").
ARTIFACT_MANIFESTS_SQL = """
CREATE TABLE IF NOT EXISTS artifact_blobs (
    pk                INTEGER PRIMARY KEY AUTOINCREMENT,
    md5               TEXT NOT NULL UNIQUE,
    size              INTEGER,
    stored            INTEGER NOT NULL DEFAULT 0,
    birth_artifact_pk INTEGER,
    created_at        TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS artifact_manifest_entries (
    pk                INTEGER PRIMARY KEY AUTOINCREMENT,
    artifact_pk       INTEGER NOT NULL REFERENCES artifacts(pk) ON DELETE CASCADE,
    path              TEXT NOT NULL,
    digest            TEXT NOT NULL,
    size              INTEGER NOT NULL,
    birth_artifact_pk INTEGER,
    ref               TEXT,
    extra             TEXT,
    UNIQUE (artifact_pk, path)
);
"""

#: The first line of the text whose md5 is an artifact's digest (W&B's ``manifest_v1``).
STORAGE_POLICY = "wandb-storage-policy-v1"
#: The manifest version the server writes and accepts.
MANIFEST_VERSION = 1
#: At most this many entries in one manifest (bounds what one upload can make the server do).
MAX_MANIFEST_ENTRIES = 100_000


@dataclass(frozen=True)
class BlobRow:
    """Content-addressed bytes: ``stored`` once bytes with this md5 have arrived."""

    pk: int
    md5: str
    size: int | None
    stored: bool
    birth_artifact_pk: int | None
    created_at: str


@dataclass(frozen=True)
class NewEntry:
    """A manifest entry to add: ``digest`` is the base64 md5 (or a reference's digest)."""

    path: str
    digest: str
    size: int
    birth_artifact_pk: int | None = None
    ref: str | None = None
    extra: str | None = None


@dataclass(frozen=True)
class EntryRow:
    """A manifest entry of an artifact version."""

    pk: int
    artifact_pk: int
    path: str
    digest: str
    size: int
    birth_artifact_pk: int | None
    ref: str | None
    extra: str | None


def check_manifest_path(path: str) -> str:
    """Validate a manifest path: relative POSIX, no ``.``/``..`` or empty segments, no
    backslash, NUL or control character.

    Raises:
        InvalidNameError: naming the path.
    """
    try:
        return check_file_name(path)
    except InvalidNameError:
        raise InvalidNameError(
            f"manifest path {path!r} must be a relative POSIX path without '.', '..', empty "
            "segments, backslashes or control characters"
        ) from None


def check_md5(md5_b64: str, what: str = "md5") -> str:
    """Validate a base64 md5 (W&B's digest form).

    Raises:
        InvalidNameError: not the base64 of 16 bytes.
    """
    try:
        md5_hex(md5_b64)
    except (ValueError, AttributeError):
        raise InvalidNameError(f"{what} {md5_b64!r} is not a base64 md5") from None
    return md5_b64


def manifest_document(
    entries: Iterable[EntryRow], artifact_id: Callable[[int], str]
) -> dict[str, Any]:
    """The W&B manifest JSON of these entries; ``artifact_id`` turns a row id into the
    ``birthArtifactID`` clients see."""
    contents: dict[str, Any] = {}
    for entry in entries:
        item: dict[str, Any] = json.loads(entry.extra) if entry.extra else {}
        item["digest"] = entry.digest
        item["size"] = entry.size
        if entry.ref is not None:
            item["ref"] = entry.ref
        if entry.birth_artifact_pk is not None:
            item["birthArtifactID"] = artifact_id(entry.birth_artifact_pk)
        contents[entry.path] = item
    return {
        "version": MANIFEST_VERSION,
        "storagePolicy": STORAGE_POLICY,
        "storagePolicyConfig": {"storageLayout": "V2", "storageRegion": "default"},
        "contents": contents,
    }


#: Keys of an uploaded entry the server keeps as they are (the rest are client-local).
_KEPT_EXTRA = ("extra",)


def parse_manifest(body: bytes, birth_artifact_pk: Callable[[str], int | None]) -> list[NewEntry]:
    """The entries of an uploaded W&B manifest.

    Args:
        body: the manifest JSON.
        birth_artifact_pk: the row id a ``birthArtifactID`` names (``None`` if none).

    Raises:
        StoreError: not a version-1 manifest, or an entry without a valid digest and size.
        InvalidNameError: a path with ``..``, an absolute path, a backslash or NUL.
    """
    try:
        document = json.loads(body)
    except (UnicodeError, ValueError):
        raise StoreError("the manifest is not JSON") from None
    if not isinstance(document, dict) or document.get("version") != MANIFEST_VERSION:
        raise StoreError(f"the manifest must be a JSON object with version {MANIFEST_VERSION}")
    contents = document.get("contents")
    if not isinstance(contents, dict):
        raise StoreError("the manifest has no contents object")
    if len(contents) > MAX_MANIFEST_ENTRIES:
        raise StoreError(f"a manifest may hold at most {MAX_MANIFEST_ENTRIES} entries")
    entries = []
    for path, item in contents.items():
        check_manifest_path(path)
        if not isinstance(item, dict):
            raise StoreError(f"manifest entry {path!r} is not an object")
        digest, size, ref = item.get("digest"), item.get("size", 0), item.get("ref")
        if not isinstance(digest, str) or not digest:
            raise StoreError(f"manifest entry {path!r} has no digest")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise StoreError(f"manifest entry {path!r} has no valid size")
        if ref is not None and not isinstance(ref, str):
            raise StoreError(f"manifest entry {path!r} has a reference that is not a string")
        if ref is None:
            check_md5(digest, f"the digest of manifest entry {path!r}")
        birth = item.get("birthArtifactID")
        extra = {key: item[key] for key in _KEPT_EXTRA if key in item}
        entries.append(
            NewEntry(
                path=path,
                digest=digest,
                size=size,
                birth_artifact_pk=birth_artifact_pk(birth) if isinstance(birth, str) else None,
                ref=ref,
                extra=json.dumps(extra, separators=(",", ":")) if extra else None,
            )
        )
    return entries


class ArtifactManifests:
    """The ``artifact_blobs`` and ``artifact_manifest_entries`` tables, and the blob bytes.

    Args:
        db: the store's database.
        blobs: the store's file bytes (shared with run files).
    """

    def __init__(self, db: Database, blobs: BlobStore) -> None:
        self._db = db
        self.blobs = blobs

    # -- blobs ---------------------------------------------------------------------------

    def blob(self, md5_b64: str) -> BlobRow | None:
        """The blob with this base64 md5, or ``None``."""
        row = self._db.one("SELECT * FROM artifact_blobs WHERE md5 = ?", (md5_b64,))
        return _blob(row) if row else None

    def blob_by_pk(self, pk: int) -> BlobRow | None:
        """The blob with row id ``pk``, or ``None``."""
        row = self._db.one("SELECT * FROM artifact_blobs WHERE pk = ?", (pk,))
        return _blob(row) if row else None

    def stored_blobs(self, md5s: Sequence[str]) -> dict[str, BlobRow]:
        """The stored blobs among these md5s, by md5 (one query per 500)."""
        found: dict[str, BlobRow] = {}
        unique = list(dict.fromkeys(md5s))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            rows = self._db.all(
                "SELECT * FROM artifact_blobs WHERE stored = 1 AND md5 IN"
                f" ({','.join('?' * len(chunk))})",
                chunk,
            )
            found.update((row["md5"], _blob(row)) for row in rows)
        return found

    def expect_blob(self, md5_b64: str, birth_artifact_pk: int | None) -> BlobRow:
        """The blob with this md5, created pending (awaiting its bytes) if unknown.

        Raises:
            InvalidNameError: not a base64 md5.
        """
        check_md5(md5_b64)
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO artifact_blobs (md5, birth_artifact_pk, created_at)"
                " VALUES (?, ?, ?)",
                (md5_b64, birth_artifact_pk, self._db.stamp()),
            )
            found = self.blob(md5_b64)
        assert found is not None
        return found

    def commit_blob(self, blob_pk: int, writer: BlobWriter) -> BlobRow:
        """Move uploaded bytes into place as the blob's content.

        Raises:
            UnknownRowError: no blob has that id (the bytes are discarded).
            StoreError: the bytes do not have the blob's md5 (discarded).
        """
        with self._db.transaction() as conn:
            blob = self.blob_by_pk(blob_pk)
            if blob is None:
                writer.abort()
                raise UnknownRowError("blob not found")
            if writer.md5 != blob.md5:
                writer.abort()
                raise StoreError("the uploaded bytes do not have the md5 the upload URL is for")
            if not blob.stored:
                writer.commit(self.blobs.digest_path(blob.md5))
                conn.execute(
                    "UPDATE artifact_blobs SET stored = 1, size = ? WHERE pk = ?",
                    (writer.size, blob_pk),
                )
            else:
                writer.abort()  # the same bytes are already there
            stored = self.blob_by_pk(blob_pk)
        assert stored is not None
        return stored

    def put_blob(
        self, data: bytes, *, birth_artifact_pk: int | None = None, fsync: bool = True
    ) -> BlobRow:
        """Store bytes by their md5 in one call (seeds and tests); existing bytes are kept
        (and not written again)."""
        md5 = base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()
        known = self.blob(md5)
        if known is not None and known.stored:
            return known
        with self.blobs.writer() as writer:
            writer.write(data)
            blob = self.expect_blob(writer.md5, birth_artifact_pk)
            if blob.stored:
                return blob
            with self._db.transaction() as conn:
                writer.commit(self.blobs.digest_path(blob.md5), fsync=fsync)
                conn.execute(
                    "UPDATE artifact_blobs SET stored = 1, size = ? WHERE pk = ?",
                    (writer.size, blob.pk),
                )
        stored = self.blob_by_pk(blob.pk)
        assert stored is not None
        return stored

    def blob_path(self, md5_b64: str) -> Path:
        """Where a stored blob's bytes are."""
        return self.blobs.digest_path(md5_b64)

    # -- entries -------------------------------------------------------------------------

    def replace_entries(self, artifact_pk: int, entries: Sequence[NewEntry]) -> None:
        """Make ``entries`` the manifest of an artifact (paths are checked; none repeated).

        Raises:
            InvalidNameError: a bad path.
            StoreError: a path given twice.
        """
        paths = [check_manifest_path(entry.path) for entry in entries]
        if len(set(paths)) != len(paths):
            raise StoreError("a manifest path is given twice")
        with self._db.transaction() as conn:
            conn.execute(
                "DELETE FROM artifact_manifest_entries WHERE artifact_pk = ?", (artifact_pk,)
            )
            conn.executemany(
                "INSERT INTO artifact_manifest_entries (artifact_pk, path, digest, size,"
                " birth_artifact_pk, ref, extra) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        artifact_pk,
                        e.path,
                        e.digest,
                        e.size,
                        e.birth_artifact_pk if e.birth_artifact_pk is not None else artifact_pk,
                        e.ref,
                        e.extra,
                    )
                    for e in entries
                ],
            )

    def entries(
        self,
        artifact_pk: int,
        *,
        names: Sequence[str] | None = None,
        after_path: str | None = None,
        limit: int = 1000,
    ) -> list[EntryRow]:
        """An artifact's entries in path order, after ``after_path``, only ``names`` if given."""
        sql = "SELECT * FROM artifact_manifest_entries WHERE artifact_pk = ?"
        params: list[Any] = [artifact_pk]
        if after_path is not None:
            sql += " AND path > ?"
            params.append(after_path)
        if names:
            sql += f" AND path IN ({','.join('?' * len(names))})"
            params += list(names)
        sql += " ORDER BY path LIMIT ?"
        params.append(limit)
        return [EntryRow(**row_dict(row)) for row in self._db.all(sql, params)]

    def all_entries(self, artifact_pk: int) -> list[EntryRow]:
        """Every entry of an artifact, in path order."""
        rows = self._db.all(
            "SELECT * FROM artifact_manifest_entries WHERE artifact_pk = ? ORDER BY path",
            (artifact_pk,),
        )
        return [EntryRow(**row_dict(row)) for row in rows]

    def entry_by_pk(self, pk: int) -> EntryRow | None:
        """The entry with row id ``pk``, or ``None``."""
        row = self._db.one("SELECT * FROM artifact_manifest_entries WHERE pk = ?", (pk,))
        return EntryRow(**row_dict(row)) if row else None

    def entries_by_pks(self, pks: Sequence[int]) -> dict[int, EntryRow]:
        """The entries with these row ids that exist, by row id."""
        rows = self._db.rows_by_pks("SELECT * FROM artifact_manifest_entries WHERE pk IN", pks)
        return {row["pk"]: EntryRow(**row_dict(row)) for row in rows}

    def entry(self, artifact_pk: int, path: str) -> EntryRow | None:
        """The entry ``path`` of an artifact, or ``None``."""
        row = self._db.one(
            "SELECT * FROM artifact_manifest_entries WHERE artifact_pk = ? AND path = ?",
            (artifact_pk, path),
        )
        return EntryRow(**row_dict(row)) if row else None

    def entry_by_digest(self, artifact_pk: int, md5_b64: str) -> EntryRow | None:
        """An entry of an artifact whose content has this md5 (the V2 fallback route)."""
        row = self._db.one(
            "SELECT * FROM artifact_manifest_entries WHERE artifact_pk = ? AND digest = ?"
            " AND ref IS NULL LIMIT 1",
            (artifact_pk, md5_b64),
        )
        return EntryRow(**row_dict(row)) if row else None

    def count(self, artifact_pk: int, *, names: Sequence[str] | None = None) -> int:
        """How many entries an artifact has (only ``names`` if given)."""
        sql = "SELECT COUNT(*) FROM artifact_manifest_entries WHERE artifact_pk = ?"
        params: list[Any] = [artifact_pk]
        if names:
            sql += f" AND path IN ({','.join('?' * len(names))})"
            params += list(names)
        return self._db.count(sql, params)

    def totals(self, artifact_pk: int) -> tuple[int, int]:
        """``(file count, total size)`` of an artifact's entries."""
        row = self._db.one(
            "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM artifact_manifest_entries"
            " WHERE artifact_pk = ?",
            (artifact_pk,),
        )
        assert row is not None
        return int(row[0]), int(row[1])

    def missing_content(self, artifact_pk: int, *, limit: int = 5) -> list[str]:
        """Paths of stored (non-reference) entries whose bytes have not arrived."""
        rows = self._db.all(
            "SELECT e.path FROM artifact_manifest_entries e"
            " LEFT JOIN artifact_blobs b ON b.md5 = e.digest AND b.stored = 1"
            " WHERE e.artifact_pk = ? AND e.ref IS NULL AND b.pk IS NULL ORDER BY e.path LIMIT ?",
            (artifact_pk, limit),
        )
        return [row["path"] for row in rows]

    def has_entry_with_digest(self, md5_b64: str, artifact_pks: Sequence[int]) -> bool:
        """Whether any of these artifacts holds content with this md5 (the V1 route)."""
        if not artifact_pks:
            return False
        row = self._db.one(
            "SELECT 1 FROM artifact_manifest_entries WHERE digest = ? AND ref IS NULL"
            f" AND artifact_pk IN ({','.join('?' * len(artifact_pks))}) LIMIT 1",
            [md5_b64, *artifact_pks],
        )
        return row is not None


def _blob(row: Any) -> BlobRow:
    return BlobRow(
        pk=row["pk"],
        md5=row["md5"],
        size=row["size"],
        stored=bool(row["stored"]),
        birth_artifact_pk=row["birth_artifact_pk"],
        created_at=row["created_at"],
    )
