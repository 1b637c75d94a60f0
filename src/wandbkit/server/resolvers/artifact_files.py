"""An artifact version's files and manifest as GraphQL ``File`` objects, with their URLs.

* ``File.directUrl`` of a file: ``{base}/signed/artifact-files/{token}``, signed and
  expiring, needs no key (the official client fetches it without one).
* ``File.url``: the authenticated fallback ``{base}/artifactsV2/default/{entity}/{project}/
  {collection}/{artifactId}/{birthArtifactId}/{md5hex}/{name}`` (the key goes only to the
  server's own host).
* ``currentManifest.file.directUrl``: ``{base}/signed/artifact-manifests/{token}``, the W&B
  manifest JSON built from the entries.
* Upload URLs (``createArtifactFiles``, ``createArtifactManifest``) are signed ``PUT``
  targets, handed only to viewers who may write to the project.

These objects carry their answers as attributes, which the ``File`` resolvers of run files
read for anything that is not a run file (:mod:`wandbkit.server.resolvers.run_files`).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from graphql import GraphQLResolveInfo

from wandbkit.server.blobs import md5_hex
from wandbkit.server.ids import encode_id
from wandbkit.server.multipart import part_key
from wandbkit.server.resolvers.artifact_common import (
    artifact_id,
    collection,
    keyset_after,
    limit_of,
    page,
    readable_artifact,
)
from wandbkit.server.resolvers.common import RequestContext, context, non_null
from wandbkit.server.signing import (
    ARTIFACT_FILE,
    ARTIFACT_MANIFEST,
    ARTIFACT_MANIFEST_UPLOAD,
    ARTIFACT_MULTIPART,
    ARTIFACT_UPLOAD,
    ARTIFACT_UPLOAD_PART,
    DOWNLOAD_URL_TTL,
    UPLOAD_URL_TTL,
)
from wandbkit.server.store import ArtifactRow, EntryRow, MembershipRow
from wandbkit.server.store.run_files import guess_mimetype
from wandbkit.server.urls import (
    ARTIFACTS_V2_PATH,
    SIGNED_ARTIFACT_FILE_PATH,
    SIGNED_ARTIFACT_MANIFEST_PATH,
    SIGNED_ARTIFACT_MANIFEST_UPLOAD_PATH,
    SIGNED_ARTIFACT_UPLOAD_PART_PATH,
    SIGNED_ARTIFACT_UPLOAD_PATH,
)

#: The name W&B gives a version's manifest file.
MANIFEST_NAME = "wandb_manifest.json"
#: Storage region in fallback URLs (the emulator has one).
STORAGE_REGION = "default"


@dataclass(frozen=True)
class ArtifactFile:
    """A manifest entry as a ``File``: every field is an attribute or property."""

    ctx: RequestContext
    entry: EntryRow
    artifact_row: ArtifactRow

    @property
    def id(self) -> str:
        return encode_id("File", f"artifact-entry:{self.entry.pk}")

    @property
    def name(self) -> str:
        return self.entry.path

    @property
    def display_name(self) -> str:
        # The base name, as for run files (``name`` holds the whole path).
        return posixpath.basename(self.entry.path)

    @property
    def size_bytes(self) -> int:
        return self.entry.size

    @property
    def mimetype(self) -> str:
        return guess_mimetype(self.entry.path)

    @property
    def updated_at(self) -> str:
        return self.artifact_row.updated_at

    @property
    def digest(self) -> str:
        return self.entry.digest

    @property
    def md5(self) -> str | None:
        return self.entry.digest if self.entry.ref is None else None

    @property
    def storage_path(self) -> str:
        return f"artifacts/{self._hex() or self.entry.digest}"

    @property
    def direct_url(self) -> str:
        if self.entry.ref is not None:
            return self.entry.ref
        token = self.ctx.signer.sign(ARTIFACT_FILE, self.entry.pk, DOWNLOAD_URL_TTL)
        return f"{self.ctx.base_url}{SIGNED_ARTIFACT_FILE_PATH}/{token}"

    @property
    def url(self) -> str:
        if self.entry.ref is not None:
            return self.entry.ref
        return fallback_url(self.ctx, self.artifact_row, self.entry)

    upload_url: None = None
    upload_multipart_urls: None = None

    @property
    def upload_headers(self) -> list[str]:
        return []

    @property
    def artifact(self) -> ArtifactRow:
        return self.artifact_row

    def _hex(self) -> str | None:
        try:
            return md5_hex(self.entry.digest)
        except ValueError:
            return None


def fallback_url(ctx: RequestContext, row: ArtifactRow, entry: EntryRow) -> str:
    """The authenticated ``artifactsV2`` URL of an entry (the official client's fallback)."""
    sequence = collection(ctx, row.sequence_pk)
    project = ctx.project(row.project_pk)
    assert project is not None
    entity = ctx.required_entity(project.entity_pk).name
    birth = entry.birth_artifact_pk if entry.birth_artifact_pk is not None else row.pk
    parts = [
        STORAGE_REGION,
        entity,
        project.name,
        sequence.name if sequence else "-",
        artifact_id(row.pk),
        artifact_id(birth),
        md5_hex(entry.digest),
        posixpath.basename(entry.path),
    ]
    return ctx.base_url + ARTIFACTS_V2_PATH + "/" + "/".join(quote(p, safe="") for p in parts)


@dataclass(frozen=True)
class UploadFile:
    """A ``createArtifactFiles`` answer: where to ``PUT`` one file (``upload_url`` is ``None``
    when the server already has the content)."""

    name: str
    md5: str
    upload_url: str | None
    birth: ArtifactRow

    @property
    def id(self) -> str:
        return encode_id("File", f"artifact-upload:{self.md5}")

    @property
    def display_name(self) -> str:
        return posixpath.basename(self.name)

    @property
    def storage_path(self) -> str:
        return f"artifacts/{md5_hex(self.md5)}"

    @property
    def digest(self) -> str:
        return self.md5

    @property
    def artifact(self) -> ArtifactRow:
        return self.birth

    size_bytes: int = 0
    mimetype: str | None = None
    updated_at: str | None = None
    #: ``{upload_id, upload_url_parts: [{part_number, upload_url}]}`` for a multipart upload.
    upload_multipart_urls: dict[str, Any] | None = None

    @property
    def upload_headers(self) -> list[str]:
        return []

    @property
    def direct_url(self) -> str:
        return ""

    @property
    def url(self) -> str | None:
        return self.upload_url


def upload_file(
    ctx: RequestContext,
    name: str,
    md5: str,
    blob_pk: int | None,
    birth: ArtifactRow,
    parts: int = 0,
) -> UploadFile:
    """The answer for one file spec; ``blob_pk`` ``None`` means "already stored"; ``parts``
    above 0 answers a multipart upload (``uploadUrl: null`` and one URL per part)."""
    if blob_pk is None:
        return UploadFile(name=name, md5=md5, upload_url=None, birth=birth)
    if parts:
        upload_parts = []
        for number in range(1, parts + 1):
            token = ctx.signer.sign(ARTIFACT_UPLOAD_PART, part_key(blob_pk, number), UPLOAD_URL_TTL)
            url = f"{ctx.base_url}{SIGNED_ARTIFACT_UPLOAD_PART_PATH}/{token}"
            upload_parts.append({"part_number": number, "upload_url": url})
        multipart = {
            "upload_id": ctx.signer.sign(ARTIFACT_MULTIPART, blob_pk, UPLOAD_URL_TTL),
            "upload_url_parts": upload_parts,
        }
        return UploadFile(
            name=name, md5=md5, upload_url=None, birth=birth, upload_multipart_urls=multipart
        )
    token = ctx.signer.sign(ARTIFACT_UPLOAD, blob_pk, UPLOAD_URL_TTL)
    url = f"{ctx.base_url}{SIGNED_ARTIFACT_UPLOAD_PATH}/{token}"
    return UploadFile(name=name, md5=md5, upload_url=url, birth=birth)


@dataclass(frozen=True)
class ManifestFile:
    """A version's manifest as a ``File`` (``upload_url`` only for a writer publishing it)."""

    ctx: RequestContext
    artifact_row: ArtifactRow
    with_upload: bool = False

    @property
    def id(self) -> str:
        return encode_id("File", f"artifact-manifest:{self.artifact_row.pk}")

    name: str = MANIFEST_NAME
    display_name: str = MANIFEST_NAME
    mimetype: str = "application/json"
    md5: None = None
    digest: None = None
    size_bytes: int = 0
    upload_multipart_urls: None = None

    @property
    def updated_at(self) -> str:
        return self.artifact_row.updated_at

    @property
    def storage_path(self) -> str:
        return f"artifact-manifests/{self.artifact_row.pk}/{MANIFEST_NAME}"

    @property
    def direct_url(self) -> str:
        token = self.ctx.signer.sign(ARTIFACT_MANIFEST, self.artifact_row.pk, DOWNLOAD_URL_TTL)
        return f"{self.ctx.base_url}{SIGNED_ARTIFACT_MANIFEST_PATH}/{token}"

    @property
    def url(self) -> str:
        return self.direct_url

    @property
    def upload_url(self) -> str | None:
        if not self.with_upload:
            return None
        token = self.ctx.signer.sign(ARTIFACT_MANIFEST_UPLOAD, self.artifact_row.pk, UPLOAD_URL_TTL)
        return f"{self.ctx.base_url}{SIGNED_ARTIFACT_MANIFEST_UPLOAD_PATH}/{token}"

    @property
    def upload_headers(self) -> list[str]:
        return []

    @property
    def artifact(self) -> ArtifactRow:
        return self.artifact_row


def manifest_node(
    ctx: RequestContext, row: ArtifactRow, *, with_upload: bool = False
) -> dict[str, Any]:
    """An ``ArtifactManifest`` answer for a version."""
    return {
        "id": encode_id("ArtifactManifest", artifact_id(row.pk)),
        "file": ManifestFile(ctx, row, with_upload=with_upload),
    }


def files_connection(
    ctx: RequestContext,
    row: ArtifactRow,
    *,
    names: list[str | None] | None,
    after: str | None,
    first: int | None,
    last: int | None,
    before: str | None,
) -> dict[str, Any]:
    """A page of a version's files in path order (``names`` selects exact paths)."""
    limit = limit_of(first, last, before)
    keys = keyset_after(after, 1)
    after_path = str(keys[0]) if keys else None
    wanted = non_null(names)
    manifests = ctx.store.artifact_manifests
    entries = manifests.entries(row.pk, names=wanted, after_path=after_path, limit=limit + 1)
    return page(
        [ArtifactFile(ctx, entry, row) for entry in entries],
        limit,
        lambda f: (f.entry.path,),
        started=after_path is not None,
        extra={"total_count": manifests.count(row.pk, names=wanted)},
    )


def resolve_membership_files(
    membership: MembershipRow,
    info: GraphQLResolveInfo,
    *,
    names: list[str | None] | None = None,
    after: str | None = None,
    first: int | None = None,
    last: int | None = None,
    before: str | None = None,
    **_: Any,
) -> dict[str, Any] | None:
    """``ArtifactCollectionMembership.files``: the member version's files."""
    ctx = context(info)
    row = readable_artifact(ctx, membership.artifact_pk)
    if row is None:
        return None
    return files_connection(
        ctx, row, names=names, after=after, first=first, last=last, before=before
    )
