"""Fixtures for the local server's tests: an in-process app, an authenticated client, helpers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from wandbkit.server import SeedResult, Store
from wandbkit.server.testing import asgi_transport, basic_auth_header, make_seeded_app

BASE_URL = "http://wandbkit.test"
REFERENCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference"

PostGraphQL = Callable[..., Awaitable[httpx.Response]]


@dataclass
class ServerApp:
    """The in-process server under test."""

    app: Starlette
    store: Store
    seed: SeedResult


@pytest.fixture
def server_app() -> ServerApp:
    """A fresh in-memory store seeded with ``seed_basic``, and the app over it."""
    app, seed = make_seeded_app()
    return ServerApp(app=app, store=app.state.store, seed=seed)


@pytest.fixture
async def anonymous_client(server_app: ServerApp) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client bound to the app in-process, sending no credentials."""
    async with httpx.AsyncClient(
        transport=asgi_transport(server_app.app), base_url=BASE_URL
    ) as client:
        yield client


@pytest.fixture
async def client(server_app: ServerApp) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client bound to the app in-process, authenticated like the official client."""
    async with httpx.AsyncClient(
        transport=asgi_transport(server_app.app),
        base_url=BASE_URL,
        headers=basic_auth_header(server_app.seed.api_key),
    ) as client:
        yield client


@pytest.fixture
def gql(client: httpx.AsyncClient) -> PostGraphQL:
    """``await gql(query, variables=None, **body)``: POST a GraphQL request as the seed user.

    Extra keyword arguments become body keys (``operationName=""``); ``variables=...`` is
    left out of the body unless given.
    """

    async def post(
        query: str, variables: dict[str, Any] | None = None, **body: Any
    ) -> httpx.Response:
        payload: dict[str, Any] = {"query": query, **body}
        if variables is not None:
            payload["variables"] = variables
        return await client.post("/graphql", json=payload)

    return post


def data_of(response: httpx.Response) -> dict[str, Any]:
    """The ``data`` of a 200 response without errors (failing with the errors otherwise)."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


@pytest.fixture
def data() -> Callable[[httpx.Response], dict[str, Any]]:
    """:func:`data_of` as a fixture, so test modules need not import from conftest."""
    return data_of


@pytest.fixture
def reference() -> Path:
    """``../shared/reference`` beside the checkout; skips when it is absent (a plain clone)."""
    path = REFERENCE.resolve()
    if not path.is_dir():
        pytest.skip(f"reference material not present at {path}")
    return path
