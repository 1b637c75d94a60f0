"""The planned executor hands every irregular answer to graphql-core, and reads resolvers as
graphql-core and Ariadne do.

A small schema of its own makes each irregularity happen (a resolver that raises, an
``Exception`` or ``Undefined`` returned, nulls in non-null positions, values a scalar or enum
refuses, abstract types resolving to nothing or to an impossible type, ``info.path`` read):
each answer is compared with graphql-core's, and whether the plan gave it. The server's own
resolvers are scanned for reads of their resolve info other than ``info.context``, which
the plan's shared infos would not give right.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ariadne import InterfaceType, ObjectType, QueryType, UnionType, make_executable_schema
from graphql import ExecutionContext, GraphQLResolveInfo, GraphQLSchema, Undefined, parse, validate

from .test_planned_execution import Recording, answer

SERVER_SOURCES = Path(__file__).resolve().parents[3] / "src" / "wandbkit" / "server"


# -- a schema of irregularities ------------------------------------------------------------

IRREGULAR_SDL = """
interface Named { name: String! }
type Cat implements Named { name: String! livesLeft: Int! }
type Dog implements Named { name: String! goodBoy: Boolean }
union Pet = Cat | Dog
enum Size { SMALL BIG }

type Item {
  id: ID!
  label: String!
  score: Float
  rank: Int
  size: Size
  tags: [String!]
  child: Item
  wherePath: [String]
}

type Query {
  items(count: Int = 3, raiseAt: Int, errorAt: Int, nullAt: Int, badAt: Int): [Item!]
  nullableItems(count: Int = 3, nullAt: Int): [Item]
  pets: [Pet]
  named: [Named!]!
  oddPet(to: String!): Pet
  boom: String
  returnsError: String
  nonNull: String!
  tooBig: Int
  notAList: [Int]
  notASize: Size
  holder: Holder
  undefined: String
}

type Holder { greet: String }
"""


def _item(index: int, **kw: Any) -> dict[str, Any]:
    return {
        "id": index,
        "label": f"item {index}",
        "score": index / 2,
        "rank": index,
        "size": "BIG" if index % 2 else "SMALL",
        "tags": ["a", "b"],
        "child": {"id": f"c{index}", "label": "child", "tags": []} if index == 1 else None,
        **kw,
    }


def _irregular_schema() -> GraphQLSchema:
    query = QueryType()
    item = ObjectType("Item")

    @query.field("items")
    def items(
        _: Any,
        __: GraphQLResolveInfo,
        count: int,
        raiseAt: int | None = None,
        errorAt: int | None = None,
        nullAt: int | None = None,
        badAt: int | None = None,
    ) -> list[dict[str, Any]]:
        rows = [_item(i) for i in range(count)]
        for index, row in enumerate(rows):
            if index == raiseAt:
                row["label"] = _Raises()
            if index == errorAt:
                row["score"] = ValueError(f"no score for {index}")
            if index == nullAt:
                row["label"] = None
            if index == badAt:
                row["rank"] = "not a number"
        return rows

    @query.field("nullableItems")
    def nullable_items(
        _: Any, __: GraphQLResolveInfo, count: int, nullAt: int | None = None
    ) -> Any:
        return [None if i == nullAt else _item(i) for i in range(count)]

    @item.field("wherePath")
    def where_path(_: Any, info: GraphQLResolveInfo) -> list[Any]:
        return [str(key) for key in info.path.as_list()]

    pets = [{"__typename": "Cat", "name": "Tom", "livesLeft": 9}, {"kind": "dog", "name": "Rex"}]
    query.set_field("pets", lambda *_: pets)
    query.set_field("named", lambda *_: pets)
    query.set_field("oddPet", lambda _, __, to: {"to": to, "name": "odd", "livesLeft": 1})
    query.set_field("boom", _boom)
    query.set_field("returnsError", lambda *_: KeyError("returned, not raised"))
    query.set_field("nonNull", lambda *_: None)
    query.set_field("undefined", lambda *_: Undefined)
    query.set_field("tooBig", lambda *_: 2**40)
    query.set_field("notAList", lambda *_: 7)
    query.set_field("notASize", lambda *_: "HUGE")
    query.set_field("holder", lambda *_: {"greet": lambda info: f"hello from {info.field_name}"})
    pet = UnionType("Pet", lambda obj, *_: obj.get("__typename") or obj.get("to") or "Dog")
    named = InterfaceType("Named", lambda obj, *_: obj.get("__typename") or "Dog")
    schema = make_executable_schema(IRREGULAR_SDL, query, item, pet, named)
    return schema


def _boom(*_: Any) -> None:
    raise RuntimeError("boom")


class _Raises:
    """A value whose serialization raises (String's ``str()`` of a non-builtin)."""

    def __str__(self) -> str:
        raise RuntimeError("cannot be a string")


IRREGULAR = [
    ("{ items { id label score rank size tags child { id label tags child { id } } } }", True),
    ("{ a: items(count: 2) { id } b: items(count: 4) { id label } }", True),
    ("{ items(raiseAt: 1) { id label } }", False),
    ("{ items(errorAt: 2) { id score } }", False),
    ("{ items(nullAt: 0) { id label } }", False),
    ("{ items(badAt: 1) { rank } }", False),
    ("{ nullableItems(nullAt: 1) { id } }", True),
    ("{ items(count: 2) { id wherePath } }", False),
    ("{ pets { __typename ... on Cat { name livesLeft } ... on Dog { name goodBoy } } }", True),
    ("{ named { __typename name ... on Cat { livesLeft } } }", True),
    ('{ oddPet(to: "Nope") { __typename } }', False),
    ('{ oddPet(to: "Named") { __typename } }', False),
    ('{ oddPet(to: "Cat") { ... on Cat { name livesLeft } } }', True),
    ("{ boom }", False),
    ("{ returnsError }", False),
    ("{ nonNull }", False),
    ("{ tooBig }", False),
    ("{ notAList }", False),
    ("{ notASize }", False),
    ("{ holder { greet } }", True),
    ("{ undefined }", False),
    ("{ fine: items(count: 1) { id } boom }", False),
]


@pytest.mark.parametrize(("query", "by_plan"), IRREGULAR, ids=[q for q, _ in IRREGULAR])
def test_irregular_answers_are_graphql_cores_own(query: str, by_plan: bool) -> None:
    schema = _irregular_schema()
    document = parse(query)
    assert not validate(schema, document)
    Recording.runs.clear()
    planned = answer(schema, document, None, Recording)
    assert planned == answer(schema, document, None, ExecutionContext)
    assert [run.planned for run in Recording.runs] == [by_plan]


def test_names_converted_by_ariadne_are_read_like_its_resolvers_do() -> None:
    sdl = "type Query { thing: Thing } type Thing { versionIndex: Int createdAt: String }"
    query = QueryType()
    query.set_field("thing", lambda *_: {"version_index": 3, "created_at": "now"})
    schema = make_executable_schema(sdl, query, convert_names_case=True)
    document = parse("{ thing { versionIndex createdAt } }")
    Recording.runs.clear()
    planned = answer(schema, document, None, Recording)
    assert planned == answer(schema, document, None, ExecutionContext)
    assert json.loads(planned) == {"data": {"thing": {"versionIndex": 3, "createdAt": "now"}}}
    assert Recording.runs[0].planned is True


# -- shared resolve infos ------------------------------------------------------------------


def _info_uses(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """``(line, attribute)`` of every attribute read on a parameter typed
    ``GraphQLResolveInfo`` in the module ``tree``."""
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
        names = {
            a.arg
            for a in arguments
            if a.annotation is not None and "GraphQLResolveInfo" in ast.unparse(a.annotation)
        }
        if not names:
            continue
        for inner in ast.walk(node):
            if (
                isinstance(inner, ast.Attribute)
                and isinstance(inner.value, ast.Name)
                and inner.value.id in names
            ):
                yield inner.lineno, inner.attr


def test_resolvers_read_nothing_but_the_context_from_their_info() -> None:
    # The planned executor shares one resolve info per field, selection and request, with no
    # path: a resolver reading info.path (or other per-call parts) must make it give paths.
    found = {}
    for path in sorted(SERVER_SOURCES.rglob("*.py")):
        if path.parent.name == "http" and path.stem in {"planned", "execution"}:
            continue
        for line, attr in _info_uses(ast.parse(path.read_text())):
            found[f"{path.relative_to(SERVER_SOURCES)}:{line}"] = attr
    assert found, "no resolver found: the scan looks in the wrong place"
    assert {where: attr for where, attr in found.items() if attr != "context"} == {}


def test_the_scan_sees_a_resolver_reading_its_path() -> None:
    source = "def f(row, info: GraphQLResolveInfo):\n    return info.path.as_list()\n"
    assert list(_info_uses(ast.parse(source))) == [(2, "path")]
