"""Pages of the registry version search (``orgEntity.artifactMemberships``) over many
registries: every match exactly once and in order across pages, in row order and in a sort
order, cursors that give the same page again, links made meanwhile neither skipped nor
repeated, restricted registries invisible to non-members on every page, and a number of SQL
statements per page that does not grow with the page.

The expected answers come from the tables themselves, filtered in Python here, not from the
search under test."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from wandbkit.server.ids import encode_id
from wandbkit.server.seed import seed_basic_artifacts, seed_basic_registries
from wandbkit.server.seed.registries import RegistrySeed, seed_registries_benchmark
from wandbkit.server.store import Store
from wandbkit.server.store.artifact_collections import PORTFOLIO
from wandbkit.server.testing import asgi_transport, basic_auth_header

from ..conftest import BASE_URL, ServerApp, official_document

VERSIONS = """
query Versions($organization: String!, $registryFilter: JSONString,
               $collectionFilter: JSONString, $artifactFilter: JSONString,
               $cursor: String, $perPage: Int, $order: String) {
  organization(name: $organization) {
    orgEntity {
      artifactMemberships(projectFilters: $registryFilter, collectionFilters: $collectionFilter,
                          filters: $artifactFilter, after: $cursor, first: $perPage,
                          order: $order) {
        pageInfo { endCursor hasNextPage }
        edges {
          node {
            id
            versionIndex
            aliases { alias }
            artifactCollection { name project { name entity { name } } }
            artifact {
              id versionIndex metadata state digest
              artifactSequence { name project { name } }
              artifactType { name }
              tags { name }
              aliases { alias }
            }
          }
        }
      }
    }
  }
}
"""
TAG = "gold"
SECRET = "wandb-registry-bench-secret"


@dataclass(frozen=True)
class Seeded:
    regs: RegistrySeed
    org_entity_pk: int


@pytest.fixture
def seeded(server_app: ServerApp) -> Seeded:
    """The tests' registries, 3 x 4 x 10 benchmark links (one tagged version in ten), a
    restricted registry linking every tagged version too, an unlinked tagged version and a
    deleted portfolio that held tagged versions."""
    store = server_app.store
    seed_basic_artifacts(store, server_app.seed)
    regs = seed_basic_registries(store, server_app.seed)
    seed_registries_benchmark(store, server_app.seed, registries=3, collections=4, versions=10)
    org = store.entities.get(regs.org_entity)
    owner = store.accounts.get_user(server_app.seed.username)
    assert org is not None and owner is not None
    secret = store.registries.create(org, SECRET, creator=owner, access="RESTRICTED")
    tagged = _tagged_versions(store)
    portfolio = store.artifact_collections.ensure(secret.pk, "model", "secret", kind=PORTFOLIO)
    store.artifact_memberships.bulk_add(portfolio.pk, tagged)
    bench_00 = store.projects.get(org.pk, "wandb-registry-bench-00")
    assert bench_00 is not None
    first = store.artifact_collections.get(bench_00.pk, "collection-000")
    gone = store.artifact_collections.get(bench_00.pk, "collection-001")
    assert first is not None and gone is not None
    assert store.artifact_memberships.remove(first.pk, tagged[0])
    store.artifact_collections.mark_deleted(gone.pk)
    return Seeded(regs, org.pk)


def _tagged_versions(store: Store) -> list[int]:
    rows = store.db.all("SELECT artifact_pk FROM artifact_tags WHERE name = ?", (TAG,))
    return sorted(int(row["artifact_pk"]) for row in rows)


def expected(
    store: Store, org_entity_pk: int, *, restricted: bool, order: str | None = None
) -> list[str]:
    """The membership ids the tag search must answer, from the tables, in ``order``
    (``None``: membership row order; ``-artifact_created_at``: newest version first, ties
    by membership, newest first)."""
    db = store.db
    registries = {
        row["id"]
        for row in db.all("SELECT * FROM projects WHERE entity_id = ?", (org_entity_pk,))
        if row["name"].startswith("wandb-registry-")
        and (restricted or row["access"] != "RESTRICTED")
    }
    collections = {
        row["pk"]
        for row in db.all("SELECT * FROM artifact_collections")
        if row["project_pk"] in registries and row["kind"] == PORTFOLIO and row["state"] == "READY"
    }
    created = {
        row["pk"]: row["created_at"]
        for row in db.all("SELECT * FROM artifacts")
        if row["state"] == "COMMITTED"
    }
    tagged = set(_tagged_versions(store))
    found = [
        (created[row["artifact_pk"]], row["pk"])
        for row in db.all("SELECT * FROM artifact_memberships")
        if row["live"]
        and row["collection_pk"] in collections
        and row["artifact_pk"] in tagged
        and row["artifact_pk"] in created
    ]
    if order is None:
        found.sort(key=lambda item: item[1])
    else:
        assert order == "-artifact_created_at"
        found.sort(reverse=True)
    return [encode_id("ArtifactCollectionMembership", pk) for _, pk in found]


async def page(
    client: httpx.AsyncClient,
    cursor: str | None,
    *,
    per_page: int,
    order: str | None = None,
    document: str = VERSIONS,
) -> dict[str, Any]:
    variables = {
        "organization": "demo-org",
        "artifactFilter": json.dumps({"tag": TAG}),
        "cursor": cursor,
        "perPage": per_page,
        "order": order,
    }
    response = await client.post("/graphql", json={"query": document, "variables": variables})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    found: dict[str, Any] = body["data"]["organization"]["orgEntity"]["artifactMemberships"]
    return found


async def walk(
    client: httpx.AsyncClient, *, per_page: int, order: str | None = None
) -> tuple[list[list[str]], list[str | None]]:
    """Every page of the tag search: the ids of each page, and the cursor each started at."""
    pages: list[list[str]] = []
    cursors: list[str | None] = []
    cursor = None
    for _ in range(1000):
        found = await page(client, cursor, per_page=per_page, order=order)
        pages.append([edge["node"]["id"] for edge in found["edges"]])
        cursors.append(cursor)
        if not found["pageInfo"]["hasNextPage"]:
            return pages, cursors
        cursor = found["pageInfo"]["endCursor"]
    raise AssertionError("the pages never ended")


@pytest.fixture
async def reader(server_app: ServerApp, seeded: Seeded) -> Any:
    """A client for the organization member who is in no restricted registry."""
    user = server_app.store.accounts.get_user(seeded.regs.reader)
    assert user is not None
    key, _ = server_app.store.accounts.create_api_key(user.pk)
    async with httpx.AsyncClient(
        transport=asgi_transport(server_app.app), base_url=BASE_URL, headers=basic_auth_header(key)
    ) as client:
        yield client


@pytest.mark.parametrize("order", [None, "-artifact_created_at"])
@pytest.mark.parametrize("per_page", [1, 5, 7, 100])
async def test_pages_hold_every_match_once_in_order(
    client: httpx.AsyncClient,
    server_app: ServerApp,
    seeded: Seeded,
    order: str | None,
    per_page: int,
) -> None:
    want = expected(server_app.store, seeded.org_entity_pk, restricted=True, order=order)
    # 3 x 4 benchmark links and 4 in the restricted registry, less the unlinked one and the
    # deleted portfolio's one.
    assert len(want) == 3 * 4 + 4 - 2
    pages, _ = await walk(client, per_page=per_page, order=order)
    assert [item for items in pages for item in items] == want
    assert all(len(items) == per_page for items in pages[:-1])
    assert 0 < len(pages[-1]) <= per_page


async def test_a_cursor_gives_the_same_page_again(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    for order in (None, "-artifact_created_at"):
        pages, cursors = await walk(client, per_page=4, order=order)
        for items, cursor in zip(pages, cursors, strict=True):
            again = await page(client, cursor, per_page=4, order=order)
            assert [edge["node"]["id"] for edge in again["edges"]] == items


async def test_links_made_meanwhile_are_neither_skipped_nor_repeated(
    client: httpx.AsyncClient, server_app: ServerApp, seeded: Seeded
) -> None:
    store = server_app.store
    first = await page(client, None, per_page=5)
    seen = [edge["node"]["id"] for edge in first["edges"]]
    # A new portfolio linking every tagged version, made after the first page was read.
    dataset = store.projects.get(seeded.org_entity_pk, "wandb-registry-dataset")
    assert dataset is not None
    late = store.artifact_collections.ensure(dataset.pk, "model", "late", kind=PORTFOLIO)
    store.artifact_memberships.bulk_add(late.pk, _tagged_versions(store))
    cursor = first["pageInfo"]["endCursor"]
    while cursor is not None:
        found = await page(client, cursor, per_page=5)
        seen += [edge["node"]["id"] for edge in found["edges"]]
        cursor = found["pageInfo"]["endCursor"] if found["pageInfo"]["hasNextPage"] else None
    assert seen == expected(store, seeded.org_entity_pk, restricted=True)
    assert len(seen) == len(set(seen))


async def test_restricted_registries_stay_invisible_on_every_page(
    client: httpx.AsyncClient, reader: httpx.AsyncClient, server_app: ServerApp, seeded: Seeded
) -> None:
    store = server_app.store
    secret = store.projects.get(seeded.org_entity_pk, SECRET)
    assert secret is not None
    hidden = {
        encode_id("ArtifactCollectionMembership", int(row["pk"]))
        for row in store.db.all(
            "SELECT m.pk FROM artifact_memberships m"
            " JOIN artifact_collections c ON c.pk = m.collection_pk WHERE c.project_pk = ?",
            (secret.pk,),
        )
    }
    assert len(hidden) == 4
    for order in (None, "-artifact_created_at"):
        pages, _ = await walk(reader, per_page=3, order=order)
        seen = [item for items in pages for item in items]
        assert seen == expected(store, seeded.org_entity_pk, restricted=False, order=order)
        assert not hidden & set(seen)
        owner_pages, _ = await walk(client, per_page=3, order=order)
        assert hidden <= {item for items in owner_pages for item in items}
    # A member of the restricted registry sees it again.
    user = store.accounts.get_user(seeded.regs.reader)
    assert user is not None
    store.registries.put_member(secret.pk, "user", user.pk, "viewer")
    pages, _ = await walk(reader, per_page=3)
    assert [item for items in pages for item in items] == expected(
        store, seeded.org_entity_pk, restricted=True
    )


async def _statements_of_a_page(
    server_app: ServerApp, client: httpx.AsyncClient, per_page: int, document: str
) -> tuple[int, list[str]]:
    statements: list[str] = []
    connection = server_app.store.db.connection
    connection.set_trace_callback(statements.append)
    try:
        found = await page(client, None, per_page=per_page, document=document)
    finally:
        connection.set_trace_callback(None)
    return len(found["edges"]), statements


@pytest.mark.parametrize("official", [False, True])
async def test_a_page_costs_the_same_statements_however_long_it_is(
    client: httpx.AsyncClient, server_app: ServerApp, seeded: Seeded, official: bool
) -> None:
    """No query per version: the search and its page's memberships are one statement, the
    versions, collections, aliases and tags of the page one each."""
    document = official_document("RegistryVersions") if official else VERSIONS
    few, small = await _statements_of_a_page(server_app, client, 2, document)
    many, large = await _statements_of_a_page(server_app, client, 14, document)
    assert (few, many) == (2, 14)
    assert len(large) == len(small), (
        "\n".join(s[:150] for s in large) + "\n----\n" + "\n".join(s[:150] for s in small)
    )
    searches = [s for s in large if "FROM artifact_memberships m CROSS JOIN artifacts" in s]
    assert len(searches) == 1
    assert len(large) <= 16, "\n".join(s[:150] for s in large)


async def test_a_bad_filter_is_named_before_a_bad_order(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    variables = {
        "organization": "demo-org",
        "artifactFilter": json.dumps({"colour": 1}),
        "order": "-colour",
    }
    response = await client.post("/graphql", json={"query": VERSIONS, "variables": variables})
    assert response.status_code == 200, response.text
    (error,) = response.json()["errors"]
    assert "unknown field 'colour'" in error["message"]
    variables["artifactFilter"] = json.dumps({"tag": TAG})
    response = await client.post("/graphql", json={"query": VERSIONS, "variables": variables})
    (error,) = response.json()["errors"]
    assert "cannot order versions by 'colour'" in error["message"]
