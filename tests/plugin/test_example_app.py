"""Demo: a user's application (examples/leaderboard) tested with the wandbkit plugin.

1. Its tests pass against the local server (``--disable-recording``: the plugin's
   ``wandb_server``, seeded from the example's seed.yaml by the ``wandb_seed`` marker).
2. The same tests record cassettes (``--record-mode=once``) and then pass replayed from them
   (``--record-mode=none``) with no server: starting one would fail that run.
3. ``wandbkit schema check`` accepts the example's own GraphQL document, and catches one that
   asks for a field the schema lacks, with file:line:column.

The example is copied to a temporary directory, so cassettes never land in the repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from wandbkit.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "leaderboard"

# A pytest plugin for the replay run: any attempt to start the local server fails the run.
FORBID_SERVER = """
import wandbkit.server.testing


def _refuse(*args, **kwargs):
    raise RuntimeError("the local server was started while replaying cassettes")


wandbkit.server.testing.running_server = _refuse
"""


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    copy = tmp_path / "leaderboard"
    shutil.copytree(
        EXAMPLE, copy, ignore=shutil.ignore_patterns("cassettes", "__pycache__", ".pytest_cache")
    )
    (tmp_path / "forbid_server.py").write_text(FORBID_SERVER)
    return copy


def run_pytest(app_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(app_dir.parent)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=app_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_example_passes_live_then_recorded_then_replayed_without_a_server(
    app_dir: Path,
) -> None:
    live = run_pytest(app_dir, "--disable-recording")
    assert live.returncode == 0, live.stdout + live.stderr
    assert "4 passed" in live.stdout
    assert not (app_dir / "tests" / "cassettes").exists()

    recorded = run_pytest(app_dir, "--record-mode=once")
    assert recorded.returncode == 0, recorded.stdout + recorded.stderr
    cassettes = sorted((app_dir / "tests" / "cassettes" / "test_leaderboard").glob("*.yaml"))
    assert len(cassettes) == 4
    text = "".join(c.read_text() for c in cassettes)
    assert "authorization" not in text.lower()
    # The signed download URL of the model card is normalized, so re-recording is stable.
    assert "/signed/files/1.0.SIGNATURE" in text

    replayed = run_pytest(app_dir, "--record-mode=none", "-p", "forbid_server")
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert "4 passed" in replayed.stdout


def test_the_forbidden_server_really_fails_a_run_that_needs_one(app_dir: Path) -> None:
    # The guard of the replay run above is not vacuous: a live run with it fails.
    guarded = run_pytest(app_dir, "--disable-recording", "-p", "forbid_server")
    assert guarded.returncode != 0
    assert "the local server was started while replaying" in guarded.stdout


def test_schema_check_catches_a_field_the_schema_lacks(
    app_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queries = app_dir / "queries"
    assert main(["schema", "check", str(queries)]) == 0
    capsys.readouterr()

    document = queries / "project_run_count.graphql"
    document.write_text(
        document.read_text().replace(
            "runCount(filters: $filters)", "runCount(filters: $filters)\n    bestRun { name }"
        )
    )
    assert main(["schema", "check", str(queries)]) != 0
    out = capsys.readouterr().out
    assert f"{document}:5:5: Cannot query field 'bestRun' on type 'Project'." in out
