"""wandbkit: a typed client for the Weights & Biases public API, with a local W&B server.

``Api`` has the surface of ``wandb.Api``; ``AsyncApi`` is the same surface for asyncio.
Names load on first use, so ``import wandbkit`` stays cheap.

Example:
    >>> import wandbkit
    >>> api = wandbkit.Api()
    >>> api.viewer.username
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from wandbkit._version import __version__

if TYPE_CHECKING:
    from wandbkit._async.api import AsyncApi
    from wandbkit._async.console import AsyncConsoleLogs
    from wandbkit._async.files import AsyncFile, AsyncFiles
    from wandbkit._async.history import AsyncHistoryScan
    from wandbkit._async.projects import AsyncProject, AsyncProjects
    from wandbkit._async.runs.fields import AsyncSummary
    from wandbkit._async.runs.listing import AsyncRuns
    from wandbkit._async.runs.run import AsyncRun
    from wandbkit._async.sweeps import AsyncSweep, AsyncSweeps
    from wandbkit._async.teams import AsyncMember, AsyncTeam
    from wandbkit._core.config import Settings
    from wandbkit._sync.api import Api
    from wandbkit._sync.console import ConsoleLogs
    from wandbkit._sync.files import File, Files
    from wandbkit._sync.history import HistoryScan
    from wandbkit._sync.projects import Project, Projects
    from wandbkit._sync.runs.fields import Summary
    from wandbkit._sync.runs.listing import Runs
    from wandbkit._sync.runs.run import Run
    from wandbkit._sync.sweeps import Sweep, Sweeps
    from wandbkit._sync.teams import Member, Team
    from wandbkit.errors import (
        APIConnectionError,
        APIError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        GraphQLError,
        NotFoundError,
        NotLoadedError,
        PermissionDeniedError,
        RateLimitError,
        ResponseValidationError,
        UsageError,
        WandbkitError,
    )
    from wandbkit.paths import WandbPath, parse_path
    from wandbkit.run_data import ConsoleLogLine, RunState
    from wandbkit.users import Organization, User

_LAZY: dict[str, str] = {
    "Api": "wandbkit._sync.api",
    "AsyncApi": "wandbkit._async.api",
    "Project": "wandbkit._sync.projects",
    "Projects": "wandbkit._sync.projects",
    "AsyncProject": "wandbkit._async.projects",
    "AsyncProjects": "wandbkit._async.projects",
    "Settings": "wandbkit._core.config",
    "User": "wandbkit.users",
    "WandbPath": "wandbkit.paths",
    "parse_path": "wandbkit.paths",
    "Run": "wandbkit._sync.runs.run",
    "Runs": "wandbkit._sync.runs.listing",
    "Summary": "wandbkit._sync.runs.fields",
    "AsyncRun": "wandbkit._async.runs.run",
    "AsyncRuns": "wandbkit._async.runs.listing",
    "AsyncSummary": "wandbkit._async.runs.fields",
    "File": "wandbkit._sync.files",
    "Files": "wandbkit._sync.files",
    "AsyncFile": "wandbkit._async.files",
    "AsyncFiles": "wandbkit._async.files",
    "HistoryScan": "wandbkit._sync.history",
    "AsyncHistoryScan": "wandbkit._async.history",
    "ConsoleLogs": "wandbkit._sync.console",
    "AsyncConsoleLogs": "wandbkit._async.console",
    "Sweep": "wandbkit._sync.sweeps",
    "Sweeps": "wandbkit._sync.sweeps",
    "AsyncSweep": "wandbkit._async.sweeps",
    "AsyncSweeps": "wandbkit._async.sweeps",
    "Team": "wandbkit._sync.teams",
    "Member": "wandbkit._sync.teams",
    "AsyncTeam": "wandbkit._async.teams",
    "AsyncMember": "wandbkit._async.teams",
    "RunState": "wandbkit.run_data",
    "ConsoleLogLine": "wandbkit.run_data",
    "Organization": "wandbkit.users",
    **{
        name: "wandbkit.errors"
        for name in (
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
        )
    },
}

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "Api",
    "AsyncApi",
    "AsyncConsoleLogs",
    "AsyncFile",
    "AsyncFiles",
    "AsyncHistoryScan",
    "AsyncMember",
    "AsyncProject",
    "AsyncProjects",
    "AsyncRun",
    "AsyncRuns",
    "AsyncSummary",
    "AsyncSweep",
    "AsyncSweeps",
    "AsyncTeam",
    "AuthenticationError",
    "ConsoleLogLine",
    "ConsoleLogs",
    "File",
    "Files",
    "GraphQLError",
    "HistoryScan",
    "Member",
    "NotFoundError",
    "NotLoadedError",
    "Organization",
    "PermissionDeniedError",
    "Project",
    "Projects",
    "RateLimitError",
    "ResponseValidationError",
    "Run",
    "RunState",
    "Runs",
    "Settings",
    "Summary",
    "Sweep",
    "Sweeps",
    "Team",
    "UsageError",
    "User",
    "WandbPath",
    "WandbkitError",
    "__version__",
    "parse_path",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'wandbkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
