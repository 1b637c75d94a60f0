"""Service accounts: users that belong to one team and act for it with an API key.

A service account is a user row with a generated username and a row here (which makes its
account type ``SERVICE``),
a member of its team, and one API key that works from the moment it is made. Unlike a
person's keys, which are stored only as hashes, a service account's key is kept so the team's
admins can read it again (``Member.apiKey``), as they can on W&B.
"""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass

from wandbkit.server.store._db import Database
from wandbkit.server.store.accounts import Accounts, UserRow
from wandbkit.server.store.entities import Entities
from wandbkit.server.store.errors import StoreError

#: Part of migration 7 ("people, reports and agents").
SERVICE_ACCOUNTS_SQL = """
CREATE TABLE IF NOT EXISTS service_accounts (
    user_id     INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    team_id     INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    description TEXT NOT NULL,
    api_key     TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS service_accounts_team ON service_accounts(team_id);
"""


@dataclass(frozen=True)
class ServiceAccountRow:
    """A service account: its user, its team, what it is for, and its API key."""

    user: UserRow
    team_pk: int
    description: str
    api_key: str
    created_at: str


class ServiceAccounts:
    """The ``service_accounts`` table; users and keys come from ``accounts``."""

    def __init__(self, db: Database, entities: Entities, accounts: Accounts) -> None:
        self._db = db
        self._entities = entities
        self._accounts = accounts

    def create(
        self, team_pk: int, description: str, *, username: str | None = None
    ) -> ServiceAccountRow:
        """Create a service account in a team, with an API key that works at once.

        Args:
            team_pk: the team.
            description: what the account is for (also its display name).
            username: the account's username (default: ``<team>-service-<8 hex>``).

        Raises:
            StoreError: ``team_pk`` is not a team, or the description is empty.
            NameConflictError: ``username`` is taken.
        """
        team = self._entities.get_by_pk(team_pk)
        if team is None or team.kind != "team":
            raise StoreError("a service account belongs to a team")
        if not description.strip():
            raise StoreError("a service account needs a description")
        with self._db.transaction() as conn:
            username = username or f"{team.name[:100]}-service-{secrets.token_hex(4)}"
            user = self._accounts.create_user(username, name=description.strip()[:128])
            self._entities.add_team_member(team_pk, user.pk, role="member")
            key, _ = self._accounts.create_api_key(
                user.pk, name="service-account", description=description
            )
            now = self._db.stamp(seconds=True)
            conn.execute(
                "INSERT INTO service_accounts (user_id, team_id, description, api_key,"
                " created_at) VALUES (?, ?, ?, ?, ?)",
                (user.pk, team_pk, description, key, now),
            )
        return ServiceAccountRow(user, team_pk, description, key, now)

    def api_key_of(self, user_pk: int) -> str | None:
        """The API key of the service account ``user_pk``, or ``None`` for a person."""
        row = self._db.one("SELECT api_key FROM service_accounts WHERE user_id = ?", (user_pk,))
        return str(row["api_key"]) if row else None

    def of_team(self, team_pk: int) -> list[ServiceAccountRow]:
        """The team's service accounts, oldest first."""
        rows = self._db.all(
            "SELECT * FROM service_accounts WHERE team_id = ? ORDER BY user_id", (team_pk,)
        )
        users = self._accounts.get_users_by_pks(row["user_id"] for row in rows)
        return [_service_account(row, users[row["user_id"]]) for row in rows]


def _service_account(row: sqlite3.Row, user: UserRow) -> ServiceAccountRow:
    return ServiceAccountRow(
        user=user,
        team_pk=row["team_id"],
        description=row["description"],
        api_key=row["api_key"],
        created_at=row["created_at"],
    )
