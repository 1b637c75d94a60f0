# Generated from src/wandbkit/_async/artifacts/multipart.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""Multipart uploads of big artifact files, as the official SDK (wandb-core) does them.

wandb-core (``core/pkg/artifacts/multipart.go``) uploads a file of ``S3MinMultiUploadSize``
(2 GiB) or more in parts of 100 MiB (larger when that would make more than 10,000 parts): the
``createArtifactFiles`` spec lists each part's hex md5 (``uploadPartsInput``), the server
answers one upload URL per part, each part is ``PUT`` with its ``Content-MD5`` and answers an
``ETag``, and ``completeMultipartUploadArtifact`` joins the parts. The publisher does the same
above :data:`MULTIPART_THRESHOLD`, so a big file never travels in one request.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from wandbkit._core.errors import APIError, IntegrityError
from wandbkit._core.transfer_jobs import LocalFile
from wandbkit._generated.input_types import UploadPartsInput
from wandbkit._sync.context import ClientContext

#: Files of this size or more go in parts (wandb-core's ``S3MinMultiUploadSize``).
MULTIPART_THRESHOLD = 2 << 30
#: The usual part size (``S3DefaultChunkSize``).
PART_SIZE = 100 << 20
#: The most parts of one file (``S3MaxParts``).
MAX_PARTS = 10_000
_READ = 1 << 20

__all__ = ["MULTIPART_THRESHOLD", "PART_SIZE", "part_size", "part_specs", "upload_parts"]


def part_size(file_size: int) -> int:
    """The part size for a file (wandb-core's ``getChunkSize``): :data:`PART_SIZE`, or more
    (rounded up to 4 KiB) when that would need over :data:`MAX_PARTS` parts."""
    if file_size < PART_SIZE * MAX_PARTS:
        return PART_SIZE
    per_part = -(-file_size // MAX_PARTS)
    return -(-per_part // 4096) * 4096


def part_specs(path: Path, size: int) -> list[UploadPartsInput]:
    """Each part's number (from 1) and hex md5, read from the file in 1 MiB chunks."""
    chunk = part_size(size)
    specs = []
    with path.open("rb") as source:
        for number, offset in enumerate(range(0, size, chunk), start=1):
            digest = hashlib.md5(usedforsecurity=False)
            left = min(chunk, size - offset)
            while left > 0 and (data := source.read(min(_READ, left))):
                digest.update(data)
                left -= len(data)
            specs.append(UploadPartsInput(part_number=number, hex_md_5=digest.hexdigest()))
    return specs


def upload_parts(
    ctx: ClientContext,
    file: LocalFile,
    node: Any,
    specs: Sequence[UploadPartsInput],
) -> None:
    """PUT each part to its URL and complete the upload.

    Args:
        ctx: the client's context.
        file: the local file.
        node: the ``createArtifactFiles`` answer for it (with ``uploadMultipartUrls``).
        specs: the parts announced in its file spec.

    Raises:
        APIError: the server's answer does not fit the parts, or a part has no ETag.
        IntegrityError: a part changed since it was hashed.
    """
    from wandbkit._generated.enums import CompleteMultipartAction

    urls = node.upload_multipart_urls
    if [p.part_number for p in urls.upload_url_parts] != [s.part_number for s in specs]:
        raise APIError(
            f"the server answered other parts than those of {file.path!r}",
            operation_name="CreateArtifactFiles",
        )
    chunk = part_size(file.size)
    completed = []
    for spec, part in zip(specs, urls.upload_url_parts, strict=True):
        offset = (spec.part_number - 1) * chunk
        length = min(chunk, file.size - offset)
        description = f"upload of part {spec.part_number} of {file.path!r}"
        md5_b64 = base64.b64encode(bytes.fromhex(spec.hex_md_5)).decode("ascii")
        sent, etag = ctx.transport.upload_range(
            part.upload_url,
            file.source,
            offset,
            length,
            headers={"Content-MD5": md5_b64},
            description=description,
        )
        if sent.md5 != md5_b64 or sent.size != length:
            raise IntegrityError(f"{description}: the file changed since it was hashed")
        if not etag:
            raise APIError(f"{description}: the answer has no ETag", operation_name=description)
        completed.append(UploadPartsInput(part_number=spec.part_number, hex_md_5=etag))
    birth = node.artifact.id if node.artifact is not None else None
    if birth is None or node.storage_path is None:
        raise APIError(
            f"no artifact or storage path for {file.path!r}", operation_name="CreateArtifactFiles"
        )
    ctx.client.complete_multipart_upload_artifact(
        complete_multipart_action=CompleteMultipartAction.Complete,
        completed_parts=completed,
        artifact_id=birth,
        storage_path=node.storage_path,
        upload_id=urls.upload_id,
    )
