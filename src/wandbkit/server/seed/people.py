"""The demo's reports, sweep agents and service account (steps of
:func:`wandbkit.server.seed.seed_demo`, after the runs).

* Two reports with run sets: "MNIST baselines" in the user's ``mnist-baselines`` (a section of
  finished runs by validation accuracy, and one of the Adam runs) and "ResNet recipes" in the
  team's ``imagenet-resnet`` (the baseline-tagged runs). Each run set carries the app's filter
  tree, its sort and its selected runs, as a W&B report spec does (``panelGroups``).
* Two agents on every sweep of ``diffusion-sweeps``, which share the sweep's runs and beat
  their hearts at their last run's heartbeat.
* A service account of the demo team, for CI.

Each step skips what exists, like the other demo steps.
"""

from __future__ import annotations

from typing import Any

from wandbkit.server.seed.catalog import DemoContext
from wandbkit.server.store import ProjectRow

#: The demo team's service account.
SERVICE_ACCOUNT_DESCRIPTION = "CI pipeline"

#: (project, title, description, sections); a section is
#: (name, filter tree, the same filter as a Mongo filter, sort key, ascending).
_REPORTS: tuple[tuple[str, str, str, tuple[tuple[str, Any, Any, Any, bool], ...]], ...] = (
    (
        "mnist-baselines",
        "MNIST baselines",
        "Which baseline to beat, and with which optimizer.",
        (
            (
                "Finished runs",
                {"state": "finished"},
                {"state": "finished"},
                {"section": "summary", "name": "val_acc"},
                False,
            ),
            (
                "Adam runs",
                {"optimizer": ("config", "adam")},
                {"config.optimizer": "adam"},
                {"section": "run", "name": "createdAt"},
                True,
            ),
        ),
    ),
    (
        "imagenet-resnet",
        "ResNet recipes",
        "The baseline recipes side by side.",
        (
            (
                "Baselines",
                {"baseline": ("tags", True)},
                {"tags": "baseline"},
                {"section": "run", "name": "createdAt"},
                False,
            ),
        ),
    ),
)


def _filter_tree(conditions: dict[str, Any]) -> dict[str, Any]:
    """The app's filter tree (``{"op": "OR", "filters": [{"op": "AND", ...}]}``) for simple
    conditions: ``name: value`` on run fields, ``name: (section, value)`` elsewhere."""
    leaves = []
    for name, value in conditions.items():
        section, operand = value if isinstance(value, tuple) else ("run", value)
        leaves.append(
            {
                "key": {"section": section, "name": name},
                "op": "=",
                "value": operand,
                "disabled": False,
            }
        )
    return {"op": "OR", "filters": [{"op": "AND", "filters": leaves}]}


def _section(
    ctx: DemoContext, project: ProjectRow, index: int, section: tuple[str, Any, Any, Any, bool]
) -> dict[str, Any]:
    name, conditions, mongo, sort_key, ascending = section
    selected = [run.name for run in ctx.store.run_listing.list(project.pk, filters=mongo)]
    run_set = {
        "id": f"runset-{index}",
        "name": "Run set",
        "enabled": True,
        "filters": _filter_tree(conditions),
        "sort": {"key": sort_key, "ascending": ascending},
        "selections": {"root": 1, "bounds": [], "tree": selected},
        "grouping": [],
    }
    return {"name": name, "runSets": [run_set], "openRunSet": 0, "panels": []}


def seed_demo_reports(ctx: DemoContext) -> None:
    """Write the demo's two reports (a step of ``seed_demo``)."""
    for project_name, title, description, sections in _REPORTS:
        owner = ctx.team if ctx.store.projects.get(ctx.team.pk, project_name) else None
        entity_pk = owner.pk if owner is not None else ctx.user.entity_pk
        project = ctx.store.projects.get(entity_pk, project_name)
        if project is None or ctx.store.reports.page(project.pk, display_name=title):
            continue
        spec = {
            "version": 5,
            "width": "readable",
            "authors": [{"username": ctx.user.username}],
            "blocks": [{"type": "heading", "level": 1, "children": [{"text": title}]}],
            "panelGroups": [
                _section(ctx, project, index, section) for index, section in enumerate(sections)
            ],
        }
        ctx.store.reports.create(
            project.pk,
            display_name=title,
            description=description,
            spec=spec,
            creator_pk=ctx.user.pk,
        )


def seed_demo_agents(ctx: DemoContext) -> None:
    """Give every sweep of ``diffusion-sweeps`` two agents that share its runs."""
    project = ctx.store.projects.get(ctx.team.pk, "diffusion-sweeps")
    if project is None:
        return
    for sweep in ctx.store.sweeps.list(project.pk, limit=1000):
        if ctx.store.agents.of_sweep(sweep.pk):
            continue
        runs = ctx.store.run_listing.list(project.pk, filters={"sweep": sweep.name})
        for slot, host in enumerate(("gpu-node-1", "gpu-node-2")):
            mine = runs[slot::2]
            agent = ctx.store.agents.create(
                sweep.pk,
                f"agent-{slot + 1}",
                host=host,
                state="FINISHED",
                created_at=sweep.created_at,
            )
            for run in mine:
                ctx.store.agents.add_run(agent.pk, run.pk)
            last = max((run.heartbeat_at for run in mine if run.heartbeat_at), default=None)
            if last is not None:
                ctx.store.agents.heartbeat(agent.pk, at=last)


def seed_demo_service_account(ctx: DemoContext) -> None:
    """A service account in the demo team, unless it has one."""
    if not ctx.store.service_accounts.of_team(ctx.team.pk):
        ctx.store.service_accounts.create(
            ctx.team.pk, SERVICE_ACCOUNT_DESCRIPTION, username=f"{ctx.team.name}-ci"
        )
