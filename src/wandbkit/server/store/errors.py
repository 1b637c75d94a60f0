"""The store's exceptions: one base class, so callers can catch every refusal at once."""

from __future__ import annotations


class StoreError(Exception):
    """The store refused an operation (bad input or a conflict); the message says why."""


class InvalidNameError(StoreError, ValueError):
    """A name with characters or a length the server does not accept."""


class NameConflictError(StoreError):
    """A name that is already taken where it must be unique."""


class UnknownRowError(StoreError, LookupError):
    """An operation named a row that does not exist."""


class UnknownSnapshotError(StoreError, LookupError):
    """A runs cursor whose snapshot expired, was pruned, or belongs to another query."""
