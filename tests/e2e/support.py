"""What the end-to-end tests share: a transport that records what the client sends."""

from __future__ import annotations

import json

import httpx


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
