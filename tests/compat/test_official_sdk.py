"""Training scripts written with the official SDK (wandb 0.31.0: ``wandb.init``/``log``/
``finish``), run unchanged against the local server.

The SDK starts its wandb-core helper process on every ``wandb.init()``, so the tests are few
and share one server: each runs one subprocess for a whole workflow and then compares what
the official ``wandb.Api()`` (in that subprocess, after ``finish()``) and wandbkit read back.
"""

from __future__ import annotations

import hashlib
import json
import resource
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import wandbkit
from wandbkit.server import Store
from wandbkit.server.faults import Fault
from wandbkit.server.testing import ServerHandle, running_server

from .conftest import OFFICIAL_CLIENT_TIMEOUT, official_client_env

pytestmark = pytest.mark.official

PROJECT = "sdk-compat"
STEPS = 1000

TRAIN = """
import json, os, sys
import wandb

run = wandb.init(project={project!r}, config={{"lr": 0.01, "batch_size": 32,
                 "arch": {{"layers": 2, "act": "relu"}}}}, tags=["baseline"], name="trained",
                 notes="written by the official SDK")
for step in range({steps}):
    wandb.log({{"loss": 1 / (step + 1), "acc": step / {steps}, "epoch": step // 100,
               "lr": 0.01 * 0.999 ** step}})
print("training done")
run.summary["best_acc"] = 0.999
run.summary["nested"] = {{"a": [1, 2, 3]}}
with open(os.path.join(run.dir, "model.txt"), "w") as f:
    f.write("weights " * 100)
run.save(os.path.join(run.dir, "model.txt"), base_path=run.dir, policy="now")
run_id, entity = run.id, run.entity
run.finish()

api = wandb.Api()
got = api.run(f"{{entity}}/{project}/{{run_id}}")
history = got.history(samples=5000, pandas=False)
print(json.dumps({{
    "id": run_id, "entity": entity, "state": got.state, "name": got.display_name,
    "tags": got.tags, "notes": got.notes, "config": got.config,
    "summary": dict(got.summary), "history": history,
    "scan": list(got.scan_history(page_size=300)),
    "events": got.history(stream="system", pandas=False),
    "files": sorted(f.name for f in got.files()),
    "model": got.file("model.txt").download(root="dl", replace=True).read(),
}}, default=lambda o: dict(o) if hasattr(o, "keys") else str(o)))
"""

RESUME = """
import json
import wandb

first = wandb.init(project={project!r}, id="resumed", config={{"lr": 0.1}}, tags=["t1"])
for step in range(5):
    wandb.log({{"loss": 1.0 / (step + 1)}})
first.summary["best"] = 0.2
first.finish()

again = wandb.init(project={project!r}, id="resumed", resume="must")
restored = {{"config": dict(again.config), "best": again.summary.get("best"),
            "step": again.starting_step, "tags": list(again.tags)}}
for step in range(5):
    wandb.log({{"loss": 0.1 / (step + 1)}})
again.finish()

try:
    wandb.init(project={project!r}, id="doesnotexist", resume="must")
except Exception as exc:
    missing = type(exc).__name__
else:
    missing = None
print(json.dumps({{"restored": restored, "missing": missing}}))
"""

OFFLINE = """
import json, os, subprocess, sys
import wandb

os.environ["WANDB_MODE"] = "offline"
run = wandb.init(project={project!r}, id="offline1", config={{"k": 1}})
for step in range(10):
    wandb.log({{"x": step}})
run.summary["best"] = 9
run.finish()
os.environ.pop("WANDB_MODE")
done = subprocess.run([sys.executable, "-m", "wandb", "sync", os.path.dirname(run.dir)],
                      capture_output=True, text=True)
print(json.dumps({{"rc": done.returncode, "err": done.stderr[-2000:]}}))
"""

ARTIFACTS = """
import hashlib, json, os
import wandb

os.makedirs("data/sub", exist_ok=True)
files = {{"a.txt": b"alpha\\n", "data/b.txt": b"bravo\\n", "data/sub/c.bin": os.urandom(3 << 20)}}
for name, content in files.items():
    with open(name, "wb") as f:
        f.write(content)
digests = {{name: hashlib.md5(content).hexdigest() for name, content in files.items()}}

def dataset():
    art = wandb.Artifact("ds", "dataset", description="three files", metadata={{"rows": 3}})
    art.add_file("a.txt")
    art.add_dir("data", name="data")
    return art

producer = wandb.init(project={project!r}, job_type="producer")
first = producer.log_artifact(dataset(), aliases=["best"])
first.wait()
again = producer.log_artifact(dataset())
again.wait()
producer.finish()

consumer = wandb.init(project={project!r}, job_type="consumer")
used = consumer.use_artifact("ds:latest")
root = used.download(root="dl", skip_cache=True)
downloaded = {{}}
for name in files:
    with open(os.path.join(root, name), "rb") as f:
        downloaded[name] = hashlib.md5(f.read()).hexdigest()
target = f"{{consumer.entity}}/{project}/linked-ds"
consumer.link_artifact(used, target_path=target, aliases=["prod"])
consumer.finish()

api = wandb.Api()
stored = api.artifact(f"{{consumer.entity}}/{project}/ds:v0")
linked = api.artifact(f"{{consumer.entity}}/{project}/linked-ds:prod")
print(json.dumps({{
    "versions": [first.version, again.version], "ids": [first.id, again.id],
    "digests": digests, "downloaded": downloaded,
    "aliases": sorted(stored.aliases), "metadata": stored.metadata,
    "logged_by": stored.logged_by().id, "used_by": [r.id for r in stored.used_by()],
    "producer": producer.id, "consumer": consumer.id,
    "linked_digest": linked.digest, "digest": stored.digest,
}}))
"""

BIG = """
import hashlib, json, os
import wandb

digest = hashlib.md5()
with open("big.bin", "wb") as f:
    for _ in range({mib}):
        chunk = os.urandom(1 << 20)
        digest.update(chunk)
        f.write(chunk)
run = wandb.init(project={project!r}, job_type="big")
art = wandb.Artifact("big", "model")
art.add_file("big.bin")
logged = run.log_artifact(art)
logged.wait()
run.finish()
print(json.dumps({{"md5": digest.hexdigest(), "entity": run.entity, "version": logged.version}}))
"""

RETRIED = """
import json
import wandb

run = wandb.init(project={project!r}, id="retried")
for step in range(20):
    wandb.log({{"y": step}})
run.finish()
print(json.dumps({{"ok": True}}))
"""


@pytest.fixture(scope="module")
def sdk_server() -> Iterator[ServerHandle]:
    """One local server for every test of this module."""
    pytest.importorskip("wandb", reason="the official wandb SDK is not installed")
    store = Store()
    with running_server(store) as handle:
        yield handle
    store.close()


def run_script(server: ServerHandle, home: Path, script: str) -> Any:
    """Run ``script`` with the official SDK in a subprocess; the JSON of its last line."""
    home.mkdir(parents=True, exist_ok=True)
    try:
        result = subprocess.run(
            [sys.executable, "-c", script],
            env=official_client_env(server, home),
            cwd=home,
            capture_output=True,
            text=True,
            timeout=OFFICIAL_CLIENT_TIMEOUT,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the official SDK timed out; stderr:\n{exc.stderr!r}")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_training_script_reads_back_the_same_through_both_clients(
    sdk_server: ServerHandle, tmp_path: Path
) -> None:
    out = run_script(sdk_server, tmp_path, TRAIN.format(project=PROJECT, steps=STEPS))
    path = f"{out['entity']}/{PROJECT}/{out['id']}"
    assert out["state"] == "finished"
    assert (out["name"], out["tags"], out["notes"]) == (
        "trained",
        ["baseline"],
        "written by the official SDK",
    )
    assert out["config"] == {"lr": 0.01, "batch_size": 32, "arch": {"layers": 2, "act": "relu"}}
    assert len(out["history"]) == STEPS and out["scan"] == out["history"]
    assert [row["_step"] for row in out["history"]] == list(range(STEPS))
    assert out["history"][-1]["loss"] == 1 / STEPS
    assert out["summary"]["best_acc"] == 0.999 and out["summary"]["nested"] == {"a": [1, 2, 3]}
    assert out["summary"]["_step"] == STEPS - 1
    assert "model.txt" in out["files"] and "output.log" in out["files"]
    assert out["model"] == "weights " * 100

    with wandbkit.Api(api_key=sdk_server.api_key, base_url=sdk_server.base_url) as api:
        run = api.run(path)
        assert run.state == "finished"
        assert run.config == out["config"]
        assert dict(run.summary) == out["summary"]
        assert list(run.scan_history()) == out["history"]
        assert run.history(samples=5000, pandas=False) == out["history"]
        assert sorted(f.name for f in run.files()) == out["files"]
        assert out["events"] and run.history(stream="system", pandas=False) == out["events"]
        assert any(key.startswith("system.") for key in out["events"][0])
        console = [line.content for line in run.console_logs()]
        assert "training done" in console
    stored = sdk_server.store.runs.find(out["entity"], PROJECT, out["id"])
    assert stored is not None and json.loads(stored.system_metrics)  # system metrics arrived


def test_resume_offline_sync_and_file_stream_retries(
    sdk_server: ServerHandle, tmp_path: Path
) -> None:
    store = sdk_server.store
    entity = sdk_server.seed.entity
    out = run_script(sdk_server, tmp_path / "resume", RESUME.format(project=PROJECT))
    assert out["restored"] == {"config": {"lr": 0.1}, "best": 0.2, "step": 5, "tags": ["t1"]}
    assert out["missing"] == "UsageError"
    resumed = store.runs.find(entity, PROJECT, "resumed")
    assert resumed is not None and resumed.state == "finished"
    assert store.history.steps(resumed.pk) == list(range(10))

    out = run_script(sdk_server, tmp_path / "offline", OFFLINE.format(project=PROJECT))
    assert out["rc"] == 0, out["err"]
    synced = store.runs.find(entity, PROJECT, "offline1")
    assert synced is not None and synced.state == "finished"
    assert [json.loads(r)["x"] for r in store.history.rows(synced.pk)] == list(range(10))
    assert json.loads(synced.summary)["best"] == 9

    # file_stream fails: two 500s (wandb-core backs off 2 s, then 4 s), then 429s that name a
    # short Retry-After; the SDK must keep the data and send each chunk's rows once.
    stream_route = f"/files/{entity}/{PROJECT}/retried/file_stream"
    sdk_server.faults.add(Fault.status(500), route=stream_route, times=2)
    sdk_server.faults.add(Fault.status(429, retry_after=1), route=stream_route, times=3)
    run_script(sdk_server, tmp_path / "retried", RETRIED.format(project=PROJECT))
    retried = store.runs.find(entity, PROJECT, "retried")
    assert retried is not None and retried.state == "finished"
    assert [json.loads(r)["y"] for r in store.history.rows(retried.pk)] == list(range(20))
    injected = [f for f in sdk_server.faults.injected if f.path == stream_route]
    assert len(injected) == 5


def test_artifacts_logged_used_linked_deduplicated_and_downloaded_byte_exact(
    sdk_server: ServerHandle, tmp_path: Path
) -> None:
    # Every artifact content upload is recorded (a zero-delay fault matches and passes it on).
    uploads = "/signed/artifact-upload/*"
    sdk_server.faults.add(Fault.latency(0.0), route=uploads, method="PUT")
    out = run_script(sdk_server, tmp_path, ARTIFACTS.format(project=PROJECT))
    assert out["versions"] == ["v0", "v0"] and out["ids"][0] == out["ids"][1]
    assert out["downloaded"] == out["digests"]
    assert out["aliases"] == ["best", "latest"] and out["metadata"] == {"rows": 3}
    assert out["logged_by"] == out["producer"] and out["used_by"] == [out["consumer"]]
    assert out["linked_digest"] == out["digest"]
    puts = [
        f for f in sdk_server.faults.injected if f.method == "PUT" and "artifact-upload" in f.path
    ]
    assert len(puts) == 3  # the second, unchanged log uploaded nothing


BIG_MIB = 120


def test_a_120_mib_artifact_from_the_sdk_downloads_byte_exact_with_bounded_server_memory(
    sdk_server: ServerHandle, tmp_path: Path
) -> None:
    # wandb-core PUTs a file under 2 GiB in one request (official-sdk-wire 04b): the server
    # streams it to disk. The server runs in this process, so its peak memory shows here.
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sdk_server.faults.add(Fault.latency(0.0), route="/signed/artifact-upload/*", method="PUT")
    earlier = len(sdk_server.faults.injected)  # the module's server is shared
    out = run_script(sdk_server, tmp_path / "sdk", BIG.format(project=PROJECT, mib=BIG_MIB))
    assert out["version"] == "v0"
    injected = sdk_server.faults.injected[earlier:]
    puts = [f for f in injected if "/signed/artifact-upload/" in f.path]
    assert len(puts) == 1  # one PUT of the whole file (no multipart under 2 GiB)
    with wandbkit.Api(api_key=sdk_server.api_key, base_url=sdk_server.base_url) as api:
        artifact = api.artifact(f"{out['entity']}/{PROJECT}/big:v0")
        assert artifact.size == BIG_MIB << 20
        root = Path(artifact.download(root=str(tmp_path / "dl"), skip_cache=True))
    digest = hashlib.md5()
    with (root / "big.bin").open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    assert digest.hexdigest() == out["md5"]
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < (BIG_MIB << 10) // 2, f"peak memory grew by {grown_kib} KiB"
