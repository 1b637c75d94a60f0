"""What the end-to-end tests share: a transport that records what the client sends, and an
``AsyncApi`` that sends through it to the in-process server."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

import wandbkit

BASE_URL = "http://wandbkit.test"


class RecordingTransport(httpx.AsyncBaseTransport):
    """Passes requests on and records them; can corrupt signed download bodies on demand."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []
        self.corrupt_downloads = False

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

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response = await self.inner.handle_async_request(request)
        if self.corrupt_downloads and "/signed/files/" in request.url.path:
            body = await response.aread()
            return httpx.Response(
                response.status_code, headers=response.headers, content=b"X" + body[1:]
            )
        return response


@asynccontextmanager
async def recording_api(
    app: Any, api_key: str | None
) -> AsyncIterator[tuple[wandbkit.AsyncApi, RecordingTransport]]:
    """An ``AsyncApi`` on the in-process ``app`` whose requests ``RecordingTransport`` keeps."""
    transport = RecordingTransport(httpx.ASGITransport(app=app))
    async with wandbkit.AsyncApi(api_key=api_key, base_url=BASE_URL, transport=transport) as api:
        yield api, transport
