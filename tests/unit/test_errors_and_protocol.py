"""The exception tree and the I/O-free request/response core."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from typing import Any

import httpx
import pydantic
import pytest

from wandbkit._core.config import Settings
from wandbkit._core.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    GraphQLError,
    InternalServerError,
    NotFoundError,
    NotLoadedError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    UnprocessableEntityError,
    UsageError,
    WandbkitError,
    redact,
)
from wandbkit._core.protocol import (
    USER_AGENT,
    auth_header_for,
    build_graphql_request,
    parse_graphql_response,
    status_error,
)
from wandbkit._version import __version__

SECRET = "0123456789abcdef0123456789abcdef01234567"
SETTINGS = Settings(api_key=SECRET)
URL = "https://api.wandb.ai/graphql"


def respond(
    status: int, body: Any = None, *, text: str | None = None, **headers: str
) -> httpx.Response:
    """A received response, attached to a request like the ones the transport sends."""
    request = httpx.Request("POST", URL)
    if text is not None:
        return httpx.Response(status, text=text, headers=headers, request=request)
    if body is None:
        return httpx.Response(status, headers=headers, request=request)
    return httpx.Response(status, json=body, headers=headers, request=request)


# --- the exception tree ------------------------------------------------------------------------


def test_usage_errors_are_value_errors_and_wandbkit_errors() -> None:
    assert issubclass(UsageError, ValueError)
    assert issubclass(UsageError, WandbkitError)
    assert issubclass(NotLoadedError, UsageError)


@pytest.mark.parametrize(
    ("child", "parent"),
    [
        (APIError, WandbkitError),
        (APIConnectionError, APIError),
        (APITimeoutError, APIConnectionError),
        (APIStatusError, APIError),
        (BadRequestError, APIStatusError),
        (AuthenticationError, APIStatusError),
        (PermissionDeniedError, APIStatusError),
        (NotFoundError, APIStatusError),
        (NotFoundError, LookupError),
        (ConflictError, APIStatusError),
        (UnprocessableEntityError, APIStatusError),
        (RateLimitError, APIStatusError),
        (InternalServerError, APIStatusError),
        (GraphQLError, APIError),
        (ResponseValidationError, APIError),
    ],
)
def test_exception_tree(child: type[Exception], parent: type[Exception]) -> None:
    assert issubclass(child, parent)


def test_every_exception_class_has_a_docstring() -> None:
    import wandbkit._core.errors as errors

    for name in errors.__all__:
        obj = getattr(errors, name)
        assert obj.__doc__, name


def test_api_error_str_names_the_operation_when_known() -> None:
    assert str(APIError("boom", operation_name="GetViewer")) == "GetViewer: boom"
    assert str(APIError("boom")) == "boom"


def test_authentication_error_can_be_raised_without_a_response() -> None:
    error = AuthenticationError("no API key")

    assert isinstance(error, APIStatusError)
    assert error.response is None
    assert error.status_code is None
    assert error.request is None


def test_not_found_error_can_be_raised_for_a_graphql_null() -> None:
    error = NotFoundError("project 'e/p' not found", operation_name="GetProject")

    assert isinstance(error, LookupError)
    assert error.response is None
    assert error.status_code is None
    assert str(error) == "GetProject: project 'e/p' not found"
    with pytest.raises(LookupError):
        raise error


def test_status_error_takes_the_request_from_the_response() -> None:
    response = respond(418)

    error = APIStatusError("teapot", response=response)

    assert error.status_code == 418
    assert error.request is response.request


def test_status_error_accepts_a_response_built_without_a_request() -> None:
    error = APIStatusError("teapot", response=httpx.Response(418))

    assert error.request is None
    assert error.status_code == 418


@pytest.mark.parametrize(
    ("errors", "message"),
    [
        ([{"message": "a"}], "a"),
        ([{"message": "a"}, {"message": "b"}, {"message": "c"}], "a (+2 more)"),
        ([{"path": ["x"]}], "GraphQL error without a message"),
        ([], "unknown GraphQL error"),
    ],
)
def test_graphql_error_message_is_the_first_error_and_a_count(
    errors: list[dict[str, Any]], message: str
) -> None:
    assert GraphQLError(errors).message == message


def test_graphql_error_str_shows_operation_and_path() -> None:
    error = GraphQLError(
        [{"message": "not allowed", "path": ["project", "runs", 0, "name"]}],
        operation_name="GetRuns",
    )

    assert error.path == ["project", "runs", 0, "name"]
    assert str(error) == "GetRuns: not allowed (at project.runs.0.name)"


class Viewer(pydantic.BaseModel):
    name: str
    age: int


class GetViewerResult(pydantic.BaseModel):
    viewer: Viewer


def validation_error(data: Any) -> pydantic.ValidationError:
    try:
        GetViewerResult.model_validate(data)
    except pydantic.ValidationError as exc:
        return exc
    raise AssertionError("data was valid")


def test_response_validation_error_names_operation_and_first_field_path() -> None:
    exc = validation_error({"viewer": {"age": "x"}})

    error = ResponseValidationError.from_pydantic(exc, "GetViewer")

    assert str(error) == "GetViewer: viewer.name: Field required (+1 more)"
    assert error.operation_name == "GetViewer"
    assert [e["loc"] for e in error.errors] == [("viewer", "name"), ("viewer", "age")]


def test_response_validation_error_never_keeps_input_values() -> None:
    exc = validation_error({"viewer": {"name": "n", "age": SECRET}})

    error = ResponseValidationError.from_pydantic(exc, "GetViewer")

    assert SECRET not in str(error)
    assert SECRET not in repr(error)
    assert SECRET not in repr(error.errors)
    assert all("input" not in e for e in error.errors)


@pytest.mark.parametrize(
    ("text", "secret", "expected"),
    [
        ("key=abc here", "abc", "key=*** here"),
        ("abc abc", "abc", "*** ***"),
        ("nothing", "abc", "nothing"),
        ("abc", None, "abc"),
        ("abc", "", "abc"),
    ],
)
def test_redact(text: str, secret: str | None, expected: str) -> None:
    assert redact(text, secret) == expected


# --- building requests -------------------------------------------------------------------------


def test_request_is_a_post_to_the_graphql_url_with_compact_json() -> None:
    request = build_graphql_request(
        Settings(api_key="k", base_url="http://localhost:8080/"),
        query="query GetViewer { viewer { name } }",
        variables={"a": 1},
        operation_name="GetViewer",
    )

    assert request.method == "POST"
    assert str(request.url) == "http://localhost:8080/graphql"
    assert request.content == (
        b'{"query":"query GetViewer { viewer { name } }","variables":{"a":1},'
        b'"operationName":"GetViewer"}'
    )


def test_request_headers_carry_basic_auth_user_agent_and_json_types() -> None:
    request = build_graphql_request(
        Settings(api_key="k"), query="{ viewer { name } }", variables=None, operation_name=None
    )

    assert request.headers["Authorization"] == "Basic YXBpOms="
    assert base64.b64decode("YXBpOms=") == b"api:k"
    assert request.headers["User-Agent"] == f"wandbkit/{__version__}" == USER_AGENT
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Accept"] == "application/json"


def test_operation_name_is_omitted_when_none_and_variables_default_to_empty() -> None:
    request = build_graphql_request(SETTINGS, query="{ a }", variables=None, operation_name=None)

    assert json.loads(request.content) == {"query": "{ a }", "variables": {}}


class ProjectInput(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(populate_by_name=True)

    entity_name: str = pydantic.Field(alias="entityName")
    created_at: datetime = pydantic.Field(alias="createdAt")


def test_variables_convert_pydantic_models_by_alias_and_datetimes() -> None:
    when = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)

    request = build_graphql_request(
        SETTINGS,
        query="{ a }",
        variables={"input": ProjectInput(entity_name="e", created_at=when), "at": when},
        operation_name="Op",
    )

    assert json.loads(request.content)["variables"] == {
        "input": {"entityName": "e", "createdAt": "2024-05-01T12:00:00Z"},
        "at": "2024-05-01T12:00:00Z",
    }


@pytest.mark.parametrize("bad", [object(), float("nan")])
def test_unserializable_variables_raise_usage_error_naming_the_operation(bad: object) -> None:
    with pytest.raises(UsageError, match="variables of Op must be JSON-serializable"):
        build_graphql_request(SETTINGS, query="{ a }", variables={"x": bad}, operation_name="Op")


def test_missing_key_raises_authentication_error_before_building_anything() -> None:
    with pytest.raises(AuthenticationError) as info:
        build_graphql_request(
            Settings(base_url="http://localhost:8080"),
            query="{ a }",
            variables=None,
            operation_name="GetViewer",
        )

    error = info.value
    assert error.response is None
    assert error.request is None
    assert str(error) == (
        "GetViewer: no API key: pass api_key=..., set WANDB_API_KEY, "
        "or add a ~/.netrc entry for localhost:8080"
    )


@pytest.mark.parametrize(
    ("url", "gets_key"),
    [
        ("https://api.wandb.ai/files/e/p/r/file.txt", True),
        ("https://api.wandb.ai:443/files/x", True),
        ("https://API.WANDB.AI/files/x", True),
        ("https://storage.googleapis.com/wandb/file?X-Goog-Signature=abc", False),
        ("https://api.wandb.ai.evil.example/files/x", False),
        ("https://api.wandb.ai:8443/files/x", False),
        ("http://api.wandb.ai/files/x", False),
        ("/files/x", False),
    ],
)
def test_auth_header_goes_only_to_the_base_urls_origin(url: str, gets_key: bool) -> None:
    header = auth_header_for(SETTINGS, url)

    if gets_key:
        expected = base64.b64encode(f"api:{SECRET}".encode()).decode()
        assert header == {"Authorization": f"Basic {expected}"}
    else:
        assert header == {}


def test_auth_header_respects_an_explicit_port_in_the_base_url() -> None:
    settings = Settings(api_key="k", base_url="http://localhost:8080")

    assert auth_header_for(settings, httpx.URL("http://localhost:8080/files/x"))
    assert auth_header_for(settings, "http://localhost/files/x") == {}
    assert auth_header_for(settings, "http://localhost:8081/files/x") == {}


def test_auth_header_is_empty_without_a_key() -> None:
    assert auth_header_for(Settings(), "https://api.wandb.ai/files/x") == {}


# --- parsing responses -------------------------------------------------------------------------


def test_successful_response_returns_data() -> None:
    response = respond(200, {"data": {"viewer": {"name": "n"}}})

    assert parse_graphql_response(response, operation_name="Op", api_key=SECRET) == {
        "viewer": {"name": "n"}
    }


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (503, InternalServerError),
        (418, APIStatusError),
        (302, APIStatusError),
    ],
)
def test_non_2xx_statuses_map_to_error_classes(status: int, cls: type[APIStatusError]) -> None:
    response = respond(status, {"errors": [{"message": "nope"}]})

    with pytest.raises(APIStatusError) as info:
        parse_graphql_response(response, operation_name="Op", api_key=SECRET)

    assert type(info.value) is cls
    assert info.value.status_code == status
    assert info.value.response is response
    assert info.value.request is response.request
    assert info.value.operation_name == "Op"
    assert info.value.body == {"errors": [{"message": "nope"}]}


def test_status_error_message_comes_from_the_first_graphql_error() -> None:
    response = respond(403, {"errors": [{"message": "permission denied"}, {"message": "x"}]})

    with pytest.raises(PermissionDeniedError) as info:
        parse_graphql_response(response, operation_name="Op", api_key=SECRET)

    assert str(info.value) == "Op: HTTP 403 Forbidden: permission denied"


def test_status_error_message_falls_back_to_a_text_snippet() -> None:
    response = respond(502, text="<html>\n  <body>Bad   gateway</body></html>" + "x" * 500)

    with pytest.raises(InternalServerError) as info:
        parse_graphql_response(response, operation_name=None, api_key=SECRET)

    message = info.value.message
    assert message.startswith("HTTP 502 Bad Gateway: <html> <body>Bad gateway</body></html>xxx")
    assert message.endswith("...")
    assert len(message) < 300
    assert info.value.body is None


def test_redirect_is_reported_not_followed() -> None:
    response = respond(301, Location="https://api.wandb.ai/graphql")

    with pytest.raises(APIStatusError, match="not followed; check base_url"):
        parse_graphql_response(response, operation_name=None, api_key=SECRET)


def test_rate_limit_error_carries_retry_after() -> None:
    response = respond(429, text="slow down", **{"Retry-After": "7"})

    with pytest.raises(RateLimitError) as info:
        parse_graphql_response(response, operation_name=None, api_key=SECRET)

    assert info.value.retry_after == 7.0


def test_rate_limit_error_without_header_has_no_retry_after() -> None:
    with pytest.raises(RateLimitError) as info:
        parse_graphql_response(respond(429), operation_name=None, api_key=SECRET)

    assert info.value.retry_after is None


def test_graphql_errors_raise_with_path_and_partial_data() -> None:
    body = {
        "data": {"project": None, "viewer": {"name": "n"}},
        "errors": [
            {"message": "project not found", "path": ["project"]},
            {"message": "second"},
        ],
    }

    with pytest.raises(GraphQLError) as info:
        parse_graphql_response(respond(200, body), operation_name="GetProject", api_key=SECRET)

    error = info.value
    assert error.message == "project not found (+1 more)"
    assert error.path == ["project"]
    assert error.data == {"project": None, "viewer": {"name": "n"}}
    assert error.errors == body["errors"]
    assert error.operation_name == "GetProject"


def test_graphql_errors_without_data_have_none_data() -> None:
    with pytest.raises(GraphQLError) as info:
        parse_graphql_response(
            respond(200, {"errors": [{"message": "syntax"}]}), operation_name=None, api_key=None
        )

    assert info.value.data is None
    assert info.value.path is None


@pytest.mark.parametrize(
    ("response", "fragment"),
    [
        (respond(200, text="<html>maintenance</html>"), "non-JSON"),
        (respond(200, text=""), "non-JSON"),
        (respond(200, [1, 2]), "a JSON list, not an object"),
        (respond(200, {"data": None}), "without a 'data' object"),
        (respond(200, {"something": "else"}), "without a 'data' object"),
    ],
)
def test_malformed_success_bodies_raise_api_error(response: httpx.Response, fragment: str) -> None:
    with pytest.raises(APIError, match=fragment) as info:
        parse_graphql_response(response, operation_name="Op", api_key=SECRET)

    assert type(info.value) is APIError
    assert info.value.request is response.request


def test_key_is_redacted_when_the_server_echoes_it() -> None:
    token = base64.b64encode(f"api:{SECRET}".encode()).decode()
    echoed = f"invalid key {SECRET} (header Basic {token})"

    with pytest.raises(AuthenticationError) as status_info:
        parse_graphql_response(
            respond(401, {"errors": [{"message": echoed}]}), operation_name=None, api_key=SECRET
        )
    with pytest.raises(GraphQLError) as graphql_info:
        parse_graphql_response(
            respond(200, {"errors": [{"message": echoed, "extensions": {"key": SECRET}}]}),
            operation_name=None,
            api_key=SECRET,
        )
    with pytest.raises(APIError) as text_info:
        parse_graphql_response(respond(200, text=echoed), operation_name=None, api_key=SECRET)

    for error in (status_info.value, graphql_info.value, text_info.value):
        for rendered in (str(error), repr(error), repr(vars(error).get("body"))):
            assert SECRET not in rendered
            assert token not in rendered
        assert "***" in str(error)
    assert SECRET not in repr(graphql_info.value.errors)


def test_status_error_factory_builds_rate_limit_error_with_retry_after() -> None:
    response = respond(429, **{"Retry-After": "3"})

    error = status_error(response, message="slow", operation_name="Op", request=None)

    assert isinstance(error, RateLimitError)
    assert error.retry_after == 3.0
    assert error.request is response.request
    assert str(error) == "Op: slow"


def test_an_integrity_error_is_a_value_error_as_wandbs_verify_raises() -> None:
    from wandbkit.errors import IntegrityError as PublicIntegrityError

    assert issubclass(PublicIntegrityError, ValueError)
    assert issubclass(PublicIntegrityError, APIError)
