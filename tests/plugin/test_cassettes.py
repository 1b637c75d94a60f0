"""wandbkit.cassettes: what a recorded interaction keeps, and what it never does."""

from __future__ import annotations

import pytest
from vcr.request import Request

from wandbkit.cassettes import graphql_matcher, normalize_signed_urls, vcr_config

TOKEN = "12.1795335722.p69N7WW5QyIeXiJXqcY0EknmZb-7uNOjMp5nb9WaTKM"


def test_signed_urls_keep_their_row_id_and_lose_expiry_and_signature() -> None:
    text = (
        f'{{"directUrl":"http://127.0.0.1:4000/signed/files/{TOKEN}","u":"/signed/upload/{TOKEN}"}}'
    )
    assert normalize_signed_urls(text) == (
        '{"directUrl":"http://127.0.0.1:4000/signed/files/12.0.SIGNATURE",'
        '"u":"/signed/upload/12.0.SIGNATURE"}'
    )


def test_other_urls_are_left_alone() -> None:
    text = "http://127.0.0.1:4000/files/demo/p/r/12.1795335722.txt"
    assert normalize_signed_urls(text) == text


def test_recorded_responses_lose_volatile_headers_secrets_and_signatures() -> None:
    scrub = vcr_config(secrets=["s3cr3t"])["before_record_response"]
    response = {
        "status": {"code": 200, "message": "OK"},
        "headers": {
            "Date": ["Sun, 22 Nov 2026 06:54:30 GMT"],
            "Set-Cookie": ["session=1"],
            "Location": [f"http://h/signed/files/{TOKEN}"],
            "content-type": ["application/json"],
        },
        "body": {"string": f'{{"key":"s3cr3t","url":"/signed/files/{TOKEN}"}}'.encode()},
    }
    cleaned = scrub(response)
    assert cleaned["headers"] == {
        "Location": ["http://h/signed/files/12.0.SIGNATURE"],
        "content-type": ["application/json"],
    }
    assert cleaned["body"]["string"] == b'{"key":"<REDACTED>","url":"/signed/files/12.0.SIGNATURE"}'


def test_binary_bodies_are_kept_byte_for_byte() -> None:
    scrub = vcr_config()["before_record_response"]
    png = b"\x89PNG\r\n\x1a\n\xff\xfe/signed/files/1.2.x"
    assert scrub({"headers": {}, "body": {"string": png}})["body"]["string"] == png


def test_recorded_requests_match_on_normalized_signed_urls() -> None:
    prepare = vcr_config(secrets=["s3cr3t"])["before_record_request"]
    download = prepare(Request("GET", f"http://127.0.0.1:5/signed/files/{TOKEN}", None, {}))
    assert download.path == "/signed/files/12.0.SIGNATURE"
    graphql = prepare(Request("POST", "http://h/graphql", '{"variables":{"k":"s3cr3t"}}', {}))
    assert graphql.body == b'{"variables":{"k":"<REDACTED>"}}'
    assert prepare(Request("GET", "http://h/healthz", None, {})) is None


def _graphql_request(variables: str) -> Request:
    body = '{"query": "query GetRuns { x }", "operationName": "GetRuns", "variables": ' + variables
    return Request("POST", "http://h/graphql", (body + "}").encode(), {})


def test_json_string_variables_match_by_meaning_not_by_separators() -> None:
    compact = _graphql_request('{"filters": "{\\"name\\":{\\"$in\\":[\\"a\\"]}}"}')
    spaced = _graphql_request('{"filters": "{\\"name\\": {\\"$in\\": [\\"a\\"]}}"}')
    graphql_matcher(compact, spaced)


def test_lists_of_json_string_variables_match_by_meaning_too() -> None:
    compact = _graphql_request('{"specs": ["{\\"keys\\":[\\"_step\\"],\\"samples\\":5}"]}')
    spaced = _graphql_request('{"specs": ["{\\"keys\\": [\\"_step\\"], \\"samples\\": 5}"]}')
    graphql_matcher(compact, spaced)
    other = _graphql_request('{"specs": ["{\\"keys\\": [\\"_step\\"], \\"samples\\": 6}"]}')
    with pytest.raises(AssertionError, match="GraphQL operation differs"):
        graphql_matcher(compact, other)


def test_json_string_variables_with_other_contents_do_not_match() -> None:
    first = _graphql_request('{"filters": "{\\"name\\": \\"a\\"}"}')
    second = _graphql_request('{"filters": "{\\"name\\": \\"b\\"}"}')
    with pytest.raises(AssertionError, match="GraphQL operation differs"):
        graphql_matcher(first, second)
