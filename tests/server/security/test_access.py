"""Another entity's private data is unreachable by every query path and file route.

Each root field of the schema has a probe below; a new root field without one fails
``test_every_root_field_has_an_access_probe``, so the access rules grow with the schema. Each
probe runs twice: as the owner (a positive control: the secret is there) and as an outsider
(it must not be, and the server must not fail).
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from graphql import GraphQLObjectType

from wandbkit._lang.artifact_digest import artifact_digest
from wandbkit.server.schema import build_executable_schema
from wandbkit.server.store import NewArtifact, NewEntry, Store
from wandbkit.server.store.artifact_collections import PORTFOLIO
from wandbkit.server.testing import add_run, asgi_transport, basic_auth_header

from ..conftest import BASE_URL, ServerApp

#: In the victim's private data only; it must never reach an outsider.
SECRET = "tops3cret"

#: Every root query field, with a document that would carry SECRET if access leaked.
PROBES: dict[str, str] = {
    "models": '{ models(entityName: "victor-team") { edges { node { name } } } }',
    "viewer": '{ viewer(entityName: "victor-team") { projects { edges { node { name } } } } }',
    "entity": """{ entity(name: "victor-team") {
        project(name: "tops3cret-models") { name runs { edges { node { config } } } }
        projects { edges { node { name } } } } }""",
    "users": """{ users(usernames: ["victor"]) { edges { node {
        projects { edges { node { name } } } } } } }""",
    "project": """{ project(name: "tops3cret-models", entityName: "victor-team") {
        name runs { edges { node { name config summaryMetrics
            files { edges { node { name directUrl url } } }
            history(samples: 10) sampledHistory(specs: ["{\\"keys\\": [\\"_step\\"]}"])
        } } } } }""",
    "model": """{ model(name: "tops3cret-models", entityName: "victor-team") {
        name bucket(name: "r1", missingOk: true) { config summaryMetrics historyTail
            eventsTail wandbConfig(keys: ["t"]) } } }""",
    "serverInfo": "{ serverInfo { pollingOK } }",
    "organization": """{ organization(name: "victor-org") { name
        orgEntity { projects { edges { node { name } } } } } }""",
    "artifact": """{ artifact(id: "QXJ0aWZhY3Q6MQ==") { id description metadata
        artifactSequence { name } aliases { alias } currentManifest { file { directUrl } }
        usedBy { edges { node { name } } } createdBy { ... on Run { name } } } }""",
    "artifactCollection": """{ artifactCollection(id: "QXJ0aWZhY3RTZXF1ZW5jZTox") { id name
        aliases { edges { node { alias } } } artifacts { edges { node { metadata } } }
        artifactMembership(aliasName: "latest") { files { edges { node { name } } } } } }""",
}
#: Probes whose answer holds the secret for its owner (the others never return project data).
REACHES_THE_SECRET = {
    "models",
    "model",
    "viewer",
    "entity",
    "project",
    "organization",
    "artifact",
    "artifactCollection",
}


#: The restricted registry victor made in victor-org; its name, collection, alias and
#: description hold REGISTRY_MARKERS (victor-org's plain projects may hold SECRET itself). Its
#: version is born in victor-org/shared, which every member of victor-org reads, so only the
#: registry's own access can hide the link.
SECRET_REGISTRY = f"wandb-registry-{SECRET}"
_SHARED_ARTIFACT = base64.b64encode(b"Artifact:2").decode()
_SECRET_PORTFOLIO = base64.b64encode(b"ArtifactPortfolio:3").decode()
_REGISTRY_SEARCH = """projects { edges { node { name description } } }
    artifactCollections { edges { node { name } } }
    artifactMemberships { edges { node { aliases { alias } artifactCollection { name } } } }"""

#: Every root query field, with a document that would carry SECRET if a restricted registry
#: leaked to a member of its organization who is not a member of the registry.
REGISTRY_PROBES: dict[str, str] = {
    "models": '{ models(entityName: "victor-org") { edges { node { name description } } } }',
    "viewer": '{ viewer(entityName: "victor-org") { projects { edges { node { name } } } } }',
    "entity": f"""{{ entity(name: "victor-org") {{
        project(name: "{SECRET_REGISTRY}") {{ name description }} {_REGISTRY_SEARCH} }} }}""",
    "users": """{ users(usernames: ["victor"]) { edges { node {
        projects { edges { node { name } } } } } } }""",
    "project": f"""{{ project(name: "{SECRET_REGISTRY}", entityName: "victor-org") {{
        name description members {{ username }}
        artifactCollections {{ edges {{ node {{ name }} }} }} }} }}""",
    "model": f"""{{ model(name: "{SECRET_REGISTRY}", entityName: "victor-org") {{
        name description }} }}""",
    "serverInfo": "{ serverInfo { pollingOK } }",
    "organization": f"""{{ organization(name: "victor-org") {{
        orgEntity {{ {_REGISTRY_SEARCH} }} }} }}""",
    "artifact": f"""{{ artifact(id: "{_SHARED_ARTIFACT}") {{ id
        aliases {{ alias artifactCollection {{ name }} }}
        artifactMemberships {{ edges {{ node {{ aliases {{ alias }}
            artifactCollection {{ name }} }} }} }} }} }}""",
    "artifactCollection": f"""{{ artifactCollection(id: "{_SECRET_PORTFOLIO}") {{ name
        aliases {{ edges {{ node {{ alias }} }} }} }} }}""",
}
#: What only the restricted registry holds.
REGISTRY_MARKERS = (
    SECRET_REGISTRY,
    f"{SECRET}-portfolio",
    f"{SECRET}-alias",
    f"{SECRET}-description",
)
#: Registry probes whose answer holds the secret for the registry's admin.
REGISTRY_REACHES_THE_SECRET = {
    "models",
    "model",
    "entity",
    "project",
    "organization",
    "artifact",
    "artifactCollection",
}


@dataclass
class Parties:
    owner: httpx.AsyncClient
    outsider: httpx.AsyncClient
    admin: httpx.AsyncClient
    member: httpx.AsyncClient  # in victor-org, not in its restricted registry
    store: Store


def plant_secrets(store: Store) -> None:
    """victor: a team in an organization with a private project (config, summary, history,
    console, files) next to a public one."""
    victor = store.accounts.create_user("victor")
    org = store.entities.create_organization("victor-org")
    store.entities.add_organization_member(org.pk, victor.pk)
    team = store.entities.create_team("victor-team", organization_pk=org.pk)
    store.entities.add_team_member(team.pk, victor.pk, role="admin")
    add_run(
        store,
        f"victor-team/{SECRET}-models",
        "r1",
        config={"key": SECRET},
        summary={"note": SECRET},
        history=[{"loss": 1.0}],
        files={f"{SECRET}.txt": SECRET.encode()},
        logs=[f"{SECRET} log line"],
    )
    plant_artifact(store)
    plant_registry(store)
    store.projects.upsert(team.pk, "showcase", creator_pk=victor.pk, access="USER_READ")
    add_run(store, f"victor/{SECRET}-personal", "r2", config={"key": SECRET})
    add_run(store, f"victor-org/{SECRET}-org", "r3", config={"key": SECRET})


def plant_artifact(store: Store) -> None:
    """A version (artifact 1, sequence 1) in the private project, with the secret in its
    metadata, description, collection name and file."""
    project = store.projects.find("victor-team", f"{SECRET}-models")
    run = store.runs.find("victor-team", f"{SECRET}-models", "r1")
    assert project is not None and run is not None
    blob = store.artifact_manifests.put_blob(SECRET.encode())
    entries = [NewEntry(f"{SECRET}.txt", blob.md5, len(SECRET))]
    (pk,) = store.artifacts.bulk_create(
        project.pk,
        "dataset",
        f"{SECRET}-data",
        [
            NewArtifact(
                artifact_digest((e.path, e.digest) for e in entries),
                entries,
                description=SECRET,
                metadata={"key": SECRET},
                created_by_run_pk=run.pk,
            )
        ],
    )
    store.artifacts.use(pk, run.pk)


def plant_registry(store: Store) -> None:
    """Artifact 2 (sequence 2) in victor-org/shared, linked into portfolio 3 of the restricted
    registry; rita is a member of victor-org but not of the registry."""
    victor = store.accounts.get_user("victor")
    org = store.entities.get_organization("victor-org")
    org_entity = store.entities.get("victor-org")
    assert victor is not None and org is not None and org_entity is not None
    shared, _ = store.projects.upsert(org_entity.pk, "shared", creator_pk=victor.pk)
    blob = store.artifact_manifests.put_blob(b"weights")
    entries = [NewEntry("weights.bin", blob.md5, 7)]
    (pk,) = store.artifacts.bulk_create(
        shared.pk,
        "model",
        "weights",
        [NewArtifact(artifact_digest((e.path, e.digest) for e in entries), entries)],
    )
    registry = store.registries.create(
        org_entity,
        SECRET_REGISTRY,
        creator=victor,
        access="RESTRICTED",
        description=f"{SECRET}-description",
    )
    portfolio = store.artifact_collections.ensure(
        registry.pk, "model", f"{SECRET}-portfolio", kind=PORTFOLIO
    )
    assert (pk, portfolio.pk) == (2, 3)
    store.artifact_memberships.add(portfolio.pk, pk)
    store.artifact_memberships.set_aliases(portfolio.pk, pk, [f"{SECRET}-alias"])
    rita = store.accounts.create_user("rita")
    store.entities.add_organization_member(org.pk, rita.pk, role="member")


@pytest.fixture
async def parties(server_app: ServerApp) -> AsyncIterator[Parties]:
    store = server_app.store
    plant_secrets(store)
    owner_key, _ = store.accounts.create_api_key(store.accounts.get_user("victor").pk)  # type: ignore[union-attr]
    admin = store.accounts.create_user("root", admin=True)
    admin_key, _ = store.accounts.create_api_key(admin.pk)
    member_key, _ = store.accounts.create_api_key(store.accounts.get_user("rita").pk)  # type: ignore[union-attr]
    clients = [
        httpx.AsyncClient(
            transport=asgi_transport(server_app.app),
            base_url=BASE_URL,
            headers=basic_auth_header(key),
        )
        for key in (owner_key, server_app.seed.api_key, admin_key, member_key)
    ]
    yield Parties(*clients, store=store)
    for client in clients:
        await client.aclose()


def test_every_root_field_has_an_access_probe() -> None:
    query = build_executable_schema().get_type("Query")
    assert isinstance(query, GraphQLObjectType)
    assert set(query.fields) == set(PROBES) == set(REGISTRY_PROBES)


@pytest.mark.parametrize("field", sorted(REGISTRY_PROBES))
async def test_no_root_field_shows_a_restricted_registry_to_an_organization_member_outside_it(
    parties: Parties, field: str
) -> None:
    for client in (parties.member, parties.outsider):
        answer = await client.post("/graphql", json={"query": REGISTRY_PROBES[field]})
        assert answer.status_code == 200, answer.text
        assert not any(marker in answer.text for marker in REGISTRY_MARKERS), answer.text
    owner = await parties.owner.post("/graphql", json={"query": REGISTRY_PROBES[field]})
    assert owner.status_code == 200, owner.text
    reached = any(marker in owner.text for marker in REGISTRY_MARKERS)
    assert reached is (field in REGISTRY_REACHES_THE_SECRET), owner.text


@pytest.mark.parametrize("field", sorted(PROBES))
async def test_no_root_field_shows_an_outsider_another_entitys_private_data(
    parties: Parties, field: str
) -> None:
    outsider = await parties.outsider.post("/graphql", json={"query": PROBES[field]})
    assert outsider.status_code == 200, outsider.text
    assert SECRET not in outsider.text
    owner = await parties.owner.post("/graphql", json={"query": PROBES[field]})
    assert owner.status_code == 200, owner.text
    assert (SECRET in owner.text) is (field in REACHES_THE_SECRET), owner.text


async def test_an_outsider_sees_the_public_project_and_not_the_private_one(
    parties: Parties,
) -> None:
    query = '{ models(entityName: "victor-team") { edges { node { name access } } } }'
    seen = (await parties.outsider.post("/graphql", json={"query": query})).json()
    assert [e["node"]["name"] for e in seen["data"]["models"]["edges"]] == ["showcase"]
    everything = (await parties.owner.post("/graphql", json={"query": query})).json()
    assert [e["node"]["name"] for e in everything["data"]["models"]["edges"]] == [
        f"{SECRET}-models",
        "showcase",
    ]


async def test_an_instance_admin_reads_every_project(parties: Parties) -> None:
    answer = await parties.admin.post("/graphql", json={"query": PROBES["project"]})
    assert SECRET in answer.text


@pytest.mark.parametrize(
    "path",
    [
        f"/files/victor-team/{SECRET}-models/r1/{SECRET}.txt",
        f"/files/victor/{SECRET}-personal/r2/output.log",
    ],
)
async def test_the_file_route_answers_an_outsider_as_if_the_file_did_not_exist(
    parties: Parties, path: str
) -> None:
    outsider = await parties.outsider.get(path)
    assert outsider.status_code == 404 and SECRET not in outsider.text
    if path.endswith(".txt"):
        owner = await parties.owner.get(path)
        assert owner.status_code == 200 and owner.content == SECRET.encode()


async def test_a_run_of_a_private_project_cannot_be_changed_or_deleted_by_an_outsider(
    parties: Parties,
) -> None:
    run = parties.store.runs.find("victor-team", f"{SECRET}-models", "r1")
    assert run is not None
    mutation = """mutation($input: UpsertBucketInput!) { upsertBucket(input: $input) {
        bucket { config } } }"""
    variables = {
        "input": {"entityName": "victor-team", "modelName": f"{SECRET}-models", "name": "r1"}
    }
    answer = await parties.outsider.post(
        "/graphql", json={"query": mutation, "variables": variables}
    )
    assert SECRET not in answer.text
    assert answer.json()["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


async def test_the_artifact_fallback_routes_answer_an_outsider_as_if_the_file_did_not_exist(
    parties: Parties,
) -> None:
    query = f"""{{ project(name: "{SECRET}-models", entityName: "victor-team") {{
        artifactCollection(name: "{SECRET}-data") {{ artifactMembership(aliasName: "v0") {{
            files {{ edges {{ node {{ url md5 }} }} }} }} }} }} }}"""
    owner = (await parties.owner.post("/graphql", json={"query": query})).json()
    node = owner["data"]["project"]["artifactCollection"]["artifactMembership"]["files"]["edges"][
        0
    ]["node"]
    md5hex = base64.b64decode(node["md5"]).hex()
    for path in (node["url"].removeprefix(BASE_URL), f"/artifacts/victor-team/{md5hex}"):
        outsider = await parties.outsider.get(path)
        assert outsider.status_code == 404 and SECRET not in outsider.text
        answer = await parties.owner.get(path)
        assert answer.status_code == 200 and answer.content == SECRET.encode()
    listing = await parties.outsider.post("/graphql", json={"query": query})
    assert listing.json()["data"] == {"project": None}
