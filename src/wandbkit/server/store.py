"""The local server's SQLite store: organizations, entities, users, API keys and projects.

Design notes:

* One connection shared by all threads, guarded by a re-entrant lock. uvicorn runs resolvers
  on one event loop, tests and seeders touch the store from other threads, and SQLite calls
  here are short, so one lock is simpler than per-thread connections and never deadlocks on
  SQLite's own file locks. File databases use WAL so a second process (``wandbkit server
  seed`` beside a running server) can read while the server writes.
* The schema is a list of numbered :data:`MIGRATIONS`, one per domain; ``PRAGMA user_version``
  records how far a database has come. Runs, files, artifacts and registries arrive as new
  migrations appended to the list; never edit a migration that has shipped.
* Rows come back as frozen dataclasses whose attribute names are the snake_case forms of the
  GraphQL field names, so Ariadne's default resolvers (with ``convert_names_case``) read them
  directly. Row ids are called ``pk`` on purpose: the GraphQL ``id`` is an opaque string that
  a resolver must build, and a missing resolver then fails loudly instead of leaking integers.
* Timestamps are UTC ISO-8601 text with a ``Z`` (``2024-01-01T00:00:00Z``); that text sorts
  chronologically.
* API keys are stored as SHA-256 hashes only; the plain key exists once, in the return value
  of :meth:`Store.create_api_key`.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

EntityKind = Literal["user", "team", "organization"]

#: Names of entities, users and projects: what the real server accepts in URLs.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.\-]+$")
MAX_NAME_LENGTH = 128

DEFAULT_ACCESS = "PRIVATE"
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class StoreError(Exception):
    """The store refused an operation (bad input or a conflict); the message says why."""


class InvalidNameError(StoreError, ValueError):
    """A name with characters or a length the server does not accept."""


class NameConflictError(StoreError):
    """A name that is already taken where it must be unique."""


class UnknownRowError(StoreError, LookupError):
    """An operation named a row that does not exist."""


def utc_timestamp(moment: datetime | None = None) -> str:
    """Format a moment (default: now) as the store's UTC timestamp text.

    Naive datetimes are taken to be UTC.

    Example:
        >>> utc_timestamp(datetime(2024, 1, 1, tzinfo=timezone.utc))
        '2024-01-01T00:00:00Z'
    """
    moment = moment or datetime.now(timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime(TIMESTAMP_FORMAT)


def check_name(name: str, what: str) -> str:
    """Validate an entity, user or project name.

    Raises:
        InvalidNameError: empty, too long, ``.``/``..``, or a character other than letters,
            digits, ``-``, ``_`` and ``.``.
    """
    if not isinstance(name, str) or not name:
        raise InvalidNameError(f"{what} name must be a non-empty string")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidNameError(f"{what} name must be at most {MAX_NAME_LENGTH} characters")
    if not NAME_PATTERN.match(name) or name in {".", ".."}:
        raise InvalidNameError(
            f"{what} name {name!r} may only contain letters, digits, '-', '_' and '.'"
        )
    return name


def hash_api_key(key: str) -> str:
    """The stored form of an API key (hex SHA-256)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


# -- rows ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganizationRow:
    """An organization; ``entity_pk`` is its own entity (where registries live)."""

    pk: int
    name: str
    entity_pk: int
    created_at: str


@dataclass(frozen=True)
class EntityRow:
    """An entity: a user's personal one, a team, or an organization's own."""

    pk: int
    name: str
    kind: EntityKind
    organization_pk: int | None
    created_at: str


@dataclass(frozen=True)
class UserRow:
    """A user; ``entity_pk`` is the personal entity, ``default_entity_pk`` where work goes."""

    pk: int
    username: str
    name: str | None
    email: str | None
    admin: bool
    flags: Mapping[str, Any]
    entity_pk: int
    default_entity_pk: int
    created_at: str
    deleted_at: str | None


@dataclass(frozen=True)
class ApiKeyRow:
    """An API key's public facts; the key itself is never stored."""

    pk: int
    user_pk: int
    name: str
    description: str | None
    created_at: str


@dataclass(frozen=True)
class Membership:
    """A user's membership in a team or an organization, with the role (``admin``, ``member``)."""

    user: UserRow
    role: str


@dataclass(frozen=True)
class ProjectRow:
    """A project (the schema's legacy name: model)."""

    pk: int
    entity_pk: int
    name: str
    description: str | None
    access: str
    views: str
    is_benchmark: bool
    read_only: bool
    creator_pk: int | None
    created_at: str
    updated_at: str


# -- schema -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Migration:
    """One step of the store's schema; ``version`` is written to ``PRAGMA user_version``."""

    version: int
    name: str
    sql: str


IDENTITY_SQL = """
CREATE TABLE IF NOT EXISTS entities (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL CHECK (kind IN ('user', 'team', 'organization')),
    organization_id INTEGER REFERENCES organizations(id),
    created_at      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS organizations (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    entity_id   INTEGER NOT NULL UNIQUE REFERENCES entities(id),
    created_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    id                INTEGER PRIMARY KEY,
    username          TEXT NOT NULL UNIQUE,
    name              TEXT,
    email             TEXT,
    admin             INTEGER NOT NULL DEFAULT 0,
    flags             TEXT NOT NULL DEFAULT '{}',
    entity_id         INTEGER NOT NULL UNIQUE REFERENCES entities(id),
    default_entity_id INTEGER NOT NULL REFERENCES entities(id),
    created_at        TEXT NOT NULL,
    deleted_at        TEXT
);
CREATE TABLE IF NOT EXISTS api_keys (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    key_hash    TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    description TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS api_keys_user ON api_keys(user_id);
CREATE TABLE IF NOT EXISTS team_members (
    entity_id  INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role       TEXT NOT NULL DEFAULT 'member',
    created_at TEXT NOT NULL,
    PRIMARY KEY (entity_id, user_id)
);
CREATE INDEX IF NOT EXISTS team_members_user ON team_members(user_id);
CREATE TABLE IF NOT EXISTS organization_members (
    organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role            TEXT NOT NULL DEFAULT 'member',
    created_at      TEXT NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX IF NOT EXISTS organization_members_user ON organization_members(user_id);
"""

PROJECTS_SQL = """
CREATE TABLE IF NOT EXISTS projects (
    id           INTEGER PRIMARY KEY,
    entity_id    INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    description  TEXT,
    access       TEXT NOT NULL DEFAULT 'PRIVATE',
    views        TEXT NOT NULL DEFAULT '{}',
    is_benchmark INTEGER NOT NULL DEFAULT 0,
    read_only    INTEGER NOT NULL DEFAULT 0,
    creator_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (entity_id, name)
);
"""

#: The store's schema, in order. Append new domains (runs, files, artifacts, registries) as
#: new versions; a database remembers the last version it applied.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "identity", IDENTITY_SQL),
    Migration(2, "projects", PROJECTS_SQL),
)


# -- the store ----------------------------------------------------------------------------


class Store:
    """The emulator's data, in one SQLite database.

    Args:
        path: a database file (created if missing) or ``":memory:"`` for a private
            in-memory database that lives as long as this object.

    Example:
        >>> store = Store()
        >>> user = store.create_user("ada")
        >>> store.get_entity("ada").kind
        'user'
    """

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        # check_same_thread=False: the server thread and the caller's thread share this
        # connection; the lock serialises every use of it.
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA foreign_keys = ON")
        self._conn.execute("PRAGMA busy_timeout = 5000")
        if self.path != ":memory:" and not self.path.startswith("file::memory:"):
            self._conn.execute("PRAGMA journal_mode = WAL")
        self._migrate()

    # -- lifecycle ------------------------------------------------------------------------

    def close(self) -> None:
        """Close the database connection; the store is unusable afterwards."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.path!r})"

    @property
    def schema_version(self) -> int:
        """The last migration this database has applied."""
        with self._lock:
            return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        known = MIGRATIONS[-1].version
        with self._lock:
            current = self.schema_version
            if current > known:
                raise StoreError(
                    f"database {self.path!r} has schema version {current}, newer than this "
                    f"wandbkit knows ({known}); upgrade wandbkit"
                )
            for migration in MIGRATIONS:
                if migration.version <= current:
                    continue
                with self.transaction() as conn:
                    for statement in _split_sql(migration.sql):
                        conn.execute(statement)
                    # PRAGMA takes no parameters; the version is our own int.
                    conn.execute(f"PRAGMA user_version = {int(migration.version)}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock and run the block in one write transaction (rolled back on error).

        Nested use joins the outer transaction.
        """
        with self._lock:
            if self._conn.in_transaction:
                yield self._conn
                return
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        with self._lock:
            row: sqlite3.Row | None = self._conn.execute(sql, params).fetchone()
            return row

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return list(self._conn.execute(sql, params).fetchall())

    def counts(self) -> dict[str, int]:
        """How many users, entities and projects the database holds."""
        row = self._one(
            "SELECT (SELECT COUNT(*) FROM users) AS users,"
            " (SELECT COUNT(*) FROM entities) AS entities,"
            " (SELECT COUNT(*) FROM projects) AS projects"
        )
        assert row is not None
        return {"users": row["users"], "entities": row["entities"], "projects": row["projects"]}

    # -- organizations --------------------------------------------------------------------

    def create_organization(
        self, name: str, *, entity_name: str | None = None, created_at: str | None = None
    ) -> OrganizationRow:
        """Create an organization and its own entity (named ``entity_name`` or ``name``).

        Raises:
            InvalidNameError: a bad name.
            NameConflictError: the organization or the entity name exists.
        """
        check_name(name, "organization")
        entity_name = check_name(entity_name or name, "entity")
        now = created_at or utc_timestamp()
        with self.transaction() as conn:
            if self.get_organization(name) is not None:
                raise NameConflictError(f"organization {name!r} already exists")
            entity_pk = self._insert_entity(conn, entity_name, "organization", None, now)
            cur = conn.execute(
                "INSERT INTO organizations (name, entity_id, created_at) VALUES (?, ?, ?)",
                (name, entity_pk, now),
            )
            org_pk = _lastrowid(cur)
            conn.execute(
                "UPDATE entities SET organization_id = ? WHERE id = ?", (org_pk, entity_pk)
            )
        return OrganizationRow(org_pk, name, entity_pk, now)

    def get_organization(self, name: str) -> OrganizationRow | None:
        """The organization called ``name``, or ``None``."""
        row = self._one("SELECT * FROM organizations WHERE name = ?", (name,))
        return _organization(row) if row else None

    def get_organization_by_pk(self, pk: int) -> OrganizationRow | None:
        """The organization with row id ``pk``, or ``None``."""
        row = self._one("SELECT * FROM organizations WHERE id = ?", (pk,))
        return _organization(row) if row else None

    def add_organization_member(
        self, organization_pk: int, user_pk: int, *, role: str = "member"
    ) -> None:
        """Make a user a member of an organization (or change the role)."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO organization_members (organization_id, user_id, role, created_at)"
                " VALUES (?, ?, ?, ?)"
                " ON CONFLICT (organization_id, user_id) DO UPDATE SET role = excluded.role",
                (organization_pk, user_pk, role, utc_timestamp()),
            )

    def is_organization_member(self, organization_pk: int, user_pk: int) -> bool:
        """Whether the user belongs to the organization."""
        return (
            self._one(
                "SELECT 1 FROM organization_members WHERE organization_id = ? AND user_id = ?",
                (organization_pk, user_pk),
            )
            is not None
        )

    def organization_members(self, organization_pk: int) -> list[Membership]:
        """The members of an organization, in the order they joined."""
        rows = self._all(
            "SELECT u.*, m.role AS member_role FROM users u JOIN organization_members m"
            " ON m.user_id = u.id WHERE m.organization_id = ? ORDER BY m.created_at, u.id",
            (organization_pk,),
        )
        return [Membership(_user(r), r["member_role"]) for r in rows]

    def user_organizations(self, user_pk: int) -> list[OrganizationRow]:
        """The organizations a user belongs to, oldest membership first."""
        rows = self._all(
            "SELECT o.* FROM organizations o JOIN organization_members m"
            " ON m.organization_id = o.id WHERE m.user_id = ? ORDER BY o.id",
            (user_pk,),
        )
        return [_organization(r) for r in rows]

    # -- entities and teams ---------------------------------------------------------------

    def get_entity(self, name: str) -> EntityRow | None:
        """The entity called ``name`` (user, team or organization), or ``None``."""
        row = self._one("SELECT * FROM entities WHERE name = ?", (name,))
        return _entity(row) if row else None

    def get_entity_by_pk(self, pk: int) -> EntityRow | None:
        """The entity with row id ``pk``, or ``None``."""
        row = self._one("SELECT * FROM entities WHERE id = ?", (pk,))
        return _entity(row) if row else None

    def create_team(
        self, name: str, *, organization_pk: int | None = None, created_at: str | None = None
    ) -> EntityRow:
        """Create a team entity, optionally inside an organization.

        Raises:
            InvalidNameError: a bad name.
            NameConflictError: an entity with that name exists.
        """
        check_name(name, "team")
        now = created_at or utc_timestamp()
        with self.transaction() as conn:
            pk = self._insert_entity(conn, name, "team", organization_pk, now)
        return EntityRow(pk, name, "team", organization_pk, now)

    def add_team_member(self, team_pk: int, user_pk: int, *, role: str = "member") -> None:
        """Make a user a member of a team (or change the role).

        Raises:
            StoreError: the entity is not a team.
        """
        team = self.get_entity_by_pk(team_pk)
        if team is None or team.kind != "team":
            raise StoreError("only team entities have members")
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO team_members (entity_id, user_id, role, created_at)"
                " VALUES (?, ?, ?, ?)"
                " ON CONFLICT (entity_id, user_id) DO UPDATE SET role = excluded.role",
                (team_pk, user_pk, role, utc_timestamp()),
            )

    def team_members(self, team_pk: int) -> list[Membership]:
        """The members of a team, in the order they joined."""
        rows = self._all(
            "SELECT u.*, m.role AS member_role FROM users u JOIN team_members m"
            " ON m.user_id = u.id WHERE m.entity_id = ? ORDER BY m.created_at, u.id",
            (team_pk,),
        )
        return [Membership(_user(r), r["member_role"]) for r in rows]

    def user_teams(self, user_pk: int) -> list[EntityRow]:
        """The teams a user belongs to, oldest team first."""
        rows = self._all(
            "SELECT e.* FROM entities e JOIN team_members m ON m.entity_id = e.id"
            " WHERE m.user_id = ? ORDER BY e.id",
            (user_pk,),
        )
        return [_entity(r) for r in rows]

    def is_team_member(self, team_pk: int, user_pk: int) -> bool:
        """Whether the user belongs to the team."""
        return (
            self._one(
                "SELECT 1 FROM team_members WHERE entity_id = ? AND user_id = ?",
                (team_pk, user_pk),
            )
            is not None
        )

    def can_write(self, user: UserRow, entity: EntityRow) -> bool:
        """Whether a user may create and change things in an entity.

        Instance admins may write anywhere; others only to their personal entity, their
        teams and their organizations' entities.
        """
        if user.admin:
            return True
        if entity.kind == "user":
            return entity.pk == user.entity_pk
        if entity.kind == "team":
            return self.is_team_member(entity.pk, user.pk)
        return entity.organization_pk is not None and self.is_organization_member(
            entity.organization_pk, user.pk
        )

    def _insert_entity(
        self,
        conn: sqlite3.Connection,
        name: str,
        kind: EntityKind,
        organization_pk: int | None,
        created_at: str,
    ) -> int:
        if self.get_entity(name) is not None:
            raise NameConflictError(f"entity {name!r} already exists")
        cur = conn.execute(
            "INSERT INTO entities (name, kind, organization_id, created_at) VALUES (?, ?, ?, ?)",
            (name, kind, organization_pk, created_at),
        )
        return _lastrowid(cur)

    # -- users ----------------------------------------------------------------------------

    def create_user(
        self,
        username: str,
        *,
        name: str | None = None,
        email: str | None = None,
        admin: bool = False,
        flags: Mapping[str, Any] | None = None,
        created_at: str | None = None,
    ) -> UserRow:
        """Create a user and their personal entity (named like the user).

        Raises:
            InvalidNameError: a bad username.
            NameConflictError: the username, or an entity of that name, exists.
        """
        check_name(username, "user")
        now = created_at or utc_timestamp()
        flags_text = json.dumps(dict(flags or {}), separators=(",", ":"))
        with self.transaction() as conn:
            if self.get_user(username) is not None:
                raise NameConflictError(f"user {username!r} already exists")
            entity_pk = self._insert_entity(conn, username, "user", None, now)
            cur = conn.execute(
                "INSERT INTO users (username, name, email, admin, flags, entity_id,"
                " default_entity_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (username, name, email, int(admin), flags_text, entity_pk, entity_pk, now),
            )
            pk = _lastrowid(cur)
        user = self.get_user_by_pk(pk)
        assert user is not None
        return user

    def get_user(self, username: str) -> UserRow | None:
        """The user called ``username``, or ``None``."""
        row = self._one("SELECT * FROM users WHERE username = ?", (username,))
        return _user(row) if row else None

    def get_user_by_pk(self, pk: int) -> UserRow | None:
        """The user with row id ``pk``, or ``None``."""
        row = self._one("SELECT * FROM users WHERE id = ?", (pk,))
        return _user(row) if row else None

    def get_user_by_entity(self, entity_pk: int) -> UserRow | None:
        """The user whose personal entity this is, or ``None`` (a team or an organization)."""
        row = self._one("SELECT * FROM users WHERE entity_id = ?", (entity_pk,))
        return _user(row) if row else None

    def set_default_entity(self, user_pk: int, entity_pk: int) -> None:
        """Change where a user's work goes when no entity is named."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE users SET default_entity_id = ? WHERE id = ?", (entity_pk, user_pk)
            )

    # -- API keys -------------------------------------------------------------------------

    def create_api_key(
        self,
        user_pk: int,
        *,
        key: str | None = None,
        name: str = "default",
        description: str | None = None,
    ) -> tuple[str, ApiKeyRow]:
        """Issue an API key for a user; only its hash is stored.

        Args:
            user_pk: the owner.
            key: the key to register (default: 40 random lowercase hex characters, like
                W&B's). Registering a key the same user already has returns that key's row.
            name: a label shown in ``User.apiKeys`` (never the key).
            description: free text shown in ``User.apiKeys``.

        Returns:
            ``(key, row)``; the plain key is not recoverable afterwards.

        Raises:
            StoreError: an empty key, or a key that belongs to another user.
        """
        key = key if key is not None else secrets.token_hex(20)
        if not key or key != key.strip():
            raise StoreError("an API key must be non-empty and have no surrounding spaces")
        digest = hash_api_key(key)
        with self.transaction() as conn:
            existing = self._one("SELECT * FROM api_keys WHERE key_hash = ?", (digest,))
            if existing is not None:
                if existing["user_id"] != user_pk:
                    raise StoreError("that API key is already registered to another user")
                return key, _api_key(existing)
            now = utc_timestamp()
            cur = conn.execute(
                "INSERT INTO api_keys (user_id, key_hash, name, description, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (user_pk, digest, name, description, now),
            )
            return key, ApiKeyRow(_lastrowid(cur), user_pk, name, description, now)

    def user_for_api_key(self, key: str) -> UserRow | None:
        """The (not deleted) user an API key belongs to, or ``None``."""
        row = self._one(
            "SELECT u.* FROM users u JOIN api_keys k ON k.user_id = u.id"
            " WHERE k.key_hash = ? AND u.deleted_at IS NULL",
            (hash_api_key(key),),
        )
        return _user(row) if row else None

    def api_keys(self, user_pk: int) -> list[ApiKeyRow]:
        """A user's API keys (public facts only), oldest first."""
        rows = self._all("SELECT * FROM api_keys WHERE user_id = ? ORDER BY id", (user_pk,))
        return [_api_key(r) for r in rows]

    def delete_api_key(self, pk: int) -> bool:
        """Revoke an API key; ``False`` if there was none with that id."""
        with self.transaction() as conn:
            return conn.execute("DELETE FROM api_keys WHERE id = ?", (pk,)).rowcount > 0

    # -- projects -------------------------------------------------------------------------

    def get_project(self, entity_pk: int, name: str) -> ProjectRow | None:
        """The project ``name`` in an entity, or ``None``."""
        row = self._one(
            "SELECT * FROM projects WHERE entity_id = ? AND name = ?", (entity_pk, name)
        )
        return _project(row) if row else None

    def get_project_by_pk(self, pk: int) -> ProjectRow | None:
        """The project with row id ``pk``, or ``None``."""
        row = self._one("SELECT * FROM projects WHERE id = ?", (pk,))
        return _project(row) if row else None

    def list_projects(self, entity_pk: int, *, after_pk: int = 0, limit: int) -> list[ProjectRow]:
        """An entity's projects in creation order (row id), starting after ``after_pk``.

        Keyset paging on the row id: a project created while a caller pages through the list
        lands at the end, so no project is skipped or repeated.
        """
        rows = self._all(
            "SELECT * FROM projects WHERE entity_id = ? AND id > ? ORDER BY id LIMIT ?",
            (entity_pk, after_pk, limit),
        )
        return [_project(r) for r in rows]

    def upsert_project(
        self,
        entity_pk: int,
        name: str,
        *,
        creator_pk: int | None,
        description: str | None = None,
        access: str | None = None,
        views: str | None = None,
        is_benchmark: bool | None = None,
        created_at: str | None = None,
    ) -> tuple[ProjectRow, bool]:
        """Create the project ``name`` in an entity, or update the fields given (not ``None``).

        Returns:
            ``(project, inserted)``.

        Raises:
            InvalidNameError: a bad project name.
        """
        check_name(name, "project")
        with self.transaction() as conn:
            existing = self.get_project(entity_pk, name)
            if existing is not None:
                return self._update_project(
                    conn,
                    existing,
                    description=description,
                    access=access,
                    views=views,
                    is_benchmark=is_benchmark,
                ), False
            now = created_at or utc_timestamp()
            cur = conn.execute(
                "INSERT INTO projects (entity_id, name, description, access, views,"
                " is_benchmark, creator_id, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    entity_pk,
                    name,
                    description,
                    access or DEFAULT_ACCESS,
                    views or "{}",
                    int(bool(is_benchmark)),
                    creator_pk,
                    now,
                    now,
                ),
            )
            project = self.get_project_by_pk(_lastrowid(cur))
        assert project is not None
        return project, True

    def update_project(
        self,
        pk: int,
        *,
        name: str | None = None,
        description: str | None = None,
        access: str | None = None,
        views: str | None = None,
        is_benchmark: bool | None = None,
    ) -> ProjectRow:
        """Change the fields given (not ``None``) of a project, including its name.

        Raises:
            UnknownRowError: no project has that id.
            InvalidNameError: a bad new name.
            NameConflictError: the new name is taken in the project's entity.
        """
        with self.transaction() as conn:
            project = self.get_project_by_pk(pk)
            if project is None:
                raise UnknownRowError("project not found")
            if name is not None and name != project.name:
                check_name(name, "project")
                if self.get_project(project.entity_pk, name) is not None:
                    raise NameConflictError(f"project {name!r} already exists")
                conn.execute("UPDATE projects SET name = ? WHERE id = ?", (name, pk))
            return self._update_project(
                conn,
                project,
                description=description,
                access=access,
                views=views,
                is_benchmark=is_benchmark,
                touched=name is not None and name != project.name,
            )

    def _update_project(
        self,
        conn: sqlite3.Connection,
        project: ProjectRow,
        *,
        description: str | None,
        access: str | None,
        views: str | None,
        is_benchmark: bool | None,
        touched: bool = False,
    ) -> ProjectRow:
        changes: dict[str, Any] = {}
        if description is not None:
            changes["description"] = description
        if access is not None:
            changes["access"] = access
        if views is not None:
            changes["views"] = views
        if is_benchmark is not None:
            changes["is_benchmark"] = int(is_benchmark)
        if changes or touched:
            changes["updated_at"] = utc_timestamp()
            # Column names come from the fixed keys above, never from the caller.
            assignments = ", ".join(f"{column} = ?" for column in changes)
            conn.execute(
                f"UPDATE projects SET {assignments} WHERE id = ?",
                (*changes.values(), project.pk),
            )
        updated = self.get_project_by_pk(project.pk)
        assert updated is not None
        return updated


# -- helpers ------------------------------------------------------------------------------


def _split_sql(script: str) -> list[str]:
    # Migrations run statement by statement inside our own transaction: executescript()
    # would COMMIT first and break the all-or-nothing migration.
    return [s.strip() for s in script.split(";") if s.strip()]


def _lastrowid(cur: sqlite3.Cursor) -> int:
    pk = cur.lastrowid
    assert pk is not None
    return int(pk)


def _organization(row: sqlite3.Row) -> OrganizationRow:
    return OrganizationRow(row["id"], row["name"], row["entity_id"], row["created_at"])


def _entity(row: sqlite3.Row) -> EntityRow:
    return EntityRow(row["id"], row["name"], row["kind"], row["organization_id"], row["created_at"])


def _user(row: sqlite3.Row) -> UserRow:
    return UserRow(
        pk=row["id"],
        username=row["username"],
        name=row["name"],
        email=row["email"],
        admin=bool(row["admin"]),
        flags=json.loads(row["flags"] or "{}"),
        entity_pk=row["entity_id"],
        default_entity_pk=row["default_entity_id"],
        created_at=row["created_at"],
        deleted_at=row["deleted_at"],
    )


def _api_key(row: sqlite3.Row) -> ApiKeyRow:
    return ApiKeyRow(row["id"], row["user_id"], row["name"], row["description"], row["created_at"])


def _project(row: sqlite3.Row) -> ProjectRow:
    return ProjectRow(
        pk=row["id"],
        entity_pk=row["entity_id"],
        name=row["name"],
        description=row["description"],
        access=row["access"],
        views=row["views"],
        is_benchmark=bool(row["is_benchmark"]),
        read_only=bool(row["read_only"]),
        creator_pk=row["creator_id"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
