"""wandbkit: a typed client for the Weights & Biases public API, with a local W&B server.

``Api`` has the surface of ``wandb.Api``; ``AsyncApi`` is the same surface for asyncio.
Names load on first use, so ``import wandbkit`` stays cheap.

Example:
    >>> import wandbkit
    >>> api = wandbkit.Api()
    >>> api.viewer.username
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wandbkit._lang.exports import LazyExports
from wandbkit._version import __version__ as __version__

if TYPE_CHECKING:
    # "X as X" marks an explicit re-export for type checkers (``__all__`` is computed).
    from wandbkit._async.agents import AsyncAgent as AsyncAgent
    from wandbkit._async.agents import AsyncAgentRuns as AsyncAgentRuns
    from wandbkit._async.api import AsyncApi as AsyncApi
    from wandbkit._async.artifacts.artifact import AsyncArtifact as AsyncArtifact
    from wandbkit._async.artifacts.artifact_types import (
        AsyncArtifactCollections as AsyncArtifactCollections,
    )
    from wandbkit._async.artifacts.artifact_types import AsyncArtifactType as AsyncArtifactType
    from wandbkit._async.artifacts.artifact_types import AsyncArtifactTypes as AsyncArtifactTypes
    from wandbkit._async.artifacts.artifact_types import (
        AsyncProjectArtifactCollections as AsyncProjectArtifactCollections,
    )
    from wandbkit._async.artifacts.collection import (
        AsyncArtifactCollection as AsyncArtifactCollection,
    )
    from wandbkit._async.artifacts.contents import (
        AsyncArtifactManifestEntry as AsyncArtifactManifestEntry,
    )
    from wandbkit._async.artifacts.files import AsyncArtifactFiles as AsyncArtifactFiles
    from wandbkit._async.artifacts.publish import AsyncArtifactDraft as AsyncArtifactDraft
    from wandbkit._async.artifacts.versions import AsyncArtifacts as AsyncArtifacts
    from wandbkit._async.artifacts.versions import AsyncRunArtifacts as AsyncRunArtifacts
    from wandbkit._async.console import AsyncConsoleLogs as AsyncConsoleLogs
    from wandbkit._async.files import AsyncFile as AsyncFile
    from wandbkit._async.files import AsyncFiles as AsyncFiles
    from wandbkit._async.history import AsyncHistoryScan as AsyncHistoryScan
    from wandbkit._async.launch.jobs import AsyncJob as AsyncJob
    from wandbkit._async.launch.queued_run import AsyncQueuedRun as AsyncQueuedRun
    from wandbkit._async.launch.queues import AsyncRunQueue as AsyncRunQueue
    from wandbkit._async.projects import AsyncProject as AsyncProject
    from wandbkit._async.projects import AsyncProjects as AsyncProjects
    from wandbkit._async.registries.listing import (
        AsyncRegistryCollections as AsyncRegistryCollections,
    )
    from wandbkit._async.registries.listing import (
        AsyncRegistryVersions as AsyncRegistryVersions,
    )
    from wandbkit._async.registries.members import MemberRole as MemberRole
    from wandbkit._async.registries.members import TeamMember as TeamMember
    from wandbkit._async.registries.members import UserMember as UserMember
    from wandbkit._async.registries.registry import AsyncRegistries as AsyncRegistries
    from wandbkit._async.registries.registry import AsyncRegistry as AsyncRegistry
    from wandbkit._async.reports import AsyncBetaReport as AsyncBetaReport
    from wandbkit._async.reports import AsyncReports as AsyncReports
    from wandbkit._async.runs.fields import AsyncSummary as AsyncSummary
    from wandbkit._async.runs.listing import AsyncRuns as AsyncRuns
    from wandbkit._async.runs.run import AsyncRun as AsyncRun
    from wandbkit._async.runs.writer import AsyncRunWriter as AsyncRunWriter
    from wandbkit._async.sweeps import AsyncSweep as AsyncSweep
    from wandbkit._async.sweeps import AsyncSweeps as AsyncSweeps
    from wandbkit._async.teams import AsyncMember as AsyncMember
    from wandbkit._async.teams import AsyncTeam as AsyncTeam
    from wandbkit._async.users import AsyncUser as AsyncUser
    from wandbkit._core.config import Settings as Settings
    from wandbkit._sync.agents import Agent as Agent
    from wandbkit._sync.agents import AgentRuns as AgentRuns
    from wandbkit._sync.api import Api as Api
    from wandbkit._sync.artifacts.artifact import Artifact as Artifact
    from wandbkit._sync.artifacts.artifact_types import ArtifactCollections as ArtifactCollections
    from wandbkit._sync.artifacts.artifact_types import ArtifactType as ArtifactType
    from wandbkit._sync.artifacts.artifact_types import ArtifactTypes as ArtifactTypes
    from wandbkit._sync.artifacts.artifact_types import (
        ProjectArtifactCollections as ProjectArtifactCollections,
    )
    from wandbkit._sync.artifacts.collection import ArtifactCollection as ArtifactCollection
    from wandbkit._sync.artifacts.contents import ArtifactManifestEntry as ArtifactManifestEntry
    from wandbkit._sync.artifacts.files import ArtifactFiles as ArtifactFiles
    from wandbkit._sync.artifacts.publish import ArtifactDraft as ArtifactDraft
    from wandbkit._sync.artifacts.versions import Artifacts as Artifacts
    from wandbkit._sync.artifacts.versions import RunArtifacts as RunArtifacts
    from wandbkit._sync.console import ConsoleLogs as ConsoleLogs
    from wandbkit._sync.files import File as File
    from wandbkit._sync.files import Files as Files
    from wandbkit._sync.history import HistoryScan as HistoryScan
    from wandbkit._sync.launch.jobs import Job as Job
    from wandbkit._sync.launch.queued_run import QueuedRun as QueuedRun
    from wandbkit._sync.launch.queues import RunQueue as RunQueue
    from wandbkit._sync.projects import Project as Project
    from wandbkit._sync.projects import Projects as Projects
    from wandbkit._sync.registries.listing import RegistryCollections as RegistryCollections
    from wandbkit._sync.registries.listing import RegistryVersions as RegistryVersions
    from wandbkit._sync.registries.registry import Registries as Registries
    from wandbkit._sync.registries.registry import Registry as Registry
    from wandbkit._sync.reports import BetaReport as BetaReport
    from wandbkit._sync.reports import Reports as Reports
    from wandbkit._sync.runs.fields import Summary as Summary
    from wandbkit._sync.runs.listing import Runs as Runs
    from wandbkit._sync.runs.run import Run as Run
    from wandbkit._sync.runs.writer import RunWriter as RunWriter
    from wandbkit._sync.sweeps import Sweep as Sweep
    from wandbkit._sync.sweeps import Sweeps as Sweeps
    from wandbkit._sync.teams import Member as Member
    from wandbkit._sync.teams import Team as Team
    from wandbkit._values.artifact_objects import ArtifactMedia as ArtifactMedia
    from wandbkit._values.artifact_objects import ArtifactTable as ArtifactTable
    from wandbkit._values.artifacts import ArtifactManifest as ArtifactManifest
    from wandbkit._values.console import ConsoleLogLine as ConsoleLogLine
    from wandbkit._values.history_exports import DownloadHistoryResult as DownloadHistoryResult
    from wandbkit._values.report_queries import PanelMetricsHelper as PanelMetricsHelper
    from wandbkit._values.report_queries import (
        PythonMongoishQueryGenerator as PythonMongoishQueryGenerator,
    )
    from wandbkit._values.report_queries import QueryGenerator as QueryGenerator
    from wandbkit._values.reports import ReportUser as ReportUser
    from wandbkit._values.runs import RunState as RunState
    from wandbkit.errors import APIConnectionError as APIConnectionError
    from wandbkit.errors import APIError as APIError
    from wandbkit.errors import APIStatusError as APIStatusError
    from wandbkit.errors import APITimeoutError as APITimeoutError
    from wandbkit.errors import AuthenticationError as AuthenticationError
    from wandbkit.errors import GraphQLError as GraphQLError
    from wandbkit.errors import IncompleteRunHistoryError as IncompleteRunHistoryError
    from wandbkit.errors import JobConfigError as JobConfigError
    from wandbkit.errors import NotFoundError as NotFoundError
    from wandbkit.errors import NotLoadedError as NotLoadedError
    from wandbkit.errors import PermissionDeniedError as PermissionDeniedError
    from wandbkit.errors import QueuedRunFailedError as QueuedRunFailedError
    from wandbkit.errors import RateLimitError as RateLimitError
    from wandbkit.errors import ResponseValidationError as ResponseValidationError
    from wandbkit.errors import UsageError as UsageError
    from wandbkit.errors import WandbkitError as WandbkitError
    from wandbkit.paths import WandbPath as WandbPath
    from wandbkit.paths import parse_path as parse_path
    from wandbkit.users import Organization as Organization
    from wandbkit.users import User as User

#: Where each public name lives, grouped by module like the ``TYPE_CHECKING`` imports above
#: (``tests/unit/test_public_names.py`` checks that the two agree); ``__all__`` follows.
_PUBLIC: dict[str, tuple[str, ...]] = {
    "wandbkit._async.agents": ("AsyncAgent", "AsyncAgentRuns"),
    "wandbkit._async.api": ("AsyncApi",),
    "wandbkit._async.artifacts.artifact": ("AsyncArtifact",),
    "wandbkit._async.artifacts.collection": ("AsyncArtifactCollection",),
    "wandbkit._async.artifacts.contents": ("AsyncArtifactManifestEntry",),
    "wandbkit._async.artifacts.artifact_types": (
        "AsyncArtifactCollections",
        "AsyncArtifactType",
        "AsyncArtifactTypes",
        "AsyncProjectArtifactCollections",
    ),
    "wandbkit._async.artifacts.files": ("AsyncArtifactFiles",),
    "wandbkit._async.artifacts.publish": ("AsyncArtifactDraft",),
    "wandbkit._async.artifacts.versions": ("AsyncArtifacts", "AsyncRunArtifacts"),
    "wandbkit._async.console": ("AsyncConsoleLogs",),
    "wandbkit._async.files": ("AsyncFile", "AsyncFiles"),
    "wandbkit._async.history": ("AsyncHistoryScan",),
    "wandbkit._async.launch.jobs": ("AsyncJob",),
    "wandbkit._async.launch.queued_run": ("AsyncQueuedRun",),
    "wandbkit._async.launch.queues": ("AsyncRunQueue",),
    "wandbkit._async.projects": ("AsyncProject", "AsyncProjects"),
    "wandbkit._async.registries.listing": ("AsyncRegistryCollections", "AsyncRegistryVersions"),
    "wandbkit._async.registries.members": ("MemberRole", "TeamMember", "UserMember"),
    "wandbkit._async.registries.registry": ("AsyncRegistries", "AsyncRegistry"),
    "wandbkit._async.reports": ("AsyncBetaReport", "AsyncReports"),
    "wandbkit._async.runs.fields": ("AsyncSummary",),
    "wandbkit._async.runs.listing": ("AsyncRuns",),
    "wandbkit._async.runs.run": ("AsyncRun",),
    "wandbkit._async.sweeps": ("AsyncSweep", "AsyncSweeps"),
    "wandbkit._async.teams": ("AsyncMember", "AsyncTeam"),
    "wandbkit._async.runs.writer": ("AsyncRunWriter",),
    "wandbkit._async.users": ("AsyncUser",),
    "wandbkit._core.config": ("Settings",),
    "wandbkit._values.artifact_objects": ("ArtifactMedia", "ArtifactTable"),
    "wandbkit._values.artifacts": ("ArtifactManifest",),
    "wandbkit._values.console": ("ConsoleLogLine",),
    "wandbkit._values.history_exports": ("DownloadHistoryResult",),
    "wandbkit._values.report_queries": (
        "PanelMetricsHelper",
        "PythonMongoishQueryGenerator",
        "QueryGenerator",
    ),
    "wandbkit._values.reports": ("ReportUser",),
    "wandbkit._values.runs": ("RunState",),
    "wandbkit._sync.agents": ("Agent", "AgentRuns"),
    "wandbkit._sync.api": ("Api",),
    "wandbkit._sync.artifacts.artifact": ("Artifact",),
    "wandbkit._sync.artifacts.collection": ("ArtifactCollection",),
    "wandbkit._sync.artifacts.contents": ("ArtifactManifestEntry",),
    "wandbkit._sync.artifacts.artifact_types": (
        "ArtifactCollections",
        "ArtifactType",
        "ArtifactTypes",
        "ProjectArtifactCollections",
    ),
    "wandbkit._sync.artifacts.files": ("ArtifactFiles",),
    "wandbkit._sync.artifacts.publish": ("ArtifactDraft",),
    "wandbkit._sync.artifacts.versions": ("Artifacts", "RunArtifacts"),
    "wandbkit._sync.console": ("ConsoleLogs",),
    "wandbkit._sync.files": ("File", "Files"),
    "wandbkit._sync.history": ("HistoryScan",),
    "wandbkit._sync.launch.jobs": ("Job",),
    "wandbkit._sync.launch.queued_run": ("QueuedRun",),
    "wandbkit._sync.launch.queues": ("RunQueue",),
    "wandbkit._sync.projects": ("Project", "Projects"),
    "wandbkit._sync.registries.listing": ("RegistryCollections", "RegistryVersions"),
    "wandbkit._sync.registries.registry": ("Registries", "Registry"),
    "wandbkit._sync.reports": ("BetaReport", "Reports"),
    "wandbkit._sync.runs.fields": ("Summary",),
    "wandbkit._sync.runs.listing": ("Runs",),
    "wandbkit._sync.runs.run": ("Run",),
    "wandbkit._sync.sweeps": ("Sweep", "Sweeps"),
    "wandbkit._sync.teams": ("Member", "Team"),
    "wandbkit._sync.runs.writer": ("RunWriter",),
    "wandbkit.errors": (
        "APIConnectionError",
        "APIError",
        "APIStatusError",
        "APITimeoutError",
        "AuthenticationError",
        "GraphQLError",
        "IncompleteRunHistoryError",
        "JobConfigError",
        "NotFoundError",
        "NotLoadedError",
        "PermissionDeniedError",
        "QueuedRunFailedError",
        "RateLimitError",
        "ResponseValidationError",
        "UsageError",
        "WandbkitError",
    ),
    "wandbkit.paths": ("WandbPath", "parse_path"),
    "wandbkit.users": ("Organization", "User"),
}

_EXPORTS = LazyExports(__name__, globals(), _PUBLIC, extra=("__version__",))
#: Public name -> the module it is loaded from on first use.
_LAZY: dict[str, str] = _EXPORTS.lazy
__all__ = _EXPORTS.all
__getattr__ = _EXPORTS.getattr
__dir__ = _EXPORTS.dir
