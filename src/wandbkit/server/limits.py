"""What one request to the local server may cost, and the checks that hold it to that.

Every limit is answered with HTTP 400 (or 413 for the body size) and a message naming the
limit, never with a slow request or a 5xx: W&B clients retry 5xx answers for a long time, so a
hostile or buggy request must fail fast and clearly. The numbers are generous for what W&B
clients send (of the official client's documents the deepest nests fields 11 levels, the
largest selects 72 fields and none has more than 3 aliases; ``tests/server/security`` checks
them all) and small enough that one request cannot hold the server.

==========================  ==========  =====================================================
limit                       value       what it bounds
==========================  ==========  =====================================================
``MAX_BODY_BYTES``          16 MiB      the bytes of a ``POST /graphql`` body (413 past it)
``MAX_JSON_DEPTH``          64          nesting of arrays and objects in the body
``MAX_QUERY_TOKENS``        20,000      the lexical tokens of a GraphQL document
``MAX_QUERY_DEPTH``         32          nesting of field selections, through fragments
``MAX_QUERY_FIELDS``        5,000       field selections, each fragment spread counted again
``MAX_QUERY_ALIASES``       500         aliased fields, counted the same way
``MAX_IN_VALUES``           10,000      one ``$in``/``$nin`` list (:mod:`wandbkit._lang.filters`;
                                        the client refuses it before sending, too)
``MAX_RUN_JSON_BYTES``      4 MiB       a run's ``config`` or ``summaryMetrics`` as JSON text
                                        (``upsertBucket``)
``MAX_SUMMARY_KEYS``        1,000       keys one summary update names
                                        (:mod:`wandbkit._lang.summary_merge`)
``MAX_REGEX_LENGTH``        1,000       a ``$regex`` pattern (:mod:`~wandbkit.server.run_filters`;
                                        RE2 matches in linear time, so no pattern can stall)
==========================  ==========  =====================================================
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

if TYPE_CHECKING:
    from starlette.requests import Request

MAX_BODY_BYTES = 16 * 1024 * 1024
MAX_JSON_DEPTH = 64
MAX_QUERY_TOKENS = 20_000
MAX_QUERY_DEPTH = 32
MAX_QUERY_FIELDS = 5_000
MAX_QUERY_ALIASES = 500
MAX_RUN_JSON_BYTES = 4 * 1024 * 1024


class BodyTooLargeError(ValueError):
    """A request body past its limit (:data:`MAX_BODY_BYTES` for GraphQL)."""


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused as soon as it is known to pass ``limit`` bytes.

    Raises:
        BodyTooLargeError: by the ``Content-Length`` header before reading, or while reading a
            body sent without one.
    """
    too_large = f"the request body is larger than the limit of {limit} bytes"
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise BodyTooLargeError(too_large)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLargeError(too_large)
        chunks.append(chunk)
    return b"".join(chunks)


def json_depth_error(value: Any, limit: int = MAX_JSON_DEPTH) -> str | None:
    """Why ``value`` (parsed JSON) nests too deeply, or ``None`` when it does not.

    Iterative, so a value of any depth is measured without recursion.

    Example:
        >>> json_depth_error({"a": [1, {"b": 2}]}) is None
        True
        >>> json_depth_error([[[]]], limit=2)
        'the request body nests arrays and objects more than 2 levels deep'
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Iterable[Any] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return f"the request body nests arrays and objects more than {limit} levels deep"
        stack.extend((child, depth + 1) for child in children)
    return None


@dataclass(frozen=True)
class DocumentCost:
    """The size of a document's operations once fragments are expanded."""

    depth: int
    fields: int
    aliases: int


def document_cost(document: DocumentNode) -> DocumentCost:
    """Depth, field and alias counts of ``document``'s largest operation.

    The document must have passed validation (so no fragment spreads itself); each fragment is
    measured once and its cost multiplied by its uses, so a document that spreads a fragment
    of 100 aliases 100 times counts 10,000 aliases without being walked 10,000 times.
    """
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    memo: dict[str, DocumentCost] = {}

    def selection_cost(selection_set: SelectionSetNode | None) -> DocumentCost:
        depth = fields = aliases = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                inner = selection_cost(selection.selection_set)
                depth = max(depth, inner.depth + 1)
                fields += 1 + inner.fields
                aliases += (selection.alias is not None) + inner.aliases
                continue
            if isinstance(selection, FragmentSpreadNode):
                inner = fragment_cost(selection.name.value)
            else:
                assert isinstance(selection, InlineFragmentNode)
                inner = selection_cost(selection.selection_set)
            depth = max(depth, inner.depth)
            fields += inner.fields
            aliases += inner.aliases
        return DocumentCost(depth, fields, aliases)

    def fragment_cost(name: str) -> DocumentCost:
        if name not in memo:
            fragment = fragments.get(name)
            memo[name] = (
                selection_cost(fragment.selection_set) if fragment else DocumentCost(0, 0, 0)
            )
        return memo[name]

    costs = [
        selection_cost(d.selection_set)
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
    ]
    return DocumentCost(
        depth=max((c.depth for c in costs), default=0),
        fields=max((c.fields for c in costs), default=0),
        aliases=max((c.aliases for c in costs), default=0),
    )


def document_cost_errors(document: DocumentNode) -> list[GraphQLError]:
    """The limits ``document`` breaks (empty when it is within all of them)."""
    cost = document_cost(document)
    errors = []
    if cost.depth > MAX_QUERY_DEPTH:
        errors.append(f"nests fields {cost.depth} levels deep; the limit is {MAX_QUERY_DEPTH}")
    if cost.fields > MAX_QUERY_FIELDS:
        errors.append(f"selects {cost.fields} fields; the limit is {MAX_QUERY_FIELDS}")
    if cost.aliases > MAX_QUERY_ALIASES:
        errors.append(f"uses {cost.aliases} aliases; the limit is {MAX_QUERY_ALIASES}")
    return [GraphQLError(f"the query {message}") for message in errors]
