"""What the end-to-end tests share: transports that record what the client sends (one per
flavour), an ``AsyncApi`` that sends through one to the in-process server, the ``Flavor``
that lets one behaviour test run on ``AsyncApi`` and on ``Api``, and ``seeded_once`` for a
server that a module's read-only tests share."""

from __future__ import annotations

import inspect
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal

import wandbkit
from wandbkit.server.testing import make_seeded_app

BASE_URL = "http://wandbkit.test"


class _Recorder:
    """The requests a transport passed on, in order; and a switch that corrupts the bodies of
    signed downloads (their first byte), to show what a client does with a damaged file."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.corrupt_downloads = False

    def _corrupted(self, request: httpx.Request, body: bytes) -> bytes:
        """``body`` with its first byte replaced when ``request`` is a download to corrupt."""
        if self.corrupt_downloads and "/signed/files/" in request.url.path:
            return b"X" + body[1:]
        return body

    @property
    def operations(self) -> list[str | None]:
        """The GraphQL operation name of every ``/graphql`` request, in order."""
        return [
            json.loads(r.content or b"{}").get("operationName")
            for r in self.requests
            if r.url.path.endswith("/graphql")
        ]

    def clear(self) -> None:
        """Forget what was recorded so far."""
        self.requests.clear()


class RecordingTransport(_Recorder, httpx.AsyncBaseTransport):
    """Passes requests on and records them; can corrupt signed download bodies on demand."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        super().__init__()
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response = await self.inner.handle_async_request(request)
        if self.corrupt_downloads and "/signed/files/" in request.url.path:
            body = self._corrupted(request, await response.aread())
            return httpx.Response(response.status_code, headers=response.headers, content=body)
        return response


@asynccontextmanager
async def recording_api(
    app: Any, api_key: str | None
) -> AsyncIterator[tuple[wandbkit.AsyncApi, RecordingTransport]]:
    """An ``AsyncApi`` on the in-process ``app`` whose requests ``RecordingTransport`` keeps."""
    transport = RecordingTransport(httpx.ASGITransport(app=app))
    async with wandbkit.AsyncApi(api_key=api_key, base_url=BASE_URL, transport=transport) as api:
        yield api, transport


class SyncRecordingTransport(_Recorder, httpx.BaseTransport):
    """The sync client's way into the in-process ASGI app: records each request, then runs it
    through ``httpx.ASGITransport`` on an event loop in a thread of its own (the app is async,
    the sync ``Api`` blocks)."""

    def __init__(self, app: Any, portal: BlockingPortal) -> None:
        super().__init__()
        self._inner = httpx.ASGITransport(app=app)
        self._portal = portal

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        forwarded = httpx.Request(
            request.method, request.url, headers=request.headers, content=request.read()
        )

        async def send() -> tuple[int, httpx.Headers, bytes]:
            response = await self._inner.handle_async_request(forwarded)
            raw = b"".join([chunk async for chunk in response.aiter_raw()])
            return response.status_code, response.headers, raw

        status, headers, raw = self._portal.call(send)
        return httpx.Response(status, headers=headers, content=self._corrupted(request, raw))


@dataclass
class Flavor:
    """One flavour of the client (``AsyncApi`` or ``Api``) on the in-process server.

    A behaviour test written once reads the server through ``await flavor(...)``: a call or
    attribute read that needs the server gives an awaitable in the async flavour and the value
    in the sync one; ``flavor(...)`` awaits the first and passes the second through.
    """

    name: str
    api: Any
    transport: _Recorder
    seed: Any

    @property
    def is_async(self) -> bool:
        """Whether this is ``AsyncApi``."""
        return self.name == "async"

    async def __call__(self, value: Any) -> Any:
        """``value`` awaited when the flavour handed out an awaitable."""
        return await value if inspect.isawaitable(value) else value

    async def list(self, paginator: Any) -> list[Any]:
        """Every item of a paginator, iterated as the flavour iterates (``async for``/``for``)."""
        if self.is_async:
            return [item async for item in paginator]
        return list(paginator)

    async def iterate(self, iterable: Any) -> AsyncIterator[Any]:
        """The items of ``iterable`` one by one, as the flavour iterates; closing this (say by
        ``contextlib.aclosing`` after a ``break``) closes the flavour's iterator at once."""
        if self.is_async:
            async_items = aiter(iterable)
            try:
                async for item in async_items:
                    yield item
            finally:
                await _close(async_items)
            return
        items = iter(iterable)
        try:
            for item in items:
                yield item
        finally:
            await _close(items)

    @asynccontextmanager
    async def connect(self, **options: Any) -> AsyncIterator[Any]:
        """Another client of this flavour on the same server and recording transport, built
        with ``options`` (``api_key`` defaults to the seed's; pass ``api_key=None`` for none)."""
        options.setdefault("api_key", self.seed.api_key)
        if self.is_async:
            async with wandbkit.AsyncApi(
                base_url=BASE_URL, transport=self.transport, **options
            ) as api:
                yield api
            return
        with wandbkit.Api(base_url=BASE_URL, transport=self.transport, **options) as sync_api:
            yield sync_api


async def _close(iterator: Iterable[Any] | AsyncIterator[Any]) -> None:
    """Close a generator-like iterator (sync or async) if it can be closed."""
    aclose = getattr(iterator, "aclose", None)
    if aclose is not None:
        await aclose()
        return
    close = getattr(iterator, "close", None)
    if close is not None:
        close()


@asynccontextmanager
async def flavored_api(app: Any, seed: Any, name: str) -> AsyncIterator[Flavor]:
    """The ``name`` flavour (``"async"`` or ``"sync"``) of the client on the in-process ``app``."""
    if name == "async":
        async with recording_api(app, seed.api_key) as (api, transport):
            yield Flavor(name, api, transport, seed)
        return
    with start_blocking_portal() as portal:
        sync_transport = SyncRecordingTransport(app, portal)
        with wandbkit.Api(
            api_key=seed.api_key, base_url=BASE_URL, transport=sync_transport
        ) as sync_api:
            yield Flavor(name, sync_api, sync_transport, seed)


def seeded_once(seed: Callable[[Flavor, Any], Awaitable[object]]) -> tuple[Any, Any]:
    """A fresh seeded app, ``(app, seed)``, with ``seed(flavor, app)`` run on it once through
    ``AsyncApi`` on an event loop of its own: the server state of a module-scoped fixture,
    which the tests that only read share (each with a client of its own, see the
    ``shared_flavor`` fixture)."""
    app, result = make_seeded_app()

    async def run() -> None:
        async with flavored_api(app, result, "async") as flavor:
            await seed(flavor, app)

    with start_blocking_portal() as portal:
        portal.call(run)
    return app, result
