"""``POST /signed/artifact-file-bundle``: many artifact files in one answer.

The format is :mod:`wandbkit._lang.artifact_bundle`'s: the body names the tokens of signed
file URLs; each token authorizes its own file exactly as ``GET /signed/artifact-files/{token}``
would (same purpose, same expiry, same 404 once the version is deleted), so a bundle reveals
nothing its URLs do not. No API key is needed or read. The answer streams, item by item, in
chunks of at most ``CHUNK`` bytes, so its memory does not grow with the files' sizes; at most
``MAX_BUNDLE_TOKENS`` tokens per request (413 beyond), and a malformed body is a 400.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from wandbkit._lang.artifact_bundle import (
    BUNDLE_MEDIA_TYPE,
    MAX_REQUEST_BYTES,
    BundleError,
    BundleTooLargeError,
    decode_request,
    item_header,
)
from wandbkit.server.http.auth import error_response
from wandbkit.server.limits import BodyTooLargeError, read_body
from wandbkit.server.signing import ARTIFACT_FILE, InvalidSignatureError, UrlSigner
from wandbkit.server.store import Store
from wandbkit.server.urls import SIGNED_ARTIFACT_BUNDLE_PATH

#: Bytes read from a blob and sent at a time.
CHUNK = 1 << 20


class ArtifactBundleRoute:
    """The bundle endpoint of one app.

    Args:
        store: where artifacts and their bytes are.
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    @property
    def signer(self) -> UrlSigner:
        """Checks tokens with the store's secret and (current) clock."""
        return self.store.db.url_signer

    def routes(self) -> list[Route]:
        """The Starlette route."""
        return [Route(SIGNED_ARTIFACT_BUNDLE_PATH, self.bundle, methods=["POST"])]

    async def bundle(self, request: Request) -> Response:
        """The files the body's tokens name, each framed by its status and length."""
        try:
            body = await read_body(request, MAX_REQUEST_BYTES)
        except BodyTooLargeError:
            return error_response(f"a bundle request may be at most {MAX_REQUEST_BYTES} bytes", 413)
        try:
            tokens = decode_request(body)
        except BundleTooLargeError as exc:
            return error_response(str(exc), 413)
        except BundleError as exc:
            return error_response(str(exc), 400)
        items = self._resolve(tokens)
        return StreamingResponse(_stream(items), media_type=BUNDLE_MEDIA_TYPE)

    def _resolve(self, tokens: list[str]) -> list[Path | tuple[int, str]]:
        """Per token, the blob file to send, or the status and message of a refusal."""
        keys: list[int | tuple[int, str]] = []
        for token in tokens:
            try:
                keys.append(self.signer.verify(ARTIFACT_FILE, token))
            except InvalidSignatureError as exc:
                keys.append((403, f"forbidden: {exc}"))
        manifests = self.store.artifact_manifests
        entries = manifests.entries_by_pks([key for key in keys if isinstance(key, int)])
        artifacts = self.store.artifacts.get_by_pks([e.artifact_pk for e in entries.values()])
        live = {pk: row.state != "DELETED" for pk, row in artifacts.items()}
        blobs = manifests.stored_blobs([e.digest for e in entries.values() if e.ref is None])
        items: list[Path | tuple[int, str]] = []
        for key in keys:
            if not isinstance(key, int):
                items.append(key)
                continue
            found = entries.get(key)
            if (
                found is None
                or found.ref is not None
                or not live.get(found.artifact_pk)
                or found.digest not in blobs
            ):
                items.append((404, "file not found"))
            else:
                items.append(manifests.blob_path(found.digest))
        return items


async def _stream(items: list[Path | tuple[int, str]]) -> AsyncIterator[bytes]:
    """The answer, in chunks of about ``CHUNK`` bytes (small items sent together)."""
    buffer = bytearray()
    for item in items:
        for piece in _item(item):
            buffer += piece
            if len(buffer) >= CHUNK:
                yield bytes(buffer)
                buffer.clear()
    if buffer:
        yield bytes(buffer)


def _item(item: Path | tuple[int, str]) -> Iterator[bytes]:
    if isinstance(item, tuple):
        status, message = item
        data = message.encode()
        yield item_header(status, len(data)) + data
        return
    try:
        reader = item.open("rb")
    except OSError:
        data = b"file not found"
        yield item_header(404, len(data)) + data
        return
    with reader:
        size = reader.seek(0, 2)
        reader.seek(0)
        yield item_header(200, size)
        left = size
        while left > 0:
            chunk = reader.read(min(CHUNK, left))
            if not chunk:
                # The blob shrank under us (it never should): end the item short; the client
                # refetches whatever it did not get whole.
                return
            left -= len(chunk)
            yield chunk
