"""The official client (wandb 0.31.0), unchanged, reading the demo's sweeps locally, and
wandbkit reading the same sweeps the same way."""

from __future__ import annotations

import json
from typing import Any

import pytest

import wandbkit
from wandbkit.server.testing import ServerHandle

from .conftest import RunOfficial

pytestmark = pytest.mark.official

ENTITY, PROJECT = "demo-team", "diffusion-sweeps"

SCRIPT = """
import json, sys
import wandb

api = wandb.Api()
out = {{}}
for sweep_id in {ids!r}:
    sweep = api.sweep("{path}/" + sweep_id)
    best = sweep.best_run()
    out[sweep_id] = {{
        "name": sweep.name, "state": sweep.state, "method": sweep.config["method"],
        "metric": sweep.config["metric"], "order": sweep.order,
        "runs": [run.id for run in sweep.runs], "best": best.id if best else None,
        "expected": sweep.expected_run_count,
    }}
run = api.run("{path}/" + out[{first!r}]["runs"][0])
out["run_sweep"] = run.sweep.id if run.sweep else None
print(json.dumps(out))
"""


def test_the_official_client_and_wandbkit_read_the_same_sweeps(
    run_official: RunOfficial, demo_server: ServerHandle
) -> None:
    store = demo_server.store
    team = store.entities.get(ENTITY)
    assert team is not None
    project = store.projects.get(team.pk, PROJECT)
    assert project is not None
    ids = [row["name"] for row in store.db.all("SELECT name FROM sweeps ORDER BY pk")]
    assert len(ids) == 2
    path = f"{ENTITY}/{PROJECT}"

    out = run_official(SCRIPT.format(ids=ids, path=path, first=ids[0]))

    with wandbkit.Api(api_key=demo_server.api_key, base_url=demo_server.base_url) as api:
        for sweep_id in ids:
            sweep = api.sweep(f"{path}/{sweep_id}")
            best = sweep.best_run()
            mine: dict[str, Any] = {
                "name": sweep.name,
                "state": sweep.state,
                "method": sweep.config["method"],
                "metric": sweep.config["metric"],
                "order": sweep.order,
                "runs": [run.id for run in sweep.runs],
                "best": best.id if best else None,
                "expected": sweep.expected_run_count,
            }
            assert mine == out[sweep_id], json.dumps([mine, out[sweep_id]])
            # The runs are the store's, oldest first; the best has the lowest metric value.
            members = [r for r in store.run_listing.list(project.pk, order="+created_at")]
            assert mine["runs"] == [r.name for r in members if r.sweep_name == sweep_id]
            metric = sweep.config["metric"]["name"]
            values = {
                r.name: json.loads(r.summary).get(metric)
                for r in members
                if r.sweep_name == sweep_id and metric in json.loads(r.summary)
            }
            assert mine["best"] == min(values, key=lambda name: values[name])
        run = api.run(f"{path}/{out[ids[0]]['runs'][0]}")
        run_sweep = run.sweep
        assert run_sweep is not None and run_sweep.id == out["run_sweep"] == ids[0]
