"""What the store tells listeners after a write commits: small, frozen facts about runs and
artifacts, for the automations dispatcher (:mod:`wandbkit.server.automations`).

Repositories :meth:`~StoreEvents.emit` facts while their transaction is open; the facts are
held until the outermost transaction commits and are then handed to every listener, outside
the store's lock. A transaction that rolls back drops its facts, so a listener never hears of
a write that did not happen. With no listener, emitting costs an append and a clear.

The facts are low-level on purpose ("a version became a member of a collection"): the store
does not know what an automation is; the dispatcher decides which facts are W&B events
(a membership of a portfolio is a *link*, one of a sequence is part of a *create*).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = [
    "AliasesAdded",
    "ArtifactCommitted",
    "ArtifactTagsChanged",
    "CollectionTagsChanged",
    "MembershipChanged",
    "RunChanged",
    "StoreEvent",
    "StoreEvents",
]

_log = logging.getLogger("wandbkit.server.store.events")


@dataclass(frozen=True)
class RunChanged:
    """A run was written: its state went from ``old_state`` to ``new_state`` (equal when it
    did not change), and ``metrics`` says whether its summary or history changed."""

    run_pk: int
    old_state: str
    new_state: str
    metrics: bool


@dataclass(frozen=True)
class ArtifactCommitted:
    """A pending version was committed into its sequence."""

    artifact_pk: int
    sequence_pk: int


@dataclass(frozen=True)
class MembershipChanged:
    """A version became (``added``) or stopped being a member of a collection."""

    collection_pk: int
    artifact_pk: int
    added: bool


@dataclass(frozen=True)
class AliasesAdded:
    """A member of a collection was given these aliases (that it did not have)."""

    collection_pk: int
    artifact_pk: int
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class ArtifactTagsChanged:
    """A version gained (``added``) or lost these tags."""

    artifact_pk: int
    tags: tuple[str, ...]
    added: bool


@dataclass(frozen=True)
class CollectionTagsChanged:
    """A collection gained (``added``) or lost these tags."""

    collection_pk: int
    tags: tuple[str, ...]
    added: bool


StoreEvent = (
    RunChanged
    | ArtifactCommitted
    | MembershipChanged
    | AliasesAdded
    | ArtifactTagsChanged
    | CollectionTagsChanged
)
Listener = Callable[[Sequence[StoreEvent]], None]


class StoreEvents:
    """The facts of the open transaction, and who hears them after it commits."""

    def __init__(self) -> None:
        self._pending: list[StoreEvent] = []
        self._listeners: dict[str, Listener] = {}
        self._guard = threading.Lock()

    def subscribe(self, key: str, listener: Listener) -> None:
        """Hand every committed batch of facts to ``listener`` (replacing an earlier listener
        of the same ``key``, so a second app over one store does not double every event)."""
        with self._guard:
            self._listeners[key] = listener

    def unsubscribe(self, key: str) -> None:
        """Stop handing facts to the listener of ``key`` (absent keys are ignored)."""
        with self._guard:
            self._listeners.pop(key, None)

    def emit(self, event: StoreEvent) -> None:
        """Note a fact of the open transaction (called under the store's lock)."""
        if self._listeners:
            self._pending.append(event)

    def take(self) -> list[StoreEvent]:
        """The facts noted so far, forgotten here (at commit, under the store's lock)."""
        pending, self._pending = self._pending, []
        return pending

    def discard(self) -> None:
        """Forget the facts of a transaction that rolled back."""
        self._pending = []

    def deliver(self, events: Sequence[StoreEvent]) -> None:
        """Hand a committed batch to every listener. A listener's failure is logged and never
        reaches the writer: the write has committed and must be answered as such."""
        if not events:
            return
        with self._guard:
            listeners = list(self._listeners.values())
        for listener in listeners:
            try:
                listener(events)
            except Exception:  # pragma: no cover - a bug in a listener, logged loudly
                _log.exception("a store event listener failed")
