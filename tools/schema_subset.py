"""Select a faithful subset of a GraphQL server schema, driven by the documents that use it.

The W&B server schema has over 700 types; the client and the emulator need a fraction of them.
This tool keeps exactly the types and fields that a set of GraphQL documents select (plus what
makes the result a valid schema: argument and input types, interface fields on implementors,
union members), copying each kept definition from the server schema unchanged, so that every
type, field, argument and nullability the subset shares with the server is identical to it.

Fields newer than the server snapshot cannot come from it. They live in the hand-written part of
``schema/wandb.graphql`` below the ``NEWER_MARKER`` line, as ``extend type`` blocks with a comment
naming their source; the tool keeps that part as it is, and it does not count as "selected".

The selection runs against the snapshot *extended by* the hand-written part, so a snapshot type
that only a newer field reaches (``Entity.triggers: TriggerConnection!``) is kept in part 1 like any
other. A field that the hand-written part extends although the snapshot already has it is a newer
*version* of that field (the real server added arguments since, e.g. ``Project.sweeps(filters:)``):
part 1 then leaves the snapshot's version out, and the contract test checks that the newer one
only adds optional arguments.

Usage::

    python tools/schema_subset.py --server SERVER.graphql --out schema/wandb.graphql \\
        DOC_OR_DIR [DOC_OR_DIR ...]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from copy import copy
from pathlib import Path

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    build_ast_schema,
    extend_schema,
    get_named_type,
    parse,
    print_ast,
    visit,
)
from graphql.language import (
    DirectiveDefinitionNode,
    EnumTypeDefinitionNode,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    NamedTypeNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    TypeDefinitionNode,
    UnionTypeDefinitionNode,
    VariableDefinitionNode,
)

NEWER_MARKER = "# ==== Newer than the 2024-01 server snapshot (hand-written) ===="

HEADER = """\
# The W&B server schema, as wandbkit uses it.
#
# Part 1 is a faithful subset of a real W&B server schema (introspected January 2024): every type,
# field, argument and default below is identical to the server's. It is selected by
# tools/schema_subset.py from the documents in queries/ and those the official client sends;
# regenerate it with that tool rather than editing it by hand.
#
# Part 2, after the marker line, is hand-written: fields and types newer than that snapshot, each
# with a comment naming the official-client document it comes from.
#
# One schema feeds the generated client (ariadne-codegen), the local server (ariadne) and the
# contract tests.
"""


class _Selection(Visitor):
    """Collects (type, field) pairs and named types that documents touch."""

    def __init__(self, type_info: TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.fields: set[tuple[str, str]] = set()
        self.types: set[str] = set()

    def enter_field(self, node: FieldNode, *_: object) -> None:
        parent = self.type_info.get_parent_type()
        if parent is None or node.name.value.startswith("__"):
            return
        named = get_named_type(parent)
        if named is not None and node.name.value in getattr(named, "fields", {}):
            self.fields.add((named.name, node.name.value))

    def enter_inline_fragment(self, node: InlineFragmentNode, *_: object) -> None:
        if node.type_condition is not None:
            self.types.add(node.type_condition.name.value)

    def enter_fragment_definition(self, node: FragmentDefinitionNode, *_: object) -> None:
        self.types.add(node.type_condition.name.value)

    def enter_variable_definition(self, node: VariableDefinitionNode, *_: object) -> None:
        named = node.type
        while not isinstance(named, NamedTypeNode):
            named = named.type  # type: ignore[attr-defined]
        self.types.add(named.name.value)


def _documents(paths: Iterable[Path]) -> list[DocumentNode]:
    docs: list[DocumentNode] = []
    for path in paths:
        files = sorted(path.rglob("*.graphql")) if path.is_dir() else [path]
        docs.extend(parse(file.read_text()) for file in files)
    return docs


def select(
    schema: GraphQLSchema, docs: list[DocumentNode]
) -> tuple[set[str], set[tuple[str, str]]]:
    """Return the kept type names and (type, field) pairs for these documents."""
    fields: set[tuple[str, str]] = set()
    types: set[str] = set()
    for doc in docs:
        type_info = TypeInfo(schema)
        collector = _Selection(type_info)
        visit(doc, TypeInfoVisitor(type_info, collector))
        fields |= collector.fields
        types |= {t for t in collector.types if t in schema.type_map}

    changed = True
    while changed:
        changed = False
        for type_name, field_name in list(fields):
            types.add(type_name)
            owner = schema.type_map[type_name]
            field = owner.fields[field_name]  # type: ignore[attr-defined]
            types.add(get_named_type(field.type).name)
            for arg in getattr(field, "args", {}).values():
                types.add(get_named_type(arg.type).name)
        for name in list(types):
            named: GraphQLNamedType = schema.type_map[name]
            if isinstance(named, GraphQLInterfaceType):
                # Every kept implementor must carry the interface's kept fields.
                for impl in schema.get_possible_types(named):
                    if impl.name not in types:
                        continue
                    for type_name, field_name in list(fields):
                        if type_name == name and (impl.name, field_name) not in fields:
                            fields.add((impl.name, field_name))
                            changed = True
            if isinstance(named, (GraphQLObjectType, GraphQLInterfaceType)):
                for iface in named.interfaces:
                    for iface_field in iface.fields:
                        if (name, iface_field) in fields and (
                            iface.name,
                            iface_field,
                        ) not in fields:
                            fields.add((iface.name, iface_field))
                            changed = True
            if isinstance(named, GraphQLUnionType):
                for member in named.types:
                    if member.name not in types:
                        types.add(member.name)
                        changed = True
            if isinstance(named, GraphQLInputObjectType):
                for input_field in named.fields.values():
                    inner = get_named_type(input_field.type).name
                    if inner not in types:
                        types.add(inner)
                        changed = True
        # An object type kept without any selected field (a union member, say) keeps its id.
        owners = {t for t, _ in fields}
        for name in types - owners:
            named = schema.type_map[name]
            if isinstance(named, (GraphQLObjectType, GraphQLInterfaceType)):
                fields.add((name, _first_field(list(named.fields))))
                changed = True
    return types, fields


def _first_field(names: list[str]) -> str:
    """The field that stands for a type none of whose fields is selected: ``id``, else the first."""
    return "id" if "id" in names else names[0]


def _prune(
    node: TypeDefinitionNode, types: set[str], fields: set[tuple[str, str]]
) -> TypeDefinitionNode:
    name = node.name.value
    if isinstance(node, (ObjectTypeDefinitionNode, InterfaceTypeDefinitionNode)):
        kept_fields = tuple(f for f in node.fields or () if (name, f.name.value) in fields)
        kept_ifaces = tuple(i for i in node.interfaces or () if i.name.value in types)
        return node.__class__(
            name=node.name,
            description=node.description,
            directives=node.directives,
            interfaces=kept_ifaces,
            fields=kept_fields,
        )
    return node


_TYPE_DEFINITIONS = (
    ObjectTypeDefinitionNode,
    InterfaceTypeDefinitionNode,
    UnionTypeDefinitionNode,
    EnumTypeDefinitionNode,
    InputObjectTypeDefinitionNode,
    ScalarTypeDefinitionNode,
)


_FIELD_EXTENSIONS = (
    ObjectTypeExtensionNode,
    InterfaceTypeExtensionNode,
    InputObjectTypeExtensionNode,
)
_FIELD_DEFINITIONS = (
    ObjectTypeDefinitionNode,
    InterfaceTypeDefinitionNode,
    InputObjectTypeDefinitionNode,
)


def redefined_fields(server_ast: DocumentNode, newer_ast: DocumentNode) -> set[tuple[str, str]]:
    """(type, field) pairs that the hand-written part redefines although the server has them."""
    server_fields = {
        (d.name.value, f.name.value)
        for d in server_ast.definitions
        if isinstance(d, _FIELD_DEFINITIONS)
        for f in d.fields or ()
    }
    newer_fields = {
        (d.name.value, f.name.value)
        for d in newer_ast.definitions
        if isinstance(d, _FIELD_EXTENSIONS)
        for f in d.fields or ()
    }
    return server_fields & newer_fields


def _without(server_ast: DocumentNode, dropped: set[tuple[str, str]]) -> DocumentNode:
    # The hand-written part's version of these fields replaces the snapshot's.
    definitions = []
    for d in server_ast.definitions:
        if isinstance(d, _FIELD_DEFINITIONS) and any(t == d.name.value for t, _ in dropped):
            kept = tuple(f for f in d.fields or () if (d.name.value, f.name.value) not in dropped)
            d = copy(d)
            d.fields = kept  # type: ignore[assignment]
        definitions.append(d)
    return DocumentNode(definitions=tuple(definitions))


def build_subset(server_sdl: str, docs: list[DocumentNode], newer_sdl: str = "") -> str:
    """Return the SDL of the subset of ``server_sdl`` that ``docs`` need.

    ``newer_sdl`` is the hand-written part: selection sees the server schema extended by it, and
    the fields it redefines are left out of the subset.
    """
    server_ast = parse(server_sdl)
    schema = build_ast_schema(server_ast)
    if newer_sdl.strip():
        newer_ast = parse(newer_sdl)
        server_ast = _without(server_ast, redefined_fields(server_ast, newer_ast))
        schema = extend_schema(build_ast_schema(server_ast), newer_ast)
    types, fields = select(schema, docs)
    # Types that only the hand-written part defines are not part 1's to print.
    types &= {d.name.value for d in server_ast.definitions if isinstance(d, _TYPE_DEFINITIONS)}
    for d in server_ast.definitions:
        # A type reached only for its newer fields still needs one field of its own in part 1.
        if (
            isinstance(d, (ObjectTypeDefinitionNode, InterfaceTypeDefinitionNode))
            and d.name.value in types
            and d.fields
            and not any((d.name.value, f.name.value) in fields for f in d.fields)
        ):
            fields.add((d.name.value, _first_field([f.name.value for f in d.fields])))
    builtin = {"String", "Int", "Float", "Boolean", "ID"}
    roots = ["Query", "Mutation"]
    directive_defs: list[DirectiveDefinitionNode] = []
    kept: dict[str, TypeDefinitionNode] = {}
    for definition in server_ast.definitions:
        if isinstance(definition, DirectiveDefinitionNode):
            directive_defs.append(definition)
        elif (
            isinstance(definition, _TYPE_DEFINITIONS)
            and definition.name.value in types
            and definition.name.value not in builtin
        ):
            kept[definition.name.value] = _prune(definition, types, fields)
    order = [r for r in roots if r in kept] + sorted(n for n in kept if n not in roots)
    parts = [print_ast(d) for d in directive_defs] + [print_ast(kept[n]) for n in order]
    return "\n\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", required=True, type=Path, help="the server schema (SDL)")
    parser.add_argument("--out", required=True, type=Path, help="the schema file to (re)write")
    parser.add_argument("documents", nargs="+", type=Path, help=".graphql files or folders")
    args = parser.parse_args(argv)

    docs = _documents(args.documents)
    newer = ""
    if args.out.exists():
        existing = args.out.read_text()
        if NEWER_MARKER in existing:
            newer = existing.split(NEWER_MARKER, 1)[1].lstrip("\n")
    subset = build_subset(args.server.read_text(), docs, newer)
    text = HEADER + "\n" + subset + "\n" + NEWER_MARKER + "\n\n" + newer
    args.out.write_text(text.rstrip("\n") + "\n")
    n_types = subset.count("\ntype ") + subset.count("\ninput ") + subset.count("\nenum ")
    print(f"wrote {args.out}: {n_types} types from {len(docs)} documents", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
