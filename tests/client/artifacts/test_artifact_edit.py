"""Editing artifacts end to end, on ``AsyncApi`` and ``Api``: the diff-based ``save()`` of a
version (aliases, tags, description, metadata, TTL), deletion, links, collections edited and
deleted, and runs declaring versions they used and logged."""

from __future__ import annotations

from datetime import timedelta

import pytest

from wandbkit.errors import GraphQLError, NotFoundError, UsageError
from wandbkit.server.seed import ArtifactSeed

from ..support import Flavor


def path(arts: ArtifactSeed, name: str) -> str:
    return f"{arts.entity}/{arts.project}/{name}"


def operations(flavor: Flavor) -> list[str | None]:
    return flavor.transport.operations


async def test_save_sends_what_changed(flavor: Flavor, arts: ArtifactSeed) -> None:
    art = await flavor(flavor.api.artifact(path(arts, "images:v0")))
    flavor.transport.clear()
    await flavor(art.save())
    assert operations(flavor) == []  # nothing changed, nothing sent
    art.aliases.append("golden")
    art.tags = ["raw", "reviewed"]
    art.description = "Checked by hand"
    art.metadata = {**art.metadata, "checked": True}
    art.ttl = timedelta(days=30)
    await flavor(art.save())
    assert operations(flavor) == ["AddArtifactAliases", "UpdateArtifact"]
    fresh = await flavor(flavor.api.artifact(path(arts, "images:golden")))
    assert fresh.id == art.id and fresh.aliases == ["golden"]
    assert fresh.tags == ["raw", "reviewed"] and fresh.description == "Checked by hand"
    assert fresh.metadata["checked"] is True and fresh.ttl == timedelta(days=30)
    fresh.aliases.remove("golden")
    fresh.tags = ["raw"]
    flavor.transport.clear()
    await flavor(fresh.save())
    assert operations(flavor) == ["DeleteArtifactAliases", "UpdateArtifact"]
    assert not await flavor(flavor.api.artifact_exists(path(arts, "images:golden")))
    assert (await flavor(flavor.api.artifact(path(arts, "images:v0")))).tags == ["raw"]


async def test_bad_edits_fail_locally(flavor: Flavor, arts: ArtifactSeed) -> None:
    art = await flavor(flavor.api.artifact(path(arts, "images:v0")))
    with pytest.raises(UsageError, match="may not contain"):
        art.aliases = ["a/b"]
    with pytest.raises(UsageError, match="tag"):
        art.tags = ["no/slash"]
    with pytest.raises(UsageError, match="at most 100 keys"):
        art.metadata = {str(i): i for i in range(101)}
    with pytest.raises(UsageError, match="positive"):
        art.ttl = timedelta(seconds=-1)
    with pytest.raises(UsageError, match="drafts"):
        await flavor(art.save(project="elsewhere"))


async def test_delete_respects_aliases(flavor: Flavor, arts: ArtifactSeed) -> None:
    best = await flavor(flavor.api.artifact(path(arts, "images:best")))
    with pytest.raises(GraphQLError):
        await flavor(best.delete())
    await flavor(best.delete(delete_aliases=True))
    with pytest.raises(NotFoundError):
        await flavor(flavor.api.artifact(path(arts, f"images:{best.version}")))


async def test_link_and_unlink(flavor: Flavor, arts: ArtifactSeed) -> None:
    dataset = await flavor(flavor.api.artifact(path(arts, "images:v1")))
    link = await flavor(dataset.link(f"{arts.project}/golden-images", aliases=["candidate"]))
    assert link.is_link and link.name == "golden-images:v0"
    assert link.entity == arts.entity and "candidate" in link.aliases
    assert link.source_name == "images:v1" and link.id == dataset.id
    found = await flavor(flavor.api.artifact(path(arts, "golden-images:candidate")))
    assert found.id == dataset.id
    with pytest.raises(UsageError, match="is not a linked artifact"):
        await flavor(dataset.unlink())
    await flavor(link.unlink())
    assert not await flavor(flavor.api.artifact_exists(path(arts, "golden-images:candidate")))
    with pytest.raises(UsageError, match="target_path must look like"):
        await flavor(dataset.link("a/b/c/d"))


async def test_collections_are_edited_and_deleted(flavor: Flavor, arts: ArtifactSeed) -> None:
    collection = await flavor(flavor.api.artifact_collection("dataset", path(arts, "images")))
    collection.description = "Renamed below"
    collection.tags = ["vision", "curated"]
    collection.name = "pictures"
    await flavor(collection.save())
    fresh = await flavor(flavor.api.artifact_collection("dataset", path(arts, "pictures")))
    assert fresh.description == "Renamed below" and sorted(fresh.tags) == ["curated", "vision"]
    assert not await flavor(flavor.api.artifact_collection_exists(path(arts, "images"), "dataset"))
    fresh.type = "raw-data"
    await flavor(fresh.save())
    moved = await flavor(flavor.api.artifact_collection("raw-data", path(arts, "pictures")))
    assert moved.type == "raw-data"
    portfolio = await flavor(flavor.api.artifact_collection("model", path(arts, arts.portfolio)))
    with pytest.raises(UsageError, match="only a sequence's type"):
        portfolio.type = "dataset"
    await flavor(moved.delete())
    assert not await flavor(
        flavor.api.artifact_collection_exists(path(arts, "pictures"), "raw-data")
    )


async def test_runs_use_artifacts(flavor: Flavor, arts: ArtifactSeed) -> None:
    run = await flavor(flavor.api.create_run(project=arts.project, entity=arts.entity))
    dataset = await flavor(flavor.api.artifact(path(arts, "images:v0")))
    assert await flavor(run.use_artifact(dataset, use_as="training data")) is dataset
    named = await flavor(run.use_artifact(path(arts, "classifier:v0")))
    assert named.name == "classifier:v0"
    used = {a.name for a in await flavor.list(run.used_artifacts())}
    assert used == {"images:v0", "classifier:v0"}
    assert run.id in {r.id for r in await flavor(dataset.used_by())}
    with pytest.raises(UsageError, match="must be an Artifact"):
        await flavor(run.use_artifact(42))


async def test_registry_names(
    flavor: Flavor, arts: ArtifactSeed, seeded_app: tuple[object, object]
) -> None:
    app, seed = seeded_app
    store = app.state.store  # type: ignore[attr-defined]
    org = seed.organization  # type: ignore[attr-defined]
    owner = store.entities.get(org)
    user = store.accounts.get_user(seed.username)  # type: ignore[attr-defined]
    store.projects.upsert(owner.pk, "wandb-registry-model", creator_pk=user.pk)
    model = await flavor(flavor.api.artifact(path(arts, "classifier:v1")))
    link = await flavor(model.link(f"{org}/wandb-registry-model/prod-classifiers", ["prod"]))
    assert link.is_link and link.entity == owner.name
    assert link.project == "wandb-registry-model" and "prod" in link.aliases
    assert f"/orgs/{org}/registry/model?selectionPath=" in link.url
    found = await flavor(flavor.api.artifact(f"{org}/wandb-registry-model/prod-classifiers:prod"))
    assert found.id == model.id and found.source_name == "classifier:v1"
    registry = f"{org}/wandb-registry-model"
    listed = await flavor.list(flavor.api.artifact_collections(registry, "model"))
    assert [c.name for c in listed] == ["prod-classifiers"] and not listed[0].is_sequence()
    versions = await flavor.list(flavor.api.artifacts("model", f"{registry}/prod-classifiers"))
    assert [v.id for v in versions] == [model.id] and versions[0].is_link
    with pytest.raises(UsageError, match="registry name after 'wandb-registry-' is empty"):
        await flavor(flavor.api.artifact(f"{org}/wandb-registry-/x:v0"))
