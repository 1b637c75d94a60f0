"""One registry end to end, on ``AsyncApi`` and ``Api``: fetch, create, edit, rename, delete;
members and roles (only admins change them); a restricted registry hidden from members of the
organization outside it; organization resolution; linking versions in and fetching them by
the registry path."""

from __future__ import annotations

import base64
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest

from wandbkit import MemberRole
from wandbkit.errors import APIError, NotFoundError, UsageError
from wandbkit.server.seed.registries import RegistrySeed

from ..support import Flavor

AsUser = Callable[[str], AbstractAsyncContextManager[Flavor]]


def gql_id(kind: str, pk: int) -> str:
    return base64.b64encode(f"{kind}:{pk}".encode()).decode()


async def test_a_registry_by_name(flavor: Flavor, regs: RegistrySeed) -> None:
    model = await flavor(flavor.api.registry("model"))
    assert model.full_name == "wandb-registry-model" and model.organization == regs.organization
    assert repr(model) == f"<{type(model).__name__} {regs.organization}/model>"
    same = await flavor(flavor.api.registry("wandb-registry-model", organization=regs.organization))
    assert same.id == model.id
    with pytest.raises(NotFoundError, match="registry 'nope' not found"):
        await flavor(flavor.api.registry("nope"))
    with pytest.raises(UsageError, match="name"):
        await flavor(flavor.api.registry("a/b"))


async def test_create_edit_rename_and_delete_a_registry(flavor: Flavor, regs: RegistrySeed) -> None:
    made = await flavor(
        flavor.api.create_registry(
            "checkpoints", "restricted", description="Nightly", artifact_types=["model"]
        )
    )
    assert (made.name, made.visibility, made.description) == (
        "checkpoints",
        "restricted",
        "Nightly",
    )
    assert list(made.artifact_types) == ["model"] and not made.allow_all_artifact_types
    assert [(m.user.username, m.role) for m in await flavor(made.user_members())] == [
        (flavor.seed.username, "admin")
    ]
    with pytest.raises(UsageError, match="already exists"):
        await flavor(flavor.api.create_registry("checkpoints", "organization"))
    made.description = "Every night"
    made.visibility = "organization"
    made.artifact_types.append("dataset")
    made.artifact_types.append("scratch")
    made.artifact_types.remove("scratch")
    with pytest.raises(UsageError, match="cannot be removed"):
        made.artifact_types.remove("model")
    made.name = "nightly"
    await flavor(made.save())
    assert made.full_name == "wandb-registry-nightly" and made.artifact_types.draft == []
    again = await flavor(flavor.api.registry("nightly"))
    assert (again.description, again.visibility) == ("Every night", "organization")
    assert sorted(again.artifact_types) == ["dataset", "model"]
    with pytest.raises(NotFoundError):
        await flavor(flavor.api.registry("checkpoints"))
    again.allow_all_artifact_types = True
    again.artifact_types.append("code")
    with pytest.raises(UsageError, match="allow_all_artifact_types"):
        await flavor(again.save())
    await flavor(again.delete())
    with pytest.raises(NotFoundError):
        await flavor(flavor.api.registry("nightly"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "x", "visibility": "public"}, "visibility must be"),
        ({"name": "", "visibility": "restricted"}, "name"),
        (
            {"name": "x", "visibility": "restricted", "artifact_types": ["wandb-history"]},
            "reserved",
        ),
        ({"name": "x", "visibility": "restricted", "artifact_types": "model"}, "list of type"),
    ],
)
async def test_bad_registry_arguments_are_refused_before_any_request(
    flavor: Flavor, regs: RegistrySeed, kwargs: dict[str, object], message: str
) -> None:
    sent = len(flavor.transport.requests)
    with pytest.raises(UsageError, match=message):
        await flavor(flavor.api.create_registry(**kwargs))
    assert len(flavor.transport.requests) == sent


async def test_members_and_roles(
    flavor: Flavor, regs: RegistrySeed, seeded_app: tuple[Any, Any]
) -> None:
    store = seeded_app[0].state.store
    reader = store.accounts.get_user(regs.reader)
    team = store.entities.get(flavor.seed.team)
    registry = await flavor(flavor.api.registry("restricted"))
    members = await flavor(registry.members())
    assert [m.kind for m in members] == ["User"]
    await flavor(registry.add_members(gql_id("User", reader.pk), gql_id("Entity", team.pk)))
    users = await flavor(registry.user_members())
    assert sorted((m.user.username, m.role) for m in users) == [
        (flavor.seed.username, "admin"),
        (regs.reader, "member"),
    ]
    (team_member,) = await flavor(registry.team_members())
    assert (team_member.team.name, team_member.role, team_member.kind) == (
        team.name,
        "member",
        "Entity",
    )
    added = next(m for m in users if m.user.username == regs.reader)
    await flavor(registry.update_member(added, MemberRole.VIEWER))
    await flavor(registry.update_member(team_member, "restricted_viewer"))
    roles = {m.user.username: m.role for m in await flavor(registry.user_members())}
    assert roles[regs.reader] == "viewer"
    assert (await flavor(registry.team_members()))[0].role == "restricted_viewer"
    await flavor(registry.remove_members(added, team_member))
    assert len(await flavor(registry.members())) == 1
    with pytest.raises(UsageError, match="role must be one of admin, member"):
        await flavor(registry.update_member(added, "owner"))
    with pytest.raises(UsageError, match="not a user"):
        await flavor(registry.add_members("bm90LWFuLWlk"))
    with pytest.raises(UsageError, match="at least one member"):
        await flavor(registry.add_members())


async def test_a_restricted_registry_is_invisible_outside_it(
    flavor: Flavor, regs: RegistrySeed, as_user: AsUser
) -> None:
    async with as_user(regs.reader) as reader:
        seen = sorted(r.name for r in await reader.list(reader.api.registries()))
        assert seen == ["dataset", "model"]
        with pytest.raises(NotFoundError):
            await reader(reader.api.registry("restricted"))
        collections = await reader.list(reader.api.registries().collections())
        assert "secret-classifier" not in {c.name for c in collections}
        # A link shows its version only to those who may read the version's source project
        # (here the seed user's personal one), whatever registry it is linked into.
        versions = await reader.list(reader.api.registries().versions(filter={"tag": "candidate"}))
        assert versions == []
        with pytest.raises(NotFoundError):
            secret = f"{regs.organization}/wandb-registry-restricted/secret-classifier:latest"
            await reader(reader.api.artifact(secret))
        model = await reader(reader.api.registry("model"))
        with pytest.raises(APIError):
            await reader(model.update_member(gql_id("User", 1), "viewer"))
        model.description = "hijacked"
        with pytest.raises(APIError):
            await reader(model.save())
    admin_view = await flavor(flavor.api.registry("model"))
    assert admin_view.description.startswith("Models")


async def test_the_organization_is_resolved_or_the_choices_named(
    flavor: Flavor, regs: RegistrySeed, seeded_app: tuple[Any, Any], as_user: AsUser
) -> None:
    store = seeded_app[0].state.store
    other = store.entities.create_organization("other-org")
    user = store.accounts.get_user(flavor.seed.username)
    store.entities.add_organization_member(other.pk, user.pk)
    # The default entity is the personal one, now in two organizations.
    with pytest.raises(UsageError, match=r"several organizations \('demo-org', 'other-org'\)"):
        await flavor.list(flavor.api.registries())
    assert len(await flavor.list(flavor.api.registries(organization=regs.organization))) == 3
    async with as_user("loner") as loner:
        with pytest.raises(UsageError, match="belongs to no organization"):
            await loner(loner.api.registry("model"))


async def test_link_a_version_into_a_registry_and_fetch_it_back(
    flavor: Flavor, regs: RegistrySeed
) -> None:
    source = await flavor(flavor.api.artifact(f"{flavor.seed.entity}/artifacts/classifier:v0"))
    linked = await flavor(source.link("wandb-registry-model/classifier", aliases=["staging"]))
    assert linked.is_link and "staging" in linked.aliases
    path = f"{regs.organization}/wandb-registry-model/classifier:staging"
    fetched = await flavor(flavor.api.artifact(path))
    assert fetched.id == source.id and fetched.project == "wandb-registry-model"
    origin = await flavor(fetched.source_artifact)
    assert origin.qualified_name == source.qualified_name
    links = await flavor(source.linked_artifacts)
    assert f"{regs.organization}/wandb-registry-model/classifier" in {
        link.qualified_name.rsplit(":", 1)[0] for link in links
    }
    staged = flavor.api.registries(filter={"name": "model"}).versions(filter={"alias": "staging"})
    assert [v.id for v in await flavor.list(staged)] == [source.id]
    await flavor(fetched.unlink())
    again = flavor.api.registries(filter={"name": "model"}).versions(filter={"alias": "staging"})
    assert await flavor.list(again) == []


async def test_linking_a_type_the_registry_does_not_accept_is_a_usage_error(
    flavor: Flavor, regs: RegistrySeed
) -> None:
    """The model registry accepts models only: a dataset is refused before the mutation,
    naming the accepted types (the server refuses it as well)."""
    dataset = await flavor(flavor.api.artifact(f"{flavor.seed.entity}/artifacts/images:v0"))
    flavor.transport.clear()
    with pytest.raises(UsageError, match="registry 'model' accepts artifact types 'model'"):
        await flavor(dataset.link("wandb-registry-model/classifier"))
    sent = [r for r in flavor.transport.requests if b"LinkArtifact" in r.content]
    assert sent == []
    linked = await flavor(dataset.link("wandb-registry-dataset/more-images"))
    assert linked.is_link and linked.project == "wandb-registry-dataset"


async def test_registry_create_as_a_classmethod(flavor: Flavor, regs: RegistrySeed) -> None:
    """``Registry.create(api, organization, name, visibility, ...)``, as in ``wandb``."""
    import wandbkit

    cls = wandbkit.AsyncRegistry if flavor.is_async else wandbkit.Registry
    made = await flavor(
        cls.create(flavor.api, regs.organization, "staging", "organization", "Staged", ["model"])
    )
    assert isinstance(made, cls)
    assert (made.name, made.visibility, made.description) == ("staging", "organization", "Staged")
    assert list(made.artifact_types) == ["model"]
    fetched = await flavor(flavor.api.registry("staging"))
    assert fetched.id == made.id
    with pytest.raises(UsageError, match="api must be a wandbkit Api"):
        await flavor(cls.create(object(), regs.organization, "x", "organization"))
