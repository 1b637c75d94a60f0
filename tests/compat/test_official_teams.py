"""The official client (wandb 0.31.0), unchanged, loading, creating and managing teams on the
local server, and wandbkit seeing the result."""

from __future__ import annotations

import pytest

import wandbkit
from wandbkit.server.testing import ServerHandle

from .conftest import RunOfficial

pytestmark = pytest.mark.official

SCRIPT = """
import json
import wandb

api = wandb.Api()
out = {}
team = api.team("demo-team")
out["members"] = sorted([m.username, bool(m.admin)] for m in team.members)
created = api.create_team("compat-team")
out["created"] = created.name
out["invited"] = created.invite("jordan")
out["invited_by_mail"] = created.invite("ana@example.com", admin=True)
created.load(force=True)
out["after_invite"] = sorted([m.username, bool(m.admin)] for m in created.members)
jordan = next(m for m in created.members if m.username == "jordan")
out["deleted"] = jordan.delete()
print(json.dumps(out))
"""


def test_the_official_client_manages_teams_as_wandbkit_sees_them(
    run_official: RunOfficial, demo_server: ServerHandle
) -> None:
    demo_server.store.accounts.create_user("ana", email="ana@example.com")
    out = run_official(SCRIPT)

    with wandbkit.Api(api_key=demo_server.api_key, base_url=demo_server.base_url) as api:
        mine = api.team("demo-team")
        assert out["members"] == sorted([m.username, m.admin] for m in mine.members)
        assert out["created"] == "compat-team"
        assert out["invited"] is True and out["invited_by_mail"] is True
        assert out["after_invite"] == [["ana", True], ["demo", True], ["jordan", False]]
        assert out["deleted"] is True
        created = api.team("compat-team")
        assert sorted((m.username, m.role) for m in created.members) == [
            ("ana", "admin"),
            ("demo", "admin"),
        ]
