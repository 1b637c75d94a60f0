"""The async flavor's primitives; unasync swaps this module for ``flavor_sync``.

The async sources import ``async_sleep`` and ``monotonic`` from here; the token replacements
``flavor_async`` -> ``flavor_sync`` and ``async_sleep`` -> ``sync_sleep`` turn those imports
(and ``await async_sleep(...)``) into their blocking twins.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

__all__ = [
    "IS_ASYNC",
    "MaybeAwaitable",
    "async_sleep",
    "discard",
    "gather_limited",
    "monotonic",
    "resolve",
    "spawn",
]

_T = TypeVar("_T")

#: What a property that needs the server returns: an awaitable here, the value in the sync twin.
MaybeAwaitable: TypeAlias = Awaitable[_T]

if TYPE_CHECKING:
    #: Background work started by :func:`spawn`.
    Pending: TypeAlias = asyncio.Future

#: True in the async flavor; lets shared code tell which twin it runs in.
IS_ASYNC = True

#: Clock for elapsed-time budgets (never goes backwards, unlike time.time()).
monotonic = time.monotonic


async def async_sleep(seconds: float) -> None:
    """Wait ``seconds`` without blocking the event loop.

    Args:
        seconds: how long to wait.
    """
    await asyncio.sleep(seconds)


def spawn(fn: Callable[..., Awaitable[_T]], *args: Any) -> asyncio.Future[_T]:
    """Start ``fn(*args)`` in the background (prefetching); collect it with :func:`resolve`.

    Args:
        fn: the coroutine function to run.
        *args: its arguments.
    """
    return asyncio.ensure_future(fn(*args))


async def resolve(pending: asyncio.Future[_T]) -> _T:
    """Wait for what :func:`spawn` started and return its result (or raise its error)."""
    return await pending


def discard(pending: asyncio.Future[Any] | None) -> None:
    """Cancel background work nobody will collect (an abandoned prefetch)."""
    if pending is not None and not pending.done():
        pending.cancel()


async def gather_limited(calls: Sequence[Callable[[], Awaitable[_T]]], limit: int) -> list[_T]:
    """Run ``calls`` concurrently, at most ``limit`` at a time; results in call order."""
    semaphore = asyncio.Semaphore(limit)

    async def one(call: Callable[[], Awaitable[_T]]) -> _T:
        async with semaphore:
            return await call()

    return list(await asyncio.gather(*(one(call) for call in calls)))
