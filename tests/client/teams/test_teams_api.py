"""Teams end to end against the local server: load one with its members, create one, invite
users and remove members."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

import wandbkit
from wandbkit.errors import GraphQLError, NotFoundError, UsageError
from wandbkit.server.testing import ServerHandle

from ..support import RecordingTransport, recording_api


@pytest.fixture
async def env(
    seeded_app: tuple[Any, Any],
) -> AsyncIterator[tuple[wandbkit.AsyncApi, RecordingTransport, Any]]:
    """The seed's demo user (admin of demo-team) and two more users, ana and bo."""
    app, seed = seeded_app
    store = app.state.store
    store.accounts.create_user("ana", name="Ana Lima", email="ana@example.com")
    store.accounts.create_user("bo", email="bo@example.com")
    async with recording_api(app, seed.api_key) as (api, transport):
        yield api, transport, store


async def test_a_team_loads_with_its_members(env: Any) -> None:
    api, transport, _ = env
    team = await api.team("demo-team")
    assert transport.operations == ["GetTeam"]
    assert team.name == "demo-team" and team.is_team and team.id
    assert [(m.username, m.role, m.admin) for m in team.members] == [("demo", "admin", True)]
    assert team.members[0].team == "demo-team" and not team.members[0].pending
    assert "1 members" in repr(team)


async def test_missing_teams_and_personal_entities_are_not_found(env: Any) -> None:
    api, transport, _ = env
    with pytest.raises(NotFoundError, match="team 'ghost' not found"):
        await api.team("ghost")
    with pytest.raises(NotFoundError, match="team 'demo' not found"):
        await api.team("demo")  # the demo user's own entity
    transport.clear()
    with pytest.raises(UsageError, match="team must be a name"):
        await api.team("bad name")
    assert transport.requests == []


async def test_create_invite_and_remove(env: Any) -> None:
    api, transport, _ = env
    team = await api.create_team("vision")
    assert [m.username for m in team.members] == ["demo"]
    assert await team.invite("ana") is True
    assert await team.invite("bo@example.com", admin=True) is True
    await team.load(force=True)
    roles = {m.username: m.role for m in team.members}
    assert roles == {"demo": "admin", "ana": "member", "bo": "admin"}
    ana = next(m for m in team.members if m.username == "ana")
    assert ana.name == "Ana Lima" and ana.email == "ana@example.com"
    assert await ana.delete() is True
    assert await ana.delete() is False  # no longer a member
    assert [m.username for m in (await api.team("vision")).members] == ["demo", "bo"]
    assert "CreateTeam" in transport.operations and "RemoveTeamMember" in transport.operations


async def test_refusals_raise_with_the_servers_reason(env: Any) -> None:
    api, transport, _ = env
    team = await api.team("demo-team")
    with pytest.raises(GraphQLError, match="no user 'nobody'"):
        await team.invite("nobody")
    with pytest.raises(GraphQLError, match="already exists"):
        await api.create_team("demo-team")
    with pytest.raises(GraphQLError, match="the last admin"):
        await team.members[0].delete()
    transport.clear()
    for bad in ("", "  ", None):
        with pytest.raises(UsageError, match="username_or_email"):
            await team.invite(bad)
    with pytest.raises(UsageError, match="admin must be a bool"):
        await team.invite("ana", admin="yes")
    with pytest.raises(UsageError, match="admin_username must be a name"):
        await api.create_team("fine", admin_username="no spaces please")
    assert transport.requests == []


async def test_an_organization_by_name_or_from_the_default_entity(
    env: Any, seeded_app: tuple[Any, Any]
) -> None:
    api, transport, _ = env
    org = await api.organization("demo-org")
    assert org.name == "demo-org" and org.id
    assert org.org_entity is not None and org.org_entity.entity_type == "organization"
    assert transport.operations == ["GetOrganization"]
    # Without a name: the default entity's (demo is in no organization, its team is).
    with pytest.raises(UsageError, match="'demo' is in no organization"):
        await api.organization()
    _, seed = seeded_app
    async with wandbkit.AsyncApi(
        api_key=seed.api_key,
        base_url="http://wandbkit.test",
        transport=transport,
        entity="demo-team",
    ) as in_team:
        assert (await in_team.organization()).name == "demo-org"
    async with wandbkit.AsyncApi(
        api_key=seed.api_key,
        base_url="http://wandbkit.test",
        transport=transport,
        overrides={"organization": "demo-org"},
    ) as by_override:
        assert (await by_override.organization()) == org
    with pytest.raises(NotFoundError, match="organization 'nope' not found"):
        await api.organization("nope")


def test_sync_teams_over_real_http(api: wandbkit.Api, live_server: ServerHandle) -> None:
    live_server.store.accounts.create_user("cy", email="cy@example.com")
    team = api.create_team("sync-team")
    assert team.invite("cy")
    loaded = api.team("sync-team")
    assert sorted(m.username or "" for m in loaded.members) == ["cy", live_server.seed.username]
    (cy,) = [m for m in loaded.members if m.username == "cy"]
    assert cy.delete() is True
    assert len(api.team("sync-team").members) == 1
