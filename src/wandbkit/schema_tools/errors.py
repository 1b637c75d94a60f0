"""The schema tools' own error."""

from __future__ import annotations

from wandbkit._core.errors import WandbkitError

__all__ = ["SchemaToolError"]


class SchemaToolError(WandbkitError):
    """A schema or document the schema tools were given cannot be used (unreadable, invalid)."""
