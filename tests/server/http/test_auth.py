"""Every /graphql request needs an API key: Basic (any username) or Bearer; 401 otherwise."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from wandbkit.server.http.auth import api_key_from_authorization
from wandbkit.server.testing import basic_auth_header as basic_auth

from ..conftest import ServerApp

VIEWER = {"query": "{ viewer { username } }"}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("Bearer k123", "k123"),
        ("bearer   k123  ", "k123"),
        ("Basic " + base64.b64encode(b"api:k123").decode(), "k123"),
        ("BASIC " + base64.b64encode(b"someone:k123").decode(), "k123"),
        ("Basic " + base64.b64encode(b"k123").decode(), "k123"),
        ("Basic " + base64.b64encode(b"api:").decode(), None),
        ("Basic not-base64!", None),
        ("Bearer", None),
        ("Token k123", None),
    ],
)
def test_the_api_key_is_read_from_basic_or_bearer_headers(
    header: str | None, expected: str | None
) -> None:
    assert api_key_from_authorization(header) == expected


def assert_unauthorized(response: httpx.Response, secret: str | None = None) -> None:
    assert response.status_code == 401
    body = response.json()
    assert list(body) == ["errors"]
    assert len(body["errors"]) == 1 and body["errors"][0]["message"]
    if secret is not None:
        assert secret not in response.text
        assert secret not in str(response.headers)


async def test_a_request_without_credentials_is_401(anonymous_client: httpx.AsyncClient) -> None:
    assert_unauthorized(await anonymous_client.post("/graphql", json=VIEWER))


async def test_a_wrong_key_is_401_and_the_key_is_never_echoed(
    anonymous_client: httpx.AsyncClient,
) -> None:
    wrong = "f" * 40
    for headers in (basic_auth(wrong), {"Authorization": f"Bearer {wrong}"}):
        response = await anonymous_client.post("/graphql", json=VIEWER, headers=headers)
        assert_unauthorized(response, secret=wrong)
        # Nor its base64 form, which is what actually travelled.
        assert headers["Authorization"].split()[1] not in response.text


async def test_an_unknown_scheme_is_401(
    anonymous_client: httpx.AsyncClient, server_app: ServerApp
) -> None:
    response = await anonymous_client.post(
        "/graphql", json=VIEWER, headers={"Authorization": f"Token {server_app.seed.api_key}"}
    )
    assert_unauthorized(response, secret=server_app.seed.api_key)


async def test_auth_is_checked_before_the_body_is_read(
    anonymous_client: httpx.AsyncClient,
) -> None:
    response = await anonymous_client.post("/graphql", content=b"not json")
    assert response.status_code == 401


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(lambda key: basic_auth(key), id="basic-api"),
        pytest.param(lambda key: basic_auth(key, username="demo"), id="basic-any-username"),
        pytest.param(lambda key: {"Authorization": f"Bearer {key}"}, id="bearer"),
    ],
)
async def test_a_valid_key_authenticates_as_its_user(
    anonymous_client: httpx.AsyncClient, server_app: ServerApp, headers: Any
) -> None:
    response = await anonymous_client.post(
        "/graphql", json=VIEWER, headers=headers(server_app.seed.api_key)
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"viewer": {"username": server_app.seed.username}}}


async def test_a_second_key_for_the_same_user_also_works(
    anonymous_client: httpx.AsyncClient, server_app: ServerApp
) -> None:
    user = server_app.store.accounts.get_user(server_app.seed.username)
    assert user is not None
    key, _ = server_app.store.accounts.create_api_key(user.pk, name="ci")
    response = await anonymous_client.post("/graphql", json=VIEWER, headers=basic_auth(key))
    assert response.json()["data"]["viewer"]["username"] == server_app.seed.username


async def test_a_revoked_key_is_401(
    anonymous_client: httpx.AsyncClient, server_app: ServerApp
) -> None:
    user = server_app.store.accounts.get_user(server_app.seed.username)
    assert user is not None
    key, row = server_app.store.accounts.create_api_key(user.pk)
    assert server_app.store.accounts.delete_api_key(row.pk)
    response = await anonymous_client.post("/graphql", json=VIEWER, headers=basic_auth(key))
    assert_unauthorized(response, secret=key)


async def test_official_client_headers_are_ignored(
    anonymous_client: httpx.AsyncClient, server_app: ServerApp
) -> None:
    headers = {
        **basic_auth(server_app.seed.api_key),
        "User-Agent": "W&B Public Client 0.31.0",
        "Use-Admin-Privileges": "true",
        "X-Wandb-User-Email": "",
        "X-Wandb-Username": "",
        "Accept-Encoding": "gzip",
    }
    response = await anonymous_client.post("/graphql", json=VIEWER, headers=headers)
    assert response.json()["data"]["viewer"]["username"] == server_app.seed.username


async def test_healthz_needs_no_key(anonymous_client: httpx.AsyncClient) -> None:
    response = await anonymous_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True}
