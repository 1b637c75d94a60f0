"""Artifact versions end to end against the local server, on ``AsyncApi`` and ``Api``: one by
alias and by version with every property, bad names and missing ones, the listings of
versions, collections and types, and lineage."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from wandbkit.errors import NotFoundError, UsageError
from wandbkit.server.seed import ArtifactSeed

from ..support import Flavor


def path(arts: ArtifactSeed, name: str) -> str:
    return f"{arts.entity}/{arts.project}/{name}"


async def test_an_artifact_by_alias_and_by_version(flavor: Flavor, arts: ArtifactSeed) -> None:
    latest = await flavor(flavor.api.artifact(path(arts, "images:latest"), type="dataset"))
    # Asked for by an alias, its name keeps the alias, as in wandb.
    assert latest.name == "images:latest" and latest.version == "v2"
    assert latest.qualified_name == path(arts, "images:latest")
    assert (latest.entity, latest.project, latest.type) == (arts.entity, arts.project, "dataset")
    assert latest.source_name == "images:v2" and latest.source_version == "v2"
    assert latest.source_qualified_name == path(arts, "images:v2")
    assert (latest.source_entity, latest.source_project) == (arts.entity, arts.project)
    assert not latest.is_link
    assert "latest" in latest.aliases and "v2" not in latest.aliases
    assert latest.state == "COMMITTED"
    assert latest.metadata == {"revision": 2, "source": "synthetic"}
    assert latest.description == "Image samples, refresh 2"
    assert latest.tags == ["clean"]
    assert latest.file_count == 27 and latest.size > 0
    assert len(latest.digest) == 32 and latest.digest_algorithm == "MANIFEST_MD5"
    assert isinstance(latest.created_at, datetime) and latest.updated_at >= latest.created_at
    assert latest.history_step == 1
    assert latest.ttl is None
    assert latest.url.endswith(f"/{arts.entity}/{arts.project}/artifacts/dataset/images/v2")
    by_version = await flavor(flavor.api.artifact(path(arts, "images:v1")))
    assert by_version.id != latest.id and by_version.aliases == ["best"]
    again = await flavor(flavor.api.artifact(path(arts, "images:v2")))
    assert again.name == "images:v2" and again.id == latest.id
    assert again == await flavor(flavor.api.artifact(path(arts, "images:v2")))
    assert repr(latest) == f"<{type(latest).__name__} {latest.qualified_name} (dataset)>"
    # A name without a version means latest; the project comes from the name.
    bare = await flavor(flavor.api.artifact(path(arts, "images")))
    assert bare.version == "v2"


async def test_defaults_fill_the_missing_parts(flavor: Flavor, arts: ArtifactSeed) -> None:
    short = await flavor(flavor.api.artifact(f"{arts.project}/classifier:production"))
    assert short.entity == arts.entity and short.version == "v1"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("e/p/images:a:b", "may not contain"),
        ("a/b/c/d:v0", "must look like '[entity/]project/name[:version|:alias]'"),
        ("e/p/na me:v0", "artifact name 'na me'"),
        ("", "must look like"),
    ],
)
async def test_malformed_names_fail_before_any_request(
    flavor: Flavor, name: str, message: str
) -> None:
    flavor.transport.clear()
    with pytest.raises(UsageError, match=re.escape(message)):
        await flavor(flavor.api.artifact(name))
    with pytest.raises(UsageError):
        await flavor(flavor.api.artifact_exists(name))
    assert flavor.transport.requests == []


async def test_missing_artifacts_name_what_was_asked(flavor: Flavor, arts: ArtifactSeed) -> None:
    with pytest.raises(NotFoundError, match=rf"artifact '{path(arts, 'images:v99')}' not found"):
        await flavor(flavor.api.artifact(path(arts, "images:v99")))
    with pytest.raises(NotFoundError, match=rf"artifact '{path(arts, 'nothing:latest')}'"):
        await flavor(flavor.api.artifact(path(arts, "nothing:latest")))
    with pytest.raises(NotFoundError, match=f"project '{arts.entity}/no-such-project'"):
        await flavor(flavor.api.artifact(f"{arts.entity}/no-such-project/images:v0"))
    assert await flavor(flavor.api.artifact_exists(path(arts, "images:v0"))) is True
    assert await flavor(flavor.api.artifact_exists(path(arts, "images:v99"))) is False
    assert await flavor(flavor.api.artifact_exists(path(arts, "images:v0"), type="model")) is False


async def test_a_type_mismatch_is_a_usage_error(flavor: Flavor, arts: ArtifactSeed) -> None:
    with pytest.raises(UsageError, match=r"specified but artifact .* is of type 'dataset'"):
        await flavor(flavor.api.artifact(path(arts, "images:v0"), type="model"))
    with pytest.raises(UsageError, match="is of type 'dataset', not 'model'"):
        await flavor(flavor.api.artifact_collection("model", path(arts, "images")))


async def test_versions_of_a_collection(flavor: Flavor, arts: ArtifactSeed) -> None:
    versions = flavor.api.artifacts("dataset", path(arts, "images"), per_page=2)
    listed = await flavor.list(versions)
    assert [a.version for a in listed] == ["v2", "v1", "v0"]  # newest first
    assert len(versions) == 3 and versions.pages_loaded == 2
    assert {a.version: a.aliases for a in listed}["v1"] == ["best"]
    tagged = await flavor.list(flavor.api.artifacts("dataset", path(arts, "images"), tags=["raw"]))
    assert [a.version for a in tagged] == ["v0"]
    oldest = await flavor.list(
        flavor.api.artifacts("dataset", path(arts, "images"), order="+createdAt")
    )
    assert [a.version for a in oldest] == ["v0", "v1", "v2"]
    with pytest.warns(DeprecationWarning, match="artifact_versions"):
        old = flavor.api.artifact_versions("dataset", path(arts, "images"))
    assert len(await flavor.list(old)) == 3
    with pytest.raises(UsageError, match="order must look like"):
        flavor.api.artifacts("dataset", path(arts, "images"), order="config.x")
    with pytest.raises(NotFoundError, match="artifact type 'nope' not found"):
        await flavor.list(flavor.api.artifacts("nope", path(arts, "images")))


async def test_collections_and_types(flavor: Flavor, arts: ArtifactSeed) -> None:
    project = f"{arts.entity}/{arts.project}"
    types = await flavor.list(flavor.api.artifact_types(project))
    assert {t.name for t in types} >= {"dataset", "model"}
    model = await flavor(flavor.api.artifact_type("model", project))
    assert model.name == model.type == "model" and model.entity == arts.entity
    assert isinstance(model.created_at, datetime)
    collections = flavor.api.artifact_collections(project, "model")
    names = {c.name for c in await flavor.list(collections)}
    assert names == {arts.model, arts.portfolio} and len(collections) == 2
    kinds = {c.name: c.is_sequence() for c in collections.objects}
    assert kinds == {arts.model: True, arts.portfolio: False}
    dataset = await flavor(flavor.api.artifact_collection("dataset", path(arts, "images")))
    assert dataset.description == "Synthetic image samples for the demo."
    assert dataset.tags == ["vision"] and dataset.type == "dataset"
    assert dataset.entity == arts.entity and dataset.project == arts.project
    assert set(await flavor(dataset.aliases)) >= {"latest", "best"}
    versions = await flavor.list(dataset.artifacts())
    assert len(versions) == 3
    same = await flavor(model.collection(arts.model))
    assert same.name == arts.model and same.id
    assert await flavor(flavor.api.artifact_collection_exists(path(arts, "images"), "dataset"))
    assert not await flavor(flavor.api.artifact_collection_exists(path(arts, "nope"), "dataset"))
    with pytest.raises(NotFoundError, match="artifact type 'nope' not found"):
        await flavor(flavor.api.artifact_type("nope", project))
    with pytest.raises(NotFoundError, match="artifact type 'nope' not found"):
        await flavor.list(flavor.api.artifact_collections(project, "nope"))
    with pytest.raises(NotFoundError, match=f"project '{arts.entity}/missing' not found"):
        await flavor.list(flavor.api.artifact_types(f"{arts.entity}/missing"))
    with pytest.raises(
        NotFoundError,
        match=rf"artifact collection '{path(arts, 'nope')}' of type 'dataset' not found",
    ):
        await flavor(flavor.api.artifact_collection("dataset", path(arts, "nope")))
    with pytest.raises(UsageError, match="no ':version' part"):
        flavor.api.artifacts("dataset", path(arts, "images:v0"))
    every = await flavor.list(flavor.api.project(arts.project, arts.entity).collections())
    assert {c.name for c in every} >= {arts.dataset, arts.model, arts.portfolio}
    kinds_of_project = flavor.api.project(arts.project, arts.entity).artifacts_types()
    assert {t.name for t in await flavor.list(kinds_of_project)} >= {"dataset", "model"}


async def test_a_link_names_its_portfolio(flavor: Flavor, arts: ArtifactSeed) -> None:
    link = await flavor(flavor.api.artifact(path(arts, f"{arts.portfolio}:latest")))
    assert link.is_link and link.name == f"{arts.portfolio}:latest" and link.version == "v0"
    assert link.source_name == "classifier:v1" and "staging" in link.aliases
    source = await flavor(flavor.api.artifact(path(arts, "classifier:production")))
    assert not source.is_link and source.id == link.id
    linked = await flavor(source.linked_artifacts)
    assert [a.name for a in linked] == [f"{arts.portfolio}:v0"]
    from_link = await flavor(link.source_artifact)
    assert from_link.id == source.id and from_link.name == "classifier:v1"
    assert not from_link.is_link
    assert await flavor(source.source_artifact) is source
    assert (await flavor(link.collection.load())).name == arts.portfolio


async def test_lineage(flavor: Flavor, arts: ArtifactSeed) -> None:
    dataset = await flavor(flavor.api.artifact(path(arts, "images:latest")))
    producer = await flavor(dataset.logged_by())
    assert producer is not None and producer.id == arts.producer
    users = await flavor(dataset.used_by())
    assert [run.id for run in users] == [arts.consumer]
    run = await flavor(flavor.api.run(f"{arts.entity}/{arts.project}/{arts.producer}"))
    logged = run.logged_artifacts()
    names = {a.name for a in await flavor.list(logged)}
    assert names == {"images:v0", "images:v1", "images:v2", "classifier:v0", "classifier:v1"}
    assert len(logged) == 5
    consumer = await flavor(flavor.api.run(f"{arts.entity}/{arts.project}/{arts.consumer}"))
    used = {a.name for a in await flavor.list(consumer.used_artifacts())}
    assert used == {"images:v2", "classifier:v1"}
