"""Schemathesis drives every root field of the GraphQL schema with generated documents and
arguments: the server answers none of them with a 5xx, and logs no server bug."""

from __future__ import annotations

import json
import logging

import graphql
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wandbkit.server.testing import basic_auth_header, make_seeded_app

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
# JSONString: JSON text, sometimes not JSON at all (the server must refuse it with a 4xx/200).
schemathesis.graphql.scalar(
    "JSONString",
    (json_values.map(json.dumps) | st.text(max_size=12)).map(
        lambda text: graphql.StringValueNode(value=text)
    ),
)

# Int64: sizes, steps and TTLs (the SDK's upload parts carry them), in and out of range.
schemathesis.graphql.scalar(
    "Int64",
    st.integers(min_value=-(2**63), max_value=2**63 - 1).map(
        lambda n: graphql.IntValueNode(value=str(n))
    ),
)

APP, SEED = make_seeded_app()
AUTH = basic_auth_header(SEED.api_key)
SCHEMA = schemathesis.graphql.from_asgi("/graphql", APP, headers=AUTH)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


def test_the_fuzzer_sees_the_whole_schema() -> None:
    assert len(OPERATIONS) > 40


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_no_generated_request_gets_a_server_error(
    operation: schemathesis.APIOperation, caplog: pytest.LogCaptureFixture
) -> None:
    @settings(
        max_examples=4,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(operation.as_strategy())
    def fuzz(case: schemathesis.Case) -> None:
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="wandbkit.server"):
            response = case.call(headers=AUTH)
        assert response.status_code < 500, response.text
        assert [r.getMessage() for r in caplog.records] == [], case.body

    fuzz()
