"""HTTP endpoints for artifact bytes (not GraphQL).

* ``GET /signed/artifact-files/{token}``: a manifest entry's bytes (``File.directUrl``); no
  key, 403 on a bad or expired token, 404 once the version is deleted.
* ``GET /signed/artifact-manifests/{token}``: a version's manifest in W&B's JSON form
  (``currentManifest.file.directUrl``).
* ``PUT /signed/artifact-upload/{token}``: a file's bytes (``createArtifactFiles``); the token
  names the md5 the bytes must have, so content is verified and stored once by digest. A
  ``Content-MD5`` header, if sent, must match too, and a ``Content-Length`` must equal what
  arrived.
* ``PUT /signed/artifact-upload-part/{token}``: one part of a multipart upload
  (:mod:`wandbkit.server.multipart`), streamed to disk; ``Content-MD5``, if sent, must match;
  answers the part's ``ETag`` (its hex md5 in quotes, as S3 does).
* ``PUT /signed/artifact-manifest-upload/{token}``: a pending version's manifest
  (``createArtifactManifest``); every path is checked (no ``..``, absolute paths,
  backslashes or NUL).
* ``GET /artifactsV2/{region}/{entity}/{project}/{collection}/{artifactId}/{birthId}/{md5hex}/
  {name}`` and ``GET /artifacts/{entity}/{md5hex}``: the official client's authenticated
  fallbacks, behind read access like ``/graphql`` (404 for what the viewer may not read).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from wandbkit.server.blobs import md5_hex
from wandbkit.server.http.auth import error_response, unauthorized_response
from wandbkit.server.ids import InvalidIdError, decode_int_id, encode_id
from wandbkit.server.multipart import MAX_PART_BYTES, MultipartParts, split_part_key
from wandbkit.server.permissions import RESTRICTED_ACCESS, project_readable
from wandbkit.server.signing import (
    ARTIFACT_FILE,
    ARTIFACT_MANIFEST,
    ARTIFACT_MANIFEST_UPLOAD,
    ARTIFACT_UPLOAD,
    ARTIFACT_UPLOAD_PART,
    InvalidSignatureError,
    UrlSigner,
)
from wandbkit.server.store import InvalidNameError, Store, StoreError, UnknownRowError, UserRow
from wandbkit.server.store.artifact_manifests import manifest_document, parse_manifest
from wandbkit.server.urls import (
    ARTIFACTS_V1_PATH,
    ARTIFACTS_V2_PATH,
    SIGNED_ARTIFACT_FILE_PATH,
    SIGNED_ARTIFACT_MANIFEST_PATH,
    SIGNED_ARTIFACT_MANIFEST_UPLOAD_PATH,
    SIGNED_ARTIFACT_UPLOAD_PART_PATH,
    SIGNED_ARTIFACT_UPLOAD_PATH,
)

#: The largest manifest a client may upload (a 100,000-entry manifest is about 20 MiB).
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
#: Segments after ``/artifactsV2/``: with the artifact id (the feature this server reports)
#: and without it (older clients).
_V2_SEGMENTS = (8, 7)


def _artifact_id(pk: int) -> str:
    return encode_id("Artifact", pk)


#: Blobs up to this size are served from memory, larger ones streamed from their file.
SMALL_BLOB_BYTES = 256 * 1024


class ArtifactRoutes:
    """The artifact endpoints of one app.

    Args:
        store: where artifacts and their bytes are.
        authenticate: the request's user, or ``None`` (the same check as ``/graphql``).
    """

    def __init__(self, store: Store, authenticate: Callable[[Request], UserRow | None]) -> None:
        self.store = store
        self.authenticate = authenticate

    @property
    def signer(self) -> UrlSigner:
        """Checks tokens with the store's secret and (current) clock."""
        return self.store.db.url_signer

    def routes(self) -> list[Route]:
        """The Starlette routes."""
        read = ["GET", "HEAD"]
        return [
            Route(SIGNED_ARTIFACT_FILE_PATH + "/{token}", self.signed_file, methods=read),
            Route(SIGNED_ARTIFACT_MANIFEST_PATH + "/{token}", self.signed_manifest, methods=read),
            Route(SIGNED_ARTIFACT_UPLOAD_PATH + "/{token}", self.signed_upload, methods=["PUT"]),
            Route(SIGNED_ARTIFACT_UPLOAD_PART_PATH + "/{token}", self.signed_part, methods=["PUT"]),
            Route(
                SIGNED_ARTIFACT_MANIFEST_UPLOAD_PATH + "/{token}",
                self.signed_manifest_upload,
                methods=["PUT"],
            ),
            Route(ARTIFACTS_V2_PATH + "/{rest:path}", self.v2_download, methods=read),
            Route(ARTIFACTS_V1_PATH + "/{entity}/{md5hex}", self.v1_download, methods=read),
        ]

    def _verify(self, purpose: str, request: Request) -> int | Response:
        try:
            return self.signer.verify(purpose, request.path_params["token"])
        except InvalidSignatureError as exc:
            return error_response(f"forbidden: {exc}", 403)

    def _blob_response(self, md5: str, method: str = "GET", *, ranged: bool = False) -> Response:
        blob = self.store.artifact_manifests.blob(md5)
        path = self.store.artifact_manifests.blob_path(md5) if blob and blob.stored else None
        if path is None or not path.is_file():
            return error_response("file not found", 404)
        headers = {"ETag": f'"{md5}"', "Content-MD5": md5}
        if (
            method == "GET"
            and blob is not None
            and (blob.size or 0) <= SMALL_BLOB_BYTES
            and not ranged
        ):
            # A small blob is answered from memory (a Range request goes to FileResponse,
            # which answers ranges): FileResponse's stat, thread hop and chunked send cost
            # more than the bytes (about 4 ms against 1.7 ms per file, which
            # is most of the time of an artifact of 1,000 small files).
            try:
                content = path.read_bytes()
            except OSError:
                return error_response("file not found", 404)
            return Response(content, media_type="application/octet-stream", headers=headers)
        return FileResponse(path, media_type="application/octet-stream", headers=headers)

    def _live(self, artifact_pk: int) -> bool:
        artifact = self.store.artifacts.get_by_pk(artifact_pk)
        return artifact is not None and artifact.state != "DELETED"

    async def signed_file(self, request: Request) -> Response:
        """``GET /signed/artifact-files/{token}``: the bytes of the entry a token names."""
        pk = self._verify(ARTIFACT_FILE, request)
        if isinstance(pk, Response):
            return pk
        entry = self.store.artifact_manifests.entry_by_pk(pk)
        if entry is None or entry.ref is not None or not self._live(entry.artifact_pk):
            return error_response("file not found", 404)
        return self._blob_response(entry.digest, request.method, ranged="range" in request.headers)

    async def signed_manifest(self, request: Request) -> Response:
        """``GET /signed/artifact-manifests/{token}``: a version's manifest JSON."""
        pk = self._verify(ARTIFACT_MANIFEST, request)
        if isinstance(pk, Response):
            return pk
        if not self._live(pk):
            return error_response("manifest not found", 404)
        document = manifest_document(self.store.artifact_manifests.all_entries(pk), _artifact_id)
        body = json.dumps(document, separators=(",", ":")).encode()
        md5 = _b64_md5(body)
        return Response(
            body,
            media_type="application/json",
            headers={"ETag": f'"{md5}"', "Content-MD5": md5},
        )

    async def signed_upload(self, request: Request) -> Response:
        """``PUT /signed/artifact-upload/{token}``: bytes that must have the token's md5."""
        pk = self._verify(ARTIFACT_UPLOAD, request)
        if isinstance(pk, Response):
            return pk
        manifests = self.store.artifact_manifests
        blob = manifests.blob_by_pk(pk)
        if blob is None:
            return error_response("upload not found", 404)
        with manifests.blobs.writer() as writer:
            async for chunk in request.stream():
                writer.write(chunk)
            problem = _body_problem(request, writer.size, writer.md5)
            if problem is not None:
                return error_response(problem, 400)
            try:
                stored = manifests.commit_blob(pk, writer)
            except UnknownRowError:
                return error_response("upload not found", 404)
            except StoreError as exc:
                return error_response(str(exc), 400)
        return Response(status_code=200, headers={"ETag": f'"{stored.md5}"'})

    async def signed_part(self, request: Request) -> Response:
        """``PUT /signed/artifact-upload-part/{token}``: one part of a multipart upload."""
        key = self._verify(ARTIFACT_UPLOAD_PART, request)
        if isinstance(key, Response):
            return key
        blob_pk, number = split_part_key(key)
        manifests = self.store.artifact_manifests
        if manifests.blob_by_pk(blob_pk) is None:
            return error_response("upload not found", 404)
        parts = MultipartParts(manifests.blobs)
        with parts.writer() as writer:
            async for chunk in request.stream():
                writer.write(chunk)
                if writer.size > MAX_PART_BYTES:
                    return error_response(f"a part may be at most {MAX_PART_BYTES} bytes", 413)
            problem = _body_problem(request, writer.size, writer.md5)
            if problem is not None:
                return error_response(problem, 400)
            etag = md5_hex(writer.md5)
            parts.keep(blob_pk, number, writer)
        return Response(status_code=200, headers={"ETag": f'"{etag}"'})

    async def signed_manifest_upload(self, request: Request) -> Response:
        """``PUT /signed/artifact-manifest-upload/{token}``: a pending version's manifest."""
        pk = self._verify(ARTIFACT_MANIFEST_UPLOAD, request)
        if isinstance(pk, Response):
            return pk
        artifact = self.store.artifacts.get_by_pk(pk)
        if artifact is None or artifact.state == "DELETED":
            return error_response("artifact not found", 404)
        if artifact.state != "PENDING":
            return error_response("the artifact is committed; its manifest cannot change", 409)
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_MANIFEST_BYTES:
                return error_response(f"a manifest may be at most {MAX_MANIFEST_BYTES} bytes", 413)
        problem = _body_problem(request, len(body), _b64_md5(bytes(body)))
        if problem is not None:
            return error_response(problem, 400)
        try:
            entries = parse_manifest(bytes(body), self._birth_pk)
            self.store.artifact_manifests.replace_entries(pk, entries)
        except (InvalidNameError, StoreError) as exc:
            return error_response(f"invalid manifest: {exc}", 400)
        return Response(status_code=200, headers={"ETag": f'"{_b64_md5(bytes(body))}"'})

    def _birth_pk(self, value: str) -> int | None:
        pk = _artifact_pk(value)
        return pk if pk is not None and self.store.artifacts.get_by_pk(pk) is not None else None

    def _readable(self, viewer: UserRow, project_pk: int) -> bool:
        project = self.store.projects.get_by_pk(project_pk)
        entity = self.store.entities.get_by_pk(project.entity_pk) if project else None
        if project is None or entity is None:
            return False
        member = self.store.accounts.can_write(viewer, entity)
        restricted = project.access == RESTRICTED_ACCESS and (
            self.store.registries.can_read_restricted(project, viewer)
        )
        return project_readable(project.access, member=member, restricted_member=restricted)

    async def v2_download(self, request: Request) -> Response:
        """``GET /artifactsV2/...``: an entry's bytes by artifact id and md5, with a key."""
        viewer = self.authenticate(request)
        if viewer is None:
            return unauthorized_response()
        raw = request.scope.get("raw_path") or request.url.path.encode()
        prefix = ARTIFACTS_V2_PATH.encode() + b"/"
        tail = raw.split(b"?", 1)[0]
        tail = tail[tail.index(prefix) + len(prefix) :] if prefix in tail else b""
        parts = [unquote(p.decode("utf-8", "replace")) for p in tail.split(b"/")]
        if len(parts) not in _V2_SEGMENTS:
            return error_response("file not found", 404)
        entity_name, project_name = parts[1:3]
        md5 = _md5_from_hex(parts[-2])
        # {region}/{entity}/{project}/{collection}/[{artifactId}/]{birthId}/{md5hex}/{name}:
        # the artifact id, or without it the birth artifact's, names the version to read.
        artifact_pk = _artifact_pk(parts[4])
        artifact = self.store.artifacts.get_by_pk(artifact_pk) if artifact_pk else None
        if (
            md5 is None
            or artifact is None
            or artifact.state == "DELETED"
            or not self._readable(viewer, artifact.project_pk)
        ):
            return error_response("file not found", 404)
        project = self.store.projects.get_by_pk(artifact.project_pk)
        entity = self.store.entities.get_by_pk(project.entity_pk) if project else None
        if (
            project is None
            or entity is None
            or (entity.name, project.name)
            != (
                entity_name,
                project_name,
            )
        ):
            return error_response("file not found", 404)
        if self.store.artifact_manifests.entry_by_digest(artifact.pk, md5) is None:
            return error_response("file not found", 404)
        return self._blob_response(md5, request.method, ranged="range" in request.headers)

    async def v1_download(self, request: Request) -> Response:
        """``GET /artifacts/{entity}/{md5hex}``: content by md5 held by a readable version of
        one of the entity's projects, with a key."""
        viewer = self.authenticate(request)
        if viewer is None:
            return unauthorized_response()
        entity = self.store.entities.get(request.path_params["entity"])
        md5 = _md5_from_hex(request.path_params["md5hex"])
        if entity is None or md5 is None:
            return error_response("file not found", 404)
        holders = self.store.artifacts.holders_in_entity(entity.pk, md5)
        if not any(self._readable(viewer, project_pk) for project_pk in holders):
            return error_response("file not found", 404)
        return self._blob_response(md5, request.method, ranged="range" in request.headers)


def _artifact_pk(value: str) -> int | None:
    try:
        return decode_int_id(value, "Artifact")
    except InvalidIdError:
        return None


def _b64_md5(body: bytes) -> str:
    return base64.b64encode(hashlib.md5(body, usedforsecurity=False).digest()).decode("ascii")


def _md5_from_hex(text: str) -> str | None:
    try:
        raw = binascii.unhexlify(text)
    except (binascii.Error, ValueError):
        return None
    if len(raw) != 16:
        return None
    return base64.b64encode(raw).decode("ascii")


def _body_problem(request: Request, size: int, md5: str) -> str | None:
    """Why an upload body does not match its headers, or ``None``."""
    expected_md5 = request.headers.get("content-md5")
    if expected_md5 is not None and expected_md5.strip() != md5:
        return "the body does not match the Content-MD5 header"
    length = request.headers.get("content-length")
    if length is not None and (not length.strip().isdigit() or int(length) != size):
        return "the body is not as long as its Content-Length header"
    return None
