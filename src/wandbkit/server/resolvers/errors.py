"""The one place where store and filter errors become GraphQL errors the client caused.

The store and the filter compiler raise plain exceptions (:class:`~wandbkit.server.store.
InvalidNameError`, :class:`~wandbkit.server.run_filters.FilterError`, ...) that know nothing of
GraphQL. A resolver marks the code whose errors are the client's fault with
:func:`client_errors`, as a ``with`` block or a decorator; those errors then reach the client
as a :class:`~wandbkit.server.resolvers.common.ClientError` (the store error's ``code``,
else ``BAD_USER_INPUT``; logged quietly) with the same message, prefixed by the operation
when one is named. Anything else stays a bug and is logged loudly.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from wandbkit.server.resolvers.common import ClientError
from wandbkit.server.run_filters import FilterError
from wandbkit.server.store import InvalidNameError, NameConflictError, StoreError

__all__ = ["INPUT_ERRORS", "STORE_ERRORS", "client_errors"]

#: What a client's input makes the store or the filter compiler refuse: a bad or taken name,
#: a filter or order that cannot be compiled.
INPUT_ERRORS: tuple[type[Exception], ...] = (InvalidNameError, NameConflictError, FilterError)
#: Every refusal of the store or the filter compiler; each store error carries its GraphQL
#: code (``BAD_USER_INPUT``, ``NOT_FOUND``, ``FAILED_PRECONDITION``).
STORE_ERRORS: tuple[type[Exception], ...] = (StoreError, FilterError)


@contextmanager
def client_errors(
    operation: str | None = None, *, errors: tuple[type[Exception], ...] = INPUT_ERRORS
) -> Iterator[None]:
    """Turn ``errors`` raised in the block (or the decorated resolver) into a ``ClientError``.

    Args:
        operation: the GraphQL field the message starts with (``"upsertBucket: ..."``); none
            for messages that stand alone.
        errors: the exception types that mean "the client's input was refused".

    Raises:
        ClientError: with the original message, prefixed by ``operation``; the original is
            not chained, since its traceback is no news to the client.

    Example:
        >>> with client_errors("createTeam"):  # doctest: +SKIP
        ...     team = store.entities.create_team(name)
    """
    try:
        yield
    except errors as exc:
        prefix = f"{operation}: " if operation else ""
        raise ClientError(f"{prefix}{exc}", code=getattr(exc, "code", None)) from None
