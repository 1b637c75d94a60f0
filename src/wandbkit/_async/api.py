"""The entry point: ``AsyncApi`` (and, generated from this file, ``Api``)."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from wandbkit._async.artifacts._api import AsyncArtifactsMethods
from wandbkit._async.artifacts.links import wire_artifacts
from wandbkit._async.automations_api import AsyncAutomationsMethods
from wandbkit._async.context import ClientContext
from wandbkit._async.launch._api import AsyncLaunchMethods
from wandbkit._async.projects import AsyncProject
from wandbkit._async.projects_api import AsyncProjectsMethods
from wandbkit._async.registries._api import AsyncRegistriesMethods
from wandbkit._async.reports_api import AsyncReportsMethods, report_from_path
from wandbkit._async.runs._api import AsyncRunsMethods
from wandbkit._async.sweeps_api import (
    AsyncSweepsMethods,
    list_sweeps_on_demand,
    load_sweep_on_demand,
)
from wandbkit._async.teams_api import AsyncTeamsMethods
from wandbkit._async.users import USER_API
from wandbkit._async.users_api import AsyncUsersMethods
from wandbkit._core.config import Settings, resolve_settings
from wandbkit._core.errors import UsageError
from wandbkit._html import Explorable
from wandbkit._version import USER_AGENT
from wandbkit.paths import parse_path

if TYPE_CHECKING:
    import httpx

    from wandbkit._async.reports import AsyncBetaReport
    from wandbkit._async.runs.run import AsyncRun
    from wandbkit._async.sweeps import AsyncSweep

_OVERRIDE_KEYS = frozenset({"base_url", "entity", "project", "organization"})
# Keys wandb.Api accepts in `overrides` that have no effect here; accepted for drop-in use.
_IGNORED_OVERRIDE_KEYS = frozenset({"run", "_proxies"})


class AsyncApi(
    AsyncProjectsMethods,
    AsyncRunsMethods,
    AsyncSweepsMethods,
    AsyncTeamsMethods,
    AsyncUsersMethods,
    AsyncReportsMethods,
    AsyncArtifactsMethods,
    AsyncRegistriesMethods,
    AsyncAutomationsMethods,
    Explorable,
    AsyncLaunchMethods,
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
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
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

    def _with_api_key(self, api_key: str) -> AsyncApi:
        """A new Api on this one's server (and transport), authenticated with ``api_key``."""
        settings = self._ctx.settings
        return AsyncApi(
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

    async def server_features(self) -> dict[str, bool]:
        """The server's feature flags (``serverInfo.features``), fetched once."""
        return await self._ctx.server_features()

    # -- paths -------------------------------------------------------------------------

    async def from_path(self, path: str) -> AsyncProject | AsyncRun | AsyncSweep | AsyncBetaReport:
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
            return await self.run(path)
        if parsed.kind == "sweep":
            return await self.sweep(path)
        if parsed.kind == "report":
            return report_from_path(self._ctx, str(parsed.entity), str(parsed.project), path)
        return self.project(str(parsed.project), parsed.entity)

    def flush(self) -> None:
        """Forget cached answers (viewer, default entity, server features); runs are never
        cached: every ``runs()``/``run()`` call reads the server afresh."""
        self._ctx.forget()

    # -- lifecycle -----------------------------------------------------------------------

    async def aclose(self) -> None:
        """Close the HTTP connections this Api opened."""
        await self._ctx.aclose()

    async def __aenter__(self) -> AsyncApi:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._ctx.settings.base_url!r})"
