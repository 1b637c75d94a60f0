"""The sync flavor's primitives: what ``flavor_async`` becomes in the generated sync twins."""

from __future__ import annotations

import time
from typing import Annotated, TypeAlias, TypeVar

__all__ = ["IS_ASYNC", "MaybeAwaitable", "monotonic", "sync_sleep"]

_T = TypeVar("_T")

#: What a property that needs the server returns: the value itself in the sync flavor.
MaybeAwaitable: TypeAlias = Annotated[_T, "sync"]

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
