"""Demo: a training script written with the official SDK (examples/training) tested with the
wandbkit plugin: ``wandb_server`` points ``wandb.init()`` at the local server for the test, and
the example's tests assert on what the script logged. The example runs in a temporary copy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import wandbkit

pytestmark = pytest.mark.official

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "training"


def test_the_training_example_passes_against_the_local_server(tmp_path: Path) -> None:
    pytest.importorskip("wandb", reason="the official wandb SDK is not installed")
    copy = tmp_path / "training"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    # This checkout's wandbkit (its plugin) in the subprocess, and a W&B URL the fixture must
    # override for the test.
    source = str(Path(wandbkit.__file__).resolve().parents[1])
    path = os.pathsep.join(p for p in (source, os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "PYTHONPATH": path, "WANDB_BASE_URL": "http://wandb-elsewhere.invalid"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
    # The SDK wrote only under the fixture's temporary directories, not into the example.
    assert not (copy / "wandb").exists()
