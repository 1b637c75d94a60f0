# Generated from src/wandbkit/_async/sweeps.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""Sweeps: a typed ``Sweep`` (its config parsed from the server's YAML, its runs, its best run)
and a lazy paginator over a project's sweeps."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from wandbkit._core.errors import UsageError
from wandbkit._sync.lazy import LazyRecord
from wandbkit._sync.pagination import Page, RelayPaginator
from wandbkit._sync.runs import Run, Runs
from wandbkit.paths import check_name, project_not_found, sweep_not_found

if TYPE_CHECKING:
    from wandbkit._generated.fragments import SweepFields
    from wandbkit._sync.context import ClientHolder

#: Runs per page of ``Sweep.runs``, as ``wandb`` lists them.
SWEEP_RUNS_PER_PAGE = 10


def parse_sweep_config(text: str) -> dict[str, Any]:
    """A sweep's configuration from the YAML text the server keeps.

    Raises:
        UsageError: the text is not a YAML mapping.
    """
    import yaml  # loaded when a config is first read, not with wandbkit

    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise UsageError(f"the sweep's config is not valid YAML: {exc}") from None
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise UsageError(f"the sweep's config is not a YAML mapping: {text[:80]!r}")
    return value


def order_of(config: Mapping[str, Any]) -> str | None:
    """The runs order a sweep's ``metric`` asks for: ``+summary_metrics.<name>`` to minimize,
    ``-summary_metrics.<name>`` to maximize; ``None`` without a metric."""
    metric = config.get("metric")
    if not isinstance(metric, Mapping) or not isinstance(metric.get("name"), str):
        return None
    sign = "-" if metric.get("goal") == "maximize" else "+"
    return f"{sign}summary_metrics.{metric['name']}"


class Sweep(LazyRecord["SweepFields"]):
    """One W&B sweep, typed.

    ``runs`` lists the sweep's runs (10 a page, oldest first, as ``wandb``); ``best_run()`` is
    the first of them in the order the sweep's metric asks for.

    Attributes:
        entity: the owning entity.
        project: the project name.
        runs: the sweep's runs (lazy; nothing is sent until you iterate).
    """

    def __init__(
        self,
        ctx: ClientHolder,
        entity: str,
        project: str,
        sweep_id: str,
        fields: SweepFields | None = None,
    ) -> None:
        super().__init__(fields)
        self._ctx = ctx
        self.entity = entity
        self.project = project
        self._id = check_name(sweep_id, "sweep id")
        self._config: dict[str, Any] | None = None
        self.runs = self._runs("+created_at", SWEEP_RUNS_PER_PAGE)

    def _runs(self, order: str, per_page: int) -> Runs:
        # The sweep's runs, with the filter wandb sends: {"$and": [{"sweep": <id>}]}.
        return Runs(
            self._ctx,
            self.entity,
            self.project,
            filters={"$and": [{"sweep": self._id}]},
            order=order,
            per_page=per_page,
        )

    def _fetch(self) -> SweepFields:
        result = self._ctx.client.get_sweep(entity=self.entity, project=self.project, name=self._id)
        if result.project is None:
            raise project_not_found(self.entity, self.project, "GetSweep")
        if result.project.sweep is None:
            raise sweep_not_found(self.entity, self.project, self._id, "GetSweep")
        return result.project.sweep

    def _set_fields(self, fields: SweepFields) -> None:
        self._fields = fields
        self._config = None

    def _not_loaded(self) -> str:
        return f"sweep {self._id!r} is not loaded yet: `await sweep.load()` first"

    @property
    def id(self) -> str:
        """The sweep id (the server's ``name``), e.g. ``"8c9cw3l2"``."""
        return self._id

    @property
    def storage_id(self) -> str:
        """The server's opaque id of the sweep."""
        return self._require().id

    @property
    def name(self) -> str:
        """The display name, else the config's ``name``, else the id (as ``wandb``)."""
        fields = self._require()
        if fields.display_name:
            return fields.display_name
        try:
            named = self.config.get("name")
        except UsageError:  # a config that is not YAML still has a name: its id
            named = None
        return named if isinstance(named, str) and named else self._id

    @property
    def display_name(self) -> str | None:
        """The display name set on the sweep, if any."""
        return self._require().display_name

    @property
    def method(self) -> str:
        """The search method: ``grid``, ``random``, ``bayes``..."""
        return self._require().method

    @property
    def state(self) -> str:
        """``RUNNING``, ``FINISHED``, ``PAUSED``, ``CANCELED``... (upper case, as W&B)."""
        return self._require().state

    @property
    def description(self) -> str | None:
        """The sweep's description."""
        return self._require().description

    @property
    def best_loss(self) -> float | None:
        """The best value of the sweep's metric so far, as the server keeps it."""
        return self._require().best_loss

    @property
    def config(self) -> dict[str, Any]:
        """The sweep's configuration (method, metric, parameters...), parsed from YAML."""
        if self._config is None:
            self._config = parse_sweep_config(self._require().config)
        return self._config

    @property
    def created_at(self) -> datetime:
        """When the sweep was created (aware UTC)."""
        return self._require().created_at

    @property
    def updated_at(self) -> datetime | None:
        """When the sweep last changed."""
        return self._require().updated_at

    @property
    def run_count(self) -> int:
        """How many runs the sweep has."""
        return self._require().run_count

    @property
    def expected_run_count(self) -> int | None:
        """How many runs a finite (grid) sweep will have; ``None`` when unbounded."""
        return self._require().run_count_expected

    @property
    def order(self) -> str | None:
        """The runs order the sweep's metric asks for, e.g. ``"-summary_metrics.val_acc"``."""
        return order_of(self.config)

    @property
    def path(self) -> list[str]:
        """``[entity, project, sweep_id]``."""
        return [self.entity, self.project, self._id]

    @property
    def url(self) -> str:
        """The sweep's page in the W&B app of this server."""
        return f"{self._ctx.app_url}/{self.entity}/{self.project}/sweeps/{self._id}"

    def best_run(self, order: str | None = None) -> Run | None:
        """The sweep's best run: the first in ``order`` (default: the sweep metric's order).

        Returns:
            The run, or ``None`` if the sweep has no runs (or no metric and no ``order``).
        """
        chosen = order if order is not None else self.order
        if chosen is None:
            return None
        first = self._runs(chosen, 1)
        first.load()
        return first.objects[0] if first.objects else None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sweep) and other.path == self.path

    def __hash__(self) -> int:
        return hash(tuple(self.path))

    def __repr__(self) -> str:
        state = f" ({self._fields.state})" if self._fields is not None else ""
        return f"<{type(self).__name__} {'/'.join(self.path)}{state}>"


class Sweeps(RelayPaginator[Sweep]):
    """The sweeps of a project, oldest first, loaded page by page; ``len()`` is the server's
    count."""

    def __init__(
        self,
        ctx: ClientHolder,
        entity: str | None,
        project: str,
        *,
        per_page: int = 50,
        filters: Mapping[str, Any] | None = None,
        start: str | None = None,
    ) -> None:
        super().__init__(per_page=per_page, start=start)
        if filters is not None and not isinstance(filters, Mapping):
            raise UsageError(f"filters must be a mapping or None, got {filters!r}")
        self._ctx = ctx
        self.entity = check_name(entity, "entity") if entity is not None else None
        self.project = check_name(project, "project")
        self.filters = dict(filters or {})

    def _fetch(self, cursor: str | None) -> Page[Sweep]:
        entity = self._ctx.resolve_entity(self.entity)
        self.entity = entity
        result = self._ctx.client.get_sweeps(
            entity=entity,
            project=self.project,
            filters=json.dumps(self.filters),
            cursor=cursor,
            per_page=self.per_page,
        )
        if result.project is None:
            raise project_not_found(entity, self.project, "GetSweeps")
        connection = result.project.sweeps
        total = result.project.total_sweeps
        if connection is None:
            return Page([], None, False, total)
        sweeps = [
            Sweep(self._ctx, entity, self.project, edge.node.name, edge.node)
            for edge in connection.edges
        ]
        info = connection.page_info
        return Page(sweeps, info.end_cursor, info.has_next_page, total)
