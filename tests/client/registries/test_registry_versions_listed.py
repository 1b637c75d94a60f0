"""Registry versions listed light, on ``AsyncApi`` and ``Api``: the rest of each version's
fields loads for its page in one request on first need, and then every property equals the
one of the same version fetched through its registry name."""

from __future__ import annotations

import pytest

from wandbkit.errors import NotLoadedError
from wandbkit.server.seed.registries import RegistrySeed

from ..artifacts.test_artifact_listed import LIGHT, values
from ..support import Flavor


async def test_every_property_of_a_listed_registry_version_equals_the_fetched_ones(
    flavor: Flavor, regs: RegistrySeed
) -> None:
    listing = flavor.api.registries(filter={"name": {"$ne": "restricted"}}).versions(per_page=2)
    found = await flavor.list(listing)
    assert len(found) > 2 and not any(v.full_data_loaded for v in found)
    for version in found:
        assert {n: getattr(version, n) for n in LIGHT}  # light reads load nothing
    assert not any(v.full_data_loaded for v in found)
    flavor.transport.clear()
    if flavor.is_async:
        with pytest.raises(NotLoadedError, match=r"await artifact\.load_full_data"):
            _ = found[0].tags
    await flavor(found[0].load_full_data())
    assert found[0].full_data_loaded and found[1].full_data_loaded
    assert not found[2].full_data_loaded
    assert flavor.transport.operations == ["GetRegistryVersionsHeavy"]
    for version in found:
        await flavor(version.load_full_data())
        name = f"{regs.organization}/{version.project}/{version.name}"
        fetched = await flavor(flavor.api.artifact(name))
        assert fetched.is_link and fetched.full_data_loaded
        assert values(version) == values(fetched)


async def test_registry_pages_after_a_heavy_read_bring_every_field(
    flavor: Flavor, regs: RegistrySeed
) -> None:
    listing = flavor.api.registries(filter={"name": "dataset"}).versions(per_page=1)
    flavor.transport.clear()
    sizes = []
    async for version in flavor.iterate(listing):
        await flavor(version.load_full_data())
        sizes.append(version.size)
    assert len(sizes) > 2 and all(size > 0 for size in sizes)
    operations = flavor.transport.operations
    # The first page, and (pipelining) the second if it was asked for before the first
    # version's heavy read: listed light, each loading its heavy fields once. Every page
    # listed after that brings every field.
    light = operations.count("GetRegistryVersionsLight")
    assert light in (1, 2)
    assert operations.count("GetRegistryVersionsHeavy") == light
    assert operations.count("GetRegistryVersions") == len(sizes) - light
