"""A sweep's own fields: its config parsed from the server's YAML, its state and counts.

The runs domain names a run's sweep by ``AsyncSweepRecord``; ``sweeps.py`` adds the sweep's
runs on top (``Sweep.runs``, ``Sweep.best_run()``), so neither domain imports the other both ways.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from wandbkit._async.lazy import LazyRecord
from wandbkit._core.errors import UsageError
from wandbkit._core.not_found import project_not_found, sweep_not_found
from wandbkit.paths import check_name

if TYPE_CHECKING:
    from wandbkit._async.context import ClientContext
    from wandbkit._generated.fragments import SweepFields


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


class AsyncSweepRecord(LazyRecord["SweepFields"]):
    """A W&B sweep's own fields: what a sweep is without its runs.

    A ``Sweep`` is this record plus its runs (``runs``, ``best_run()``); runs name their sweep
    by this type, since the runs domain sits below the sweeps domain.

    Attributes:
        entity: the owning entity.
        project: the project name.
    """

    def __init__(
        self,
        ctx: ClientContext,
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

    async def _fetch(self) -> SweepFields:
        result = await self._ctx.client.get_sweep(
            entity=self.entity, project=self.project, name=self._id
        )
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

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AsyncSweepRecord) and other.path == self.path

    def __hash__(self) -> int:
        return hash(tuple(self.path))

    def __repr__(self) -> str:
        state = f" ({self._fields.state})" if self._fields is not None else ""
        return f"<{type(self).__name__} {'/'.join(self.path)}{state}>"
