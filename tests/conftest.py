"""Fixtures shared by the whole suite: a clean environment, the local server, bound clients.

The live-server fixtures build on the wandbkit pytest plugin (``wandbkit.pytest_plugin``, loaded
through its ``pytest11`` entry point), so our suite uses what users get: ``live_server`` is the
handle of the plugin's ``wandb_server`` and ``api`` is its ``wandb_api``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from starlette.applications import Starlette

import wandbkit
from wandbkit.pytest_plugin import WandbServer
from wandbkit.server.seed import SeedResult
from wandbkit.server.testing import ServerHandle, asgi_transport, make_seeded_app


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's W&B credentials, settings or ~/.netrc."""
    for name in list(os.environ):
        if name.startswith("WANDB_") or name == "NETRC":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))


@pytest.fixture
def seeded_app() -> tuple[Starlette, SeedResult]:
    """An in-process server app with a seeded store: ``(app, seed)``."""
    return make_seeded_app()


@pytest.fixture
async def async_api(
    seeded_app: tuple[Starlette, SeedResult],
) -> AsyncIterator[wandbkit.AsyncApi]:
    """An ``AsyncApi`` talking to the in-process server through ``httpx.ASGITransport``."""
    app, seed = seeded_app
    async with wandbkit.AsyncApi(
        api_key=seed.api_key, base_url="http://wandbkit.test", transport=asgi_transport(app)
    ) as api:
        yield api


@pytest.fixture
def live_server(wandb_server: WandbServer) -> ServerHandle:
    """The local server on a loopback port with a fresh, seeded database (the plugin's)."""
    return wandb_server.handle


@pytest.fixture
def api(wandb_api: wandbkit.Api) -> wandbkit.Api:
    """A sync ``Api`` bound to ``live_server`` over real HTTP (the plugin's ``wandb_api``)."""
    return wandb_api
