# Generated from src/wandbkit/_async/api.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""The entry point: ``AsyncApi`` (and, generated from this file, ``Api``)."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from wandbkit._core.config import Settings, resolve_settings
from wandbkit._core.errors import UsageError
from wandbkit._html import Explorable
from wandbkit._sync.artifacts._api import ArtifactsMethods
from wandbkit._sync.artifacts.links import wire_artifacts
from wandbkit._sync.automations_api import AutomationsMethods
from wandbkit._sync.context import ClientContext
from wandbkit._sync.launch._api import LaunchMethods
from wandbkit._sync.projects import Project
from wandbkit._sync.projects_api import ProjectsMethods
from wandbkit._sync.registries._api import RegistriesMethods
from wandbkit._sync.reports_api import ReportsMethods, report_from_path
from wandbkit._sync.runs._api import RunsMethods
from wandbkit._sync.sweeps_api import (
    SweepsMethods,
    list_sweeps_on_demand,
    load_sweep_on_demand,
)
from wandbkit._sync.teams_api import TeamsMethods
from wandbkit._sync.users import USER_API
from wandbkit._sync.users_api import UsersMethods
from wandbkit._version import USER_AGENT
from wandbkit.paths import parse_path

if TYPE_CHECKING:
    import httpx

    from wandbkit._sync.reports import BetaReport
    from wandbkit._sync.runs.run import Run
    from wandbkit._sync.sweeps import Sweep

_OVERRIDE_KEYS = frozenset({"base_url", "entity", "project", "organization"})
# Keys wandb.Api accepts in `overrides` that have no effect here; accepted for drop-in use.
_IGNORED_OVERRIDE_KEYS = frozenset({"run", "_proxies"})


class Api(
    ProjectsMethods,
    RunsMethods,
    SweepsMethods,
    TeamsMethods,
    UsersMethods,
    ReportsMethods,
    ArtifactsMethods,
    RegistriesMethods,
    AutomationsMethods,
    Explorable,
    LaunchMethods,
):
    """A client for the W&B public API, with the surface of ``wandb.Api``.

    Its methods come in one group per domain (``projects_api``, ``runs/_api``, ``sweeps_api``,
    ``teams_api``, ``users_api``, ``reports_api``, ``artifacts/_api``, ``registries/_api``,
    ``automations_api``, ``launch/_api``);
    this class holds the configuration and wires the groups together.

    Nothing is sent until a method needs the server. Configuration comes from the arguments,
    then the environment (``WANDB_API_KEY``, ``WANDB_BASE_URL``, ``WANDB_ENTITY``,
    ``WANDB_PROJECT``, ``WANDB_HTTP_TIMEOUT``), then ``~/.netrc``.

    Args:
        overrides: ``wandb.Api``-style settings: ``base_url``, ``entity``, ``project``.
        timeout: seconds to wait for each HTTP request.
        api_key: the API key; never logged or shown in reprs and errors.
        base_url: the server, e.g. ``https://api.wandb.ai`` or ``http://127.0.0.1:8080``.
        entity: default entity for paths that leave it out.
        project: default project for paths that leave it out.
        max_retries: how often a failed request is retried (see the README's retry rules).
        http_client: an httpx client to send with (you keep ownership of it).
        transport: an httpx transport, e.g. ``httpx.ASGITransport(app)`` for tests.

    Example:
        >>> async with AsyncApi() as api:
        ...     me = await api.viewer
        ...     async for project in api.projects():
        ...         print(project.name)
    """

    def __init__(
        self,
        overrides: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        entity: str | None = None,
        project: str | None = None,
        max_retries: int | None = None,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        given = dict(overrides or {})
        unknown = set(given) - _OVERRIDE_KEYS - _IGNORED_OVERRIDE_KEYS
        if unknown:
            raise UsageError(
                f"overrides has unknown keys {sorted(unknown)}; expected some of "
                f"{sorted(_OVERRIDE_KEYS)}"
            )
        settings = resolve_settings(
            api_key=api_key,
            base_url=base_url if base_url is not None else given.get("base_url"),
            entity=entity if entity is not None else given.get("entity"),
            project=project if project is not None else given.get("project"),
            timeout=timeout,
            max_retries=max_retries,
        )
        # overrides={"organization": ...}: the default of organization(), as in wandb.
        self._default_organization: str | None = given.get("organization")
        self._ctx = ClientContext(settings, http_client=http_client, transport=transport)
        # The loaders that let a lower domain hand out a higher one's objects.
        self._load_sweep, self._list_sweeps = load_sweep_on_demand, list_sweeps_on_demand
        wire_artifacts(self._ctx, organization=self._default_organization)
        self._ctx.provide(USER_API, self._with_api_key)

    def _with_api_key(self, api_key: str) -> Api:
        """A new Api on this one's server (and transport), authenticated with ``api_key``."""
        settings = self._ctx.settings
        return Api(
            api_key=api_key,
            base_url=settings.base_url,
            timeout=settings.timeout,
            max_retries=settings.max_retries,
            **self._ctx.connection(),
        )

    # -- configuration -------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        """The resolved configuration (its repr hides the API key)."""
        return self._ctx.settings

    @property
    def api_key(self) -> str | None:
        """The API key in use (``None`` if none was found)."""
        return self._ctx.settings.api_key

    @property
    def user_agent(self) -> str:
        """The ``User-Agent`` header wandbkit sends."""
        return USER_AGENT

    # -- the server ----------------------------------------------------------------------

    def server_features(self) -> dict[str, bool]:
        """The server's feature flags (``serverInfo.features``), fetched once."""
        return self._ctx.server_features()

    # -- paths -------------------------------------------------------------------------

    def from_path(self, path: str) -> Project | Run | Sweep | BetaReport:
        """The object a W&B path or app URL names.

        ``project`` and ``entity/project`` (and their URLs) give a lazy ``Project``;
        ``entity/project/run_id`` (``.../runs/<id>``) gives a loaded ``Run``;
        ``entity/project/sweeps/<id>`` a loaded ``Sweep``; ``entity/project/reports/
        <Title>--<id>`` a lazy ``BetaReport`` (its title and id from the path, the rest on
        first need).

        Raises:
            UsageError: the path is malformed.
        """
        parsed = parse_path(path)
        if parsed.kind == "run":
            return self.run(path)
        if parsed.kind == "sweep":
            return self.sweep(path)
        if parsed.kind == "report":
            return report_from_path(self._ctx, str(parsed.entity), str(parsed.project), path)
        return self.project(str(parsed.project), parsed.entity)

    def flush(self) -> None:
        """Forget cached answers (viewer, default entity, server features); runs are never
        cached: every ``runs()``/``run()`` call reads the server afresh."""
        self._ctx.forget()

    # -- lifecycle -----------------------------------------------------------------------

    def close(self) -> None:
        """Close the HTTP connections this Api opened."""
        self._ctx.close()

    def __enter__(self) -> Api:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._ctx.settings.base_url!r})"
