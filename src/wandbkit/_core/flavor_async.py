"""The async flavor's primitives; unasync swaps this module for ``flavor_sync``.

The async sources import ``async_sleep`` and ``monotonic`` from here; the token replacements
``flavor_async`` -> ``flavor_sync`` and ``async_sleep`` -> ``sync_sleep`` turn those imports
(and ``await async_sleep(...)``) into their blocking twins.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import TypeAlias, TypeVar

__all__ = ["IS_ASYNC", "MaybeAwaitable", "async_sleep", "monotonic"]

_T = TypeVar("_T")

#: What a property that needs the server returns: an awaitable here, the value in the sync twin.
MaybeAwaitable: TypeAlias = Awaitable[_T]

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
