"""Retry decisions: which failures are re-sent, and how long to wait first."""

from __future__ import annotations

from datetime import datetime, timezone
from email.utils import format_datetime

import pytest

from wandbkit._core.errors import UsageError
from wandbkit._core.retry import (
    MUTATION_SAFE_STATUS,
    RETRYABLE_STATUS,
    ErrorKind,
    RetryPolicy,
    mutation_may_have_applied,
    next_delay,
    parse_retry_after,
)

# No jitter, so delays are exact: 0.5, 1, 2, 4, 8, 8, ...
EXACT = RetryPolicy(max_retries=10, jitter=0.0, max_total=1000.0)


def middle() -> float:
    """A rand() that lands exactly on the un-jittered delay."""
    return 0.5


@pytest.mark.parametrize(
    ("is_mutation", "error_kind", "retried"),
    [
        (False, "connect", True),
        (False, "timeout", True),
        (False, "read", True),
        (True, "connect", True),
        (True, "timeout", False),
        (True, "read", False),
    ],
)
def test_transport_errors_are_retried_for_queries_but_only_connect_for_mutations(
    is_mutation: bool, error_kind: ErrorKind, retried: bool
) -> None:
    delay = next_delay(
        EXACT, attempt=0, elapsed=0.0, is_mutation=is_mutation, error_kind=error_kind
    )

    assert (delay is not None) is retried


@pytest.mark.parametrize(
    ("status_code", "query_retried", "mutation_retried"),
    [
        (400, False, False),
        (401, False, False),
        (403, False, False),
        (404, False, False),
        (408, True, False),
        (409, False, False),
        (422, False, False),
        (429, True, True),
        (500, True, False),
        (501, False, False),
        (502, True, False),
        (503, True, True),
        (504, True, False),
    ],
)
def test_statuses_are_retried_per_operation_kind(
    status_code: int, query_retried: bool, mutation_retried: bool
) -> None:
    as_query = next_delay(EXACT, attempt=0, elapsed=0.0, is_mutation=False, status_code=status_code)
    as_mutation = next_delay(
        EXACT, attempt=0, elapsed=0.0, is_mutation=True, status_code=status_code
    )

    assert (as_query is not None) is query_retried
    assert (as_mutation is not None) is mutation_retried


def test_status_sets_are_as_documented() -> None:
    assert frozenset({408, 429, 500, 502, 503, 504}) == RETRYABLE_STATUS
    assert frozenset({429, 503}) == MUTATION_SAFE_STATUS
    assert MUTATION_SAFE_STATUS <= RETRYABLE_STATUS


def test_nothing_to_retry_on_means_no_retry() -> None:
    assert next_delay(EXACT, attempt=0, elapsed=0.0, is_mutation=False) is None


@pytest.mark.parametrize(
    ("attempt", "expected"),
    [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 8.0), (9, 8.0)],
)
def test_backoff_is_exponential_and_capped(attempt: int, expected: float) -> None:
    delay = next_delay(EXACT, attempt=attempt, elapsed=0.0, is_mutation=False, status_code=503)

    assert delay == expected


@pytest.mark.parametrize(
    ("max_retries", "attempt", "retried"),
    [(0, 0, False), (1, 0, True), (1, 1, False), (5, 4, True), (5, 5, False), (5, 6, False)],
)
def test_no_retry_once_max_retries_are_used(max_retries: int, attempt: int, retried: bool) -> None:
    policy = RetryPolicy(max_retries=max_retries, jitter=0.0)

    delay = next_delay(policy, attempt=attempt, elapsed=0.0, is_mutation=False, error_kind="read")

    assert (delay is not None) is retried


@pytest.mark.parametrize(
    ("elapsed", "retried"),
    [(0.0, True), (8.5, True), (9.0, True), (9.01, False), (100.0, False)],
)
def test_no_retry_when_the_wait_would_pass_max_total(elapsed: float, retried: bool) -> None:
    # attempt 1 waits exactly 1.0s; the budget is 10s.
    policy = RetryPolicy(jitter=0.0, max_total=10.0)

    delay = next_delay(policy, attempt=1, elapsed=elapsed, is_mutation=False, status_code=503)

    assert (delay is not None) is retried


@pytest.mark.parametrize(
    ("header", "expected"),
    [("0", 0.0), ("3", 3.0), ("1.5", 1.5), ("59", 59.0), ("60", 60.0), ("3600", 60.0)],
)
def test_retry_after_seconds_are_honoured_up_to_the_cap(header: str, expected: float) -> None:
    delay = next_delay(
        EXACT, attempt=0, elapsed=0.0, is_mutation=False, status_code=429, retry_after=header
    )

    assert delay == expected


def test_retry_after_date_is_honoured() -> None:
    header = format_datetime(
        datetime.fromtimestamp(4_000_000_000 + 7, tz=timezone.utc), usegmt=True
    )

    assert parse_retry_after(header, now=4_000_000_000) == 7.0


def test_retry_after_date_in_next_delay_waits_until_then() -> None:
    future = datetime.now(tz=timezone.utc).timestamp() + 3600
    header = format_datetime(datetime.fromtimestamp(future, tz=timezone.utc), usegmt=True)

    delay = next_delay(
        EXACT, attempt=0, elapsed=0.0, is_mutation=False, status_code=503, retry_after=header
    )

    # An hour away: shortened to the cap rather than refused.
    assert delay == EXACT.retry_after_cap


def test_retry_after_is_ignored_for_statuses_that_are_not_retried() -> None:
    assert (
        next_delay(
            EXACT, attempt=0, elapsed=0.0, is_mutation=True, status_code=500, retry_after="1"
        )
        is None
    )


def test_retry_after_beyond_max_total_gives_up() -> None:
    policy = RetryPolicy(max_total=30.0, retry_after_cap=60.0)

    delay = next_delay(
        policy, attempt=0, elapsed=0.0, is_mutation=False, status_code=429, retry_after="45"
    )

    assert delay is None


def test_unparseable_retry_after_falls_back_to_backoff() -> None:
    delay = next_delay(
        EXACT, attempt=2, elapsed=0.0, is_mutation=False, status_code=429, retry_after="soon"
    )

    assert delay == 2.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("  ", None),
        ("5", 5.0),
        (" 5 ", 5.0),
        ("2.5", 2.5),
        ("-1", None),
        ("nan", None),
        ("inf", None),
        ("later", None),
        ("Thu, 01 Jan 1970 00:00:10 GMT", 0.0),
        ("Sun, 06 Nov 1994 08:49:37 GMT", 0.0),
        ("Sun, 06 Nov 1994 08:49:37 -0000", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=1_000_000_000.0) == expected


@pytest.mark.parametrize(
    ("rand_value", "expected"),
    [(0.0, 0.75), (0.5, 1.0), (0.999999, 1.249999)],
)
def test_jitter_stays_within_the_fraction(rand_value: float, expected: float) -> None:
    policy = RetryPolicy(jitter=0.25)

    delay = next_delay(
        policy,
        attempt=1,
        elapsed=0.0,
        is_mutation=False,
        error_kind="read",
        rand=lambda: rand_value,
    )

    assert delay == pytest.approx(expected)


def test_jitter_never_leaves_its_bounds_with_the_real_random_source() -> None:
    policy = RetryPolicy(jitter=0.25)

    delays = [
        next_delay(policy, attempt=3, elapsed=0.0, is_mutation=False, error_kind="read")
        for _ in range(200)
    ]

    assert all(d is not None and 3.0 <= d <= 5.0 for d in delays)


def test_huge_attempt_numbers_do_not_overflow() -> None:
    policy = RetryPolicy(max_retries=10_000, jitter=0.0, max_total=1e9)

    assert (
        next_delay(policy, attempt=5_000, elapsed=0.0, is_mutation=False, error_kind="read") == 8.0
    )


def test_default_rand_is_used_when_none_is_injected() -> None:
    delay = next_delay(RetryPolicy(), attempt=0, elapsed=0.0, is_mutation=False, status_code=502)

    assert delay is not None
    assert 0.375 <= delay <= 0.625


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_retries": -1},
        {"initial_delay": -0.1},
        {"backoff": 0.5},
        {"jitter": 1.5},
        {"max_total": float("nan")},
    ],
)
def test_invalid_policy_raises_usage_error(kwargs: dict[str, float]) -> None:
    with pytest.raises(UsageError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


def test_middle_rand_matches_no_jitter() -> None:
    jittered = RetryPolicy(jitter=0.25)

    assert next_delay(
        jittered, attempt=2, elapsed=0.0, is_mutation=False, error_kind="timeout", rand=middle
    ) == next_delay(EXACT, attempt=2, elapsed=0.0, is_mutation=False, error_kind="timeout")


@pytest.mark.parametrize(
    ("status_code", "error_kind", "applied"),
    [
        (500, None, True),
        (502, None, True),
        (504, None, True),
        (503, None, False),
        (429, None, False),
        (400, None, False),
        (None, "read", True),
        (None, "timeout", True),
        (None, "connect", False),
    ],
)
def test_which_failures_leave_a_mutation_possibly_applied(
    status_code: int | None, error_kind: ErrorKind | None, applied: bool
) -> None:
    assert mutation_may_have_applied(status_code=status_code, error_kind=error_kind) is applied
    # Exactly the failures after which a mutation is not re-sent.
    retried = (
        next_delay(
            RetryPolicy(),
            attempt=0,
            elapsed=0.0,
            is_mutation=True,
            status_code=status_code,
            error_kind=error_kind,
        )
        is not None
    )
    assert not (applied and retried)
