"""Crashing runs whose writer went silent: W&B marks a run ``crashed`` when its process stops
sending heartbeats; the local server does the same for runs written through ``file_stream``.

wandb-core posts to ``file_stream`` at least every 30 s while a run is alive (data at most every
15 s, an empty heartbeat otherwise), so a run silent for :data:`DEFAULT_SILENCE_LIMIT` seconds
has lost its writer. :class:`RunWatcher` runs beside the app (its ASGI lifespan) and checks
every few seconds; tests may instead call
:meth:`~wandbkit.server.store.file_stream.FileStreams.crash_silent_runs` directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.concurrency import run_in_threadpool

from wandbkit.server.store import Store

logger = logging.getLogger("wandbkit.server")

#: Seconds without a ``file_stream`` request after which a running run becomes ``crashed``.
DEFAULT_SILENCE_LIMIT = 300.0
#: The longest pause between two checks.
MAX_CHECK_INTERVAL = 15.0


class RunWatcher:
    """Periodically crash the silent streamed runs of a store.

    Args:
        store: the runs.
        silence_limit: seconds of silence before a run crashes; ``None`` never crashes one.
    """

    def __init__(self, store: Store, silence_limit: float | None = DEFAULT_SILENCE_LIMIT) -> None:
        if silence_limit is not None and silence_limit <= 0:
            raise ValueError(f"silence_limit must be > 0 seconds or None, got {silence_limit!r}")
        self.store = store
        self.silence_limit = silence_limit

    @property
    def interval(self) -> float:
        """Seconds between two checks: a quarter of the limit, at most
        :data:`MAX_CHECK_INTERVAL`."""
        limit = self.silence_limit or MAX_CHECK_INTERVAL
        return max(0.01, min(limit / 4, MAX_CHECK_INTERVAL))

    def check(self) -> list[str]:
        """Crash the runs silent past the limit now; returns their names."""
        if self.silence_limit is None:
            return []
        return self.store.file_streams.crash_silent_runs(self.silence_limit)

    async def watch(self) -> None:
        """Check forever, every :attr:`interval` seconds (cancel the task to stop)."""
        while True:
            await asyncio.sleep(self.interval)
            try:
                crashed = await run_in_threadpool(self.check)
            except Exception:  # a closed store at shutdown, say: keep the server up
                logger.exception("checking for silent runs failed")
                continue
            if crashed:
                logger.info("runs crashed after %.0f s of silence: %s", self.silence_limit, crashed)

    @contextlib.asynccontextmanager
    async def lifespan(self, _: Any) -> AsyncIterator[None]:
        """A Starlette lifespan that watches while the app serves."""
        task = asyncio.create_task(self.watch()) if self.silence_limit is not None else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
