"""The sweeps methods of the Api (``sweep()``), and the sweep loaders it wires into runs and
projects. Sweeps load on first use: importing the Api does not import the sweeps module."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from wandbkit._core.errors import UsageError
from wandbkit.paths import parse_sweep_path

if TYPE_CHECKING:
    from wandbkit._async.context import ClientContext
    from wandbkit._async.sweep_record import AsyncSweepRecord
    from wandbkit._async.sweeps import AsyncSweep, AsyncSweeps


async def load_sweep_on_demand(
    ctx: ClientContext, entity: str, project: str, sweep_id: str, /
) -> AsyncSweepRecord:
    """A run's sweep, loaded: the ``SweepLoader`` this Api wires into runs."""
    from wandbkit._async.sweeps import load_sweep  # sweeps load on first use

    return await load_sweep(ctx, entity, project, sweep_id)


def list_sweeps_on_demand(
    ctx: ClientContext,
    entity: str | None,
    project: str,
    /,
    *,
    per_page: int,
    filters: Mapping[str, Any] | None,
) -> AsyncSweeps:
    """A project's sweeps: the ``SweepsLister`` this Api wires into projects."""
    from wandbkit._async.sweeps import AsyncSweeps  # sweeps load on first use

    return AsyncSweeps(ctx, entity, project, per_page=per_page, filters=filters)


class AsyncSweepsMethods:
    """The Api's sweeps methods (a part of ``Api``, which supplies the context)."""

    _ctx: ClientContext

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
        project = parsed.project or self._ctx.settings.project
        if project is None:
            raise UsageError(
                f"path {path!r} names no project: use 'entity/project/sweep_id' or set "
                "WANDB_PROJECT"
            )
        from wandbkit._async.sweeps import AsyncSweep  # sweeps load on first use

        entity = await self._ctx.resolve_entity(parsed.entity)
        return await AsyncSweep(self._ctx, entity, project, str(parsed.id)).load()
