"""The official client (wandb 0.31.0), unchanged, on users and API keys, service accounts,
reports with their runs, custom charts and sweep agents against the local server, and
wandbkit seeing the same data."""

from __future__ import annotations

import json

import pytest

import wandbkit
from wandbkit.server.testing import ServerHandle

from .conftest import RunOfficial

pytestmark = pytest.mark.official

SCRIPT = """
import json
import wandb

admin = wandb.Api(api_key=ROOT_KEY)
out = {}
out["users"] = sorted(u.username for u in admin.users("example.com"))
demo = admin.user("demo")
out["demo"] = [demo.username, demo.email, bool(demo.admin), demo.teams, demo.api_keys]
made = admin.create_user("compat.user@example.org", admin=False)
out["made"] = [made.username, made.email, bool(made.admin)]
root = admin.user("root")
secret = root.generate_api_key("compat")
out["key_works"] = wandb.Api(api_key=secret).viewer.username
out["deleted"] = root.delete_api_key(secret)
try:
    wandb.Api().users("demo")
    out["non_admin"] = "allowed"
except Exception as exc:
    out["non_admin"] = str(exc)

service = admin.team("demo-team").create_service_account("compat bot")
out["service"] = [service.account_type, bool(service.api_key)]
out["service_works"] = wandb.Api(api_key=service.api_key).viewer.username

api = wandb.Api()
reports = list(api.reports("demo/mnist-baselines"))
out["reports"] = [[r.display_name, r.description, r.user["username"]] for r in reports]
report = reports[0]
out["sections"] = [s["name"] for s in report.sections]
out["report_runs"] = [[r.id for r in report.runs(s)] for s in report.sections]
out["report_url"] = report.url

out["chart"] = api.create_custom_chart(
    entity="demo", name="compat-chart", display_name="Compat chart", spec_type="vega2",
    access="private", spec={"mark": "line"},
)

sweep = next(iter(api.project("diffusion-sweeps", entity="demo-team").sweeps()))
agents = sweep.agents()
out["sweep"] = sweep.id
out["agents"] = [[a.name, a.host, a.state, a.total_runs] for a in agents]
out["agent"] = sweep.agent(agents[0].name).name
out["agent_runs"] = sorted(r.id for r in agents[0].runs())
print(json.dumps(out))
"""


def test_the_official_client_sees_people_reports_charts_and_agents_as_wandbkit_does(
    run_official: RunOfficial, demo_server: ServerHandle
) -> None:
    store = demo_server.store
    root = store.accounts.create_user("root", email="root@example.com", admin=True)
    root_key, _ = store.accounts.create_api_key(root.pk, name="root")
    out = run_official(f"ROOT_KEY = {json.dumps(root_key)}\n{SCRIPT}")

    with wandbkit.Api(api_key=root_key, base_url=demo_server.base_url) as admin:
        assert out["users"] == sorted(u.username for u in admin.users("example.com"))
        demo = admin.user("demo")
        assert out["demo"] == [demo.username, demo.email, demo.admin, demo.teams, demo.api_keys]
        made = admin.user("compat.user@example.org")
        assert (
            out["made"]
            == [made.username, made.email, made.admin]
            == [
                "compat-user",
                "compat.user@example.org",
                False,
            ]
        )
        assert out["key_works"] == "root" and out["deleted"] is True
        assert admin.viewer.api_keys == ["root"]  # the generated key is gone
    assert "only instance admins" in out["non_admin"]
    assert out["service"] == ["SERVICE", True]

    with wandbkit.Api(api_key=demo_server.api_key, base_url=demo_server.base_url) as api:
        team = api.team("demo-team")
        services = [m for m in team.members if m.account_type == "SERVICE"]
        assert out["service_works"] in [m.username for m in services]
        reports = list(api.reports("demo/mnist-baselines"))
        assert out["reports"] == [
            [r.display_name, r.description, r.user.username if r.user else None] for r in reports
        ]
        report = reports[0]
        assert out["sections"] == [s["name"] for s in report.sections]
        assert out["report_runs"] == [[r.id for r in report.runs(s)] for s in report.sections]
        assert all(out["report_runs"]) and out["report_url"] == report.url
        assert out["chart"] == "demo/compat-chart"
        chart = store.reports.get_chart(store.entities.get("demo").pk, "compat-chart")
        assert chart is not None and chart.access == "PRIVATE"
        sweep = api.sweep(f"demo-team/diffusion-sweeps/{out['sweep']}")
        agents = sweep.agents()
        assert out["agents"] == [[a.name, a.host, a.state, a.total_runs] for a in agents]
        assert out["agent"] == agents[0].name
        assert out["agent_runs"] == sorted(r.id for r in agents[0].runs())
