"""The fields of a project's artifact filters: ``ArtifactCollection.artifacts(filters:)`` (a
collection's versions) and ``Project.artifactCollections(filters:)`` /
``ArtifactType.artifactCollections(filters:)`` (collections).

The same grammar as the run and registry filters (:func:`wandbkit._lang.filters.parse`),
over these tables; the names are those W&B's server takes, several spellings of one field
included (``alias``, ``aliases`` and ``aliases.alias`` all name a version's aliases in its
collection), since clients send them as they are.
"""

from __future__ import annotations

from wandbkit._lang.fields import FieldKind, FieldTable

__all__ = ["COLLECTION_FIELDS", "VERSION_FIELDS"]

#: A collection's versions: ``alias`` and ``tag`` are sets, ``versionIndex`` takes ``3`` or
#: ``"v3"``.
VERSION_FIELDS = FieldTable(
    {
        "state": FieldKind.TEXT,
        "digest": FieldKind.TEXT,
        "alias": FieldKind.TAGS,
        "aliases": FieldKind.TAGS,
        "aliases.alias": FieldKind.TAGS,
        "tag": FieldKind.TAGS,
        "tags": FieldKind.TAGS,
        "tags.name": FieldKind.TAGS,
        "versionIndex": FieldKind.JSON,
    },
    (),
    default_order="-versionIndex",
)

#: A project's (or a type's) collections.
COLLECTION_FIELDS = FieldTable(
    {
        "name": FieldKind.TEXT,
        "description": FieldKind.TEXT,
        "tag": FieldKind.TAGS,
        "tags": FieldKind.TAGS,
        "tags.name": FieldKind.TAGS,
    },
    (),
    default_order="+name",
)
