"""Run console output: the store's lines, ``Run.logLines`` pages and tails, ``logLineCount``."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from wandbkit.server.store import StoreError, UnknownRowError
from wandbkit.server.testing import add_run

from ..conftest import Data, PostGraphQL, ServerApp
from ..runs_support import PATH, RUN, error_of, variables

LINES: list[str | dict[str, Any]] = [
    "starting",
    {"line": "epoch 1", "timestamp": "2025-01-01T10:00:00Z"},
    {"line": "disk almost full", "level": "error", "label": "rank0"},
    {"line": "epoch 2", "timestamp": datetime(2025, 1, 1, 10, 5, tzinfo=timezone.utc)},
    "done",
]

LOG = """
logLineCount
logLines(first: $first, after: $after, last: $last, useImprovedPagination: true) {
  edges { node { number timestamp level label line } }
  pageInfo { endCursor hasNextPage }
}
"""

DOCUMENT = (
    "query ($entity: String!, $project: String!, $name: String!, $first: Int, $after: String,"
    " $last: Int) { project(name: $project, entityName: $entity) { run(name: $name) {"
    + LOG
    + "} } }"
)


@pytest.fixture
def logged(server_app: ServerApp) -> None:
    add_run(server_app.store, PATH, "logged", logs=LINES)
    add_run(server_app.store, PATH, "quiet")


async def log_page(gql: PostGraphQL, data: Data, name: str = "logged", **args: Any) -> Any:
    return data(await gql(DOCUMENT, variables(name=name, **args)))["project"]["run"]


async def test_lines_come_back_numbered_from_zero_with_level_timestamp_and_label(
    gql: PostGraphQL, data: Data, logged: None
) -> None:
    run = await log_page(gql, data, first=10)
    assert run["logLineCount"] == 5
    nodes = [edge["node"] for edge in run["logLines"]["edges"]]
    assert nodes == [
        {"number": 0, "timestamp": None, "level": None, "label": None, "line": "starting"},
        {
            "number": 1,
            "timestamp": "2025-01-01T10:00:00.000000Z",
            "level": None,
            "label": None,
            "line": "epoch 1",
        },
        {
            "number": 2,
            "timestamp": None,
            "level": "error",
            "label": "rank0",
            "line": "disk almost full",
        },
        {
            "number": 3,
            "timestamp": "2025-01-01T10:05:00.000000Z",
            "level": None,
            "label": None,
            "line": "epoch 2",
        },
        {"number": 4, "timestamp": None, "level": None, "label": None, "line": "done"},
    ]
    assert run["logLines"]["pageInfo"]["hasNextPage"] is False


async def test_pages_follow_the_end_cursor_without_gaps(
    gql: PostGraphQL, data: Data, logged: None
) -> None:
    numbers, cursor = [], None
    while True:
        page = (await log_page(gql, data, first=2, after=cursor))["logLines"]
        numbers.append([edge["node"]["number"] for edge in page["edges"]])
        if not page["pageInfo"]["hasNextPage"]:
            break
        cursor = page["pageInfo"]["endCursor"]
    assert numbers == [[0, 1], [2, 3], [4]]


@pytest.mark.parametrize(
    ("last", "expected"), [(2, [3, 4]), (5, [0, 1, 2, 3, 4]), (9, [0, 1, 2, 3, 4]), (0, [])]
)
async def test_a_tail_gives_the_last_lines_oldest_first(
    gql: PostGraphQL, data: Data, logged: None, last: int, expected: list[int]
) -> None:
    page = (await log_page(gql, data, last=last))["logLines"]
    assert [edge["node"]["number"] for edge in page["edges"]] == expected
    assert page["pageInfo"]["hasNextPage"] is False


async def test_a_run_without_output_has_no_lines(
    gql: PostGraphQL, data: Data, logged: None
) -> None:
    run = await log_page(gql, data, name="quiet", first=10)
    assert run["logLineCount"] == 0 and run["logLines"]["edges"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"last": 2, "first": 2}, "pass last alone"),
        ({"last": -1}, "last must be zero or more"),
        ({"first": 2, "after": "bm9wZQ=="}, "cursor"),
    ],
)
async def test_bad_paging_arguments_are_client_errors(
    gql: PostGraphQL, logged: None, args: dict[str, Any], message: str
) -> None:
    error = error_of(await gql(DOCUMENT, variables(name="logged", **args)))
    assert message in error["message"]


async def test_backward_paging_is_refused(gql: PostGraphQL, logged: None) -> None:
    query = RUN % 'logLines(before: "x", first: 1) { edges { node { line } } }'
    error = error_of(await gql(query, variables(name="logged")))
    assert "backward pagination" in error["message"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"text": "no line key"}, "mapping with a 'line' text"),
        ({"line": "x", "level": "warning"}, "level must be 'error'"),
        ({"line": "x", "timestamp": "yesterday"}, "not ISO-8601"),
        ({"line": "x", "timestamp": 5}, "must be ISO-8601 text"),
        ({"line": "x", "label": 3}, "label must be text"),
    ],
)
def test_the_store_refuses_malformed_lines_and_keeps_none_of_them(
    server_app: ServerApp, line: dict[str, Any], message: str
) -> None:
    store = server_app.store
    run = add_run(store, PATH, "strict")
    with pytest.raises(StoreError, match=message):
        store.console.append(run.pk, ["fine", line])
    assert store.console.count(run.pk) == 0


def test_lines_for_a_missing_run_are_refused(server_app: ServerApp) -> None:
    with pytest.raises(UnknownRowError):
        server_app.store.console.append(10_000, ["x"])


def test_later_lines_continue_the_numbering(server_app: ServerApp) -> None:
    store = server_app.store
    run = add_run(store, PATH, "twice", logs=["a", "b"])
    assert store.console.append(run.pk, ["c"]) == 1
    assert [(line.number, line.line) for line in store.console.lines(run.pk, limit=10)] == [
        (0, "a"),
        (1, "b"),
        (2, "c"),
    ]
