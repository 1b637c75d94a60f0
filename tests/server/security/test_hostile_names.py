"""Names that could be stored but never served or shown are refused when they arrive."""

from __future__ import annotations

import pytest

from ..conftest import PostGraphQL, ServerApp

CREATE_FILES = """
mutation($entity: String!, $project: String!, $run: String!, $files: [String!]!) {
  createRunFiles(input: {entityName: $entity, projectName: $project, runName: $run,
                         files: $files}) { files { name } }
}
"""
UPSERT = """
mutation($input: UpsertBucketInput!) { upsertBucket(input: $input) { bucket { name } } }
"""


@pytest.mark.parametrize(
    "name",
    [
        "line\nbreak.txt",
        "carriage\rreturn.txt",
        "tab\there.txt",
        "bell\x07.txt",
        "escape\x1b[31m.txt",
        "separator\u2028.txt",
        "paragraph\u2029.txt",
        "delete\x7f.txt",
    ],
)
async def test_a_file_name_with_a_control_character_is_refused_at_upload(
    gql: PostGraphQL, server_app: ServerApp, name: str
) -> None:
    entity = server_app.seed.entity
    created = await gql(UPSERT, {"input": {"entityName": entity, "modelName": "p", "name": "r"}})
    assert "errors" not in created.json()
    variables = {"entity": entity, "project": "p", "run": "r", "files": [name]}
    answer = (await gql(CREATE_FILES, variables)).json()
    (error,) = answer["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "must not contain control characters" in error["message"]


async def test_unicode_file_names_without_control_characters_are_accepted(
    gql: PostGraphQL, server_app: ServerApp
) -> None:
    entity = server_app.seed.entity
    await gql(UPSERT, {"input": {"entityName": entity, "modelName": "p", "name": "r"}})
    variables = {"entity": entity, "project": "p", "run": "r", "files": ["naïve ü/日本.txt"]}
    answer = (await gql(CREATE_FILES, variables)).json()
    assert answer["data"]["createRunFiles"]["files"] == [{"name": "naïve ü/日本.txt"}]


@pytest.mark.parametrize("name", ["run\n", "run\r\n", "\nrun"])
async def test_a_run_name_with_a_newline_is_refused(
    gql: PostGraphQL, server_app: ServerApp, name: str
) -> None:
    variables = {"input": {"entityName": server_app.seed.entity, "modelName": "p", "name": name}}
    (error,) = (await gql(UPSERT, variables)).json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
