"""Sending a webhook firing: a ``POST`` of its JSON payload to the integration's URL, on a
background thread, with a bounded retry.

The write that fired the automation has already been answered when the request goes out; each
attempt is recorded on the firing (attempt count, last response code or error, and at the end
``DELIVERED`` or ``FAILED``), so a test of a receiver reads the outcome back through the
firings route. A 2xx answer delivers; a connection error, a timeout, a 429 or a 5xx is tried
again after a growing pause, up to :attr:`WebhookPolicy.attempts` attempts; any other answer
(a 4xx: the receiver refused the payload) fails at once. Redirects are not followed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

from wandbkit.server.store import Store
from wandbkit.server.store.automations import DELIVERED, FAILED

__all__ = ["WebhookPolicy", "WebhookSender"]

_log = logging.getLogger("wandbkit.server.automations")
#: The ``User-Agent`` of the server's webhook requests.
USER_AGENT = "wandbkit-automations"
#: How much of a failure's text is kept on the firing.
MAX_ERROR_CHARS = 300


@dataclass
class WebhookPolicy:
    """How hard the server tries to deliver one webhook.

    Attributes:
        attempts: the most requests per firing (at least 1).
        backoff: seconds before the second attempt; each later pause doubles.
        timeout: seconds a single request may take (connect and read).
    """

    attempts: int = 3
    backoff: float = 0.5
    timeout: float = 5.0


def _retryable(status: int) -> bool:
    return status == 429 or status >= 500


class WebhookSender:
    """Delivers webhook firings on a small pool of background threads.

    Args:
        store: where firings' attempts are recorded.
        policy: the retry policy (may be replaced while the server runs; tests shorten it).
        sleep: how a pause between attempts waits (tests may replace it).
    """

    def __init__(
        self,
        store: Store,
        policy: WebhookPolicy | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.store = store
        self.policy = policy or WebhookPolicy()
        self._sleep = sleep
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="wandbkit-webhook")
        self._idle = threading.Condition()
        self._in_flight = 0

    def submit(self, firing_pk: int, url: str, body: bytes) -> None:
        """Send a firing's payload in the background."""
        with self._idle:
            self._in_flight += 1
        try:
            self._pool.submit(self._deliver, firing_pk, url, body)
        except RuntimeError:  # the pool was shut down: the server is stopping
            self._done()

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until no delivery is in flight; whether that happened within ``timeout``."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout)

    def close(self) -> None:
        """Stop taking deliveries and wait for those under way."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _done(self) -> None:
        with self._idle:
            self._in_flight -= 1
            self._idle.notify_all()

    def _deliver(self, firing_pk: int, url: str, body: bytes) -> None:
        try:
            self._attempts(firing_pk, url, body)
        except Exception:  # pragma: no cover - a closed store while the server stops
            _log.exception("webhook delivery of firing %s failed", firing_pk)
        finally:
            self._done()

    def _attempts(self, firing_pk: int, url: str, body: bytes) -> None:
        policy = self.policy
        attempts = max(1, policy.attempts)
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        with httpx.Client(timeout=policy.timeout, follow_redirects=False) as client:
            for attempt in range(1, attempts + 1):
                code: int | None = None
                error: str | None = None
                try:
                    response = client.post(url, content=body, headers=headers)
                    code = response.status_code
                except (httpx.HTTPError, httpx.InvalidURL) as exc:
                    error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]
                delivered = code is not None and 200 <= code < 300
                retry = not delivered and (code is None or _retryable(code))
                last = attempt == attempts or not retry
                if not delivered and error is None and last:
                    error = f"the receiver answered {code}"
                final = DELIVERED if delivered else (FAILED if last else None)
                self.store.automations.record_attempt(
                    firing_pk,
                    response_code=code,
                    error=None if delivered else error,
                    final_status=final,
                )
                if final is not None:
                    return
                self._sleep(policy.backoff * 2 ** (attempt - 1))
