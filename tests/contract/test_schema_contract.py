"""schema/ and queries/ against each other and against a real W&B server schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    build_schema,
    parse,
    validate,
)

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schema" / "wandb.graphql"
QUERIES = sorted((ROOT / "queries").glob("*.graphql"))
REFERENCE = ROOT.parent / "shared" / "reference" / "wandb-server-schema-2024-01.graphql"
NEWER_MARKER = "# ==== Newer than the 2024-01 server snapshot (hand-written) ===="

pytestmark = pytest.mark.contract


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(SCHEMA.read_text())


@pytest.fixture(scope="module")
def reference() -> GraphQLSchema:
    if not REFERENCE.exists():
        pytest.skip(f"reference schema not present at {REFERENCE}")
    return build_schema(REFERENCE.read_text())


def _newer_names(text: str) -> set[str]:
    """Type names defined or extended in the hand-written part of schema/wandb.graphql."""
    newer = text.split(NEWER_MARKER, 1)[1]
    names = set()
    for definition in parse(newer).definitions:
        name = getattr(definition, "name", None)
        if name is not None:
            names.add(name.value)
    return names


def test_there_are_queries_to_check() -> None:
    assert len(QUERIES) >= 3


def test_every_query_document_validates_against_the_schema(schema: GraphQLSchema) -> None:
    # Fragments are shared across files, as ariadne-codegen reads queries/ as one document.
    document = parse("\n".join(p.read_text() for p in QUERIES))
    errors = validate(schema, document)
    assert [e.message for e in errors] == []


def test_the_schema_keeps_a_hand_written_part_for_newer_fields() -> None:
    text = SCHEMA.read_text()
    assert NEWER_MARKER in text
    assert {"ServerInfo", "ServerFeature", "Project"} <= _newer_names(text)


def _field_signature(field: object) -> tuple[str, tuple[tuple[str, str, object], ...]]:
    args = getattr(field, "args", {}) or {}
    return (
        str(field.type),  # type: ignore[attr-defined]
        tuple(sorted((name, str(arg.type), repr(arg.default_value)) for name, arg in args.items())),
    )


def test_every_shared_type_field_and_argument_is_identical_to_the_server_snapshot(
    schema: GraphQLSchema, reference: GraphQLSchema
) -> None:
    newer = _newer_names(SCHEMA.read_text())
    problems: list[str] = []
    shared = 0
    for name, ours in schema.type_map.items():
        if name.startswith("__"):
            continue
        theirs = reference.type_map.get(name)
        if theirs is None:
            if name not in newer:
                problems.append(f"{name}: not in the snapshot and not marked as newer")
            continue
        if type(ours) is not type(theirs):
            problems.append(f"{name}: {type(ours).__name__} here, {type(theirs).__name__} there")
            continue
        if isinstance(ours, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)):
            their_fields = theirs.fields  # type: ignore[union-attr]
            for field_name, field in ours.fields.items():
                if field_name not in their_fields:
                    if name not in newer:
                        problems.append(f"{name}.{field_name}: not in the snapshot")
                    continue
                shared += 1
                mine, real = _field_signature(field), _field_signature(their_fields[field_name])
                if mine != real:
                    problems.append(f"{name}.{field_name}: {mine} here, {real} in the snapshot")
        if isinstance(ours, (GraphQLObjectType, GraphQLInterfaceType)):
            their_ifaces = {i.name for i in theirs.interfaces}  # type: ignore[union-attr]
            extra = {i.name for i in ours.interfaces} - their_ifaces
            if extra:
                problems.append(f"{name}: implements {sorted(extra)} only here")
        if isinstance(ours, GraphQLEnumType):
            extra_values = set(ours.values) - set(theirs.values)  # type: ignore[union-attr]
            if extra_values and name not in newer:
                problems.append(f"{name}: values {sorted(extra_values)} not in the snapshot")
        if isinstance(ours, GraphQLUnionType):
            extra_members = {t.name for t in ours.types} - {
                t.name
                for t in theirs.types  # type: ignore[union-attr]
            }
            if extra_members:
                problems.append(f"{name}: members {sorted(extra_members)} not in the snapshot")
    assert problems == []
    assert shared > 300
