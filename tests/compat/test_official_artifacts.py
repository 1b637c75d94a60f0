"""The official client (wandb 0.31.0), unchanged, reads, downloads, verifies and edits the
local server's artifacts.

Two scripts share one server over the demo seed (the official client is slow to start): the
first reads (by alias and version, types, collections, versions, files, download and
verify, lineage), the second edits (description, metadata, TTL, aliases, tags, collection
description and tags, link and unlink, use, delete).
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wandbkit.server import Store, seed_demo
from wandbkit.server.seed.artifacts import DEMO_ARTIFACT_PROJECT
from wandbkit.server.testing import ServerHandle, running_server

from .conftest import OFFICIAL_CLIENT_TIMEOUT, official_client_env

pytestmark = pytest.mark.official


@pytest.fixture(scope="module")
def server() -> Iterator[ServerHandle]:
    store = Store()
    seed = seed_demo(store)
    with running_server(store, seed=seed) as handle:
        yield handle
    store.close()


def run_script(server: ServerHandle, home: Path, script: str) -> Any:
    pytest.importorskip("wandb", reason="the official wandb client is not installed")
    home.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=official_client_env(server, home / "home"),
        cwd=home,
        capture_output=True,
        text=True,
        timeout=OFFICIAL_CLIENT_TIMEOUT,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


READ_SCRIPT = """
import json, wandb
path = "{path}"
api = wandb.Api()
production = api.artifact(f"{path}/classifier:production")
by_version = api.artifact(f"{path}/classifier:v0", type="model")
root = production.download(root="{root}")
production.verify(root)
collections = api.artifact_collections(f"{path}", "model")
print(json.dumps({{
    "production": [production.name, production.version, production.aliases, production.type,
                   production.metadata, production.tags, production.size, production.file_count,
                   production.digest],
    "by_version": [by_version.name, by_version.aliases],
    "types": [t.name for t in api.artifact_types(f"{path}")],
    "collections": [[c.name, c.is_sequence(), sorted(c.aliases)] for c in collections],
    "versions": [v.version for v in api.artifacts("dataset", f"{path}/images")],
    "dataset_files": len(list(api.artifact(f"{path}/images:latest").files(per_page=100))),
    "files": sorted(f.name for f in production.files()),
    "root": root,
    "logged_by": production.logged_by().name,
    "used_by": [r.name for r in production.used_by()],
    "exists": [api.artifact_exists(f"{path}/images:v2"), api.artifact_exists(f"{path}/images:v9")],
}}))
"""

EDIT_SCRIPT = """
import json, wandb
from datetime import timedelta
path = "{path}"
api = wandb.Api()
artifact = api.artifact(f"{path}/images:v1")
artifact.description = "edited"
artifact.metadata = {{"revision": 1, "note": "edited"}}
artifact.aliases.append("candidate")
artifact.tags = artifact.tags + ["reviewed"]
artifact.ttl = timedelta(days=3)
artifact.save()
edited = wandb.Api().artifact(f"{path}/images:candidate")
after_edit = [edited.version, sorted(edited.aliases), sorted(edited.tags), edited.description,
              edited.metadata, edited.ttl.total_seconds()]
edited.aliases.remove("candidate")
edited.save()
aliases_after_removal = sorted(wandb.Api().artifact(f"{path}/images:v1").aliases)
linked = edited.link(f"{path}/golden-images", aliases=["gold"])
via_link = wandb.Api().artifact(f"{path}/golden-images:gold")
link = [linked.name, sorted(linked.aliases), via_link.source_name, via_link.is_link]
via_link.unlink()
try:
    wandb.Api().artifact(f"{path}/golden-images:gold")
    unlinked = False
except Exception:
    unlinked = True
collection = api.artifact_collection("dataset", f"{path}/images")
collection.description = "curated samples"
collection.tags = collection.tags + ["curated"]
collection.save()
collection = wandb.Api().artifact_collection("dataset", f"{path}/images")
run = list(api.runs(path, per_page=5))[3]
model = api.artifact(f"{path}/classifier:v0")
run.use_artifact(model, use_as="init")
used = [a.name for a in api.run(f"{path}/{{run.id}}").used_artifacts()]
# images:v0 is linked into the demo's dataset registry under the alias "golden"; an artifact
# with aliases is deleted only when asked to delete them too.
api.artifact(f"{path}/images:v0").delete(delete_aliases=True)
remaining = [v.version for v in wandb.Api().artifacts("dataset", f"{path}/images")]
print(json.dumps({{
    "after_edit": after_edit,
    "aliases_after_removal": aliases_after_removal,
    "link": link,
    "unlinked": unlinked,
    "collection": [collection.description, sorted(collection.tags)],
    "used": used,
    "run": run.id,
    "versions_after_delete": remaining,
}}))
"""


def project_path(server: ServerHandle) -> str:
    return f"{server.seed.entity}/{DEMO_ARTIFACT_PROJECT}"


def test_the_official_client_reads_downloads_and_verifies_artifacts(
    server: ServerHandle, tmp_path: Path
) -> None:
    store = server.store
    project = store.projects.find(server.seed.entity, DEMO_ARTIFACT_PROJECT)
    assert project is not None
    root = tmp_path / "download"
    script = READ_SCRIPT.format(path=project_path(server), root=root)
    result = run_script(server, tmp_path, script)

    name, version, aliases, type_name, metadata, tags, size, file_count, digest = result[
        "production"
    ]
    assert (name, version, sorted(aliases), type_name) == (
        "classifier:production",
        "v1",
        ["latest", "production"],
        "model",
    )
    assert metadata == {"accuracy": 0.85, "epochs": 20} and tags == ["candidate"]
    assert file_count == 4 and size > 5 << 20 and len(digest) == 32
    assert result["by_version"] == ["classifier:v0", ["best"]]
    assert result["types"] == ["dataset", "model"]
    assert result["collections"] == [
        ["classifier", True, ["best", "latest", "production"]],
        ["classifier-releases", False, ["latest", "staging"]],
    ]
    assert result["versions"] == ["v2", "v1", "v0"]
    assert result["dataset_files"] == 300 + 2 * 3 + 1  # the third refresh adds files
    expected_files = ["config.json", *(f"weights/part-{i}.bin" for i in range(3))]
    # Listed by base name (the official document asks for `name: displayName`).
    assert result["files"] == sorted(path.rsplit("/", 1)[-1] for path in expected_files)
    assert Path(result["root"]) == root
    for path in expected_files:  # the bytes on disk are the server's, byte for byte
        md5 = base64.b64encode(hashlib.md5((root / path).read_bytes()).digest()).decode()
        blob = store.artifact_manifests.blob(md5)
        assert blob is not None and blob.stored
    # The demo logs with the project's first run and uses with its last (seed/artifacts.py).
    runs = store.run_listing.list(project.pk, order="+created_at")
    assert result["logged_by"] == runs[0].display_name
    assert result["used_by"] == [runs[-1].display_name]
    assert result["exists"] == [True, False]


def test_the_official_client_edits_links_uses_and_deletes_artifacts(
    server: ServerHandle, tmp_path: Path
) -> None:
    result = run_script(server, tmp_path, EDIT_SCRIPT.format(path=project_path(server)))

    assert result["after_edit"] == [
        "v1",
        ["best", "candidate"],
        ["clean", "reviewed"],
        "edited",
        {"revision": 1, "note": "edited"},
        3 * 24 * 3600,
    ]
    assert result["aliases_after_removal"] == ["best"]
    assert result["link"] == ["golden-images:v0", ["gold", "latest"], "images:v1", True]
    assert result["unlinked"] is True
    assert result["collection"] == ["curated samples", ["curated", "vision"]]
    assert result["used"] == ["classifier:v0"]
    assert result["versions_after_delete"] == ["v2", "v1"]
    store = server.store
    project = store.projects.find(server.seed.entity, DEMO_ARTIFACT_PROJECT)
    assert project is not None
    run = store.runs.get(project.pk, result["run"])
    assert run is not None
    used = store.artifacts.used_by_run(run.pk, after_pk=0, limit=10)
    sequences = [store.artifact_collections.get_by_pk(a.sequence_pk) for a in used]
    assert [s.name for s in sequences if s is not None] == ["classifier"]


TABLE_SCRIPT = """
import json, wandb
artifact = wandb.Api().artifact("{name}")
table = artifact.get("predictions")
same = artifact["predictions"]
print(json.dumps({{
    "type": type(table).__name__,
    "columns": table.columns,
    "data": table.data,
    "same": same.data == table.data,
}}))
"""


def test_a_table_wandbkit_adds_is_a_wandb_table_for_the_official_client(
    server: ServerHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``ArtifactDraft.add(ArtifactTable(...), name)`` stores what ``wandb.Table`` reads:
    the official ``Artifact.get(name)`` gives a ``Table`` with the same columns and rows."""
    import wandbkit

    monkeypatch.chdir(tmp_path)  # get() downloads into ./artifacts/, as wandb's does

    api = wandbkit.Api(api_key=server.api_key, base_url=server.base_url)
    draft = api.create_artifact(f"{project_path(server)}/evaluation", type="eval")
    draft.add(wandbkit.ArtifactTable(["id", "label"], [[1, "cat"], [2, "dog"]]), "predictions")
    published = draft.publish()
    script = TABLE_SCRIPT.format(name=f"{project_path(server)}/{published.name}")
    result = run_script(server, tmp_path, script)
    assert result == {
        "type": "Table",
        "columns": ["id", "label"],
        "data": [[1, "cat"], [2, "dog"]],
        "same": True,
    }
    assert published.get("predictions") == wandbkit.ArtifactTable(
        ["id", "label"], [[1, "cat"], [2, "dog"]]
    )
