"""Official-client parity: wandb.Api() 0.31.0 and wandbkit see the same data on the same server.

The official client runs in a subprocess (it starts its own helper process), reads every
capability built so far against the local server with the demo seed, and prints JSON;
wandbkit reads the same objects in-process; the two must agree field by field.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from compat.conftest import official_client_env

import wandbkit
from wandbkit.server import Store
from wandbkit.server.seed import seed_demo
from wandbkit.server.testing import ServerHandle, running_server

pytestmark = pytest.mark.official

PROJECT = "cifar10-augment"  # the demo user's project with the most runs
FILTERS = {"state": "finished", "config.lr": {"$lte": 0.01}}
ORDER = "-summary_metrics.val_acc"

OFFICIAL_SCRIPT = textwrap.dedent(
    """
    import hashlib, json, sys
    import wandb

    team, owner, project, filters, order, root = sys.argv[1:7]
    filters = json.loads(filters)
    api = wandb.Api()
    out = {"viewer": api.viewer.username, "default_entity": api.default_entity}
    out["projects"] = sorted(p.name for p in api.projects(team))
    runs = api.runs(f"{owner}/{project}", filters=filters, order=order, per_page=3)
    out["count"] = len(runs)
    out["runs"] = [
        {
            "id": r.id, "name": r.name, "state": r.state, "tags": r.tags, "group": r.group,
            "job_type": r.job_type, "config": r.config, "summary": r.summary_metrics,
            "created_at": r.created_at,
        }
        for r in runs
    ]
    full = api.runs(f"{owner}/{project}", filters=filters, order=order, lazy=False)
    out["full_ids"] = [r.id for r in full]
    first = api.run(f"{owner}/{project}/{out['runs'][0]['id']}")
    out["history"] = first.history(samples=40, keys=["loss"], pandas=False)
    out["history_all"] = first.history(samples=25, pandas=False)
    scan = list(first.scan_history(keys=["loss"], page_size=97))
    out["scan"] = {"rows": len(scan), "first": scan[0], "last": scan[-1]}
    out["last_step"] = first.lastHistoryStep
    files = list(first.files())
    out["files"] = sorted((f.name, f.size, f.md5) for f in files)
    small = min(files, key=lambda f: f.size)
    small.download(root=root, replace=True)
    with open(f"{root}/{small.name}", "rb") as fh:
        out["download"] = [small.name, hashlib.md5(fh.read()).hexdigest()]
    out["console"] = [
        [l.number, str(l.timestamp), l.level, l.label, l.content]
        for l in first.console_logs(per_page=5)
    ]
    out["console_tail"] = [l.content for l in first.console_logs(last=2)]
    print(json.dumps(out, default=str))
    """
)


@pytest.fixture(scope="module")
def demo_server() -> Iterator[ServerHandle]:
    store = Store()
    try:
        seed = seed_demo(store, now=datetime(2026, 11, 1, tzinfo=timezone.utc))
        with running_server(store, seed=seed) as server:
            yield server
    finally:
        store.close()


@pytest.fixture(scope="module")
def official(demo_server: ServerHandle, tmp_path_factory: pytest.TempPathFactory) -> Any:
    pytest.importorskip("wandb", reason="the official client is installed with the dev extra")
    # The same isolated environment as the compat tests': this server, nothing else.
    env = official_client_env(demo_server, tmp_path_factory.mktemp("official-home"))
    root = tmp_path_factory.mktemp("official-downloads")
    args = [
        demo_server.seed.team,
        demo_server.seed.entity,
        PROJECT,
        json.dumps(FILTERS),
        ORDER,
        str(root),
    ]
    done = subprocess.run(
        [sys.executable, "-c", OFFICIAL_SCRIPT, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def kit(demo_server: ServerHandle) -> Iterator[wandbkit.Api]:
    api = wandbkit.Api(api_key=demo_server.api_key, base_url=demo_server.base_url)
    yield api
    api.close()


def test_the_viewer_and_projects_agree(official: Any, kit: wandbkit.Api, demo_server: Any) -> None:
    assert official["viewer"] == kit.viewer.username
    assert official["default_entity"] == kit.default_entity
    assert official["projects"] == sorted(p.name for p in kit.projects(demo_server.seed.team))


def test_filtered_ordered_paged_runs_agree_field_by_field(
    official: Any, kit: wandbkit.Api, demo_server: Any
) -> None:
    runs = kit.runs(f"{demo_server.seed.entity}/{PROJECT}", FILTERS, ORDER, per_page=3)
    assert official["count"] == len(runs) > 1
    mine = [
        {
            "id": r.id,
            "name": r.name,
            "state": r.state.value,
            "tags": r.tags,
            "group": r.group,
            "job_type": r.job_type,
            "config": r.config,
            "summary": r.summary_metrics,
        }
        for r in runs
    ]
    theirs = [{k: v for k, v in run.items() if k != "created_at"} for run in official["runs"]]
    assert mine == theirs
    full = kit.runs(f"{demo_server.seed.entity}/{PROJECT}", FILTERS, ORDER, lazy=False)
    assert [r.id for r in full] == official["full_ids"]


def test_history_scans_and_files_agree(
    official: Any, kit: wandbkit.Api, demo_server: Any, tmp_path: Path
) -> None:
    run = kit.run(f"{demo_server.seed.entity}/{PROJECT}/{official['runs'][0]['id']}")
    assert run.history(samples=40, keys=["loss"], pandas=False) == official["history"]
    assert run.history(samples=25, pandas=False) == official["history_all"]
    scan = list(run.scan_history(keys=["loss"], page_size=97))
    assert {"rows": len(scan), "first": scan[0], "last": scan[-1]} == official["scan"]
    assert run.last_history_step == official["last_step"]
    files = list(run.files())
    assert sorted([f.name, f.size, f.md5] for f in files) == [list(f) for f in official["files"]]
    name, digest = official["download"]
    path = run.file(name).download(root=tmp_path)
    assert hashlib.md5(path.read_bytes()).hexdigest() == digest


def test_console_logs_agree(official: Any, kit: wandbkit.Api, demo_server: Any) -> None:
    run = kit.run(f"{demo_server.seed.entity}/{PROJECT}/{official['runs'][0]['id']}")
    mine = [
        [line.number, str(line.timestamp), line.level, line.label, line.content]
        for line in run.console_logs(per_page=5)
    ]
    assert len(mine) > 5 and mine == official["console"]
    assert [line.content for line in run.console_logs(last=2)] == official["console_tail"]
