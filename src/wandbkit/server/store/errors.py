"""The store's exceptions: one base class, so callers can catch every refusal at once.

Each class carries the GraphQL error ``code`` a refusal of its kind reaches a client with
(:func:`wandbkit.server.resolvers.errors.client_errors` translates them, in one place).
"""

from __future__ import annotations

from typing import ClassVar


class StoreError(Exception):
    """The store refused an operation (bad input or a conflict); the message says why."""

    code: ClassVar[str] = "BAD_USER_INPUT"


class RefusedError(StoreError):
    """An operation the current state does not allow: deleting a version that still has
    aliases, committing a version whose files have not all arrived."""

    code: ClassVar[str] = "FAILED_PRECONDITION"


class InvalidNameError(StoreError, ValueError):
    """A name with characters or a length the server does not accept."""


class NameConflictError(StoreError):
    """A name that is already taken where it must be unique."""


class UnknownRowError(StoreError, LookupError):
    """An operation named a row that does not exist."""

    code: ClassVar[str] = "NOT_FOUND"


class UnknownSnapshotError(StoreError, LookupError):
    """A runs cursor whose snapshot expired, was pruned, or belongs to another query."""
