"""Artifact versions: their state, digest, metadata, TTL, tags and lineage.

An artifact (one version) is born in a sequence. It is ``PENDING`` while its files arrive and
becomes ``COMMITTED`` (with the next version index of its sequence, ``latest`` moved to it and
the aliases asked for at creation attached) by :meth:`Artifacts.commit`, in one transaction:
a pending version is never listed, and an interrupted publish leaves no committed half
version. ``DELETED`` versions keep their index, so an index is never handed out twice.

Where a version appears in a collection is a *membership* (its birth sequence, and every
portfolio it is linked into), with its own version index and aliases:
:mod:`~wandbkit.server.store.artifact_memberships`. Lineage: the run that logged a version
(``created_by_run_pk``) and the runs that used it (``artifact_usages``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from wandbkit._lang.artifact_digest import artifact_digest
from wandbkit.server.store._db import Database, lastrowid
from wandbkit.server.store.artifact_collections import (
    SEQUENCE,
    ArtifactCollectionRow,
    ArtifactCollections,
    check_artifact_name,
    check_tag_name,
)
from wandbkit.server.store.artifact_manifests import ArtifactManifests, NewEntry
from wandbkit.server.store.artifact_memberships import ArtifactMemberships, check_alias
from wandbkit.server.store.artifact_ttl import ttl_columns
from wandbkit.server.store.errors import RefusedError, StoreError, UnknownRowError
from wandbkit.server.store.events import ArtifactCommitted, ArtifactTagsChanged
from wandbkit.server.store.text import json_object_text

#: Part of migration 7 ("artifacts").
ARTIFACTS_SQL = """
CREATE TABLE IF NOT EXISTS artifacts (
    pk                   INTEGER PRIMARY KEY AUTOINCREMENT,
    project_pk           INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    sequence_pk          INTEGER NOT NULL REFERENCES artifact_collections(pk) ON DELETE CASCADE,
    type_pk              INTEGER NOT NULL REFERENCES artifact_types(pk) ON DELETE CASCADE,
    state                TEXT NOT NULL DEFAULT 'PENDING',
    digest               TEXT NOT NULL,
    digest_algorithm     TEXT NOT NULL DEFAULT 'MANIFEST_MD5',
    description          TEXT,
    metadata             TEXT NOT NULL DEFAULT '{}',
    ttl_duration_seconds INTEGER,
    ttl_is_inherited     INTEGER NOT NULL DEFAULT 1,
    history_step         INTEGER,
    size                 INTEGER NOT NULL DEFAULT 0,
    file_count           INTEGER NOT NULL DEFAULT 0,
    created_by_run_pk    INTEGER REFERENCES runs(pk) ON DELETE SET NULL,
    created_by_user_pk   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    pending_aliases      TEXT NOT NULL DEFAULT '[]',
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS artifacts_by_sequence_digest ON artifacts (sequence_pk, digest);
CREATE INDEX IF NOT EXISTS artifacts_by_run ON artifacts (created_by_run_pk, pk);
CREATE TABLE IF NOT EXISTS artifact_tags (
    artifact_pk INTEGER NOT NULL REFERENCES artifacts(pk) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    PRIMARY KEY (artifact_pk, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS artifact_usages (
    artifact_pk INTEGER NOT NULL REFERENCES artifacts(pk) ON DELETE CASCADE,
    run_pk      INTEGER NOT NULL REFERENCES runs(pk) ON DELETE CASCADE,
    used_as     TEXT,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (artifact_pk, run_pk)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS artifact_usages_by_run ON artifact_usages (run_pk, artifact_pk);
"""

ARTIFACT_STATES = ("PENDING", "COMMITTED", "DELETED")
DIGEST_ALGORITHMS = ("MANIFEST_MD5", "MANIFEST_XXH128")


@dataclass(frozen=True)
class ArtifactRow:
    """One artifact version. ``ttl_duration_seconds`` is ``None`` when it never expires;
    ``ttl_is_inherited`` when no TTL was set on it (the project's policy applies: none here)."""

    pk: int
    project_pk: int
    sequence_pk: int
    type_pk: int
    state: str
    digest: str
    digest_algorithm: str
    description: str | None
    metadata: str
    ttl_duration_seconds: int | None
    ttl_is_inherited: bool
    history_step: int | None
    size: int
    file_count: int
    created_by_run_pk: int | None
    created_by_user_pk: int | None
    pending_aliases: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class NewArtifact:
    """A committed version for :meth:`Artifacts.bulk_create` (seeds and benchmarks)."""

    digest: str
    entries: Sequence[NewEntry]
    description: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    aliases: Sequence[str] = ()
    tags: Sequence[str] = ()
    created_by_run_pk: int | None = None
    history_step: int | None = None
    ttl_duration_seconds: int | None = None


class Artifacts:
    """The ``artifacts``, ``artifact_tags`` and ``artifact_usages`` tables.

    Args:
        db: the store's database.
        collections: types and collections (a version's sequence is found or made there).
        memberships: where versions appear, with version indexes and aliases.
        manifests: entries and blobs (a commit checks every file's bytes arrived).
    """

    def __init__(
        self,
        db: Database,
        collections: ArtifactCollections,
        memberships: ArtifactMemberships,
        manifests: ArtifactManifests,
    ) -> None:
        self._db = db
        self._collections = collections
        self._memberships = memberships
        self._manifests = manifests

    # -- reads ---------------------------------------------------------------------------

    def get_by_pk(self, pk: int) -> ArtifactRow | None:
        """The artifact with row id ``pk`` (any state), or ``None``."""
        row = self._db.one("SELECT * FROM artifacts WHERE pk = ?", (pk,))
        return _artifact(row) if row else None

    def get_by_pks(self, pks: Sequence[int]) -> dict[int, ArtifactRow]:
        """The artifacts with these row ids that exist, by row id."""
        rows = self._db.rows_by_pks("SELECT * FROM artifacts WHERE pk IN", pks)
        return {row["pk"]: _artifact(row) for row in rows}

    def committed_with_digest(self, sequence_pk: int, digest: str) -> ArtifactRow | None:
        """The committed version of a sequence with this digest (for deduplication)."""
        row = self._db.one(
            "SELECT * FROM artifacts WHERE sequence_pk = ? AND digest = ? AND state = 'COMMITTED'"
            " ORDER BY pk LIMIT 1",
            (sequence_pk, digest),
        )
        return _artifact(row) if row else None

    def tags(self, artifact_pk: int) -> list[str]:
        """A version's tags, by name."""
        return self.tags_of_artifacts([artifact_pk])[artifact_pk]

    def tags_of_artifacts(self, pks: Sequence[int]) -> dict[int, list[str]]:
        """The tags of many versions, by version (one query per 500)."""
        found: dict[int, list[str]] = {pk: [] for pk in pks}
        rows = self._db.rows_by_pks(
            "SELECT artifact_pk, name FROM artifact_tags WHERE artifact_pk IN", pks
        )
        for row in sorted(rows, key=lambda r: r["name"]):
            found.setdefault(row["artifact_pk"], []).append(row["name"])
        return found

    # -- publishing ----------------------------------------------------------------------

    def create_pending(
        self,
        project_pk: int,
        type_name: str,
        collection_name: str,
        digest: str,
        *,
        digest_algorithm: str = "MANIFEST_MD5",
        description: str | None = None,
        metadata: Mapping[str, Any] | str | None = None,
        aliases: Sequence[str] = (),
        tags: Sequence[str] = (),
        ttl_duration_seconds: int | None = None,
        history_step: int | None = None,
        run_pk: int | None = None,
        user_pk: int | None = None,
        deduplicate: bool = True,
    ) -> tuple[ArtifactRow, ArtifactCollectionRow]:
        """A new pending version of ``collection_name`` (the sequence is made if missing), or,
        with ``deduplicate``, the committed version with the same digest (its tags and aliases
        get the ones asked for, except ``latest``).

        Returns:
            ``(artifact, its sequence)``.

        Raises:
            InvalidNameError: a bad type, collection, alias or tag name.
            NameConflictError: the collection exists with another type, or is a portfolio.
            StoreError: an unknown digest algorithm or a metadata value that is not an object.
        """
        if digest_algorithm not in DIGEST_ALGORITHMS:
            raise StoreError(f"unknown digest algorithm {digest_algorithm!r}")
        if not isinstance(digest, str) or not digest or len(digest) > 128:
            raise StoreError("the artifact digest must be a non-empty string")
        check_artifact_name(collection_name, "artifact name")
        wanted_aliases = [check_alias(alias) for alias in dict.fromkeys(aliases)]
        wanted_tags = [check_tag_name(tag) for tag in dict.fromkeys(tags)]
        metadata_text = json_object_text(metadata, "metadata")
        with self._db.transaction() as conn:
            sequence = self._collections.ensure(project_pk, type_name, collection_name)
            if deduplicate:
                existing = self.committed_with_digest(sequence.pk, digest)
                if existing is not None:
                    extra = [alias for alias in wanted_aliases if alias != "latest"]
                    self._memberships.set_aliases(sequence.pk, existing.pk, extra)
                    self.add_tags(existing.pk, wanted_tags)
                    return existing, sequence
            now = self._db.stamp()
            cur = conn.execute(
                "INSERT INTO artifacts (project_pk, sequence_pk, type_pk, digest,"
                " digest_algorithm, description, metadata, ttl_duration_seconds,"
                " ttl_is_inherited, history_step, created_by_run_pk, created_by_user_pk,"
                " pending_aliases, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    project_pk,
                    sequence.pk,
                    sequence.type_pk,
                    digest,
                    digest_algorithm,
                    description,
                    metadata_text,
                    *ttl_columns(ttl_duration_seconds),
                    history_step,
                    run_pk,
                    user_pk,
                    json.dumps(wanted_aliases),
                    now,
                    now,
                ),
            )
            pk = lastrowid(cur)
            self.add_tags(pk, wanted_tags)
            created = self.get_by_pk(pk)
        assert created is not None
        return created, sequence

    def commit(self, pk: int, *, verify_digest: bool = True) -> ArtifactRow:
        """Commit a pending version: every file's bytes must have arrived; it gets the next
        version index of its sequence, ``latest`` and its pending aliases, its size and file
        count. Committing a committed version returns it unchanged.

        Raises:
            UnknownRowError: no artifact has that id, or it was deleted.
            StoreError: files whose bytes have not arrived, or (``verify_digest``) a digest
                that does not match the manifest.
        """
        with self._db.transaction() as conn:
            artifact = self.get_by_pk(pk)
            if artifact is None or artifact.state == "DELETED":
                raise UnknownRowError("artifact not found")
            if artifact.state == "COMMITTED":
                return artifact
            missing = self._manifests.missing_content(pk)
            if missing:
                raise RefusedError(
                    "cannot commit: the bytes of these files have not been uploaded: "
                    + ", ".join(missing)
                )
            entries = self._manifests.all_entries(pk)
            if verify_digest and artifact.digest_algorithm == "MANIFEST_MD5":
                actual = artifact_digest((e.path, e.digest) for e in entries)
                if actual != artifact.digest:
                    raise RefusedError(
                        f"cannot commit: the manifest's digest is {actual}, "
                        f"not the artifact's {artifact.digest}"
                    )
            conn.execute(
                "UPDATE artifacts SET state = 'COMMITTED', size = ?, file_count = ?,"
                " pending_aliases = '[]', updated_at = ? WHERE pk = ?",
                (sum(e.size for e in entries), len(entries), self._db.stamp(), pk),
            )
            self._db.emit(ArtifactCommitted(pk, artifact.sequence_pk))
            self._memberships.add(artifact.sequence_pk, pk)
            aliases = [a for a in json.loads(artifact.pending_aliases) if a != "latest"]
            self._memberships.set_aliases(artifact.sequence_pk, pk, aliases)
            committed = self.get_by_pk(pk)
        assert committed is not None
        return committed

    def bulk_create(
        self, project_pk: int, type_name: str, collection_name: str, versions: Sequence[NewArtifact]
    ) -> list[int]:
        """Commit many versions of one sequence at once with bulk inserts (seeds, benchmarks).

        The entries' bytes must already be stored (:meth:`ArtifactManifests.put_blob`).
        Returns the new row ids in version order.
        """
        with self._db.transaction() as conn:
            sequence = self._collections.ensure(project_pk, type_name, collection_name)
            now = self._db.stamp()
            pks: list[int] = []
            for version in versions:
                entries = version.entries
                cur = conn.execute(
                    "INSERT INTO artifacts (project_pk, sequence_pk, type_pk, state, digest,"
                    " description, metadata, ttl_duration_seconds, ttl_is_inherited,"
                    " history_step, size, file_count, created_by_run_pk, created_at, updated_at)"
                    " VALUES (?, ?, ?, 'COMMITTED', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        project_pk,
                        sequence.pk,
                        sequence.type_pk,
                        version.digest,
                        version.description,
                        json_object_text(version.metadata, "metadata"),
                        *ttl_columns(version.ttl_duration_seconds),
                        version.history_step,
                        sum(e.size for e in entries),
                        len(entries),
                        version.created_by_run_pk,
                        now,
                        now,
                    ),
                )
                pk = lastrowid(cur)
                pks.append(pk)
                self._manifests.replace_entries(pk, entries)
                self.add_tags(pk, version.tags)
            self._memberships.bulk_add(sequence.pk, pks)
            for pk, version in zip(pks, versions, strict=True):
                if version.aliases:
                    self._memberships.set_aliases(
                        sequence.pk, pk, [a for a in version.aliases if a != "latest"]
                    )
        return pks

    # -- edits ---------------------------------------------------------------------------

    def update(
        self,
        pk: int,
        *,
        description: str | None = None,
        metadata: Mapping[str, Any] | str | None = None,
        ttl_duration_seconds: int | None = None,
    ) -> ArtifactRow:
        """Change a version's description, metadata or TTL (``None`` leaves a value alone; a
        TTL of ``-1`` inherits, ``-2`` disables, see :func:`ttl_columns`).

        Raises:
            UnknownRowError: no live artifact has that id.
            StoreError: metadata that is not a JSON object.
        """
        with self._db.transaction() as conn:
            current = self.get_by_pk(pk)
            if current is None or current.state == "DELETED":
                raise UnknownRowError("artifact not found")
            ttl, inherited = current.ttl_duration_seconds, current.ttl_is_inherited
            if ttl_duration_seconds is not None:
                ttl, inherited = ttl_columns(ttl_duration_seconds)
            conn.execute(
                "UPDATE artifacts SET description = COALESCE(?, description),"
                " metadata = COALESCE(?, metadata), ttl_duration_seconds = ?,"
                " ttl_is_inherited = ?, updated_at = ? WHERE pk = ?",
                (
                    description,
                    json_object_text(metadata, "metadata") if metadata is not None else None,
                    ttl,
                    int(inherited),
                    self._db.stamp(),
                    pk,
                ),
            )
            updated = self.get_by_pk(pk)
        assert updated is not None
        return updated

    def add_tags(self, pk: int, names: Sequence[str]) -> None:
        """Tag a version (tags it has already are kept).

        Raises:
            InvalidNameError: a bad tag name.
        """
        checked = [check_tag_name(name) for name in names]
        with self._db.transaction() as conn:
            had = set(self.tags(pk))
            conn.executemany(
                "INSERT OR IGNORE INTO artifact_tags (artifact_pk, name) VALUES (?, ?)",
                [(pk, name) for name in checked],
            )
            if added := tuple(name for name in dict.fromkeys(checked) if name not in had):
                self._db.emit(ArtifactTagsChanged(pk, added, added=True))

    def remove_tags(self, pk: int, names: Sequence[str]) -> None:
        """Remove tags from a version (absent ones are ignored)."""
        with self._db.transaction() as conn:
            had = set(self.tags(pk))
            conn.executemany(
                "DELETE FROM artifact_tags WHERE artifact_pk = ? AND name = ?",
                [(pk, name) for name in names],
            )
            if removed := tuple(name for name in dict.fromkeys(names) if name in had):
                self._db.emit(ArtifactTagsChanged(pk, removed, added=False))

    def delete(self, pk: int, *, delete_aliases: bool = False) -> ArtifactRow:
        """Delete a version: its state becomes ``DELETED``, it leaves every collection and
        ``latest`` moves back.

        Raises:
            UnknownRowError: no live artifact has that id.
            StoreError: it has aliases and ``delete_aliases`` is false.
        """
        with self._db.transaction() as conn:
            current = self.get_by_pk(pk)
            if current is None or current.state == "DELETED":
                raise UnknownRowError("artifact not found")
            aliases = self._memberships.aliases_of_artifact(pk)
            if aliases and not delete_aliases:
                names = ", ".join(sorted({alias.alias for alias in aliases}))
                raise RefusedError(
                    f"the artifact has aliases ({names}); delete them first or pass deleteAliases"
                )
            conn.execute(
                "UPDATE artifacts SET state = 'DELETED', updated_at = ? WHERE pk = ?",
                (self._db.stamp(), pk),
            )
            self._memberships.forget_artifact(pk, current.sequence_pk)
            deleted = self.get_by_pk(pk)
        assert deleted is not None
        return deleted

    def delete_logged_by_run(self, run_pk: int) -> int:
        """Delete every live version a run logged, aliases and all (``deleteRun`` with
        ``deleteArtifacts``); returns how many."""
        with self._db.transaction():
            rows = self._db.all(
                "SELECT pk FROM artifacts WHERE created_by_run_pk = ? AND state != 'DELETED'",
                (run_pk,),
            )
            for row in rows:
                self.delete(row["pk"], delete_aliases=True)
        return len(rows)

    def delete_collection(self, collection: ArtifactCollectionRow) -> ArtifactCollectionRow:
        """Delete a collection: a sequence takes its versions with it; a portfolio only
        drops its links.

        Raises:
            UnknownRowError: the collection is already gone.
        """
        with self._db.transaction() as conn:
            if collection.kind == SEQUENCE:
                pks = [
                    row["pk"]
                    for row in self._db.all(
                        "SELECT pk FROM artifacts WHERE sequence_pk = ? AND state != 'DELETED'",
                        (collection.pk,),
                    )
                ]
                conn.execute(
                    "UPDATE artifacts SET state = 'DELETED', updated_at = ? WHERE sequence_pk = ?",
                    (self._db.stamp(), collection.pk),
                )
                for pk in pks:
                    self._memberships.forget_artifact(pk, collection.pk)
            else:
                self._memberships.forget_collection(collection.pk)
            return self._collections.mark_deleted(collection.pk)

    def move_sequence(self, collection_pk: int, type_name: str) -> ArtifactCollectionRow:
        """Give a sequence and its versions another type (created if missing).

        Raises:
            UnknownRowError: no live collection has that id.
            InvalidNameError: a bad type name, or the collection is a portfolio.
        """
        with self._db.transaction() as conn:
            moved = self._collections.move(collection_pk, type_name)
            conn.execute(
                "UPDATE artifacts SET type_pk = ? WHERE sequence_pk = ?",
                (moved.type_pk, collection_pk),
            )
        return moved

    # -- lineage -------------------------------------------------------------------------

    def use(self, pk: int, run_pk: int, used_as: str | None = None) -> None:
        """Record that a run used a version (again: the latest ``used_as`` is kept).

        Raises:
            UnknownRowError: no live artifact or no run has that id.
        """
        with self._db.transaction() as conn:
            artifact = self.get_by_pk(pk)
            if artifact is None or artifact.state == "DELETED":
                raise UnknownRowError("artifact not found")
            try:
                conn.execute(
                    "INSERT INTO artifact_usages (artifact_pk, run_pk, used_as, created_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (artifact_pk, run_pk)"
                    " DO UPDATE SET used_as = COALESCE(excluded.used_as, used_as)",
                    (pk, run_pk, used_as, self._db.stamp()),
                )
            except Exception as exc:  # sqlite3.IntegrityError: the run is gone
                if "FOREIGN KEY" not in str(exc):
                    raise
                raise UnknownRowError("run not found") from None

    def bulk_use(self, pairs: Sequence[tuple[int, int]]) -> None:
        """Record many ``(artifact, run)`` usages at once (seeds)."""
        now = self._db.stamp()
        with self._db.transaction() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO artifact_usages (artifact_pk, run_pk, created_at)"
                " VALUES (?, ?, ?)",
                [(a, r, now) for a, r in pairs],
            )

    def users_of(self, pk: int, *, after_pk: int, limit: int) -> list[int]:
        """Row ids of the runs that used a version, in run order after ``after_pk``."""
        rows = self._db.all(
            "SELECT run_pk FROM artifact_usages WHERE artifact_pk = ? AND run_pk > ?"
            " ORDER BY run_pk LIMIT ?",
            (pk, after_pk, limit),
        )
        return [row["run_pk"] for row in rows]

    def logged_by_run(self, run_pk: int, *, after_pk: int, limit: int) -> list[ArtifactRow]:
        """The committed versions a run logged, in creation order after ``after_pk``."""
        rows = self._db.all(
            "SELECT * FROM artifacts WHERE created_by_run_pk = ? AND state = 'COMMITTED'"
            " AND pk > ? ORDER BY pk LIMIT ?",
            (run_pk, after_pk, limit),
        )
        return [_artifact(row) for row in rows]

    def count_logged_by_run(self, run_pk: int) -> int:
        """How many committed versions a run logged."""
        return self._db.count(
            "SELECT COUNT(*) FROM artifacts WHERE created_by_run_pk = ? AND state = 'COMMITTED'",
            (run_pk,),
        )

    def used_by_run(self, run_pk: int, *, after_pk: int, limit: int) -> list[ArtifactRow]:
        """The live versions a run used, in artifact order after ``after_pk``."""
        rows = self._db.all(
            "SELECT a.* FROM artifact_usages u JOIN artifacts a ON a.pk = u.artifact_pk"
            " WHERE u.run_pk = ? AND a.state = 'COMMITTED' AND u.artifact_pk > ?"
            " ORDER BY u.artifact_pk LIMIT ?",
            (run_pk, after_pk, limit),
        )
        return [_artifact(row) for row in rows]

    def count_used_by_run(self, run_pk: int) -> int:
        """How many live versions a run used."""
        return self._db.count(
            "SELECT COUNT(*) FROM artifact_usages u JOIN artifacts a ON a.pk = u.artifact_pk"
            " WHERE u.run_pk = ? AND a.state = 'COMMITTED'",
            (run_pk,),
        )

    def holders_in_entity(self, entity_pk: int, md5_b64: str) -> list[int]:
        """Project row ids of the entity's projects holding a committed version with content of
        this md5 (the ``/artifacts/{entity}/{md5}`` route checks read access on them)."""
        rows = self._db.all(
            "SELECT DISTINCT a.project_pk FROM artifact_manifest_entries e"
            " JOIN artifacts a ON a.pk = e.artifact_pk"
            " JOIN projects p ON p.id = a.project_pk"
            " WHERE e.digest = ? AND e.ref IS NULL AND a.state = 'COMMITTED' AND p.entity_id = ?",
            (md5_b64, entity_pk),
        )
        return [row["project_pk"] for row in rows]


def _artifact(row: sqlite3.Row) -> ArtifactRow:
    values = dict(row)
    values["ttl_is_inherited"] = bool(values["ttl_is_inherited"])
    return ArtifactRow(**values)
