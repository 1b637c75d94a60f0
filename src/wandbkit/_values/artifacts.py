"""Artifact values as W&B stores them: the manifest, its entries, TTLs and tags.

A version's files are listed by its **manifest**, a JSON document at a signed URL::

    {"version": 1, "storagePolicy": "wandb-storage-policy-v1",
     "storagePolicyConfig": {"storageLayout": "V2"},
     "contents": {"data/a.txt": {"digest": "<base64 md5>", "size": 17,
                                  "birthArtifactID": "<id>"}, ...}}

A reference entry also has ``"ref": "<url>"`` (its digest is then the reference's, e.g. an
etag). Any other key of an entry is kept in ``extra``. The artifact's **digest** is the hex
md5 of ``"wandb-artifact-manifest-v1\\n"`` followed by ``"<path>:<digest>\\n"`` for every entry
in path order: the same content gives the same digest, whoever computes it.

Nothing here does I/O: the domain code fetches the JSON and hands it to
:meth:`ArtifactManifest.from_json`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import PurePosixPath
from typing import Any

from wandbkit._core.errors import APIError, UsageError
from wandbkit._lang.artifact_digest import artifact_digest

__all__ = [
    "MANIFEST_VERSION",
    "STORAGE_POLICY",
    "ArtifactManifest",
    "ManifestEntry",
    "check_tags",
    "manifest_path_problem",
    "ttl_from_seconds",
    "ttl_to_seconds",
]

MANIFEST_VERSION = 1
STORAGE_POLICY = "wandb-storage-policy-v1"
_KNOWN_KEYS = frozenset({"digest", "size", "ref", "birthArtifactID", "local_path"})
#: W&B's rule for tags: words of letters, digits, '-' and '_' separated by spaces.
_TAG = re.compile(r"[-\w]+( +[-\w]+)*")
#: What the server's ``ttlDurationSeconds`` holds when a TTL is inherited (-1) or off (-2).
TTL_INHERIT = -1
TTL_DISABLED = -2


def manifest_path_problem(path: object) -> str | None:
    """Why ``path`` cannot be a manifest path (it could escape a download root), or ``None``.

    Example:
        >>> manifest_path_problem("data/a.txt"), manifest_path_problem("../x")
        (None, "path '../x' holds '..'")
    """
    if not isinstance(path, str) or not path:
        return "a path must be a non-empty string"
    if "\x00" in path:
        return f"path {path!r} holds a NUL character"
    if "\\" in path:
        return f"path {path!r} holds a backslash"
    pure = PurePosixPath(path)
    if pure.is_absolute():
        return f"path {path!r} is absolute"
    if ".." in pure.parts:
        return f"path {path!r} holds '..'"
    if path.endswith("/") or any(part in ("", ".") for part in path.split("/")):
        return f"path {path!r} has an empty or '.' segment"
    return None


@dataclass(frozen=True)
class ManifestEntry:
    """One entry of a manifest: a stored file, or a reference to one elsewhere.

    Attributes:
        path: the entry's path inside the artifact (POSIX, relative).
        digest: base64 md5 of the content (for a reference: the reference's digest).
        size: bytes, when known (references may not say).
        ref: the URL a reference entry points to; ``None`` for a stored file.
        birth_artifact_id: the id of the version that first stored the content.
        extra: the entry's other keys, as the manifest had them.
        local_path: where the file was when it was added (publishing side only).
    """

    path: str
    digest: str
    size: int | None = None
    ref: str | None = None
    birth_artifact_id: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    local_path: str | None = None

    @property
    def is_reference(self) -> bool:
        """Whether the entry points to content outside W&B storage."""
        return self.ref is not None

    def to_json(self) -> dict[str, Any]:
        """The entry as the manifest JSON holds it (without the local path)."""
        value: dict[str, Any] = {"digest": self.digest, **self.extra}
        if self.size is not None:
            value["size"] = self.size
        if self.ref is not None:
            value["ref"] = self.ref
        if self.birth_artifact_id is not None:
            value["birthArtifactID"] = self.birth_artifact_id
        return value


def _entry(path: str, value: object) -> ManifestEntry:
    problem = manifest_path_problem(path)
    if problem is not None:
        raise APIError(f"the artifact manifest is refused: its {problem}")
    if not isinstance(value, Mapping):
        raise APIError(f"the artifact manifest's entry {path!r} is not an object")
    digest, size, ref = value.get("digest"), value.get("size"), value.get("ref")
    birth, local = value.get("birthArtifactID"), value.get("local_path")
    if not isinstance(digest, str):
        raise APIError(f"the artifact manifest's entry {path!r} has no digest")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
        raise APIError(f"the artifact manifest's entry {path!r} has a bad size {size!r}")
    return ManifestEntry(
        path=path,
        digest=digest,
        size=size,
        ref=ref if isinstance(ref, str) else None,
        birth_artifact_id=birth if isinstance(birth, str) else None,
        extra={k: v for k, v in value.items() if k not in _KNOWN_KEYS},
        local_path=local if isinstance(local, str) else None,
    )


@dataclass(frozen=True)
class ArtifactManifest:
    """A version's manifest: its entries by path, and the storage policy they were stored by.

    Attributes:
        entries: every entry, by path, in path order.
        storage_policy: the policy's name (``wandb-storage-policy-v1``).
        storage_policy_config: the policy's settings (``storageLayout``, ``storageRegion``).
        version: the manifest format's version (1).
    """

    entries: Mapping[str, ManifestEntry]
    storage_policy: str = STORAGE_POLICY
    storage_policy_config: Mapping[str, Any] = field(
        default_factory=lambda: {"storageLayout": "V2"}
    )
    version: int = MANIFEST_VERSION

    @classmethod
    def from_entries(cls, entries: Iterable[ManifestEntry]) -> ArtifactManifest:
        """A manifest of ``entries`` (path order), with the default storage policy.

        Raises:
            UsageError: two entries share a path, or a path is unsafe.
        """
        by_path: dict[str, ManifestEntry] = {}
        for entry in entries:
            problem = manifest_path_problem(entry.path)
            if problem is not None:
                raise UsageError(f"artifact entry refused: its {problem}")
            if entry.path in by_path:
                raise UsageError(f"the artifact has two entries at path {entry.path!r}")
            by_path[entry.path] = entry
        return cls(dict(sorted(by_path.items())))

    @classmethod
    def from_json(cls, document: object) -> ArtifactManifest:
        """Parse the manifest JSON the server serves.

        Raises:
            APIError: not a version-1 manifest, or an entry is malformed or has an unsafe
                path (``..``, absolute, a backslash or NUL): no entry of such a manifest is
                ever written anywhere.
        """
        if not isinstance(document, Mapping):
            raise APIError("the artifact manifest is not a JSON object")
        version = document.get("version")
        if version != MANIFEST_VERSION:
            raise APIError(f"the artifact manifest has version {version!r}; expected 1")
        contents = document.get("contents")
        if not isinstance(contents, Mapping):
            raise APIError("the artifact manifest has no 'contents' object")
        policy = document.get("storagePolicy")
        config = document.get("storagePolicyConfig")
        entries = {path: _entry(path, value) for path, value in sorted(contents.items())}
        return cls(
            entries,
            storage_policy=policy if isinstance(policy, str) else STORAGE_POLICY,
            storage_policy_config=dict(config) if isinstance(config, Mapping) else {},
            version=MANIFEST_VERSION,
        )

    def to_json(self) -> dict[str, Any]:
        """The manifest as W&B stores it."""
        return {
            "version": self.version,
            "storagePolicy": self.storage_policy,
            "storagePolicyConfig": dict(self.storage_policy_config),
            "contents": {path: entry.to_json() for path, entry in self.entries.items()},
        }

    def digest(self) -> str:
        """The artifact digest: hex md5 over every ``path:digest`` line in path order."""
        return artifact_digest((path, entry.digest) for path, entry in self.entries.items())

    def size(self) -> int:
        """The total size in bytes of every entry that says its size."""
        return sum(entry.size or 0 for entry in self.entries.values())

    @property
    def storage_layout(self) -> str:
        """``V2`` (content under the artifact) or ``V1`` (content by digest under the entity)."""
        layout = self.storage_policy_config.get("storageLayout", "V2")
        return layout if isinstance(layout, str) else "V2"

    @property
    def storage_region(self) -> str:
        """The storage region the fallback download URL names (``default`` if unsaid)."""
        region = self.storage_policy_config.get("storageRegion", "default")
        return region if isinstance(region, str) else "default"

    def __len__(self) -> int:
        return len(self.entries)


def ttl_from_seconds(seconds: int | None) -> timedelta | None:
    """The server's ``ttlDurationSeconds`` as a TTL: ``None`` when off or inherited (≤ 0)."""
    if seconds is None or seconds <= 0:
        return None
    return timedelta(seconds=seconds)


def ttl_to_seconds(ttl: timedelta | None, *, inherit: bool) -> int:
    """A TTL as ``UpdateArtifactInput.ttlDurationSeconds``: -1 inherits, -2 turns it off.

    Raises:
        UsageError: a TTL that is not a positive ``timedelta``.
    """
    if inherit:
        return TTL_INHERIT
    if ttl is None:
        return TTL_DISABLED
    if not isinstance(ttl, timedelta) or ttl.total_seconds() <= 0:
        raise UsageError(f"ttl must be a positive datetime.timedelta or None, got {ttl!r}")
    return int(ttl.total_seconds())


def check_tags(tags: object, argument: str = "tags") -> list[str]:
    """Artifact tags, checked (W&B's rule) and with duplicates dropped, first kept.

    Raises:
        UsageError: not a list of strings, or a tag breaks the rule.
    """
    if isinstance(tags, str):
        tags = [tags]
    if not isinstance(tags, Iterable):
        raise UsageError(f"{argument} must be a list of strings, got {type(tags).__name__}")
    kept: list[str] = []
    for tag in tags:
        if not isinstance(tag, str) or not _TAG.fullmatch(tag):
            raise UsageError(
                f"{argument}: tag {tag!r} may only hold letters, digits, '-' and '_', in words "
                "separated by spaces"
            )
        if tag not in kept:
            kept.append(tag)
    return kept
