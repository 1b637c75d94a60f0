# Generated from src/wandbkit/_async/launch/queued_run.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""``QueuedRun``: a run waiting in a launch queue, followed until it runs and finishes.

An item goes PENDING (pushed) -> LEASED (an agent popped it) -> CLAIMED (the agent named the
run it launches), or FAILED. ``wait_until_running`` polls until the item names its run and that
run exists; ``wait_until_finished`` then follows the run to its end.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wandbkit._core.errors import NotFoundError, QueuedRunFailedError, UsageError
from wandbkit._core.flavor_sync import MaybeAwaitable, monotonic, sync_sleep
from wandbkit._html import Explorable, HtmlSummary
from wandbkit._lang.launch import LAUNCH_DEFAULT_PROJECT

if TYPE_CHECKING:
    from wandbkit._generated.fragments import RunQueueItemFields
    from wandbkit._sync.context import ClientContext
    from wandbkit._sync.runs.run import Run

#: Seconds between polls of ``wait_until_running``/``wait_until_finished`` (``wandb`` waits 5).
POLL_INTERVAL = 5.0


def _check_wait(poll_interval: object, timeout: object) -> None:
    if isinstance(poll_interval, bool) or not isinstance(poll_interval, (int, float)):
        raise UsageError(f"poll_interval must be a positive number, got {poll_interval!r}")
    if poll_interval <= 0:
        raise UsageError(f"poll_interval must be a positive number, got {poll_interval!r}")
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout < 0
    ):
        raise UsageError(f"timeout must be a number of seconds or None, got {timeout!r}")


class QueuedRun(Explorable):
    """A run queued in ``entity/project_queue/queue_name`` that will log to ``entity/project``.

    Attributes:
        entity: the entity of the queue and of the run.
        project: where the run will log.
        queue_name: the queue.
        project_queue: the project that holds the queue (``"model-registry"``).
        priority: the priority it was pushed with, if any.
    """

    def __init__(
        self,
        ctx: ClientContext,
        entity: str,
        project: str,
        queue_name: str,
        run_queue_item_id: str,
        project_queue: str | None = None,
        priority: int | None = None,
    ) -> None:
        self._ctx = ctx
        self.entity = entity
        self.project = project
        self.queue_name = queue_name
        self._id = run_queue_item_id
        self.project_queue = project_queue or LAUNCH_DEFAULT_PROJECT
        self.priority = priority
        self._run: Run | None = None

    @property
    def id(self) -> str:
        """The item's id in its queue."""
        return self._id

    @property
    def state(self) -> MaybeAwaitable[str]:
        """The item's state, lower-cased (``pending``, ``leased``, ``claimed``, ``failed``),
        read afresh each time (``await queued.state`` in async)."""
        return self.get_state()

    def get_state(self) -> str:
        """The item's state, lower-cased, read from the server.

        Raises:
            NotFoundError: the queue holds no such item (any more).
        """
        return (self._item()).state.value.lower()

    def _item(self) -> RunQueueItemFields:
        result = self._ctx.client.get_run_queue_item(
            entity=self.entity, project=self.project_queue, queue=self.queue_name, item_id=self.id
        )
        queue = result.project.run_queue if result.project is not None else None
        if queue is None or queue.run_queue_item is None:
            raise NotFoundError(
                f"queue '{self.entity}/{self.project_queue}/{self.queue_name}' holds no item "
                f"{self.id!r}",
                operation_name="GetRunQueueItem",
            )
        return queue.run_queue_item

    def _existing_run(self, run_id: str) -> Run | None:
        from wandbkit._sync.runs.run import fetch_run
        from wandbkit._sync.sweeps_api import load_sweep_on_demand

        try:
            return fetch_run(self._ctx, self.entity, self.project, run_id, load_sweep_on_demand)
        except NotFoundError:  # acknowledged, but the run has not started logging yet
            return None

    def wait_until_running(
        self, poll_interval: float = POLL_INTERVAL, timeout: float | None = None
    ) -> Run:
        """Wait until an agent has launched the run and it exists; returns the run.

        Args:
            poll_interval: seconds between polls.
            timeout: give up after this many seconds (default: wait as long as it takes).

        Raises:
            QueuedRunFailedError: the item failed before it ran.
            TimeoutError: ``timeout`` passed first.
            NotFoundError: the item was removed from its queue.
        """
        _check_wait(poll_interval, timeout)
        if self._run is not None:
            return self._run
        deadline = None if timeout is None else monotonic() + float(timeout)
        while True:
            item = self._item()
            if item.state.value == "FAILED":
                error = item.error
                raise QueuedRunFailedError(
                    self.id, error.message if error else "", error.stage if error else ""
                )
            if item.associated_run_id is not None:
                run = self._existing_run(item.associated_run_id)
                if run is not None:
                    self._run = run
                    return run
            if deadline is not None and monotonic() + poll_interval > deadline:
                raise TimeoutError(
                    f"queued run {self.id!r} is still {item.state.value.lower()} after {timeout} s"
                )
            sync_sleep(poll_interval)

    def wait_until_finished(
        self, poll_interval: float = POLL_INTERVAL, timeout: float | None = None
    ) -> Run:
        """Wait until the run has run and stopped; returns it, reloaded (its final summary).

        Raises:
            QueuedRunFailedError: the item failed before it ran.
            TimeoutError: ``timeout`` passed first.
        """
        _check_wait(poll_interval, timeout)
        started = monotonic()
        run = self.wait_until_running(poll_interval, timeout)
        left = None if timeout is None else max(0.0, float(timeout) - (monotonic() - started))
        run.wait_until_finished(poll_interval=poll_interval, timeout=left)
        finished = self._existing_run(run.id)
        if finished is None:
            raise NotFoundError(f"run '{self.entity}/{self.project}/{run.id}' was deleted")
        self._run = finished
        return finished

    def delete(self, delete_artifacts: bool = False) -> None:
        """Remove the item from its queue (``delete_artifacts`` is accepted as ``wandb`` has it
        and does nothing there either).

        Raises:
            NotFoundError: no such queue or item.
        """
        result = self._ctx.client.get_run_queue_item(
            entity=self.entity, project=self.project_queue, queue=self.queue_name, item_id=self.id
        )
        queue = result.project.run_queue if result.project is not None else None
        if queue is None:
            raise NotFoundError(
                f"run queue '{self.entity}/{self.project_queue}/{self.queue_name}' not found",
                operation_name="GetRunQueueItem",
            )
        self._ctx.client.delete_from_run_queue(queue_id=queue.id, item_id=self.id)

    def __repr__(self) -> str:
        priority = "" if self.priority is None else f", priority {self.priority}"
        where = f"{self.entity}/{self.queue_name}"
        return f"<QueuedRun {where} item {self.id} -> {self.project}{priority}>"

    def _html_summary(self) -> HtmlSummary:
        fields = {
            "id": self.id,
            "queue": f"{self.entity}/{self.project_queue}/{self.queue_name}",
            "run project": f"{self.entity}/{self.project}",
            "priority": self.priority,
        }
        return HtmlSummary("QueuedRun", f"{self.entity}/{self.queue_name}", fields)
