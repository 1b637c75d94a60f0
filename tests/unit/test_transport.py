"""The senders: AsyncTransport and its generated sync twin Transport, over httpx.MockTransport.

Every behavioural test runs against both flavors through ``send``. Sleeps are replaced by a fake
clock that only advances, so no test waits or depends on timing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
import pytest

import wandbkit._async.transport as async_transport_module
import wandbkit._sync.transport as sync_transport_module
from wandbkit._async.transport import AsyncTransport
from wandbkit._core.config import DEFAULT_CONNECT_TIMEOUT, Settings
from wandbkit._core.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    GraphQLError,
    InternalServerError,
    RateLimitError,
    UsageError,
)
from wandbkit._core.retry import RetryPolicy
from wandbkit._sync.transport import Transport

SECRET = "0123456789abcdef0123456789abcdef01234567"
QUERY = "query GetViewer { viewer { name } }"
DATA = {"viewer": {"name": "n"}}

Flavor = Literal["async", "sync"]
# A step of a scripted server: an HTTP status (with optional headers), or a transport exception.
Step = int | tuple[int, dict[str, str]] | type[httpx.TransportError]


@dataclass
class Server:
    """A scripted server: answers each request with the next step, repeating the last one."""

    steps: list[Step]
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps[min(len(self.requests), len(self.steps)) - 1]
        if isinstance(step, type):
            raise step("scripted failure", request=request)
        status, headers = step if isinstance(step, tuple) else (step, {})
        body = {"data": DATA} if status == 200 else {"errors": [{"message": f"status {status}"}]}
        return httpx.Response(status, json=body, headers=headers)

    async def handle_async(self, request: httpx.Request) -> httpx.Response:
        return self(request)

    @property
    def calls(self) -> int:
        return len(self.requests)


@dataclass
class Clock:
    """Stands in for both the monotonic clock and the sleep function of both flavors."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(async_transport_module, "async_sleep", fake.async_sleep)
    monkeypatch.setattr(async_transport_module, "monotonic", fake.monotonic)
    monkeypatch.setattr(sync_transport_module, "sync_sleep", fake.sleep)
    monkeypatch.setattr(sync_transport_module, "monotonic", fake.monotonic)
    return fake


@pytest.fixture(params=["async", "sync"])
def flavor(request: pytest.FixtureRequest) -> Flavor:
    value: Flavor = request.param
    return value


def settings(**kwargs: Any) -> Settings:
    kwargs.setdefault("api_key", SECRET)
    kwargs.setdefault("max_retries", 3)
    return Settings(**kwargs)


async def send(
    flavor: Flavor,
    server: Server,
    config: Settings | None = None,
    *,
    is_mutation: bool = False,
    variables: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run one operation through the chosen flavor's transport against ``server``."""
    config = config or settings()
    if flavor == "async":
        async with AsyncTransport(config, transport=httpx.MockTransport(server.handle_async)) as t:
            return await t.graphql(
                QUERY, variables, operation_name="GetViewer", is_mutation=is_mutation
            )
    with Transport(config, transport=httpx.MockTransport(server)) as sync_t:
        return sync_t.graphql(QUERY, variables, operation_name="GetViewer", is_mutation=is_mutation)


async def test_success_returns_data_after_one_request(flavor: Flavor, clock: Clock) -> None:
    server = Server([200])

    assert await send(flavor, server, variables={"a": 1}) == DATA
    assert server.calls == 1
    assert clock.sleeps == []


async def test_request_carries_auth_and_the_json_body(flavor: Flavor, clock: Clock) -> None:
    server = Server([200])

    await send(flavor, server, settings(api_key="k"), variables={"a": 1})

    sent = server.requests[0]
    assert sent.method == "POST"
    assert str(sent.url) == "https://api.wandb.ai/graphql"
    assert sent.headers["Authorization"] == "Basic YXBpOms="
    assert json.loads(sent.content) == {
        "query": QUERY,
        "variables": {"a": 1},
        "operationName": "GetViewer",
    }


async def test_query_is_retried_on_503_until_it_succeeds(flavor: Flavor, clock: Clock) -> None:
    server = Server([503, 503, 200])

    assert await send(flavor, server) == DATA
    assert server.calls == 3
    assert len(clock.sleeps) == 2


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
async def test_query_is_retried_on_each_retryable_status(
    flavor: Flavor, clock: Clock, status: int
) -> None:
    server = Server([status, 200])

    assert await send(flavor, server) == DATA
    assert server.calls == 2


async def test_mutation_is_not_retried_on_500(flavor: Flavor, clock: Clock) -> None:
    server = Server([500, 200])

    with pytest.raises(InternalServerError) as info:
        await send(flavor, server, is_mutation=True)

    assert server.calls == 1
    assert clock.sleeps == []
    assert info.value.status_code == 500
    assert info.value.operation_name == "GetViewer"


@pytest.mark.parametrize("status", [429, 503])
async def test_mutation_is_retried_when_the_server_certainly_did_not_act(
    flavor: Flavor, clock: Clock, status: int
) -> None:
    server = Server([status, 200])

    assert await send(flavor, server, is_mutation=True) == DATA
    assert server.calls == 2


async def test_retry_after_header_sets_the_wait(flavor: Flavor, clock: Clock) -> None:
    server = Server([(429, {"Retry-After": "2"}), 200])

    await send(flavor, server)

    assert clock.sleeps == [2.0]


async def test_gives_up_after_max_retries_with_the_status_error(
    flavor: Flavor, clock: Clock
) -> None:
    server = Server([(429, {"Retry-After": "1"})])

    with pytest.raises(RateLimitError) as info:
        await send(flavor, server, settings(max_retries=2))

    assert server.calls == 3
    assert clock.sleeps == [1.0, 1.0]
    assert info.value.retry_after == 1.0
    assert info.value.request is not None


async def test_no_retries_when_max_retries_is_zero(flavor: Flavor, clock: Clock) -> None:
    server = Server([503, 200])

    with pytest.raises(InternalServerError):
        await send(flavor, server, settings(max_retries=0))

    assert server.calls == 1


async def test_gives_up_when_the_total_time_budget_would_be_exceeded(
    flavor: Flavor, clock: Clock
) -> None:
    # Waits 0.5s, then would wait 1.0s: 1.5s > 1.2s, so the third attempt never starts.
    config = settings(max_retries=5, retry=RetryPolicy(jitter=0.0, max_total=1.2))
    server = Server([502])

    with pytest.raises(InternalServerError):
        await send(flavor, server, config)

    assert server.calls == 2
    assert clock.sleeps == [0.5]


async def test_connect_error_becomes_api_connection_error_after_retries(
    flavor: Flavor, clock: Clock
) -> None:
    server = Server([httpx.ConnectError])

    with pytest.raises(APIConnectionError) as info:
        await send(flavor, server)

    error = info.value
    assert type(error) is APIConnectionError
    assert server.calls == 4
    assert isinstance(error.__cause__, httpx.ConnectError)
    assert error.request is not None
    assert error.operation_name == "GetViewer"
    assert "ConnectError" in str(error)
    assert "after 4 attempts" in str(error)


async def test_mutation_is_retried_after_a_connect_error(flavor: Flavor, clock: Clock) -> None:
    server = Server([httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, 200])

    assert await send(flavor, server, is_mutation=True) == DATA
    assert server.calls == 4


@pytest.mark.parametrize("exc", [httpx.ReadTimeout, httpx.WriteTimeout, httpx.ConnectTimeout])
async def test_timeouts_become_api_timeout_error(
    flavor: Flavor, clock: Clock, exc: type[httpx.TransportError]
) -> None:
    server = Server([exc])

    with pytest.raises(APITimeoutError) as info:
        await send(flavor, server, settings(max_retries=1))

    assert server.calls == 2
    assert isinstance(info.value, APIConnectionError)
    assert isinstance(info.value.__cause__, exc)


@pytest.mark.parametrize(
    ("exc", "expected"),
    [(httpx.ReadTimeout, APITimeoutError), (httpx.ReadError, APIConnectionError)],
)
async def test_mutation_is_not_retried_when_the_server_may_have_acted(
    flavor: Flavor,
    clock: Clock,
    exc: type[httpx.TransportError],
    expected: type[APIConnectionError],
) -> None:
    server = Server([exc, 200])

    with pytest.raises(expected):
        await send(flavor, server, is_mutation=True)

    assert server.calls == 1


async def test_query_is_retried_after_a_read_error(flavor: Flavor, clock: Clock) -> None:
    server = Server([httpx.ReadError, httpx.RemoteProtocolError, 200])

    assert await send(flavor, server) == DATA
    assert server.calls == 3


@dataclass
class Errors200(Server):
    """A server that always answers 200 with GraphQL errors."""

    steps: list[Step] = field(default_factory=lambda: [200])

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json={"errors": [{"message": "bad field"}]})


async def test_graphql_errors_are_raised_after_a_single_request(
    flavor: Flavor, clock: Clock
) -> None:
    server = Errors200()

    with pytest.raises(GraphQLError, match="bad field"):
        await send(flavor, server)

    assert server.calls == 1


async def test_missing_key_fails_before_the_handler_is_called(flavor: Flavor, clock: Clock) -> None:
    server = Server([200])

    with pytest.raises(AuthenticationError, match="no API key") as info:
        await send(flavor, server, Settings(api_key=None))

    assert server.calls == 0
    assert info.value.response is None


async def test_async_transport_creates_its_client_lazily_with_safe_defaults() -> None:
    transport = AsyncTransport(settings(timeout=5.0))

    assert transport._client is None
    client = transport.http_client
    assert client is transport.http_client
    assert client.follow_redirects is False
    assert client.timeout == httpx.Timeout(5.0, connect=min(DEFAULT_CONNECT_TIMEOUT, 5.0))
    await transport.aclose()
    assert client.is_closed


def test_sync_transport_creates_its_client_lazily_with_safe_defaults() -> None:
    transport = Transport(settings(timeout=60.0))

    client = transport.http_client
    assert isinstance(client, httpx.Client)
    assert client.follow_redirects is False
    assert client.timeout == httpx.Timeout(60.0, connect=DEFAULT_CONNECT_TIMEOUT)
    transport.close()
    assert client.is_closed


async def test_async_transport_never_closes_a_client_it_was_given(clock: Clock) -> None:
    server = Server([200])
    client = httpx.AsyncClient(transport=httpx.MockTransport(server.handle_async))

    async with AsyncTransport(settings(), http_client=client) as transport:
        assert await transport.graphql(QUERY) == DATA
        assert transport.http_client is client

    assert not client.is_closed
    await client.aclose()


def test_sync_transport_never_closes_a_client_it_was_given(clock: Clock) -> None:
    server = Server([200])
    client = httpx.Client(transport=httpx.MockTransport(server))

    with Transport(settings(), http_client=client) as transport:
        assert transport.graphql(QUERY) == DATA

    assert not client.is_closed
    client.close()


async def test_closed_transport_refuses_to_send(flavor: Flavor, clock: Clock) -> None:
    server = Server([200])
    if flavor == "async":
        async_t = AsyncTransport(settings(), transport=httpx.MockTransport(server.handle_async))
        await async_t.aclose()
        await async_t.aclose()
        with pytest.raises(UsageError, match="AsyncTransport is closed"):
            await async_t.graphql(QUERY)
    else:
        sync_t = Transport(settings(), transport=httpx.MockTransport(server))
        sync_t.close()
        sync_t.close()
        with pytest.raises(UsageError, match="Transport is closed"):
            sync_t.graphql(QUERY)
    assert server.calls == 0


def test_http_client_and_transport_are_mutually_exclusive() -> None:
    with pytest.raises(UsageError, match="not both"):
        Transport(settings(), http_client=httpx.Client(), transport=httpx.MockTransport(Server([])))


@pytest.mark.parametrize(
    ("cls", "name"), [(AsyncTransport, "AsyncTransport"), (Transport, "Transport")]
)
def test_repr_shows_the_base_url_but_never_the_key(cls: type[Any], name: str) -> None:
    transport = cls(settings(base_url="http://localhost:8080"))

    assert repr(transport) == f"{name}(base_url='http://localhost:8080')"
    assert SECRET not in repr(transport)
    assert SECRET not in repr(vars(transport))


def test_the_sync_twin_is_blocking() -> None:
    import inspect

    assert not inspect.iscoroutinefunction(Transport.graphql)
    assert inspect.iscoroutinefunction(AsyncTransport.graphql)
