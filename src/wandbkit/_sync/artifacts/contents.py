# Generated from src/wandbkit/_async/artifacts/contents.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""What an artifact version holds: its manifest, its entries and files, and the downloads,
checks and checkouts of them (a part of ``Artifact``).

Downloads go through the transfer engine (:mod:`wandbkit._async.artifacts.transfer`): many
files at once, each streamed to a temporary file with its md5 checked, then renamed into
place; files already stored in the content-addressed cache are copied from it.
"""

from __future__ import annotations

import io
import json
import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from wandbkit._core.errors import (
    APIError,
    IntegrityError,
    NotFoundError,
    PermissionDeniedError,
    UsageError,
)
from wandbkit._core.flavor_sync import MaybeAwaitable
from wandbkit._html import Explorable, HtmlSummary
from wandbkit._values.artifact_objects import (
    LOG_TYPES,
    ArtifactObject,
    object_from_json,
    with_suffix,
)
from wandbkit._values.artifacts import ArtifactManifest, ManifestEntry

if TYPE_CHECKING:
    from wandbkit._sync.artifacts.files import ArtifactFiles
    from wandbkit._sync.artifacts.place import ArtifactPlace
    from wandbkit._sync.artifacts.transfer import RemoteFile, TransferReport
    from wandbkit._sync.context import ClientContext

#: File URLs asked for per request when downloading (the official client asks 5000).
FILE_URLS_PER_PAGE = 5000
#: The environment variable that moves the default download directory (as in ``wandb``).
ARTIFACT_DIR_ENV = "WANDB_ARTIFACT_DIR"
#: Files moving at once in a download, unless ``max_workers`` says otherwise.
DEFAULT_MAX_WORKERS = 16


def default_artifact_dir() -> Path:
    """Where downloads go without a ``root``: ``$WANDB_ARTIFACT_DIR``, else ``./artifacts``."""
    return Path(os.environ.get(ARTIFACT_DIR_ENV) or "./artifacts")


class ArtifactManifestEntry(Explorable):
    """One entry of a version's manifest: a stored file or a reference.

    Attributes mirror ``wandb``'s ``ArtifactManifestEntry``; ``download()`` fetches just this
    entry, verified.
    """

    def __init__(self, artifact: ArtifactContents, entry: ManifestEntry) -> None:
        self._artifact = artifact
        self._entry = entry

    @property
    def path(self) -> str:
        """The entry's path inside the artifact."""
        return self._entry.path

    @property
    def digest(self) -> str:
        """Base64 md5 of the content (for a reference: the reference's digest)."""
        return self._entry.digest

    @property
    def size(self) -> int | None:
        """Bytes, when known."""
        return self._entry.size

    @property
    def ref(self) -> str | None:
        """The URL a reference points to; ``None`` for a stored file."""
        return self._entry.ref

    @property
    def birth_artifact_id(self) -> str | None:
        """The id of the version that first stored the content."""
        return self._entry.birth_artifact_id

    @property
    def extra(self) -> dict[str, Any]:
        """The entry's other manifest keys."""
        return dict(self._entry.extra)

    @property
    def local_path(self) -> str | None:
        """Where the file was when it was added, if the manifest says."""
        return self._entry.local_path

    @property
    def digest_algorithm(self) -> str:
        """How ``digest`` was computed (``md5``)."""
        return "md5"

    @property
    def parent_artifact(self) -> ArtifactContents:
        """The version the entry belongs to."""
        return self._artifact

    def ref_target(self) -> str:
        """The URL of a reference, or the ``wandb-artifact://`` URL of a stored file."""
        return self._entry.ref if self._entry.ref is not None else self.ref_url()

    def ref_url(self) -> str:
        """``wandb-artifact://<artifact id>/<path>``: how other artifacts refer to the entry."""
        return f"wandb-artifact://{self._artifact.id}/{self._entry.path}"

    def download(
        self, root: str | None = None, skip_cache: bool | None = None, executor: Any = None
    ) -> str:
        """Download this entry to ``root/<path>`` (default: the version's download directory),
        verified; returns the file's path.

        ``executor`` is ``wandb``'s thread pool argument; downloads here manage their own
        concurrency, so it must be left out.
        """
        if executor is not None:
            raise UsageError("executor is not taken: downloads run on the client's transport")
        target = Path(root) if root is not None else self._artifact._default_root()
        self._artifact._download_entries(
            [self._entry], target, skip_cache=bool(skip_cache), allow_missing=False
        )
        return str(target / self._entry.path)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.path} ({self.size} bytes)>"

    def _html_summary(self) -> HtmlSummary:
        fields = {"size": self.size, "digest": self.digest, "ref": self.ref}
        return HtmlSummary("ArtifactManifestEntry", self.path, fields)


class ArtifactContents(Explorable):
    """The reads of a version's manifest and files (a part of ``Artifact``, which supplies the
    context, its id and where it was fetched from)."""

    _ctx: ClientContext
    _place: ArtifactPlace
    _manifest: ArtifactManifest | None

    @property
    def id(self) -> str:
        """The version's id (``Artifact`` supplies it)."""
        raise NotImplementedError

    @property
    def source_name(self) -> str:
        """``collection:version`` where it was logged (``Artifact`` supplies it)."""
        raise NotImplementedError

    def _forget_contents(self) -> None:
        self._manifest = None

    # -- the manifest ----------------------------------------------------------------------

    @property
    def manifest(self) -> MaybeAwaitable[ArtifactManifest]:
        """The version's manifest (fetched once); see :meth:`get_manifest`."""
        return self.get_manifest()

    def get_manifest(self) -> ArtifactManifest:
        """The version's manifest: fetched from its signed URL once, then kept.

        Raises:
            NotFoundError: the version has no manifest.
            APIError: the manifest is malformed or names an unsafe path.
        """
        if self._manifest is None:
            result = self._ctx.client.get_artifact_manifest(id=self.id)
            current = result.artifact.current_manifest if result.artifact is not None else None
            if current is None:
                raise NotFoundError(f"artifact {self.id!r} has no manifest")
            buffer = io.BytesIO()
            self._ctx.transport.download(
                current.file.direct_url,
                buffer,
                authenticate=False,
                description=f"manifest of artifact {self.source_name!r}",
            )
            try:
                document = json.loads(buffer.getvalue())
            except ValueError:
                raise APIError("the artifact manifest is not JSON") from None
            self._manifest = ArtifactManifest.from_json(document)
        return self._manifest

    def get_entry(self, name: str | os.PathLike[str]) -> ArtifactManifestEntry:
        """The manifest entry at path ``name``.

        Raises:
            KeyError: no entry at that path (as in ``wandb``).
        """
        path = Path(name).as_posix() if not isinstance(name, str) else name
        manifest = self.get_manifest()
        entry = manifest.entries.get(path)
        if entry is None:
            raise KeyError(f"path {path!r} is not in artifact {self.source_name!r}")
        return ArtifactManifestEntry(self, entry)

    def get(self, name: str) -> ArtifactObject | None:
        """The W&B object (table, image...) added to the version as ``name``, or ``None``.

        As in ``wandb``, ``name`` is the name it was added under: the entry is
        ``<name>.<type>.json`` (``predictions.table.json``), found by trying each type. The
        entry is downloaded (verified, through the cache) and read back as an
        :class:`~wandbkit.ArtifactTable` for a table, else an
        :class:`~wandbkit.ArtifactMedia` (its type and JSON document); ``wandb`` gives its
        own classes, which need ``wandb``. Files a table's cells point to are other entries
        (``download()`` them).

        Raises:
            UsageError: ``name`` is not a string, or the entry is not a W&B object.
        """
        if not isinstance(name, str) or not name:
            raise UsageError(f"name must be a non-empty string, got {name!r}")
        manifest = self.get_manifest()
        path = next(
            (
                candidate
                for log_type in LOG_TYPES
                if (candidate := with_suffix(name, log_type)) in manifest.entries
            ),
            None,
        )
        if path is None:
            return None
        entry = self.get_entry(path)
        local = Path(entry.download())
        try:
            document = json.loads(local.read_bytes())
        except ValueError:
            raise UsageError(f"entry {path!r} is not JSON, so not a W&B object") from None
        return object_from_json(document, path)

    def __getitem__(self, name: str) -> MaybeAwaitable[ArtifactObject | None]:
        """``artifact[name]`` is :meth:`get` (awaitable with ``AsyncApi``)."""
        return self.get(name)

    def get_path(self, name: str | os.PathLike[str]) -> ArtifactManifestEntry:
        """Deprecated in ``wandb`` (which warns): same as :meth:`get_entry`."""
        warnings.warn(
            "Artifact.get_path is deprecated; use Artifact.get_entry",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.get_entry(name)

    def files(
        self, names: list[str] | None = None, per_page: int = 50, start: str | None = None
    ) -> ArtifactFiles:
        """The version's stored files, lazily, page by page (``len()`` is the server's count).

        Args:
            names: only the files at these paths.
            per_page: files per request.
            start: a ``cursor`` from an earlier ``ArtifactFiles``, to resume from.
        """
        from wandbkit._sync.artifacts.files import ArtifactFiles

        return ArtifactFiles(self._ctx, self._place, names=names, per_page=per_page, start=start)

    # -- downloads -------------------------------------------------------------------------

    def _default_root(self) -> Path:
        return default_artifact_dir() / self.source_name

    def _file_urls(self) -> dict[str, str]:
        """Every stored file's signed URL, by path (``GetArtifactFileUrls``, paged)."""
        urls: dict[str, str] = {}
        cursor: str | None = None
        place = self._place
        while True:
            result = self._ctx.client.get_artifact_file_urls(
                entity=place.entity,
                project=place.project,
                collection=place.collection,
                alias=place.version,
                cursor=cursor,
                per_page=FILE_URLS_PER_PAGE,
            )
            collection = result.project.artifact_collection if result.project else None
            membership = collection.artifact_membership if collection is not None else None
            if membership is None or membership.files is None:
                raise NotFoundError(
                    f"artifact '{place.entity}/{place.project}/{self.name}' not found",
                    operation_name="GetArtifactFileUrls",
                )
            for edge in membership.files.edges:
                if edge.node is not None:
                    urls[edge.node.name] = edge.node.direct_url
            info = membership.files.page_info
            if not info.has_next_page or info.end_cursor in (None, cursor):
                return urls
            cursor = info.end_cursor

    @property
    def name(self) -> str:
        """``collection:version`` (``Artifact`` supplies it)."""
        raise NotImplementedError

    def _fallback_url(self, manifest: ArtifactManifest, entry: ManifestEntry) -> str:
        """The authenticated storage URL of a stored file, as W&B forms it (the key goes with
        it, only to the base URL's origin)."""
        import base64

        md5_hex = base64.b64decode(entry.digest).hex()
        base = self._ctx.settings.base_url
        if manifest.storage_layout == "V1":
            return f"{base}/artifacts/{quote(self._place.entity)}/{md5_hex}"
        birth = entry.birth_artifact_id or self.id
        return (
            f"{base}/artifactsV2/{quote(manifest.storage_region)}/{quote(self._place.entity)}/"
            f"{quote(self._place.project)}/{quote(self._place.collection)}/"
            f"{quote(self.id, safe='')}/{quote(birth, safe='')}/{md5_hex}/"
            f"{quote(entry.path.rsplit('/', 1)[-1])}"
        )

    def _download_entries(
        self,
        entries: list[ManifestEntry],
        root: Path,
        *,
        skip_cache: bool,
        allow_missing: bool,
        max_workers: int = DEFAULT_MAX_WORKERS,
        progress: bool | None = None,
        hard_links: bool | None = None,
        multipart: bool | None = None,
    ) -> TransferReport:
        from wandbkit._core.artifact_cache import ArtifactCache
        from wandbkit._sync.artifacts.transfer import RemoteFile, download_files

        manifest = self.get_manifest()
        urls = self._file_urls() if any(not e.is_reference for e in entries) else {}

        def remote(entry: ManifestEntry, *, fallback: bool) -> RemoteFile:
            if entry.ref is not None:
                return RemoteFile(entry.path, entry.digest, entry.size or 0, entry.ref, True)
            signed = None if fallback else urls.get(entry.path)
            url = signed or self._fallback_url(manifest, entry)
            # The fallback routes need the key (sent only to the base URL's origin).
            return RemoteFile(
                entry.path, entry.digest, entry.size or 0, url, authenticate=signed is None
            )

        cache = None if skip_cache else ArtifactCache.default(link=hard_links)

        def send(files: list[RemoteFile]) -> TransferReport:
            return download_files(
                self._ctx,
                files,
                root,
                cache=cache,
                max_workers=max_workers,
                progress=progress,
                allow_missing_references=allow_missing,
                multipart=multipart,
            )

        try:
            return send([remote(entry, fallback=False) for entry in entries])
        except (NotFoundError, PermissionDeniedError) as exc:
            # As the official client does when a signed URL fails (gone, expired): the
            # server's keyed storage routes. Files already in place are not fetched again.
            if exc.response is None:
                raise  # a missing reference, not an answer of the server
            return send([remote(entry, fallback=True) for entry in entries])

    def download(
        self,
        root: str | os.PathLike[str] | None = None,
        allow_missing_references: bool = False,
        skip_cache: bool | None = None,
        path_prefix: str | os.PathLike[str] | None = None,
        multipart: bool | None = None,
        *,
        max_workers: int = DEFAULT_MAX_WORKERS,
        progress: bool | None = None,
        hard_links: bool | None = None,
    ) -> str:
        """Download the version's files under ``root``; returns ``root``.

        Many files move at once (``max_workers``); each is streamed to a temporary file with
        its md5 checked against the manifest while streaming, then renamed into place, so a
        bad or interrupted transfer leaves no file. Files already in ``root`` with the right
        md5 are left alone; files in the cache are copied from it (as the official client
        does; ``hard_links=True`` links them instead, read-only).

        Args:
            root: where to put them; default ``./artifacts/<name>:<version>`` (or under
                ``$WANDB_ARTIFACT_DIR``).
            allow_missing_references: skip references that cannot be fetched.
            skip_cache: neither read nor fill the cache.
            path_prefix: only the entries whose path starts with this.
            multipart: ``wandb``'s switch for big files: ``None`` fetches files of 2 GiB or
                more in parallel ranges of 100 MiB (8 at once), ``True`` every file of more
                than one range, ``False`` none (each file one stream). Every byte is checked
                against the manifest's md5 either way.
            max_workers: files moving at once.
            progress: show a progress bar (default: only on a terminal, unless
                ``WANDBKIT_PROGRESS=0``).
            hard_links: hard-link files from the cache instead of copying them: no copy of
                a big file into a second root, but the files are read-only (an edit in place
                would change every root that links them). None: ``WANDBKIT_CACHE_HARD_LINKS``
                decides (default off: writable copies).

        Raises:
            IntegrityError: a file's md5 or size differs from the manifest.
            UsageError: an unsupported reference scheme (``s3://``...) unless
                ``allow_missing_references``, or an unsafe manifest path.
        """
        if multipart is not None and not isinstance(multipart, bool):
            raise UsageError(f"multipart must be a bool or None, got {multipart!r}")
        target = Path(root) if root is not None else self._default_root()
        manifest = self.get_manifest()
        # A prefix of manifest paths (POSIX); a trailing '/' is kept (Path would drop it).
        prefix = None if path_prefix is None else os.fspath(path_prefix).replace(os.sep, "/")
        entries = [
            entry
            for path, entry in manifest.entries.items()
            if prefix is None or path.startswith(prefix)
        ]
        self._download_entries(
            entries,
            target,
            skip_cache=bool(skip_cache),
            allow_missing=allow_missing_references,
            max_workers=max_workers,
            progress=progress,
            hard_links=hard_links,
            multipart=multipart,
        )
        return str(target)

    def verify(self, root: str | os.PathLike[str] | None = None) -> None:
        """Check that ``root`` holds exactly the version's files, each with the manifest's md5
        (references are not checked).

        Raises:
            IntegrityError: a file is missing, differs, or is not in the artifact.
        """
        from wandbkit._sync.artifacts.transfer import file_md5_b64

        target = Path(root) if root is not None else self._default_root()
        manifest = self.get_manifest()
        for path in _files_under(target):
            relative = path.relative_to(target).as_posix()
            if relative not in manifest.entries:
                raise IntegrityError(
                    f"found file {str(path)!r}, which is not in artifact {self.source_name!r}"
                )
        for entry in manifest.entries.values():
            if entry.is_reference:
                continue
            local = target / entry.path
            if not local.is_file():
                raise IntegrityError(f"file {entry.path!r} is missing under {str(target)!r}")
            digest, size = file_md5_b64(local)
            if digest != entry.digest or (entry.size is not None and size != entry.size):
                raise IntegrityError(f"digest mismatch for file: {entry.path!r}")

    def file(self, root: str | os.PathLike[str] | None = None) -> str:
        """Download the one file of a single-file version; returns its path.

        Raises:
            UsageError: the version holds more than one file.
        """
        manifest = self.get_manifest()
        if len(manifest.entries) != 1:
            raise UsageError(
                f"artifact {self.source_name!r} holds {len(manifest.entries)} files: call "
                "download() for all, or get_entry(path).download() for one"
            )
        entry = self.get_entry(next(iter(manifest.entries)))
        return entry.download(None if root is None else str(root))

    def checkout(self, root: str | None = None) -> str:
        """Make ``root`` hold exactly the version's files: files not in it are deleted, the
        rest downloaded; returns ``root``."""
        target = (
            Path(root)
            if root is not None
            else default_artifact_dir() / (self.source_name.split(":", 1)[0])
        )
        manifest = self.get_manifest()
        for path in _files_under(target):
            if path.relative_to(target).as_posix() not in manifest.entries:
                path.unlink()
        return self.download(root=target)


def _files_under(root: Path) -> list[Path]:
    """Every file under ``root`` (none if it does not exist), links not followed."""
    if not root.is_dir():
        return []
    found: list[Path] = []
    for directory, _, names in os.walk(root):
        found.extend(Path(directory) / name for name in names)
    return found
