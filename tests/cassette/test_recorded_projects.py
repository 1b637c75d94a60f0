"""The projects slice replayed from recorded traffic (re-record with `make cassettes`)."""

from __future__ import annotations

import pytest

import wandbkit
from wandbkit.errors import NotFoundError

from .conftest import assert_cassettes_hold_no_credentials, recordings_of

CASSETTES = recordings_of(__name__)


@pytest.mark.vcr
def test_the_viewer_replays_as_a_typed_user(cassette_api: wandbkit.Api) -> None:
    me = cassette_api.viewer
    assert isinstance(me, wandbkit.User)
    assert (me.username, me.entity, me.teams) == ("demo", "demo", ["demo-team"])


@pytest.mark.vcr
def test_paging_through_a_teams_projects_replays_page_by_page(
    cassette_api: wandbkit.Api,
) -> None:
    projects = cassette_api.projects("demo-team", per_page=2)
    names = [p.name for p in projects]
    assert names == ["imagenet-resnet", "llm-finetune", "diffusion-sweeps", "rl-cartpole"]
    assert projects.pages_loaded == 2
    assert projects.objects[1].created_at.year == 2026


@pytest.mark.vcr
def test_a_lazy_project_and_a_missing_one_replay(cassette_api: wandbkit.Api) -> None:
    project = cassette_api.project("mnist-baselines")  # entity from the viewer
    assert project.entity == "demo"
    assert project.description and "MNIST" in project.description
    with pytest.raises(NotFoundError, match="project 'demo/does-not-exist' not found"):
        _ = cassette_api.project("does-not-exist", entity="demo").id


def test_cassettes_exist_and_hold_no_credentials() -> None:
    assert_cassettes_hold_no_credentials(CASSETTES, 3)
