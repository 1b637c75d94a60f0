"""The official client (wandb 0.31.0), unchanged, reading, uploading and updating runs locally.

One subprocess runs the whole workflow (the client's cold start dominates); the test compares
what it printed with what the store holds.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest

from wandbkit.server.history import downsample_indices
from wandbkit.server.store import RunRow, Store
from wandbkit.server.store.text import parse_timestamp
from wandbkit.server.testing import ServerHandle

from .conftest import RunOfficial

pytestmark = pytest.mark.official

ENTITY, PROJECT = "demo", "cifar10-augment"
FILTERS = {"state": "finished", "config.lr": {"$gt": 0.001}}
ORDER = "-summary_metrics.loss"

SCRIPT = """
import base64, copy, hashlib, json, os, sys, time
import wandb

T0 = time.monotonic()
def tick(label):
    print(f"{{time.monotonic() - T0:6.2f}} {{label}}", file=sys.stderr)

PATH, RUN, FILTERS, ORDER, ROOT = {args}

def light(run):
    return {{"id": run.id, "storage_id": run.storage_id, "name": run.name, "state": run.state,
             "tags": run.tags, "user": run.user.username, "created_at": run.created_at}}

def full(run):
    # Copies: the client mutates these dicts in place when the script updates the run.
    return {{**light(run), "config": copy.deepcopy(run.config),
             "summary": copy.deepcopy(run.summary_metrics)}}

api = wandb.Api()
out = {{}}
lazy = api.runs(PATH, filters=FILTERS, order=ORDER, per_page=2)
out["lazy"] = [light(run) for run in lazy]
out["len"] = len(lazy)
# Reading config in lazy mode loads the run's full data with one `Run` query per run.
out["lazy_configs"] = [copy.deepcopy(run.config) for run in lazy]
tick("lazy")
out["full"] = [full(run) for run in wandb.Api().runs(
    PATH, filters=FILTERS, order=ORDER, per_page=2, lazy=False)]

tick("full")
run = api.run(PATH + "/" + RUN)
out["run"] = full(run)
tick("run")
out["history_keys"] = run.history(samples=10, keys=["loss", "val_loss"], pandas=False)
out["history_all"] = run.history(pandas=False)
out["history_few"] = run.history(samples=7, pandas=False)
tick("history")
out["scan_keys"] = list(run.scan_history(keys=["loss", "val_acc"], page_size=3))
tick("scan keys")
out["scan_all"] = list(run.scan_history(page_size=150))
tick("scan all")

files = run.files(per_page=2)
out["file_count"] = len(files)
out["files"] = []
for file in files:
    file.download(root=ROOT, replace=True)
    with open(os.path.join(ROOT, file.name), "rb") as f:
        data = f.read()
    md5 = base64.b64encode(hashlib.md5(data).digest()).decode()
    out["files"].append({{"name": file.name, "size": file.size, "md5": file.md5,
                          "downloaded_size": len(data), "downloaded_md5": md5}})
out["one_file"] = run.file("config.yaml").name
with open(os.path.join(ROOT, "uploaded.txt"), "wb") as f:
    f.write(b"uploaded by wandb\\n" * 100)
uploaded = run.upload_file(os.path.join(ROOT, "uploaded.txt"), root=ROOT)
out["uploaded"] = {{"name": uploaded.name, "size": uploaded.size, "md5": uploaded.md5}}
tick("files")

def line(l):
    return [l.number, l.timestamp.isoformat() if l.timestamp else None, l.level, l.label, l.content]
out["console"] = [line(l) for l in run.console_logs(per_page=7)]
out["console_tail"] = [line(l) for l in run.console_logs(last=3)]
tick("console")
entity, project = PATH.split("/")
requeued = wandb.apis.public.Run.create(api, run_id="compat-state", project=project, entity=entity)
out["update_state"] = requeued.update_state("failed")
stopped = wandb.apis.public.Run.create(api, run_id="compat-stop", project=project, entity=entity)
stopped.stop()
tick("state")

run.summary.update({{"extra_metric": 1.5}})
run.tags.append("from-wandb")
run.config["new_key"] = 7
run.update()
again = wandb.Api().run(PATH + "/" + RUN)
out["after"] = {{"tags": again.tags, "config": again.config, "summary": again.summary_metrics}}
tick("update")
print(json.dumps(out))
"""


def unwrap(config_text: str) -> dict[str, Any]:
    return {
        key: value["value"]
        for key, value in json.loads(config_text).items()
        if not key.startswith("_")
    }


def md5_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def history(store: Store, run: RunRow) -> list[dict[str, Any]]:
    return [json.loads(row) for row in store.history.rows(run.pk)]


def test_the_official_client_lists_reads_downloads_and_updates_runs(
    run_official: RunOfficial, demo_server: ServerHandle, tmp_path: Any
) -> None:
    store = demo_server.store
    team = store.entities.get(ENTITY)
    assert team is not None
    project = store.projects.get(team.pk, PROJECT)
    assert project is not None
    expected = store.run_listing.list(project.pk, filters=FILTERS, order=ORDER)
    assert len(expected) >= 3  # more than one page of two
    # The run to read: the longest finished history, which has files and evaluation rows.
    run = max(
        (r for r in store.run_listing.list(project.pk) if r.state == "finished"),
        key=lambda r: r.history_line_count,
    )
    assert run.history_line_count > 500  # so history(pandas=False) is downsampled
    stored = store.run_files.list(run.pk)
    root = tmp_path / "downloads"
    args = repr((f"{ENTITY}/{PROJECT}", run.name, FILTERS, ORDER, str(root)))

    out = run_official(SCRIPT.format(args=args))

    # Listing: same runs, same order, lazily and fully, with the right count. In the official
    # client `id` is the run's name (its id) and `name` its display name.
    assert [r["id"] for r in out["lazy"]] == [r.name for r in expected]
    assert [r["id"] for r in out["full"]] == [r.name for r in expected]
    assert [r["name"] for r in out["full"]] == [r.display_name for r in expected]
    assert out["len"] == len(expected)
    for got, want in zip(out["full"], expected, strict=True):
        assert got["state"] == "finished"
        assert got["tags"] == list(want.tags)
        assert got["config"] == unwrap(want.config)
        assert got["summary"] == json.loads(want.summary)
        assert got["created_at"] == want.created_at
    assert out["lazy_configs"] == [unwrap(r.config) for r in expected]

    # One run's config and summary.
    assert out["run"]["config"] == unwrap(run.config)
    assert out["run"]["summary"] == json.loads(run.summary)
    user = store.accounts.get_user_by_pk(run.user_pk or 0)
    assert user is not None and out["run"]["user"] == user.username

    rows = history(store, run)
    # Sampled history: rows having both keys, reduced to them (plus _step), at most 10, the
    # first and the last kept.
    with_keys = [
        {"_step": r["_step"], "loss": r["loss"], "val_loss": r["val_loss"]}
        for r in rows
        if "val_loss" in r
    ]
    assert len(with_keys) > 10
    assert out["history_keys"] == [with_keys[i] for i in downsample_indices(len(with_keys), 10)]
    # Full history, default 500 samples; and 7 samples.
    assert out["history_all"] == [rows[i] for i in downsample_indices(len(rows), 500)]
    assert out["history_few"] == [rows[i] for i in downsample_indices(len(rows), 7)]
    assert out["history_few"][0] == rows[0] and out["history_few"][-1] == rows[-1]
    # scan_history: every row, paged by wandb-core, with and without keys.
    assert out["scan_keys"] == [
        {"_step": r["_step"], "loss": r["loss"], "val_acc": r["val_acc"]}
        for r in rows
        if "val_acc" in r
    ]
    assert out["scan_all"] == rows

    # Files: listed in pages of two, downloaded byte for byte.
    assert out["file_count"] == len(stored) >= 4
    assert [f["name"] for f in out["files"]] == [f.name for f in stored]
    for got, want_file in zip(out["files"], stored, strict=True):
        data = store.run_files.path(want_file).read_bytes()
        assert got["size"] == got["downloaded_size"] == want_file.size_bytes == len(data)
        assert got["md5"] == got["downloaded_md5"] == want_file.md5 == md5_b64(data)
    assert out["one_file"] == "config.yaml"
    # run.upload_file: createRunFiles, then wandb-core PUTs the bytes to the signed URL.
    content = b"uploaded by wandb\n" * 100
    (uploaded,) = store.run_files.list(run.pk, names=["uploaded.txt"])
    assert store.run_files.path(uploaded).read_bytes() == content
    assert out["uploaded"] == {
        "name": "uploaded.txt",
        "size": len(content),
        "md5": md5_b64(content),
    }

    # Console output, paged (7 lines a request) and as a tail, as the store keeps it; stdout
    # lines have an empty level and label in the official client too.
    lines = store.console.lines(run.pk, limit=10_000)
    assert len(lines) > 7 and lines[-1].number == len(lines) - 1
    expected_lines = [
        [
            line.number,
            parse_timestamp(line.timestamp).isoformat() if line.timestamp else None,
            line.level or "",
            line.label or "",
            line.line,
        ]
        for line in lines
    ]
    assert out["console"] == expected_lines
    assert out["console_tail"] == expected_lines[-3:]
    # update_state (a GraphQL mutation of the Python client) and stop (wandb-core's StopRun).
    assert out["update_state"] is True
    requeued = store.runs.get(project.pk, "compat-state")
    stopped = store.runs.get(project.pk, "compat-stop")
    assert requeued is not None and requeued.state == "failed"
    assert stopped is not None and stopped.state == "killed"

    # Updates went through upsertBucket and are what a fresh client reads back.
    updated = store.runs.get_by_pk(run.pk)
    assert updated is not None
    assert list(updated.tags) == [*run.tags, "from-wandb"]
    assert unwrap(updated.config) == {**unwrap(run.config), "new_key": 7}
    assert "_wandb" in json.loads(updated.config)  # the client sends its rawconfig back
    assert json.loads(updated.summary) == {**json.loads(run.summary), "extra_metric": 1.5}
    assert out["after"] == {
        "tags": list(updated.tags),
        "config": unwrap(updated.config),
        "summary": json.loads(updated.summary),
    }
