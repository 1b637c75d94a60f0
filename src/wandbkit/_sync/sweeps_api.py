# Generated from src/wandbkit/_async/sweeps_api.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""The sweeps methods of the Api (``sweep()``), and the sweep loaders it wires into runs and
projects. Sweeps load on first use: importing the Api does not import the sweeps module."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from wandbkit._core.errors import UsageError
from wandbkit.paths import parse_sweep_path

if TYPE_CHECKING:
    from wandbkit._sync.context import ClientContext
    from wandbkit._sync.sweep_record import SweepRecord
    from wandbkit._sync.sweeps import Sweep, Sweeps


def load_sweep_on_demand(
    ctx: ClientContext, entity: str, project: str, sweep_id: str, /
) -> SweepRecord:
    """A run's sweep, loaded: the ``SweepLoader`` this Api wires into runs."""
    from wandbkit._sync.sweeps import load_sweep  # sweeps load on first use

    return load_sweep(ctx, entity, project, sweep_id)


def list_sweeps_on_demand(
    ctx: ClientContext,
    entity: str | None,
    project: str,
    /,
    *,
    per_page: int,
    filters: Mapping[str, Any] | None,
) -> Sweeps:
    """A project's sweeps: the ``SweepsLister`` this Api wires into projects."""
    from wandbkit._sync.sweeps import Sweeps  # sweeps load on first use

    return Sweeps(ctx, entity, project, per_page=per_page, filters=filters)


class SweepsMethods:
    """The Api's sweeps methods (a part of ``Api``, which supplies the context)."""

    _ctx: ClientContext

    def sweep(self, path: str = "") -> Sweep:
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
        from wandbkit._sync.sweeps import Sweep  # sweeps load on first use

        entity = self._ctx.resolve_entity(parsed.entity)
        return Sweep(self._ctx, entity, project, str(parsed.id)).load()
