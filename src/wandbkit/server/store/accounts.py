"""Users, their API keys, member lists (which hold users) and who may write where.

Every user has a personal entity named like them; :meth:`Accounts.create_user` makes both in
one transaction, the entity through :class:`~wandbkit.server.store.entities.Entities`. API keys
are stored as SHA-256 hashes only; the plain key exists once, in the return value of
:meth:`Accounts.create_api_key`.
"""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wandbkit.server.store._db import Database, lastrowid
from wandbkit.server.store.entities import Entities, EntityRow
from wandbkit.server.store.errors import NameConflictError, StoreError
from wandbkit.server.store.text import check_name, dumps_json, hash_api_key

#: Part of migration 1 ("identity"), between the entities and the membership tables.
ACCOUNTS_SQL = """
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
"""

#: At most this many users answer one search (``Query.users``).
MAX_SEARCH_RESULTS = 100


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


class Accounts:
    """The ``users`` and ``api_keys`` tables; entities and memberships come from ``entities``."""

    def __init__(self, db: Database, entities: Entities) -> None:
        self._db = db
        self._entities = entities

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
        now = created_at or self._db.stamp(seconds=True)
        flags_text = dumps_json(dict(flags or {}))
        with self._db.transaction() as conn:
            if self.get_user(username) is not None:
                raise NameConflictError(f"user {username!r} already exists")
            entity_pk = self._entities.insert(conn, username, "user", None, now)
            cur = conn.execute(
                "INSERT INTO users (username, name, email, admin, flags, entity_id,"
                " default_entity_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (username, name, email, int(admin), flags_text, entity_pk, entity_pk, now),
            )
            pk = lastrowid(cur)
        user = self.get_user_by_pk(pk)
        assert user is not None
        return user

    def get_user(self, username: str) -> UserRow | None:
        """The user called ``username``, or ``None``."""
        row = self._db.one("SELECT * FROM users WHERE username = ?", (username,))
        return _user(row) if row else None

    def get_user_by_pk(self, pk: int) -> UserRow | None:
        """The user with row id ``pk``, or ``None``."""
        row = self._db.one("SELECT * FROM users WHERE id = ?", (pk,))
        return _user(row) if row else None

    def get_users_by_pks(self, pks: Iterable[int]) -> dict[int, UserRow]:
        """The users with these row ids that exist, by row id."""
        rows = self._db.rows_by_pks("SELECT * FROM users WHERE id IN", pks)
        return {row["id"]: _user(row) for row in rows}

    def get_user_by_entity(self, entity_pk: int) -> UserRow | None:
        """The user whose personal entity this is, or ``None`` (a team or an organization)."""
        row = self._db.one("SELECT * FROM users WHERE entity_id = ?", (entity_pk,))
        return _user(row) if row else None

    def get_user_by_email(self, email: str) -> UserRow | None:
        """The (not deleted) user with this e-mail address (case-insensitive), or ``None``."""
        row = self._db.one(
            "SELECT * FROM users WHERE lower(email) = lower(?) AND deleted_at IS NULL"
            " ORDER BY id LIMIT 1",
            (email,),
        )
        return _user(row) if row else None

    def create_user_for_email(self, email: str, *, admin: bool = False) -> UserRow:
        """Create a user from an e-mail address, as an instance admin does (W&B's
        ``createUser``): the username is the address's local part, made a valid name, with a
        number appended when it is taken.

        Raises:
            StoreError: the address is not ``local@domain``.
            NameConflictError: a (not deleted) user has this address already.
        """
        email = email.strip()
        local, at, domain = email.partition("@")
        if not at or not local or not domain or any(c.isspace() for c in email):
            raise StoreError(f"email must look like 'name@example.com', got {email!r}")
        if self.get_user_by_email(email) is not None:
            raise NameConflictError(f"a user with email {email!r} already exists")
        base = re.sub(r"[^A-Za-z0-9_-]+", "-", local).strip("-")[:100] or "user"
        username, n = base, 1
        while self._entities.get(username) is not None:
            n += 1
            username = f"{base}-{n}"
        return self.create_user(username, email=email, admin=admin)

    def search_users(
        self,
        query: str | None = None,
        *,
        usernames: Sequence[str] | None = None,
        limit: int = MAX_SEARCH_RESULTS,
    ) -> list[UserRow]:
        """Users (not deleted) whose username, e-mail or name contains ``query``
        (case-insensitive), and, when given, whose username is one of ``usernames``; in
        creation order, at most ``limit`` (capped at :data:`MAX_SEARCH_RESULTS`)."""
        where = ["deleted_at IS NULL"]
        params: list[Any] = []
        if query:
            pattern = _contains_pattern(query)
            where.append(
                "(username LIKE ? ESCAPE '\\' OR email LIKE ? ESCAPE '\\'"
                " OR name LIKE ? ESCAPE '\\')"
            )
            params += [pattern, pattern, pattern]
        if usernames is not None:
            where.append(f"username IN ({', '.join('?' for _ in usernames) or 'NULL'})")
            params += list(usernames)
        rows = self._db.all(
            f"SELECT * FROM users WHERE {' AND '.join(where)} ORDER BY id LIMIT ?",
            (*params, min(limit, MAX_SEARCH_RESULTS)),
        )
        return [_user(row) for row in rows]

    # -- members and permissions ----------------------------------------------------------

    def team_members(self, team_pk: int) -> list[Membership]:
        """The members of a team, in the order they joined."""
        return self._memberships(self._entities.team_member_roles(team_pk))

    def organization_members(self, organization_pk: int) -> list[Membership]:
        """The members of an organization, in the order they joined."""
        return self._memberships(self._entities.organization_member_roles(organization_pk))

    def _memberships(self, roles: Sequence[tuple[int, str]]) -> list[Membership]:
        users = self.get_users_by_pks(pk for pk, _ in roles)
        return [Membership(users[pk], role) for pk, role in roles if pk in users]

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
            return self._entities.is_team_member(entity.pk, user.pk)
        return entity.organization_pk is not None and self._entities.is_organization_member(
            entity.organization_pk, user.pk
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
        with self._db.transaction() as conn:
            existing = self._db.one("SELECT * FROM api_keys WHERE key_hash = ?", (digest,))
            if existing is not None:
                if existing["user_id"] != user_pk:
                    raise StoreError("that API key is already registered to another user")
                return key, _api_key(existing)
            now = self._db.stamp(seconds=True)
            cur = conn.execute(
                "INSERT INTO api_keys (user_id, key_hash, name, description, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (user_pk, digest, name, description, now),
            )
            return key, ApiKeyRow(lastrowid(cur), user_pk, name, description, now)

    def user_for_api_key(self, key: str) -> UserRow | None:
        """The (not deleted) user an API key belongs to, or ``None``."""
        row = self._db.one(
            "SELECT u.* FROM users u JOIN api_keys k ON k.user_id = u.id"
            " WHERE k.key_hash = ? AND u.deleted_at IS NULL",
            (hash_api_key(key),),
        )
        return _user(row) if row else None

    def api_keys(self, user_pk: int) -> list[ApiKeyRow]:
        """A user's API keys (public facts only), oldest first."""
        rows = self._db.all("SELECT * FROM api_keys WHERE user_id = ? ORDER BY id", (user_pk,))
        return [_api_key(r) for r in rows]

    def get_api_key(self, pk: int) -> ApiKeyRow | None:
        """The API key with row id ``pk`` (its public facts), or ``None``."""
        row = self._db.one("SELECT * FROM api_keys WHERE id = ?", (pk,))
        return _api_key(row) if row else None

    def delete_api_key(self, pk: int) -> bool:
        """Revoke an API key; ``False`` if there was none with that id."""
        with self._db.transaction() as conn:
            return conn.execute("DELETE FROM api_keys WHERE id = ?", (pk,)).rowcount > 0


def _contains_pattern(text: str) -> str:
    """A ``LIKE ... ESCAPE '\\'`` pattern matching any value that contains ``text``."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


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
    return ApiKeyRow(
        pk=row["id"],
        user_pk=row["user_id"],
        name=row["name"],
        description=row["description"],
        created_at=row["created_at"],
    )
