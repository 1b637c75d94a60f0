"""The package's public names: every one resolves, lazily, to the class it names."""

from __future__ import annotations

import subprocess
import sys

import wandbkit


def test_every_public_name_resolves() -> None:
    for name in wandbkit.__all__:
        assert getattr(wandbkit, name) is not None, name
    assert sorted(wandbkit.__all__) == sorted(set(wandbkit.__all__))


def test_domain_types_are_the_classes_the_api_returns() -> None:
    from wandbkit._async.sweeps import AsyncSweep
    from wandbkit._sync.runs.run import Run
    from wandbkit._sync.teams import Team

    assert wandbkit.Run is Run and wandbkit.Team is Team and wandbkit.AsyncSweep is AsyncSweep
    assert wandbkit.RunState.FINISHED == "finished"


def test_import_wandbkit_loads_no_domain_module() -> None:
    code = (
        "import sys, wandbkit; "
        "sys.exit(any(m.startswith(('wandbkit._sync', 'wandbkit._async', 'wandbkit.server',"
        " 'httpx', 'pydantic')) for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_the_api_loads_sweeps_teams_and_console_logs_only_when_used() -> None:
    code = (
        "import sys; from wandbkit import Api, AsyncApi; "
        "sys.exit(any(m.rsplit('.', 1)[-1] in ('sweeps', 'teams', 'console') "
        "for m in sys.modules if m.startswith('wandbkit.')))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
