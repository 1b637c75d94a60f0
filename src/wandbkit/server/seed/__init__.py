"""Seed data for the local server: a working account, and a demo workspace on top of it.

``seed_basic`` makes the smallest useful world (an organization, a user with a personal
entity, a team, an API key). ``seed_demo`` adds realistic projects and their runs (with
histories and files, see :mod:`wandbkit.server.seed.demo_runs`); later domains (artifacts,
registries, automations, launch) add their own steps to :data:`DEMO_STEPS`.
``seed_runs_benchmark`` bulk-loads a big project for performance tests.

This module is the one place that orders the steps. The step modules (``basic``,
``demo_runs``, ``benchmark``, later ``artifacts``) import only from
:mod:`wandbkit.server.seed.catalog`, never from each other.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from wandbkit.server.seed.artifacts import (
    ArtifactBenchmarkSeed,
    ArtifactSeed,
    seed_artifacts_benchmark,
    seed_basic_artifacts,
    seed_demo_artifacts,
)
from wandbkit.server.seed.automations import seed_demo_automations
from wandbkit.server.seed.basic import seed_basic, seed_demo_projects
from wandbkit.server.seed.benchmark import BenchmarkSeed, seed_runs_benchmark
from wandbkit.server.seed.catalog import DEMO_PROJECTS, DemoContext, DemoProject, SeedResult
from wandbkit.server.seed.demo_runs import seed_demo_runs
from wandbkit.server.seed.launch import DEMO_LAUNCH_PROJECTS, seed_demo_launch
from wandbkit.server.seed.people import (
    seed_demo_agents,
    seed_demo_reports,
    seed_demo_service_account,
)
from wandbkit.server.seed.registries import (
    DEMO_REGISTRIES,
    seed_basic_registries,
    seed_demo_registries,
)
from wandbkit.server.store import Store

__all__ = [
    "DEMO_LAUNCH_PROJECTS",
    "DEMO_PROJECTS",
    "DEMO_REGISTRIES",
    "DEMO_STEPS",
    "ArtifactBenchmarkSeed",
    "ArtifactSeed",
    "BenchmarkSeed",
    "DemoContext",
    "DemoProject",
    "SeedResult",
    "seed_artifacts_benchmark",
    "seed_basic",
    "seed_basic_artifacts",
    "seed_basic_registries",
    "seed_demo",
    "seed_demo_artifacts",
    "seed_demo_automations",
    "seed_demo_launch",
    "seed_demo_projects",
    "seed_demo_runs",
    "seed_runs_benchmark",
]

#: The steps of :func:`seed_demo`, in order. Artifacts and registries append theirs.
DEMO_STEPS: list[Callable[[DemoContext], None]] = [
    seed_demo_projects,
    seed_demo_runs,
    seed_demo_artifacts,
    seed_demo_registries,
    seed_demo_reports,
    seed_demo_agents,
    seed_demo_service_account,
    seed_demo_automations,
    seed_demo_launch,
]


def seed_demo(
    store: Store,
    *,
    username: str = "demo",
    team: str = "demo-team",
    organization: str = "demo-org",
    api_key: str | None = None,
    now: datetime | None = None,
) -> SeedResult:
    """:func:`seed_basic`, plus a realistic workspace: projects spread over the past months,
    each with runs (configs, summaries, histories, files), and a second team member.

    Args:
        store: the store to write to.
        username: see :func:`seed_basic`.
        team: see :func:`seed_basic`.
        organization: see :func:`seed_basic`.
        api_key: see :func:`seed_basic`.
        now: the moment the demo's ages are counted back from (default: now).

    Returns:
        The names and the API key, as :func:`seed_basic` does.
    """
    seed = seed_basic(
        store, username=username, team=team, organization=organization, api_key=api_key
    )
    user = store.accounts.get_user(seed.username)
    team_row = store.entities.get(seed.team)
    assert user is not None and team_row is not None
    ctx = DemoContext(store, seed, user, team_row, now or datetime.now(timezone.utc))
    for step in DEMO_STEPS:
        step(ctx)
    return seed
