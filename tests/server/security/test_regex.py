"""``$regex`` runs on RE2: linear-time matching, so no pattern can stall the server."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from wandbkit.server.run_filters import (
    MAX_REGEX_LENGTH,
    FilterError,
    compile_run_filters,
    register_sql_functions,
)
from wandbkit.server.testing import add_run

from ..conftest import Data, PostGraphQL, ServerApp

#: Catastrophic backtracking for a backtracking engine: 2**n steps on n letters and a miss.
NESTED_QUANTIFIERS = "^(a+)+$"
HOSTILE_NAME = "a" * 5000 + "!"


def finishes(work: threading.Thread, seconds: float = 60) -> bool:
    """A liveness guard, not a speed target: a backtracking engine never returns here."""
    work.start()
    work.join(seconds)
    return not work.is_alive()


def test_a_nested_quantifier_pattern_against_a_long_text_returns() -> None:
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    register_sql_functions(conn)
    result: list[object] = []
    query = threading.Thread(
        target=lambda: result.append(
            conn.execute("SELECT REGEXP(?, ?)", (NESTED_QUANTIFIERS, HOSTILE_NAME)).fetchone()
        ),
        daemon=True,
    )
    assert finishes(query)
    assert result == [(0,)]


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"(a)\1", "invalid escape sequence"),  # a backreference: Python's re takes it
        ("(?=a)", "invalid perl operator"),  # lookahead
        ("(?<!a)b", "invalid perl operator"),  # lookbehind
    ],
)
def test_patterns_re2_refuses_are_filter_errors_naming_re2(pattern: str, reason: str) -> None:
    with pytest.raises(FilterError, match="RE2") as caught:
        compile_run_filters({"name": {"$regex": pattern}})
    assert reason in str(caught.value) and repr(pattern) in str(caught.value)


def test_a_pattern_past_the_length_limit_is_refused() -> None:
    with pytest.raises(FilterError, match=f"at most {MAX_REGEX_LENGTH} characters"):
        compile_run_filters({"name": {"$regex": "a" * (MAX_REGEX_LENGTH + 1)}})
    compile_run_filters({"name": {"$regex": "a" * MAX_REGEX_LENGTH}})


RUNS = """
query Runs($project: String!, $entity: String!, $filters: JSONString) {
  project(name: $project, entityName: $entity) {
    runs(filters: $filters) { edges { node { name } } }
  }
}
"""


async def test_the_runs_query_answers_a_hostile_regex_and_finds_the_runs(
    server_app: ServerApp, gql: PostGraphQL, data: Data
) -> None:
    path = f"{server_app.seed.entity}/hostile"
    add_run(server_app.store, path, "a" * 27 + "b")
    add_run(server_app.store, path, "a" * 40)
    variables = {"project": "hostile", "entity": server_app.seed.entity}
    answer = data(await gql(RUNS, {**variables, "filters": '{"name": {"$regex": "^(a+)+$"}}'}))
    assert [e["node"]["name"] for e in answer["project"]["runs"]["edges"]] == ["a" * 40]
