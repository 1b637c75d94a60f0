"""The official client (wandb 0.31.0), unchanged, against the local server."""

from __future__ import annotations

import pytest

from wandbkit.server.testing import ServerHandle

from .conftest import RunOfficial

pytestmark = pytest.mark.official

READ_SCRIPT = """
import json
import wandb

api = wandb.Api()
entity = api.default_entity
print(json.dumps({
    "viewer": api.viewer.username,
    "entity": entity,
    "projects": [p.name for p in api.projects(entity)],
}))
"""

TEAM_SCRIPT = """
import json
import wandb

api = wandb.Api()
team = [p.name for p in api.projects("demo-team", per_page=2)]
project = api.project("llm-finetune", entity="demo-team")
api.create_project("from-wandb", entity="demo-team")
# A fresh Api: the first one caches its Projects objects per entity.
after = [p.name for p in wandb.Api().projects("demo-team")]
print(json.dumps({
    "team": team,
    "created_at": project.created_at,
    "after": after,
}))
"""


def test_the_official_client_reads_the_viewer_and_projects(
    run_official: RunOfficial, demo_server: ServerHandle
) -> None:
    store, seed = demo_server.store, demo_server.seed
    user = store.accounts.get_user(seed.username)
    assert user is not None
    expected = [p.name for p in store.projects.list(user.entity_pk, limit=1000)]
    assert expected  # the demo seed gives the user projects

    result = run_official(READ_SCRIPT)

    assert result == {"viewer": seed.username, "entity": seed.entity, "projects": expected}


def test_the_official_client_pages_team_projects_and_creates_one(
    run_official: RunOfficial, demo_server: ServerHandle
) -> None:
    team = demo_server.store.entities.get(demo_server.seed.team)
    assert team is not None
    before = [p.name for p in demo_server.store.projects.list(team.pk, limit=1000)]

    result = run_official(TEAM_SCRIPT)

    assert result["team"] == before  # per_page=2 takes several requests
    assert result["created_at"].endswith("Z")
    assert result["after"] == [*before, "from-wandb"]
