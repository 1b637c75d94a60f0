"""Users and API keys over GraphQL: searching and creating users (instance admins only),
generating and revoking keys (a revoked key fails the next request), and service accounts."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from wandbkit.server.ids import encode_id
from wandbkit.server.testing import asgi_transport, basic_auth_header

from ..conftest import BASE_URL, Data, PostGraphQL, ServerApp, official_document
from ..runs_support import error_of

SEARCH = "query ($q: String) { users(query: $q) { edges { node { username email admin } } } }"
CREATE_USER = """
mutation ($email: String!, $admin: Boolean) {
  createUser(input: {email: $email, admin: $admin}) { user { username email admin } }
}
"""
GENERATE = """
mutation ($d: String) {
  generateApiKey(input: {description: $d}) { apiKey { id name description } }
}
"""
DELETE = "mutation ($id: String!) { deleteApiKey(input: {id: $id}) { success } }"
KEYS = "{ viewer { apiKeys { edges { node { id name description } } } } }"
SERVICE = """
mutation ($e: String!, $d: String!) {
  createServiceAccount(input: {entityName: $e, description: $d}) { user { id username } }
}
"""
MEMBERS = "query ($n: String!) { entity(name: $n) { members { username accountType apiKey } } }"


@pytest.fixture
def admin_key(server_app: ServerApp) -> str:
    """The key of "root", an instance admin."""
    root = server_app.store.accounts.create_user("root", email="root@example.com", admin=True)
    key, _ = server_app.store.accounts.create_api_key(root.pk)
    return key


async def post_as(server_app: ServerApp, key: str, query: str, variables: Any = None) -> Any:
    async with httpx.AsyncClient(
        transport=asgi_transport(server_app.app), base_url=BASE_URL, headers=basic_auth_header(key)
    ) as client:
        return await client.post("/graphql", json={"query": query, "variables": variables or {}})


async def test_an_admin_searches_users_by_part_of_a_name_or_address(
    server_app: ServerApp, admin_key: str, data: Data
) -> None:
    server_app.store.accounts.create_user("ana", email="ana@lab.org")
    found = data(await post_as(server_app, admin_key, SEARCH, {"q": "LAB.org"}))
    assert found["users"]["edges"] == [
        {"node": {"username": "ana", "email": "ana@lab.org", "admin": False}}
    ]
    everyone = data(await post_as(server_app, admin_key, SEARCH, {"q": None}))
    assert {e["node"]["username"] for e in everyone["users"]["edges"]} == {"demo", "root", "ana"}
    # LIKE wildcards in the query are taken literally.
    none = data(await post_as(server_app, admin_key, SEARCH, {"q": "%"}))
    assert none["users"]["edges"] == []


async def test_a_non_admin_is_told_why_searching_and_creating_users_fails(
    gql: PostGraphQL,
) -> None:
    error = error_of(await gql(SEARCH, {"q": "a"}))
    assert error["extensions"]["code"] == "PERMISSION_DENIED"
    assert "only instance admins" in error["message"] and "'demo'" in error["message"]
    error = error_of(await gql(CREATE_USER, {"email": "x@example.com"}))
    assert error["extensions"]["code"] == "PERMISSION_DENIED"
    assert error["message"].startswith("createUser: permission denied")


async def test_an_admin_creates_users_with_unique_usernames(
    server_app: ServerApp, admin_key: str, data: Data
) -> None:
    made = data(await post_as(server_app, admin_key, CREATE_USER, {"email": "demo@other.org"}))
    # "demo" is taken, so the new user is demo-2.
    assert made["createUser"]["user"] == {
        "username": "demo-2",
        "email": "demo@other.org",
        "admin": False,
    }
    boss = data(
        await post_as(server_app, admin_key, CREATE_USER, {"email": "b@o.ss", "admin": True})
    )
    assert boss["createUser"]["user"]["admin"] is True
    again = error_of(await post_as(server_app, admin_key, CREATE_USER, {"email": "B@O.SS"}))
    assert "already exists" in again["message"]
    bad = error_of(await post_as(server_app, admin_key, CREATE_USER, {"email": "nobody"}))
    assert bad["extensions"]["code"] == "BAD_USER_INPUT" and "email must look" in bad["message"]


async def test_a_generated_key_works_at_once_and_stops_working_once_deleted(
    server_app: ServerApp, gql: PostGraphQL, data: Data
) -> None:
    made = data(await gql(GENERATE, {"d": "ci"}))["generateApiKey"]["apiKey"]
    secret = made["name"]
    assert made["description"] == "ci" and len(secret) == 40
    ok = await post_as(server_app, secret, "{ viewer { username } }")
    assert ok.json()["data"]["viewer"]["username"] == "demo"
    listed = data(await gql(KEYS))["viewer"]["apiKeys"]["edges"]
    names = [edge["node"]["name"] for edge in listed]
    # Listed names are labels, never secrets (the store keeps only hashes).
    assert secret not in names and len(names) == 2
    assert data(await gql(DELETE, {"id": made["id"]}))["deleteApiKey"] == {"success": True}
    refused = await post_as(server_app, secret, "{ viewer { username } }")
    assert refused.status_code == 401


async def test_keys_of_others_and_unknown_ids_cannot_be_deleted(
    server_app: ServerApp, gql: PostGraphQL
) -> None:
    ana = server_app.store.accounts.create_user("ana")
    _, key = server_app.store.accounts.create_api_key(ana.pk)
    for key_id in (encode_id("ApiKey", key.pk), encode_id("ApiKey", 999)):
        error = error_of(await gql(DELETE, {"id": key_id}))
        assert error["extensions"]["code"] == "NOT_FOUND"
    error = error_of(await gql(DELETE, {"id": "junk"}))
    assert "is not an API key id" in error["message"]
    assert server_app.store.accounts.get_api_key(key.pk) is not None


async def test_a_service_account_key_works_at_once_and_only_admins_read_it(
    server_app: ServerApp, gql: PostGraphQL, data: Data
) -> None:
    made = data(await gql(SERVICE, {"e": "demo-team", "d": "nightly eval"}))
    user = made["createServiceAccount"]["user"]
    members = data(await gql(MEMBERS, {"n": "demo-team"}))["entity"]["members"]
    service = next(m for m in members if m["username"] == user["username"])
    assert service["accountType"] == "SERVICE" and service["apiKey"]
    as_service = await post_as(server_app, service["apiKey"], "{ viewer { username } }")
    assert as_service.json()["data"]["viewer"]["username"] == user["username"]
    # A plain member of the team does not see the key.
    ana = server_app.store.accounts.create_user("ana")
    team = server_app.store.entities.get("demo-team")
    assert team is not None
    server_app.store.entities.add_team_member(team.pk, ana.pk)
    ana_key, _ = server_app.store.accounts.create_api_key(ana.pk)
    seen = (await post_as(server_app, ana_key, MEMBERS, {"n": "demo-team"})).json()
    assert all(m["apiKey"] is None for m in seen["data"]["entity"]["members"])
    refused = error_of(await post_as(server_app, ana_key, SERVICE, {"e": "demo-team", "d": "x"}))
    assert refused["extensions"]["code"] == "PERMISSION_DENIED"
    missing = error_of(await gql(SERVICE, {"e": "ghost", "d": "x"}))
    assert "no team named 'ghost'" in missing["message"]


async def test_the_official_user_documents_run(
    server_app: ServerApp, admin_key: str, data: Data
) -> None:
    search = await post_as(server_app, admin_key, official_document("SearchUsers"), {"query": "d"})
    (user,) = data(search)["users"]["edges"]
    assert user["node"]["username"] == "demo" and user["node"]["apiKeys"]["edges"]
    created = await post_as(
        server_app, admin_key, official_document("CreateUserFromAdmin"), {"email": "n@e.w"}
    )
    assert data(created)["result"]["user"]["username"] == "n"
    key = await post_as(server_app, admin_key, official_document("GenerateApiKey"), {})
    key_id = data(key)["result"]["apiKey"]["id"]
    gone = await post_as(server_app, admin_key, official_document("DeleteApiKey"), {"id": key_id})
    assert data(gone)["result"] == {"success": True}
    service = await post_as(
        server_app,
        admin_key,
        official_document("CreateServiceAccount"),
        {"entity": "demo-team", "description": "bot"},
    )
    assert data(service)["result"]["user"]["id"]
    team = await post_as(
        server_app, admin_key, official_document("GetTeamEntity"), {"name": "demo-team"}
    )
    kinds = [m["accountType"] for m in data(team)["entity"]["members"]]
    assert kinds == ["USER", "SERVICE"]
