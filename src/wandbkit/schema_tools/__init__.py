"""Contract tools for GraphQL schemas and documents: pull, check and diff.

* :func:`pull_schema`: introspect a live W&B-compatible server; stable, sorted SDL.
* :func:`check_documents`: validate ``.graphql`` documents against a schema; every error with
  file, line and column.
* :func:`diff_schemas`: breaking, dangerous and safe changes between two schemas.

The same tools are on the command line as ``wandbkit schema pull|check|diff``. They need
``graphql-core`` (a wandbkit dependency), not the ``server`` extra. Names load on first use, so
``import wandbkit.schema_tools`` is cheap.

Example:
    >>> from wandbkit.schema_tools import check_documents, diff_schemas
    >>> errors = check_documents("schema.graphql", ["queries/"])  # doctest: +SKIP
    >>> diff_schemas("old.graphql", "new.graphql").fails("breaking")  # doctest: +SKIP
    False
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wandbkit.schema_tools.check import DocumentError, check_documents, load_schema
    from wandbkit.schema_tools.diff import SchemaChange, SchemaDiff, diff_schemas
    from wandbkit.schema_tools.errors import SchemaToolError
    from wandbkit.schema_tools.pull import pull_schema, sdl_from_introspection, stable_sdl

_LAZY: dict[str, str] = {
    "DocumentError": "wandbkit.schema_tools.check",
    "check_documents": "wandbkit.schema_tools.check",
    "load_schema": "wandbkit.schema_tools.check",
    "SchemaChange": "wandbkit.schema_tools.diff",
    "SchemaDiff": "wandbkit.schema_tools.diff",
    "diff_schemas": "wandbkit.schema_tools.diff",
    "SchemaToolError": "wandbkit.schema_tools.errors",
    "pull_schema": "wandbkit.schema_tools.pull",
    "sdl_from_introspection": "wandbkit.schema_tools.pull",
    "stable_sdl": "wandbkit.schema_tools.pull",
}

__all__ = [
    "DocumentError",
    "SchemaChange",
    "SchemaDiff",
    "SchemaToolError",
    "check_documents",
    "diff_schemas",
    "load_schema",
    "pull_schema",
    "sdl_from_introspection",
    "stable_sdl",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'wandbkit.schema_tools' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
