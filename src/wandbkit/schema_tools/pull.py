"""``schema pull``: introspect a live W&B-compatible server and print its schema as stable SDL.

The output is meant to be committed and diffed, so it is byte-stable for a given schema: the
types are sorted by name, and so are fields, arguments, enum values, union members and
interfaces (:func:`graphql.lexicographic_sort_schema`). The server's own field order is an
implementation detail that can change between deployments without any change to the contract;
sorting keeps such non-changes out of ``git diff``. Descriptions are kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from graphql import (
    GraphQLSchema,
    build_client_schema,
    get_introspection_query,
    lexicographic_sort_schema,
    print_schema,
)

from wandbkit._core.config import resolve_settings
from wandbkit._core.errors import GraphQLError
from wandbkit.schema_tools.errors import SchemaToolError

if TYPE_CHECKING:
    import httpx

__all__ = ["INTROSPECTION_OPERATION", "pull_schema", "sdl_from_introspection", "stable_sdl"]

#: The operation name of the introspection query (graphql-core's standard query).
INTROSPECTION_OPERATION = "IntrospectionQuery"


def stable_sdl(schema: GraphQLSchema) -> str:
    """Print a schema as SDL with every list sorted (see the module docstring).

    Args:
        schema: any schema.

    Returns:
        The SDL text, ending with a newline.

    Example:
        >>> from graphql import build_schema
        >>> print(stable_sdl(build_schema("type Query { b: Int a: String }")), end="")
        type Query {
          a: String
          b: Int
        }
    """
    return print_schema(lexicographic_sort_schema(schema)).rstrip("\n") + "\n"


def sdl_from_introspection(result: Mapping[str, Any]) -> str:
    """Turn the ``data`` of an introspection query into stable SDL.

    Args:
        result: the ``data`` object of the standard introspection query (it has ``__schema``).

    Returns:
        The SDL text, sorted as :func:`stable_sdl` does.

    Raises:
        SchemaToolError: the result is not a usable introspection result.
    """
    if not isinstance(result, Mapping) or not isinstance(result.get("__schema"), Mapping):
        raise SchemaToolError("the server's answer is not an introspection result (no __schema)")
    try:
        schema = build_client_schema(result)  # type: ignore[arg-type]
    except (TypeError, ValueError, KeyError) as exc:
        raise SchemaToolError(f"the server's introspection result is invalid: {exc}") from None
    return stable_sdl(schema)


def pull_schema(
    base_url: str | None = None,
    *,
    api_key: str | None = None,
    timeout: float | None = None,
    max_retries: int | None = None,
    transport: httpx.BaseTransport | None = None,
) -> str:
    """Introspect a live server and return its schema as stable SDL.

    The key and URL are resolved like every wandbkit client's: arguments, then
    ``WANDB_API_KEY`` / ``WANDB_BASE_URL``, then ``~/.netrc``. The request is one ``POST
    {base_url}/graphql`` with the standard introspection query (graphql-core's, with
    descriptions), retried as any other query.

    Args:
        base_url: the server, e.g. ``http://127.0.0.1:8080`` (default: ``WANDB_BASE_URL``, else
            ``https://api.wandb.ai``).
        api_key: the API key (W&B servers answer introspection only to a known key).
        timeout: seconds the request may take.
        max_retries: re-sends after a failed attempt.
        transport: an httpx transport (e.g. ``httpx.ASGITransport``-like test transports).

    Returns:
        The server's schema as SDL: types, fields and arguments sorted by name, descriptions
        kept, ending with a newline.

    Raises:
        wandbkit.UsageError: a malformed base URL or key.
        wandbkit.AuthenticationError: no key, or the server refused it (HTTP 401).
        wandbkit.APIError: any other failure to get an answer (connection, status, GraphQL).
        SchemaToolError: the server answered, but not with a usable introspection result
            (GraphQL errors, for example because it disables introspection).

    Example:
        >>> from wandbkit.schema_tools import pull_schema
        >>> sdl = pull_schema("http://127.0.0.1:8080", api_key="...")  # doctest: +SKIP
        >>> "type Query" in sdl  # doctest: +SKIP
        True
    """
    # Imported here: the sync transport pulls in httpx and the retry machinery, which the
    # `check` and `diff` commands never need.
    from wandbkit._sync.transport import Transport

    settings = resolve_settings(
        api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries
    )
    with Transport(settings, transport=transport) as sender:
        try:
            data = sender.graphql(get_introspection_query(), operation_name=INTROSPECTION_OPERATION)
        except GraphQLError as exc:
            # A 200 with errors: the server is there and accepted the key, but will not
            # describe itself (introspection disabled, or a proxy in the way).
            raise SchemaToolError(
                f"{settings.base_url} refused the introspection query: {exc}"
            ) from exc
    return sdl_from_introspection(data)
