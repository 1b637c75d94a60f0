"""Multipart uploads of artifact files, as wandb-core sends them (``core/pkg/artifacts``).

A file of ``S3MinMultiUploadSize`` (2 GiB) or more is uploaded in parts of 100 MiB: the
``createArtifactFiles`` spec lists every part's hex md5 (``uploadPartsInput``); the answer has
``uploadUrl: null`` and ``uploadMultipartUrls {uploadID uploadUrlParts {partNumber uploadUrl}}``;
the client ``PUT``\\ s each part (with ``Content-MD5``) and reads the part's ``ETag``; then
``completeMultipartUploadArtifact(completedParts: [{partNumber, hexMD5: <ETag>}], artifactID,
storagePath, uploadID)`` joins them. As S3 does, the ETag of a part is its hex md5 in quotes.

The bytes never sit in memory: each part streams into a temporary file and is renamed to
``multipart/<blob pk>/<part number>`` under the store's file root; completing streams the parts
in order into one blob writer, which checks the whole file's md5 against the blob's before it
becomes the content (``ArtifactManifests.commit_blob``). The part files are then removed.

Part URLs are signed tokens keyed by ``blob pk * PART_KEY_BASE + part number``, the upload id
is a signed token keyed by the blob: nothing about an unfinished upload is kept in the database.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Sequence
from pathlib import Path

from wandbkit.server.blobs import BlobStore, BlobWriter

#: The most parts one upload may have (S3's limit, ``S3MaxParts``).
MAX_PARTS = 10_000
#: Part numbers run from 1 to :data:`MAX_PARTS`; a part token's key is
#: ``blob_pk * PART_KEY_BASE + part_number``.
PART_KEY_BASE = MAX_PARTS + 1
#: The largest part (S3's limit: 5 GiB).
MAX_PART_BYTES = 5 * 1024**3
#: Bytes read at a time when joining parts.
_COPY_CHUNK = 1024 * 1024
_HEX_MD5 = re.compile(r'"?([0-9a-fA-F]{32})"?', re.ASCII)


class MultipartError(ValueError):
    """A multipart request that cannot be honoured (the message says why)."""


def part_key(blob_pk: int, part_number: int) -> int:
    """The signing key of one part's upload URL."""
    if not 1 <= part_number <= MAX_PARTS:
        raise MultipartError(f"part numbers run from 1 to {MAX_PARTS}, not {part_number}")
    return blob_pk * PART_KEY_BASE + part_number


def split_part_key(key: int) -> tuple[int, int]:
    """``(blob_pk, part_number)`` of a part key."""
    return divmod(key, PART_KEY_BASE)


def hex_md5(text: str) -> str:
    """The lower-case hex md5 of a part's ETag (quotes, as S3 sends them, are dropped).

    Raises:
        MultipartError: not a hex md5.
    """
    match = _HEX_MD5.fullmatch(text.strip())
    if match is None:
        raise MultipartError(f"{text!r} is not a part ETag (a hex md5)")
    return match.group(1).lower()


def check_part_specs(parts: Sequence[tuple[int, str]]) -> None:
    """Part numbers ``1..n`` in order, each with a hex md5.

    Raises:
        MultipartError: what is wrong with them.
    """
    if not parts:
        raise MultipartError("a multipart upload needs at least one part")
    if len(parts) > MAX_PARTS:
        raise MultipartError(f"a multipart upload has at most {MAX_PARTS} parts")
    for index, (number, md5) in enumerate(parts, start=1):
        if number != index:
            raise MultipartError(f"parts must be numbered 1 to {len(parts)} in order")
        hex_md5(md5)


class MultipartParts:
    """Where the parts of unfinished uploads are, under a store's file root."""

    def __init__(self, blobs: BlobStore) -> None:
        self._blobs = blobs

    def _dir(self, blob_pk: int) -> Path:
        return self._blobs.root / "multipart" / str(blob_pk)

    def part_path(self, blob_pk: int, part_number: int) -> Path:
        """Where one received part is kept until the upload completes."""
        return self._dir(blob_pk) / str(part_number)

    def writer(self) -> BlobWriter:
        """A writer for a part's bytes (commit it with :meth:`keep`)."""
        return self._blobs.writer()

    def keep(self, blob_pk: int, part_number: int, writer: BlobWriter) -> None:
        """Make the written bytes the part (a part sent again replaces the earlier one)."""
        writer.commit(self.part_path(blob_pk, part_number), fsync=False)

    def join(self, blob_pk: int, completed: Sequence[tuple[int, str]]) -> BlobWriter:
        """The parts joined in order into a new writer (not yet committed: the caller checks
        the md5 and commits or aborts it).

        Args:
            blob_pk: the blob being uploaded.
            completed: ``(part number, ETag)`` for parts ``1..n``.

        Raises:
            MultipartError: a part is missing, or its bytes do not have the ETag's md5.
        """
        check_part_specs(completed)
        writer = self._blobs.writer()
        try:
            for number, etag in completed:
                self._copy_part(blob_pk, number, hex_md5(etag), writer)
        except BaseException:
            writer.abort()
            raise
        return writer

    def _copy_part(self, blob_pk: int, number: int, expected: str, writer: BlobWriter) -> None:
        import hashlib

        path = self.part_path(blob_pk, number)
        digest = hashlib.md5(usedforsecurity=False)
        try:
            with path.open("rb") as source:
                while chunk := source.read(_COPY_CHUNK):
                    digest.update(chunk)
                    writer.write(chunk)
        except FileNotFoundError:
            raise MultipartError(f"part {number} was never uploaded") from None
        if digest.hexdigest() != expected:
            raise MultipartError(f"part {number} does not have the md5 of its ETag")

    def discard(self, blob_pk: int) -> None:
        """Remove every part of one upload (missing is fine)."""
        shutil.rmtree(self._dir(blob_pk), ignore_errors=True)
