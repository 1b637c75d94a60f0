"""Publishing without the SDK end to end, on ``AsyncApi`` and ``Api``: a new collection and
new versions (``latest`` moves), content the server stores already is not uploaded again, the
same content gives the existing version, and an interrupted publish commits nothing and can
be retried."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from wandbkit.errors import APIError, UsageError
from wandbkit.server.seed import ArtifactSeed

from ..support import Flavor


def uploads(flavor: Flavor) -> list[str]:
    return [r.url.path for r in flavor.transport.requests if r.method == "PUT"]


def write(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


async def test_publish_versions(flavor: Flavor, arts: ArtifactSeed, tmp_path: Path) -> None:
    name = f"{arts.entity}/{arts.project}/notes"
    data = write(tmp_path / "v0", {"a.txt": b"alpha", "sub/b.txt": b"bravo"})
    draft = flavor.api.create_artifact(
        name,
        type="text",
        description="first",
        metadata={"n": 2},
        aliases=["first"],
        tags=["draft"],
        run=arts.producer,
    )
    draft.add_dir(data)
    flavor.transport.clear()
    first = await flavor(draft.publish())
    assert first.name == "notes:v0" and first.state == "COMMITTED"
    assert set(first.aliases) == {"latest", "first"} and first.tags == ["draft"]
    assert first.description == "first" and first.metadata == {"n": 2}
    assert first.digest == draft.digest and first.file_count == 2
    assert len(uploads(flavor)) == 3  # two files and the manifest
    assert flavor.transport.operations[0] == "CreateArtifactVersion"
    assert flavor.transport.operations[-2:] == ["CommitArtifact", "GetArtifactById"]
    producer = await flavor(first.logged_by())
    assert producer is not None and producer.id == arts.producer
    await flavor(first.download(root=str(tmp_path / "back")))
    await flavor(first.verify(root=str(tmp_path / "back")))
    # One file changed: a new version, and only the changed file is uploaded.
    write(data, {"sub/b.txt": b"bravo, edited"})
    second_draft = flavor.api.create_artifact(name, type="text")
    second_draft.add_dir(data)
    flavor.transport.clear()
    second = await flavor(second_draft.publish())
    assert second.version == "v1" and "latest" in second.aliases
    assert len(uploads(flavor)) == 2  # the changed file and the manifest
    assert "latest" not in (await flavor(flavor.api.artifact(f"{name}:v0"))).aliases
    # The same content again is the existing version: nothing uploaded, nothing committed.
    same = flavor.api.create_artifact(name, type="text")
    same.add_dir(data)
    flavor.transport.clear()
    again = await flavor(same.publish())
    assert again.id == second.id and uploads(flavor) == []
    assert "CommitArtifact" not in flavor.transport.operations


async def test_an_interrupted_publish_commits_nothing_and_can_be_retried(
    flavor: Flavor, arts: ArtifactSeed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"{arts.entity}/{arts.project}/interrupted"
    draft = flavor.api.create_artifact(name, type="text")
    draft.add_file(write(tmp_path, {"x.bin": b"x" * 1000}) / "x.bin")
    module = (
        "wandbkit._async.artifacts.publish"
        if flavor.is_async
        else ("wandbkit._sync.artifacts.publish")
    )

    def broken(*args: object, **kwargs: object) -> None:
        raise APIError("the connection dropped")

    monkeypatch.setattr(
        f"{module}.AsyncArtifactDraft._upload_manifest"
        if flavor.is_async
        else f"{module}.ArtifactDraft._upload_manifest",
        broken,
    )
    with pytest.raises(APIError, match="dropped"):
        await flavor(draft.publish())
    assert not await flavor(flavor.api.artifact_exists(f"{name}:latest"))
    monkeypatch.undo()
    published = await flavor(draft.publish())
    assert published.version == "v0" and published.state == "COMMITTED"
    listed = await flavor.list(flavor.api.artifacts("text", name))
    assert [a.version for a in listed] == ["v0"]


async def test_a_new_draft_of_a_version(flavor: Flavor, arts: ArtifactSeed, tmp_path: Path) -> None:
    model = await flavor(flavor.api.artifact(f"{arts.entity}/{arts.project}/classifier:v1"))
    draft = await flavor(model.new_draft())
    assert draft.description == model.description and draft.metadata == model.metadata
    with draft.new_file("notes.txt", mode="w") as handle:
        handle.write("retrained")
    draft.remove("weights/part-1.bin")
    flavor.transport.clear()
    new = await flavor(draft.publish())
    assert new.version == "v2" and new.source_name == "classifier:v2"
    assert len(uploads(flavor)) == 2  # the new file and the manifest; the rest is stored
    entries = (await flavor(new.manifest)).entries
    assert sorted(entries) == ["config.json", "notes.txt", "weights/part-0.bin"]
    root = tmp_path / "new"
    await flavor(new.download(root=str(root)))
    assert (root / "notes.txt").read_text() == "retrained"


async def test_runs_log_existing_versions(flavor: Flavor, arts: ArtifactSeed) -> None:
    run = await flavor(flavor.api.create_run(project=arts.project, entity=arts.entity))
    dataset = await flavor(flavor.api.artifact(f"{arts.entity}/{arts.project}/images:v0"))
    logged = await flavor(run.log_artifact(dataset, aliases=["relogged"]))
    assert logged is dataset
    again = await flavor(flavor.api.artifact(f"{arts.entity}/{arts.project}/images:relogged"))
    assert again.id == dataset.id
    other = await flavor(flavor.api.create_run(project="elsewhere", entity=arts.entity))
    with pytest.raises(UsageError, match="different project"):
        await flavor(other.log_artifact(dataset))


async def test_a_file_over_the_multipart_threshold_goes_in_parts(
    flavor: Flavor, arts: ArtifactSeed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # wandb-core's threshold is 2 GiB in parts of 100 MiB; lowered here to 256 KiB in parts of
    # 100 KiB, so a 300 KiB file goes as four parts (the last one short).
    module = f"wandbkit.{'_async' if flavor.is_async else '_sync'}.artifacts.multipart"
    monkeypatch.setattr(f"{module}.MULTIPART_THRESHOLD", 256 * 1024)
    monkeypatch.setattr(f"{module}.PART_SIZE", 100 * 1024)
    big = os.urandom(300 * 1024 + 7)
    small = b"small file"
    data = write(tmp_path / "v0", {"big.bin": big, "small.txt": small})
    draft = flavor.api.create_artifact(f"{arts.entity}/{arts.project}/weights", type="model")
    draft.add_dir(data)
    flavor.transport.clear()
    published = await flavor(draft.publish())
    assert published.state == "COMMITTED" and published.size == len(big) + len(small)
    paths = uploads(flavor)
    assert sum("/signed/artifact-upload-part/" in p for p in paths) == 4
    assert sum(p.startswith("/signed/artifact-upload/") for p in paths) == 1  # small.txt
    assert "CompleteMultipartUploadArtifact" in flavor.transport.operations
    root = Path(await flavor(published.download(root=str(tmp_path / "back"))))
    assert (root / "big.bin").read_bytes() == big and (root / "small.txt").read_bytes() == small
    # The same content again uploads nothing, parts included.
    again = flavor.api.create_artifact(f"{arts.entity}/{arts.project}/weights", type="model")
    again.add_dir(data)
    flavor.transport.clear()
    assert (await flavor(again.publish())).id == published.id and uploads(flavor) == []


async def test_tables_and_media_added_to_a_draft_are_read_back_by_name(
    flavor: Flavor, arts: ArtifactSeed
) -> None:
    """``draft.add(obj, name)`` stores a W&B object as wandb does (``<name>.<type>.json``);
    ``artifact.get(name)`` / ``artifact[name]`` find it by that name and read it back."""
    from wandbkit import ArtifactMedia, ArtifactTable

    table = ArtifactTable(["id", "label"], [[1, "cat"], [2, "dog"]])
    draft = flavor.api.create_artifact(f"{arts.entity}/{arts.project}/evals", type="eval")
    assert draft.add(table, "predictions") == "predictions.table.json"
    draft["charts/loss"] = {"_type": "histogram", "values": [1, 2], "bins": [0, 1, 2]}
    with pytest.raises(UsageError, match="already has an entry"):
        draft.add(table, "predictions")
    assert draft.add(ArtifactTable(["id"], [[3]]), "predictions", overwrite=True)
    with pytest.raises(UsageError, match="obj must be an ArtifactTable"):
        draft.add(object(), "x")
    published = await flavor(draft.publish())
    manifest = await flavor(published.manifest)
    assert set(manifest.entries) == {"predictions.table.json", "charts/loss.histogram.json"}
    got = await flavor(published.get("predictions"))
    assert got == ArtifactTable(["id"], [[3]]) and got.path == "predictions.table.json"
    assert await flavor(published["predictions.table.json"]) == got
    media = await flavor(published["charts/loss"])
    assert isinstance(media, ArtifactMedia) and media.kind == "histogram"
    assert media.document["values"] == [1, 2]
    assert await flavor(published.get("missing")) is None


def test_tables_check_their_shape() -> None:
    from wandbkit import ArtifactTable

    with pytest.raises(UsageError, match="distinct"):
        ArtifactTable(["a", "a"], [])
    with pytest.raises(UsageError, match=r"data\[1\] has 1 values for 2 columns"):
        ArtifactTable(["a", "b"], [[1, 2], [3]])
    with pytest.raises(UsageError, match="JSON"):
        ArtifactTable(["a"], [[float("nan")]])
    table = ArtifactTable(["a", "b"], [[1, "x"]])
    assert table.get_column("b") == ["x"] and len(table) == 1 and table.ncols == 2
    assert table.to_json()["nrows"] == 1
