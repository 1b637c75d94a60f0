"""Property-based fuzz of run filters and orders (Hypothesis): whatever a caller sends, user
text is bound as SQL parameters (never spliced into SQL), and the server answers with runs or a
client error, never a 5xx."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wandbkit._lang.filters import FIELD_OPS
from wandbkit._lang.run_fields import DOCUMENT_PREFIXES, FIELD_KINDS
from wandbkit.server.run_filters import FilterError, compile_run_filters, compile_run_order
from wandbkit.server.testing import add_run

from ..conftest import PostGraphQL, ServerApp

#: In every piece of user text; it appears in no SQL the compiler writes itself.
MARK = "\N{SECTION SIGN}"

hostile_text = st.text(
    alphabet=st.sampled_from([*"ab'\"\\;-%_.()$ \n\x00é", MARK]), max_size=12
).map(lambda text: text + MARK)
fields = st.one_of(
    st.sampled_from(list(FIELD_KINDS)),
    st.builds(
        lambda prefix, key: f"{prefix}.{key}", st.sampled_from(DOCUMENT_PREFIXES), hostile_text
    ),
    hostile_text,
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    hostile_text,
    st.sampled_from(["2024-01-01T00:00:00Z", "2024-01-01", "finished"]),
)
operands = st.one_of(scalars, st.lists(scalars, max_size=4))
conditions = st.one_of(
    scalars,
    st.dictionaries(st.sampled_from([*FIELD_OPS, "$not", "$bogus"]), operands, max_size=2),
)
filters = st.recursive(
    st.dictionaries(fields, conditions, max_size=3),
    lambda inner: st.one_of(
        st.dictionaries(
            st.sampled_from(["$and", "$or", "$nor"]), st.lists(inner, max_size=3), max_size=1
        ),
        st.dictionaries(fields, st.dictionaries(st.just("$not"), inner, max_size=1), max_size=1),
    ),
    max_leaves=8,
)
orders = st.one_of(
    st.none(),
    st.builds(lambda sign, field: sign + field, st.sampled_from(["", "+", "-"]), fields),
)


@settings(max_examples=300, deadline=None)
@given(filters)
def test_user_text_in_a_filter_never_reaches_the_sql_text(value: dict[str, Any]) -> None:
    try:
        fragment = compile_run_filters(value)
    except FilterError as exc:
        assert str(exc)  # a refusal always says why
        return
    assert MARK not in fragment.sql
    assert fragment.sql.count("?") == len(fragment.params)


RUNS = """
query Runs($project: String!, $entity: String!, $filters: JSONString, $order: String) {
  project(name: $project, entityName: $entity) {
    runs(filters: $filters, order: $order, first: 5) { edges { node { name } } }
  }
}
"""


@pytest.fixture
def fuzz_project(server_app: ServerApp) -> dict[str, str]:
    path = f"{server_app.seed.entity}/fuzz"
    add_run(server_app.store, path, "r1", config={"a": 1, f"k{MARK}": "x"}, summary={"b": 2.5})
    add_run(server_app.store, path, "r2", config={"a": "text"}, summary={"b": None})
    return {"project": "fuzz", "entity": server_app.seed.entity}


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(value=filters, order=orders)
async def test_the_runs_query_answers_any_filter_and_order_without_a_server_error(
    gql: PostGraphQL,
    fuzz_project: dict[str, str],
    caplog: pytest.LogCaptureFixture,
    value: dict[str, Any],
    order: str | None,
) -> None:
    caplog.clear()
    variables = {**fuzz_project, "filters": json.dumps(value), "order": order}
    with caplog.at_level(logging.DEBUG, logger="wandbkit.server"):
        response: httpx.Response = await gql(RUNS, variables)
    assert response.status_code == 200, response.text
    body = response.json()
    # The server logs a bug (an error the client did not cause) at ERROR with a traceback.
    bugs = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    assert bugs == []
    for error in body.get("errors", []):
        assert error["message"], error
    if "errors" not in body:
        assert isinstance(body["data"]["project"]["runs"]["edges"], list)


@settings(max_examples=300, deadline=None)
@given(orders)
def test_an_order_compiles_or_is_refused_with_a_reason(order: str | None) -> None:
    try:
        terms = compile_run_order(order)
    except FilterError as exc:
        assert str(exc)
        return
    assert terms
