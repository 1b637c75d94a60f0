"""Sending ``file_stream`` bodies: ``POST {base}/files/{entity}/{project}/{run}/file_stream``.

A body is re-sent unchanged while the server answers 408, 429 (after its ``Retry-After``) or a
5xx, or the connection fails, up to the writer's retry policy: its line offsets make a chunk
that arrived twice harmless (the server skips lines it has), which is what lets a stream retry
where a GraphQL mutation could not. Other statuses (400, 401, 403, 404, ...) do not clear by
themselves and raise at once, as wandb-core stops its stream on them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx

from wandbkit._core.errors import APIConnectionError, redact
from wandbkit._core.flavor_async import async_sleep, monotonic
from wandbkit._core.protocol import auth_header_for, status_error
from wandbkit._core.retry import RetryPolicy, next_delay

if TYPE_CHECKING:
    from wandbkit._async.context import ClientContext

__all__ = ["STREAM_RETRY", "AsyncFileStream"]

#: How a writer retries a body by default: like wandb-core, patiently (2 s doubling to 60 s,
#: for up to 15 minutes), because a lost chunk would be a hole in the run's history.
STREAM_RETRY = RetryPolicy(
    max_retries=40, initial_delay=2.0, max_delay=60.0, jitter=0.25, max_total=900.0
)


class AsyncFileStream:
    """The ``file_stream`` endpoint of one run.

    Args:
        ctx: the client's context (settings, pooled HTTP client).
        entity: the run's entity.
        project: the run's project.
        run_id: the run's id.
        retry: how to retry a failed body (default :data:`STREAM_RETRY`).
    """

    def __init__(
        self,
        ctx: ClientContext,
        entity: str,
        project: str,
        run_id: str,
        *,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._ctx = ctx
        self.retry = retry if retry is not None else STREAM_RETRY
        path = "/".join(quote(part, safe="") for part in (entity, project, run_id))
        self.url = f"{ctx.settings.base_url}/files/{path}/file_stream"
        #: How many attempts were re-sends (for tests and diagnostics).
        self.retries = 0

    def __repr__(self) -> str:
        return f"{type(self).__name__}(url={self.url!r})"

    async def send(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST ``body`` until it is delivered; returns the server's JSON answer (``{}`` when
        it is not a JSON object).

        Raises:
            APIStatusError: a status that is not retried, or the last retried one.
            APIConnectionError: no answer after the retries.
        """
        transport = self._ctx.transport
        client = transport.http_client
        settings = self._ctx.settings
        headers = {**auth_header_for(settings, self.url), "User-Agent": "wandbkit-writer"}
        request = client.build_request("POST", self.url, json=body, headers=headers)
        started = monotonic()
        attempt = 0
        while True:
            try:
                response = await client.send(request)
            except httpx.TransportError as exc:
                delay = next_delay(
                    self.retry,
                    attempt=attempt,
                    elapsed=monotonic() - started,
                    is_mutation=False,
                    error_kind="connect",
                )
                if delay is None:
                    detail = redact(str(exc), settings.api_key) or type(exc).__name__
                    raise APIConnectionError(
                        f"file_stream of {self.url} got no answer after {attempt + 1} "
                        f"attempts: {detail}",
                        request=request,
                    ) from exc
            else:
                if response.is_success:
                    return _answer(response)
                delay = next_delay(
                    self.retry,
                    attempt=attempt,
                    elapsed=monotonic() - started,
                    is_mutation=False,
                    status_code=response.status_code,
                    retry_after=response.headers.get("Retry-After"),
                )
                if delay is None:
                    raise status_error(
                        response,
                        message=(
                            f"file_stream of {self.url} failed with HTTP {response.status_code}"
                            f": {redact(response.text[:500], settings.api_key)}"
                        ),
                        api_key=settings.api_key,
                    )
            await async_sleep(delay)
            attempt += 1
            self.retries += 1


def _answer(response: httpx.Response) -> dict[str, Any]:
    try:
        answer = response.json()
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}
