"""What one GraphQL request may cost: each limit is a clear 400 (413 for size), never a 5xx."""

from __future__ import annotations

import json

import httpx
import pytest
from graphql import parse

from wandbkit._lang.filters import MAX_IN_VALUES
from wandbkit.errors import UsageError
from wandbkit.filters import validate_run_filters
from wandbkit.server.limits import (
    MAX_BODY_BYTES,
    MAX_JSON_DEPTH,
    MAX_QUERY_ALIASES,
    MAX_QUERY_DEPTH,
    MAX_QUERY_FIELDS,
    document_cost,
    document_cost_errors,
)
from wandbkit.server.testing import add_run

from ..conftest import PostGraphQL, ServerApp, require_official_ops

VIEWER = "query { viewer { username } }"


def message_of(response: httpx.Response) -> str:
    body = response.json()
    assert "data" not in body
    return " | ".join(error["message"] for error in body["errors"])


async def test_a_body_nested_100000_levels_deep_is_a_400(client: httpx.AsyncClient) -> None:
    body = '{"query": "{ viewer { id } }", "variables": {"x": ' + "[" * 100_000
    body += "]" * 100_000 + "}}"
    response = await client.post("/graphql", content=body)
    assert response.status_code == 400
    assert "nests arrays and objects too deeply" in message_of(response)


async def test_variables_past_the_json_depth_limit_are_a_400_naming_it(
    client: httpx.AsyncClient,
) -> None:
    nested: object = 1
    for _ in range(MAX_JSON_DEPTH):
        nested = [nested]
    response = await client.post("/graphql", json={"query": VIEWER, "variables": {"x": nested}})
    assert response.status_code == 400
    assert f"more than {MAX_JSON_DEPTH} levels deep" in message_of(response)


async def test_json_at_the_depth_limit_is_accepted(gql: PostGraphQL) -> None:
    nested: object = 1
    for _ in range(MAX_JSON_DEPTH - 3):  # the body object and variables count as levels
        nested = [nested]
    response = await gql(VIEWER, {"x": nested})
    assert response.status_code == 200, response.text


async def test_a_body_past_the_size_limit_is_a_413(client: httpx.AsyncClient) -> None:
    padding = " " * MAX_BODY_BYTES
    response = await client.post("/graphql", content=json.dumps({"query": VIEWER + padding}))
    assert response.status_code == 413
    assert f"larger than the limit of {MAX_BODY_BYTES} bytes" in message_of(response)


async def test_a_streamed_body_past_the_size_limit_is_a_413_without_a_length(
    client: httpx.AsyncClient,
) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        yield b'{"query": "'
        for _ in range(MAX_BODY_BYTES // 65536 + 1):
            yield b" " * 65536
        yield b'"}'

    response = await client.post("/graphql", content=chunks())
    assert response.status_code == 413


NESTED = "query { viewer { teams { edges { node { id name } } } } }"


def run_project_chain(levels: int) -> str:
    """A valid document that nests ``2 * levels + 2`` fields: project -> run -> project ..."""
    inner = "id"
    for _ in range(levels):
        inner = f'run(name: "r") {{ project {{ {inner} }} }}'
    return f'query {{ project(name: "p", entityName: "e") {{ {inner} }} }}'


async def test_a_query_past_the_depth_limit_is_a_400_naming_the_limit(gql: PostGraphQL) -> None:
    levels = MAX_QUERY_DEPTH // 2
    assert document_cost(parse(run_project_chain(levels))).depth == 2 * levels + 2
    response = await gql(run_project_chain(levels))
    assert response.status_code == 400
    assert message_of(response) == (
        f"the query nests fields {2 * levels + 2} levels deep; the limit is {MAX_QUERY_DEPTH}"
    )


async def test_a_query_at_the_depth_limit_runs(gql: PostGraphQL) -> None:
    levels = (MAX_QUERY_DEPTH - 2) // 2
    assert document_cost(parse(run_project_chain(levels))).depth == MAX_QUERY_DEPTH
    assert (await gql(run_project_chain(levels))).status_code == 200


def test_depth_counts_through_fragments_and_inline_fragments() -> None:
    document = parse(
        "query { viewer { ...F } } fragment F on User { teams { ... on EntityConnection "
        "{ edges { node { id } } } } }"
    )
    assert document_cost(document) == document_cost(
        parse("query { viewer { teams { edges { node { id } } } } }")
    )


async def test_a_document_too_deep_to_parse_is_a_400(gql: PostGraphQL) -> None:
    depth = 6000  # within the token limit, past what a recursive parser can read
    response = await gql("{" + " a {" * depth + " b" + " }" * depth + " }")
    assert response.status_code == 400
    assert "nested too deeply" in message_of(response)


async def test_too_many_aliases_are_a_400(gql: PostGraphQL) -> None:
    aliases = " ".join(f"a{i}: viewer {{ id }}" for i in range(MAX_QUERY_ALIASES + 1))
    response = await gql("query { " + aliases + " }")
    assert response.status_code == 400
    assert f"uses {MAX_QUERY_ALIASES + 1} aliases" in message_of(response)


async def test_fragment_spreads_are_counted_at_each_use(gql: PostGraphQL) -> None:
    fragment = "fragment F on User { " + " ".join(f"f{i}: id" for i in range(100)) + " }"
    spreads = " ".join(f"v{i}: viewer {{ ...F }}" for i in range(60))
    response = await gql(f"query {{ {spreads} }} {fragment}")
    assert response.status_code == 400
    message = message_of(response)
    assert "uses 6060 aliases" in message and "selects 6060 fields" in message
    assert MAX_QUERY_FIELDS < 6060


async def test_a_document_of_too_many_tokens_is_a_400(gql: PostGraphQL) -> None:
    response = await gql("query { " + "viewer { id } " * 6000 + " }")
    assert response.status_code == 400
    assert "more than 20000 tokens" in message_of(response)


def test_every_official_client_document_is_within_the_limits() -> None:
    documents = sorted(require_official_ops().rglob("*.graphql"))
    assert documents
    for path in documents:
        assert document_cost_errors(parse(path.read_text())) == [], path.name


@pytest.mark.parametrize("query", [VIEWER, NESTED])
async def test_ordinary_queries_are_untouched(gql: PostGraphQL, query: str) -> None:
    assert (await gql(query)).status_code == 200


async def test_an_in_list_past_the_limit_is_refused_on_both_sides(
    gql: PostGraphQL, server_app: ServerApp
) -> None:
    add_run(server_app.store, f"{server_app.seed.entity}/p", "r")

    too_many = {"name": {"$in": [f"r{i}" for i in range(MAX_IN_VALUES + 1)]}}
    with pytest.raises(UsageError, match=f"at most {MAX_IN_VALUES} values"):
        validate_run_filters(too_many)
    query = """query($f: JSONString, $e: String) { project(name: "p", entityName: $e) {
        runs(filters: $f) { edges { node { name } } } } }"""
    variables = {"f": json.dumps(too_many), "e": server_app.seed.entity}
    answer = (await gql(query, variables)).json()
    assert f"$in takes at most {MAX_IN_VALUES} values, got {MAX_IN_VALUES + 1}" in str(answer)
    validate_run_filters({"name": {"$in": ["r"] * MAX_IN_VALUES}})
