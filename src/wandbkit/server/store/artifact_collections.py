"""Artifact types and collections: sequences (where versions are born) and portfolios (where
versions are linked), with their tags.

A project has artifact types (``dataset``, ``model``); each collection has one type and a name
that is unique in its project whatever its kind, because W&B finds a collection by name alone
(``project.artifactCollection(name:)``, ``artifactCollectionMembership(name: "ds:v0")``).
Collections are never removed outright: deleting one sets its state to ``DELETED`` and it
disappears from every look-up, so ids handed out earlier answer ``null``.

Listings are filtered and ordered in SQL with keyset pages over ``(sort key, row id)``, so a
page costs the same however deep it is.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

from wandbkit.server.registry_filters import compile_collection_filter
from wandbkit.server.run_filters import FilterError
from wandbkit.server.store._db import Database, lastrowid, row_dict
from wandbkit.server.store.errors import InvalidNameError, NameConflictError, UnknownRowError
from wandbkit.server.store.events import CollectionTagsChanged

#: Part of migration 7 ("artifacts").
ARTIFACT_COLLECTIONS_SQL = """
CREATE TABLE IF NOT EXISTS artifact_types (
    pk          INTEGER PRIMARY KEY AUTOINCREMENT,
    project_pk  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    description TEXT,
    created_at  TEXT NOT NULL,
    UNIQUE (project_pk, name)
);
CREATE TABLE IF NOT EXISTS artifact_collections (
    pk          INTEGER PRIMARY KEY AUTOINCREMENT,
    project_pk  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    type_pk     INTEGER NOT NULL REFERENCES artifact_types(pk) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('SEQUENCE', 'PORTFOLIO')),
    name        TEXT NOT NULL,
    description TEXT,
    state       TEXT NOT NULL DEFAULT 'READY',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS artifact_collections_live_name
    ON artifact_collections (project_pk, name) WHERE state = 'READY';
CREATE INDEX IF NOT EXISTS artifact_collections_by_type ON artifact_collections (type_pk, pk);
CREATE TABLE IF NOT EXISTS artifact_collection_tags (
    collection_pk INTEGER NOT NULL REFERENCES artifact_collections(pk) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    PRIMARY KEY (collection_pk, name)
) WITHOUT ROWID;
"""

SEQUENCE = "SEQUENCE"
PORTFOLIO = "PORTFOLIO"
COLLECTION_KINDS = (SEQUENCE, PORTFOLIO)

#: Artifact, collection and alias names: what W&B accepts (letters, digits, ``-``, ``_``, ``.``).
_ARTIFACT_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,128}")
#: Tag names: letters, digits, ``-``, ``_`` and spaces (W&B's TagInput rule).
_TAG_NAME = re.compile(r"[A-Za-z0-9_\- ]{1,256}")

#: Orders a collection listing takes (``+`` or no sign ascending, ``-`` descending).
_COLLECTION_ORDERS = {"createdAt": "c.pk", "updatedAt": "c.updated_at", "name": "c.name"}


@dataclass(frozen=True)
class ArtifactTypeRow:
    """An artifact type of a project."""

    pk: int
    project_pk: int
    name: str
    description: str | None
    created_at: str


@dataclass(frozen=True)
class ArtifactCollectionRow:
    """A collection: a sequence (``kind == "SEQUENCE"``) or a portfolio."""

    pk: int
    project_pk: int
    type_pk: int
    kind: str
    name: str
    description: str | None
    state: str
    created_at: str
    updated_at: str

    @property
    def is_sequence(self) -> bool:
        """Whether versions are born here (a sequence) rather than linked (a portfolio)."""
        return self.kind == SEQUENCE


#: The columns of :class:`ArtifactCollectionRow`, in the order of its fields.
_COLLECTION_COLUMNS = ", ".join(f.name for f in fields(ArtifactCollectionRow))


def check_artifact_name(name: str, what: str = "artifact name") -> str:
    """Validate an artifact, collection, type or alias name.

    Raises:
        InvalidNameError: empty, longer than 128, or a character other than letters, digits,
            ``-``, ``_`` and ``.``.
    """
    if not isinstance(name, str) or not _ARTIFACT_NAME.fullmatch(name) or name in (".", ".."):
        raise InvalidNameError(f"{what} {name!r} must be 1-128 letters, digits, '-', '_' or '.'")
    return name


def check_tag_name(name: str) -> str:
    """Validate a tag name.

    Raises:
        InvalidNameError: empty, longer than 256, or a character other than letters, digits,
            ``-``, ``_`` and spaces.
    """
    if not isinstance(name, str) or not _TAG_NAME.fullmatch(name) or not name.strip():
        raise InvalidNameError(f"tag {name!r} must be 1-256 letters, digits, '-', '_' or spaces")
    return name


def parse_order(order: str | None, allowed: dict[str, str], default: str) -> tuple[str, bool]:
    """``(SQL column, descending)`` for an order string (``"-createdAt"``, ``"+name"``).

    Raises:
        FilterError: a field this listing cannot sort by.
    """
    text = (order or default).strip()
    descending = text.startswith("-")
    name = text.lstrip("+-")
    if name not in allowed:
        raise FilterError(f"cannot order by {name!r}; use one of {', '.join(sorted(allowed))}")
    return allowed[name], descending


class ArtifactCollections:
    """The ``artifact_types``, ``artifact_collections`` and ``artifact_collection_tags`` tables.

    Args:
        db: the store's database.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- types ---------------------------------------------------------------------------

    def ensure_type(self, project_pk: int, name: str) -> ArtifactTypeRow:
        """The type ``name`` of a project, created if it does not exist.

        Raises:
            InvalidNameError: a bad type name.
            UnknownRowError: no project has that id.
        """
        check_artifact_name(name, "artifact type")
        with self._db.transaction() as conn:
            found = self.get_type(project_pk, name)
            if found is not None:
                return found
            try:
                cur = conn.execute(
                    "INSERT INTO artifact_types (project_pk, name, created_at) VALUES (?, ?, ?)",
                    (project_pk, name, self._db.stamp()),
                )
            except sqlite3.IntegrityError:
                raise UnknownRowError("project not found") from None
            created = self.get_type_by_pk(lastrowid(cur))
        assert created is not None
        return created

    def get_type(self, project_pk: int, name: str) -> ArtifactTypeRow | None:
        """The type ``name`` of a project, or ``None``."""
        row = self._db.one(
            "SELECT * FROM artifact_types WHERE project_pk = ? AND name = ?", (project_pk, name)
        )
        return ArtifactTypeRow(**row_dict(row)) if row else None

    def get_type_by_pk(self, pk: int) -> ArtifactTypeRow | None:
        """The type with row id ``pk``, or ``None``."""
        row = self._db.one("SELECT * FROM artifact_types WHERE pk = ?", (pk,))
        return ArtifactTypeRow(**row_dict(row)) if row else None

    def get_types_by_pks(self, pks: Iterable[int]) -> dict[int, ArtifactTypeRow]:
        """The types with these row ids that exist, by row id (one query per 500)."""
        rows = self._db.rows_by_pks("SELECT * FROM artifact_types WHERE pk IN", pks)
        return {int(row["pk"]): ArtifactTypeRow(**row_dict(row)) for row in rows}

    def list_types(self, project_pk: int, *, after_pk: int, limit: int) -> list[ArtifactTypeRow]:
        """A project's types in creation order, after ``after_pk``."""
        rows = self._db.all(
            "SELECT * FROM artifact_types WHERE project_pk = ? AND pk > ? ORDER BY pk LIMIT ?",
            (project_pk, after_pk, limit),
        )
        return [ArtifactTypeRow(**row_dict(row)) for row in rows]

    # -- collections ---------------------------------------------------------------------

    def create(
        self,
        project_pk: int,
        type_pk: int,
        name: str,
        *,
        kind: str = SEQUENCE,
        description: str | None = None,
    ) -> ArtifactCollectionRow:
        """A new collection.

        Raises:
            InvalidNameError: a bad name or kind.
            NameConflictError: the project already has a collection of that name.
        """
        check_artifact_name(name, "collection name")
        if kind not in COLLECTION_KINDS:
            raise InvalidNameError(f"collection kind must be SEQUENCE or PORTFOLIO, not {kind!r}")
        with self._db.transaction() as conn:
            if self.get(project_pk, name) is not None:
                raise NameConflictError(f"a collection named {name!r} already exists")
            now = self._db.stamp()
            cur = conn.execute(
                "INSERT INTO artifact_collections (project_pk, type_pk, kind, name, description,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (project_pk, type_pk, kind, name, description, now, now),
            )
            created = self.get_by_pk(lastrowid(cur))
        assert created is not None
        return created

    def ensure(
        self, project_pk: int, type_name: str, name: str, *, kind: str = SEQUENCE
    ) -> ArtifactCollectionRow:
        """The live collection ``name`` of a project, created (with its type) if missing.

        Raises:
            InvalidNameError: a bad name.
            NameConflictError: the collection exists with another type or kind.
        """
        with self._db.transaction():
            found = self.get(project_pk, name)
            type_row = self.ensure_type(project_pk, type_name)
            if found is None:
                return self.create(project_pk, type_row.pk, name, kind=kind)
            if found.type_pk != type_row.pk:
                current = self.get_type_by_pk(found.type_pk)
                raise NameConflictError(
                    f"collection {name!r} has type {current.name if current else '?'!r},"
                    f" not {type_name!r}"
                )
            if found.kind != kind:
                raise NameConflictError(
                    f"collection {name!r} is a {found.kind.lower()}, not a {kind.lower()}"
                )
            return found

    def get(self, project_pk: int, name: str) -> ArtifactCollectionRow | None:
        """The live collection ``name`` of a project, or ``None``."""
        row = self._db.one(
            "SELECT * FROM artifact_collections WHERE project_pk = ? AND name = ?"
            " AND state = 'READY'",
            (project_pk, name),
        )
        return ArtifactCollectionRow(**row_dict(row)) if row else None

    def get_by_pk(self, pk: int, *, include_deleted: bool = False) -> ArtifactCollectionRow | None:
        """The collection with row id ``pk`` (live ones only unless ``include_deleted``)."""
        row = self._db.one("SELECT * FROM artifact_collections WHERE pk = ?", (pk,))
        if row is None or (row["state"] != "READY" and not include_deleted):
            return None
        return ArtifactCollectionRow(**row_dict(row))

    def get_by_pks(self, pks: Sequence[int]) -> dict[int, ArtifactCollectionRow]:
        """The collections (deleted ones too) with these row ids, by row id."""
        # The row's fields by position (a page's worth of rows is built per request).
        select = f"SELECT {_COLLECTION_COLUMNS} FROM artifact_collections WHERE pk IN"
        rows = self._db.rows_by_pks(select, pks)
        return {row[0]: ArtifactCollectionRow(*row) for row in rows}

    def update(
        self, pk: int, *, name: str | None = None, description: str | None = None
    ) -> ArtifactCollectionRow:
        """Rename a collection or change its description (``None`` leaves a value as it is).

        Raises:
            UnknownRowError: no live collection has that id.
            InvalidNameError, NameConflictError: a bad or taken new name.
        """
        with self._db.transaction() as conn:
            current = self.get_by_pk(pk)
            if current is None:
                raise UnknownRowError("collection not found")
            if name is not None and name != current.name:
                check_artifact_name(name, "collection name")
                if self.get(current.project_pk, name) is not None:
                    raise NameConflictError(f"a collection named {name!r} already exists")
            conn.execute(
                "UPDATE artifact_collections SET name = COALESCE(?, name),"
                " description = COALESCE(?, description), updated_at = ? WHERE pk = ?",
                (name, description, self._db.stamp(), pk),
            )
            updated = self.get_by_pk(pk)
        assert updated is not None
        return updated

    def move(self, pk: int, type_name: str) -> ArtifactCollectionRow:
        """Give a sequence another type (created if missing); the artifacts repository moves
        its versions (:meth:`~wandbkit.server.store.artifacts.Artifacts.move_sequence`).

        Raises:
            UnknownRowError: no live collection has that id.
            InvalidNameError: a bad type name, or the collection is a portfolio.
        """
        with self._db.transaction() as conn:
            current = self.get_by_pk(pk)
            if current is None:
                raise UnknownRowError("collection not found")
            if not current.is_sequence:
                raise InvalidNameError("only a sequence can change its type")
            type_row = self.ensure_type(current.project_pk, type_name)
            now = self._db.stamp()
            conn.execute(
                "UPDATE artifact_collections SET type_pk = ?, updated_at = ? WHERE pk = ?",
                (type_row.pk, now, pk),
            )
            moved = self.get_by_pk(pk)
        assert moved is not None
        return moved

    def mark_deleted(self, pk: int) -> ArtifactCollectionRow:
        """Set a collection's state to ``DELETED`` (its versions are the caller's business).

        Raises:
            UnknownRowError: no live collection has that id.
        """
        with self._db.transaction() as conn:
            if self.get_by_pk(pk) is None:
                raise UnknownRowError("collection not found")
            conn.execute(
                "UPDATE artifact_collections SET state = 'DELETED', updated_at = ? WHERE pk = ?",
                (self._db.stamp(), pk),
            )
            deleted = self.get_by_pk(pk, include_deleted=True)
        assert deleted is not None
        return deleted

    def listing(
        self,
        project_pk: int,
        *,
        type_pk: int | None = None,
        kinds: Sequence[str] | None = None,
        filters: Any = None,
        order: str | None = None,
        after: tuple[Any, int] | None = None,
        limit: int,
    ) -> list[ArtifactCollectionRow]:
        """A page of a project's live collections.

        Args:
            project_pk: the project.
            type_pk: only collections of this type.
            kinds: only these kinds (``SEQUENCE``, ``PORTFOLIO``).
            filters: a JSON object (see :func:`collection_filters_sql`).
            order: ``createdAt`` (default), ``updatedAt`` or ``name``, ``-`` for descending.
            after: the ``(sort value, pk)`` of the last collection already seen.
            limit: at most this many.

        Raises:
            FilterError: a filter or order this listing does not understand.
        """
        where, params = self._where(project_pk, type_pk, kinds, filters)
        column, descending = parse_order(order, _COLLECTION_ORDERS, "createdAt")
        sql = f"SELECT c.*, {column} AS sort_key FROM artifact_collections c WHERE {where}"
        if after is not None:
            op = "<" if descending else ">"
            sql += f" AND ({column}, c.pk) {op} (?, ?)"
            params += [after[0], after[1]]
        direction = "DESC" if descending else "ASC"
        sql += f" ORDER BY {column} {direction}, c.pk {direction} LIMIT ?"
        params.append(limit)
        return [_collection_without_sort_key(row) for row in self._db.all(sql, params)]

    def sort_value(self, row: ArtifactCollectionRow, order: str | None) -> Any:
        """The value a listing in ``order`` sorts ``row`` by (what its cursor holds)."""
        column, _ = parse_order(order, _COLLECTION_ORDERS, "createdAt")
        return {"c.pk": row.pk, "c.updated_at": row.updated_at, "c.name": row.name}[column]

    def count(
        self,
        project_pk: int,
        *,
        type_pk: int | None = None,
        kinds: Sequence[str] | None = None,
        filters: Any = None,
    ) -> int:
        """How many live collections a listing with these arguments holds."""
        where, params = self._where(project_pk, type_pk, kinds, filters)
        return self._db.count(f"SELECT COUNT(*) FROM artifact_collections c WHERE {where}", params)

    def _where(
        self,
        project_pk: int,
        type_pk: int | None,
        kinds: Sequence[str] | None,
        filters: Any,
    ) -> tuple[str, list[Any]]:
        clauses = ["c.project_pk = ?", "c.state = 'READY'"]
        params: list[Any] = [project_pk]
        if type_pk is not None:
            clauses.append("c.type_pk = ?")
            params.append(type_pk)
        if kinds:
            clauses.append(f"c.kind IN ({','.join('?' * len(kinds))})")
            params += list(kinds)
        extra, extra_params = collection_filters_sql(filters)
        clauses += extra
        params += extra_params
        return " AND ".join(clauses), params

    # -- tags ----------------------------------------------------------------------------

    def tags(self, collection_pk: int) -> list[str]:
        """A collection's tags, by name."""
        rows = self._db.all(
            "SELECT name FROM artifact_collection_tags WHERE collection_pk = ? ORDER BY name",
            (collection_pk,),
        )
        return [row["name"] for row in rows]

    def add_tags(self, collection_pk: int, names: Sequence[str]) -> list[str]:
        """Tag a collection (tags it has already are kept); returns the names given.

        Raises:
            InvalidNameError: a bad tag name.
        """
        checked = [check_tag_name(name) for name in names]
        with self._db.transaction() as conn:
            had = set(self.tags(collection_pk))
            if added := tuple(name for name in dict.fromkeys(checked) if name not in had):
                self._db.emit(CollectionTagsChanged(collection_pk, added, added=True))
            conn.executemany(
                "INSERT OR IGNORE INTO artifact_collection_tags (collection_pk, name)"
                " VALUES (?, ?)",
                [(collection_pk, name) for name in checked],
            )
            self._touch(conn, collection_pk)
        return checked

    def remove_tags(self, collection_pk: int, names: Sequence[str]) -> None:
        """Remove tags from a collection (absent ones are ignored)."""
        with self._db.transaction() as conn:
            had = set(self.tags(collection_pk))
            if removed := tuple(name for name in dict.fromkeys(names) if name in had):
                self._db.emit(CollectionTagsChanged(collection_pk, removed, added=False))
            conn.executemany(
                "DELETE FROM artifact_collection_tags WHERE collection_pk = ? AND name = ?",
                [(collection_pk, name) for name in names],
            )
            self._touch(conn, collection_pk)

    def _touch(self, conn: sqlite3.Connection, collection_pk: int) -> None:
        conn.execute(
            "UPDATE artifact_collections SET updated_at = ? WHERE pk = ?",
            (self._db.stamp(), collection_pk),
        )


def collection_filters_sql(filters: Any) -> tuple[list[str], list[Any]]:
    """SQL conditions (on alias ``c``) for a collection filter: a JSON object (or its text)
    over ``name``, ``description`` and ``tag`` (``tags``) with the operators of every filter
    language here (:func:`wandbkit.server.registry_filters.compile_collection_filter`).

    Raises:
        FilterError: not a JSON object, or a field or operator this filter does not know.
    """
    fragment = compile_collection_filter(filters)
    return [fragment.sql], list(fragment.params)


def _collection_without_sort_key(row: sqlite3.Row) -> ArtifactCollectionRow:
    values = row_dict(row)
    values.pop("sort_key", None)
    return ArtifactCollectionRow(**values)
