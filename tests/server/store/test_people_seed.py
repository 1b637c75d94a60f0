"""The demo's reports, sweep agents and service account (``seed/people.py``): what they hold,
and that seeding again adds nothing."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from wandbkit.server import Store, seed_demo
from wandbkit.server.store import StoreError
from wandbkit.server.store.errors import NameConflictError

NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def demo() -> Store:
    store = Store()
    seed_demo(store, now=NOW)
    return store


def test_two_reports_with_run_sets_that_select_real_runs(demo: Store) -> None:
    views = demo.db.all("SELECT * FROM views ORDER BY pk")
    assert [v["display_name"] for v in views] == ["MNIST baselines", "ResNet recipes"]
    for view in views:
        spec = json.loads(view["spec"])
        for section in spec["panelGroups"]:
            run_set = section["runSets"][section["openRunSet"]]
            assert run_set["filters"]["op"] == "OR" and run_set["sort"]["key"]["section"]
            names = run_set["selections"]["tree"]
            assert names and all(demo.runs.get(view["project_pk"], n) for n in names)
    mnist = json.loads(views[0]["spec"])["panelGroups"]
    finished = mnist[0]["runSets"][0]["selections"]["tree"]
    assert all(demo.runs.get(views[0]["project_pk"], n).state == "finished" for n in finished)


def test_every_demo_sweep_has_two_agents_sharing_its_runs(demo: Store) -> None:
    sweeps = demo.db.all("SELECT pk, project_pk, name FROM sweeps")
    assert sweeps
    for sweep in sweeps:
        agents = demo.agents.of_sweep(sweep["pk"])
        assert [(a.name, a.host) for a in agents] == [
            ("agent-1", "gpu-node-1"),
            ("agent-2", "gpu-node-2"),
        ]
        runs = demo.run_listing.count(sweep["project_pk"], filters={"sweep": sweep["name"]})
        assert sum(a.total_runs for a in agents) == runs
        assert all(a.heartbeat_at and a.heartbeat_at >= a.created_at for a in agents)


def test_a_service_account_and_a_second_user(demo: Store) -> None:
    team = demo.entities.get("demo-team")
    assert team is not None
    (account,) = demo.service_accounts.of_team(team.pk)
    assert account.description == "CI pipeline"
    assert demo.accounts.user_for_api_key(account.api_key) == account.user
    assert demo.accounts.get_user("jordan") is not None


def test_seeding_again_adds_nothing(demo: Store) -> None:
    tables = ("views", "agents", "agent_runs", "service_accounts")
    before = {t: demo.db.count(f"SELECT COUNT(*) FROM {t}") for t in tables}
    seed_demo(demo, now=NOW)
    assert {t: demo.db.count(f"SELECT COUNT(*) FROM {t}") for t in tables} == before


def test_reports_and_charts_refuse_bad_input() -> None:
    store = Store()
    user = store.accounts.create_user("ada")
    project, _ = store.projects.upsert(user.entity_pk, "p", creator_pk=user.pk)
    with pytest.raises(StoreError, match="needs a display name"):
        store.reports.create(project.pk, display_name=" ", spec={})
    with pytest.raises(StoreError, match="must be a JSON object"):
        store.reports.create(project.pk, display_name="t", spec="[1]")
    store.reports.create(project.pk, display_name="t", spec="{}", name="fixed")
    with pytest.raises(NameConflictError):
        store.reports.create(project.pk, display_name="t2", spec="{}", name="fixed")
    with pytest.raises(StoreError, match="access must be one of"):
        store.reports.create_chart(
            user.entity_pk, "c", display_name="C", chart_type="vega2", access="x", spec={}
        )
