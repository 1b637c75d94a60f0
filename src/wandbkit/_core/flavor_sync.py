"""The sync flavor's primitives: what ``flavor_async`` becomes in the generated sync twins."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias, TypeVar

if TYPE_CHECKING:
    # concurrent.futures (and the logging it pulls in) loads on the first background task,
    # not with `from wandbkit import Api`.
    from concurrent.futures import Future, ThreadPoolExecutor

__all__ = [
    "IS_ASYNC",
    "MaybeAwaitable",
    "discard",
    "gather_limited",
    "monotonic",
    "resolve",
    "spawn",
    "sync_sleep",
]

_T = TypeVar("_T")

#: What a property that needs the server returns: the value itself in the sync flavor.
MaybeAwaitable: TypeAlias = Annotated[_T, "sync"]

if TYPE_CHECKING:
    #: Background work started by :func:`spawn`.
    Pending: TypeAlias = Future

#: False in the sync flavor; lets shared code tell which twin it runs in.
IS_ASYNC = False

#: Clock for elapsed-time budgets (never goes backwards, unlike time.time()).
monotonic = time.monotonic


def sync_sleep(seconds: float) -> None:
    """Block the calling thread for ``seconds``.

    Args:
        seconds: how long to wait.
    """
    time.sleep(seconds)


@functools.cache
def _background() -> ThreadPoolExecutor:
    # One small pool for background work of the sync flavor (prefetching the next page),
    # created on first use. httpx's Client is thread-safe, so a prefetch may share the
    # caller's connection pool.
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=4, thread_name_prefix="wandbkit-prefetch")


def spawn(fn: Callable[..., _T], *args: Any) -> Future[_T]:
    """Start ``fn(*args)`` on a background thread (prefetching); collect it with :func:`resolve`.

    Args:
        fn: the function to run.
        *args: its arguments.
    """
    return _background().submit(fn, *args)


def resolve(pending: Future[_T]) -> _T:
    """Wait for what :func:`spawn` started and return its result (or raise its error)."""
    return pending.result()


def discard(pending: Future[Any] | None) -> None:
    """Cancel background work nobody will collect (an abandoned prefetch)."""
    if pending is not None:
        pending.cancel()


def gather_limited(calls: Sequence[Callable[[], _T]], limit: int) -> list[_T]:
    """Run ``calls`` on up to ``limit`` threads; results in call order."""
    if len(calls) <= 1:
        return [call() for call in calls]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(limit, len(calls))) as pool:
        return list(pool.map(lambda call: call(), calls))
