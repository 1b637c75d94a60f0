"""Lightly listed versions, on ``AsyncApi`` and ``Api``: a listing brings each version's light
fields, the rest loads for the whole page in one request on first need (on read in the sync
flavour, by ``await load_full_data()`` in async), and then every property equals the one of
the same version fetched by ``api.artifact()``."""

from __future__ import annotations

from typing import Any

import pytest

from wandbkit.errors import NotLoadedError
from wandbkit.server.seed import ArtifactSeed

from ..support import Flavor

#: Every value property of ``Artifact``; each must read the same from a listing.
PROPERTIES = (
    "id", "entity", "project", "name", "qualified_name", "version", "source_entity",
    "source_project", "source_name", "source_qualified_name", "source_version", "is_link",
    "type", "url", "state", "digest", "digest_algorithm", "size", "file_count", "commit_hash",
    "created_at", "updated_at", "history_step", "distributed_id", "incremental", "description",
    "metadata", "ttl", "aliases", "tags",
)  # fmt: skip
#: What a listing brings without a further request.
LIGHT = (
    "id", "entity", "project", "name", "qualified_name", "version", "source_name", "is_link",
    "type", "url", "state", "digest", "created_at", "metadata", "aliases",
)  # fmt: skip


def path(arts: ArtifactSeed, name: str) -> str:
    return f"{arts.entity}/{arts.project}/{name}"


def values(artifact: Any) -> dict[str, Any]:
    found = {name: getattr(artifact, name) for name in PROPERTIES}
    found["json_encode"] = artifact.json_encode()
    found["repr"] = repr(artifact)
    return found


@pytest.mark.parametrize(
    ("kind", "collection"),
    [("dataset", "images"), ("model", "classifier"), ("model", "classifier-releases")],
)
async def test_every_property_of_a_listed_version_equals_the_fetched_ones(
    flavor: Flavor, arts: ArtifactSeed, kind: str, collection: str
) -> None:
    listed = await flavor.list(flavor.api.artifacts(kind, path(arts, collection)))
    assert listed and not any(a.full_data_loaded for a in listed)
    for artifact in listed:
        assert {n: getattr(artifact, n) for n in LIGHT}  # light reads load nothing
    assert not any(a.full_data_loaded for a in listed)
    if flavor.is_async:
        with pytest.raises(NotLoadedError, match=r"await artifact\.load_full_data"):
            _ = listed[0].size
        await listed[0].load_full_data()
    for artifact in listed:
        fetched = await flavor(flavor.api.artifact(artifact.qualified_name))
        assert fetched.full_data_loaded
        assert values(artifact) == values(fetched)


async def test_a_page_loads_its_heavy_fields_in_one_request(
    flavor: Flavor, arts: ArtifactSeed
) -> None:
    versions = flavor.api.artifacts("dataset", path(arts, "images"), per_page=2)
    listed = await flavor.list(versions)
    assert versions.pages_loaded == 2
    flavor.transport.clear()
    await flavor(listed[0].load_full_data())
    # sync reads load on their own: a second read, of the page's other version, asks nothing
    assert listed[0].full_data_loaded and listed[1].full_data_loaded
    assert not listed[2].full_data_loaded
    assert listed[1].file_count > 0
    assert flavor.transport.operations == ["GetArtifactsHeavy"]
    await flavor(listed[2].load_full_data())
    assert flavor.transport.operations == ["GetArtifactsHeavy", "GetArtifactsHeavy"]


async def test_pages_after_a_heavy_read_bring_every_field(
    flavor: Flavor, arts: ArtifactSeed
) -> None:
    versions = flavor.api.artifacts("dataset", path(arts, "images"), per_page=1)
    flavor.transport.clear()
    seen = []
    async for artifact in flavor.iterate(versions):
        await flavor(artifact.load_full_data())
        seen.append((artifact.version, artifact.description))
    assert [v for v, _ in seen] == ["v2", "v1", "v0"]
    # The first page, and (pipelining) the second if it was asked for before the first
    # version's heavy read: listed light, each loading its heavy fields once. Every page
    # listed after that brings every field.
    light = flavor.transport.operations.count("GetArtifactsLight")
    assert light in (1, 2)
    assert flavor.transport.operations.count("GetArtifactsHeavy") == light
    assert flavor.transport.operations.count("GetArtifacts") == 3 - light
    fetched = await flavor(flavor.api.artifact(path(arts, "images:v0")))
    assert seen[-1][1] == fetched.description


async def test_a_tags_filter_lists_every_field(flavor: Flavor, arts: ArtifactSeed) -> None:
    flavor.transport.clear()
    tagged = await flavor.list(flavor.api.artifacts("dataset", path(arts, "images"), tags=["raw"]))
    assert [a.version for a in tagged] == ["v0"] and tagged[0].full_data_loaded
    assert tagged[0].tags == ["raw"]
    assert "GetArtifactsLight" not in flavor.transport.operations


async def test_a_version_gone_from_its_page_is_asked_for_alone(
    flavor: Flavor, arts: ArtifactSeed
) -> None:
    listed = await flavor.list(flavor.api.artifacts("dataset", path(arts, "images"), per_page=2))
    # The collection changes after the listing: the page asked again no longer holds v2.
    newest = await flavor(flavor.api.artifact(path(arts, "images:v2")))
    fetched = await flavor(flavor.api.artifact(path(arts, "images:v1")))
    await flavor(newest.delete(delete_aliases=True))
    flavor.transport.clear()
    await flavor(listed[1].load_full_data())
    assert values(listed[1]) == values(fetched)
    assert flavor.transport.operations == ["GetArtifactsHeavy"]
    assert not listed[0].full_data_loaded


async def test_edits_of_a_listed_version_are_saved(flavor: Flavor, arts: ArtifactSeed) -> None:
    listed = await flavor.list(flavor.api.artifacts("dataset", path(arts, "images")))
    first = listed[0]
    first.metadata = {**first.metadata, "checked": True}  # a light field: no load needed
    if flavor.is_async:
        with pytest.raises(NotLoadedError):
            first.description = "checked"
        await first.load_full_data()
    first.description = "checked"
    first.tags = [*first.tags, "checked"]
    await flavor(first.save())
    again = await flavor(flavor.api.artifact(first.qualified_name))
    assert again.description == "checked" and again.metadata["checked"] is True
    assert "checked" in again.tags
    # Saving a listed version that was never loaded loads it first and sends only the change.
    other = listed[1]
    other.metadata = {"only": "this"}
    await flavor(other.save())
    saved = await flavor(flavor.api.artifact(other.qualified_name))
    assert saved.metadata == {"only": "this"}
    assert saved.description == other.description and saved.tags == other.tags


async def test_a_listed_version_displays_without_a_request_in_async(
    flavor: Flavor, arts: ArtifactSeed
) -> None:
    listed = await flavor.list(flavor.api.artifacts("dataset", path(arts, "images")))
    flavor.transport.clear()
    html = listed[0]._repr_html_()
    assert listed[0].qualified_name in html
    if flavor.is_async:  # the left-out fields are shown once loaded
        assert "file_count" not in html and "files" not in html
        assert flavor.transport.operations == []
        await listed[0].load_full_data()
    loaded = listed[0]._repr_html_()
    assert "files" in loaded and str(listed[0].file_count) in loaded
