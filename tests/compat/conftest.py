"""Fixtures for running the official ``wandb`` client against the local server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from wandbkit.server import Store, seed_demo
from wandbkit.server.testing import ServerHandle, running_server

#: wandb starts its wandb-core sidecar on first use; give a cold start plenty of room.
OFFICIAL_CLIENT_TIMEOUT = 120

RunOfficial = Callable[[str], Any]


@pytest.fixture
def demo_server() -> Iterator[ServerHandle]:
    """The local server on a loopback port, serving the demo seed."""
    store = Store()
    seed = seed_demo(store)
    with running_server(store, seed=seed) as handle:
        yield handle
    store.close()


def official_client_env(server: ServerHandle, home: Path) -> dict[str, str]:
    """An environment where ``wandb`` sees only this server and writes only under ``home``.

    Nothing is inherited but ``PATH`` and the locale: no proxies, no real credentials, no
    ``~/.netrc``, no settings files.
    """
    env = {
        name: os.environ[name]
        for name in ("PATH", "LANG", "LC_ALL", "TMPDIR")
        if name in os.environ
    }
    env.update(server.env())
    env.update(
        {
            "HOME": str(home),
            "NETRC": str(home / ".netrc"),
            "WANDB_SILENT": "true",
            "WANDB_ERROR_REPORTING": "false",
            "NO_PROXY": "*",
        }
    )
    for name in ("DIR", "CONFIG_DIR", "CACHE_DIR", "DATA_DIR", "ARTIFACT_DIR"):
        directory = home / f"wandb-{name.lower().replace('_', '-')}"
        directory.mkdir(parents=True, exist_ok=True)
        env[f"WANDB_{name}"] = str(directory)
    return env


@pytest.fixture
def run_official(demo_server: ServerHandle, tmp_path: Path) -> RunOfficial:
    """``run_official(script)``: run Python code using ``wandb`` in a subprocess against
    ``demo_server``; returns the JSON the script prints on its last stdout line."""
    pytest.importorskip("wandb", reason="the official wandb client is not installed")
    env = official_client_env(demo_server, tmp_path / "home")

    def run(script: str) -> Any:
        try:
            result = subprocess.run(
                [sys.executable, "-c", script],
                env=env,
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=OFFICIAL_CLIENT_TIMEOUT,
            )
        except subprocess.TimeoutExpired as exc:
            pytest.fail(f"the official client timed out; stderr:\n{exc.stderr!r}")
        if result.returncode != 0:
            pytest.fail(
                f"the official client exited with {result.returncode}; stderr:\n{result.stderr}"
            )
        lines = result.stdout.strip().splitlines()
        assert lines, f"no output; stderr:\n{result.stderr}"
        return json.loads(lines[-1])

    return run
