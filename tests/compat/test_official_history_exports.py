"""The official client (wandb 0.31.0) downloading a run's parquet history exports from the
local server (``Run.download_history_exports``), and reading exported history with
``scan_history``: the files hold the rows wandbkit's ``scan_history`` reads, and wandbkit
downloads the same files; a running run is ``IncompleteRunHistoryError``."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import wandbkit
from wandbkit.server.history_exports import exports_for
from wandbkit.server.testing import ServerHandle

from .conftest import RunOfficial

pytestmark = pytest.mark.official
pq = pytest.importorskip("pyarrow.parquet", reason="the exports need pyarrow")

SCRIPT = """
import json
import wandb
from wandb.apis.public import runhistory

done, live, root = {args}
api = wandb.Api()
run = api.run(done)
result = run.download_history_exports(root + "/official")
out = {{"paths": [str(p) for p in result.paths], "live": result.contains_live_data,
        "errors": {{str(k): v for k, v in (result.errors or {{}}).items()}},
        "scan": list(run.scan_history()), "scan_keys": list(run.scan_history(keys=["loss"]))}}
try:
    api.run(live).download_history_exports(root + "/live")
    out["incomplete"] = False
except runhistory.IncompleteRunHistoryError:
    out["incomplete"] = True
partial = api.run(live).download_history_exports(root + "/live", require_complete_history=False)
out["partial"] = [len(partial.paths), partial.contains_live_data]
print(json.dumps(out))
"""


def _rows(paths: list[Path]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in paths:
        rows.extend(pq.read_table(path).to_pylist())
    return rows


def test_the_official_client_downloads_the_exports_wandbkit_reads(
    demo_server: ServerHandle, run_official: RunOfficial, tmp_path: Path
) -> None:
    store = demo_server.store
    exports_for(store).delay = timedelta(0)  # W&B waits about 4 h after a run ends
    entity, project = demo_server.seed.entity, "cifar10-augment"
    done = _run_in(store, entity, project, "finished")
    live = _run_in(store, entity, project, "running")
    args = (f"{entity}/{project}/{done}", f"{entity}/{project}/{live}", str(tmp_path))
    out = run_official(SCRIPT.format(args=json.dumps(list(args))))
    name = f"{entity}_{project}_{done}_0.runhistory.parquet"
    assert [Path(p).name for p in out["paths"]] == [name]
    assert out["live"] is False and out["errors"] == {}
    assert out["incomplete"] is True and out["partial"] == [0, True]

    with wandbkit.Api(api_key=demo_server.api_key, base_url=demo_server.base_url) as api:
        run = api.run(f"{entity}/{project}/{done}")
        scanned = list(run.scan_history())
        mine = run.download_history_exports(tmp_path / "wandbkit")
    assert [p.name for p in mine.paths] == [name]
    assert (tmp_path / "wandbkit" / name).read_bytes() == Path(out["paths"][0]).read_bytes()
    exported = _rows([Path(p) for p in out["paths"]])
    # A key a row lacks is a null column value in parquet (None in the official scan rows).
    assert [{k: v for k, v in r.items() if v is not None} for r in exported] == scanned
    assert out["scan"] == exported  # the official scan reads the exports
    assert [r["_step"] for r in out["scan_keys"]] == [r["_step"] for r in scanned]
    import pandas as pd

    frame = pd.read_parquet(out["paths"][0])
    assert frame["_step"].tolist() == [r["_step"] for r in scanned]


def _run_in(store: Any, entity: str, project: str, state: str) -> str:
    """The name of a demo run in that state with some history."""
    for row in store.db.all(
        "SELECT r.name, r.pk FROM runs r JOIN projects p ON r.project_pk = p.id"
        " JOIN entities e ON p.entity_id = e.id WHERE e.name = ? AND p.name = ? AND r.state = ?"
        " ORDER BY r.pk",
        (entity, project, state),
    ):
        if store.history.steps(row["pk"]):
            return str(row["name"])
    pytest.fail(f"the demo seed has no {state} run with history in {entity}/{project}")
