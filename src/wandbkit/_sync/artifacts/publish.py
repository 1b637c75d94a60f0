# Generated from src/wandbkit/_async/artifacts/publish.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""Publishing a new artifact version without the SDK (``wandb.Api`` cannot: it needs a run).

``api.create_artifact("team/proj/dataset", type="dataset")`` gives an ``ArtifactDraft``; add
files, directories and references, metadata, aliases and tags, then ``publish()`` sends the
SDK's sequence: ``createArtifact`` (the server answers an existing version of the same digest:
nothing more is sent) → ``createArtifactManifest`` → ``createArtifactFiles`` (no upload URL
for content the server already stores) → the uploads, in parallel, each checked → the
manifest, with every entry's birth artifact → ``commitArtifact``. Until the commit the version
is pending and nobody sees it, so an interrupted publish leaves no half version; publishing
again does the whole sequence again and uploads what is still missing.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from wandbkit._core.errors import APIError, NotFoundError, UsageError
from wandbkit._core.transfer import parse_upload_headers
from wandbkit._html import Explorable
from wandbkit._sync.artifacts.artifact import Artifact
from wandbkit._sync.artifacts.place import check_aliases, check_metadata, place_in
from wandbkit._sync.artifacts.resolve import Where
from wandbkit._sync.context import ClientContext
from wandbkit._values.artifact_objects import object_to_json, with_suffix
from wandbkit._values.artifacts import (
    ArtifactManifest,
    ManifestEntry,
    check_tags,
    manifest_path_problem,
    ttl_to_seconds,
)
from wandbkit.paths import check_name, parse_collection_path

if TYPE_CHECKING:
    from wandbkit._sync.artifacts.transfer import UploadTarget

#: The name the manifest is stored under (as the SDK names it).
MANIFEST_NAME = "wandb_manifest.json"
#: Reference schemes a draft can hold (the download side fetches the same ones).
REFERENCE_SCHEMES = frozenset({"http", "https", "file"})
#: Files moving at once while publishing, unless ``max_workers`` says otherwise.
DEFAULT_MAX_WORKERS = 16


def _entry_name(name: str | None, default: str) -> str:
    path = default if name is None else str(name).replace(os.sep, "/")
    problem = manifest_path_problem(path)
    if problem is not None:
        raise UsageError(f"name: the artifact {problem}")
    return path


class ArtifactDraft(Explorable):
    """A new artifact version being put together; ``publish()`` sends it.

    Nothing is sent until ``publish()``. Files are read (their md5 computed) when added.

    Args:
        ctx: the client context.
        name: ``[entity/]project/collection`` (a new collection is created on publish).
        type: the artifact type (``dataset``, ``model``, ...).
        description: the version's description.
        metadata: JSON metadata (at most 100 keys).
        aliases: aliases besides ``latest`` (which always moves to a new version).
        tags: the version's tags.
        ttl: how long the version is kept (``None``: the team's default).
        run: the id of a run of the same project that logs the version (its lineage).
    """

    def __init__(
        self,
        ctx: ClientContext,
        name: str,
        type: str,
        *,
        description: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        aliases: Sequence[str] | None = None,
        tags: Sequence[str] | None = None,
        ttl: timedelta | None = None,
        run: str | None = None,
    ) -> None:
        self._ctx = ctx
        parsed = parse_collection_path(name)
        self._where = Where(parsed)
        self.collection_name = parsed.collection
        self.type = check_name(type, "type")
        if description is not None and not isinstance(description, str):
            raise UsageError(f"description must be a string or None, got {description!r}")
        self.description = description
        self.metadata = check_metadata(dict(metadata or {}))
        self.aliases = check_aliases(aliases or [])
        self.tags = check_tags(tags or [])
        self._ttl_seconds = None if ttl is None else ttl_to_seconds(ttl, inherit=False)
        self.run = check_name(run, "run") if run is not None else None
        self._entries: dict[str, ManifestEntry] = {}
        self._sources: dict[str, Path] = {}
        self._scratch: tempfile.TemporaryDirectory[str] | None = None

    @classmethod
    def from_artifact(cls, artifact: Artifact, manifest: ArtifactManifest) -> ArtifactDraft:
        """A draft of the next version of ``artifact``'s source collection, with its entries
        (their content stays on the server), type, description and metadata."""
        draft = cls(
            artifact._ctx,
            f"{artifact.source_entity}/{artifact.source_project}/"
            f"{artifact.source_name.split(':', 1)[0]}",
            artifact.type,
            description=artifact.description,
            metadata=artifact.metadata,
        )
        for entry in manifest.entries.values():
            draft._add(ManifestEntry(entry.path, entry.digest, entry.size, entry.ref), None)
        return draft

    # -- contents ------------------------------------------------------------------------

    def _add(self, entry: ManifestEntry, source: Path | None) -> None:
        if entry.path in self._entries:
            raise UsageError(f"the draft already has an entry at path {entry.path!r}")
        self._entries[entry.path] = entry
        if source is not None:
            self._sources[entry.path] = source

    def add_file(self, local_path: str | os.PathLike[str], name: str | None = None) -> str:
        """Add a local file at ``name`` (default: its file name); returns the entry's path.

        Raises:
            UsageError: not a file, an unsafe name, or a path already in the draft.
        """
        from wandbkit._sync.artifacts.transfer import file_md5_b64

        source = Path(local_path)
        if not source.is_file():
            raise UsageError(f"local_path {str(source)!r} is not a file")
        path = _entry_name(name, source.name)
        digest, size = file_md5_b64(source)
        self._add(ManifestEntry(path, digest, size, local_path=str(source)), source)
        return path

    def add_dir(self, local_path: str | os.PathLike[str], name: str | None = None) -> list[str]:
        """Add every file under a local directory, under ``name/`` (default: at the root);
        returns the entries' paths.

        Raises:
            UsageError: not a directory, or a path already in the draft.
        """
        root = Path(local_path)
        if not root.is_dir():
            raise UsageError(f"local_path {str(root)!r} is not a directory")
        prefix = None if name is None else _entry_name(name, "")
        added = []
        for directory, subdirs, files in os.walk(root):
            subdirs.sort()
            for file_name in sorted(files):
                source = Path(directory) / file_name
                relative = source.relative_to(root).as_posix()
                path = relative if prefix is None else f"{prefix}/{relative}"
                added.append(self.add_file(source, name=path))
        return added

    def add_reference(
        self,
        uri: str,
        name: str | None = None,
        checksum: bool = True,
        max_objects: int | None = None,
    ) -> list[str]:
        """Add a reference to content outside W&B: an ``http(s)://`` URL, or a ``file://``
        file or directory (every file under it, at most ``max_objects``); returns the
        entries' paths. A ``file://`` reference records its md5 (with ``checksum``); an HTTP
        one its URL as its digest.

        Raises:
            UsageError: another scheme (``s3://``, ``gs://``...), or a missing local path.
        """
        parts = urlsplit(uri) if isinstance(uri, str) else None
        if parts is None or parts.scheme not in REFERENCE_SCHEMES:
            scheme = parts.scheme if parts is not None else type(uri).__name__
            raise UsageError(
                f"uri: references with scheme {scheme!r} are not supported; use http(s):// "
                "or file://"
            )
        if parts.scheme != "file":
            default = PurePosixPath(unquote(parts.path)).name or parts.netloc
            path = _entry_name(name, default)
            self._add(ManifestEntry(path, uri, None, ref=uri), None)
            return [path]
        local = Path(unquote(parts.path))
        if local.is_dir():
            files = sorted(p for p in local.rglob("*") if p.is_file())
            if max_objects is not None and len(files) > max_objects:
                raise UsageError(f"{uri!r} holds {len(files)} files, more than max_objects")
            paths = []
            for file in files:
                relative = file.relative_to(local).as_posix()
                paths.extend(
                    self.add_reference(
                        file.as_uri(), f"{name}/{relative}" if name else relative, checksum
                    )
                )
            return paths
        if not local.is_file():
            raise UsageError(f"uri: {uri!r} names no local file or directory")
        from wandbkit._sync.artifacts.transfer import file_md5_b64

        digest, size = file_md5_b64(local) if checksum else (uri, local.stat().st_size)
        path = _entry_name(name, local.name)
        self._add(ManifestEntry(path, digest, size, ref=local.as_uri()), None)
        return [path]

    @contextlib.contextmanager
    def new_file(
        self, name: str, mode: str = "x", encoding: str | None = None
    ) -> Iterator[IO[Any]]:
        """Write a new file into the draft at ``name``: the file is added when the block ends.

        Example:
            >>> with draft.new_file("notes.txt", mode="w") as f:
            ...     f.write("hello")
        """
        path = _entry_name(name, name)
        if self._scratch is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="wandbkit-draft-")
        local = Path(self._scratch.name) / path
        local.parent.mkdir(parents=True, exist_ok=True)
        with open(local, mode, encoding=encoding) as handle:
            yield handle
        self.add_file(local, name=path)

    def add(self, obj: object, name: str, overwrite: bool = False) -> str:
        """Add a W&B object (a table, a media document) as ``name``, as ``wandb``'s
        ``Artifact.add`` stores it: a JSON entry ``<name>.<type>.json`` (``Artifact.get(name)``
        reads it back); returns the entry's path.

        Args:
            obj: an :class:`~wandbkit.ArtifactTable`, an :class:`~wandbkit.ArtifactMedia`, or
                a W&B object's JSON document (a dict with ``_type``).
            name: the name to add it under (its type's suffix is added).
            overwrite: replace an entry already at that path.

        Raises:
            UsageError: another kind of object, a bad name, or the path is taken (without
                ``overwrite``).
        """
        if not isinstance(name, str) or not name:
            raise UsageError(f"name must be a non-empty string, got {name!r}")
        log_type, document = object_to_json(obj)
        path = _entry_name(with_suffix(name, log_type), name)
        if path in self._entries:
            if not overwrite:
                raise UsageError(
                    f"the draft already has an entry at path {path!r}; pass overwrite=True"
                )
            self.remove(path)
        with self.new_file(path, mode="w", encoding="utf-8") as handle:
            json.dump(document, handle, separators=(",", ":"))
        return path

    def __setitem__(self, name: str, obj: object) -> None:
        """``draft[name] = obj`` is :meth:`add`."""
        self.add(obj, name)

    def remove(self, item: str | ManifestEntry) -> None:
        """Take the entry at a path (or the entry given) out of the draft.

        Raises:
            UsageError: no such entry.
        """
        path = item.path if isinstance(item, ManifestEntry) else item
        if path not in self._entries:
            raise UsageError(f"the draft has no entry at path {path!r}")
        del self._entries[path]
        self._sources.pop(path, None)

    @property
    def manifest(self) -> ArtifactManifest:
        """The manifest the draft would publish (birth artifacts are given on publish)."""
        return ArtifactManifest.from_entries(self._entries.values())

    @property
    def digest(self) -> str:
        """The version's digest: the same content gives the same digest, and the server then
        answers the existing version instead of making a new one."""
        return self.manifest.digest()

    # -- publishing ----------------------------------------------------------------------

    def publish(
        self, *, max_workers: int = DEFAULT_MAX_WORKERS, progress: bool | None = None
    ) -> Artifact:
        """Send the draft and commit it as the collection's next version (``latest`` moves to
        it); returns the committed version.

        Raises:
            UsageError: the draft is empty.
            GraphQLError: the server refused (no write access, a type mismatch...).
            IntegrityError: an upload's size or md5 differed (nothing is committed).
        """
        if not self._entries:
            raise UsageError("the draft holds no files: add_file/add_dir/add_reference first")
        entity, project, _ = self._where.locate(self._ctx)
        manifest = self.manifest
        created = self._create(entity, project, manifest.digest())
        artifact_id = created.id
        if created.state.value == "COMMITTED":
            return self._fetch(artifact_id, entity, project)
        latest = created.artifact_sequence.latest_artifact
        base_id = latest.id if latest is not None and latest.id != artifact_id else None
        first = self._manifest(artifact_id, base_id, entity, project, "", upload=False)
        births = self._upload_files(artifact_id, first.id, max_workers, progress)
        contents = {
            path: ManifestEntry(
                e.path, e.digest, e.size, e.ref, births.get(path, artifact_id), e.extra
            )
            for path, e in manifest.entries.items()
        }
        final = ArtifactManifest(contents, manifest.storage_policy, manifest.storage_policy_config)
        self._upload_manifest(final, artifact_id, base_id, entity, project)
        committed = self._ctx.client.commit_artifact(artifact_id=artifact_id)
        if committed.commit_artifact is None:
            raise APIError("the server committed nothing", operation_name="CommitArtifact")
        return self._fetch(artifact_id, entity, project)

    def _create(self, entity: str, project: str, digest: str) -> Any:
        from wandbkit._generated.enums import ArtifactDigestAlgorithm
        from wandbkit._generated.input_types import (
            ArtifactAliasInput,
            CreateArtifactInput,
            TagInput,
        )

        collection = self.collection_name
        aliases = ["latest", *[a for a in self.aliases if a != "latest"]]
        values: dict[str, Any] = {
            "entity_name": entity,
            "project_name": project,
            "artifact_type_name": self.type,
            "artifact_collection_name": collection,
            "digest": digest,
            "digest_algorithm": ArtifactDigestAlgorithm.MANIFEST_MD5,
            "aliases": [
                ArtifactAliasInput(artifact_collection_name=collection, alias=a) for a in aliases
            ],
            "metadata": self.metadata or None,
            "tags": [TagInput(tag_name=t) for t in self.tags],
            "enable_digest_deduplication": True,
            "client_id": secrets.token_hex(32),
            "sequence_client_id": secrets.token_hex(32),
        }
        if self.description is not None:
            values["description"] = self.description
        if self._ttl_seconds is not None:
            values["ttl_duration_seconds"] = self._ttl_seconds
        if self.run is not None:
            values["run_name"] = self.run
        result = self._ctx.client.create_artifact_version(input=CreateArtifactInput(**values))
        if result.create_artifact is None:
            raise APIError("the server created no artifact", operation_name="CreateArtifactVersion")
        return result.create_artifact.artifact

    def _manifest(
        self,
        artifact_id: str,
        base_id: str | None,
        entity: str,
        project: str,
        digest: str,
        *,
        upload: bool,
    ) -> Any:
        result = self._ctx.client.create_artifact_manifest(
            artifact_id=artifact_id,
            base_artifact_id=base_id,
            name=MANIFEST_NAME,
            digest=digest,
            entity_name=entity,
            project_name=project,
            run_name=self.run or "",
            include_upload=upload,
        )
        if result.create_artifact_manifest is None:
            raise APIError("the server made no manifest", operation_name="CreateArtifactManifest")
        return result.create_artifact_manifest.artifact_manifest

    def _upload_files(
        self, artifact_id: str, manifest_id: str, max_workers: int, progress: bool | None
    ) -> dict[str, str]:
        """Upload what the server lacks; returns each stored file's birth artifact id."""
        from wandbkit._generated.enums import ArtifactStorageLayout
        from wandbkit._generated.input_types import (
            CreateArtifactFilesInput,
            CreateArtifactFileSpecInput,
        )
        from wandbkit._sync.artifacts import multipart
        from wandbkit._sync.artifacts.transfer import LocalFile, UploadTarget, upload_files

        stored = [e for e in self._entries.values() if not e.is_reference]
        if not stored:
            return {}
        # Big files go in parts, as wandb-core sends them (multipart.MULTIPART_THRESHOLD).
        parts = {
            entry.path: multipart.part_specs(self._sources[entry.path], entry.size or 0)
            for entry in stored
            if entry.path in self._sources and (entry.size or 0) >= multipart.MULTIPART_THRESHOLD
        }
        specs = [
            CreateArtifactFileSpecInput(
                artifact_id=artifact_id,
                artifact_manifest_id=manifest_id,
                name=entry.path,
                md_5=entry.digest,
                digest=entry.digest,
                upload_parts_input=parts.get(entry.path),
            )
            for entry in stored
        ]
        result = self._ctx.client.create_artifact_files(
            input=CreateArtifactFilesInput(
                artifact_files=specs, storage_layout=ArtifactStorageLayout.V2
            )
        )
        edges = result.create_artifact_files.files.edges if result.create_artifact_files else []
        if len(edges) != len(stored):
            raise APIError(
                f"the server answered {len(edges)} upload slots for {len(stored)} files",
                operation_name="CreateArtifactFiles",
            )
        births: dict[str, str] = {}
        targets: list[UploadTarget] = []
        for entry, edge in zip(stored, edges, strict=True):
            node = edge.node
            if node is None:
                raise APIError(
                    f"no upload slot for {entry.path!r}", operation_name="CreateArtifactFiles"
                )
            if node.artifact is not None:
                births[entry.path] = node.artifact.id
            if node.upload_multipart_urls is not None and entry.path in parts:
                local = LocalFile(
                    entry.path, self._sources[entry.path], entry.digest, entry.size or 0
                )
                multipart.upload_parts(self._ctx, local, node, parts[entry.path])
            elif node.upload_url is not None:
                if entry.path not in self._sources:
                    raise APIError(
                        f"the server no longer stores the content of {entry.path!r}: add the "
                        "file to the draft again",
                        operation_name="CreateArtifactFiles",
                    )
                local = LocalFile(
                    entry.path, self._sources[entry.path], entry.digest, entry.size or 0
                )
                headers = parse_upload_headers(node.upload_headers)
                targets.append(UploadTarget(local, node.upload_url, headers))
        if targets:
            upload_files(self._ctx, targets, max_workers=max_workers, progress=progress)
        return births

    def _upload_manifest(
        self,
        manifest: ArtifactManifest,
        artifact_id: str,
        base_id: str | None,
        entity: str,
        project: str,
    ) -> None:
        from wandbkit._sync.artifacts.transfer import (
            LocalFile,
            UploadTarget,
            file_md5_b64,
            upload_files,
        )

        body = json.dumps(manifest.to_json(), separators=(",", ":"), sort_keys=True).encode()
        handle, name = tempfile.mkstemp(prefix=".wk-manifest-", suffix=".json")
        try:
            with os.fdopen(handle, "wb") as sink:
                sink.write(body)
            digest, size = file_md5_b64(Path(name))
            answer = self._manifest(artifact_id, base_id, entity, project, digest, upload=True)
            url = answer.file.upload_url
            if url is None:
                raise APIError(
                    "the server gave no manifest upload URL",
                    operation_name="CreateArtifactManifest",
                )
            local = LocalFile(MANIFEST_NAME, Path(name), digest, size)
            target = UploadTarget(
                local, url, parse_upload_headers(answer.file.upload_headers or [])
            )
            upload_files(self._ctx, [target], max_workers=1, progress=False)
        finally:
            os.unlink(name)

    def _fetch(self, artifact_id: str, entity: str, project: str) -> Artifact:
        found = self._ctx.client.get_artifact_by_id(id=artifact_id)
        if found.artifact is None:
            raise NotFoundError(f"artifact {artifact_id!r} not found after publishing")
        place = place_in(found.artifact, entity, project, self.collection_name)
        return Artifact(self._ctx, found.artifact, place)

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self.collection_name} ({self.type}), "
            f"{len(self._entries)} entries>"
        )
