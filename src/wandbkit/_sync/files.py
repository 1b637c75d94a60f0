# Generated from src/wandbkit/_async/files.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""Run files: listing, verified atomic downloads, uploads through signed URLs, deletion."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from wandbkit._core.errors import (
    APIConnectionError,
    APITimeoutError,
    IntegrityError,
    NotFoundError,
    UsageError,
)
from wandbkit._core.flavor_sync import monotonic, sync_sleep
from wandbkit._core.retry import ErrorKind, next_delay
from wandbkit._sync.context import ClientHolder
from wandbkit._sync.pagination import Page, RelayPaginator

if TYPE_CHECKING:
    from wandbkit._generated.fragments import RunFileFields

CHUNK_SIZE = 1 << 20
EXISTS_MESSAGE = (
    "File already exists, pass replace=True to overwrite or exist_ok=True to leave it as is "
    "and don't error."
)


def safe_relative_name(name: str) -> PurePosixPath:
    """A file name as a relative path that cannot escape the download root.

    Raises:
        UsageError: absolute, empty, or containing ``..``.
    """
    relative = PurePosixPath(name)
    if not name or relative.is_absolute() or ".." in relative.parts or "\\" in name:
        raise UsageError(f"file name {name!r} is not a safe relative path")
    return relative


def md5_base64(digest: bytes) -> str:
    """W&B's md5 form: the base64 of the raw digest."""
    return base64.b64encode(digest).decode()


class File:
    """A file saved with a run.

    Attributes mirror the server's ``File``; ``download()`` writes it atomically and checks
    its size and md5 against what the server promised.
    """

    def __init__(self, ctx: ClientHolder, run_path: list[str], node: RunFileFields) -> None:
        self._ctx = ctx
        self.run_path = run_path
        self._node = node

    @property
    def id(self) -> str:
        """The server's id of the file."""
        return self._node.id

    @property
    def name(self) -> str:
        """The file's path within the run, e.g. ``media/images/x.png``."""
        return self._node.name

    @property
    def url(self) -> str | None:
        """The authenticated download URL (the API key is sent only to the base URL's host)."""
        return self._node.url

    @property
    def direct_url(self) -> str:
        """A signed, expiring URL; no credentials are sent with it."""
        return self._node.direct_url

    @property
    def size(self) -> int:
        """Size in bytes."""
        return int(self._node.size_bytes or 0)

    @property
    def size_bytes(self) -> int:
        """Same as ``size``."""
        return self.size

    @property
    def mimetype(self) -> str | None:
        """The MIME type the server recorded."""
        return self._node.mimetype

    @property
    def updated_at(self) -> datetime | None:
        """When the file last changed."""
        return self._node.updated_at

    @property
    def md5(self) -> str | None:
        """Base64 md5 of the content, as W&B records it."""
        return self._node.md_5

    def _stream(self, sink: Any) -> tuple[int, str]:
        """Send the body to ``sink.write`` with retries; return (size, base64 md5)."""
        from wandbkit._core.protocol import auth_header_for, status_error

        settings = self._ctx.settings
        url = self.direct_url or self.url
        if not url:
            raise NotFoundError(f"file {self.name!r} has no download URL")
        # A signed URL carries its own authorization: never send the key with it.
        headers = {} if url == self.direct_url else auth_header_for(settings, url)
        client = self._ctx.transport.http_client
        started = monotonic()
        attempt = 0
        while True:
            digest = hashlib.md5(usedforsecurity=False)
            size = 0
            sink.seek(0)
            sink.truncate()
            try:
                with client.stream("GET", url, headers=headers) as response:
                    if response.status_code >= 400:
                        response.read()
                        error = status_error(
                            response,
                            message=f"download of {self.name!r} failed",
                            api_key=settings.api_key,
                        )
                        delay = next_delay(
                            settings.retry,
                            attempt=attempt,
                            elapsed=monotonic() - started,
                            is_mutation=False,
                            status_code=response.status_code,
                            retry_after=response.headers.get("retry-after"),
                        )
                        if delay is None:
                            raise error
                        sync_sleep(delay)
                        attempt += 1
                        continue
                    for chunk in response.iter_bytes(CHUNK_SIZE):
                        digest.update(chunk)
                        size += len(chunk)
                        sink.write(chunk)
                return size, md5_base64(digest.digest())
            except Exception as exc:
                kind = _transport_error_kind(exc)
                if kind is None:
                    raise
                delay = next_delay(
                    settings.retry,
                    attempt=attempt,
                    elapsed=monotonic() - started,
                    is_mutation=False,
                    error_kind=kind,
                )
                if delay is None:
                    error_cls = APITimeoutError if kind == "timeout" else APIConnectionError
                    raise error_cls(f"download of {self.name!r} failed: {exc}") from exc
                sync_sleep(delay)
                attempt += 1

    def _verify(self, size: int, md5: str) -> None:
        if size != self.size:
            raise IntegrityError(
                f"download of {self.name!r}: got {size} bytes, the server promised {self.size}"
            )
        if self.md5 and md5 != self.md5:
            raise IntegrityError(
                f"download of {self.name!r}: md5 {md5} does not match the server's {self.md5}"
            )

    def download(
        self, root: str | os.PathLike[str] = ".", replace: bool = False, exist_ok: bool = False
    ) -> Path:
        """Download to ``root/<name>``: streamed to a temporary file, checked, then renamed.

        Nothing is ever left half-written: on any failure the target is untouched.

        Args:
            root: the directory to download into.
            replace: overwrite an existing file.
            exist_ok: leave an existing file as it is and return its path.

        Returns:
            The downloaded file's path.

        Raises:
            UsageError: the file exists and neither ``replace`` nor ``exist_ok`` was given
                (the official client's ``ValueError`` message).
            IntegrityError: size or md5 differ from the server's record.
        """
        target = Path(root) / safe_relative_name(self.name)
        if target.exists() and not replace:
            if exist_ok:
                return target
            raise UsageError(EXISTS_MESSAGE)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=target.parent
        )
        try:
            with os.fdopen(handle, "w+b") as sink:
                size, md5 = self._stream(sink)
                self._verify(size, md5)
                sink.flush()
                os.fsync(sink.fileno())
            os.replace(temp_name, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_name)
            raise
        return target

    def read_bytes(self) -> bytes:
        """The file's content, checked like ``download()``, without touching the disk."""
        import io

        buffer = io.BytesIO()
        size, md5 = self._stream(buffer)
        self._verify(size, md5)
        return buffer.getvalue()

    def delete(self) -> None:
        """Delete the file from the run."""
        self._ctx.client.delete_files(files=[self.id])

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} ({self.size} bytes)>"


class Files(RelayPaginator[File]):
    """The files of a run, loaded page by page; ``len()`` is the run's file count."""

    def __init__(
        self,
        ctx: ClientHolder,
        entity: str,
        project: str,
        run_id: str,
        names: list[str] | None = None,
        pattern: str | None = None,
        *,
        per_page: int = 50,
        start: str | None = None,
    ) -> None:
        super().__init__(per_page=per_page, start=start)
        if names is not None and pattern is not None:
            raise UsageError("pass names or pattern, not both")
        if names is not None and (
            isinstance(names, str) or not all(isinstance(n, str) and n for n in names)
        ):
            raise UsageError(f"names must be a list of file names, got {names!r}")
        if pattern is not None and (not isinstance(pattern, str) or not pattern):
            raise UsageError(f"pattern must be an SQL LIKE pattern like '%.png', got {pattern!r}")
        self._ctx = ctx
        self.run_path = [entity, project, run_id]
        self.names = list(names) if names is not None else None
        self.pattern = pattern

    def _fetch(self, cursor: str | None) -> Page[File]:
        entity, project, run_id = self.run_path
        names: list[str | None] = list(self.names or [])
        result = self._ctx.client.get_run_files(
            entity=entity,
            project=project,
            name=run_id,
            cursor=cursor,
            per_page=self.per_page,
            names=names,
            pattern=self.pattern,
        )
        run = result.project.run if result.project is not None else None
        if run is None:
            raise NotFoundError(
                f"run '{entity}/{project}/{run_id}' not found", operation_name="GetRunFiles"
            )
        if run.files is None:
            return Page([], None, False, run.file_count)
        items = [
            File(self._ctx, self.run_path, edge.node)
            for edge in run.files.edges
            if edge.node is not None
        ]
        info = run.files.page_info
        return Page(items, info.end_cursor, info.has_next_page, run.file_count)


def upload_run_file(
    ctx: ClientHolder,
    entity: str,
    project: str,
    run_id: str,
    path: str | os.PathLike[str],
    root: str | os.PathLike[str],
) -> File:
    """Upload ``path`` to the run as ``relpath(path, root)``; returns the verified ``File``.

    Raises:
        UsageError: ``path`` is not a readable file inside ``root``.
        IntegrityError: the server recorded a different size or md5 than was sent.
    """
    from wandbkit._core.protocol import status_error

    source = Path(path)
    if not source.is_file():
        raise UsageError(f"path must be an existing file, got {str(path)!r}")
    try:
        name = source.resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        raise UsageError(f"path {str(path)!r} is not inside root {str(root)!r}") from None
    digest = hashlib.md5(usedforsecurity=False)
    with source.open("rb") as reader:
        for chunk in iter(lambda: reader.read(CHUNK_SIZE), b""):
            digest.update(chunk)
    local_md5 = md5_base64(digest.digest())
    size = source.stat().st_size

    created = ctx.client.create_run_files(entity=entity, project=project, run=run_id, files=[name])
    payload = created.create_run_files
    targets = [f for f in payload.files if f.name == name] if payload is not None else []
    if not targets or not targets[0].upload_url:
        raise NotFoundError(f"the server gave no upload URL for {name!r} of run {run_id!r}")
    upload_url = targets[0].upload_url
    # Upload URLs are pre-signed (object storage, or the local server's signed route): they
    # carry their own authorization, so the API key is never sent with them.
    headers = {"Content-Length": str(size)}
    for extra in payload.upload_headers if payload is not None else []:
        key, _, value = extra.partition(":")
        if key and value:
            headers[key.strip()] = value.strip()
    client = ctx.transport.http_client
    with source.open("rb") as body:
        response = client.put(upload_url, content=_read_chunks(body), headers=headers)
    if response.status_code >= 400:
        response.read()
        raise status_error(
            response, message=f"upload of {name!r} failed", api_key=ctx.settings.api_key
        )
    files = Files(ctx, entity, project, run_id, names=[name], per_page=1)
    files.load()
    uploaded = next((f for f in files.objects if f.name == name), None)
    if uploaded is None:
        raise NotFoundError(f"uploaded file {name!r} is not listed on run {run_id!r}")
    if uploaded.size != size or (uploaded.md5 and uploaded.md5 != local_md5):
        raise IntegrityError(
            f"upload of {name!r}: the server recorded {uploaded.size} bytes / md5 "
            f"{uploaded.md5}, sent {size} bytes / md5 {local_md5}"
        )
    return uploaded


def _read_chunks(reader: Any) -> Iterator[bytes]:
    # Streamed, so an upload of any size holds one chunk in memory (an async iterator for the
    # async client; the sync twin is a plain generator, as httpx.Client wants).
    while chunk := reader.read(CHUNK_SIZE):
        yield chunk


def _transport_error_kind(exc: Exception) -> ErrorKind | None:
    import httpx

    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
        return "connect"
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if isinstance(exc, httpx.TransportError):
        return "read"
    return None


__all__ = ["File", "Files", "safe_relative_name", "upload_run_file"]
