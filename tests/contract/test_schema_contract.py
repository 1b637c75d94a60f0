"""schema/ and queries/ against each other and against a real W&B server schema."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    build_schema,
    parse,
    validate,
)
from graphql.language import DocumentNode, TypeExtensionNode, UnionTypeExtensionNode

from wandbkit._schema import schema_text

ROOT = Path(__file__).resolve().parents[2]
QUERIES = sorted((ROOT / "queries").glob("*.graphql"))
REFERENCE = ROOT.parent / "shared" / "reference" / "wandb-server-schema-2024-01.graphql"
NEWER_MARKER = "# ==== Newer than the 2024-01 server snapshot (hand-written) ===="

pytestmark = pytest.mark.contract


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(schema_text())


@pytest.fixture(scope="module")
def reference() -> GraphQLSchema:
    if not REFERENCE.exists():
        pytest.skip(f"reference schema not present at {REFERENCE}")
    return build_schema(REFERENCE.read_text())


@functools.cache
def _newer_part() -> DocumentNode:
    """The hand-written part of schema/wandb.graphql (after the marker), parsed once."""
    return parse(schema_text().split(NEWER_MARKER, 1)[1])


def _newer_names() -> set[str]:
    """Type names defined or extended in the hand-written part of schema/wandb.graphql."""
    names = set()
    for definition in _newer_part().definitions:
        name = getattr(definition, "name", None)
        if name is not None:
            names.add(name.value)
    return names


def _newer_extensions() -> list[TypeExtensionNode]:
    return [d for d in _newer_part().definitions if isinstance(d, TypeExtensionNode)]


def _redefined_fields(reference: GraphQLSchema) -> set[tuple[str, str]]:
    """Snapshot fields that the hand-written part redefines (newer arguments since 2024-01)."""
    redefined = set()
    for extension in _newer_extensions():
        theirs = reference.type_map.get(extension.name.value)
        for field in getattr(extension, "fields", None) or ():
            if field.name.value in getattr(theirs, "fields", {}):
                redefined.add((extension.name.value, field.name.value))
    return redefined


def _extended_union_members() -> dict[str, set[str]]:
    members: dict[str, set[str]] = {}
    for extension in _newer_extensions():
        if isinstance(extension, UnionTypeExtensionNode):
            members.setdefault(extension.name.value, set()).update(
                t.name.value for t in extension.types or ()
            )
    return members


def test_there_are_queries_to_check() -> None:
    assert len(QUERIES) >= 3


def test_every_query_document_validates_against_the_schema(schema: GraphQLSchema) -> None:
    # Fragments are shared across files, as ariadne-codegen reads queries/ as one document.
    document = parse("\n".join(p.read_text() for p in QUERIES))
    errors = validate(schema, document)
    assert [e.message for e in errors] == []


def test_the_schema_keeps_a_hand_written_part_for_newer_fields() -> None:
    assert NEWER_MARKER in schema_text()
    assert {"ServerInfo", "ServerFeature", "Project"} <= _newer_names()


def _field_signature(field: object) -> tuple[str, tuple[tuple[str, str, object], ...]]:
    args = getattr(field, "args", {}) or {}
    return (
        str(field.type),  # type: ignore[attr-defined]
        tuple(sorted((name, str(arg.type), repr(arg.default_value)) for name, arg in args.items())),
    )


def test_every_shared_type_field_and_argument_is_identical_to_the_server_snapshot(
    schema: GraphQLSchema, reference: GraphQLSchema
) -> None:
    newer = _newer_names()
    redefined = _redefined_fields(reference)
    union_extensions = _extended_union_members()
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
                if (name, field_name) in redefined:
                    # Checked by the test below: only newer optional arguments may differ.
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
            # Members added by an `extend union` in the hand-written part are newer, not drift.
            extra_members -= union_extensions.get(name, set())
            if extra_members:
                problems.append(f"{name}: members {sorted(extra_members)} not in the snapshot")
    assert problems == []
    assert shared > 300


def test_fields_redefined_in_the_hand_written_part_only_add_optional_arguments(
    schema: GraphQLSchema, reference: GraphQLSchema
) -> None:
    # The real server added arguments to a few snapshot fields (Project.sweeps(filters:), ...).
    # The hand-written part redefines those fields; the snapshot's type and arguments must
    # survive unchanged, so a client written against the snapshot still validates.
    redefined = _redefined_fields(reference)
    assert redefined, "expected the hand-written part to redefine a few snapshot fields"
    problems: list[str] = []
    for type_name, field_name in sorted(redefined):
        ours = schema.type_map[type_name].fields[field_name]  # type: ignore[union-attr]
        theirs = reference.type_map[type_name].fields[field_name]  # type: ignore[union-attr]
        where = f"{type_name}.{field_name}"
        if str(ours.type) != str(theirs.type):
            problems.append(f"{where}: type {ours.type} here, {theirs.type} in the snapshot")
        for arg_name, arg in theirs.args.items():
            mine = ours.args.get(arg_name)
            if mine is None:
                problems.append(f"{where}: argument {arg_name} dropped")
            elif (str(mine.type), repr(mine.default_value)) != (
                str(arg.type),
                repr(arg.default_value),
            ):
                problems.append(f"{where}({arg_name}:): changed from the snapshot")
        for arg_name, arg in ours.args.items():
            if arg_name not in theirs.args and isinstance(arg.type, GraphQLNonNull):
                problems.append(f"{where}({arg_name}:): a newer argument must be optional")
    assert problems == []
