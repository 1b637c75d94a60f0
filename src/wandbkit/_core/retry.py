"""Pure retry decisions: whether to re-send a failed request, and how long to wait first.

Nothing here sleeps, reads a clock or does I/O; the senders pass in what happened and the
time elapsed, so every rule is testable as a table.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from wandbkit._core.errors import UsageError

__all__ = [
    "MUTATION_OUTCOME_UNKNOWN",
    "MUTATION_SAFE_STATUS",
    "RETRYABLE_STATUS",
    "ErrorKind",
    "RetryPolicy",
    "mutation_may_have_applied",
    "next_delay",
    "parse_retry_after",
]

#: HTTP statuses after which a query (which has no side effects) is sent again.
RETRYABLE_STATUS: frozenset[int] = frozenset({408, 429, 500, 502, 503, 504})

#: HTTP statuses after which a mutation is sent again: ones where the server certainly did not
#: act on it. A 500/502/504 may come after the mutation was applied, so re-sending could apply
#: it twice.
MUTATION_SAFE_STATUS: frozenset[int] = frozenset({429, 503})

#: How a request failed without an HTTP response. ``"connect"``: the request never left (no
#: connection, or none free in the pool); ``"timeout"``/``"read"``: it may have been processed.
ErrorKind = Literal["connect", "timeout", "read"]

_QUERY_RETRYABLE_KINDS: frozenset[str] = frozenset({"connect", "timeout", "read"})

_MUTATION_RETRYABLE_KINDS: frozenset[str] = frozenset({"connect"})

#: Said after the error of a mutation whose outcome is unknown (see
#: :func:`mutation_may_have_applied`): the caller must look before sending it again.
MUTATION_OUTCOME_UNKNOWN = (
    "; the change may have been applied before the answer was lost: read it back "
    "(e.g. fetch the object) before sending it again"
)


def mutation_may_have_applied(
    *, status_code: int | None = None, error_kind: ErrorKind | None = None
) -> bool:
    """Whether a failed mutation may have taken effect on the server.

    A status the server sends only before acting (429, 503) or a request that never left
    (``"connect"``) is safe to re-send; a 500/502/504 or a timeout or dropped answer may come
    after the change was made. These are exactly the failures after which a mutation is not
    retried.

    Example:
        >>> [mutation_may_have_applied(status_code=code) for code in (502, 503)]
        [True, False]
        >>> [mutation_may_have_applied(error_kind=kind) for kind in ("read", "connect")]
        [True, False]
    """
    if error_kind is not None:
        return error_kind not in _MUTATION_RETRYABLE_KINDS
    return (
        status_code is not None and status_code >= 500 and status_code not in MUTATION_SAFE_STATUS
    )


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry.

    Attributes:
        max_retries: re-sends after the first attempt (0 disables retries).
        initial_delay: seconds before the first retry, before jitter.
        max_delay: cap on the exponential delay, before jitter.
        backoff: factor the delay grows by per attempt.
        jitter: fraction of the delay added or removed at random, so that clients that failed
            together do not retry together.
        max_total: seconds since the first attempt after which no retry is started.
        retry_after_cap: longest wait a server's ``Retry-After`` can impose. A longer one is
            shortened to this cap (not refused): the retry may fail again, but it fails with
            the server's current answer instead of a guess.
    """

    max_retries: int = 5
    initial_delay: float = 0.5
    max_delay: float = 8.0
    backoff: float = 2.0
    jitter: float = 0.25
    max_total: float = 60.0
    retry_after_cap: float = 60.0

    def __post_init__(self) -> None:
        if (
            isinstance(self.max_retries, bool)
            or not isinstance(self.max_retries, int)
            or self.max_retries < 0
        ):
            raise UsageError(
                f"max_retries must be an int >= 0, got {self.max_retries!r}",
            )
        for name in ("initial_delay", "max_delay", "max_total", "retry_after_cap"):
            _check_number(name, getattr(self, name), minimum=0.0)
        _check_number("backoff", self.backoff, minimum=1.0)
        _check_number("jitter", self.jitter, minimum=0.0, maximum=1.0)


def _check_number(name: str, value: object, *, minimum: float, maximum: float = math.inf) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or math.isnan(value)
        or not minimum <= value <= maximum
    ):
        bounds = f">= {minimum}" if maximum == math.inf else f"between {minimum} and {maximum}"
        raise UsageError(f"RetryPolicy.{name} must be a number {bounds}, got {value!r}")


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Parse a ``Retry-After`` header into seconds to wait.

    Args:
        value: the header value: delay-seconds (``"3"``, also ``"1.5"``) or an HTTP-date.
        now: the current Unix time, for HTTP-dates; defaults to ``time.time()``.

    Returns:
        Seconds to wait (0 for a date in the past), or ``None`` when absent or unparseable.
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        # float() accepts "nan" and "inf", which no server means.
        if math.isfinite(seconds) and seconds >= 0:
            return seconds
        return None
    try:
        # Imported here: email.utils costs ~10 ms at import and is rarely needed.
        from email.utils import parsedate_to_datetime

        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        # RFC 9110 dates are always GMT; a zone-less parse means the zone was "-0000".
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def _backoff_delay(policy: RetryPolicy, attempt: int, rand: Callable[[], float]) -> float:
    try:
        base = policy.initial_delay * policy.backoff**attempt
    except OverflowError:
        base = math.inf
    base = min(base, policy.max_delay)
    # rand() is in [0, 1); map it to a factor in [1 - jitter, 1 + jitter).
    return base * (1.0 + policy.jitter * (2.0 * rand() - 1.0))


def next_delay(
    policy: RetryPolicy,
    *,
    attempt: int,
    elapsed: float,
    is_mutation: bool,
    status_code: int | None = None,
    error_kind: ErrorKind | None = None,
    retry_after: str | None = None,
    rand: Callable[[], float] = random.random,
) -> float | None:
    """Decide whether to retry a failed attempt, and after how long.

    Args:
        policy: the retry policy.
        attempt: 0-based number of the attempt that just failed (0 = the first send).
        elapsed: seconds since the first attempt started.
        is_mutation: whether the request may have side effects; then it is only re-sent when
            the server certainly did not process it (connect failure, 429, 503).
        status_code: the HTTP status received, if a response arrived.
        error_kind: how the request failed, if no response arrived.
        retry_after: the response's ``Retry-After`` header, if any.
        rand: source of uniform numbers in [0, 1), injectable for tests.

    Returns:
        Seconds to wait before attempt ``attempt + 1``, or ``None`` to stop and report the
        failure. A retryable status with a valid ``Retry-After`` waits exactly that long, up to
        ``policy.retry_after_cap``; otherwise the wait is
        ``min(initial_delay * backoff**attempt, max_delay)`` give or take ``jitter``.
    """
    if attempt >= policy.max_retries:
        return None
    if status_code is not None:
        allowed = MUTATION_SAFE_STATUS if is_mutation else RETRYABLE_STATUS
        if status_code not in allowed:
            return None
    elif error_kind is not None:
        kinds = _MUTATION_RETRYABLE_KINDS if is_mutation else _QUERY_RETRYABLE_KINDS
        if error_kind not in kinds:
            return None
    else:
        return None

    server_wait = parse_retry_after(retry_after) if status_code is not None else None
    if server_wait is not None:
        delay = min(server_wait, policy.retry_after_cap)
    else:
        delay = _backoff_delay(policy, attempt, rand)
    if elapsed + delay > policy.max_total:
        return None
    return delay
