"""The local server's SQLite store: one :class:`Store` over one database, with a repository
per domain.

``Store`` owns the :class:`~wandbkit.server.store._db.Database` (connection, lock, clock,
transactions, migrations) and hands it to each repository, which runs SQL only against its own
tables and asks the owning repository everything else:

========================  ==================================================================
``store.db``              the connection: queries, transactions, clock, URL signing secret
``store.entities``        entities, organizations, teams and memberships
``store.accounts``        users, API keys, member lists, who may write where
``store.service_accounts`` teams' service accounts and their keys
``store.projects``        projects
``store.runs``            runs one by one, and bulk inserts for seeding
``store.run_listing``     filtered, ordered, paged run listings with stable cursors
``store.history``         history rows and system-metric events
``store.console``         console output
``store.file_streams``    what ``file_stream`` requests write, and streamed runs' liveness
``store.sweeps``          sweeps
``store.agents``          sweep agents, their heartbeats and runs
``store.reports``         reports (views) and custom chart presets
``store.run_files``       run files and their bytes on disk
``store.artifact_collections``  artifact types, sequences and portfolios, collection tags
``store.artifact_memberships``  versions in collections: version indexes, aliases, ``latest``
``store.artifact_manifests``    manifest entries and content-addressed blobs
``store.artifacts``       artifact versions: publish, commit, edit, delete, lineage
``store.registries``      registries' settings, members and roles
``store.registry_search`` registries, their collections and versions, searched in SQL
``store.automations``     integrations, triggers (automations) and their firings
``store.launch``          launch: default resource configs, run queues and their items
========================  ==================================================================

Design notes:

* Rows come back as frozen dataclasses whose attribute names are the snake_case forms of the
  GraphQL field names, so Ariadne's default resolvers (with ``convert_names_case``) read them
  directly. Row ids are called ``pk`` on purpose: the GraphQL ``id`` is an opaque string that
  a resolver must build, and a missing resolver then fails loudly instead of leaking integers.
* Timestamp, JSON and name rules are in :mod:`~wandbkit.server.store.text`; the schema is the
  ordered :data:`~wandbkit.server.store.migrations.MIGRATIONS`.
* ``Store.clock`` is the store's notion of now (every row's timestamps, cursor expiry, URL
  signatures); tests replace it to travel in time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from types import TracebackType

from wandbkit.server.blobs import BlobStore
from wandbkit.server.store import migrations
from wandbkit.server.store._db import Database
from wandbkit.server.store.accounts import Accounts, ApiKeyRow, Membership, UserRow
from wandbkit.server.store.agents import AgentRow, Agents
from wandbkit.server.store.artifact_collections import (
    ArtifactCollectionRow,
    ArtifactCollections,
    ArtifactTypeRow,
)
from wandbkit.server.store.artifact_manifests import ArtifactManifests, BlobRow, EntryRow, NewEntry
from wandbkit.server.store.artifact_memberships import (
    AliasRow,
    ArtifactMemberships,
    MembershipRow,
)
from wandbkit.server.store.artifacts import ArtifactRow, Artifacts, NewArtifact
from wandbkit.server.store.automations import (
    Automations,
    FiringRow,
    IntegrationRow,
    TriggerRow,
    TriggerSpec,
)
from wandbkit.server.store.console import Console, LogLineRow
from wandbkit.server.store.entities import Entities, EntityRow, OrganizationRow
from wandbkit.server.store.errors import (
    InvalidNameError,
    NameConflictError,
    RefusedError,
    StoreError,
    UnknownRowError,
    UnknownSnapshotError,
)
from wandbkit.server.store.file_stream import FileStreams
from wandbkit.server.store.history import History
from wandbkit.server.store.launch import Launch, ResourceConfigRow, RunQueueItemRow, RunQueueRow
from wandbkit.server.store.projects import ProjectRow, Projects
from wandbkit.server.store.registries import Registries, RegistryMember, RegistrySettings
from wandbkit.server.store.registry_search import RegistryQuery, RegistrySearch
from wandbkit.server.store.reports import CustomChartRow, Reports, ViewRow
from wandbkit.server.store.run_files import RunFileRow, RunFiles
from wandbkit.server.store.run_listing import RunListing, RunsPage
from wandbkit.server.store.runs import NewRun, RunRow, Runs
from wandbkit.server.store.service_accounts import ServiceAccountRow, ServiceAccounts
from wandbkit.server.store.sweeps import SweepRow, Sweeps

__all__ = [
    "AgentRow",
    "AliasRow",
    "ApiKeyRow",
    "ArtifactCollectionRow",
    "ArtifactRow",
    "ArtifactTypeRow",
    "BlobRow",
    "CustomChartRow",
    "EntityRow",
    "EntryRow",
    "FiringRow",
    "IntegrationRow",
    "InvalidNameError",
    "Launch",
    "LogLineRow",
    "Membership",
    "MembershipRow",
    "NameConflictError",
    "NewArtifact",
    "NewEntry",
    "NewRun",
    "OrganizationRow",
    "ProjectRow",
    "RefusedError",
    "RegistryMember",
    "RegistryQuery",
    "RegistrySettings",
    "ResourceConfigRow",
    "RunFileRow",
    "RunQueueItemRow",
    "RunQueueRow",
    "RunRow",
    "RunsPage",
    "ServiceAccountRow",
    "Store",
    "StoreError",
    "SweepRow",
    "TriggerRow",
    "TriggerSpec",
    "UnknownRowError",
    "UnknownSnapshotError",
    "UserRow",
    "ViewRow",
]


class Store:
    """The emulator's data, in one SQLite database.

    Args:
        path: a database file (created if missing) or ``":memory:"`` for a private
            in-memory database that lives as long as this object. Run file bytes go to
            ``<path>.files/`` (a temporary directory for an in-memory database).
        clock: the store's "now" (default: the system clock, UTC). It stamps every row,
            expires runs cursors and signed URLs; ``store.clock`` may be replaced later.

    Example:
        >>> store = Store()
        >>> user = store.accounts.create_user("ada")
        >>> store.entities.get("ada").kind
        'user'
    """

    def __init__(
        self, path: str | Path = ":memory:", *, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.db = Database(str(path), clock=clock, migrations=migrations.MIGRATIONS)
        blobs = BlobStore(None if self.db.in_memory else Path(self.db.path + ".files"))
        self.entities = Entities(self.db)
        self.accounts = Accounts(self.db, self.entities)
        self.service_accounts = ServiceAccounts(self.db, self.entities, self.accounts)
        self.projects = Projects(self.db, self.entities)
        self.run_files = RunFiles(self.db, blobs)
        self.runs = Runs(self.db, self.projects, self.run_files)
        self.run_listing = RunListing(self.db, self.runs)
        self.history = History(self.db, self.runs)
        self.console = Console(self.db, self.runs)
        self.file_streams = FileStreams(self.db, self.runs, self.history, self.console)
        self.sweeps = Sweeps(self.db, self.projects)
        self.artifact_collections = ArtifactCollections(self.db)
        self.artifact_memberships = ArtifactMemberships(self.db)
        self.artifact_manifests = ArtifactManifests(self.db, blobs)
        self.artifacts = Artifacts(
            self.db, self.artifact_collections, self.artifact_memberships, self.artifact_manifests
        )
        self.registries = Registries(self.db, self.entities, self.projects)
        self.registry_search = RegistrySearch(self.db)
        self.agents = Agents(self.db)
        self.reports = Reports(self.db)
        self.automations = Automations(self.db)
        self.launch = Launch(self.db)

    @property
    def path(self) -> str:
        """The database file (or ``":memory:"``)."""
        return self.db.path

    @property
    def clock(self) -> Callable[[], datetime]:
        """The store's "now"; tests replace it to travel in time."""
        return self.db.clock

    @clock.setter
    def clock(self, clock: Callable[[], datetime]) -> None:
        self.db.clock = clock

    def now(self) -> datetime:
        """The store's current time (see ``clock``)."""
        return self.db.now()

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """Hold the lock and run the block in one write transaction (rolled back on error), so
        calls on several repositories commit together. Nested use joins the outer
        transaction."""
        return self.db.transaction()

    @property
    def schema_version(self) -> int:
        """The last migration this database has applied."""
        return self.db.schema_version

    def counts(self) -> dict[str, int]:
        """How many users, entities, projects and runs the database holds."""
        return self.db.table_sizes(("users", "entities", "projects", "runs"))

    def close(self) -> None:
        """Close the database connection (and remove a temporary files directory)."""
        with self.db.lock:
            self.db.close()
            self.run_files.blobs.close()

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
