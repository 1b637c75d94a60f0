"""The /graphql endpoint: real GraphQL execution, the official client's quirks, error statuses."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from ..conftest import Data, PostGraphQL, ServerApp

# -- quirks of the official client --------------------------------------------------------


async def test_an_empty_operation_name_means_no_name(gql: PostGraphQL, data: Data) -> None:
    response = await gql("query GetViewer { viewer { username } }", {}, operationName="")
    assert data(response) == {"viewer": {"username": "demo"}}


async def test_undeclared_extra_variables_are_ignored(gql: PostGraphQL, data: Data) -> None:
    response = await gql(
        "query P($entity: String) { models(entityName: $entity) { edges { node { name } } } }",
        {"entity": "demo", "project": "x", "name": "y", "id": "z"},
        operationName="",
    )
    assert data(response) == {"models": {"edges": []}}


async def test_a_body_without_variables_is_accepted(gql: PostGraphQL, data: Data) -> None:
    response = await gql("query Viewer { viewer { username } }", operationName="Viewer")
    assert data(response) == {"viewer": {"username": "demo"}}


async def test_null_variables_are_accepted(gql: PostGraphQL, data: Data) -> None:
    response = await gql("{ viewer { username } }", variables=None, operationName=None)
    assert data(response)["viewer"]["username"] == "demo"


async def test_graphql_comments_and_tab_indentation_parse(gql: PostGraphQL, data: Data) -> None:
    document = "#graphql\nquery Viewer {\n\tviewer {\n\t\tusername # who\n\t}\n}\n"
    assert data(await gql(document, operationName="Viewer"))["viewer"]["username"] == "demo"


async def test_the_named_operation_runs_when_a_document_has_several(
    gql: PostGraphQL, data: Data
) -> None:
    document = "query A { viewer { username } } query B { viewer { entity } }"
    assert data(await gql(document, operationName="B")) == {"viewer": {"entity": "demo"}}


# -- real GraphQL execution ------------------------------------------------------------------


async def test_fragments_aliases_directives_defaults_and_typename_work(
    gql: PostGraphQL, data: Data
) -> None:
    document = """
    query Q($withTeams: Boolean = true, $skipEmail: Boolean!) {
      me: viewer {
        __typename
        ...Who
        email @skip(if: $skipEmail)
        teams @include(if: $withTeams) { edges { node { ... on Entity { teamName: name } } } }
      }
    }
    fragment Who on User { username }
    """
    result = data(await gql(document, {"skipEmail": True}))
    assert result == {
        "me": {
            "__typename": "User",
            "username": "demo",
            "teams": {"edges": [{"node": {"teamName": "demo-team"}}]},
        }
    }


async def test_json_string_fields_are_json_text(gql: PostGraphQL, data: Data) -> None:
    flags = data(await gql("{ viewer { flags } }"))["viewer"]["flags"]
    assert flags == "{}"


# -- errors ----------------------------------------------------------------------------------


def assert_errors(response: httpx.Response, status: int, fragment: str) -> list[dict[str, Any]]:
    assert response.status_code == status, response.text
    errors: list[dict[str, Any]] = response.json()["errors"]
    assert errors and all("message" in e for e in errors)
    assert any(fragment in e["message"] for e in errors), errors
    return errors


async def test_a_body_that_is_not_json_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_errors(response, 400, "not valid JSON")


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ([1, 2], "JSON object"),
        ({}, "'query'"),
        ({"query": ""}, "'query'"),
        ({"query": "{ viewer { id } }", "variables": [1]}, "'variables'"),
        ({"query": "{ viewer { id } }", "operationName": 3}, "'operationName'"),
    ],
)
async def test_a_malformed_request_is_400(
    client: httpx.AsyncClient, body: Any, fragment: str
) -> None:
    assert_errors(await client.post("/graphql", json=body), 400, fragment)


async def test_a_syntax_error_is_400_with_its_location(gql: PostGraphQL) -> None:
    errors = assert_errors(await gql("{ viewer { id }"), 400, "Syntax Error")
    assert errors[0]["locations"] == [{"line": 1, "column": 16}]


async def test_a_field_the_schema_lacks_is_400(gql: PostGraphQL) -> None:
    errors = assert_errors(await gql("{ viewer { shoeSize } }"), 400, "shoeSize")
    assert errors[0]["locations"]


async def test_an_unknown_operation_name_is_400(gql: PostGraphQL) -> None:
    assert_errors(await gql("query A { viewer { id } }", operationName="B"), 400, "'B'")


async def test_several_operations_without_a_name_is_400(gql: PostGraphQL) -> None:
    document = "query A { viewer { id } } query B { viewer { id } }"
    assert_errors(await gql(document), 400, "operationName")


async def test_a_missing_required_variable_is_400(gql: PostGraphQL) -> None:
    document = "query P($name: String!) { project(name: $name) { id } }"
    assert_errors(await gql(document, {}), 400, "$name")


async def test_a_variable_of_the_wrong_type_is_400(gql: PostGraphQL) -> None:
    document = "query P($n: Int) { models(first: $n) { edges { cursor } } }"
    assert_errors(await gql(document, {"n": "many"}), 400, "$n")


async def test_an_execution_error_is_200_with_path_locations_and_partial_data(
    gql: PostGraphQL,
) -> None:
    document = '{ viewer { username } models(after: "bogus") { edges { cursor } } }'
    response = await gql(document)
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"viewer": {"username": "demo"}, "models": None}
    (error,) = body["errors"]
    assert error["message"].startswith("invalid cursor")
    assert error["path"] == ["models"]
    assert error["locations"] == [{"line": 1, "column": 23}]


async def test_get_on_graphql_is_not_a_server_error(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql")
    assert response.status_code == 405


async def test_client_errors_are_not_logged_as_server_errors(
    gql: PostGraphQL, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="wandbkit.server")
    response = await gql('{ models(after: "bogus") { edges { cursor } } }')
    assert response.json()["errors"]
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert any("invalid cursor" in r.getMessage() for r in caplog.records)


async def test_a_server_bug_is_logged_loudly_but_answered_as_a_graphql_error(
    gql: PostGraphQL,
    server_app: ServerApp,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(server_app.store.projects, "list", broken)
    caplog.set_level(logging.ERROR, logger="wandbkit.server")
    response = await gql("{ serverInfo { pollingOK } models { edges { cursor } } }")
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"serverInfo": {"pollingOK": True}, "models": None}
    assert "disk on fire" in body["errors"][0]["message"]
    assert [r.levelno for r in caplog.records] == [logging.ERROR]
    assert caplog.records[0].exc_info is not None  # with the traceback
