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
    from wandbkit._async.projects import AsyncProject, AsyncProjects
    from wandbkit._core.config import Settings
    from wandbkit._sync.api import Api
    from wandbkit._sync.projects import Project, Projects
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
    from wandbkit.users import User

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
    "AsyncProject",
    "AsyncProjects",
    "AuthenticationError",
    "GraphQLError",
    "NotFoundError",
    "NotLoadedError",
    "PermissionDeniedError",
    "Project",
    "Projects",
    "RateLimitError",
    "ResponseValidationError",
    "Settings",
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
