"""Registry versions iterated with the next page asked for while the current one is parsed
(``wandbkit._async.registries.ahead``), on ``AsyncApi`` and ``Api``: the same versions in
the same order as one big page, every page requested once, a page asked for ahead that the
iteration then does not want (its fields changed, or a break) costs at most that one request,
and what is asked for ahead never changes what a step-by-step reader sees."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest

from wandbkit.server.seed.registries import RegistrySeed, seed_registries_benchmark

from ..support import Flavor

TAGGED = {"tag": "gold"}


@pytest.fixture
def many(seeded_app: tuple[Any, Any], regs: RegistrySeed) -> int:
    """Benchmark links over the tests' registries: 2 x 3 x 10, the first of each ten tagged
    ``gold``; how many versions carry the tag."""
    app, seed = seeded_app
    bench = seed_registries_benchmark(
        app.state.store, seed, registries=2, collections=3, versions=10
    )
    return bench.tagged


def ids(versions: list[Any]) -> list[tuple[str, str]]:
    return [(version.project, version.name) for version in versions]


@pytest.mark.parametrize("per_page", [1, 2, 4])
async def test_iterating_gives_every_version_once_in_order_with_one_request_a_page(
    flavor: Flavor, many: int, per_page: int
) -> None:
    everything = await flavor.list(
        flavor.api.registries().versions(filter={"tag": "gold"}, per_page=1000)
    )
    assert len(everything) == many == 6
    flavor.transport.clear()
    paged = await flavor.list(flavor.api.registries().versions(filter=TAGGED, per_page=per_page))
    assert ids(paged) == ids(everything)
    pages = -(-many // per_page)
    assert flavor.transport.operations.count("GetRegistryVersionsLight") == pages
    assert [v.metadata for v in paged] == [v.metadata for v in everything]


async def test_a_break_costs_at_most_the_pages_asked_for_ahead(flavor: Flavor, many: int) -> None:
    flavor.transport.clear()
    seen = []
    listing = flavor.api.registries().versions(filter=TAGGED, per_page=1)
    async with contextlib.aclosing(flavor.iterate(listing)) as items:
        async for version in items:
            seen.append(version)
            if len(seen) == 3:
                break
    assert len(seen) == 3
    # The three pages read, the next one the iteration prefetches, and one asked for ahead.
    assert flavor.transport.operations.count("GetRegistryVersionsLight") <= 5


async def test_a_heavy_read_mid_way_drops_the_light_page_asked_for_ahead(
    flavor: Flavor, many: int
) -> None:
    flavor.transport.clear()
    sizes = []
    listing = flavor.api.registries().versions(filter=TAGGED, per_page=1)
    async for version in flavor.iterate(listing):
        if len(sizes) >= 2:
            await flavor(version.load_full_data())
            sizes.append(version.size)
        else:
            sizes.append(None)
    assert len(sizes) == many
    assert all(size > 0 for size in sizes[2:])
    operations = flavor.transport.operations
    # Pages after the heavy read bring every field; at most the two light pages already on
    # their way when it happened are asked for again.
    light = operations.count("GetRegistryVersionsLight")
    full = operations.count("GetRegistryVersions")
    assert light + full <= many + 2
    assert full >= many - 5


async def test_stepping_and_loading_see_the_same_versions(flavor: Flavor, many: int) -> None:
    everything = await flavor.list(flavor.api.registries().versions(filter=TAGGED, per_page=100))
    listing = flavor.api.registries().versions(filter=TAGGED, per_page=2)
    await flavor(listing.load(2))
    stepped = list(listing.objects)
    assert ids(stepped) == ids(everything[:4])
    rest = await flavor.list(listing)
    assert ids(rest) == ids(everything)


async def test_a_page_ahead_is_used_only_at_its_cursor_and_selection() -> None:
    from wandbkit._async.registries.ahead import PageAhead, next_cursor

    asked: list[tuple[str, bool]] = []

    async def fetch(cursor: str, light: bool) -> dict[str, Any]:
        asked.append((cursor, light))
        if cursor == "bad":
            raise RuntimeError("the server said no")
        return {"cursor": cursor, "light": light}

    ahead = PageAhead()
    assert await ahead.take(("c1", True)) is None
    await ahead.start(("c1", True), fetch)
    assert await ahead.take(("c1", False)) is None  # another selection: dropped
    assert await ahead.take(("c1", True)) is None  # and gone
    await ahead.start(("c2", True), fetch)
    assert await ahead.take(("c2", True)) == {"cursor": "c2", "light": True}
    await ahead.start(("bad", True), fetch)
    with pytest.raises(RuntimeError, match="the server said no"):
        await ahead.take(("bad", True))
    assert asked == [("c1", True), ("c2", True), ("bad", True)]
    info = {"pageInfo": {"hasNextPage": True, "endCursor": "next"}}
    assert next_cursor({"a": {"b": info}}, "a", "b") == "next"
    assert next_cursor({"pageInfo": {"hasNextPage": False, "endCursor": "next"}}) is None
    assert next_cursor({"pageInfo": {"hasNextPage": True, "endCursor": None}}) is None
    assert next_cursor(None) is None and next_cursor({"pageInfo": []}) is None
    assert next_cursor({"a": "not an object"}, "a", "b") is None
    assert next_cursor(["a"], "a") is None
