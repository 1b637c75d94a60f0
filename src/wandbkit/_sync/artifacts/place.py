# Generated from src/wandbkit/_async/artifacts/place.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""Where an artifact version was fetched from (its collection, version and aliases there),
and the checks of what users set on a version (aliases, metadata)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wandbkit._core.errors import APIError, UsageError
from wandbkit._lang.artifact_names import alias_problem, is_version
from wandbkit._values.checks import sanitize_json

if TYPE_CHECKING:
    from wandbkit._generated.fragments import (
        ArtifactLightWithAliases,
        ArtifactMembershipFields,
        ArtifactMembershipLightFields,
        ArtifactWithAliases,
    )

#: At most this many metadata keys (W&B's limit).
MAX_METADATA_KEYS = 100


@dataclass(frozen=True)
class ArtifactPlace:
    """Where a version was fetched from: its collection, version and aliases there.

    Attributes:
        entity: the collection's entity (for a registry: the organization's entity).
        project: the collection's project.
        collection: the collection's name.
        version: ``v<index>`` in that collection.
        aliases: the aliases it has there, versions left out.
        collection_id: the collection's id, when the answer gave it.
        collection_kind: ``ArtifactSequence`` or ``ArtifactPortfolio``, when known.
        organization: the organization, when the name was a registry name.
        asked: the alias it was asked for by (``latest``), which its name then keeps, as in
            ``wandb``; ``None`` when fetched otherwise.
    """

    entity: str
    project: str
    collection: str
    version: str
    aliases: tuple[str, ...]
    collection_id: str | None = None
    collection_kind: str | None = None
    organization: str | None = None
    asked: str | None = None


def place_of_membership(
    membership: ArtifactMembershipFields | ArtifactMembershipLightFields,
    *,
    organization: str | None = None,
) -> ArtifactPlace:
    """The place a membership (``GetArtifactMembership``, ``LinkArtifact``) describes.

    Raises:
        APIError: the server's answer lacks the collection or the artifact.
    """
    collection = membership.artifact_collection
    if collection is None or membership.artifact is None:
        raise APIError("the server's artifact membership has no collection or artifact")
    names = [alias.alias for alias in membership.aliases]
    versions = [name for name in names if is_version(name)]
    if versions:
        version = versions[0]
    elif membership.version_index is not None:
        version = f"v{membership.version_index}"
    else:
        version = f"v{membership.artifact.version_index}"
    return ArtifactPlace(
        entity=collection.project.entity.name,
        project=collection.project.name,
        collection=collection.name,
        version=version,
        aliases=tuple(dict.fromkeys(name for name in names if not is_version(name))),
        collection_id=collection.id,
        collection_kind=collection.typename__,
        organization=organization,
    )


def place_in(
    node: ArtifactWithAliases | ArtifactLightWithAliases,
    entity: str | None = None,
    project: str | None = None,
    collection: str | None = None,
    version: str | None = None,
    *,
    collection_kind: str | None = None,
    organization: str | None = None,
) -> ArtifactPlace:
    """The place of a listed version: in the given collection (default: its source one), with
    the aliases it has there (``edges.version`` gives the version when listed by collection;
    a listing also knows the collection's kind and organization)."""
    source = node.artifact_sequence
    entity = entity or source.project.entity.name
    project = project or source.project.name
    collection = collection or source.name
    names = [
        alias.alias
        for alias in node.aliases
        if alias.artifact_collection is not None
        and alias.artifact_collection.name == collection
        and alias.artifact_collection.project.name == project
        and alias.artifact_collection.project.entity.name == entity
    ]
    if version is None:
        versions = [name for name in names if is_version(name)]
        version = versions[0] if versions else f"v{node.version_index}"
    return ArtifactPlace(
        entity=entity,
        project=project,
        collection=collection,
        version=version,
        aliases=tuple(dict.fromkeys(name for name in names if not is_version(name))),
        collection_kind=collection_kind,
        organization=organization,
    )


def check_aliases(aliases: object, argument: str = "aliases") -> list[str]:
    """A list of aliases, each checked (no ``/``, ``:``, whitespace), duplicates dropped.

    Raises:
        UsageError: not a list of strings, or an alias breaks the rule.
    """
    if isinstance(aliases, str):
        aliases = [aliases]
    if not isinstance(aliases, Iterable):
        raise UsageError(f"{argument} must be a list of strings, got {type(aliases).__name__}")
    kept: list[str] = []
    for alias in aliases:
        problem = alias_problem(alias)
        if problem is not None:
            raise UsageError(f"{argument}: {problem}")
        if alias not in kept:
            kept.append(alias)
    return kept


def check_metadata(metadata: object) -> dict[str, Any]:
    """Artifact metadata: a JSON object of at most ``MAX_METADATA_KEYS`` keys.

    Raises:
        UsageError: not a dict, too many keys, or not JSON (NaN, sets, objects).
    """
    if not isinstance(metadata, dict):
        raise UsageError(f"metadata must be a dict, got {type(metadata).__name__}")
    if len(metadata) > MAX_METADATA_KEYS:
        raise UsageError(f"metadata may hold at most {MAX_METADATA_KEYS} keys")
    sanitize_json(metadata, "metadata")
    return dict(metadata)
