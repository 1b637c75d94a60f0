# Generated from src/wandbkit/_async/artifacts/artifact.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""The typed ``Artifact``: one version of an artifact, as ``wandb.Api().artifact()`` gives it.

A version is an ``Artifact`` (its content, metadata, digest) in one collection (its version
index and aliases there). Fetched through a link (a portfolio, a registry collection) it names
the linked collection, and ``source_*`` name the collection that logged it.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

from wandbkit._core.errors import NotFoundError, UsageError
from wandbkit._core.flavor_sync import IS_ASYNC
from wandbkit._generated.fragments import ArtifactLightFields
from wandbkit._html import HtmlSummary
from wandbkit._lang.artifact_names import REGISTRY_PREFIX
from wandbkit._sync.artifacts.contents import ArtifactContents
from wandbkit._sync.artifacts.lineage import ArtifactLineage
from wandbkit._sync.artifacts.listed import ListedFields
from wandbkit._sync.artifacts.place import (
    ArtifactPlace,
    check_aliases,
    check_metadata,
    place_in,
    place_of_membership,
)
from wandbkit._sync.artifacts.resolve import resolve
from wandbkit._sync.context import ClientContext, LoaderKey
from wandbkit._values.artifacts import check_tags, ttl_from_seconds, ttl_to_seconds
from wandbkit.paths import parse_artifact_path

if TYPE_CHECKING:
    from wandbkit._generated.fragments import (
        ArtifactMembershipFields,
        ArtifactMembershipLightFields,
    )
    from wandbkit._sync.artifacts.listed import AnyArtifactFields, ArtifactBatch
    from wandbkit._values.artifacts import ArtifactManifest


class CollectionHandle(Protocol):
    """Makes the lazy ``ArtifactCollection`` of a version's collection; collections sit above
    versions (they list them), so the Api provides this under :data:`COLLECTION_HANDLE`."""

    def __call__(
        self,
        ctx: ClientContext,
        entity: str,
        project: str,
        name: str,
        type: str,
        organization: str | None,
        /,
    ) -> Any:
        """The collection, not loaded yet."""


#: The key the Api provides the collection handles under.
COLLECTION_HANDLE: LoaderKey[CollectionHandle] = LoaderKey("artifact collections")


class DraftMaker(Protocol):
    """Makes the ``ArtifactDraft`` of a new version from an existing one; drafts publish
    versions, so they sit above them and the Api provides this under :data:`NEW_DRAFT`."""

    def __call__(self, artifact: Artifact, manifest: ArtifactManifest, /) -> Any:
        """A draft with the version's entries, type, description and metadata."""


#: The key the Api provides the draft maker under.
NEW_DRAFT: LoaderKey[DraftMaker] = LoaderKey("artifact drafts")


class Artifact(ArtifactContents, ArtifactLineage, ListedFields):
    """One version of an artifact, with every property of ``wandb``'s ``Artifact``.

    Edit ``description``, ``metadata``, ``ttl``, ``aliases`` and ``tags`` locally, then
    ``save()`` sends what changed (aliases added and removed; one ``updateArtifact`` for the
    rest). Files: ``manifest``, ``files()``, ``download()``, ``verify()``, ``checkout()``.
    Lineage: ``logged_by()``, ``used_by()``. Links: ``link()``, ``unlink()``.

    A listed version (``api.artifacts()``, ``collection.artifacts()``, registry versions)
    arrives with its light fields (id, name, version, aliases, type, state, digest, metadata,
    times of creation); the first read of another one (description, tags, TTL, size, file
    count, ...) loads them for the whole page at once (sync), or ``await
    artifact.load_full_data()`` does (async).

    Args:
        ctx: the client context.
        fields: the artifact's fields, as the server answered them (all of them, or a
            listing's light ones with ``page``).
        place: the collection it was fetched through.
        page: the listed page that loads the rest of the fields, for light ``fields``.
    """

    def __init__(
        self,
        ctx: ClientContext,
        fields: AnyArtifactFields,
        place: ArtifactPlace,
        *,
        page: ArtifactBatch | None = None,
    ) -> None:
        self._ctx = ctx
        self._page = page
        self._set(fields, place)
        if page is not None:
            page.join(self)

    def _set(self, fields: AnyArtifactFields, place: ArtifactPlace) -> None:
        self._fields = fields
        self._place = place
        self._aliases = list(place.aliases)
        self._metadata: dict[str, Any] = dict(fields.metadata or {})
        self._heavy = None
        self._tags = []
        self._description = None
        self._ttl_seconds = None
        self._ttl_inherited = False
        self._ttl_changed = False
        if not isinstance(fields, ArtifactLightFields):
            self._receive_heavy(fields)
        self._forget_contents()

    @classmethod
    def from_membership(
        cls,
        ctx: ClientContext,
        membership: ArtifactMembershipFields | ArtifactMembershipLightFields,
        *,
        organization: str | None = None,
        page: ArtifactBatch | None = None,
    ) -> Artifact:
        """The version a membership answer describes (light fields with the ``page`` that
        loads the rest)."""
        place = place_of_membership(membership, organization=organization)
        assert membership.artifact is not None  # checked by place_of_membership
        return cls(ctx, membership.artifact, place, page=page)

    @classmethod
    def fetch(
        cls,
        ctx: ClientContext,
        entity: str,
        project: str,
        member: str,
        *,
        organization: str | None = None,
    ) -> Artifact:
        """One version by ``collection:version`` or ``collection:alias``
        (``GetArtifactMembership``).

        Raises:
            NotFoundError: no such project, or nothing of that name in it.
        """
        result = ctx.client.get_artifact_membership(entity=entity, project=project, name=member)
        if result.project is None:
            raise NotFoundError(
                f"project '{entity}/{project}' not found", operation_name="GetArtifactMembership"
            )
        membership = result.project.artifact_collection_membership
        if membership is None or membership.artifact is None:
            raise NotFoundError(
                f"artifact '{entity}/{project}/{member}' not found",
                operation_name="GetArtifactMembership",
            )
        found = cls.from_membership(ctx, membership, organization=organization)
        _, _, asked = member.partition(":")
        if asked and asked != found._place.version:
            found._place = replace(found._place, asked=asked)
        return found

    # -- identity ------------------------------------------------------------------------

    @property
    def id(self) -> str:
        """The server's id of the artifact version."""
        return self._fields.id

    @property
    def entity(self) -> str:
        """The entity of the collection it was fetched through."""
        return self._place.entity

    @property
    def project(self) -> str:
        """The project of the collection it was fetched through."""
        return self._place.project

    @property
    def name(self) -> str:
        """``<collection>:<version>``, e.g. ``"dataset:v3"``; fetched by an alias, the alias
        (``"dataset:latest"``), as ``wandb`` names it."""
        return f"{self._place.collection}:{self._place.asked or self._place.version}"

    @property
    def qualified_name(self) -> str:
        """``entity/project/collection:version``."""
        return f"{self.entity}/{self.project}/{self.name}"

    @property
    def version(self) -> str:
        """``v<index>`` in the collection it was fetched through."""
        return self._place.version

    @property
    def source_entity(self) -> str:
        """The entity of the collection that logged the version."""
        return self._fields.artifact_sequence.project.entity.name

    @property
    def source_project(self) -> str:
        """The project of the collection that logged the version."""
        return self._fields.artifact_sequence.project.name

    @property
    def source_name(self) -> str:
        """``<source collection>:v<index>``."""
        return f"{self._fields.artifact_sequence.name}:{self.source_version}"

    @property
    def source_qualified_name(self) -> str:
        """``source_entity/source_project/source_name``."""
        return f"{self.source_entity}/{self.source_project}/{self.source_name}"

    @property
    def source_version(self) -> str:
        """``v<index>`` in the collection that logged it."""
        return f"v{self._fields.version_index}"

    @property
    def is_link(self) -> bool:
        """Whether it was fetched through a link (a portfolio), not the collection that
        logged it."""
        return (self.entity, self.project, self._place.collection) != (
            self.source_entity,
            self.source_project,
            self._fields.artifact_sequence.name,
        )

    @property
    def type(self) -> str:
        """The artifact type's name (``dataset``, ``model``, ...)."""
        return self._fields.artifact_type.name

    @property
    def url(self) -> str:
        """The version's page in the W&B app (registry and model-registry links as W&B
        forms them)."""
        app = self._ctx.app_url
        collection, version = self._place.collection, self.version
        selection = quote(f"{self.entity}/{self.project}/{collection}", safe="")
        if self.is_link and self.project.startswith(REGISTRY_PREFIX) and self._place.organization:
            registry = self.project[len(REGISTRY_PREFIX) :]
            return (
                f"{app}/orgs/{self._place.organization}/registry/{registry}?selectionPath="
                f"{selection}&view=membership&version={version}"
            )
        if self.is_link and (self.type == "model" or self.project == "model-registry"):
            return (
                f"{app}/{self.entity}/registry/model?selectionPath={selection}"
                f"&view=membership&version={version}"
            )
        return (
            f"{app}/{self.entity}/{self.project}/artifacts/{quote(self.type)}/"
            f"{quote(collection)}/{version}"
        )

    # -- server fields -------------------------------------------------------------------

    @property
    def state(self) -> str:
        """``PENDING``, ``COMMITTED`` or ``DELETED``."""
        return str(self._fields.state.value)

    @property
    def digest(self) -> str:
        """The artifact digest (hex md5 over its manifest's paths and digests)."""
        return self._fields.digest

    @property
    def digest_algorithm(self) -> str:
        """How ``digest`` was computed (``MANIFEST_MD5``)."""
        algorithm = self._more().digest_algorithm
        return algorithm.value if algorithm is not None else "MANIFEST_MD5"

    @property
    def size(self) -> int:
        """Total bytes of its files (references included)."""
        return self._more().size

    @property
    def file_count(self) -> int:
        """How many entries it has (references included)."""
        return self._more().file_count

    @property
    def commit_hash(self) -> str | None:
        """The hash the server gave the version when it was committed."""
        return self._more().commit_hash

    @property
    def created_at(self) -> datetime:
        """When the version was created (aware, UTC)."""
        return self._fields.created_at

    @property
    def updated_at(self) -> datetime:
        """When it last changed (its creation time if never)."""
        return self._more().updated_at or self._fields.created_at

    @property
    def history_step(self) -> int | None:
        """The nearest history step the logging run logged at the time, if any."""
        step = self._more().history_step
        return None if step is None else max(0, step - 1)

    @property
    def distributed_id(self) -> str | None:
        """The distributed id of a version written by several runs (none here)."""
        return None

    @property
    def incremental(self) -> bool:
        """Whether this is an incremental draft (never, for a fetched version)."""
        return False

    @property
    def use_as(self) -> str | None:
        """Deprecated in ``wandb`` (which warns); always ``None``."""
        warnings.warn("Artifact.use_as is deprecated", DeprecationWarning, stacklevel=2)
        return None

    def is_draft(self) -> bool:
        """Whether the artifact is an unsaved draft (never, for a fetched version)."""
        return False

    # -- editable fields -----------------------------------------------------------------

    @property
    def description(self) -> str | None:
        """The description (settable; ``save()`` persists it)."""
        self._more()
        return self._description

    @description.setter
    def description(self, value: str | None) -> None:
        if value is not None and not isinstance(value, str):
            raise UsageError(f"description must be a string or None, got {type(value).__name__}")
        self._more()
        self._description = value

    @property
    def metadata(self) -> dict[str, Any]:
        """User metadata (settable; at most 100 keys of JSON)."""
        return self._metadata

    @metadata.setter
    def metadata(self, value: dict[str, Any]) -> None:
        self._metadata = check_metadata(value)

    @property
    def ttl(self) -> timedelta | None:
        """How long after its creation the version is kept; ``None`` for ever (settable).

        Raises:
            UsageError: the TTL is inherited from the team and was changed, unsaved.
        """
        self._more()
        if self._ttl_inherited and self._ttl_changed:
            raise UsageError("the inherited TTL is known once the artifact is saved: save() first")
        return ttl_from_seconds(self._ttl_seconds)

    @ttl.setter
    def ttl(self, value: timedelta | None) -> None:
        if self.is_link:
            raise UsageError("cannot set the TTL of a link: set it on the source artifact")
        if value is not None:
            ttl_to_seconds(value, inherit=False)  # checks it
        self._more()
        self._ttl_inherited = False
        self._ttl_seconds = None if value is None else int(value.total_seconds())
        self._ttl_changed = True

    def inherit_ttl(self) -> None:
        """Let the version inherit its team's default TTL (``wandb``'s ``ArtifactTTL.INHERIT``);
        ``save()`` persists it."""
        self._more()
        self._ttl_inherited = True
        self._ttl_changed = True

    @property
    def aliases(self) -> list[str]:
        """Its aliases in this collection, versions left out (edit, then ``save()``)."""
        return self._aliases

    @aliases.setter
    def aliases(self, value: Sequence[str]) -> None:
        self._aliases = check_aliases(value)

    @property
    def tags(self) -> list[str]:
        """Its tags (edit, then ``save()``)."""
        self._more()
        return self._tags

    @tags.setter
    def tags(self, value: Sequence[str]) -> None:
        checked = check_tags(value)
        self._more()
        self._tags = checked

    # -- collections ---------------------------------------------------------------------

    @property
    def collection(self) -> Any:
        """The ``ArtifactCollection`` it was fetched through, lazily loaded."""
        make = self._ctx.loader(COLLECTION_HANDLE)
        place = self._place
        return make(
            self._ctx, place.entity, place.project, place.collection, self.type, place.organization
        )

    @property
    def source_collection(self) -> Any:
        """The ``ArtifactCollection`` that logged it, lazily loaded."""
        make = self._ctx.loader(COLLECTION_HANDLE)
        sequence = self._fields.artifact_sequence
        return make(
            self._ctx, self.source_entity, self.source_project, sequence.name, self.type, None
        )

    def new_draft(self) -> Any:
        """An ``ArtifactDraft`` of the next version of the collection that logged this one,
        holding its entries, description and metadata: add or remove files, then
        ``publish()`` (content the server stores already is not uploaded again)."""
        self.load_full_data()
        manifest = self.get_manifest()
        return self._ctx.loader(NEW_DRAFT)(self, manifest)

    # -- changes -------------------------------------------------------------------------

    def save(self, project: str | None = None, settings: Any = None) -> None:
        """Persist what changed: aliases added and removed, then description, metadata, TTL
        and tags in one ``updateArtifact`` (nothing is sent when nothing changed).

        ``project`` and ``settings`` are ``wandb``'s arguments for saving a draft; a fetched
        version is saved where it is, so they must be left out.

        Raises:
            UsageError: ``project`` or ``settings`` given.
            GraphQLError: the server refused (no write access, an alias taken...).
        """
        from wandbkit._generated.input_types import (
            AddAliasesInput,
            ArtifactCollectionAliasInput,
            DeleteAliasesInput,
            TagInput,
            UpdateArtifactInput,
        )

        if project is not None or settings is not None:
            raise UsageError(
                "save(project=, settings=) is for drafts; wandbkit publishes new versions with "
                "api.create_artifact()"
            )
        self.load_full_data()
        heavy = self._more()
        saved = set(self._place.aliases)
        wanted = set(self._aliases)
        target = {
            "entity_name": self.entity,
            "project_name": self.project,
            "artifact_collection_name": self._place.collection,
        }
        if wanted - saved:
            added = [
                ArtifactCollectionAliasInput(alias=a, **target) for a in sorted(wanted - saved)
            ]
            self._ctx.client.add_artifact_aliases(
                input=AddAliasesInput(artifact_id=self.id, aliases=added)
            )
        if saved - wanted:
            removed = [
                ArtifactCollectionAliasInput(alias=a, **target) for a in sorted(saved - wanted)
            ]
            self._ctx.client.delete_artifact_aliases(
                input=DeleteAliasesInput(artifact_id=self.id, aliases=removed)
            )
        self._place = replace(self._place, aliases=tuple(self._aliases))
        changes: dict[str, Any] = {}
        if self._description != heavy.description:
            changes["description"] = self._description
        if self._metadata != (self._fields.metadata or {}):
            changes["metadata"] = self._metadata
        if self._ttl_changed:
            changes["ttl_duration_seconds"] = ttl_to_seconds(
                ttl_from_seconds(self._ttl_seconds), inherit=self._ttl_inherited
            )
        old_tags = {tag.name for tag in heavy.tags}
        if set(self._tags) - old_tags:
            changes["tags_to_add"] = [TagInput(tag_name=t) for t in self._tags if t not in old_tags]
        if old_tags - set(self._tags):
            changes["tags_to_delete"] = [
                TagInput(tag_name=t) for t in sorted(old_tags - set(self._tags))
            ]
        if not changes:
            return
        result = self._ctx.client.update_artifact(
            input=UpdateArtifactInput(artifact_id=self.id, **changes)
        )
        if result.update_artifact is None:
            raise NotFoundError(
                f"artifact {self.qualified_name!r} not found", operation_name="UpdateArtifact"
            )
        fields = result.update_artifact.artifact
        listed = place_in(fields, self.entity, self.project, self._place.collection)
        self._set(fields, replace(self._place, aliases=listed.aliases))

    def json_encode(self) -> dict[str, Any]:
        """The reference W&B puts in a run's config for an artifact it used."""
        return {
            "_type": "artifactVersion",
            "_version": "v0",
            "id": self.id,
            "version": self.source_version,
            "sequenceName": self._fields.artifact_sequence.name,
            "usedAs": None,
        }

    # -- display -------------------------------------------------------------------------

    def _key(self) -> tuple[str, str, str, str]:
        place = self._place
        return (self.id, place.entity, place.project, place.collection)

    def __eq__(self, other: object) -> bool:
        """The same version in the same collection (whichever alias found it)."""
        if not isinstance(other, Artifact):
            return NotImplemented
        return other._key() == self._key()

    def __hash__(self) -> int:
        return hash(("Artifact", *self._key()))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.qualified_name} ({self.type})>"

    def _html_summary(self) -> HtmlSummary:
        # A display never raises: listed light in the async flavour, the left-out fields are
        # shown once loaded (the sync flavour loads them).
        full = self.full_data_loaded or not IS_ASYNC
        fields = {
            "type": self.type,
            "version": self.version,
            "aliases": self.aliases,
            "tags": self.tags if full else None,
            "size": self.size if full else None,
            "files": self.file_count if full else None,
            "state": self.state,
            "created_at": self.created_at,
            "description": self.description if full else None,
            "digest": self.digest,
        }
        shown = {key: value for key, value in fields.items() if full or value is not None}
        return HtmlSummary("Artifact", self.qualified_name, shown, self.url)


def fetch_artifact_by_name(
    ctx: ClientContext, name: str, type: str | None = None, *, argument: str = "name"
) -> Artifact:
    """``Api.artifact``: one version by its name, its type checked when given.

    A name without ``:version`` means ``:latest``.

    Raises:
        UsageError: a malformed name or type, or the version is of another type.
        NotFoundError: nothing of that name.
    """
    parsed = parse_artifact_path(name, argument=argument)
    if type is not None and (not isinstance(type, str) or not type):
        raise UsageError(f"type must be a non-empty string or None, got {type!r}")
    entity, project, organization = resolve(ctx, parsed)
    member = parsed.member if parsed.alias is not None else f"{parsed.collection}:latest"
    artifact = Artifact.fetch(ctx, entity, project, member, organization=organization)
    if type is not None and artifact.type != type:
        raise UsageError(
            f"type {type!r} specified but artifact {artifact.qualified_name!r} is of type "
            f"{artifact.type!r}"
        )
    return artifact
