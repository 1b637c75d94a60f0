"""Seed data for the local server: a working account, and a demo workspace on top of it.

``seed_basic`` makes the smallest useful world (an organization, a user with a personal
entity, a team, an API key). ``seed_demo`` adds realistic projects and their runs (with
histories and files, see :mod:`wandbkit.server.seed_runs`); later domains (artifacts,
registries) add their own steps to :data:`DEMO_STEPS`.

Both are idempotent enough to run on an existing database: what exists is reused, and each
call issues a new API key (unless the caller supplies one).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from wandbkit.server.seed_catalog import DEMO_PROJECTS, DemoContext, DemoProject, SeedResult
from wandbkit.server.seed_runs import seed_demo_runs
from wandbkit.server.store import Store
from wandbkit.server.store.text import utc_timestamp

__all__ = [
    "DEMO_PROJECTS",
    "DEMO_STEPS",
    "DemoContext",
    "DemoProject",
    "SeedResult",
    "seed_basic",
    "seed_demo",
    "seed_demo_projects",
]


def seed_basic(
    store: Store,
    *,
    username: str = "demo",
    team: str = "demo-team",
    organization: str = "demo-org",
    api_key: str | None = None,
    email: str | None = None,
    full_name: str | None = None,
) -> SeedResult:
    """Create (or reuse) an organization, a user, a team in the organization, and an API key.

    The user is an admin of the team and of the organization, and works in their personal
    entity by default.

    Args:
        store: the store to write to.
        username: the user's name, also their personal entity's name.
        team: the team's name.
        organization: the organization's name (its own entity gets the same name).
        api_key: register this key instead of generating one.
        email: the user's email (default ``<username>@example.com``).
        full_name: the user's display name (default: derived from ``username``).

    Returns:
        The names and the API key.

    Raises:
        wandbkit.server.store.StoreError: a bad name, or a name taken by another kind of
            entity (for example ``team`` equal to an existing user's name).
    """
    org = store.entities.get_organization(organization) or store.entities.create_organization(
        organization
    )
    user = store.accounts.get_user(username) or store.accounts.create_user(
        username,
        name=full_name or username.replace("-", " ").replace("_", " ").title(),
        email=email or f"{username}@example.com",
    )
    store.entities.add_organization_member(org.pk, user.pk, role="admin")
    team_row = store.entities.get(team) or store.entities.create_team(team, organization_pk=org.pk)
    store.entities.add_team_member(team_row.pk, user.pk, role="admin")
    key, _ = store.accounts.create_api_key(user.pk, key=api_key, name="wandbkit-seed")
    default_entity = store.entities.get_by_pk(user.default_entity_pk)
    assert default_entity is not None
    return SeedResult(
        api_key=key,
        username=user.username,
        entity=default_entity.name,
        team=team_row.name,
        organization=org.name,
    )


def seed_demo_projects(ctx: DemoContext) -> None:
    """Create the :data:`DEMO_PROJECTS` that do not exist yet."""
    for demo in DEMO_PROJECTS:
        entity_pk = ctx.user.entity_pk if demo.owner == "user" else ctx.team.pk
        if ctx.store.projects.get(entity_pk, demo.name) is not None:
            continue
        ctx.store.projects.upsert(
            entity_pk,
            demo.name,
            creator_pk=ctx.user.pk,
            description=demo.description,
            access=demo.access,
            created_at=utc_timestamp(
                ctx.now - timedelta(days=demo.days_ago, hours=demo.days_ago % 11)
            ),
        )


#: The steps of :func:`seed_demo`, in order. Artifacts and registries append theirs.
DEMO_STEPS: list[Callable[[DemoContext], None]] = [seed_demo_projects, seed_demo_runs]


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
