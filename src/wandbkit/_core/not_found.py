"""The errors for things the server answered ``null`` for, worded once for every domain.

A GraphQL query for a missing project, run or sweep succeeds with ``null`` in its place; the
domain code turns that into a :class:`~wandbkit._core.errors.NotFoundError` that names the full
path and the operation, so the message reads the same whichever method found the gap.
"""

from __future__ import annotations

from wandbkit._core.errors import NotFoundError

__all__ = ["project_not_found", "run_not_found", "sweep_not_found"]


def project_not_found(entity: str, project: str, operation: str | None = None) -> NotFoundError:
    """The error for a project the server answered ``null`` for."""
    return NotFoundError(f"project '{entity}/{project}' not found", operation_name=operation)


def run_not_found(
    entity: str, project: str, run_id: str, operation: str | None = None
) -> NotFoundError:
    """The error for a run the server answered ``null`` for."""
    return NotFoundError(f"run '{entity}/{project}/{run_id}' not found", operation_name=operation)


def sweep_not_found(
    entity: str, project: str, sweep_id: str, operation: str | None = None
) -> NotFoundError:
    """The error for a sweep the server answered ``null`` for."""
    return NotFoundError(
        f"sweep '{entity}/{project}/{sweep_id}' not found", operation_name=operation
    )
