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

from typing import TYPE_CHECKING

from wandbkit._lang.exports import LazyExports

if TYPE_CHECKING:
    # "X as X" marks an explicit re-export for type checkers (``__all__`` is computed).
    from wandbkit.schema_tools.check import DocumentError as DocumentError
    from wandbkit.schema_tools.check import check_documents as check_documents
    from wandbkit.schema_tools.check import load_schema as load_schema
    from wandbkit.schema_tools.diff import SchemaChange as SchemaChange
    from wandbkit.schema_tools.diff import SchemaDiff as SchemaDiff
    from wandbkit.schema_tools.diff import diff_schemas as diff_schemas
    from wandbkit.schema_tools.errors import SchemaToolError as SchemaToolError
    from wandbkit.schema_tools.pull import pull_schema as pull_schema
    from wandbkit.schema_tools.pull import sdl_from_introspection as sdl_from_introspection
    from wandbkit.schema_tools.pull import stable_sdl as stable_sdl

#: Where each public name lives, grouped by module like the ``TYPE_CHECKING`` imports above.
_PUBLIC: dict[str, tuple[str, ...]] = {
    "wandbkit.schema_tools.check": ("DocumentError", "check_documents", "load_schema"),
    "wandbkit.schema_tools.diff": ("SchemaChange", "SchemaDiff", "diff_schemas"),
    "wandbkit.schema_tools.errors": ("SchemaToolError",),
    "wandbkit.schema_tools.pull": ("pull_schema", "sdl_from_introspection", "stable_sdl"),
}
_EXPORTS = LazyExports(__name__, globals(), _PUBLIC)
__all__ = _EXPORTS.all
__getattr__ = _EXPORTS.getattr
__dir__ = _EXPORTS.dir
