"""Every field of the types the server resolves can be selected without a null-violation error.

A non-null field that resolves to ``null`` fails the whole parent object in GraphQL, which
would break a client that never even asked about the domain behind it. This selects every
field (two levels deep, dummy values for required arguments) and expects no errors.
"""

from __future__ import annotations

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    Undefined,
    get_named_type,
)

from wandbkit.server.schema import build_executable_schema

from ..conftest import Data, PostGraphQL, ServerApp

DUMMY_SCALARS = {
    "String": '"x"',
    "ID": '"eDox"',
    "Int": "1",
    "Int64": "1",
    "Float": "1.0",
    "Boolean": "false",
    "JSONString": '"{}"',
    "JSON": "{}",
    "DateTime": '"2024-01-01T00:00:00Z"',
}


def dummy_value(type_: GraphQLInputType) -> str:
    if isinstance(type_, GraphQLNonNull):
        return dummy_value(type_.of_type)
    if isinstance(type_, GraphQLList):
        return "[]"
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        fields = [
            f"{name}: {dummy_value(f.type)}"
            for name, f in type_.fields.items()
            if isinstance(f.type, GraphQLNonNull)
        ]
        return "{" + ", ".join(fields) + "}"
    assert isinstance(type_, GraphQLScalarType)
    return DUMMY_SCALARS[type_.name]


def selection(type_: GraphQLObjectType, depth: int) -> str:
    parts = ["__typename"]
    for name, field in type_.fields.items():
        parts.append(name + arguments(field) + sub_selection(field, depth))
    return "{ " + " ".join(parts) + " }"


def arguments(field: GraphQLField) -> str:
    required = [
        f"{name}: {dummy_value(arg.type)}"
        for name, arg in field.args.items()
        if isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined
    ]
    return f"({', '.join(required)})" if required else ""


def sub_selection(field: GraphQLField, depth: int) -> str:
    named = get_named_type(field.type)
    if isinstance(named, (GraphQLScalarType, GraphQLEnumType)):
        return ""
    if isinstance(named, GraphQLObjectType) and depth > 0:
        return " " + selection(named, depth - 1)
    return " { __typename }"


ROOTS = {
    "viewer": "viewer",
    "project": 'project(name: "vision", entityName: "demo-team")',
    "team": 'entity(name: "demo-team")',
    "user-entity": 'entity(name: "demo")',
    "organization": 'organization(name: "demo-org")',
    "serverInfo": "serverInfo",
    "models": 'models(entityName: "demo-team")',
}


@pytest.mark.parametrize("root", list(ROOTS))
async def test_every_field_two_levels_deep_resolves_without_errors(
    gql: PostGraphQL, data: Data, server_app: ServerApp, root: str
) -> None:
    store = server_app.store
    team, user = store.entities.get("demo-team"), store.accounts.get_user("demo")
    assert team is not None and user is not None
    store.projects.upsert(team.pk, "vision", creator_pk=user.pk)
    schema = build_executable_schema()
    root_call = ROOTS[root]
    field = schema.query_type.fields[root_call.split("(")[0]]  # type: ignore[union-attr]
    named = get_named_type(field.type)
    assert isinstance(named, GraphQLObjectType)
    result = data(await gql(f"{{ result: {root_call} {selection(named, 1)} }}"))
    assert result["result"] is not None
