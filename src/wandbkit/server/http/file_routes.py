"""HTTP endpoints for run file bytes (not GraphQL).

* ``GET /files/{entity}/{project}/{run}/{name}``: needs an API key (Basic or Bearer), like
  ``/graphql``; this is ``File.url``, which the official client downloads through.
* ``GET /signed/files/{token}``: ``File.directUrl``; no key, 403 on a bad or expired token.
* ``PUT /signed/upload/{token}``: the upload URL of ``createRunFiles``; no key, the body is
  streamed to disk and moved into place atomically, then the file is listed with its size and
  md5. A ``Content-MD5`` request header, if sent, must match the body.

Downloads stream from disk with ``Content-Length``, ``Content-MD5`` and an ``ETag`` holding the
base64 md5 (W&B's checksum form), so a client can verify what it got.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from wandbkit.server.history_exports import exports_for
from wandbkit.server.http.auth import error_response, unauthorized_response
from wandbkit.server.permissions import RESTRICTED_ACCESS, project_readable
from wandbkit.server.signing import (
    DOWNLOAD,
    HISTORY_EXPORT,
    UPLOAD,
    InvalidSignatureError,
    UrlSigner,
)
from wandbkit.server.store import RunFileRow, Store, UnknownRowError, UserRow
from wandbkit.server.urls import (
    FILES_PATH,
    SIGNED_DOWNLOAD_PATH,
    SIGNED_HISTORY_EXPORT_PATH,
    SIGNED_UPLOAD_PATH,
)


class FileRoutes:
    """The file endpoints of one app.

    Args:
        store: where files and their bytes are.
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
        return [
            Route(
                FILES_PATH + "/{entity}/{project}/{run}/{name:path}",
                self.download,
                methods=["GET", "HEAD"],
            ),
            Route(SIGNED_DOWNLOAD_PATH + "/{token}", self.signed_download, methods=["GET", "HEAD"]),
            Route(SIGNED_UPLOAD_PATH + "/{token}", self.signed_upload, methods=["PUT"]),
            Route(
                SIGNED_HISTORY_EXPORT_PATH + "/{token}/{part}",
                self.signed_history_export,
                methods=["GET", "HEAD"],
            ),
        ]

    async def download(self, request: Request) -> Response:
        """``GET /files/...``: an uploaded run file, for a request with a valid API key."""
        viewer = self.authenticate(request)
        if viewer is None:
            return unauthorized_response()
        params: dict[str, Any] = request.path_params
        if not self._may_read(viewer, params["entity"], params["project"]):
            return error_response("file not found", 404)  # as if it did not exist
        run = self.store.runs.find(params["entity"], params["project"], params["run"])
        file = self.store.run_files.get(run.pk, params["name"]) if run else None
        return self._file_response(file)

    def _may_read(self, viewer: UserRow, entity_name: str, project_name: str) -> bool:
        """Whether ``viewer`` may read the project's files (:mod:`wandbkit.server.permissions`)."""
        entity = self.store.entities.get(entity_name)
        project = self.store.projects.get(entity.pk, project_name) if entity else None
        if entity is None or project is None:
            return False
        member = self.store.accounts.can_write(viewer, entity)
        restricted = project.access == RESTRICTED_ACCESS and (
            self.store.registries.can_read_restricted(project, viewer)
        )
        return project_readable(project.access, member=member, restricted_member=restricted)

    async def signed_download(self, request: Request) -> Response:
        """``GET /signed/files/{token}``: the file a valid, unexpired token names."""
        try:
            file_pk = self.signer.verify(DOWNLOAD, request.path_params["token"])
        except InvalidSignatureError as exc:
            return error_response(f"forbidden: {exc}", 403)
        return self._file_response(self.store.run_files.get_by_pk(file_pk))

    async def signed_history_export(self, request: Request) -> Response:
        """``GET /signed/history-exports/{token}/{part}``: one parquet export of the run a
        valid, unexpired token names (``HEAD`` and ranged ``GET`` as wandb-core reads it)."""
        try:
            run_pk = self.signer.verify(HISTORY_EXPORT, request.path_params["token"])
        except InvalidSignatureError as exc:
            return error_response(f"forbidden: {exc}", 403)
        index = request.path_params["part"]
        part = None
        if index.isascii() and index.isdigit() and len(index) <= 6:
            part = exports_for(self.store).part(run_pk, int(index))
        if part is None or not part.path.is_file():
            return error_response("file not found", 404)
        return FileResponse(part.path, media_type="application/vnd.apache.parquet")

    def _file_response(self, file: RunFileRow | None) -> Response:
        if file is None or not file.uploaded:
            return error_response("file not found", 404)
        path = self.store.run_files.path(file)
        if not path.is_file():  # deleted between the look-up and now
            return error_response("file not found", 404)
        md5 = file.md5 or ""
        return FileResponse(
            path,
            media_type=file.mimetype or "application/octet-stream",
            headers={"ETag": f'"{md5}"', "Content-MD5": md5},
        )

    async def signed_upload(self, request: Request) -> Response:
        """``PUT /signed/upload/{token}``: store the body as the file's new bytes."""
        try:
            file_pk = self.signer.verify(UPLOAD, request.path_params["token"])
        except InvalidSignatureError as exc:
            return error_response(f"forbidden: {exc}", 403)
        if self.store.run_files.get_by_pk(file_pk) is None:
            return error_response("file not found", 404)
        with self.store.run_files.blobs.writer() as writer:
            # Chunks are small and the disk is local; writing inline keeps the code simple.
            async for chunk in request.stream():
                writer.write(chunk)
            expected = request.headers.get("content-md5")
            if expected is not None and expected.strip() != writer.md5:
                return error_response("the body does not match the Content-MD5 header", 400)
            try:
                file = self.store.run_files.commit_upload(file_pk, writer)
            except UnknownRowError:
                return error_response("file not found (deleted during the upload)", 404)
        return Response(status_code=200, headers={"ETag": f'"{file.md5}"'})
