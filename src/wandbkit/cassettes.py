"""Recording and replaying W&B traffic with vcrpy / pytest-recording.

Every GraphQL request is ``POST /graphql``, so vcrpy's default matching (method and URL) cannot
tell two operations apart. :func:`graphql_matcher` compares the operation name and the
variables instead; :func:`vcr_config` also keeps credentials out of cassettes.

Example (``conftest.py``)::

    import pytest
    from wandbkit.cassettes import register_matchers, vcr_config as wandb_vcr_config

    def pytest_recording_configure(config, vcr):
        register_matchers(vcr)

    @pytest.fixture(scope="module")
    def _skip_health_checks(request: Any) -> Any:
    # The local server's readiness probe is test plumbing, not client traffic.
    return None if str(request.path).endswith("/healthz") else request


def vcr_config():
        return wandb_vcr_config()
"""

from __future__ import annotations

import json
from typing import Any

GRAPHQL_MATCHER = "graphql"
_SCRUBBED_HEADERS = ("authorization", "cookie", "set-cookie", "x-wandb-api-key")


def _graphql_identity(body: bytes | str | None) -> tuple[object, str] | None:
    if body is None:
        return None
    try:
        payload = json.loads(body)
    except (ValueError, TypeError):
        return None
    if not isinstance(payload, dict) or "query" not in payload:
        return None
    operation = payload.get("operationName") or None
    variables = json.dumps(payload.get("variables") or {}, sort_keys=True)
    return operation, variables


def graphql_matcher(r1: Any, r2: Any) -> None:
    """vcrpy matcher: same GraphQL operation name and variables (other bodies: same bytes).

    Raises:
        AssertionError: the requests differ (vcrpy's matcher protocol).
    """
    first, second = _graphql_identity(r1.body), _graphql_identity(r2.body)
    if first is None or second is None:
        assert r1.body == r2.body, "request bodies differ"
        return
    assert first == second, f"GraphQL operation differs: {first} != {second}"


def register_matchers(vcr: Any) -> None:
    """Register :func:`graphql_matcher` on a ``vcr.VCR`` as ``"graphql"``."""
    vcr.register_matcher(GRAPHQL_MATCHER, graphql_matcher)


def _scrub_response(secrets: list[str]) -> Any:
    def scrub(response: dict[str, Any]) -> dict[str, Any]:
        headers = response.get("headers", {})
        for name in list(headers):
            if name.lower() in _SCRUBBED_HEADERS:
                del headers[name]
        body = response.get("body", {})
        content = body.get("string")
        for secret in secrets:
            if isinstance(content, bytes):
                content = content.replace(secret.encode(), b"<REDACTED>")
            elif isinstance(content, str):
                content = content.replace(secret, "<REDACTED>")
        if content is not None:
            body["string"] = content
        return response

    return scrub


def _skip_health_checks(request: Any) -> Any:
    # The local server's readiness probe is test plumbing, not client traffic.
    return None if str(request.path).endswith("/healthz") else request


def vcr_config(*, secrets: list[str] | None = None) -> dict[str, Any]:
    """A pytest-recording ``vcr_config`` for W&B traffic.

    Args:
        secrets: extra strings (API keys) to replace by ``<REDACTED>`` in recorded bodies.

    Returns:
        Settings matching on method, path and GraphQL operation + variables, with the
        Authorization header and cookies never written to a cassette.
    """
    return {
        "match_on": ["method", "path", GRAPHQL_MATCHER],
        "filter_headers": list(_SCRUBBED_HEADERS),
        "before_record_request": _skip_health_checks,
        "before_record_response": _scrub_response(list(secrets or [])),
        "decode_compressed_response": True,
    }
