"""The executable schema: ``schema/wandb.graphql`` bound to the server's resolvers and scalars."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from ariadne import make_executable_schema
from graphql import GraphQLEnumType, GraphQLSchema, parse

from wandbkit._schema import schema_path
from wandbkit.server.resolvers import all_bindables
from wandbkit.server.scalars import scalar_types


def defined_type_names(sdl: str) -> set[str]:
    """Names of the types, scalars and extensions an SDL document defines."""
    names: set[str] = set()
    for definition in parse(sdl).definitions:
        name = getattr(definition, "name", None)
        if name is not None:
            names.add(name.value)
    return names


@functools.lru_cache(maxsize=4)
def build_executable_schema(path: Path | None = None) -> GraphQLSchema:
    """Build (once per process and path) the executable schema the server runs.

    Args:
        path: the SDL file; default :func:`wandbkit._schema.schema_path`, the same file the
            client is generated from.

    Returns:
        A schema whose resolvers read the store through ``info.context``
        (:class:`~wandbkit.server.resolvers.RequestContext`); it holds no state of its own, so
        many apps may share it.
    """
    sdl = (path or schema_path()).read_text(encoding="utf-8")
    defined = defined_type_names(sdl)
    # Ariadne refuses to bind a scalar the SDL does not declare; the list of known scalars is
    # wider than today's schema (Duration), so bind only the ones present.
    scalars = [scalar for scalar in scalar_types() if scalar.name in defined]
    schema = make_executable_schema(sdl, *scalars, *all_bindables(), convert_names_case=True)
    _accept_enum_parse_arguments(schema)
    return schema


def _accept_enum_parse_arguments(schema: GraphQLSchema) -> None:
    """Let every enum's ``parse_value`` take the extra argument graphql-core passes.

    Ariadne replaces each enum's ``parse_value`` with a one-argument function, while
    graphql-core (3.2.14) calls it as ``parse_value(value, hide_suggestions)`` when it coerces
    variables: without this, every enum value sent in ``variables`` (``digestAlgorithm:
    "MANIFEST_MD5"``, ``manifestType: "FULL"``, ``storageLayout: "V2"``) failed the request.
    """
    for type_ in schema.type_map.values():
        if isinstance(type_, GraphQLEnumType):
            patched = type_.parse_value

            def parse_value(value: Any, *_: Any, _patched: Any = patched) -> Any:
                return _patched(value)

            type_.parse_value = parse_value  # type: ignore[method-assign,assignment]
