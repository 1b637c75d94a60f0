"""Automations: integrations (Slack, generic webhooks), triggers and their firings.

A *trigger* (W&B's automation) belongs to an entity and watches one scope (a project, an
artifact collection, or the entity itself) for one event type; its event filter and action
config are JSON text as the API describes them (the checks live in
:mod:`wandbkit.server.automations.spec`, not here). An *integration* is where an action goes:
a generic webhook (URL, and the names of the W&B secrets it may use) or a Slack channel
(recorded only: this server never talks to Slack). A *firing* is one time a trigger's event
happened and its action ran: the event's details, the payload, and for a webhook every
attempt's outcome. ``trigger_run_marks`` remembers, per trigger and run, whether a metric
condition held at the last evaluation, so a condition fires when it becomes true, not on
every write while it stays true.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from wandbkit.server.store._db import Database, lastrowid
from wandbkit.server.store.errors import NameConflictError, StoreError, UnknownRowError

#: Migration 11 ("automations").
AUTOMATIONS_SQL = """
CREATE TABLE IF NOT EXISTS integrations (
    pk               INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_pk        INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    kind             TEXT NOT NULL,
    name             TEXT NOT NULL,
    url_endpoint     TEXT,
    secret_ref       TEXT,
    access_token_ref TEXT,
    team_name        TEXT,
    channel_name     TEXT,
    creator_pk       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS integrations_entity ON integrations(entity_pk, pk);
CREATE TABLE IF NOT EXISTS triggers (
    pk             INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_pk      INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    creator_pk     INTEGER REFERENCES users(id) ON DELETE SET NULL,
    name           TEXT NOT NULL,
    description    TEXT,
    enabled        INTEGER NOT NULL,
    scope_type     TEXT NOT NULL,
    scope_pk       INTEGER NOT NULL,
    event_type     TEXT NOT NULL,
    event_filter   TEXT NOT NULL,
    action_type    TEXT NOT NULL,
    action_config  TEXT NOT NULL,
    integration_pk INTEGER REFERENCES integrations(pk) ON DELETE SET NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT,
    UNIQUE (entity_pk, name)
);
CREATE INDEX IF NOT EXISTS triggers_scope ON triggers(scope_type, scope_pk, enabled);
CREATE TABLE IF NOT EXISTS trigger_run_marks (
    trigger_pk INTEGER NOT NULL REFERENCES triggers(pk) ON DELETE CASCADE,
    run_pk     INTEGER NOT NULL REFERENCES runs(pk) ON DELETE CASCADE,
    satisfied  INTEGER NOT NULL,
    PRIMARY KEY (trigger_pk, run_pk)
);
CREATE TABLE IF NOT EXISTS trigger_firings (
    pk            INTEGER PRIMARY KEY AUTOINCREMENT,
    trigger_pk    INTEGER REFERENCES triggers(pk) ON DELETE SET NULL,
    entity_pk     INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    trigger_name  TEXT NOT NULL,
    event_type    TEXT NOT NULL,
    action_type   TEXT NOT NULL,
    event         TEXT NOT NULL,
    payload       TEXT,
    url           TEXT,
    status        TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    response_code INTEGER,
    error         TEXT,
    created_at    TEXT NOT NULL,
    finished_at   TEXT
);
CREATE INDEX IF NOT EXISTS trigger_firings_entity ON trigger_firings(entity_pk, pk);
"""

#: Migration 12 ("automation summary series"): per trigger and run, the values of the trigger's
#: metric seen at the run's summary writes (JSON list, oldest first), for runs that log no
#: history of it (see :meth:`Automations.push_summary_value`).
SUMMARY_SERIES_SQL = """
ALTER TABLE trigger_run_marks ADD COLUMN summary_values TEXT;
"""

#: Integration kinds, as the schema's type names say them.
SLACK = "SlackIntegration"
WEBHOOK = "GenericWebhookIntegration"
#: Firing statuses: a webhook still being tried, one that got a 2xx, one that gave up, and
#: an action that is only recorded (Slack, no-op).
PENDING, DELIVERED, FAILED, RECORDED = "PENDING", "DELIVERED", "FAILED", "RECORDED"
#: The most triggers one entity may hold (bounds the work of every write).
MAX_TRIGGERS_PER_ENTITY = 500


@dataclass(frozen=True)
class IntegrationRow:
    """A Slack channel or a generic webhook of an entity."""

    pk: int
    entity_pk: int
    kind: str
    name: str
    url_endpoint: str | None
    secret_ref: str | None
    access_token_ref: str | None
    team_name: str | None
    channel_name: str | None
    creator_pk: int | None
    created_at: str


@dataclass(frozen=True)
class TriggerRow:
    """An automation; ``event_filter`` and ``action_config`` are JSON text."""

    pk: int
    entity_pk: int
    creator_pk: int | None
    name: str
    description: str | None
    enabled: bool
    scope_type: str
    scope_pk: int
    event_type: str
    event_filter: str
    action_type: str
    action_config: str
    integration_pk: int | None
    created_at: str
    updated_at: str | None


@dataclass(frozen=True)
class TriggerSpec:
    """A checked trigger definition (what create and update write)."""

    name: str
    description: str | None
    enabled: bool
    scope_type: str
    scope_pk: int
    event_type: str
    event_filter: str
    action_type: str
    action_config: str
    integration_pk: int | None


@dataclass(frozen=True)
class FiringRow:
    """One firing of a trigger; ``event`` and ``payload`` are JSON text."""

    pk: int
    trigger_pk: int | None
    entity_pk: int
    trigger_name: str
    event_type: str
    action_type: str
    event: str
    payload: str | None
    url: str | None
    status: str
    attempts: int
    response_code: int | None
    error: str | None
    created_at: str
    finished_at: str | None


class Automations:
    """The ``integrations``, ``triggers``, ``trigger_run_marks`` and ``trigger_firings``
    tables."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- integrations --------------------------------------------------------------------

    def create_webhook(
        self,
        entity_pk: int,
        name: str,
        url_endpoint: str,
        *,
        secret_ref: str | None = None,
        access_token_ref: str | None = None,
        creator_pk: int | None = None,
    ) -> IntegrationRow:
        """Add a generic webhook to an entity (the URL is checked by the caller).

        Raises:
            StoreError: an empty name.
            NameConflictError: the entity has an integration of that name.
        """
        return self._create_integration(
            entity_pk,
            WEBHOOK,
            name,
            url_endpoint=url_endpoint,
            secret_ref=secret_ref,
            access_token_ref=access_token_ref,
            creator_pk=creator_pk,
        )

    def create_slack(
        self, entity_pk: int, team_name: str, channel_name: str, *, creator_pk: int | None = None
    ) -> IntegrationRow:
        """Add a Slack channel to an entity (recorded: nothing is ever posted to Slack).

        Raises:
            StoreError: an empty team or channel name.
            NameConflictError: the entity already has that channel.
        """
        if not team_name.strip():
            raise StoreError("a Slack integration needs a team name")
        return self._create_integration(
            entity_pk,
            SLACK,
            channel_name,
            team_name=team_name,
            channel_name=channel_name,
            creator_pk=creator_pk,
        )

    def _create_integration(
        self, entity_pk: int, kind: str, name: str, **values: Any
    ) -> IntegrationRow:
        if not name.strip():
            raise StoreError("an integration needs a name")
        columns = ["entity_pk", "kind", "name", *values, "created_at"]
        params = [entity_pk, kind, name, *values.values(), self._db.stamp(seconds=True)]
        with self._db.transaction() as conn:
            taken = conn.execute(
                "SELECT 1 FROM integrations WHERE entity_pk = ? AND kind = ? AND name = ?",
                (entity_pk, kind, name),
            ).fetchone()
            if taken is not None:
                raise NameConflictError(f"the entity has an integration named {name!r}")
            # Column names are this module's own keyword names, never the caller's text.
            cur = conn.execute(
                f"INSERT INTO integrations ({', '.join(columns)})"
                f" VALUES ({', '.join('?' * len(columns))})",
                params,
            )
            pk = lastrowid(cur)
        found = self.integration(pk)
        assert found is not None
        return found

    def integration(self, pk: int) -> IntegrationRow | None:
        """The integration with row id ``pk``, or ``None``."""
        row = self._db.one("SELECT * FROM integrations WHERE pk = ?", (pk,))
        return IntegrationRow(**dict(row)) if row else None

    def integrations(self, entity_pk: int, *, after_pk: int, limit: int) -> list[IntegrationRow]:
        """An entity's integrations in creation order with ``pk > after_pk``."""
        rows = self._db.all(
            "SELECT * FROM integrations WHERE entity_pk = ? AND pk > ? ORDER BY pk LIMIT ?",
            (entity_pk, after_pk, limit),
        )
        return [IntegrationRow(**dict(row)) for row in rows]

    # -- triggers ------------------------------------------------------------------------

    def create(self, entity_pk: int, spec: TriggerSpec, *, creator_pk: int | None) -> TriggerRow:
        """Save a checked trigger in an entity.

        Raises:
            NameConflictError: the entity has a trigger of that name.
            StoreError: the entity holds :data:`MAX_TRIGGERS_PER_ENTITY` already.
        """
        now = self._db.stamp(seconds=True)
        with self._db.transaction() as conn:
            self._check_name_free(entity_pk, spec.name, except_pk=None)
            count = self._db.count(
                "SELECT COUNT(*) FROM triggers WHERE entity_pk = ?", (entity_pk,)
            )
            if count >= MAX_TRIGGERS_PER_ENTITY:
                raise StoreError(f"an entity holds at most {MAX_TRIGGERS_PER_ENTITY} automations")
            cur = conn.execute(
                "INSERT INTO triggers (entity_pk, creator_pk, name, description, enabled,"
                " scope_type, scope_pk, event_type, event_filter, action_type, action_config,"
                " integration_pk, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                (entity_pk, creator_pk, *_spec_values(spec), now),
            )
            pk = lastrowid(cur)
        found = self.get(pk)
        assert found is not None
        return found

    def update(self, pk: int, spec: TriggerSpec) -> TriggerRow:
        """Replace a trigger's definition (its marks are forgotten: its condition may differ).

        Raises:
            UnknownRowError: no trigger has that id.
            NameConflictError: another trigger of the entity has the new name.
        """
        with self._db.transaction() as conn:
            current = self.get(pk)
            if current is None:
                raise UnknownRowError("automation not found")
            self._check_name_free(current.entity_pk, spec.name, except_pk=pk)
            conn.execute(
                "UPDATE triggers SET name = ?, description = ?, enabled = ?, scope_type = ?,"
                " scope_pk = ?, event_type = ?, event_filter = ?, action_type = ?,"
                " action_config = ?, integration_pk = ?, updated_at = ? WHERE pk = ?",
                (*_spec_values(spec), self._db.stamp(seconds=True), pk),
            )
            conn.execute("DELETE FROM trigger_run_marks WHERE trigger_pk = ?", (pk,))
        found = self.get(pk)
        assert found is not None
        return found

    def _check_name_free(self, entity_pk: int, name: str, *, except_pk: int | None) -> None:
        row = self._db.one(
            "SELECT pk FROM triggers WHERE entity_pk = ? AND name = ?", (entity_pk, name)
        )
        if row is not None and row["pk"] != except_pk:
            raise NameConflictError(f"an automation named {name!r} exists in this entity")

    def delete(self, pk: int) -> bool:
        """Delete a trigger (its firings stay, without it); whether it existed."""
        with self._db.transaction() as conn:
            cur = conn.execute("DELETE FROM triggers WHERE pk = ?", (pk,))
        return cur.rowcount > 0

    def get(self, pk: int) -> TriggerRow | None:
        """The trigger with row id ``pk``, or ``None``."""
        row = self._db.one("SELECT * FROM triggers WHERE pk = ?", (pk,))
        return _trigger(row) if row else None

    def of_entities(
        self,
        entity_pks: list[int],
        *,
        name: str | None = None,
        after_pk: int,
        limit: int,
        hidden_projects: Sequence[int] = (),
    ) -> list[TriggerRow]:
        """The triggers of these entities (optionally one name), oldest first, but those
        watching one of ``hidden_projects`` or a collection in one."""
        if not entity_pks:
            return []
        hidden_sql, hidden_params = _watching(hidden_projects)
        where = f"entity_pk IN ({','.join('?' * len(entity_pks))}) AND pk > ? AND NOT {hidden_sql}"
        params: list[Any] = [*entity_pks, after_pk, *hidden_params]
        if name is not None:
            where += " AND name = ?"
            params.append(name)
        rows = self._db.all(
            f"SELECT * FROM triggers WHERE {where} ORDER BY pk LIMIT ?", (*params, limit)
        )
        return [_trigger(row) for row in rows]

    def of_scope(self, scope_type: str, scope_pk: int) -> list[TriggerRow]:
        """Every trigger watching this scope, oldest first."""
        rows = self._db.all(
            "SELECT * FROM triggers WHERE scope_type = ? AND scope_pk = ? ORDER BY pk",
            (scope_type, scope_pk),
        )
        return [_trigger(row) for row in rows]

    def enabled_for(
        self, scopes: list[tuple[str, int]], event_types: tuple[str, ...]
    ) -> list[TriggerRow]:
        """The enabled triggers of these event types watching any of these scopes."""
        if not scopes or not event_types:
            return []
        scope_sql = " OR ".join("(scope_type = ? AND scope_pk = ?)" for _ in scopes)
        params = [value for scope in scopes for value in scope]
        rows = self._db.all(
            f"SELECT * FROM triggers WHERE enabled = 1 AND ({scope_sql})"
            f" AND event_type IN ({','.join('?' * len(event_types))}) ORDER BY pk",
            (*params, *event_types),
        )
        return [_trigger(row) for row in rows]

    def any_enabled(self) -> bool:
        """Whether any trigger is enabled at all (the cheap first question of every write)."""
        return self._db.one("SELECT 1 FROM triggers WHERE enabled = 1 LIMIT 1") is not None

    # -- marks ---------------------------------------------------------------------------

    def swap_mark(self, trigger_pk: int, run_pk: int, satisfied: bool) -> bool:
        """Record whether a trigger's condition holds for a run; returns what it was before
        (``False`` the first time)."""
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT satisfied FROM trigger_run_marks WHERE trigger_pk = ? AND run_pk = ?",
                (trigger_pk, run_pk),
            ).fetchone()
            conn.execute(
                "INSERT INTO trigger_run_marks (trigger_pk, run_pk, satisfied) VALUES (?, ?, ?)"
                " ON CONFLICT (trigger_pk, run_pk) DO UPDATE SET satisfied = excluded.satisfied",
                (trigger_pk, run_pk, int(satisfied)),
            )
        return bool(row[0]) if row is not None else False

    def push_summary_value(
        self, trigger_pk: int, run_pk: int, value: float, *, keep: int
    ) -> list[float]:
        """Add a summary write's value of the trigger's metric to the run's series (unless it
        equals the newest one: a write that changed other keys is not a new value), keep the
        newest ``keep``; returns the series, oldest first."""
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT summary_values FROM trigger_run_marks WHERE trigger_pk = ? AND run_pk = ?",
                (trigger_pk, run_pk),
            ).fetchone()
            values: list[float] = json.loads(row[0]) if row is not None and row[0] else []
            if not values or values[-1] != value:
                values.append(value)
            values = values[-max(1, keep) :]
            conn.execute(
                "INSERT INTO trigger_run_marks (trigger_pk, run_pk, satisfied, summary_values)"
                " VALUES (?, ?, 0, ?) ON CONFLICT (trigger_pk, run_pk)"
                " DO UPDATE SET summary_values = excluded.summary_values",
                (trigger_pk, run_pk, json.dumps(values)),
            )
        return values

    # -- firings -------------------------------------------------------------------------

    def record_firing(
        self,
        trigger: TriggerRow,
        *,
        event: str,
        payload: str | None,
        url: str | None,
        status: str,
    ) -> FiringRow:
        """Record that a trigger fired (``status`` :data:`PENDING` for a webhook about to be
        sent, :data:`RECORDED` for an action that is only recorded)."""
        now = self._db.stamp()
        finished = None if status == PENDING else now
        with self._db.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO trigger_firings (trigger_pk, entity_pk, trigger_name, event_type,"
                " action_type, event, payload, url, status, created_at, finished_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    trigger.pk,
                    trigger.entity_pk,
                    trigger.name,
                    trigger.event_type,
                    trigger.action_type,
                    event,
                    payload,
                    url,
                    status,
                    now,
                    finished,
                ),
            )
            pk = lastrowid(cur)
        found = self.firing(pk)
        assert found is not None
        return found

    def record_attempt(
        self, pk: int, *, response_code: int | None, error: str | None, final_status: str | None
    ) -> None:
        """Count one delivery attempt of a firing; ``final_status`` ends it."""
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE trigger_firings SET attempts = attempts + 1, response_code = ?,"
                " error = ?, status = COALESCE(?, status),"
                " finished_at = CASE WHEN ? IS NULL THEN finished_at ELSE ? END WHERE pk = ?",
                (response_code, error, final_status, final_status, self._db.stamp(), pk),
            )

    def firing(self, pk: int) -> FiringRow | None:
        """The firing with row id ``pk``, or ``None``."""
        row = self._db.one("SELECT * FROM trigger_firings WHERE pk = ?", (pk,))
        return FiringRow(**dict(row)) if row else None

    def firings(
        self,
        entity_pk: int,
        *,
        after_pk: int = 0,
        limit: int = 100,
        hidden_projects: Sequence[int] = (),
    ) -> list[FiringRow]:
        """An entity's firings, oldest first, with ``pk > after_pk``, but those of triggers
        watching one of ``hidden_projects`` or a collection in one."""
        hidden_sql, hidden_params = _watching(hidden_projects)
        rows = self._db.all(
            "SELECT * FROM trigger_firings WHERE entity_pk = ? AND pk > ? AND (trigger_pk IS NULL"
            f" OR trigger_pk NOT IN (SELECT pk FROM triggers WHERE {hidden_sql}))"
            " ORDER BY pk LIMIT ?",
            (entity_pk, after_pk, *hidden_params, limit),
        )
        return [FiringRow(**dict(row)) for row in rows]


def _watching(project_pks: Sequence[int]) -> tuple[str, list[int]]:
    """A condition on ``triggers`` rows: the trigger watches one of these projects or a
    collection in one (never true for no projects)."""
    if not project_pks:
        return "0", []
    marks = ",".join("?" * len(project_pks))
    sql = (
        f"((scope_type = 'PROJECT' AND scope_pk IN ({marks})) OR"
        " (scope_type = 'ARTIFACT_COLLECTION' AND scope_pk IN"
        f" (SELECT pk FROM artifact_collections WHERE project_pk IN ({marks}))))"
    )
    return sql, [*project_pks, *project_pks]


def _spec_values(spec: TriggerSpec) -> tuple[Any, ...]:
    return (
        spec.name,
        spec.description,
        int(spec.enabled),
        spec.scope_type,
        spec.scope_pk,
        spec.event_type,
        spec.event_filter,
        spec.action_type,
        spec.action_config,
        spec.integration_pk,
    )


def _trigger(row: sqlite3.Row) -> TriggerRow:
    values = dict(row)
    values["enabled"] = bool(values["enabled"])
    return TriggerRow(**values)
