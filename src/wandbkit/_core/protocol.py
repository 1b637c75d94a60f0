"""The I/O-free GraphQL-over-HTTP core: build requests, map responses to data or errors.

The async and sync senders share this module; they only send what it builds and hand back
what they receive. Building an ``httpx.Request`` and reading a received ``httpx.Response``
touch no network.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

import httpx
from pydantic_core import PydanticSerializationError, from_json, to_jsonable_python

from wandbkit._core.config import Settings
from wandbkit._core.errors import (
    APIError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    GraphQLError,
    GraphQLPermissionDeniedError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
    UsageError,
    is_permission_denied,
    redact,
    request_of,
)
from wandbkit._core.retry import (
    MUTATION_OUTCOME_UNKNOWN,
    mutation_may_have_applied,
    parse_retry_after,
)
from wandbkit._version import USER_AGENT

__all__ = [
    "USER_AGENT",
    "auth_header_for",
    "build_graphql_request",
    "missing_api_key_error",
    "parse_graphql_response",
    "status_error",
]


#: Longest piece of a non-JSON body quoted in an error message.
_SNIPPET_LIMIT = 200

_DEFAULT_PORTS = {"http": 80, "https": 443}

_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
}


def _basic_token(api_key: str) -> str:
    # W&B's scheme: HTTP Basic with the fixed user name "api" and the key as the password.
    return base64.b64encode(f"api:{api_key}".encode()).decode("ascii")


def _scrub(text: str, api_key: str | None) -> str:
    # A server or proxy may echo the key itself or the Authorization header it arrived in.
    if not api_key:
        return text
    return redact(redact(text, api_key), _basic_token(api_key))


def _scrub_json(value: Any, api_key: str | None) -> Any:
    if not api_key:
        return value
    if isinstance(value, str):
        return _scrub(value, api_key)
    if isinstance(value, list):
        return [_scrub_json(item, api_key) for item in value]
    if isinstance(value, dict):
        return {key: _scrub_json(item, api_key) for key, item in value.items()}
    return value


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) > _SNIPPET_LIMIT:
        return flat[:_SNIPPET_LIMIT] + "..."
    return flat


def _json_body(response: httpx.Response) -> object | None:
    if not response.content:
        return None
    try:
        # pydantic-core's parser (already a dependency) reads JSON about twice as fast as the
        # json module, which matters for pages of runs and history.
        body: object = from_json(response.content, allow_inf_nan=True)
    except ValueError:
        return None
    return body


def missing_api_key_error(
    settings: Settings, *, operation_name: str | None = None
) -> AuthenticationError:
    """The error for "no API key configured", raised before any request is sent.

    Args:
        settings: the settings that lack a key (their host goes into the advice).
        operation_name: the operation that needed the key, when known.

    Returns:
        An :class:`AuthenticationError` without a response.
    """
    return AuthenticationError(
        f"no API key: pass api_key=..., set WANDB_API_KEY, "
        f"or add a ~/.netrc entry for {settings.host}",
        operation_name=operation_name,
    )


def build_graphql_request(
    settings: Settings,
    *,
    query: str,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
) -> httpx.Request:
    """Build the HTTP request for one GraphQL operation.

    Args:
        settings: where to send it and with which key.
        query: the GraphQL document.
        variables: the operation's variables; pydantic models, datetimes, enums and the like
            are converted with ``pydantic_core.to_jsonable_python`` (by alias).
        operation_name: the operation to run; omitted from the body when ``None``.

    Returns:
        A ``POST {base_url}/graphql`` request with a compact JSON body and the auth headers.

    Raises:
        AuthenticationError: ``settings.api_key`` is ``None`` (no response attached).
        UsageError: the variables cannot be serialized to JSON (including NaN/infinity).
    """
    if settings.api_key is None:
        raise missing_api_key_error(settings, operation_name=operation_name)
    payload: dict[str, Any] = {"query": query, "variables": dict(variables or {})}
    if operation_name is not None:
        payload["operationName"] = operation_name
    try:
        content = json.dumps(
            to_jsonable_python(payload, by_alias=True),
            separators=(",", ":"),
            ensure_ascii=False,
            allow_nan=False,
        ).encode("utf-8")
    except (PydanticSerializationError, ValueError, TypeError) as exc:
        label = f" of {operation_name}" if operation_name else ""
        raise UsageError(f"variables{label} must be JSON-serializable: {exc}") from None
    headers = {
        "Authorization": f"Basic {_basic_token(settings.api_key)}",
        "User-Agent": USER_AGENT,
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    return httpx.Request("POST", settings.graphql_url, headers=headers, content=content)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    scheme = url.scheme.lower()
    return scheme, url.host.lower(), url.port or _DEFAULT_PORTS.get(scheme)


def auth_header_for(settings: Settings, url: str | httpx.URL) -> dict[str, str]:
    """The ``Authorization`` header to send to ``url``, if it may receive the key.

    Only the base URL's own origin (scheme, host and port) gets the key: signed file URLs on
    storage hosts must never see it, and neither must a plain-HTTP or other-port twin.

    Args:
        settings: the base URL and key.
        url: the absolute URL about to be requested (a relative one never gets the key).

    Returns:
        ``{"Authorization": "Basic ..."}`` for the base URL's origin, else ``{}`` (also when
        there is no key).
    """
    if settings.api_key is None:
        return {}
    target = httpx.URL(url)
    if not target.host or _origin(target) != _origin(httpx.URL(settings.base_url)):
        return {}
    return {"Authorization": f"Basic {_basic_token(settings.api_key)}"}


def status_error(
    response: httpx.Response,
    *,
    message: str,
    operation_name: str | None = None,
    request: httpx.Request | None = None,
    api_key: str | None = None,
) -> APIStatusError:
    """Build the :class:`APIStatusError` subclass matching a non-2xx response's status.

    Args:
        response: the (already read) non-2xx response.
        message: the error message (already redacted).
        operation_name: the GraphQL operation involved, when known.
        request: the request; defaults to ``response.request``.
        api_key: the key to redact from the parsed body kept on the error.

    Returns:
        ``BadRequestError`` (400), ``AuthenticationError`` (401), ``PermissionDeniedError``
        (403), ``NotFoundError`` (404), ``ConflictError`` (409), ``UnprocessableEntityError``
        (422), ``RateLimitError`` (429, with ``retry_after``), ``InternalServerError`` (5xx),
        else a plain ``APIStatusError``.
    """
    code = response.status_code
    body = _scrub_json(_json_body(response), api_key)
    if request is None:
        request = request_of(response)
    if code == 429:
        return RateLimitError(
            message,
            response=response,
            body=body,
            request=request,
            operation_name=operation_name,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    if code >= 500:
        cls: type[APIStatusError] = InternalServerError
    else:
        cls = _STATUS_CLASSES.get(code, APIStatusError)
    return cls(
        message, response=response, body=body, request=request, operation_name=operation_name
    )


def _status_detail(response: httpx.Response) -> str:
    body = _json_body(response)
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0].get("message")
            if isinstance(first, str) and first:
                return first
        for key in ("message", "error"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
    if response.is_redirect:
        # follow_redirects is off on purpose (auth must not follow); say so, it is usually
        # an http:// base_url that the server upgrades.
        location = response.headers.get("Location", "")
        return f"redirect to {location!r} not followed; check base_url"
    return _snippet(response.text)


def _normalize_errors(errors: object) -> list[dict[str, Any]]:
    items = errors if isinstance(errors, list) else [errors]
    return [item if isinstance(item, dict) else {"message": str(item)} for item in items]


def parse_graphql_response(
    response: httpx.Response,
    *,
    operation_name: str | None,
    api_key: str | None,
    is_mutation: bool = False,
) -> dict[str, Any]:
    """Turn a received response into the operation's ``data``, or raise the matching error.

    Args:
        response: the (already read) HTTP response.
        operation_name: the GraphQL operation, for error messages.
        api_key: the key in use, redacted from every message and kept error body.
        is_mutation: the operation has side effects; a status after which it may have been
            applied anyway (500, 502, 504) says so in the message.

    Returns:
        The response's ``data`` object.

    Raises:
        APIStatusError: the status is not 2xx (the subclass matches the status).
        GraphQLError: the body has ``errors`` (partial ``data`` is kept on the error).
        APIError: a 2xx body that is not a JSON object, or has no ``data`` object.
    """
    request = request_of(response)
    if not response.is_success:
        reason = f" {response.reason_phrase}" if response.reason_phrase else ""
        detail = _scrub(_status_detail(response), api_key)
        message = f"HTTP {response.status_code}{reason}"
        if detail:
            message += f": {detail}"
        if is_mutation and mutation_may_have_applied(status_code=response.status_code):
            message += MUTATION_OUTCOME_UNKNOWN
        raise status_error(
            response,
            message=message,
            operation_name=operation_name,
            request=request,
            api_key=api_key,
        )

    body = _json_body(response)
    if not isinstance(body, dict):
        content_type = response.headers.get("Content-Type", "no content type")
        kind = "non-JSON" if body is None else f"a JSON {type(body).__name__}, not an object"
        snippet = _scrub(_snippet(response.text), api_key)
        raise APIError(
            f"server returned {kind} (HTTP {response.status_code}, {content_type}): "
            f"{snippet or '<empty body>'}",
            request=request,
            operation_name=operation_name,
        )

    data = body.get("data")
    errors = body.get("errors")
    if errors:
        scrubbed = _scrub_json(_normalize_errors(errors), api_key)
        if is_permission_denied(scrubbed):
            raise GraphQLPermissionDeniedError(
                scrubbed,
                response=response,
                data=data if isinstance(data, dict) else None,
                operation_name=operation_name,
            )
        raise GraphQLError(
            scrubbed,
            data=data if isinstance(data, dict) else None,
            request=request,
            operation_name=operation_name,
        )
    if not isinstance(data, dict):
        raise APIError(
            "server returned a GraphQL response without a 'data' object",
            request=request,
            operation_name=operation_name,
        )
    return data
