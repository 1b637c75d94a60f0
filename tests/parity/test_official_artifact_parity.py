"""Official-client parity for artifacts: wandb.Api() 0.31.0 and wandbkit see the same artifact
data on the same server (the demo seed's dataset and model in ``cifar10-augment``).

The official client runs in a subprocess and prints JSON; wandbkit reads the same objects
in-process; the two must agree field by field, and their downloads byte for byte.
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
from wandbkit.server.seed.artifacts import DEMO_ARTIFACT_PROJECT
from wandbkit.server.testing import ServerHandle, running_server

pytestmark = pytest.mark.official

OFFICIAL_SCRIPT = textwrap.dedent(
    """
    import hashlib, json, os, sys
    import wandb

    entity, project, root = sys.argv[1:4]
    api = wandb.Api()

    def fields(a):
        return {
            "id": a.id, "name": a.name, "qualified_name": a.qualified_name,
            "version": a.version, "source_name": a.source_name, "type": a.type,
            "aliases": sorted(a.aliases), "tags": sorted(a.tags), "state": a.state,
            "description": a.description, "metadata": a.metadata, "size": a.size,
            "digest": a.digest, "file_count": a.file_count, "is_link": a.is_link,
            "history_step": a.history_step, "commit_hash": a.commit_hash,
        }

    out = {}
    latest = api.artifact(f"{entity}/{project}/images:latest", type="dataset")
    out["latest"] = fields(latest)
    out["v0"] = fields(api.artifact(f"{entity}/{project}/images:v0"))
    out["versions"] = [a.version for a in api.artifacts("dataset", f"{entity}/{project}/images")]
    out["types"] = sorted(t.name for t in api.artifact_types(f"{entity}/{project}"))
    out["collections"] = sorted(
        c.name for c in api.artifact_collections(f"{entity}/{project}", "model")
    )
    coll = api.artifact_collection("dataset", f"{entity}/{project}/images")
    out["collection"] = [coll.name, coll.description, sorted(coll.tags), sorted(coll.aliases)]
    out["files"] = sorted((f.name, f.size, f.md5) for f in latest.files())
    out["entries"] = sorted((p, e.digest, e.size) for p, e in latest.manifest.entries.items())
    latest.download(root=root)
    latest.verify(root=root)
    digests = {}
    for directory, _, names in os.walk(root):
        for name in names:
            full = os.path.join(directory, name)
            with open(full, "rb") as fh:
                digests[os.path.relpath(full, root)] = hashlib.md5(fh.read()).hexdigest()
    out["download"] = digests
    out["logged_by"] = latest.logged_by().id
    out["used_by"] = sorted(r.id for r in latest.used_by())
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


def _fields(a: Any) -> dict[str, Any]:
    return {
        "id": a.id, "name": a.name, "qualified_name": a.qualified_name, "version": a.version,
        "source_name": a.source_name, "type": a.type, "aliases": sorted(a.aliases),
        "tags": sorted(a.tags), "state": a.state, "description": a.description,
        "metadata": a.metadata, "size": a.size, "digest": a.digest, "file_count": a.file_count,
        "is_link": a.is_link, "history_step": a.history_step, "commit_hash": a.commit_hash,
    }  # fmt: skip


def test_the_official_client_and_wandbkit_see_the_same_artifacts(
    demo_server: ServerHandle, tmp_path: Path
) -> None:
    pytest.importorskip("wandb", reason="the official client is installed with the dev extra")
    entity, project = demo_server.seed.entity, DEMO_ARTIFACT_PROJECT
    env = official_client_env(demo_server, tmp_path / "official-home")
    official_root = tmp_path / "official-download"
    done = subprocess.run(
        [sys.executable, "-c", OFFICIAL_SCRIPT, entity, project, str(official_root)],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    official = json.loads(done.stdout.strip().splitlines()[-1])

    with wandbkit.Api(api_key=demo_server.api_key, base_url=demo_server.base_url) as kit:
        latest = kit.artifact(f"{entity}/{project}/images:latest", type="dataset")
        assert official["latest"] == _fields(latest)
        assert official["v0"] == _fields(kit.artifact(f"{entity}/{project}/images:v0"))
        versions = [a.version for a in kit.artifacts("dataset", f"{entity}/{project}/images")]
        assert official["versions"] == versions
        assert official["types"] == sorted(
            t.name for t in kit.artifact_types(f"{entity}/{project}")
        )
        collections = kit.artifact_collections(f"{entity}/{project}", "model")
        assert official["collections"] == sorted(c.name for c in collections)
        coll = kit.artifact_collection("dataset", f"{entity}/{project}/images")
        assert official["collection"] == [
            coll.name, coll.description, sorted(coll.tags), sorted(coll.aliases)
        ]  # fmt: skip
        files = sorted((f.name, f.size, f.md5) for f in latest.files())
        assert [list(f) for f in files] == official["files"]
        entries = sorted((p, e.digest, e.size) for p, e in latest.manifest.entries.items())
        assert [list(e) for e in entries] == official["entries"]
        root = Path(latest.download(root=str(tmp_path / "kit-download")))
        latest.verify(root=str(root))
        digests = {
            p.relative_to(root).as_posix(): hashlib.md5(p.read_bytes()).hexdigest()
            for p in root.rglob("*")
            if p.is_file()
        }
        assert digests == official["download"]
        logged_by = latest.logged_by()
        assert logged_by is not None and official["logged_by"] == logged_by.id
        assert official["used_by"] == sorted(r.id for r in latest.used_by())
