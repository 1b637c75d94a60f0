"""W&B Launch: default resource configs, run queues and their items.

A *run queue* belongs to a project (W&B keeps an entity's queues in its ``model-registry``
project) and has a name, an access value, a prioritization mode, external links and, usually,
a *default resource config*: an entity's resource type with its config JSON and template
variables. Its *items* are the runs waiting to be launched, each with its launch spec::

    PENDING --pop--> LEASED --ack(run name)--> CLAIMED      (the run then lives on its own)
       \\______________\\______________________\\--fail--> FAILED

Popping takes the oldest pending item, or, on a ``V0`` queue, the most urgent (lowest
priority) first. JSON columns hold text; rows hand it back parsed.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wandbkit.server.store._db import Database, lastrowid
from wandbkit.server.store.errors import NameConflictError, StoreError, UnknownRowError
from wandbkit.server.store.text import dumps_json

#: Migration 13 ("launch").
LAUNCH_SQL = """
CREATE TABLE IF NOT EXISTS default_resource_configs (
    pk                 INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_pk          INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    resource           TEXT NOT NULL,
    config             TEXT NOT NULL,
    template_variables TEXT NOT NULL DEFAULT '[]',
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS run_queues (
    pk                  INTEGER PRIMARY KEY AUTOINCREMENT,
    project_pk          INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name                TEXT NOT NULL,
    access              TEXT NOT NULL,
    creator_pk          INTEGER REFERENCES users(id) ON DELETE SET NULL,
    config_pk           INTEGER REFERENCES default_resource_configs(pk) ON DELETE SET NULL,
    prioritization_mode TEXT NOT NULL,
    external_links      TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    UNIQUE (project_pk, name)
);
CREATE TABLE IF NOT EXISTS run_queue_items (
    pk                       INTEGER PRIMARY KEY AUTOINCREMENT,
    queue_pk                 INTEGER NOT NULL REFERENCES run_queues(pk) ON DELETE CASCADE,
    run_spec                 TEXT NOT NULL,
    template_variable_values TEXT,
    priority                 INTEGER NOT NULL,
    state                    TEXT NOT NULL,
    associated_run_id        TEXT,
    launch_agent_id          TEXT,
    error                    TEXT,
    warnings                 TEXT NOT NULL DEFAULT '[]',
    created_at               TEXT NOT NULL,
    updated_at               TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS run_queue_items_by_queue ON run_queue_items (queue_pk, state, pk);
"""


@dataclass(frozen=True)
class ResourceConfigRow:
    """A default resource config: ``template_variables`` as ``[{name, description, schema}]``."""

    pk: int
    entity_pk: int
    resource: str
    config: dict[str, Any]
    template_variables: list[dict[str, Any]]
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class RunQueueRow:
    """A run queue of a project."""

    pk: int
    project_pk: int
    name: str
    access: str
    creator_pk: int | None
    config_pk: int | None
    prioritization_mode: str
    external_links: Any
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class RunQueueItemRow:
    """An item of a run queue: its launch spec, state and (once acknowledged) run."""

    pk: int
    queue_pk: int
    run_spec: dict[str, Any]
    template_variable_values: dict[str, Any] | None
    priority: int
    state: str
    associated_run_id: str | None
    launch_agent_id: str | None
    error: dict[str, Any] | None
    warnings: list[dict[str, Any]]
    created_at: str
    updated_at: str


class Launch:
    """The ``default_resource_configs``, ``run_queues`` and ``run_queue_items`` tables."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- default resource configs ------------------------------------------------------------

    def create_config(
        self,
        entity_pk: int,
        resource: str,
        config: Mapping[str, Any],
        template_variables: Sequence[Mapping[str, Any]] = (),
    ) -> ResourceConfigRow:
        """Save a default resource config of an entity."""
        stamp = self._db.stamp()
        with self._db.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO default_resource_configs"
                " (entity_pk, resource, config, template_variables, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    entity_pk,
                    resource,
                    dumps_json(dict(config)),
                    dumps_json([dict(v) for v in template_variables]),
                    stamp,
                    stamp,
                ),
            )
            pk = lastrowid(cur)
        return self._required_config(pk)

    def update_config(
        self,
        pk: int,
        resource: str,
        config: Mapping[str, Any],
        template_variables: Sequence[Mapping[str, Any]],
    ) -> ResourceConfigRow:
        """Replace a config's resource, JSON and template variables."""
        with self._db.transaction() as conn:
            changed = conn.execute(
                "UPDATE default_resource_configs SET resource = ?, config = ?,"
                " template_variables = ?, updated_at = ? WHERE pk = ?",
                (
                    resource,
                    dumps_json(dict(config)),
                    dumps_json([dict(v) for v in template_variables]),
                    self._db.stamp(),
                    pk,
                ),
            ).rowcount
        if not changed:
            raise UnknownRowError("default resource config not found")
        return self._required_config(pk)

    def get_config(self, pk: int) -> ResourceConfigRow | None:
        """The default resource config with row id ``pk``, or ``None``."""
        row = self._db.one("SELECT * FROM default_resource_configs WHERE pk = ?", (pk,))
        return _config(row) if row else None

    def _required_config(self, pk: int) -> ResourceConfigRow:
        found = self.get_config(pk)
        assert found is not None
        return found

    # -- queues ------------------------------------------------------------------------------

    def create_queue(
        self,
        project_pk: int,
        name: str,
        *,
        access: str,
        prioritization_mode: str,
        creator_pk: int | None,
        config_pk: int | None = None,
        external_links: Any = None,
    ) -> RunQueueRow:
        """Create a queue in a project.

        Raises:
            NameConflictError: the project has a queue of that name.
        """
        stamp = self._db.stamp()
        links = None if external_links is None else dumps_json(external_links)
        with self._db.transaction() as conn:
            if self.get_queue(project_pk, name) is not None:
                raise NameConflictError(f"a run queue named {name!r} exists in this project")
            cur = conn.execute(
                "INSERT INTO run_queues (project_pk, name, access, creator_pk, config_pk,"
                " prioritization_mode, external_links, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    project_pk,
                    name,
                    access,
                    creator_pk,
                    config_pk,
                    prioritization_mode,
                    links,
                    stamp,
                    stamp,
                ),
            )
            pk = lastrowid(cur)
        return self._required_queue(pk)

    def update_queue(
        self,
        pk: int,
        *,
        config_pk: int | None = None,
        prioritization_mode: str | None = None,
        external_links: Any = None,
    ) -> RunQueueRow:
        """Change what is given of a queue's config, prioritization and links."""
        links = None if external_links is None else dumps_json(external_links)
        with self._db.transaction() as conn:
            changed = conn.execute(
                "UPDATE run_queues SET config_pk = COALESCE(?, config_pk),"
                " prioritization_mode = COALESCE(?, prioritization_mode),"
                " external_links = COALESCE(?, external_links), updated_at = ? WHERE pk = ?",
                (config_pk, prioritization_mode, links, self._db.stamp(), pk),
            ).rowcount
        if not changed:
            raise UnknownRowError("run queue not found")
        return self._required_queue(pk)

    def get_queue(self, project_pk: int, name: str) -> RunQueueRow | None:
        """The project's queue called ``name``, or ``None``."""
        row = self._db.one(
            "SELECT * FROM run_queues WHERE project_pk = ? AND name = ?", (project_pk, name)
        )
        return _queue(row) if row else None

    def get_queue_by_pk(self, pk: int) -> RunQueueRow | None:
        """The queue with row id ``pk``, or ``None``."""
        row = self._db.one("SELECT * FROM run_queues WHERE pk = ?", (pk,))
        return _queue(row) if row else None

    def _required_queue(self, pk: int) -> RunQueueRow:
        found = self.get_queue_by_pk(pk)
        assert found is not None
        return found

    def queues_of(self, project_pk: int, *, limit: int) -> list[RunQueueRow]:
        """The project's first ``limit`` queues, oldest first."""
        rows = self._db.all(
            "SELECT * FROM run_queues WHERE project_pk = ? ORDER BY pk LIMIT ?", (project_pk, limit)
        )
        return [_queue(row) for row in rows]

    def delete_queue(self, pk: int) -> bool:
        """Delete a queue and its items; whether it existed."""
        with self._db.transaction() as conn:
            return conn.execute("DELETE FROM run_queues WHERE pk = ?", (pk,)).rowcount > 0

    # -- items -------------------------------------------------------------------------------

    def push(
        self,
        queue_pk: int,
        run_spec: Mapping[str, Any],
        *,
        priority: int,
        template_variable_values: Mapping[str, Any] | None = None,
    ) -> RunQueueItemRow:
        """Add a pending item to a queue."""
        stamp = self._db.stamp()
        values = (
            None if template_variable_values is None else dumps_json(dict(template_variable_values))
        )
        with self._db.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO run_queue_items (queue_pk, run_spec, template_variable_values,"
                " priority, state, created_at, updated_at) VALUES (?, ?, ?, ?, 'PENDING', ?, ?)",
                (queue_pk, dumps_json(dict(run_spec)), values, priority, stamp, stamp),
            )
            pk = lastrowid(cur)
        return self._required_item(pk)

    def pop(self, queue: RunQueueRow, launch_agent_id: str | None) -> RunQueueItemRow | None:
        """Lease the next pending item of ``queue`` (``None`` when none is pending)."""
        order = "priority, pk" if queue.prioritization_mode == "V0" else "pk"
        with self._db.transaction() as conn:
            row = conn.execute(
                f"SELECT pk FROM run_queue_items WHERE queue_pk = ? AND state = 'PENDING'"
                f" ORDER BY {order} LIMIT 1",
                (queue.pk,),
            ).fetchone()
            if row is None:
                return None
            conn.execute(
                "UPDATE run_queue_items SET state = 'LEASED', launch_agent_id = ?,"
                " updated_at = ? WHERE pk = ?",
                (launch_agent_id, self._db.stamp(), row["pk"]),
            )
        return self._required_item(int(row["pk"]))

    def ack(self, pk: int, run_name: str) -> bool:
        """Mark a leased item claimed by the run ``run_name``; ``False`` if it is not leased
        (already acknowledged, failed or never popped)."""
        with self._db.transaction() as conn:
            return (
                conn.execute(
                    "UPDATE run_queue_items SET state = 'CLAIMED', associated_run_id = ?,"
                    " updated_at = ? WHERE pk = ? AND state = 'LEASED'",
                    (run_name, self._db.stamp(), pk),
                ).rowcount
                > 0
            )

    def fail(self, pk: int, message: str, stage: str, file_paths: Sequence[str]) -> bool:
        """Mark an item failed with its error; ``False`` if it had failed already."""
        error = dumps_json({"message": message, "stage": stage, "file_paths": list(file_paths)})
        with self._db.transaction() as conn:
            return (
                conn.execute(
                    "UPDATE run_queue_items SET state = 'FAILED', error = ?, updated_at = ?"
                    " WHERE pk = ? AND state != 'FAILED'",
                    (error, self._db.stamp(), pk),
                ).rowcount
                > 0
            )

    def warn(self, pk: int, message: str, stage: str, file_paths: Sequence[str]) -> None:
        """Add a warning to an item."""
        with self._db.transaction():
            item = self.get_item(pk)
            if item is None:
                raise UnknownRowError("run queue item not found")
            warnings = [
                *item.warnings,
                {"message": message, "stage": stage, "file_paths": list(file_paths)},
            ]
            self._db.connection.execute(
                "UPDATE run_queue_items SET warnings = ?, updated_at = ? WHERE pk = ?",
                (dumps_json(warnings), self._db.stamp(), pk),
            )

    def get_item(self, pk: int) -> RunQueueItemRow | None:
        """The item with row id ``pk``, or ``None``."""
        row = self._db.one("SELECT * FROM run_queue_items WHERE pk = ?", (pk,))
        return _item(row) if row else None

    def items(self, queue_pk: int, *, after_pk: int = 0, limit: int) -> list[RunQueueItemRow]:
        """A queue's items after ``after_pk``, oldest first."""
        rows = self._db.all(
            "SELECT * FROM run_queue_items WHERE queue_pk = ? AND pk > ? ORDER BY pk LIMIT ?",
            (queue_pk, after_pk, limit),
        )
        return [_item(row) for row in rows]

    def delete_item(self, queue_pk: int, pk: int) -> bool:
        """Remove an item from its queue; whether the queue held it."""
        with self._db.transaction() as conn:
            return (
                conn.execute(
                    "DELETE FROM run_queue_items WHERE pk = ? AND queue_pk = ?", (pk, queue_pk)
                ).rowcount
                > 0
            )

    def _required_item(self, pk: int) -> RunQueueItemRow:
        found = self.get_item(pk)
        if found is None:  # pragma: no cover - read right after the write
            raise StoreError("run queue item vanished")
        return found


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _config(row: sqlite3.Row) -> ResourceConfigRow:
    return ResourceConfigRow(
        pk=row["pk"],
        entity_pk=row["entity_pk"],
        resource=row["resource"],
        config=_loads(row["config"]),
        template_variables=_loads(row["template_variables"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _queue(row: sqlite3.Row) -> RunQueueRow:
    return RunQueueRow(
        pk=row["pk"],
        project_pk=row["project_pk"],
        name=row["name"],
        access=row["access"],
        creator_pk=row["creator_pk"],
        config_pk=row["config_pk"],
        prioritization_mode=row["prioritization_mode"],
        external_links=_loads(row["external_links"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _item(row: sqlite3.Row) -> RunQueueItemRow:
    return RunQueueItemRow(
        pk=row["pk"],
        queue_pk=row["queue_pk"],
        run_spec=_loads(row["run_spec"]),
        template_variable_values=_loads(row["template_variable_values"]),
        priority=row["priority"],
        state=row["state"],
        associated_run_id=row["associated_run_id"],
        launch_agent_id=row["launch_agent_id"],
        error=_loads(row["error"]),
        warnings=_loads(row["warnings"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
