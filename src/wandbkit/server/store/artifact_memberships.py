"""Where artifact versions appear: memberships of collections, with version indexes and
aliases.

A committed version is a member of its birth sequence and of every portfolio it is linked
into; each membership has its own version index (``v0``, ``v1`` ... per collection, never
reused) and commit hash. Aliases are unique per collection: giving an alias to a version
takes it from whichever version of that collection had it. ``latest`` is maintained here and
nowhere else: after every change of a collection's members it names the member with the
highest version index.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from wandbkit.server.registry_filters import compile_version_filter
from wandbkit.server.store._db import Database, make_row, row_dict
from wandbkit.server.store.artifact_collections import (
    check_artifact_name,
    parse_order,
)
from wandbkit.server.store.errors import InvalidNameError
from wandbkit.server.store.events import AliasesAdded, MembershipChanged

#: Part of migration 7 ("artifacts").
ARTIFACT_MEMBERSHIPS_SQL = """
CREATE TABLE IF NOT EXISTS artifact_memberships (
    pk            INTEGER PRIMARY KEY AUTOINCREMENT,
    collection_pk INTEGER NOT NULL REFERENCES artifact_collections(pk) ON DELETE CASCADE,
    artifact_pk   INTEGER NOT NULL REFERENCES artifacts(pk) ON DELETE CASCADE,
    version_index INTEGER NOT NULL,
    commit_hash   TEXT NOT NULL,
    live          INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    UNIQUE (collection_pk, artifact_pk),
    UNIQUE (collection_pk, version_index)
);
CREATE INDEX IF NOT EXISTS artifact_memberships_by_artifact
    ON artifact_memberships (artifact_pk);
CREATE TABLE IF NOT EXISTS artifact_aliases (
    pk            INTEGER PRIMARY KEY AUTOINCREMENT,
    collection_pk INTEGER NOT NULL REFERENCES artifact_collections(pk) ON DELETE CASCADE,
    artifact_pk   INTEGER NOT NULL REFERENCES artifacts(pk) ON DELETE CASCADE,
    alias         TEXT NOT NULL,
    UNIQUE (collection_pk, alias)
);
CREATE INDEX IF NOT EXISTS artifact_aliases_by_artifact ON artifact_aliases (artifact_pk);
"""

LATEST = "latest"
#: ``v0``, ``v12``: version names, which resolve to a version index and are never aliases.
VERSION_NAME = re.compile(r"v(0|[1-9][0-9]{0,17})")

#: Orders a version listing takes; all follow the version index (indexes are handed out in
#: membership order).
_VERSION_ORDERS = {
    "versionIndex": "m.version_index",
    "createdAt": "m.version_index",
    "version": "m.version_index",
}


@dataclass(frozen=True)
class MembershipRow:
    """A version's place in a collection."""

    pk: int
    collection_pk: int
    artifact_pk: int
    version_index: int
    commit_hash: str
    live: bool
    created_at: str


@dataclass(frozen=True)
class AliasRow:
    """An alias of a version in one collection."""

    pk: int
    collection_pk: int
    artifact_pk: int
    alias: str


def check_alias(alias: str) -> str:
    """Validate an alias name (not a version name such as ``v3``).

    Raises:
        InvalidNameError: a bad name, or a version name.
    """
    check_artifact_name(alias, "alias")
    if VERSION_NAME.fullmatch(alias):
        raise InvalidNameError(f"alias {alias!r} looks like a version; versions are not aliases")
    return alias


#: The columns of :class:`MembershipRow` over ``artifact_memberships m``, in the order of its
#: fields (for :func:`membership_at`).
MEMBERSHIP_COLUMNS = ", ".join(f"m.{field.name}" for field in fields(MembershipRow))


def membership_at(row: Any) -> MembershipRow:
    """A membership from a row that starts with :data:`MEMBERSHIP_COLUMNS` (by position: a
    page of rows is built per request)."""
    pk, collection_pk, artifact_pk, version_index, commit_hash, live, created_at = row[:7]
    return MembershipRow(
        pk, collection_pk, artifact_pk, version_index, commit_hash, bool(live), created_at
    )


def membership_row(row: Any) -> MembershipRow:
    """A membership as :class:`MembershipRow` from its ``artifact_memberships`` row (``m.*``)."""
    values = row_dict(row)
    values["live"] = bool(values["live"])
    return make_row(MembershipRow, values)


class ArtifactMemberships:
    """The ``artifact_memberships`` and ``artifact_aliases`` tables.

    Args:
        db: the store's database.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- memberships ---------------------------------------------------------------------

    def add(self, collection_pk: int, artifact_pk: int) -> MembershipRow:
        """Make a version a member of a collection with the next version index (an existing
        live membership is returned as it is); ``latest`` moves to it."""
        with self._db.transaction() as conn:
            found = self.get(collection_pk, artifact_pk)
            if found is not None and found.live:
                return found
            if found is not None:
                conn.execute("DELETE FROM artifact_memberships WHERE pk = ?", (found.pk,))
            conn.execute(
                "INSERT INTO artifact_memberships (collection_pk, artifact_pk, version_index,"
                " commit_hash, created_at) VALUES (?, ?, (SELECT COALESCE(MAX(version_index),"
                " -1) + 1 FROM artifact_memberships WHERE collection_pk = ?), ?, ?)",
                (
                    collection_pk,
                    artifact_pk,
                    collection_pk,
                    secrets.token_hex(10),
                    self._db.stamp(),
                ),
            )
            self._db.emit(MembershipChanged(collection_pk, artifact_pk, added=True))
            self.refresh_latest(collection_pk)
            added = self.get(collection_pk, artifact_pk)
        assert added is not None
        return added

    def bulk_add(self, collection_pk: int, artifact_pks: Sequence[int]) -> None:
        """Make many new versions members of a collection at once, in order (seeds)."""
        with self._db.transaction() as conn:
            row = self._db.one(
                "SELECT COALESCE(MAX(version_index), -1) + 1 FROM artifact_memberships"
                " WHERE collection_pk = ?",
                (collection_pk,),
            )
            start = int(row[0]) if row else 0
            now = self._db.stamp()
            conn.executemany(
                "INSERT INTO artifact_memberships (collection_pk, artifact_pk, version_index,"
                " commit_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                [
                    (collection_pk, pk, start + i, secrets.token_hex(10), now)
                    for i, pk in enumerate(artifact_pks)
                ],
            )
            self.refresh_latest(collection_pk)

    def get(self, collection_pk: int, artifact_pk: int) -> MembershipRow | None:
        """The membership of a version in a collection (live or not), or ``None``."""
        row = self._db.one(
            "SELECT * FROM artifact_memberships WHERE collection_pk = ? AND artifact_pk = ?",
            (collection_pk, artifact_pk),
        )
        return membership_row(row) if row else None

    def get_by_pk(self, pk: int) -> MembershipRow | None:
        """The live membership with row id ``pk``, or ``None``."""
        row = self._db.one("SELECT * FROM artifact_memberships WHERE pk = ? AND live = 1", (pk,))
        return membership_row(row) if row else None

    def of_artifact(self, artifact_pk: int) -> list[MembershipRow]:
        """A version's live memberships, birth sequence first."""
        rows = self._db.all(
            "SELECT * FROM artifact_memberships WHERE artifact_pk = ? AND live = 1 ORDER BY pk",
            (artifact_pk,),
        )
        return [membership_row(row) for row in rows]

    def own_of_artifacts(self, artifact_pks: Sequence[int]) -> list[MembershipRow]:
        """The memberships (live or not) of these versions in their own (birth) sequences, in
        one query per 500: a linked version's memberships of the portfolios it is linked into
        are left out."""
        rows = self._db.rows_by_pks(
            f"SELECT {MEMBERSHIP_COLUMNS} FROM artifacts a JOIN artifact_memberships m"
            " ON m.collection_pk = a.sequence_pk AND m.artifact_pk = a.pk WHERE a.pk IN",
            artifact_pks,
        )
        return [membership_at(row) for row in rows]

    def resolve(self, collection_pk: int, name: str) -> MembershipRow | None:
        """The live membership ``name`` names in a collection: a version (``v3``), an alias
        (``latest``, ``best``), a commit hash, or a digest."""
        match = VERSION_NAME.fullmatch(name)
        if match:
            sql = "SELECT * FROM artifact_memberships WHERE collection_pk = ? AND version_index = ?"
            row = self._db.one(sql + " AND live = 1", (collection_pk, int(match[1])))
            return membership_row(row) if row else None
        row = self._db.one(
            "SELECT m.* FROM artifact_aliases a JOIN artifact_memberships m"
            " ON m.collection_pk = a.collection_pk AND m.artifact_pk = a.artifact_pk"
            " WHERE a.collection_pk = ? AND a.alias = ? AND m.live = 1",
            (collection_pk, name),
        )
        if row is None:
            row = self._db.one(
                "SELECT * FROM artifact_memberships WHERE collection_pk = ? AND commit_hash = ?"
                " AND live = 1",
                (collection_pk, name),
            )
        if row is None:
            row = self._db.one(
                "SELECT m.* FROM artifact_memberships m JOIN artifacts x ON x.pk = m.artifact_pk"
                " WHERE m.collection_pk = ? AND x.digest = ? AND m.live = 1"
                " ORDER BY m.version_index DESC LIMIT 1",
                (collection_pk, name),
            )
        return membership_row(row) if row else None

    def remove(self, collection_pk: int, artifact_pk: int) -> bool:
        """Unlink a version from a collection (with its aliases there); whether it was a
        member. Its version index stays taken."""
        with self._db.transaction() as conn:
            cur = conn.execute(
                "UPDATE artifact_memberships SET live = 0 WHERE collection_pk = ?"
                " AND artifact_pk = ? AND live = 1",
                (collection_pk, artifact_pk),
            )
            conn.execute(
                "DELETE FROM artifact_aliases WHERE collection_pk = ? AND artifact_pk = ?",
                (collection_pk, artifact_pk),
            )
            if cur.rowcount > 0:
                self._db.emit(MembershipChanged(collection_pk, artifact_pk, added=False))
            self.refresh_latest(collection_pk)
        return cur.rowcount > 0

    def forget_artifact(self, artifact_pk: int, sequence_pk: int) -> None:
        """A deleted version leaves every collection; ``latest`` moves back in each."""
        with self._db.transaction():
            collections = {m.collection_pk for m in self.of_artifact(artifact_pk)} | {sequence_pk}
            for collection_pk in collections:
                self.remove(collection_pk, artifact_pk)

    def forget_collection(self, collection_pk: int) -> None:
        """A deleted collection loses its members and aliases."""
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE artifact_memberships SET live = 0 WHERE collection_pk = ?",
                (collection_pk,),
            )
            conn.execute("DELETE FROM artifact_aliases WHERE collection_pk = ?", (collection_pk,))

    # -- aliases -------------------------------------------------------------------------

    def set_aliases(self, collection_pk: int, artifact_pk: int, aliases: Sequence[str]) -> None:
        """Give a member these aliases in a collection (taking each from whichever version
        had it). ``latest`` is not set by hand; it is ignored here.

        Raises:
            InvalidNameError: a bad alias name.
        """
        names = [check_alias(alias) for alias in dict.fromkeys(aliases) if alias != LATEST]
        if not names:
            return
        with self._db.transaction() as conn:
            had = {alias.alias for alias in self.aliases(collection_pk, artifact_pk)}
            if added := tuple(name for name in names if name not in had):
                self._db.emit(AliasesAdded(collection_pk, artifact_pk, added))
            conn.executemany(
                "INSERT INTO artifact_aliases (collection_pk, artifact_pk, alias) VALUES (?, ?, ?)"
                " ON CONFLICT (collection_pk, alias)"
                " DO UPDATE SET artifact_pk = excluded.artifact_pk",
                [(collection_pk, artifact_pk, name) for name in names],
            )

    def remove_aliases(self, collection_pk: int, artifact_pk: int, aliases: Sequence[str]) -> None:
        """Take these aliases from a member (``latest`` cannot be removed by hand)."""
        with self._db.transaction() as conn:
            conn.executemany(
                "DELETE FROM artifact_aliases WHERE collection_pk = ? AND artifact_pk = ?"
                " AND alias = ?",
                [(collection_pk, artifact_pk, a) for a in aliases if a != LATEST],
            )

    def refresh_latest(self, collection_pk: int) -> None:
        """Point ``latest`` at the live member with the highest version index (or nowhere)."""
        with self._db.transaction() as conn:
            conn.execute(
                "DELETE FROM artifact_aliases WHERE collection_pk = ? AND alias = ?",
                (collection_pk, LATEST),
            )
            conn.execute(
                "INSERT INTO artifact_aliases (collection_pk, artifact_pk, alias)"
                " SELECT collection_pk, artifact_pk, ? FROM artifact_memberships"
                " WHERE collection_pk = ? AND live = 1 ORDER BY version_index DESC LIMIT 1",
                (LATEST, collection_pk),
            )

    def aliases(self, collection_pk: int, artifact_pk: int) -> list[AliasRow]:
        """A member's aliases in one collection, ``latest`` first then by name."""
        rows = self._db.all(
            "SELECT * FROM artifact_aliases WHERE collection_pk = ? AND artifact_pk = ?"
            " ORDER BY alias != 'latest', alias",
            (collection_pk, artifact_pk),
        )
        return [make_row(AliasRow, row_dict(row)) for row in rows]

    def aliases_of_artifact(self, artifact_pk: int) -> list[AliasRow]:
        """A version's aliases in every collection."""
        rows = self._db.all(
            "SELECT * FROM artifact_aliases WHERE artifact_pk = ? ORDER BY collection_pk,"
            " alias != 'latest', alias",
            (artifact_pk,),
        )
        return [make_row(AliasRow, row_dict(row)) for row in rows]

    def aliases_of_artifacts(self, artifact_pks: Sequence[int]) -> dict[int, list[AliasRow]]:
        """The aliases of many versions in one query per 500, by artifact."""
        found: dict[int, list[AliasRow]] = {pk: [] for pk in artifact_pks}
        rows = self._db.rows_by_pks(
            "SELECT * FROM artifact_aliases WHERE artifact_pk IN", artifact_pks
        )
        for row in sorted(
            rows, key=lambda r: (r["collection_pk"], r["alias"] != LATEST, r["alias"])
        ):
            found.setdefault(row["artifact_pk"], []).append(make_row(AliasRow, row_dict(row)))
        return found

    def collection_aliases(
        self, collection_pk: int, *, after_pk: int, limit: int
    ) -> list[AliasRow]:
        """A collection's aliases in creation order after ``after_pk``."""
        rows = self._db.all(
            "SELECT * FROM artifact_aliases WHERE collection_pk = ? AND pk > ? ORDER BY pk LIMIT ?",
            (collection_pk, after_pk, limit),
        )
        return [make_row(AliasRow, row_dict(row)) for row in rows]

    def alias_by_pk(self, pk: int) -> AliasRow | None:
        """The alias with row id ``pk``, or ``None``."""
        row = self._db.one("SELECT * FROM artifact_aliases WHERE pk = ?", (pk,))
        return make_row(AliasRow, row_dict(row)) if row else None

    # -- version listings ----------------------------------------------------------------

    def versions(
        self,
        collection_pk: int,
        *,
        filters: Any = None,
        order: str | None = None,
        after_index: int | None = None,
        limit: int,
    ) -> list[MembershipRow]:
        """A page of a collection's live members (newest first unless ``order`` says
        ``+versionIndex``), after the version index ``after_index``.

        Raises:
            FilterError: a filter or order this listing does not know.
        """
        where, params = _versions_where(collection_pk, filters)
        column, descending = parse_order(order, _VERSION_ORDERS, "-versionIndex")
        sql = (
            "SELECT m.* FROM artifact_memberships m JOIN artifacts a ON a.pk = m.artifact_pk"
            f" WHERE {where}"
        )
        if after_index is not None:
            sql += f" AND {column} {'<' if descending else '>'} ?"
            params.append(after_index)
        sql += f" ORDER BY {column} {'DESC' if descending else 'ASC'} LIMIT ?"
        params.append(limit)
        return [membership_row(row) for row in self._db.all(sql, params)]

    def count_versions(self, collection_pk: int, *, filters: Any = None) -> int:
        """How many live members a version listing with ``filters`` holds."""
        where, params = _versions_where(collection_pk, filters)
        return self._db.count(
            "SELECT COUNT(*) FROM artifact_memberships m JOIN artifacts a ON a.pk = m.artifact_pk"
            f" WHERE {where}",
            params,
        )


def _versions_where(collection_pk: int, filters: Any) -> tuple[str, list[Any]]:
    clauses, params = version_filters_sql(filters)
    return " AND ".join(["m.collection_pk = ?", "m.live = 1", *clauses]), [collection_pk, *params]


def version_filters_sql(filters: Any) -> tuple[list[str], list[Any]]:
    """SQL conditions (on ``m`` memberships and ``a`` artifacts) for a version filter: a JSON
    object (or its text) over ``state``, ``digest``, ``alias`` (``aliases``), ``tag``
    (``tags``), ``versionIndex`` with the operators of every filter language here
    (:func:`wandbkit.server.registry_filters.compile_version_filter`).

    Raises:
        FilterError: not a JSON object, or a field or operator this filter does not know.
    """
    fragment = compile_version_filter(filters)
    return [fragment.sql], list(fragment.params)
