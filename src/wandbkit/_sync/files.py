# Generated from src/wandbkit/_async/files.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""Run files: listing, verified atomic downloads, uploads through signed URLs, deletion."""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Protocol
from urllib.parse import unquote, urlsplit

from wandbkit._core.errors import NotFoundError, UsageError
from wandbkit._core.not_found import run_not_found
from wandbkit._core.transfer import parse_upload_headers, verify_transfer
from wandbkit._html import Displayable, HtmlSummary
from wandbkit._sync.context import ClientContext, HasContext, api_context
from wandbkit._sync.pagination import Page, RelayPaginator

if TYPE_CHECKING:
    from wandbkit._generated.fragments import RunFileFields

EXISTS_MESSAGE = (
    "File already exists, pass replace=True to overwrite or exist_ok=True to leave it as is "
    "and don't error."
)


#: S3 object URLs: path style (``s3[.-<region>].amazonaws.com/<bucket>/<key>``) and
#: virtual-hosted style (``<bucket>.s3[.-<region>].amazonaws.com/<key>``).
_S3_PATH_HOST = re.compile(r"^s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com$")
_S3_VIRTUAL_HOST = re.compile(
    r"^(?P<bucket>[a-z0-9][a-z0-9.-]*)\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com$"
)


def s3_uri(url: str | None) -> str:
    """``s3://bucket/key`` for an S3 object URL (path or virtual-hosted style), else ``""``.

    Example:
        >>> s3_uri("https://bkt.s3.us-east-1.amazonaws.com/a/b.txt?X-Amz-Signature=x")
        's3://bkt/a/b.txt'
    """
    if not url:
        return ""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    key = unquote(parts.path.lstrip("/"))
    if _S3_PATH_HOST.match(host):
        bucket, _, key = key.partition("/")
    elif (virtual := _S3_VIRTUAL_HOST.match(host)) is not None:
        bucket = virtual.group("bucket")
    else:
        return ""
    return f"s3://{bucket}/{key}" if bucket and key else ""


def safe_relative_name(name: str) -> PurePosixPath:
    """A file name as a relative path that cannot escape the download root.

    Raises:
        UsageError: absolute, empty, or containing ``..``.
    """
    relative = PurePosixPath(name)
    if not name or relative.is_absolute() or ".." in relative.parts or "\\" in name:
        raise UsageError(f"file name {name!r} is not a safe relative path")
    return relative


class FileRun(Protocol):
    """The run a file belongs to (``File.run``; a ``Run``)."""

    @property
    def id(self) -> str:
        """The run id."""

    @property
    def entity(self) -> str:
        """The run's entity."""

    @property
    def project(self) -> str:
        """The run's project."""


class File(Displayable):
    """A file saved with a run.

    Attributes mirror the server's ``File``; ``download()`` writes it atomically and checks
    its size and md5 against what the server promised.
    """

    def __init__(
        self,
        ctx: ClientContext,
        run_path: list[str],
        node: RunFileFields,
        *,
        run: FileRun | None = None,
    ) -> None:
        self._ctx = ctx
        self.run_path = run_path
        self._node = node
        self._run = run

    @property
    def run(self) -> FileRun:
        """The run the file belongs to (the ``Run`` it was listed from).

        Raises:
            UsageError: a file made without its run (not one from ``run.files()``,
                ``run.file()`` or ``run.upload_file()``).
        """
        if self._run is None:
            raise UsageError(f"file {self.name!r} was not listed from a Run")
        return self._run

    @property
    def path_uri(self) -> str:
        """The file's ``s3://bucket/key`` URI when the server stores it in S3 (as ``wandb``'s
        ``File.path_uri``); ``""`` for any other storage (this local server's, say)."""
        return s3_uri(self.direct_url)

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

    def _fetch_into(self, sink: IO[bytes], ctx: ClientContext | None = None) -> None:
        """Download into ``sink`` (through ``ctx``, by default this file's) and check size and
        md5 against the server's record."""
        url = self.direct_url or self.url
        if not url:
            raise NotFoundError(f"file {self.name!r} has no download URL")
        description = f"download of {self.name!r}"
        transfer = (ctx or self._ctx).transport.download(
            url,
            sink,
            # A signed URL carries its own authorization: never send the key with it.
            authenticate=url != self.direct_url,
            description=description,
        )
        verify_transfer(self.size, self.md5, transfer, description=description)

    def download(
        self,
        root: str | os.PathLike[str] = ".",
        replace: bool = False,
        exist_ok: bool = False,
        api: HasContext | None = None,
    ) -> Path:
        """Download to ``root/<name>``: streamed to a temporary file, checked, then renamed.

        Nothing is ever left half-written: on any failure the target is untouched.

        Args:
            root: the directory to download into.
            replace: overwrite an existing file.
            exist_ok: leave an existing file as it is and return its path.
            api: the ``Api`` to download with (its server and credentials), as in ``wandb``;
                by default the one this file came from.

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
        ctx = api_context(api)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=target.parent
        )
        try:
            with os.fdopen(handle, "w+b") as sink:
                self._fetch_into(sink, ctx)
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
        buffer = io.BytesIO()
        self._fetch_into(buffer)
        return buffer.getvalue()

    def delete(self) -> None:
        """Delete the file from the run."""
        self._ctx.client.delete_files(files=[self.id])

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} ({self.size} bytes)>"

    def _html_summary(self) -> HtmlSummary:
        # Not the direct URL: it is signed, a capability to read the file.
        fields = {
            "size": self.size,
            "mimetype": self.mimetype,
            "md5": self.md5,
            "updated_at": self.updated_at,
        }
        return HtmlSummary("File", self.name, fields)


class Files(RelayPaginator[File]):
    """The files of a run, loaded page by page; ``len()`` is the run's file count."""

    def __init__(
        self,
        ctx: ClientContext,
        entity: str,
        project: str,
        run_id: str,
        names: list[str] | None = None,
        pattern: str | None = None,
        *,
        per_page: int = 50,
        start: str | None = None,
        run: FileRun | None = None,
    ) -> None:
        super().__init__(per_page=per_page, start=start)
        self._run = run
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

    @property
    def run(self) -> FileRun | None:
        """The run these files belong to (``None`` when made without one)."""
        return self._run

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
            raise run_not_found(entity, project, run_id, "GetRunFiles")
        if run.files is None:
            return Page([], None, False, run.file_count)
        items = [
            File(self._ctx, self.run_path, edge.node, run=self._run)
            for edge in run.files.edges
            if edge.node is not None
        ]
        info = run.files.page_info
        return Page(items, info.end_cursor, info.has_next_page, run.file_count)


def find_file(
    ctx: ClientContext,
    entity: str,
    project: str,
    run_id: str,
    name: str,
    *,
    run: FileRun | None = None,
) -> File | None:
    """The run's file called ``name`` (one request), or ``None``."""
    files = Files(ctx, entity, project, run_id, names=[name], per_page=1, run=run).load()
    return next((found for found in files.objects if found.name == name), None)


def upload_run_file(
    ctx: ClientContext,
    entity: str,
    project: str,
    run_id: str,
    path: str | os.PathLike[str],
    root: str | os.PathLike[str],
    *,
    run: FileRun | None = None,
) -> File:
    """Upload ``path`` to the run as ``relpath(path, root)``; returns the verified ``File``.

    Raises:
        UsageError: ``path`` is not a readable file inside ``root``.
        IntegrityError: the server recorded a different size or md5 than was sent.
    """
    source = Path(path)
    if not source.is_file():
        raise UsageError(f"path must be an existing file, got {str(path)!r}")
    try:
        name = source.resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        raise UsageError(f"path {str(path)!r} is not inside root {str(root)!r}") from None

    created = ctx.client.create_run_files(entity=entity, project=project, run=run_id, files=[name])
    payload = created.create_run_files
    targets = [f for f in payload.files if f.name == name] if payload is not None else []
    if payload is None or not targets or not targets[0].upload_url:
        raise NotFoundError(f"the server gave no upload URL for {name!r} of run {run_id!r}")
    description = f"upload of {name!r}"
    sent = ctx.transport.upload(
        targets[0].upload_url,
        source,
        headers=parse_upload_headers(payload.upload_headers),
        description=description,
    )
    uploaded = find_file(ctx, entity, project, run_id, name, run=run)
    if uploaded is None:
        raise NotFoundError(f"uploaded file {name!r} is not listed on run {run_id!r}")
    # The server's record of the stored file must match what was sent.
    verify_transfer(uploaded.size, uploaded.md5, sent, description=description)
    return uploaded


__all__ = ["File", "Files", "find_file", "safe_relative_name", "upload_run_file"]
