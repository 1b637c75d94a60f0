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
    from wandbkit._async.console import AsyncConsoleLogs as AsyncConsoleLogs
    from wandbkit._async.files import AsyncFile as AsyncFile
    from wandbkit._async.files import AsyncFiles as AsyncFiles
    from wandbkit._async.history import AsyncHistoryScan as AsyncHistoryScan
    from wandbkit._async.projects import AsyncProject as AsyncProject
    from wandbkit._async.projects import AsyncProjects as AsyncProjects
    from wandbkit._async.reports import AsyncBetaReport as AsyncBetaReport
    from wandbkit._async.reports import AsyncReports as AsyncReports
    from wandbkit._async.runs.fields import AsyncSummary as AsyncSummary
    from wandbkit._async.runs.listing import AsyncRuns as AsyncRuns
    from wandbkit._async.runs.run import AsyncRun as AsyncRun
    from wandbkit._async.sweeps import AsyncSweep as AsyncSweep
    from wandbkit._async.sweeps import AsyncSweeps as AsyncSweeps
    from wandbkit._async.teams import AsyncMember as AsyncMember
    from wandbkit._async.teams import AsyncTeam as AsyncTeam
    from wandbkit._async.users import AsyncUser as AsyncUser
    from wandbkit._core.config import Settings as Settings
    from wandbkit._sync.agents import Agent as Agent
    from wandbkit._sync.agents import AgentRuns as AgentRuns
    from wandbkit._sync.api import Api as Api
    from wandbkit._sync.console import ConsoleLogs as ConsoleLogs
    from wandbkit._sync.files import File as File
    from wandbkit._sync.files import Files as Files
    from wandbkit._sync.history import HistoryScan as HistoryScan
    from wandbkit._sync.projects import Project as Project
    from wandbkit._sync.projects import Projects as Projects
    from wandbkit._sync.reports import BetaReport as BetaReport
    from wandbkit._sync.reports import Reports as Reports
    from wandbkit._sync.runs.fields import Summary as Summary
    from wandbkit._sync.runs.listing import Runs as Runs
    from wandbkit._sync.runs.run import Run as Run
    from wandbkit._sync.sweeps import Sweep as Sweep
    from wandbkit._sync.sweeps import Sweeps as Sweeps
    from wandbkit._sync.teams import Member as Member
    from wandbkit._sync.teams import Team as Team
    from wandbkit._values.console import ConsoleLogLine as ConsoleLogLine
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
    from wandbkit.errors import NotFoundError as NotFoundError
    from wandbkit.errors import NotLoadedError as NotLoadedError
    from wandbkit.errors import PermissionDeniedError as PermissionDeniedError
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
    "wandbkit._async.console": ("AsyncConsoleLogs",),
    "wandbkit._async.files": ("AsyncFile", "AsyncFiles"),
    "wandbkit._async.history": ("AsyncHistoryScan",),
    "wandbkit._async.projects": ("AsyncProject", "AsyncProjects"),
    "wandbkit._async.reports": ("AsyncBetaReport", "AsyncReports"),
    "wandbkit._async.runs.fields": ("AsyncSummary",),
    "wandbkit._async.runs.listing": ("AsyncRuns",),
    "wandbkit._async.runs.run": ("AsyncRun",),
    "wandbkit._async.sweeps": ("AsyncSweep", "AsyncSweeps"),
    "wandbkit._async.teams": ("AsyncMember", "AsyncTeam"),
    "wandbkit._async.users": ("AsyncUser",),
    "wandbkit._core.config": ("Settings",),
    "wandbkit._values.console": ("ConsoleLogLine",),
    "wandbkit._values.report_queries": (
        "PanelMetricsHelper",
        "PythonMongoishQueryGenerator",
        "QueryGenerator",
    ),
    "wandbkit._values.reports": ("ReportUser",),
    "wandbkit._values.runs": ("RunState",),
    "wandbkit._sync.agents": ("Agent", "AgentRuns"),
    "wandbkit._sync.api": ("Api",),
    "wandbkit._sync.console": ("ConsoleLogs",),
    "wandbkit._sync.files": ("File", "Files"),
    "wandbkit._sync.history": ("HistoryScan",),
    "wandbkit._sync.projects": ("Project", "Projects"),
    "wandbkit._sync.reports": ("BetaReport", "Reports"),
    "wandbkit._sync.runs.fields": ("Summary",),
    "wandbkit._sync.runs.listing": ("Runs",),
    "wandbkit._sync.runs.run": ("Run",),
    "wandbkit._sync.sweeps": ("Sweep", "Sweeps"),
    "wandbkit._sync.teams": ("Member", "Team"),
    "wandbkit.errors": (
        "APIConnectionError",
        "APIError",
        "APIStatusError",
        "APITimeoutError",
        "AuthenticationError",
        "GraphQLError",
        "NotFoundError",
        "NotLoadedError",
        "PermissionDeniedError",
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
