"""Cassette tests: replayed from tests/cassette/recordings/ in CI, re-recorded by `make cassettes`.

In replay mode (pytest-recording's default ``--record-mode=none``) nothing listens anywhere:
every request must be answered from the cassette, and ``cassette_api`` is the plugin's
``wandb_api`` bound to nothing. Any other record mode starts the local server with the demo seed
(at a fixed moment, so recordings are reproducible) and records what the client really
exchanges with it. The plugin registers the GraphQL matcher with pytest-recording.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

import wandbkit
from wandbkit.pytest_plugin import is_replaying
from wandbkit.server import Store
from wandbkit.server.seed import seed_demo
from wandbkit.server.testing import running_server

#: The recorded cassettes, one folder per test module (these tests sit beside it).
RECORDINGS = Path(__file__).resolve().parent / "recordings"
DEMO_NOW = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def vcr_config(wandb_vcr_config: dict[str, Any]) -> dict[str, Any]:
    return wandb_vcr_config


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    return str(recordings_of(request.module.__name__))


def recordings_of(module_name: str) -> Path:
    """The folder of the cassettes recorded by the test module ``module_name``."""
    return RECORDINGS / module_name.rsplit(".", 1)[-1]


@pytest.fixture
def cassette_api(request: pytest.FixtureRequest) -> Iterator[wandbkit.Api]:
    """An ``Api`` for cassette tests: live local server when recording, nothing when replaying."""
    if is_replaying(request):
        yield request.getfixturevalue("wandb_api")
        return
    store = Store()
    try:
        with (
            running_server(store, seed=seed_demo(store, now=DEMO_NOW)) as server,
            wandbkit.Api(api_key=server.api_key, base_url=server.base_url) as api,
        ):
            yield api
    finally:
        store.close()


def assert_cassettes_hold_no_credentials(directory: Path, count: int) -> None:
    """``directory`` holds ``count`` cassettes of GraphQL traffic, none with a credential.

    Also right after recording: cassettes are written when their tests end.
    """
    files = sorted(directory.glob("*.yaml"))
    assert len(files) == count, [f.name for f in files]
    for path in files:
        text = path.read_text()
        assert "Authorization" not in text and "authorization" not in text, path.name
        assert "Basic " not in text, path.name
        assert "operationName" in text, path.name
