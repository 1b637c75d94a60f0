"""The thin HTTP sender: sends what ``wandbkit._core.protocol`` builds, retrying as told.

All decisions live in the I/O-free core (``protocol`` builds requests and maps responses,
``retry`` decides whether and when to re-send); this module only does the sending and the
waiting. ``wandbkit._async.transport`` is the source; ``wandbkit._sync.transport`` is its
generated blocking twin.
"""

from __future__ import annotations

import os
import threading
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import httpx

from wandbkit._core.config import DEFAULT_CONNECT_TIMEOUT, Settings
from wandbkit._core.errors import (
    APIConnectionError,
    APITimeoutError,
    IntegrityError,
    UsageError,
    redact,
)
from wandbkit._core.flavor_async import MaybeAwaitable, async_sleep, monotonic
from wandbkit._core.protocol import (
    auth_header_for,
    build_graphql_request,
    parse_graphql_response,
    status_error,
)
from wandbkit._core.retry import (
    MUTATION_OUTCOME_UNKNOWN,
    ErrorKind,
    mutation_may_have_applied,
    next_delay,
)
from wandbkit._core.transfer import Tally, Transfer

__all__ = ["CHUNK_SIZE", "DEFAULT_LIMITS", "AsyncTransport"]

#: Bytes read or written at a time by file transfers: memory stays flat whatever the size.
CHUNK_SIZE = 1 << 20

#: Connection pool limits of the client the transport creates: keep-alive so that paginated
#: and repeated queries reuse one TLS connection.
DEFAULT_LIMITS = httpx.Limits(
    max_connections=100, max_keepalive_connections=20, keepalive_expiry=30
)


async def _counted_chunks(
    reader: IO[bytes], tally: Tally, limit: int | None = None
) -> AsyncIterator[bytes]:
    # An async iterator for the async client (the sync twin is a plain generator, as
    # httpx.Client wants); one chunk in memory at a time, at most ``limit`` bytes in all.
    left = limit
    while left is None or left > 0:
        chunk = reader.read(CHUNK_SIZE if left is None else min(CHUNK_SIZE, left))
        if not chunk:
            break
        if left is not None:
            left -= len(chunk)
        tally.add(chunk)
        yield chunk


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
    is_mutation: bool,
) -> APIConnectionError:
    tries = "1 attempt" if attempts == 1 else f"{attempts} attempts"
    detail = redact(str(exc), api_key) or "no details"
    if is_mutation and mutation_may_have_applied(error_kind=_error_kind(exc)):
        tries += MUTATION_OUTCOME_UNKNOWN
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


class AsyncTransport:
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
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
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
    def http_client(self) -> httpx.AsyncClient:
        """The httpx client in use, created on first use unless one was given."""
        with self._client_lock:
            if self._client is None:
                timeout = self.settings.timeout
                self._client = httpx.AsyncClient(
                    timeout=httpx.Timeout(timeout, connect=min(DEFAULT_CONNECT_TIMEOUT, timeout)),
                    limits=DEFAULT_LIMITS,
                    # A redirect would re-send the Authorization header to wherever it points.
                    follow_redirects=False,
                    transport=self._transport,
                )
            return self._client

    async def graphql(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        *,
        operation_name: str | None = None,
        is_mutation: bool = False,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Send one GraphQL operation and return its ``data``.

        Failed attempts are re-sent as ``settings.retry`` allows; a mutation only when the
        server certainly did not process it (connect failure, 429, 503).

        Args:
            query: the GraphQL document.
            variables: the operation's variables (JSON-able, or pydantic models).
            operation_name: the operation to run; also named in errors.
            is_mutation: whether the operation has side effects (restricts retries).
            headers: extra request headers (wandbkit's protocol extensions, such as
                :data:`~wandbkit._lang.summary_merge.SUMMARY_KEYS_HEADER`).

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
        self._check_open()
        request = build_graphql_request(
            self.settings, query=query, variables=variables, operation_name=operation_name
        )
        if headers:
            request.headers.update(headers)
        client = self.http_client
        response = await self._with_retries(
            lambda: client.send(request),
            request=request,
            operation_name=operation_name,
            is_mutation=is_mutation,
        )
        # Raises for a non-2xx status, with the matching error class.
        return parse_graphql_response(
            response,
            operation_name=operation_name,
            api_key=self.settings.api_key,
            is_mutation=is_mutation,
        )

    async def download(
        self, url: str, sink: IO[bytes], *, authenticate: bool, description: str
    ) -> Transfer:
        """GET ``url`` into ``sink``, streamed and retried like GraphQL queries.

        ``sink`` is rewound and truncated before every attempt, so it only ever holds one
        attempt's bytes.

        Args:
            url: what to fetch.
            sink: a seekable binary file to write to.
            authenticate: send the API key (still only if ``url`` is on the base URL's host);
                False for signed URLs, which carry their own authorization.
            description: what is downloaded, for error messages.

        Returns:
            Size and md5 of what was written.

        Raises:
            APIConnectionError: no response after the retries.
            APIStatusError: a non-2xx answer (subclass by status).
        """
        self._check_open()
        headers = auth_header_for(self.settings, url) if authenticate else {}
        client = self.http_client
        request = client.build_request("GET", url, headers=headers)
        tally = Tally()

        async def attempt() -> httpx.Response:
            sink.seek(0)
            sink.truncate()
            tally.reset()
            response = await client.send(request, stream=True)
            try:
                if response.is_success:
                    async for chunk in response.aiter_bytes():
                        tally.add(chunk)
                        sink.write(chunk)
                else:
                    await response.aread()
            finally:
                await response.aclose()
            return response

        await self._transfer(attempt, request=request, description=description)
        return tally.result()

    async def download_range(
        self,
        url: str,
        fd: int,
        offset: int,
        length: int,
        *,
        authenticate: bool,
        description: str,
    ) -> bool:
        """GET bytes ``offset`` to ``offset + length - 1`` of ``url`` into the file ``fd`` at
        the same offset (``os.pwrite``: several ranges of one file may move at once),
        streamed and retried like :meth:`download`.

        Returns:
            True when the range arrived whole; False when the server does not do ranges
            (it answered 200 with the whole file, which was not read): fetch it whole.

        Raises:
            APIConnectionError: no response after the retries.
            APIStatusError: a non-2xx answer.
            IntegrityError: the server sent another range or length than asked for.
        """
        self._check_open()
        headers = auth_header_for(self.settings, url) if authenticate else {}
        headers["Range"] = f"bytes={offset}-{offset + length - 1}"
        client = self.http_client
        request = client.build_request("GET", url, headers=headers)
        written = 0

        async def attempt() -> httpx.Response:
            nonlocal written
            written = 0
            response = await client.send(request, stream=True)
            try:
                if response.status_code == 206:
                    expected = f"bytes {offset}-{offset + length - 1}/"
                    if not response.headers.get("content-range", "").startswith(expected):
                        raise IntegrityError(
                            f"{description}: asked for {headers['Range']}, got "
                            f"{response.headers.get('content-range')!r}"
                        )
                    async for chunk in response.aiter_bytes():
                        if written + len(chunk) > length:
                            raise IntegrityError(f"{description}: the range is too long")
                        os.pwrite(fd, chunk, offset + written)
                        written += len(chunk)
                elif not response.is_success:
                    await response.aread()
            finally:
                await response.aclose()
            return response

        response = await self._transfer(attempt, request=request, description=description)
        return response.status_code == 206 and written == length

    async def upload(
        self, url: str, path: Path, *, headers: Mapping[str, str], description: str
    ) -> Transfer:
        """PUT the file at ``path`` to a pre-signed ``url``, streamed and retried.

        The API key is never sent: upload URLs carry their own authorization. Re-sending the
        same bytes to the same URL is harmless, so failed attempts retry like queries.

        Args:
            url: the signed upload URL.
            path: the local file.
            headers: extra headers the server asked for.
            description: what is uploaded, for error messages.

        Returns:
            Size and md5 of what was sent.
        """
        sent, _ = await self.upload_range(
            url, path, 0, path.stat().st_size, headers=headers, description=description
        )
        return sent

    async def upload_range(
        self,
        url: str,
        path: Path,
        offset: int,
        length: int,
        *,
        headers: Mapping[str, str],
        description: str,
    ) -> tuple[Transfer, str | None]:
        """PUT ``length`` bytes of ``path`` from ``offset`` (one part of a multipart upload, or
        the whole file), streamed and retried as :meth:`upload`.

        Returns:
            Size and md5 of what was sent, and the answer's ``ETag`` header (``None`` if absent).
        """
        self._check_open()
        client = self.http_client
        request = client.build_request("PUT", url)  # names the request in errors
        tally = Tally()

        async def attempt() -> httpx.Response:
            tally.reset()
            with path.open("rb") as body:
                body.seek(offset)
                return await client.put(
                    url,
                    content=_counted_chunks(body, tally, length),
                    headers={**headers, "Content-Length": str(length)},
                )

        response = await self._transfer(attempt, request=request, description=description)
        return tally.result(), response.headers.get("etag")

    async def _transfer(
        self,
        attempt: Callable[[], MaybeAwaitable[httpx.Response]],
        *,
        request: httpx.Request,
        description: str,
    ) -> httpx.Response:
        """Run a file transfer's ``attempt`` with retries; raise if the last answer is not 2xx
        (returns the 2xx answer).

        Transfers are idempotent (the same bytes to or from the same URL), so they retry like
        queries; the caller's tally holds what the successful attempt moved.
        """
        response = await self._with_retries(
            attempt, request=request, operation_name=description, is_mutation=False
        )
        if not response.is_success:
            raise status_error(
                response, message=f"{description} failed", api_key=self.settings.api_key
            )
        return response

    def _check_open(self) -> None:
        if self._closed:
            raise UsageError(f"{type(self).__name__} is closed; create a new one")

    async def _with_retries(
        self,
        attempt: Callable[[], MaybeAwaitable[httpx.Response]],
        *,
        request: httpx.Request,
        operation_name: str | None,
        is_mutation: bool,
    ) -> httpx.Response:
        """Run ``attempt`` until it gets a 2xx answer or ``settings.retry`` says stop.

        Returns the last response (2xx, or the non-2xx one not worth retrying); raises the
        connection error when the last attempt got no response at all.
        """
        policy = self.settings.retry
        started = monotonic()
        attempt_number = 0
        while True:
            try:
                response = await attempt()
            except httpx.TransportError as exc:
                delay = next_delay(
                    policy,
                    attempt=attempt_number,
                    elapsed=monotonic() - started,
                    is_mutation=is_mutation,
                    error_kind=_error_kind(exc),
                )
                if delay is None:
                    raise _connection_error(
                        exc,
                        request=request,
                        operation_name=operation_name,
                        attempts=attempt_number + 1,
                        api_key=self.settings.api_key,
                        is_mutation=is_mutation,
                    ) from exc
            else:
                if response.is_success:
                    return response
                delay = next_delay(
                    policy,
                    attempt=attempt_number,
                    elapsed=monotonic() - started,
                    is_mutation=is_mutation,
                    status_code=response.status_code,
                    retry_after=response.headers.get("Retry-After"),
                )
                if delay is None:
                    return response
            await async_sleep(delay)
            attempt_number += 1

    async def aclose(self) -> None:
        """Close the connection pool if this transport created it; idempotent."""
        self._closed = True
        if self._client is not None and self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> AsyncTransport:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
