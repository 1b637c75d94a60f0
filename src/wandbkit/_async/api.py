"""The entry point: ``AsyncApi`` (and, generated from this file, ``Api``)."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from wandbkit._async.context import AsyncClientHolder
from wandbkit._async.projects import AsyncProject, AsyncProjects
from wandbkit._async.runs.listing import AsyncRuns
from wandbkit._async.runs.run import AsyncRun, fetch_run, full_run
from wandbkit._core.config import Settings, resolve_settings
from wandbkit._core.errors import NotFoundError, UsageError
from wandbkit._core.flavor_async import MaybeAwaitable
from wandbkit._version import USER_AGENT
from wandbkit.paths import (
    check_name,
    parse_path,
    parse_project_path,
    parse_run_path,
    parse_sweep_path,
)
from wandbkit.users import Organization, OrgEntity, User

if TYPE_CHECKING:
    import httpx

    from wandbkit._async.sweep_record import AsyncSweepRecord
    from wandbkit._async.sweeps import AsyncSweep
    from wandbkit._async.teams import AsyncTeam

_OVERRIDE_KEYS = frozenset({"base_url", "entity", "project", "organization"})
# Keys wandb.Api accepts in `overrides` that have no effect here; accepted for drop-in use.
_IGNORED_OVERRIDE_KEYS = frozenset({"run", "_proxies"})


async def _load_sweep(
    ctx: AsyncClientHolder, entity: str, project: str, sweep_id: str, /
) -> AsyncSweepRecord:
    """A run's sweep, loaded: the ``SweepLoader`` this Api wires into runs."""
    from wandbkit._async.sweeps import load_sweep  # sweeps load on first use

    return await load_sweep(ctx, entity, project, sweep_id)


class AsyncApi:
    """A client for the W&B public API, with the surface of ``wandb.Api``.

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
        self._ctx = AsyncClientHolder(settings, http_client=http_client, transport=transport)
        self._features: dict[str, bool] | None = None

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

    # -- the viewer ----------------------------------------------------------------------

    async def get_viewer(self) -> User:
        """Fetch (once, then cached) the user the API key belongs to."""
        return await self._ctx.viewer()

    @property
    def viewer(self) -> MaybeAwaitable[User]:
        """The authenticated user (``await api.viewer`` with ``AsyncApi``)."""
        return self.get_viewer()

    async def get_default_entity(self) -> str | None:
        """Fetch (once, then cached) the viewer's default entity."""
        return await self._ctx.default_entity()

    @property
    def default_entity(self) -> MaybeAwaitable[str | None]:
        """The viewer's default entity (``await api.default_entity`` with ``AsyncApi``)."""
        return self.get_default_entity()

    async def server_features(self) -> dict[str, bool]:
        """The server's feature flags (``serverInfo.features``), fetched once."""
        if self._features is None:
            result = await self._ctx.client.server_features()
            info = result.server_info
            features = info.features if info is not None else []
            self._features = {f.name: f.is_enabled for f in features if f is not None}
        return dict(self._features)

    # -- projects ------------------------------------------------------------------------

    def project(self, name: str, entity: str | None = None) -> AsyncProject:
        """A lazy handle on one project: no request until an attribute needs the server.

        Args:
            name: the project name, or ``entity/project``.
            entity: the owning entity; defaults to ``WANDB_ENTITY``, then the viewer's.

        Raises:
            UsageError: ``name`` or ``entity`` is not a valid name.
        """
        if isinstance(name, str) and "/" in name:
            parsed = parse_path(name, argument="name")
            if parsed.kind != "project":
                raise UsageError(f"name must be 'project' or 'entity/project', got {name!r}")
            if entity is not None and parsed.entity != entity:
                raise UsageError(
                    f"name {name!r} names entity {parsed.entity!r} but entity={entity!r}"
                )
            name, entity = str(parsed.project), parsed.entity
        return AsyncProject(self._ctx, name, entity)

    def projects(
        self, entity: str | None = None, per_page: int = 200, *, start: str | None = None
    ) -> AsyncProjects:
        """The projects of an entity, fetched lazily page by page.

        Args:
            entity: the entity; defaults to ``WANDB_ENTITY``, then the viewer's.
            per_page: projects per request.
            start: a ``cursor`` from an earlier paginator, to resume from.
        """
        return AsyncProjects(self._ctx, entity, per_page=per_page, start=start)

    async def create_project(
        self,
        name: str,
        entity: str | None = None,
        *,
        description: str | None = None,
        access: str | None = None,
    ) -> AsyncProject:
        """Create a project (or update it if it exists) and return it, loaded.

        Args:
            name: the new project's name.
            entity: the owning entity; defaults to ``WANDB_ENTITY``, then the viewer's.
            description: an optional description.
            access: optional visibility as the server names it (e.g. ``PRIVATE``).
        """
        check_name(name, "name")
        if entity is not None:
            check_name(entity, "entity")
        owner = await self._ctx.resolve_entity(entity)
        fields: dict[str, Any] = {"name": name, "entity_name": owner}
        if description is not None:
            fields["description"] = description
        if access is not None:
            fields["access"] = access
        from wandbkit._generated.input_types import UpsertModelInput

        result = await self._ctx.client.create_project(input=UpsertModelInput(**fields))
        created = result.upsert_model.project if result.upsert_model is not None else None
        if created is None:
            raise UsageError(f"the server did not create project '{owner}/{name}'")
        return AsyncProject(self._ctx, created.name, created.entity_name, fields=created)

    async def from_path(self, path: str) -> AsyncProject | AsyncRun | AsyncSweep:
        """The object a W&B path or app URL names.

        ``project`` and ``entity/project`` (and their URLs) give a lazy ``Project``;
        ``entity/project/run_id`` (``.../runs/<id>``) gives a loaded ``Run``;
        ``entity/project/sweeps/<id>`` a loaded ``Sweep``.

        Raises:
            UsageError: the path is malformed, or names a report (not yet supported by this
                version of wandbkit).
        """
        parsed = parse_path(path)
        if parsed.kind == "run":
            return await self.run(path)
        if parsed.kind == "sweep":
            return await self.sweep(path)
        if parsed.kind != "project":
            raise UsageError(
                f"path {path!r} names a {parsed.kind}; this version of wandbkit resolves "
                "project, run and sweep paths"
            )
        return AsyncProject(self._ctx, str(parsed.project), parsed.entity)

    # -- runs ----------------------------------------------------------------------------

    def _project_of(self, path: str | None, argument: str = "path") -> tuple[str | None, str]:
        if path is None or path == "":
            if self.settings.project is None:
                raise UsageError(
                    f"{argument} is required: pass 'entity/project' or set WANDB_PROJECT"
                )
            return self.settings.entity, self.settings.project
        parsed = parse_project_path(path, argument=argument)
        return parsed.entity, str(parsed.project)

    def runs(
        self,
        path: str | None = None,
        filters: Mapping[str, Any] | None = None,
        order: str = "+created_at",
        per_page: int = 50,
        include_sweeps: bool = False,
        lazy: bool = True,
        *,
        config_keys: list[str] | None = None,
        summary_keys: list[str] | None = None,
        start: str | None = None,
    ) -> AsyncRuns:
        """The runs of a project, lazily, page by page (nothing is sent until you iterate).

        Args:
            path: ``entity/project`` or ``project`` (default entity); default ``WANDB_PROJECT``.
            filters: MongoDB-style filters, checked before any request, e.g.
                ``{"state": "finished", "config.lr": {"$gt": 1e-3}}``.
            order: ``[+|-]`` then ``created_at``, ``heartbeat_at``, ``name``,
                ``config.<key>`` or ``summary_metrics.<key>``.
            per_page: runs per request.
            include_sweeps: load each listed run's sweep with its page (one request per
                sweep per listing), so ``run.sweep`` needs no request of its own.
            lazy: list the light fields only; config/summary load per page on first need.
            config_keys: load only these config keys (server-side selection).
            summary_keys: load only these summary keys (server-side selection).
            start: a ``cursor`` from an earlier ``Runs``, to resume from.

        Example:
            >>> for run in api.runs("team/proj", {"state": "finished"}, "-summary_metrics.acc"):
            ...     print(run.name, run.summary["acc"])
        """
        entity, project = self._project_of(path)
        return AsyncRuns(
            self._ctx,
            entity,
            project,
            load_sweep=_load_sweep,
            filters=filters,
            order=order,
            per_page=per_page,
            lazy=lazy,
            include_sweeps=include_sweeps,
            config_keys=config_keys,
            summary_keys=summary_keys,
            start=start,
        )

    async def run(self, path: str = "") -> AsyncRun:
        """One run with every field loaded.

        Args:
            path: ``entity/project/run_id`` (also ``entity/project/runs/run_id``, an app URL,
                ``project/run_id`` or ``run_id`` with the default entity and project).

        Raises:
            UsageError: the path is malformed.
            NotFoundError: no such run.
        """
        parsed = parse_run_path(path)
        project = parsed.project or self.settings.project
        if project is None:
            raise UsageError(
                f"path {path!r} names no project: use 'entity/project/run_id' or set WANDB_PROJECT"
            )
        entity = await self._ctx.resolve_entity(parsed.entity)
        return await fetch_run(self._ctx, entity, project, str(parsed.id), _load_sweep)

    async def sweep(self, path: str = "") -> AsyncSweep:
        """One sweep with its fields loaded.

        Args:
            path: ``entity/project/sweep_id`` (also ``entity/project/sweeps/sweep_id``, an app
                URL, ``project/sweep_id`` or ``sweep_id`` with the default entity and project).

        Raises:
            UsageError: the path is malformed.
            NotFoundError: no such sweep.

        Example:
            >>> sweep = api.sweep("my-team/cifar10/8c9cw3l2")
            >>> sweep.best_run().summary["val_acc"]
        """
        parsed = parse_sweep_path(path)
        project = parsed.project or self.settings.project
        if project is None:
            raise UsageError(
                f"path {path!r} names no project: use 'entity/project/sweep_id' or set "
                "WANDB_PROJECT"
            )
        from wandbkit._async.sweeps import AsyncSweep  # sweeps load on first use

        entity = await self._ctx.resolve_entity(parsed.entity)
        return await AsyncSweep(self._ctx, entity, project, str(parsed.id)).load()

    # -- teams and organizations ---------------------------------------------------------

    async def organization(self, name: str | None = None) -> Organization:
        """An organization; without a name, ``overrides["organization"]`` or else the one your
        default entity belongs to.

        Raises:
            UsageError: a malformed name, or no name and a default entity in no organization.
            NotFoundError: no organization of that name.
        """
        if name is None:
            name = self._default_organization
        if name is None:
            entity = await self._ctx.resolve_entity(self.settings.entity)
            owner = await self._ctx.client.get_entity_organization(entity=entity)
            org = owner.entity.organization if owner.entity is not None else None
            if org is None:
                raise UsageError(
                    f"name is required: the default entity {entity!r} is in no organization"
                )
            name = org.name
        check_name(name, "name")
        result = await self._ctx.client.get_organization(name=name)
        found = result.organization
        if found is None:
            raise NotFoundError(
                f"organization {name!r} not found", operation_name="GetOrganization"
            )
        entity_fields = found.org_entity
        return Organization(
            id=found.id,
            name=found.name,
            org_entity=OrgEntity(entity_fields.id, entity_fields.name, entity_fields.entity_type)
            if entity_fields is not None
            else None,
        )

    async def team(self, team: str) -> AsyncTeam:
        """A team with its members.

        Raises:
            UsageError: a malformed name.
            NotFoundError: no team of that name (a user's personal entity is not a team).
        """
        from wandbkit._async.teams import AsyncTeam  # teams load on first use

        return await AsyncTeam.fetch(self._ctx, team)

    async def create_team(self, team: str, admin_username: str | None = None) -> AsyncTeam:
        """Create a team; its admin is you, or ``admin_username`` (naming someone else is for
        instance admins).

        Raises:
            UsageError: a malformed name (before any request).
            GraphQLError: the server refused (the name is taken, not allowed...).
        """
        from wandbkit._async.teams import AsyncTeam

        check_name(team, "team")
        if admin_username is not None:
            check_name(admin_username, "admin_username")
        result = await self._ctx.client.create_team(
            team_name=team, team_admin_user_name=admin_username
        )
        created = result.create_team.entity if result.create_team is not None else None
        if created is None:  # pragma: no cover - the server answers the entity or an error
            return await AsyncTeam.fetch(self._ctx, team)
        return AsyncTeam(self._ctx, created)

    async def create_run(
        self,
        *,
        run_id: str | None = None,
        project: str | None = None,
        entity: str | None = None,
    ) -> AsyncRun:
        """Create a run (state ``running``) and return it.

        Args:
            run_id: the new run's id; the server picks one when omitted.
            project: the project; default ``WANDB_PROJECT``, else ``uncategorized``.
            entity: the entity; default ``WANDB_ENTITY``, else the viewer's.
        """
        from wandbkit._generated.input_types import UpsertBucketInput

        if run_id is not None:
            check_name(run_id, "run_id")
        project = check_name(project or self.settings.project or "uncategorized", "project")
        owner = await self._ctx.resolve_entity(
            check_name(entity, "entity") if entity is not None else None
        )
        values: dict[str, Any] = {"model_name": project, "entity_name": owner}
        if run_id is not None:
            values["name"] = run_id
        result = await self._ctx.client.upsert_run(input=UpsertBucketInput(**values))
        bucket = result.upsert_bucket.bucket if result.upsert_bucket is not None else None
        if bucket is None:
            raise UsageError(f"the server did not create a run in '{owner}/{project}'")
        return full_run(self._ctx, owner, project, bucket, _load_sweep)

    def flush(self) -> None:
        """Forget cached answers (viewer, default entity, server features).

        Runs are never cached: every ``runs()``/``run()`` call reads the server afresh.
        """
        self._ctx.forget()
        self._features = None

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
