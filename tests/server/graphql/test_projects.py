"""Projects: listing (relay paging), lookup, and creation or update through upsertModel."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from wandbkit.server.ids import decode_id, encode_cursor
from wandbkit.server.resolvers.common import MAX_PAGE_SIZE

from ..conftest import Data, PostGraphQL, ServerApp

LIST = """
query GetProjects($entity: String, $cursor: String, $perPage: Int = 50) {
  models(entityName: $entity, after: $cursor, first: $perPage) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node { name entityName } }
  }
}
"""

UPSERT = """
mutation CreateProject($input: UpsertModelInput!) {
  upsertModel(input: $input) {
    inserted
    project { id internalId name entityName description access createdAt updatedAt }
    model { name }
  }
}
"""

PROJECT_FIELDS = """
  __typename id internalId name entityName description access views createdAt updatedAt
  isBenchmark readOnly runCount totalSweeps
  entity { name }
  user { username }
  runs { edges { cursor } pageInfo { hasNextPage } }
"""


def make_projects(server_app: ServerApp, entity: str, names: list[str]) -> None:
    store = server_app.store
    owner = store.entities.get(entity)
    user = store.accounts.get_user(server_app.seed.username)
    assert owner is not None and user is not None
    for name in names:
        store.projects.upsert(owner.pk, name, creator_pk=user.pk)


async def walk(
    gql: PostGraphQL,
    data: Data,
    entity: str,
    per_page: int,
    between_pages: Callable[[int], None] = lambda _: None,
) -> list[str]:
    """Page through an entity's projects as a client does; returns the names in order."""
    names: list[str] = []
    cursor = None
    for page in range(100):
        models = data(await gql(LIST, {"entity": entity, "cursor": cursor, "perPage": per_page}))[
            "models"
        ]
        names += [edge["node"]["name"] for edge in models["edges"]]
        if models["edges"]:
            assert models["pageInfo"]["endCursor"] == models["edges"][-1]["cursor"]
        if not models["pageInfo"]["hasNextPage"]:
            return names
        cursor = models["pageInfo"]["endCursor"]
        between_pages(page)
    raise AssertionError("pagination did not end")


async def test_walking_all_pages_one_at_a_time_sees_each_project_once(
    gql: PostGraphQL, data: Data, server_app: ServerApp
) -> None:
    names = [f"p{i}" for i in range(5)]
    make_projects(server_app, "demo-team", names)
    assert await walk(gql, data, "demo-team", per_page=1) == names
    assert await walk(gql, data, "demo-team", per_page=2) == names
    assert await walk(gql, data, "demo-team", per_page=5) == names


async def test_a_project_created_mid_walk_is_neither_skipped_nor_repeated(
    gql: PostGraphQL, data: Data, server_app: ServerApp
) -> None:
    make_projects(server_app, "demo-team", ["a", "b", "c"])

    def create_one(page: int) -> None:
        if page == 0:
            make_projects(server_app, "demo-team", ["late"])

    assert await walk(gql, data, "demo-team", 1, between_pages=create_one) == [
        "a",
        "b",
        "c",
        "late",
    ]


async def test_the_last_page_says_there_is_no_next_page(
    gql: PostGraphQL, data: Data, server_app: ServerApp
) -> None:
    make_projects(server_app, "demo", ["x", "y"])
    models = data(await gql(LIST, {"perPage": 2}))["models"]
    assert [e["node"]["name"] for e in models["edges"]] == ["x", "y"]
    assert models["pageInfo"]["hasNextPage"] is False


async def test_models_default_to_the_viewers_entity(
    gql: PostGraphQL, data: Data, server_app: ServerApp
) -> None:
    make_projects(server_app, "demo", ["mine"])
    make_projects(server_app, "demo-team", ["ours"])
    models = data(await gql(LIST, {}))["models"]
    assert [e["node"] for e in models["edges"]] == [{"name": "mine", "entityName": "demo"}]


async def test_models_of_a_missing_entity_is_null(gql: PostGraphQL, data: Data) -> None:
    assert data(await gql(LIST, {"entity": "nobody"})) == {"models": None}


async def test_an_empty_entity_has_an_empty_page(gql: PostGraphQL, data: Data) -> None:
    models = data(await gql(LIST, {"entity": "demo-team"}))["models"]
    assert models == {"pageInfo": {"hasNextPage": False, "endCursor": None}, "edges": []}


async def test_a_huge_first_is_clamped(gql: PostGraphQL, data: Data, server_app: ServerApp) -> None:
    make_projects(server_app, "demo", [f"p{i}" for i in range(3)])
    models = data(await gql(LIST, {"perPage": MAX_PAGE_SIZE * 10}))["models"]
    assert len(models["edges"]) == 3


@pytest.mark.parametrize(
    "cursor",
    ["not-a-cursor", encode_cursor("x"), encode_cursor(1, 2), encode_cursor(-1), "UHJvamVjdDox"],
)
async def test_a_cursor_the_server_did_not_make_is_an_invalid_cursor_error(
    gql: PostGraphQL, cursor: str
) -> None:
    response = await gql(LIST, {"cursor": cursor})
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"models": None}
    assert body["errors"][0]["message"].startswith("invalid cursor")
    assert body["errors"][0]["path"] == ["models"]


async def test_backward_pagination_is_refused_clearly(gql: PostGraphQL) -> None:
    response = await gql("{ models(last: 1) { edges { cursor } } }")
    assert "backward pagination" in response.json()["errors"][0]["message"]


async def test_a_project_has_every_field_the_clients_read(
    gql: PostGraphQL, data: Data, server_app: ServerApp
) -> None:
    make_projects(server_app, "demo-team", ["vision"])
    response = await gql(
        "query P($n: String!, $e: String!) {"
        f" project(name: $n, entityName: $e) {{ {PROJECT_FIELDS} }} }}",
        {"n": "vision", "e": "demo-team"},
    )
    project = data(response)["project"]
    assert project["__typename"] == "Project"
    assert decode_id(project["id"]) == ("Project", "1")
    assert decode_id(project["internalId"]) == ("ProjectInternalId", "1")
    assert project["name"] == "vision"
    assert project["entityName"] == "demo-team"
    assert project["entity"] == {"name": "demo-team"}
    assert project["user"] == {"username": "demo"}
    assert project["access"] == "PRIVATE"
    assert project["views"] == "{}"
    assert project["isBenchmark"] is False
    assert project["readOnly"] is False
    assert (project["runCount"], project["totalSweeps"]) == (0, 0)
    assert project["runs"] == {"edges": [], "pageInfo": {"hasNextPage": False}}
    assert project["createdAt"].endswith("Z") and project["updatedAt"] == project["createdAt"]


async def test_a_missing_project_is_null_not_an_error(gql: PostGraphQL, data: Data) -> None:
    document = 'query P($e: String) { project(name: "nope", entityName: $e) { id } }'
    assert data(await gql(document, {"e": "demo"})) == {"project": None}
    assert data(await gql(document, {"e": "no-such-entity"})) == {"project": None}


async def test_a_public_project_of_someone_elses_entity_is_read_only(
    gql: PostGraphQL, data: Data, server_app: ServerApp
) -> None:
    other = server_app.store.accounts.create_user("other")
    server_app.store.projects.upsert(
        other.entity_pk, "theirs", creator_pk=other.pk, access="USER_READ"
    )
    server_app.store.projects.upsert(other.entity_pk, "hidden", creator_pk=other.pk)
    response = await gql(
        '{ project(name: "theirs", entityName: "other") { readOnly user { username } } }'
    )
    assert data(response)["project"] == {"readOnly": True, "user": {"username": "other"}}
    private = await gql('{ project(name: "hidden", entityName: "other") { id } }')
    assert data(private)["project"] is None  # a private project reads as absent


# -- upsertModel -----------------------------------------------------------------------------


async def test_upsert_model_inserts_then_updates(gql: PostGraphQL, data: Data) -> None:
    first = data(
        await gql(
            UPSERT, {"input": {"name": "nlp", "entityName": "demo-team", "description": "v1"}}
        )
    )["upsertModel"]
    assert first["inserted"] is True
    assert first["project"]["description"] == "v1"
    assert first["project"]["access"] == "PRIVATE"
    assert first["model"] == {"name": "nlp"}

    second = data(
        await gql(
            UPSERT,
            {
                "input": {
                    "name": "nlp",
                    "entityName": "demo-team",
                    "description": "v2",
                    "access": "USER_READ",
                }
            },
        )
    )["upsertModel"]
    assert second["inserted"] is False
    assert second["project"]["id"] == first["project"]["id"]
    assert second["project"]["description"] == "v2"
    assert second["project"]["access"] == "USER_READ"
    assert second["project"]["createdAt"] == first["project"]["createdAt"]

    names = [
        e["node"]["name"] for e in data(await gql(LIST, {"entity": "demo-team"}))["models"]["edges"]
    ]
    assert names == ["nlp"]


async def test_upsert_model_without_an_entity_uses_the_viewers(
    gql: PostGraphQL, data: Data
) -> None:
    result = data(await gql(UPSERT, {"input": {"name": "solo"}}))["upsertModel"]
    assert result["project"]["entityName"] == "demo"


async def test_an_update_leaves_fields_that_are_not_given(gql: PostGraphQL, data: Data) -> None:
    await gql(UPSERT, {"input": {"name": "keep", "description": "kept"}})
    result = data(await gql(UPSERT, {"input": {"name": "keep"}}))["upsertModel"]
    assert result["project"]["description"] == "kept"


async def test_upsert_model_by_id_renames_the_project(gql: PostGraphQL, data: Data) -> None:
    created = data(await gql(UPSERT, {"input": {"name": "old"}}))["upsertModel"]["project"]
    renamed = data(await gql(UPSERT, {"input": {"id": created["id"], "name": "new"}}))[
        "upsertModel"
    ]
    assert renamed["inserted"] is False
    assert (renamed["project"]["id"], renamed["project"]["name"]) == (created["id"], "new")


async def test_upsert_model_on_someone_elses_entity_is_permission_denied(
    gql: PostGraphQL, server_app: ServerApp
) -> None:
    server_app.store.accounts.create_user("other")
    server_app.store.entities.create_team("strangers")
    for entity in ("other", "strangers"):
        response = await gql(UPSERT, {"input": {"name": "sneaky", "entityName": entity}})
        assert response.status_code == 200
        body = response.json()
        assert body["data"] == {"upsertModel": None}
        assert body["errors"][0]["message"].startswith("permission denied")
        assert body["errors"][0]["path"] == ["upsertModel"]
        assert body["errors"][0]["extensions"] == {"code": "PERMISSION_DENIED"}
    assert server_app.store.counts()["projects"] == 0


async def test_upsert_model_in_a_missing_entity_is_an_error(gql: PostGraphQL) -> None:
    response = await gql(UPSERT, {"input": {"name": "x", "entityName": "nobody"}})
    assert "entity 'nobody' not found" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("name", ["has space", "a/b", "ü", "x" * 129, ".."])
async def test_upsert_model_rejects_a_bad_name(
    gql: PostGraphQL, server_app: ServerApp, name: str
) -> None:
    response = await gql(UPSERT, {"input": {"name": name}})
    body = response.json()
    assert response.status_code == 200 and body["data"] == {"upsertModel": None}
    assert "project name" in body["errors"][0]["message"]
    assert server_app.store.counts()["projects"] == 0


async def test_upsert_model_needs_a_name_or_an_id(gql: PostGraphQL) -> None:
    response = await gql(UPSERT, {"input": {"description": "nameless"}})
    assert "input.name is required" in response.json()["errors"][0]["message"]


async def test_rename_project_moves_the_name(gql: PostGraphQL, data: Data) -> None:
    await gql(UPSERT, {"input": {"name": "draft"}})
    response = await gql(
        "mutation R($i: RenameProjectInput!) { renameProject(input: $i) { project { name } } }",
        {"i": {"entityName": "demo", "oldProjectName": "draft", "newProjectName": "final"}},
    )
    assert data(response)["renameProject"]["project"] == {"name": "final"}
    document = '{ a: project(name: "draft") { id } b: project(name: "final") { name } }'
    assert data(await gql(document)) == {"a": None, "b": {"name": "final"}}
