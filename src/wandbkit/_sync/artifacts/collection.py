# Generated from src/wandbkit/_async/artifacts/collection.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""Artifact collections and types: ``ArtifactCollection`` (a sequence of logged versions, or a
portfolio of links) and ``ArtifactType`` (the collections of one type in a project)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from wandbkit._core.errors import NotFoundError, UsageError
from wandbkit._core.flavor_sync import MaybeAwaitable
from wandbkit._html import HtmlSummary
from wandbkit._sync.artifacts.resolve import Where, fetch_collection
from wandbkit._sync.artifacts.versions import Artifacts
from wandbkit._sync.context import ClientContext
from wandbkit._sync.lazy import LazyRecord
from wandbkit._values.artifacts import check_tags
from wandbkit.paths import check_name

if TYPE_CHECKING:
    from wandbkit._generated.fragments import ArtifactCollectionFields

#: Aliases asked for per request by ``ArtifactCollection.aliases`` (as the official client).
ALIASES_PER_PAGE = 1000
#: Type names kept for W&B's own use: a collection cannot move to or from one.
RESERVED_TYPE_PREFIX = "wandb-"


def check_type_name(value: str, argument: str = "type") -> str:
    """An artifact type name, checked by the one name rule.

    Raises:
        UsageError: not a valid name.
    """
    return check_name(value, argument)


class ArtifactCollection(LazyRecord["ArtifactCollectionFields"]):
    """An artifact collection: the versions of one name (a sequence), or links to versions
    (a portfolio, e.g. a registry collection).

    ``name``, ``description``, ``tags`` and (for a sequence) ``type`` are settable; ``save()``
    persists what changed. Fields load with one request on first need (``await
    collection.load()`` first with ``AsyncApi``).
    """

    def __init__(
        self,
        ctx: ClientContext,
        entity: str,
        project: str,
        name: str,
        type: str,
        fields: ArtifactCollectionFields | None = None,
        *,
        organization: str | None = None,
    ) -> None:
        super().__init__(None)
        self._ctx = ctx
        self._entity = entity
        self._project = project
        self._saved_name = name
        self._saved_type = type
        #: The organization, when the collection was found through a registry name.
        self.organization = organization
        self._edits: dict[str, Any] = {}
        if fields is not None:
            self._set_fields(fields)

    def _set_fields(self, fields: ArtifactCollectionFields) -> None:
        self._fields = fields
        self._saved_name = fields.name
        self._saved_type = fields.type_.name
        self._edits = {}

    def _fetch(self) -> ArtifactCollectionFields:
        found = fetch_collection(
            self._ctx, self._entity, self._project, self._saved_type, self._saved_name
        )
        return found

    def _not_loaded(self) -> str:
        return (
            f"artifact collection {self._saved_name!r} is not loaded yet: "
            "`await collection.load()` first"
        )

    # -- identity ------------------------------------------------------------------------

    @property
    def id(self) -> str:
        """The server's id of the collection."""
        return self._require().id

    @property
    def entity(self) -> str:
        """The entity that owns the collection's project."""
        return self._entity

    @property
    def project(self) -> str:
        """The collection's project."""
        return self._project

    @property
    def project_id(self) -> str:
        """The server's id of the collection's project."""
        return self._require().project.id

    @property
    def project_internal_id(self) -> str | None:
        """The project's base64 internal id (holds the integer id)."""
        return self._require().project.internal_id

    def is_sequence(self) -> bool:
        """Whether the collection holds logged versions (a sequence) rather than links (a
        portfolio)."""
        return self._require().typename__ == "ArtifactSequence"

    @property
    def created_at(self) -> datetime:
        """When the collection was created (aware, UTC)."""
        return self._require().created_at

    @property
    def updated_at(self) -> datetime | None:
        """When it last changed."""
        return self._require().updated_at

    # -- editable fields -----------------------------------------------------------------

    @property
    def name(self) -> str:
        """The collection's name (settable; ``save()`` renames it)."""
        return str(self._edits.get("name", self._saved_name))

    @name.setter
    def name(self, value: str) -> None:
        self._edits["name"] = check_name(value, "name")

    @property
    def type(self) -> str:
        """The artifact type of its versions (settable for a sequence; ``save()`` moves it)."""
        return str(self._edits.get("type", self._saved_type))

    @type.setter
    def type(self, value: str) -> None:
        if not self.is_sequence():
            raise UsageError("only a sequence's type can change, not a portfolio's")
        self._edits["type"] = check_type_name(value)

    @property
    def description(self) -> str | None:
        """The description (settable)."""
        if "description" in self._edits:
            edited: str | None = self._edits["description"]
            return edited
        return self._require().description

    @description.setter
    def description(self, value: str | None) -> None:
        if value is not None and not isinstance(value, str):
            raise UsageError(f"description must be a string or None, got {type(value).__name__}")
        self._edits["description"] = value

    @property
    def tags(self) -> list[str]:
        """The collection's tags (settable)."""
        if "tags" in self._edits:
            return list(self._edits["tags"])
        return [edge.node.name for edge in self._require().tags.edges]

    @tags.setter
    def tags(self, value: Sequence[str]) -> None:
        self._edits["tags"] = check_tags(value)

    @property
    def aliases(self) -> MaybeAwaitable[list[str]]:
        """Every alias its versions carry; see :meth:`get_aliases`."""
        return self.get_aliases()

    def get_aliases(self) -> list[str]:
        """Every alias the collection's versions carry (paged, ``ALIASES_PER_PAGE`` each)."""
        collection_id = (self.load()).id
        aliases: list[str] = []
        cursor: str | None = None
        while True:
            result = self._ctx.client.get_artifact_collection_aliases(
                id=collection_id, cursor=cursor, per_page=ALIASES_PER_PAGE
            )
            if result.artifact_collection is None:
                raise NotFoundError(f"artifact collection {self.name!r} not found")
            connection = result.artifact_collection.aliases
            aliases.extend(edge.node.alias for edge in connection.edges if edge.node is not None)
            info = connection.page_info
            if not info.has_next_page or info.end_cursor in (None, cursor):
                return aliases
            cursor = info.end_cursor

    # -- versions ------------------------------------------------------------------------

    def artifacts(self, per_page: int = 50, start: str | None = None) -> Artifacts:
        """The collection's committed versions, lazily (``len()`` is the server's count)."""
        return Artifacts(
            self._ctx,
            Where.at(self._entity, self._project, self.organization),
            self._saved_name,
            self._saved_type,
            per_page=per_page,
            start=start,
        )

    # -- changes -------------------------------------------------------------------------

    def save(self) -> None:
        """Persist what changed: tags added and removed, name and description, then the type
        (a sequence only).

        Raises:
            UsageError: a move to or from a type W&B reserves (``wandb-...``).
        """
        from wandbkit._generated import input_types as inputs

        fields = (self.load())._require()
        new_type = self.type
        if new_type != self._saved_type:
            for name in (new_type, self._saved_type):
                if name.startswith(RESERVED_TYPE_PREFIX):
                    raise UsageError(
                        f"failed to save artifact collection {self.name!r}: the type {name!r} "
                        "is reserved for W&B's own use"
                    )
        target = {
            "entity_name": self._entity,
            "project_name": self._project,
            "artifact_collection_name": self._saved_name,
        }
        old_tags = [edge.node.name for edge in fields.tags.edges]
        new_tags = self.tags
        added = [inputs.TagInput(tag_name=t) for t in new_tags if t not in old_tags]
        removed = [inputs.TagInput(tag_name=t) for t in old_tags if t not in new_tags]
        client = self._ctx.client
        if added:
            client.add_artifact_collection_tags(
                input=inputs.CreateArtifactCollectionTagAssignmentsInput(**target, tags=added)
            )
        if removed:
            client.delete_artifact_collection_tags(
                input=inputs.DeleteArtifactCollectionTagAssignmentsInput(**target, tags=removed)
            )
        changed = {
            key: self._edits[key]
            for key in ("name", "description")
            if key in self._edits and self._edits[key] != getattr(fields, key)
        }
        if changed and self.is_sequence():
            client.update_artifact_sequence(
                input=inputs.UpdateArtifactSequenceInput(artifact_sequence_id=fields.id, **changed)
            )
        elif changed:
            client.update_artifact_portfolio(
                input=inputs.UpdateArtifactPortfolioInput(
                    artifact_portfolio_id=fields.id, **changed
                )
            )
        if new_type != self._saved_type:
            client.move_artifact_sequence(
                input=inputs.MoveArtifactSequenceInput(
                    artifact_sequence_id=fields.id, destination_artifact_type_name=new_type
                )
            )
        self._saved_name, self._saved_type = self.name, new_type
        self._edits = {}
        if added or removed or changed or new_type != fields.type_.name:
            self.load(force=True)

    def change_type(self, new_type: str) -> None:
        """Deprecated in ``wandb`` (which warns): set ``type`` and ``save()`` instead."""
        warnings.warn(
            "ArtifactCollection.change_type(type) is deprecated; set .type and save()",
            DeprecationWarning,
            stacklevel=2,
        )
        self.load()
        self.type = new_type
        self.save()

    def delete(self) -> None:
        """Delete the collection and every version in it (a portfolio: its links)."""
        from wandbkit._generated import input_types as inputs

        fields = (self.load())._require()
        if self.is_sequence():
            self._ctx.client.delete_artifact_sequence(
                input=inputs.DeleteArtifactSequenceInput(artifact_sequence_id=fields.id)
            )
        else:
            self._ctx.client.delete_artifact_portfolio(
                input=inputs.DeleteArtifactPortfolioInput(artifact_portfolio_id=fields.id)
            )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ArtifactCollection):
            return NotImplemented
        mine = (self._entity, self._project, self._saved_name)
        return (other._entity, other._project, other._saved_name) == mine

    def __hash__(self) -> int:
        return hash(("ArtifactCollection", self._entity, self._project, self._saved_name))

    def __repr__(self) -> str:
        return f"<ArtifactCollection {self._saved_name} ({self._saved_type})>"

    def _html_summary(self) -> HtmlSummary:
        fields: dict[str, Any] = {"type": self._saved_type}
        if self._fields is not None:
            fields.update(description=self.description, tags=self.tags, created_at=self.created_at)
        title = f"{self._entity}/{self._project}/{self._saved_name}"
        return HtmlSummary("ArtifactCollection", title, fields)
