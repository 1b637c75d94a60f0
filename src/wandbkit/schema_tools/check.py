"""``schema check``: validate GraphQL documents against a schema, with file:line:column errors.

Documents are grouped as ariadne-codegen reads them: every ``.graphql`` / ``.gql`` file under a
directory (recursively) belongs to one set, so a fragment defined in one file may be used in
another, and names must be unique across the set. A file given by itself stands alone. Each
error points at the file, line and column where the problem is; an error that involves several
places (a fragment defined twice, say) names the others too.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    Source,
    build_client_schema,
    build_schema,
    parse,
    validate,
)
from graphql.language import Node

from wandbkit.schema_tools.errors import SchemaToolError

__all__ = [
    "DOCUMENT_SUFFIXES",
    "DocumentError",
    "check_document_sets",
    "check_documents",
    "document_sets",
    "load_schema",
]

#: The file name endings of GraphQL documents (as ariadne-codegen reads them).
DOCUMENT_SUFFIXES = (".graphql", ".gql")

SchemaInput = str | os.PathLike[str] | GraphQLSchema


@dataclass(frozen=True)
class DocumentError:
    """One problem in one document.

    Attributes:
        path: the file, as found from the paths given (relative stays relative).
        line: 1-based line, or ``None`` when the problem has no position (a missing file).
        column: 1-based column, or ``None`` likewise.
        message: what is wrong, as graphql-core's validation says it (plus other places
            involved, if any).

    Example:
        >>> str(DocumentError("queries/runs.graphql", 3, 5, "Unknown argument 'x'."))
        "queries/runs.graphql:3:5: Unknown argument 'x'."
    """

    path: str
    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


def load_schema(schema: SchemaInput) -> GraphQLSchema:
    """Build a schema from SDL text, an SDL file or an introspection JSON file.

    Args:
        schema: a :class:`graphql.GraphQLSchema` (returned as is); a path (``str`` without a
            newline or ``{``, or ``os.PathLike``) to an SDL file, or to a ``.json`` file holding
            an introspection result (``{"data": {"__schema": ...}}`` or ``{"__schema": ...}``);
            or SDL text.

    Returns:
        The validated schema.

    Raises:
        SchemaToolError: the file cannot be read, or the schema is invalid.

    Example:
        >>> load_schema("type Query { ok: Boolean }").query_type.name
        'Query'
    """
    if isinstance(schema, GraphQLSchema):
        return schema
    text: str
    source_name = "schema"
    if isinstance(schema, str) and ("\n" in schema or "{" in schema):
        text = schema
    else:
        path = Path(schema)
        source_name = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SchemaToolError(f"cannot read the schema {path}: {exc.strerror}") from None
        if path.suffix.lower() == ".json":
            return _schema_from_introspection_json(text, source_name)
    try:
        return build_schema(Source(text, source_name))
    except GraphQLError as exc:
        raise SchemaToolError(f"invalid schema: {_describe(exc)}") from None
    except TypeError as exc:  # graphql-core reports an invalid type system this way
        raise SchemaToolError(f"invalid schema {source_name}: {exc}") from None


def _schema_from_introspection_json(text: str, source_name: str) -> GraphQLSchema:
    try:
        payload = json.loads(text)
    except ValueError as exc:
        raise SchemaToolError(f"{source_name} is not JSON: {exc}") from None
    if isinstance(payload, dict) and isinstance(payload.get("data"), dict):
        payload = payload["data"]
    if not isinstance(payload, dict) or "__schema" not in payload:
        raise SchemaToolError(f"{source_name} holds no introspection result (no __schema)")
    try:
        return build_client_schema(payload)  # type: ignore[arg-type]
    except (TypeError, ValueError, KeyError) as exc:
        raise SchemaToolError(f"{source_name}: invalid introspection result: {exc}") from None


def _document_files(directory: Path) -> list[Path]:
    return sorted(
        p for p in directory.rglob("*") if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES
    )


def document_sets(
    paths: Iterable[str | os.PathLike[str]], *, shared_fragments: bool = True
) -> tuple[list[list[Path]], list[DocumentError]]:
    """Group paths into the sets of files that are validated together.

    Args:
        paths: files and directories.
        shared_fragments: ``True``: the files under one directory form one set. ``False``:
            every file is a set of its own (documents that each define their fragments, like
            the official client's).

    Returns:
        ``(sets, problems)``: the sets, in the order given, and an error for each path that
        is missing or holds no documents.
    """
    sets: list[list[Path]] = []
    problems: list[DocumentError] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = _document_files(path)
            if not files:
                suffixes = " or ".join(DOCUMENT_SUFFIXES)
                problems.append(DocumentError(str(path), None, None, f"no {suffixes} files"))
            elif shared_fragments:
                sets.append(files)
            else:
                sets.extend([f] for f in files)
        elif path.is_file():
            sets.append([path])
        else:
            problems.append(DocumentError(str(path), None, None, "no such file or directory"))
    return sets, problems


def check_documents(
    schema: SchemaInput,
    paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    shared_fragments: bool = True,
) -> list[DocumentError]:
    """Validate GraphQL documents against a schema.

    Every rule of the GraphQL specification applies (unknown fields and arguments, wrong
    variable types, unused or unknown fragments, duplicate operation names, ...). A file that
    does not parse is reported with its syntax error, and the rest of its set is not validated
    (every fragment it defines would otherwise show up as unknown).

    Args:
        schema: the schema: SDL text, an SDL or introspection JSON file, or a
            :class:`graphql.GraphQLSchema` (see :func:`load_schema`).
        paths: ``.graphql`` files and directories (a single path is accepted too).
        shared_fragments: whether the files under a directory share fragments (see
            :func:`document_sets`).

    Returns:
        Every problem, sorted by file, line and column; empty when all documents are valid.

    Raises:
        SchemaToolError: the schema cannot be loaded.

    Example:
        >>> from wandbkit.schema_tools import check_documents
        >>> for error in check_documents("schema/wandb.graphql", ["queries"]):  # doctest: +SKIP
        ...     print(error)  # queries/runs.graphql:12:7: Cannot query field 'lossy' on ...
    """
    built = load_schema(schema)
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return check_document_sets(built, *document_sets(paths, shared_fragments=shared_fragments))


def check_document_sets(
    schema: GraphQLSchema, sets: Iterable[list[Path]], problems: Iterable[DocumentError] = ()
) -> list[DocumentError]:
    """Validate sets found by :func:`document_sets`; with its ``problems``, sorted.

    :func:`check_documents` in two steps, for callers that also need the sets (the CLI counts
    the files it checked).
    """
    errors = list(problems)
    for files in sets:
        errors.extend(_check_set(schema, files))
    return sorted(set(errors), key=_sort_key)


def _sort_key(error: DocumentError) -> tuple[str, int, int, str]:
    return (error.path, error.line or 0, error.column or 0, error.message)


def _check_set(schema: GraphQLSchema, files: list[Path]) -> list[DocumentError]:
    documents: list[DocumentNode] = []
    problems: list[DocumentError] = []
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(DocumentError(str(file), None, None, f"cannot read: {exc}"))
            continue
        try:
            documents.append(parse(Source(text, str(file))))
        except GraphQLError as exc:
            problems.append(_document_error(exc, default_path=str(file)))
    if problems:
        return problems
    # One document of all the definitions: each node keeps its own Source, so positions still
    # point into the file it came from.
    merged = DocumentNode(
        definitions=tuple(d for document in documents for d in document.definitions)
    )
    return [_document_error(e, default_path=str(files[0])) for e in validate(schema, merged)]


def _places(error: GraphQLError) -> list[tuple[str, int, int]]:
    places: list[tuple[str, int, int]] = []
    nodes: Sequence[Node] = error.nodes or ()
    for node in nodes:
        loc = node.loc
        if loc is None:
            continue
        where = loc.source.get_location(loc.start)
        places.append((loc.source.name, where.line, where.column))
    if not places and error.source is not None and error.locations:
        # Syntax errors carry a source and positions but no nodes.
        places = [(error.source.name, loc.line, loc.column) for loc in error.locations]
    return places


def _document_error(error: GraphQLError, *, default_path: str) -> DocumentError:
    places = _places(error)
    if not places:
        return DocumentError(default_path, None, None, error.message)
    (path, line, column), *others = places
    message = error.message
    if others:
        message += " (also at " + ", ".join(f"{p}:{ln}:{c}" for p, ln, c in others) + ")"
    return DocumentError(path, line, column, message)


def _describe(error: GraphQLError) -> str:
    places = _places(error)
    if not places:
        return error.message
    path, line, column = places[0]
    return f"{path}:{line}:{column}: {error.message}"
