"""Sweeps and teams replayed from recorded traffic (re-record with `make cassettes`)."""

from __future__ import annotations

import pytest

import wandbkit

from .conftest import assert_cassettes_hold_no_credentials, recordings_of

CASSETTES = recordings_of(__name__)
PROJECT = "diffusion-sweeps"


@pytest.mark.vcr
def test_a_projects_sweeps_their_runs_and_best_runs_replay(cassette_api: wandbkit.Api) -> None:
    sweeps = cassette_api.project(PROJECT, entity="demo-team").sweeps()
    assert len(sweeps) == 2
    for sweep in sweeps:
        assert sweep.method == "bayes" and sweep.config["metric"]["goal"] == "minimize"
        runs = list(sweep.runs)
        assert len(runs) == sweep.run_count >= 5
        best = sweep.best_run()
        assert best is not None and best.id in {run.id for run in runs}
        metric = sweep.config["metric"]["name"]
        assert best.summary[metric] == min(
            run.summary[metric] for run in runs if metric in run.summary
        )


@pytest.mark.vcr
def test_a_team_with_its_members_replays(cassette_api: wandbkit.Api) -> None:
    team = cassette_api.team("demo-team")
    assert [(m.username, m.role, m.account_type) for m in team.members] == [
        ("demo", "admin", "USER"),
        ("jordan", "member", "USER"),
        ("demo-team-ci", "member", "SERVICE"),
    ]
    # The service account's key the admin was shown is never written to a cassette.
    assert team.members[2].api_key == "<REDACTED>"


def test_sweep_and_team_cassettes_exist_and_hold_no_credentials() -> None:
    assert_cassettes_hold_no_credentials(CASSETTES, 2)
