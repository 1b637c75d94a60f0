"""Teams end to end against the local server: load one with its members, create one, invite
users and remove members; organizations.

Every test runs on both flavours (``flavor``) but one: ``test_sync_teams_over_real_http`` is the
sync ``Api`` over real HTTP to a live server."""

from __future__ import annotations

from typing import Any

import pytest

import wandbkit
from wandbkit.errors import GraphQLError, NotFoundError, UsageError
from wandbkit.server.testing import ServerHandle

from ..support import Flavor


@pytest.fixture
def env(flavor: Flavor, seeded_app: tuple[Any, Any]) -> tuple[Flavor, Any, Any]:
    """The seed's demo user (admin of demo-team) and two more users, ana and bo:
    ``(flavor, api, transport)``."""
    store = seeded_app[0].state.store
    store.accounts.create_user("ana", name="Ana Lima", email="ana@example.com")
    store.accounts.create_user("bo", email="bo@example.com")
    return flavor, flavor.api, flavor.transport


async def test_a_team_loads_with_its_members(env: Any) -> None:
    flavor, api, transport = env
    team = await flavor(api.team("demo-team"))
    assert transport.operations == ["GetTeam"]
    assert team.name == "demo-team" and team.is_team and team.id
    assert [(m.username, m.role, m.admin) for m in team.members] == [("demo", "admin", True)]
    assert team.members[0].team == "demo-team" and not team.members[0].pending
    assert "1 members" in repr(team)


async def test_missing_teams_and_personal_entities_are_not_found(env: Any) -> None:
    flavor, api, transport = env
    with pytest.raises(NotFoundError, match="team 'ghost' not found"):
        await flavor(api.team("ghost"))
    with pytest.raises(NotFoundError, match="team 'demo' not found"):
        await flavor(api.team("demo"))  # the demo user's own entity
    transport.clear()
    with pytest.raises(UsageError, match="team must be a name"):
        await flavor(api.team("bad name"))
    assert transport.requests == []


async def test_create_invite_and_remove(env: Any) -> None:
    flavor, api, transport = env
    team = await flavor(api.create_team("vision"))
    assert [m.username for m in team.members] == ["demo"]
    assert await flavor(team.invite("ana")) is True
    assert await flavor(team.invite("bo@example.com", admin=True)) is True
    await flavor(team.load(force=True))
    roles = {m.username: m.role for m in team.members}
    assert roles == {"demo": "admin", "ana": "member", "bo": "admin"}
    ana = next(m for m in team.members if m.username == "ana")
    assert ana.name == "Ana Lima" and ana.email == "ana@example.com"
    assert await flavor(ana.delete()) is True
    assert await flavor(ana.delete()) is False  # no longer a member
    assert [m.username for m in (await flavor(api.team("vision"))).members] == ["demo", "bo"]
    assert "CreateTeam" in transport.operations and "RemoveTeamMember" in transport.operations


async def test_refusals_raise_with_the_servers_reason(env: Any) -> None:
    flavor, api, transport = env
    team = await flavor(api.team("demo-team"))
    with pytest.raises(GraphQLError, match="no user 'nobody'"):
        await flavor(team.invite("nobody"))
    with pytest.raises(GraphQLError, match="already exists"):
        await flavor(api.create_team("demo-team"))
    with pytest.raises(GraphQLError, match="the last admin"):
        await flavor(team.members[0].delete())
    transport.clear()
    for bad in ("", "  ", None):
        with pytest.raises(UsageError, match="username_or_email"):
            await flavor(team.invite(bad))
    with pytest.raises(UsageError, match="admin must be a bool"):
        await flavor(team.invite("ana", admin="yes"))
    with pytest.raises(UsageError, match="admin_username must be a name"):
        await flavor(api.create_team("fine", admin_username="no spaces please"))
    assert transport.requests == []


async def test_an_organization_by_name_or_from_the_default_entity(env: Any) -> None:
    flavor, api, transport = env
    org = await flavor(api.organization("demo-org"))
    assert org.name == "demo-org" and org.id
    assert org.org_entity is not None and org.org_entity.entity_type == "organization"
    assert transport.operations == ["GetOrganization"]
    # Without a name: the default entity's (demo is in no organization, its team is).
    with pytest.raises(UsageError, match="'demo' is in no organization"):
        await flavor(api.organization())
    async with flavor.connect(entity="demo-team") as in_team:
        assert (await flavor(in_team.organization())).name == "demo-org"
    async with flavor.connect(overrides={"organization": "demo-org"}) as by_override:
        assert (await flavor(by_override.organization())) == org
    with pytest.raises(NotFoundError, match="organization 'nope' not found"):
        await flavor(api.organization("nope"))


def test_sync_teams_over_real_http(api: wandbkit.Api, live_server: ServerHandle) -> None:
    live_server.store.accounts.create_user("cy", email="cy@example.com")
    team = api.create_team("sync-team")
    assert team.invite("cy")
    loaded = api.team("sync-team")
    assert sorted(m.username or "" for m in loaded.members) == ["cy", live_server.seed.username]
    (cy,) = [m for m in loaded.members if m.username == "cy"]
    assert cy.delete() is True
    assert len(api.team("sync-team").members) == 1
