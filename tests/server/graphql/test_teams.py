"""Teams: createTeam, createInvite and deleteInvite, with who may do what."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from wandbkit.server.ids import encode_id
from wandbkit.server.testing import asgi_transport, basic_auth_header

from ..conftest import BASE_URL, Data, PostGraphQL, ServerApp
from ..runs_support import error_of

CREATE_TEAM = """
mutation ($name: String!, $admin: String) {
  createTeam(input: {teamName: $name, teamAdminUserName: $admin}) { entity { name isTeam } }
}
"""
INVITE = """
mutation ($team: String!, $username: String, $email: String, $admin: Boolean) {
  createInvite(input: {entityName: $team, username: $username, email: $email, admin: $admin}) {
    invite { id name email toUser { username } }
  }
}
"""
REMOVE = """
mutation ($team: String!, $id: String) {
  deleteInvite(input: {entityName: $team, id: $id}) { success }
}
"""
MEMBERS = "query ($name: String!) { entity(name: $name) { members { username role admin } } }"


@pytest.fixture
def others(server_app: ServerApp) -> dict[str, Any]:
    """Two more users, "ana" (with a key) and "bo"; neither is in demo-team."""
    store = server_app.store
    ana = store.accounts.create_user("ana", email="Ana@Example.com")
    bo = store.accounts.create_user("bo", email="bo@example.com")
    key, _ = store.accounts.create_api_key(ana.pk)
    return {"ana": ana, "bo": bo, "ana_key": key}


async def as_user(server_app: ServerApp, key: str, query: str, variables: dict[str, Any]) -> Any:
    async with httpx.AsyncClient(
        transport=asgi_transport(server_app.app), base_url=BASE_URL, headers=basic_auth_header(key)
    ) as client:
        return await client.post("/graphql", json={"query": query, "variables": variables})


async def members(gql: PostGraphQL, data: Data, team: str) -> dict[str, str]:
    found = data(await gql(MEMBERS, {"name": team}))["entity"]["members"]
    return {m["username"]: m["role"] for m in found}


async def test_a_new_team_has_its_creator_as_admin(gql: PostGraphQL, data: Data) -> None:
    created = data(await gql(CREATE_TEAM, {"name": "vision"}))["createTeam"]["entity"]
    assert created == {"name": "vision", "isTeam": True}
    assert await members(gql, data, "vision") == {"demo": "admin"}
    taken = error_of(await gql(CREATE_TEAM, {"name": "vision"}))
    assert "already exists" in taken["message"]
    bad = error_of(await gql(CREATE_TEAM, {"name": "has space"}))
    assert "may only contain" in bad["message"]


async def test_only_an_instance_admin_names_another_admin(
    gql: PostGraphQL, data: Data, server_app: ServerApp, others: dict[str, Any]
) -> None:
    refused = error_of(await gql(CREATE_TEAM, {"name": "nlp", "admin": "ana"}))
    assert "only an instance admin" in refused["message"]
    server_app.store.db.connection.execute("UPDATE users SET admin = 1 WHERE username = 'demo'")
    data(await gql(CREATE_TEAM, {"name": "nlp", "admin": "ana"}))
    assert await members(gql, data, "nlp") == {"ana": "admin"}
    missing = error_of(await gql(CREATE_TEAM, {"name": "nlp2", "admin": "nobody"}))
    assert "no user named 'nobody'" in missing["message"]


async def test_an_admin_invites_by_username_or_email_and_removes_members(
    gql: PostGraphQL, data: Data, others: dict[str, Any]
) -> None:
    invite = data(await gql(INVITE, {"team": "demo-team", "username": "bo"}))["createInvite"]
    assert invite["invite"]["toUser"] == {"username": "bo"}
    by_mail = data(
        await gql(INVITE, {"team": "demo-team", "email": "ana@example.com", "admin": True})
    )
    assert by_mail["createInvite"]["invite"]["name"] == "ana"
    assert (await members(gql, data, "demo-team"))["ana"] == "admin"
    bo_id = encode_id("User", others["bo"].pk)
    assert data(await gql(REMOVE, {"team": "demo-team", "id": bo_id}))["deleteInvite"] == {
        "success": True
    }
    assert "bo" not in await members(gql, data, "demo-team")
    again = data(await gql(REMOVE, {"team": "demo-team", "id": bo_id}))["deleteInvite"]
    assert again == {"success": False}


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"team": "demo-team", "username": "nobody"}, "no user 'nobody'"),
        ({"team": "demo-team"}, "a username or an email"),
        ({"team": "demo-team", "username": "bo", "email": "bo@example.com"}, "not both"),
        ({"team": "demo", "username": "bo"}, "no team named 'demo'"),  # a personal entity
        ({"team": "ghost", "username": "bo"}, "no team named 'ghost'"),
    ],
)
async def test_invites_that_cannot_be_made_say_why(
    gql: PostGraphQL, others: dict[str, Any], variables: dict[str, Any], message: str
) -> None:
    assert message in error_of(await gql(INVITE, variables))["message"]


async def test_members_manage_nobody_but_themselves_and_the_last_admin_stays(
    gql: PostGraphQL, data: Data, server_app: ServerApp, others: dict[str, Any]
) -> None:
    data(await gql(INVITE, {"team": "demo-team", "username": "ana"}))
    data(await gql(INVITE, {"team": "demo-team", "username": "bo"}))
    key = others["ana_key"]
    refused = await as_user(server_app, key, INVITE, {"team": "demo-team", "username": "bo"})
    assert "only an admin of team 'demo-team'" in error_of(refused)["message"]
    bo_id = encode_id("User", others["bo"].pk)
    refused = await as_user(server_app, key, REMOVE, {"team": "demo-team", "id": bo_id})
    assert "only an admin" in error_of(refused)["message"]
    ana_id = encode_id("User", others["ana"].pk)
    left = await as_user(server_app, key, REMOVE, {"team": "demo-team", "id": ana_id})
    assert left.json()["data"]["deleteInvite"] == {"success": True}
    demo_id = encode_id("User", server_app.store.accounts.get_user("demo").pk)  # type: ignore[union-attr]
    last = error_of(await gql(REMOVE, {"team": "demo-team", "id": demo_id}))
    assert "the last admin" in last["message"]
    bad = error_of(await gql(REMOVE, {"team": "demo-team", "id": "nope"}))
    assert "is not a member id" in bad["message"]
