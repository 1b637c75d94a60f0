"""The plans :mod:`wandbkit.server.http.planned` executes queries by, cached per document.

A plan is request-independent: for one object type and merged field nodes, the response keys
in graphql-core's order (``collect_fields``/``collect_subfields``: fragments, type conditions,
``@skip``/``@include``), and for each its field, how its value is read, its argument values
when they hold no variable, and a completion function made for its return type. What depends
on the request (the resolve info, with its context and variables; arguments holding
variables; the answers already completed) is bound by the executor, which completion
functions receive as their first argument (:class:`Runner`).

Plans are cached per (schema, document, operation, resolvers) and the values of the variables
the document's ``@skip``/``@include`` read, since only those change the selection: the pages
of a listing, which differ by their cursor, share one plan. Nested plans are made the first
time an object of their selection is completed; two requests doing so at once both make one,
the last kept (plans hold nothing of a request, so either is right).
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, Protocol

from ariadne import resolve_to
from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLFieldResolver,
    GraphQLID,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    GraphQLTypeResolver,
    GraphQLUnionType,
    Node,
    OperationDefinitionNode,
    Undefined,
    VariableNode,
    default_field_resolver,
)
from graphql.execution.collect_fields import collect_fields, collect_sub_fields
from graphql.execution.execute import get_field_def
from graphql.execution.values import get_argument_values
from graphql.pyutils import is_iterable

from wandbkit.server.resolvers import Strings
from wandbkit.server.scalars import passthrough, serialize_json_string

__all__ = ["Abandon", "Field", "FieldSpec", "Runner", "root_plan"]

#: How a field's value is read: an attribute or key of the parent (graphql-core's default
#: resolver, or one of Ariadne's ``resolve_to`` resolvers), a resolver; with arguments known
#: in advance or bound per request (they hold variables); ``__typename``; or not at all:
#: its arguments do not coerce (graphql-core's field error).
ATTR, ATTR_BOUND, RESOLVE, RESOLVE_BOUND, TYPENAME, BROKEN = range(6)

#: Serializers that answer a ``str`` as it is (String, ID, JSONString, JSON), and those that
#: answer a ``bool`` as it is: such values need no completion.
_STR_AS_IS = frozenset(
    {GraphQLString.serialize, GraphQLID.serialize, serialize_json_string, passthrough}
)
_BOOL_AS_IS = frozenset({GraphQLBoolean.serialize, passthrough})

# Ariadne's convert_names_case gives fields such as ``versionIndex`` a resolve_to("version_index")
# resolver: recognised by its code object, read inline by the attribute name it closes over.
_RESOLVE_TO_CODE = resolve_to("_").__code__

#: Documents whose plans are kept (the endpoint keeps as many parsed documents), and plan
#: variants (``@skip``/``@include`` values) per document.
_CACHE_SIZE = 512
_VARIANTS = 16

_field_ids = itertools.count()


class Abandon(Exception):
    """Something the plan does not handle: the operation runs again the general way."""


class Runner(Protocol):
    """What completion functions need of the executor running a request."""

    answers: dict[tuple[int, int], tuple[Any, dict[str, Any]]]

    def run(self, plan: list[Field], source: Any) -> dict[str, Any]:
        """The answer for ``source`` with an object plan."""

    def bind(self, field: Field) -> tuple[GraphQLResolveInfo, dict[str, Any]]:
        """The request's resolve info and argument values for ``field``."""


Complete = Callable[[Runner, Any, "Field"], Any]


class FieldSpec(NamedTuple):
    """What a resolve info and the arguments of a field are made of."""

    field_def: GraphQLField
    field_name: str
    nodes: list[FieldNode]
    return_type: GraphQLOutputType
    parent_type: GraphQLObjectType


def _never(*_: Any, **__: Any) -> Any:  # pragma: no cover - never called
    raise Abandon


class Field(NamedTuple):
    """One response key of an object plan."""

    key: str
    kind: int
    #: the attribute or key read (ATTR*), the type's name (TYPENAME)
    name: str
    resolve: Callable[..., Any]
    #: argument values known in advance (``{}`` when bound per request)
    args: dict[str, Any]
    complete: Complete
    #: types of values that are their own completion
    same: tuple[type, ...]
    #: the key of the field's bound info and arguments in a request
    fid: int
    spec: FieldSpec | None


def root_plan(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    variable_values: dict[str, Any],
    field_resolver: GraphQLFieldResolver,
    type_resolver: GraphQLTypeResolver,
) -> list[Field]:
    """The plan of ``operation``'s root fields with these variables (cached).

    Raises:
        Abandon: the schema has no query type.
    """
    root_type = schema.query_type
    if root_type is None:
        raise Abandon
    entry = _entry(schema, document, operation, field_resolver, type_resolver)
    directive_values = {n: variable_values[n] for n in entry.names if n in variable_values}
    variant = tuple(directive_values.get(n, Undefined) for n in entry.names)
    with _lock:
        plan = entry.variants.get(variant)
    if plan is None:
        planner = _Planner(schema, fragments, directive_values, field_resolver, type_resolver)
        fields = collect_fields(
            schema, fragments, directive_values, root_type, operation.selection_set
        )
        plan = planner.plan(root_type, fields)
        with _lock:
            if len(entry.variants) < _VARIANTS:
                entry.variants[variant] = plan
    return plan


class _Entry:
    """A document's plans, by the values of the variables its directives read."""

    def __init__(self, keep: tuple[Any, ...], names: tuple[str, ...]) -> None:
        self.keep = keep  # what the key's ids are the ids of: alive while the entry is
        self.names = names
        self.variants: dict[tuple[Any, ...], list[Field]] = {}


_lock = threading.Lock()
_entries: OrderedDict[tuple[int, ...], _Entry] = OrderedDict()


def _entry(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    field_resolver: GraphQLFieldResolver,
    type_resolver: GraphQLTypeResolver,
) -> _Entry:
    keep = (schema, document, operation, field_resolver, type_resolver)
    key = tuple(map(id, keep))
    with _lock:
        entry = _entries.get(key)
        if entry is not None:
            _entries.move_to_end(key)
            return entry
    entry = _Entry(keep, _directive_variables(document))
    with _lock:
        entry = _entries.setdefault(key, entry)
        while len(_entries) > _CACHE_SIZE:
            _entries.popitem(last=False)
    return entry


def _directive_variables(document: DocumentNode) -> tuple[str, ...]:
    """The variables any directive of the document reads (``@include(if: $x)``)."""
    names: set[str] = set()
    stack: list[Any] = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, (list, tuple)):
            stack.extend(node)
        elif isinstance(node, DirectiveNode):
            names.update(
                a.value.name.value for a in node.arguments if isinstance(a.value, VariableNode)
            )
        elif isinstance(node, Node):
            stack.extend(getattr(node, key, None) for key in node.keys)
    return tuple(sorted(names))


def _holds_variables(node: Any) -> bool:
    stack: list[Any] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, VariableNode):
            return True
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, Node):
            stack.extend(getattr(item, key, None) for key in item.keys)
    return False


def _attribute_read(resolve: Callable[..., Any] | None, field_name: str) -> str | None:
    """The attribute or key a resolver reads when it is graphql-core's default resolver or
    Ariadne's ``resolve_to`` (both: ``source.get(name)`` for mappings, else ``getattr``,
    calling a callable value with the info and arguments), else None."""
    if resolve is None or resolve is default_field_resolver:
        return field_name
    if getattr(resolve, "__code__", None) is _RESOLVE_TO_CODE:
        closure = resolve.__closure__ or ()
        cells = dict(zip(resolve.__code__.co_freevars, closure, strict=True))
        cell = cells.get("attr_name")
        attr = cell.cell_contents if cell is not None else None
        if isinstance(attr, str) and "." not in attr:
            return attr
    return None


def is_mapping(value: Any) -> bool:
    """How graphql-core's default resolver tells a key read from an attribute read."""
    return type(value) is dict or isinstance(value, Mapping)


class _Planner:
    """Makes the plans of one document variant (nothing of a request: see the module)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        directive_values: dict[str, Any],
        field_resolver: GraphQLFieldResolver,
        type_resolver: GraphQLTypeResolver,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.directive_values = directive_values
        self.field_resolver = field_resolver
        self.type_resolver = type_resolver

    def plan(
        self, parent_type: GraphQLObjectType, fields: dict[str, list[FieldNode]]
    ) -> list[Field]:
        """The plan of an object of ``parent_type`` with ``fields`` (collected fields:
        response key -> merged field nodes)."""
        plan: list[Field] = []
        for key, nodes in fields.items():
            node = nodes[0]
            field_def = get_field_def(self.schema, parent_type, node)
            if field_def is None:  # graphql-core leaves the key out
                continue
            name = node.name.value
            fid = next(_field_ids)
            if name == "__typename":
                plan.append(
                    Field(key, TYPENAME, parent_type.name, _never, {}, _never, (), fid, None)
                )
                continue
            spec = FieldSpec(field_def, name, nodes, field_def.type, parent_type)
            resolve = field_def.resolve or self.field_resolver
            attr = _attribute_read(resolve, name)
            args: dict[str, Any] = {}
            if _holds_variables(node.arguments):
                kind = ATTR_BOUND if attr is not None else RESOLVE_BOUND
            else:
                kind = ATTR if attr is not None else RESOLVE
                try:
                    args = get_argument_values(field_def, node, {})
                except Exception:  # a field error in graphql-core: abandon if it runs
                    kind = BROKEN
            complete = self.completion(field_def.type, nodes)
            same = _as_is(field_def.type)
            plan.append(Field(key, kind, attr or name, resolve, args, complete, same, fid, spec))
        return plan

    def completion(
        self, return_type: GraphQLOutputType, nodes: list[FieldNode], nullable: bool = True
    ) -> Complete:
        """A function completing a resolved value of ``return_type`` as graphql-core's
        ``complete_value`` does in the regular case (raising :class:`Abandon` otherwise)."""
        if isinstance(return_type, GraphQLNonNull):
            return self.completion(return_type.of_type, nodes, nullable=False)
        if isinstance(return_type, (GraphQLScalarType, GraphQLEnumType)):
            return _leaf_completion(return_type, nullable)
        if isinstance(return_type, GraphQLList):
            return self._list_completion(return_type, nodes, nullable)
        if isinstance(return_type, GraphQLObjectType):
            return self._object_completion(return_type, nodes, nullable)
        if isinstance(return_type, (GraphQLInterfaceType, GraphQLUnionType)):
            return self._abstract_completion(return_type, nodes, nullable)
        raise Abandon  # pragma: no cover - no other output types exist

    def _list_completion(
        self, return_type: GraphQLList[Any], nodes: list[FieldNode], nullable: bool
    ) -> Complete:
        item_type = return_type.of_type
        complete_item = self.completion(item_type, nodes)
        named = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        # FastExecutionContext's shortcuts for long lists of plain leaves (same answers).
        strings = named is GraphQLString
        json = isinstance(named, GraphQLScalarType) and named.name == "JSON"

        def complete_list(runner: Runner, value: Any, field: Field) -> Any:
            if _null(value, nullable):
                return None
            if type(value) is list or type(value) is Strings:
                if strings and (type(value) is Strings or all(type(item) is str for item in value)):
                    return value
                if json and all(item is not None for item in value):
                    return value
            elif not is_iterable(value):
                raise Abandon
            return [complete_item(runner, item, field) for item in value]

        return complete_list

    def _object_completion(
        self, object_type: GraphQLObjectType, nodes: list[FieldNode], nullable: bool
    ) -> Complete:
        plan: list[Field] | None = None
        is_type_of = object_type.is_type_of

        def complete_object(runner: Runner, value: Any, field: Field) -> Any:
            nonlocal plan
            if _null(value, nullable):
                return None
            if plan is None:
                subfields = collect_sub_fields(
                    self.schema, self.fragments, self.directive_values, object_type, nodes
                )
                plan = self.plan(object_type, subfields)
            if is_type_of is not None:
                try:
                    accepted = is_type_of(value, runner.bind(field)[0])
                except Exception as exc:
                    raise Abandon from exc
                if not accepted:
                    raise Abandon
            if type(value) is dict:  # fresh per answer (edges, page infos): nothing to reuse
                return runner.run(plan, value)
            # The same row with the same selection: the same answer (see planned.py).
            key = (id(value), id(plan))
            found = runner.answers.get(key)
            if found is not None:
                return found[1]
            completed = runner.run(plan, value)
            runner.answers[key] = (value, completed)
            return completed

        return complete_object

    def _abstract_completion(
        self,
        abstract_type: GraphQLInterfaceType | GraphQLUnionType,
        nodes: list[FieldNode],
        nullable: bool,
    ) -> Complete:
        resolve_type = abstract_type.resolve_type or self.type_resolver
        possible = {t.name: t for t in self.schema.get_possible_types(abstract_type)}
        by_type: dict[str, Complete] = {}

        def complete_abstract(runner: Runner, value: Any, field: Field) -> Any:
            if _null(value, nullable):
                return None
            try:
                type_name = resolve_type(value, runner.bind(field)[0], abstract_type)
            except Exception as exc:
                raise Abandon from exc
            if not isinstance(type_name, str) or type_name not in possible:
                raise Abandon
            complete = by_type.get(type_name)
            if complete is None:
                complete = by_type[type_name] = self._object_completion(
                    possible[type_name], nodes, nullable=False
                )
            return complete(runner, value, field)

        return complete_abstract


def _null(value: Any, nullable: bool) -> bool:
    """Whether ``value`` completes to null, as in graphql-core's ``complete_value``.

    Raises:
        Abandon: an ``Exception`` (graphql-core raises it), or a null where the type is
            non-null (graphql-core's field error).
    """
    if isinstance(value, Exception):  # Undefined is one too: graphql-core raises it
        raise Abandon
    if value is None:
        if nullable:
            return True
        raise Abandon
    return False


def _as_is(return_type: GraphQLOutputType) -> tuple[type, ...]:
    """The types of values that a field of ``return_type`` answers as they are."""
    named = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
    if not isinstance(named, GraphQLScalarType):
        return ()
    same: tuple[type, ...] = ()
    if named.serialize in _STR_AS_IS:
        same += (str,)
    if named.serialize in _BOOL_AS_IS:
        same += (bool,)
    return same


def _leaf_completion(leaf_type: GraphQLScalarType | GraphQLEnumType, nullable: bool) -> Complete:
    serialize = leaf_type.serialize

    def complete_leaf(_: Runner, value: Any, __: Field) -> Any:
        if _null(value, nullable):
            return None
        try:
            serialized = serialize(value)
        except Exception as exc:  # GraphQLError included: graphql-core's field error
            raise Abandon from exc
        if serialized is None or serialized is Undefined:
            raise Abandon
        return serialized

    return complete_leaf
