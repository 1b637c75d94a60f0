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
#: The documents the official client sends, one ``<name>.graphql`` each.
OFFICIAL_OPS = (REFERENCE / "official-ops").resolve()
#: The documents the official SDK (wandb-core) sends when a script writes (artifact publishing).
SDK_OPS = (REFERENCE / "official-sdk-wire" / "ops").resolve()

PostGraphQL = Callable[..., Awaitable[httpx.Response]]
Data = Callable[[httpx.Response], dict[str, Any]]


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
def data() -> Data:
    """:func:`data_of` as a fixture, so test modules need not import from conftest."""
    return data_of


def require_official_ops() -> Path:
    """:data:`OFFICIAL_OPS`; skips the test when the reference material is absent (a plain
    clone)."""
    if not OFFICIAL_OPS.is_dir():
        pytest.skip(f"reference material not present at {OFFICIAL_OPS}")
    return OFFICIAL_OPS


def official_document(name: str) -> str:
    """The official client's document ``name`` (``GetViewer``, ``wandb-core/Viewer``).

    Skips the test without the reference material; a document missing from material that is
    present fails it (a renamed or dropped document must not pass silently).
    """
    path = require_official_ops() / f"{name}.graphql"
    assert path.is_file(), f"{path} is missing from the reference material"
    return path.read_text()


def sdk_document(name: str) -> str:
    """The official SDK's document ``name`` (``CreateArtifactFiles``); skips without the
    reference material, fails if it is present but lacks the document."""
    if not SDK_OPS.is_dir():
        pytest.skip(f"reference material not present at {SDK_OPS}")
    path = SDK_OPS / f"{name}.graphql"
    assert path.is_file(), f"{path} is missing from the reference material"
    return path.read_text()
