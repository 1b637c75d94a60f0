"""Recording and replaying W&B traffic with vcrpy / pytest-recording.

Every GraphQL request is ``POST /graphql``, so vcrpy's default matching (method and URL) cannot
tell two operations apart. :func:`graphql_matcher` compares the operation name and the
variables instead; :func:`vcr_config` also keeps credentials out of cassettes and makes the
local server's signed file URLs (``/signed/files/<token>``) stable, so that re-recording gives
the same cassette.

With the wandbkit pytest plugin (installed with wandbkit) there is nothing to register: the
plugin registers the matcher through pytest-recording's ``pytest_recording_configure`` hook, and
its ``wandb_vcr_config`` fixture is this module's :func:`vcr_config`. A ``conftest.py`` needs::

    import pytest

    @pytest.fixture
    def vcr_config(wandb_vcr_config):
        return wandb_vcr_config

Without the plugin (``-p no:wandbkit``), do both by hand::

    import pytest
    from wandbkit.cassettes import register_matchers, vcr_config as wandb_vcr_config

    def pytest_recording_configure(config, vcr):
        register_matchers(vcr)

    @pytest.fixture
    def vcr_config():
        return wandb_vcr_config()
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any

GRAPHQL_MATCHER = "graphql"
_SCRUBBED_HEADERS = ("authorization", "cookie", "set-cookie", "x-wandb-api-key", "host")
# A local server listens on a new port at every recording; the port means nothing on replay.
_LOOPBACK_PORT = re.compile(r"^(https?://(?:127\.0\.0\.1|localhost|\[::1\])):\d+")
# Response headers that differ on every recording and mean nothing on replay.
_VOLATILE_RESPONSE_HEADERS = ("date",)
REDACTED = "<REDACTED>"

#: A signed file URL of the local server: ``/signed/files/<key>.<expiry>.<mac>`` (downloads)
#: or ``/signed/upload/<key>.<expiry>.<mac>``. The key (a row id) is stable for a
#: deterministic seed; the expiry follows the clock and the MAC a per-database secret.
SIGNED_URL_TOKEN = re.compile(r"(/signed/(?:files|upload)/)(\d+)\.(\d+)\.([A-Za-z0-9_-]+)")
#: What the expiry and the MAC of a signed URL become in a cassette.
NORMALIZED_SIGNATURE = "0.SIGNATURE"


def normalize_signed_urls(text: str) -> str:
    """Replace the volatile parts (expiry, MAC) of every local-server signed URL in ``text``.

    The row id stays, so two files still get two different URLs.

    Example:
        >>> normalize_signed_urls("http://127.0.0.1:5/signed/files/7.1767225600.q1-w_E")
        'http://127.0.0.1:5/signed/files/7.0.SIGNATURE'
    """
    return SIGNED_URL_TOKEN.sub(rf"\g<1>\g<2>.{NORMALIZED_SIGNATURE}", text)


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
    raw = payload.get("variables") or {}
    values = {k: _json_text_value(v) for k, v in raw.items()} if isinstance(raw, dict) else raw
    variables = json.dumps(values, sort_keys=True)
    return operation, variables


def _json_text_value(value: object) -> object:
    """A ``JSONString`` variable (JSON object or list as text) compared by meaning, not spelling.

    Clients differ in separators (``json.dumps`` defaults vs compact), so ``'{"a": 1}'`` and
    ``'{"a":1}'`` must match, also inside a list (``[JSONString!]`` such as history ``specs``);
    other strings and values are compared as they are.
    """
    if isinstance(value, list):
        return [_json_text_value(item) for item in value]
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return {"$json": json.loads(value)}
        except ValueError:
            return value
    return value


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


#: A service account's key as ``Member.apiKey`` returns it to a team admin: never recorded.
_API_KEY_FIELD = re.compile(r'("apiKey"\s*:\s*)"[^"]*"')


def _clean_text(content: Any, secrets: Sequence[str]) -> Any:
    """Secrets redacted and signed URLs normalized, in ``str`` or UTF-8 ``bytes`` content."""
    if isinstance(content, bytes):
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            # Binary file contents: only the secrets, byte for byte.
            for secret in secrets:
                content = content.replace(secret.encode(), REDACTED.encode())
            return content
        return _clean_text(text, secrets).encode("utf-8")
    if isinstance(content, str):
        for secret in secrets:
            content = content.replace(secret, REDACTED)
        content = _API_KEY_FIELD.sub(rf'\1"{REDACTED}"', content)
        return normalize_signed_urls(content)
    return content


def _scrub_response(secrets: list[str]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def scrub(response: dict[str, Any]) -> dict[str, Any]:
        headers = response.get("headers", {})
        for name in list(headers):
            lowered = name.lower()
            if lowered in _SCRUBBED_HEADERS or lowered in _VOLATILE_RESPONSE_HEADERS:
                del headers[name]
            elif lowered == "location":
                headers[name] = [_clean_text(value, secrets) for value in headers[name]]
        body = response.get("body", {})
        content = body.get("string")
        if content is not None:
            body["string"] = _clean_text(content, secrets)
        return response

    return scrub


def _prepare_request(secrets: list[str]) -> Callable[[Any], Any]:
    def prepare(request: Any) -> Any:
        # The local server's readiness probe is test plumbing, not client traffic.
        if str(request.path).endswith("/healthz"):
            return None
        # vcrpy runs this on recorded requests and on live ones before matching, so a
        # normalized URL in a cassette matches the same URL with a fresh signature.
        request.uri = _LOOPBACK_PORT.sub(r"\1", normalize_signed_urls(request.uri))
        if request.body is not None:
            request.body = _clean_text(request.body, secrets)
        return request

    return prepare


def vcr_config(*, secrets: list[str] | None = None) -> dict[str, Any]:
    """A pytest-recording ``vcr_config`` for W&B traffic.

    Args:
        secrets: extra strings (API keys) to replace by ``<REDACTED>`` in recorded request and
            response bodies.

    Returns:
        Settings matching on method, path and GraphQL operation + variables; the
        Authorization header, cookies and the ``Date`` response header never written to a
        cassette; signed file URLs normalized (see :func:`normalize_signed_urls`); requests
        to ``/healthz`` not recorded.

    Example:
        >>> config = vcr_config(secrets=["my-api-key"])
        >>> config["match_on"]
        ['method', 'path', 'graphql']
    """
    secret_list = [s for s in (secrets or []) if s]
    return {
        "match_on": ["method", "path", GRAPHQL_MATCHER],
        "filter_headers": list(_SCRUBBED_HEADERS),
        "before_record_request": _prepare_request(secret_list),
        "before_record_response": _scrub_response(secret_list),
        "decode_compressed_response": True,
    }
