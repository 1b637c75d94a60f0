# Generated from src/wandbkit/_async/transport.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""The thin HTTP sender: sends what ``wandbkit._core.protocol`` builds, retrying as told.

All decisions live in the I/O-free core (``protocol`` builds requests and maps responses,
``retry`` decides whether and when to re-send); this module only does the sending and the
waiting. ``wandbkit._async.transport`` is the source; ``wandbkit._sync.transport`` is its
generated blocking twin.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from types import TracebackType
from typing import Any

import httpx

from wandbkit._core.config import DEFAULT_CONNECT_TIMEOUT, Settings
from wandbkit._core.errors import APIConnectionError, APITimeoutError, UsageError, redact
from wandbkit._core.flavor_sync import monotonic, sync_sleep
from wandbkit._core.protocol import build_graphql_request, parse_graphql_response
from wandbkit._core.retry import ErrorKind, next_delay

__all__ = ["DEFAULT_LIMITS", "Transport"]

#: Connection pool limits of the client the transport creates: keep-alive so that paginated
#: and repeated queries reuse one TLS connection.
DEFAULT_LIMITS = httpx.Limits(
    max_connections=100, max_keepalive_connections=20, keepalive_expiry=30
)


def _error_kind(exc: httpx.TransportError) -> ErrorKind:
    # "connect" means the request certainly never reached the server, which is what makes a
    # mutation safe to re-send. A pool timeout qualifies too: no connection was ever used.
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
        return "connect"
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    return "read"


def _connection_error(
    exc: httpx.TransportError,
    *,
    request: httpx.Request,
    operation_name: str | None,
    attempts: int,
    api_key: str | None,
) -> APIConnectionError:
    tries = "1 attempt" if attempts == 1 else f"{attempts} attempts"
    detail = redact(str(exc), api_key) or "no details"
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            f"request timed out ({type(exc).__name__}: {detail}) after {tries}",
            request=request,
            operation_name=operation_name,
        )
    return APIConnectionError(
        f"connection error ({type(exc).__name__}: {detail}) after {tries}",
        request=request,
        operation_name=operation_name,
    )


class Transport:
    """Sends GraphQL requests over one pooled httpx client, with retries.

    Args:
        settings: where to send, with which key, timeout and retry policy.
        http_client: an httpx client to send with; the caller keeps ownership (it is not
            closed by this transport). Its own ``base_url`` is ignored and never decides where
            the key goes.
        transport: an httpx transport for the client this transport creates (e.g. a
            ``MockTransport`` in tests); not combinable with ``http_client``.

    Attributes:
        settings: the settings in use.

    Raises:
        UsageError: both ``http_client`` and ``transport`` were given.
    """

    settings: Settings

    def __init__(
        self,
        settings: Settings,
        *,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if http_client is not None and transport is not None:
            raise UsageError("pass http_client or transport, not both")
        self.settings = settings
        self._client = http_client
        self._owns_client = http_client is None
        self._transport = transport
        self._closed = False
        # The sync twin may be shared across threads; without the lock two first requests
        # could each create (and one leak) a connection pool.
        self._client_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.settings.base_url!r})"

    @property
    def http_client(self) -> httpx.Client:
        """The httpx client in use, created on first use unless one was given."""
        with self._client_lock:
            if self._client is None:
                timeout = self.settings.timeout
                self._client = httpx.Client(
                    timeout=httpx.Timeout(timeout, connect=min(DEFAULT_CONNECT_TIMEOUT, timeout)),
                    limits=DEFAULT_LIMITS,
                    # A redirect would re-send the Authorization header to wherever it points.
                    follow_redirects=False,
                    transport=self._transport,
                )
            return self._client

    def graphql(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        *,
        operation_name: str | None = None,
        is_mutation: bool = False,
    ) -> dict[str, Any]:
        """Send one GraphQL operation and return its ``data``.

        Failed attempts are re-sent as ``settings.retry`` allows; a mutation only when the
        server certainly did not process it (connect failure, 429, 503).

        Args:
            query: the GraphQL document.
            variables: the operation's variables (JSON-able, or pydantic models).
            operation_name: the operation to run; also named in errors.
            is_mutation: whether the operation has side effects (restricts retries).

        Returns:
            The response's ``data`` object.

        Raises:
            AuthenticationError: no API key is configured (raised before any I/O), or HTTP 401.
            UsageError: the transport is closed, or the variables are not JSON-serializable.
            APITimeoutError: the last attempt timed out.
            APIConnectionError: the last attempt got no response.
            APIStatusError: the last attempt got a non-2xx status (subclass by status).
            GraphQLError: the server answered with GraphQL errors.
            APIError: the server answered with something that is not a GraphQL response.
        """
        if self._closed:
            raise UsageError(f"{type(self).__name__} is closed; create a new one")
        request = build_graphql_request(
            self.settings, query=query, variables=variables, operation_name=operation_name
        )
        policy = self.settings.retry
        api_key = self.settings.api_key
        client = self.http_client
        started = monotonic()
        attempt = 0
        while True:
            try:
                response = client.send(request)
            except httpx.TransportError as exc:
                delay = next_delay(
                    policy,
                    attempt=attempt,
                    elapsed=monotonic() - started,
                    is_mutation=is_mutation,
                    error_kind=_error_kind(exc),
                )
                if delay is None:
                    raise _connection_error(
                        exc,
                        request=request,
                        operation_name=operation_name,
                        attempts=attempt + 1,
                        api_key=api_key,
                    ) from exc
            else:
                if response.is_success:
                    return parse_graphql_response(
                        response, operation_name=operation_name, api_key=api_key
                    )
                delay = next_delay(
                    policy,
                    attempt=attempt,
                    elapsed=monotonic() - started,
                    is_mutation=is_mutation,
                    status_code=response.status_code,
                    retry_after=response.headers.get("Retry-After"),
                )
                if delay is None:
                    # Always raises for a non-2xx status, with the matching error class.
                    return parse_graphql_response(
                        response, operation_name=operation_name, api_key=api_key
                    )
            sync_sleep(delay)
            attempt += 1

    def close(self) -> None:
        """Close the connection pool if this transport created it; idempotent."""
        self._closed = True
        if self._client is not None and self._owns_client:
            self._client.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
