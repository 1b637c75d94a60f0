"""The store's schema, in order: each migration is built from the DDL of the modules that own
its tables.

A database remembers the last version it applied (``PRAGMA user_version``). New domains
(artifacts, registries) append new versions. Never change a migration that has shipped: its
SQL text, and so the schema of every database it made, must stay byte for byte the same
(``tests/server/test_store_migrations.py`` pins both); tables that move between modules keep
their place through :func:`~wandbkit.server.store._db.script`.
"""

from __future__ import annotations

from wandbkit.server.store._db import SERVER_SECRETS_SQL, Migration, script
from wandbkit.server.store.accounts import ACCOUNTS_SQL
from wandbkit.server.store.agents import AGENTS_SQL
from wandbkit.server.store.artifact_collections import ARTIFACT_COLLECTIONS_SQL
from wandbkit.server.store.artifact_manifests import ARTIFACT_MANIFESTS_SQL
from wandbkit.server.store.artifact_memberships import ARTIFACT_MEMBERSHIPS_SQL
from wandbkit.server.store.artifacts import ARTIFACTS_SQL
from wandbkit.server.store.automations import AUTOMATIONS_SQL, SUMMARY_SERIES_SQL
from wandbkit.server.store.console import LOG_LINES_SQL
from wandbkit.server.store.entities import ENTITIES_SQL, MEMBERS_SQL
from wandbkit.server.store.file_stream import RUN_STREAMS_SQL
from wandbkit.server.store.history import HISTORY_BLOCKS_SQL, HISTORY_V3_SQL, history_into_blocks
from wandbkit.server.store.launch import LAUNCH_SQL
from wandbkit.server.store.projects import PROJECTS_SQL
from wandbkit.server.store.registries import REGISTRIES_SQL
from wandbkit.server.store.reports import REPORTS_SQL
from wandbkit.server.store.run_files import RUN_FILES_SQL
from wandbkit.server.store.run_listing import RUN_SNAPSHOTS_SQL
from wandbkit.server.store.runs import RUNS_SQL, RUNS_SWEEP_INDEX_SQL
from wandbkit.server.store.service_accounts import SERVICE_ACCOUNTS_SQL
from wandbkit.server.store.sweeps import SWEEPS_SQL

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "identity", script(ENTITIES_SQL, ACCOUNTS_SQL, MEMBERS_SQL)),
    Migration(2, "projects", PROJECTS_SQL),
    Migration(
        3,
        "runs",
        script(RUNS_SQL, HISTORY_V3_SQL, RUN_FILES_SQL, RUN_SNAPSHOTS_SQL, SERVER_SECRETS_SQL),
    ),
    Migration(4, "history blocks", HISTORY_BLOCKS_SQL, history_into_blocks),
    Migration(5, "console logs", LOG_LINES_SQL),
    Migration(6, "sweeps", script(SWEEPS_SQL, RUNS_SWEEP_INDEX_SQL)),
    Migration(
        7,
        "artifacts",
        script(
            ARTIFACT_COLLECTIONS_SQL,
            ARTIFACTS_SQL,
            ARTIFACT_MEMBERSHIPS_SQL,
            ARTIFACT_MANIFESTS_SQL,
        ),
    ),
    Migration(8, "file streams", RUN_STREAMS_SQL),
    Migration(9, "registries", REGISTRIES_SQL),
    Migration(
        10, "people, reports and agents", script(SERVICE_ACCOUNTS_SQL, REPORTS_SQL, AGENTS_SQL)
    ),
    Migration(11, "automations", AUTOMATIONS_SQL),
    Migration(12, "automation summary series", SUMMARY_SERIES_SQL),
    Migration(13, "launch", LAUNCH_SQL),
)
