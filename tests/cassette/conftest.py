"""Cassette tests: replayed from tests/cassettes/ in CI, re-recorded by `make cassettes`.

In replay mode (pytest-recording's default ``--record-mode=none``) nothing listens anywhere:
every request must be answered from the cassette. Any other record mode starts the local
server with the demo seed (at a fixed moment, so recordings are reproducible) and records
what the client really exchanges with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

import wandbkit
from wandbkit.cassettes import register_matchers
from wandbkit.cassettes import vcr_config as wandb_vcr_config
from wandbkit.server import Store
from wandbkit.server.seed import seed_demo
from wandbkit.server.testing import running_server

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"
DEMO_NOW = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)
# Replay needs a key to build requests; cassettes never hold the real one.
REPLAY_API_KEY = "0" * 40
REPLAY_BASE_URL = "http://127.0.0.1:8080"


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    register_matchers(vcr)


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return wandb_vcr_config()


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    return str(CASSETTES / request.module.__name__.rsplit(".", 1)[-1])


@pytest.fixture
def recording(request: pytest.FixtureRequest) -> bool:
    return request.config.getoption("--record-mode") not in (None, "none")


@pytest.fixture
def cassette_api(recording: bool) -> Iterator[wandbkit.Api]:
    """An ``Api`` for cassette tests: live local server when recording, nothing when replaying."""
    if not recording:
        api = wandbkit.Api(api_key=REPLAY_API_KEY, base_url=REPLAY_BASE_URL, max_retries=0)
        yield api
        api.close()
        return
    store = Store()
    seed = seed_demo(store, now=DEMO_NOW)
    with running_server(store, seed=seed) as server:
        api = wandbkit.Api(api_key=server.api_key, base_url=server.base_url)
        yield api
        api.close()
