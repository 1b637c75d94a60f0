"""A slow GraphQL request never holds the server's event loop: other requests still run."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
import pytest

from ..conftest import PostGraphQL, ServerApp

PROJECT = 'query P($e: String!) { project(name: "p", entityName: $e) { id } }'


async def test_health_checks_and_other_requests_run_while_a_resolver_blocks(
    server_app: ServerApp,
    client: httpx.AsyncClient,
    gql: PostGraphQL,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entered, release = threading.Event(), threading.Event()
    real = server_app.store.projects.get

    def blocking_get_project(*args: Any, **kwargs: Any) -> Any:
        entered.set()
        assert release.wait(timeout=10), "the test never released the resolver"
        return real(*args, **kwargs)

    monkeypatch.setattr(server_app.store.projects, "get", blocking_get_project)
    slow = asyncio.create_task(gql(PROJECT, {"e": server_app.seed.entity}))
    try:
        for _ in range(1000):
            if entered.is_set() or slow.done():
                break
            await asyncio.sleep(0.005)
        assert entered.is_set(), "the request never reached the project look-up"
        health = await asyncio.wait_for(client.get("/healthz"), timeout=5)
        assert health.status_code == 200
        viewer = await asyncio.wait_for(gql("query { viewer { username } }"), timeout=5)
        assert viewer.status_code == 200 and "errors" not in viewer.json()
        assert not slow.done()
    finally:
        release.set()
    assert (await slow).status_code == 200
