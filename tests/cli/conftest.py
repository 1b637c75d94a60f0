"""The command line against a local server on a loopback port, through Click's CliRunner.

``server`` is shared by a module's tests (they only read it); ``invoke`` runs ``wandbkit``
with ``--base-url``/``--api-key`` for it and an environment without W&B settings, so nothing
on the machine (``~/.netrc``, ``WANDB_*``) leaks in.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from wandbkit.server import Store
from wandbkit.server.seed import seed_demo
from wandbkit.server.testing import ServerHandle, running_server

from .support import Invoker, seed_project


@pytest.fixture(scope="module")
def server() -> Iterator[ServerHandle]:
    """A loopback server with :func:`seed_project`'s runs."""
    with running_server() as handle:
        seed_project(handle.store)
        yield handle


@pytest.fixture(scope="session")
def demo_server() -> Iterator[ServerHandle]:
    """A loopback server with the demo workspace (artifacts, registries, sweeps, reports),
    shared by the modules that ask for it (tests that write use projects of their own)."""
    store = Store()
    seed = seed_demo(store)
    with running_server(store, seed=seed) as handle:
        yield handle
    store.close()


@pytest.fixture
def invoke(server: ServerHandle, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Invoker:
    """``invoke("runs", "demo/cli")``: runs ``wandbkit`` against ``server``."""
    for name in ("WANDB_API_KEY", "WANDB_BASE_URL", "WANDB_ENTITY", "WANDB_PROJECT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    monkeypatch.setenv("COLUMNS", "200")
    return Invoker(server, CliRunner())
