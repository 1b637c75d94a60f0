"""The registry search end to end, on ``AsyncApi`` and ``Api``: registries, their collections
and linked versions with every filter level, aliases, the name prefix, orders, paging and
chaining; bad filters refused before any request."""

from __future__ import annotations

from datetime import datetime

import pytest

from wandbkit.errors import NotFoundError, UsageError
from wandbkit.server.seed.registries import RegistrySeed

from ..support import Flavor


async def names(flavor: Flavor, listing: object) -> list[str]:
    return [item.name for item in await flavor.list(listing)]


async def test_registries_of_the_viewers_only_organization(
    flavor: Flavor, regs: RegistrySeed
) -> None:
    found = await flavor.list(flavor.api.registries())
    assert sorted(r.name for r in found) == ["dataset", "model", "restricted"]
    model = next(r for r in found if r.name == "model")
    assert model.full_name == "wandb-registry-model"
    assert (model.organization, model.entity) == (regs.organization, regs.org_entity)
    assert model.path == [regs.org_entity, "wandb-registry-model"]
    assert model.visibility == "organization" and model.description.startswith("Models")
    assert list(model.artifact_types) == ["model"] and model.allow_all_artifact_types is False
    assert isinstance(model.created_at, datetime) and model.id and model.internal_id
    restricted = next(r for r in found if r.name == "restricted")
    assert restricted.visibility == "restricted"


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ({"name": "model"}, ["model"]),
        ({"name": "wandb-registry-model"}, ["model"]),
        ({"name": {"$in": ["model", "dataset"]}}, ["dataset", "model"]),
        ({"name": {"$regex": "set$"}}, ["dataset"]),
        ({"name": {"$ne": "model"}}, ["dataset", "restricted"]),
        ({"description": {"$regex": "^Curated"}}, ["dataset"]),
        ({"$or": [{"name": "model"}, {"name": "dataset"}]}, ["dataset", "model"]),
        ({"created_at": {"$gte": "2000-01-01T00:00:00Z"}}, ["dataset", "model", "restricted"]),
        ({"updated_at": {"$lt": "2000-01-01"}}, []),
    ],
)
async def test_registry_filters_with_the_name_prefix_added(
    flavor: Flavor, regs: RegistrySeed, filter: dict[str, object], expected: list[str]
) -> None:
    assert sorted(await names(flavor, flavor.api.registries(filter=filter))) == expected


async def test_registry_filters_by_id_and_entity_id(flavor: Flavor, regs: RegistrySeed) -> None:
    model = await flavor(flavor.api.registry("model"))
    by_id = await names(flavor, flavor.api.registries(filter={"id": model.internal_id}))
    assert by_id == ["model"]
    everything = await names(flavor, flavor.api.registries(filter={"entity_id": {"$exists": True}}))
    assert len(everything) == 3


async def test_registries_ordered_and_paged_resume_from_a_cursor(
    flavor: Flavor, regs: RegistrySeed
) -> None:
    ordered = await names(flavor, flavor.api.registries(order="-name"))
    assert ordered == ["restricted", "model", "dataset"]
    assert await names(flavor, flavor.api.registries(order="name")) == ordered[::-1]
    first = flavor.api.registries(order="name", per_page=2)
    await flavor(first.load())
    assert [r.name for r in first.objects] == ["dataset", "model"] and first.more
    rest = flavor.api.registries(order="name", per_page=2, start=first.cursor)
    assert await names(flavor, rest) == ["restricted"]


async def test_collections_across_registries(flavor: Flavor, regs: RegistrySeed) -> None:
    everything = flavor.api.registries().collections()
    found = await flavor.list(everything)
    assert sorted(c.name for c in found) == [
        "classifier",
        "images",
        "images-holdout",
        "secret-classifier",
    ]
    assert len(everything) == 4
    classifier = next(c for c in found if c.name == "classifier")
    assert classifier.project == "wandb-registry-model" and classifier.type == "model"
    assert sorted(classifier.tags) == ["prod", "vision"] and not classifier.is_sequence()
    tagged = flavor.api.registries(filter={"name": "dataset"}).collections(filter={"tag": "vision"})
    assert await names(flavor, tagged) == ["images"]


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ({"name": "images"}, ["images"]),
        ({"name": {"$regex": "^images"}}, ["images", "images-holdout"]),
        ({"tag": "prod"}, ["classifier"]),
        ({"tag": {"$in": ["prod", "vision"]}}, ["classifier", "images"]),
        ({"tag": {"$exists": False}}, ["images-holdout", "secret-classifier"]),
        ({"description": {"$regex": "released"}}, ["classifier"]),
        ({"created_at": {"$gt": "2000-01-01"}, "name": "images"}, ["images"]),
    ],
)
async def test_collection_filters(
    flavor: Flavor, regs: RegistrySeed, filter: dict[str, object], expected: list[str]
) -> None:
    found = flavor.api.registries().collections(filter=filter)
    assert sorted(await names(flavor, found)) == expected


async def test_collection_ids_and_their_aliases(flavor: Flavor, regs: RegistrySeed) -> None:
    found = await flavor.list(flavor.api.registries().collections(filter={"name": "images"}))
    (images,) = found
    for key in ("id", "collection_id", "artifact_collection_id"):
        again = flavor.api.registries().collections(filter={key: images.id})
        assert await names(flavor, again) == ["images"]


async def test_collections_ordered(flavor: Flavor, regs: RegistrySeed) -> None:
    found = flavor.api.registries(filter={"name": "dataset"}).collections(order="-name")
    assert await names(flavor, found) == ["images-holdout", "images"]


def qualified(versions: list[object]) -> list[str]:
    return sorted(v.qualified_name for v in versions)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ({"alias": "production"}, ["model/classifier:v1"]),
        ({"aliases": "golden"}, ["dataset/images:v0"]),
        ({"tag": "candidate"}, ["model/classifier:v0", "model/classifier:v1"]),
        ({"tags": {"$in": ["raw"]}}, ["dataset/images:v0"]),
        ({"version": "v2"}, ["dataset/images:v2"]),
        (
            {"version_index": {"$gte": 1}, "tag": "clean"},
            ["dataset/images:v1", "dataset/images:v2"],
        ),
        ({"metadata.revision": 1}, ["dataset/images:v1"]),
        ({"artifact_metadata.accuracy": {"$gt": 0.84}}, ["model/classifier:v1"]),
        ({"metadata.source": {"$regex": "^synth"}, "alias": "golden"}, ["dataset/images:v0"]),
    ],
)
async def test_version_filters_and_their_aliases(
    flavor: Flavor, regs: RegistrySeed, filter: dict[str, object], expected: list[str]
) -> None:
    found = await flavor.list(
        flavor.api.registries(filter={"name": {"$ne": "restricted"}}).versions(filter=filter)
    )
    prefix = f"{regs.organization}/wandb-registry-"
    assert qualified(found) == [prefix + name for name in expected]


async def test_versions_of_chained_collections_are_links_to_their_sources(
    flavor: Flavor, regs: RegistrySeed
) -> None:
    listing = flavor.api.registries(filter={"name": "model"}).collections().versions()
    found = await flavor.list(listing)
    assert [v.version for v in sorted(found, key=lambda v: v.version)] == ["v0", "v1"]
    latest = next(v for v in found if "production" in v.aliases)
    assert latest.is_link and latest.project == "wandb-registry-model"
    assert latest.source_project == "artifacts" and latest.source_name == "classifier:v1"
    assert latest.type == "model" and latest.metadata["epochs"] == 20


async def test_versions_ordered_in_advanced_search(flavor: Flavor, regs: RegistrySeed) -> None:
    listing = flavor.api.registries(filter={"name": "dataset"}).versions(order="-linked_at")
    found = await flavor.list(listing)
    assert len(found) == 4
    sizes = flavor.api.registries(filter={"name": "model"}).versions(order="+artifact_size")
    ordered = await flavor.list(sizes)
    for version in ordered:  # listed light: the size loads with the page (async: asked to)
        await flavor(version.load_full_data())
    assert [v.size for v in ordered] == sorted(v.size for v in ordered)


async def test_ordered_registries_chain_registry_by_registry(
    flavor: Flavor, regs: RegistrySeed
) -> None:
    chained = flavor.api.registries(order="-name").versions(filter={"tag": "candidate"})
    found = await flavor.list(chained)
    assert [v.project for v in found] == [
        "wandb-registry-restricted",
        "wandb-registry-model",
        "wandb-registry-model",
    ]
    with pytest.raises(TypeError, match="no len"):
        len(chained)
    with pytest.raises(UsageError, match="start"):
        flavor.api.registries(order="name").versions(start="abc")
    collections = flavor.api.registries(order="name").collections(filter={"tag": "vision"})
    assert [c.name for c in await flavor.list(collections)] == ["images", "classifier"]
    per_collection = await flavor.list(collections.versions(filter={"alias": "latest"}))
    assert [v.name for v in per_collection] == ["images:v2", "classifier:v1"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda api: api.registries(filter={"bogus": 1}),
            "unknown field 'bogus'; expected one of id",
        ),
        (lambda api: api.registries(filter={"tag": "x"}), "unknown field 'tag'"),
        (lambda api: api.registries(filter={"name": 3}), "expected a string"),
        (lambda api: api.registries(filter={"name": {"$gte2": "a"}}), "unknown operator"),
        (lambda api: api.registries(filter=[1]), "filter must be a dict"),
        (lambda api: api.registries(order="-size"), "name, created_at, updated_at"),
        (lambda api: api.registries().collections(filter={"alias": "x"}), "unknown field 'alias'"),
        (
            lambda api: api.registries().collections(filter={"id": 1, "collection_id": 2}),
            "named twice",
        ),
        (lambda api: api.registries().versions(filter={"colour": "x"}), "unknown field 'colour'"),
        (lambda api: api.registries().versions(filter={"metadata": 1}), "needs a key"),
        (lambda api: api.registries().versions(order="name"), "versions can be ordered by"),
        (lambda api: api.registries(per_page=0), "per_page"),
    ],
)
async def test_bad_filters_and_orders_are_refused_before_any_request(
    flavor: Flavor, regs: RegistrySeed, make: object, message: str
) -> None:
    sent = len(flavor.transport.requests)
    with pytest.raises(UsageError, match=message):
        make(flavor.api)  # type: ignore[operator]
    assert len(flavor.transport.requests) == sent


async def test_an_unknown_organization_is_named(flavor: Flavor, regs: RegistrySeed) -> None:
    with pytest.raises(NotFoundError, match="'nowhere'"):
        await flavor.list(flavor.api.registries(organization="nowhere"))
    found = await names(flavor, flavor.api.registries(organization=regs.organization))
    assert len(found) == 3
