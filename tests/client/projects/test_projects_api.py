"""Api and AsyncApi against the local server: viewer, projects, errors — end to end.

Every test runs on both flavours (``flavor``) but two: ``test_sync_viewer_and_default_entity_
over_real_http`` is the sync ``Api`` over real HTTP to a live server, and
``test_the_sync_twin_has_the_same_public_surface_as_the_async_api`` compares the two classes
(no server)."""

from __future__ import annotations

from typing import Any

import pytest

import wandbkit
from wandbkit.errors import AuthenticationError, NotFoundError, NotLoadedError, UsageError
from wandbkit.server.testing import ServerHandle

from ..support import Flavor

# -- the viewer ---------------------------------------------------------------------------


async def test_the_viewer_is_a_typed_user_fetched_once(flavor: Flavor) -> None:
    api, transport, seed = flavor.api, flavor.transport, flavor.seed
    me = await flavor(api.viewer)
    assert isinstance(me, wandbkit.User)
    assert me.username == seed.username
    assert seed.team in me.teams
    assert await flavor(api.default_entity) == me.entity == seed.entity
    assert transport.operations == ["GetViewer"]


async def test_default_entity_alone_uses_the_light_query(flavor: Flavor) -> None:
    api, transport, seed = flavor.api, flavor.transport, flavor.seed
    assert await flavor(api.get_default_entity()) == seed.entity
    assert transport.operations == ["GetDefaultEntity"]


def test_sync_viewer_and_default_entity_over_real_http(
    api: wandbkit.Api, live_server: ServerHandle
) -> None:
    me = api.viewer
    assert me.username == live_server.seed.username
    assert api.default_entity == live_server.seed.entity


# -- projects -----------------------------------------------------------------------------


async def test_creating_projects_and_paging_through_them_one_per_request(
    flavor: Flavor,
) -> None:
    api, transport, seed = flavor.api, flavor.transport, flavor.seed
    names = ["alpha", "beta", "gamma"]
    for name in names:
        created = await flavor(
            api.create_project(name, seed.team, description=f"the {name} project")
        )
        assert created.loaded and created.entity == seed.team
    transport.clear()

    projects = api.projects(seed.team, per_page=1)
    seen = [p.name for p in await flavor.list(projects)]
    assert seen == names
    assert transport.operations == ["GetProjects"] * 3  # the last page says "no more"
    assert all(p.loaded for p in projects.objects)
    assert projects.objects[1].description == "the beta project"


async def test_a_cursor_resumes_listing_in_a_new_paginator(flavor: Flavor) -> None:
    api, seed = flavor.api, flavor.seed
    for name in ["p1", "p2", "p3", "p4"]:
        await flavor(api.create_project(name, seed.team))
    first = await flavor(api.projects(seed.team, per_page=2).load())
    assert [p.name for p in first.objects] == ["p1", "p2"]
    rest = await flavor(api.projects(seed.team, per_page=2, start=first.cursor).to_list())
    assert [p.name for p in rest] == ["p3", "p4"]


async def test_projects_default_to_the_viewers_entity(flavor: Flavor) -> None:
    api, seed = flavor.api, flavor.seed
    await flavor(api.create_project("mine"))
    assert [p.name for p in await flavor(api.projects().to_list())] == ["mine"]
    assert (await flavor(api.project("mine").load())).entity == seed.entity


async def test_a_project_handle_sends_nothing_until_a_field_needs_the_server(
    flavor: Flavor,
) -> None:
    api, transport, seed = flavor.api, flavor.transport, flavor.seed
    await flavor(api.create_project("lazy", seed.team, description="lazy one"))
    transport.clear()
    project = api.project("lazy", entity=seed.team)
    assert project.name == "lazy" and project.entity == seed.team
    assert project.path == [seed.team, "lazy"]
    assert transport.operations == []
    if flavor.is_async:
        with pytest.raises(NotLoadedError, match=r"await project\.load"):
            _ = project.description
        await project.load()
    # The sync flavour loads on this first read; the async one was loaded just above.
    assert project.description == "lazy one"
    assert project.user is not None and project.user.username == seed.username
    assert transport.operations == ["GetProject"]


async def test_updating_a_project_keeps_one_project(flavor: Flavor) -> None:
    api, seed = flavor.api, flavor.seed
    await flavor(api.create_project("again", seed.team, description="v1"))
    await flavor(api.create_project("again", seed.team, description="v2"))
    projects = await flavor(api.projects(seed.team).to_list())
    assert [(p.name, p.description) for p in projects] == [("again", "v2")]


async def test_a_missing_project_is_not_found_naming_its_path(flavor: Flavor) -> None:
    api, seed = flavor.api, flavor.seed
    with pytest.raises(NotFoundError, match=f"project '{seed.team}/nope' not found"):
        await flavor(api.project("nope", entity=seed.team).load())


async def test_from_path_gives_the_same_project_as_project(flavor: Flavor) -> None:
    api, seed = flavor.api, flavor.seed
    assert await flavor(api.from_path(f"{seed.team}/x")) == api.project("x", entity=seed.team)
    assert await flavor(api.from_path(f"https://wandb.ai/{seed.team}/x/workspace")) == api.project(
        f"{seed.team}/x"
    )


# -- bad input and auth -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda api: api.project("has space"), "name must be a name"),
        (lambda api: api.project("a/b/c"), "name must be 'project' or 'entity/project'"),
        (lambda api: api.projects(per_page=0), "per_page must be an int"),
        (lambda api: api.from_path("a/b/c/d").send(None), "path must look like"),
        (lambda api: api.from_path("e/p/reports").send(None), "names no report id"),
    ],
)
async def test_bad_input_fails_before_any_request(flavor: Flavor, call: Any, message: str) -> None:
    api, transport = flavor.api, flavor.transport
    with pytest.raises(UsageError, match=message):
        call(api)
    assert transport.operations == []


async def test_a_bad_project_name_fails_before_the_mutation(flavor: Flavor) -> None:
    api, transport = flavor.api, flavor.transport
    with pytest.raises(UsageError, match="name must be a name"):
        await flavor(api.create_project("bad/name"))
    assert transport.operations == []


async def test_no_api_key_is_an_authentication_error_before_any_request(flavor: Flavor) -> None:
    transport = flavor.transport
    async with flavor.connect(api_key=None) as api:
        with pytest.raises(AuthenticationError, match="no API key"):
            await flavor(api.viewer)
    assert transport.operations == []


async def test_a_wrong_api_key_is_an_authentication_error_that_never_shows_the_key(
    flavor: Flavor,
) -> None:
    wrong = "f" * 40
    async with flavor.connect(api_key=wrong) as api:
        with pytest.raises(AuthenticationError) as info:
            await flavor(api.viewer)
        assert info.value.status_code == 401
        assert wrong not in str(info.value) and wrong not in repr(info.value)
        assert wrong not in repr(api) and wrong not in repr(api.settings)


def test_the_sync_twin_has_the_same_public_surface_as_the_async_api() -> None:
    def public(cls: type) -> set[str]:
        return {n for n in dir(cls) if not n.startswith("_")}

    assert public(wandbkit.Api) == public(wandbkit.AsyncApi) - {"aclose"} | {"close"}
    assert public(wandbkit.Project) == public(wandbkit.AsyncProject)
    assert public(wandbkit.Projects) == public(wandbkit.AsyncProjects)
