"""Planned execution of queries: graphql-core's answers for a fraction of its cost.

graphql-core executes every field of every object the same general way: look the field
definition up, build a ``GraphQLResolveInfo`` and a ``Path``, coerce the arguments, call the
resolver, then walk the return type (non-null? list? leaf? abstract?) to complete the value.
A page of 50 artifact versions is ~570 such field executions, ~9 µs each. Yet for one request
all of that but the resolver's answer is the same for every object completed with the same
selection. :class:`PlannedExecutionContext` works it out once per request, per (object type,
merged field nodes), into a *plan*: for each response key the field, how its value is read (a
resolver, or graphql-core's/Ariadne's default attribute or key read), its argument values, one
shared resolve info, and a completion function made for its return type. Fragments,
``@skip``/``@include``, type conditions and ``__typename`` are graphql-core's own
(``collect_fields``/``collect_subfields``), so the selection is exactly graphql-core's. Plans
live for one request (they hold its variables and context); making them costs about 5% of a
page.

Exactness by fallback: the plan only knows the regular case. Anything else (a resolver that
raises or returns an ``Exception``, a null in a non-null position, a value its scalar or enum
does not serialize, a list that is not iterable, an abstract type resolving to no possible
type, an ``is_type_of`` that refuses, arguments that do not coerce) abandons the planned
answer, and the whole operation is executed again by :class:`FastExecutionContext`
(graphql-core's path), so errors, their paths and partial data are exactly graphql-core's.
Only queries are planned: mutations (side effects, serial execution) and subscriptions never
are. Running a query twice answers as running it once: query resolvers read the store and the
request's memos (:class:`~wandbkit.server.resolvers.RequestContext`, read again with the same
answers); the only writes they make are idempotent (``Run.parquetHistory`` makes a run's
exports once) or harmless to repeat (a first page of ``Project.runs`` saves a cursor snapshot:
the second run saves another, and its cursors name that one; snapshots are few and expire).

Two liberties, both invisible in answers:

* Resolve infos are shared: one per (field, parent type, selection) per request, whose
  ``path`` is ``None``. No resolver of this server reads ``info.path`` (or anything but
  ``info.context``; ``tests/server/graphql/test_planned_execution.py`` scans the sources),
  and one that did (``info.path.as_list()``) would raise here, so fall back.
* The same row completed with the same selection twice (every version of a page has the same
  ``artifactSequence``) is answered once and the answer used again, as
  :class:`FastExecutionContext` does.

Measured in-process (``graphql_sync`` CPU time per page of 50, median of 300 runs of one
captured page request against the artifact benchmark's collection of 1,000 versions, before ->
after this module, the lazy edge cursors and the faster row building of
``store/_db.py``'s ``row_dict``/``make_row``; 2026-12-04, shared 2-core machine): wandbkit's
``GetArtifactsLight`` 4.8 -> 2.4 ms (2.0x), the official client's ``ProjectArtifacts`` 6.5 ->
2.9 ms (2.2x); a page of 50 runs: the official ``Runs`` 5.8 -> 2.9 ms, wandbkit's
``GetRunsFull`` 8.0 -> 3.3 ms.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, cast

from ariadne import resolve_to
from graphql import (
    FieldNode,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLID,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLString,
    GraphQLUnionType,
    OperationDefinitionNode,
    OperationType,
    Undefined,
    default_field_resolver,
)
from graphql.execution.collect_fields import collect_fields
from graphql.execution.execute import get_field_def
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, is_iterable

from wandbkit.server.http.execution import FastExecutionContext
from wandbkit.server.resolvers import Strings
from wandbkit.server.scalars import passthrough, serialize_json_string

__all__ = ["PlannedExecutionContext"]

Complete = Callable[[Any], Any]

#: How a field's value is read: an attribute or key of the parent (graphql-core's default
#: resolver, or one of Ariadne's ``resolve_to`` resolvers), a resolver (without or with
#: arguments), ``__typename``; or not at all: its arguments do not coerce (a field error).
_ATTR, _RESOLVE, _RESOLVE_ARGS, _TYPENAME, _BROKEN = range(5)

#: Serializers that answer a ``str`` as it is (String, ID, JSONString, JSON), and Boolean's,
#: which answers a ``bool`` as it is: such values need no completion.
_STR_AS_IS = frozenset(
    {GraphQLString.serialize, GraphQLID.serialize, serialize_json_string, passthrough}
)
_BOOL_AS_IS = frozenset({GraphQLBoolean.serialize, passthrough})

# Ariadne's convert_names_case gives fields such as ``versionIndex`` a resolve_to("version_index")
# resolver: recognised by its code object, read inline by the attribute name it closes over.
_RESOLVE_TO_CODE = resolve_to("_").__code__


class _Abandon(Exception):
    """Something the plan does not handle: the operation runs again the general way."""


def _no_resolver(*_: Any, **__: Any) -> Any:  # pragma: no cover - never called
    raise _Abandon


class _Field(NamedTuple):
    """One response key of an object plan."""

    key: str
    kind: int
    #: the attribute or key read (_ATTR), the type's name (_TYPENAME)
    name: str
    resolve: Callable[..., Any] = _no_resolver
    args: dict[str, Any] = {}
    info: GraphQLResolveInfo | None = None
    complete: Complete = _no_resolver
    #: types of values that are their own completion
    same: tuple[type, ...] = ()


def _attribute_read(resolve: Callable[..., Any] | None, field_name: str) -> str | None:
    """The attribute or key a resolver reads when it is graphql-core's default resolver or
    Ariadne's ``resolve_to`` (both: ``source.get(name)`` for mappings, else ``getattr``,
    calling a callable value with the info and arguments), else None."""
    if resolve is None or resolve is default_field_resolver:
        return field_name
    if getattr(resolve, "__code__", None) is _RESOLVE_TO_CODE:
        closure = resolve.__closure__ or ()
        names = dict(zip(resolve.__code__.co_freevars, closure, strict=True))
        cell = names.get("attr_name")
        attr = cell.cell_contents if cell is not None else None
        if isinstance(attr, str) and "." not in attr:
            return attr
    return None


def _is_mapping(value: Any) -> bool:
    return type(value) is dict or isinstance(value, Mapping)


class PlannedExecutionContext(FastExecutionContext):
    """Executes queries by plan (see the module docstring); everything else, and every query
    the plan abandons, by :class:`FastExecutionContext`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Completed objects by (row id, plan id); the row is kept so its id stays unique.
        self._answers: dict[tuple[int, int], tuple[Any, dict[str, Any]]] = {}
        #: Whether the plan answered (True), was abandoned for the general path (False), or
        #: was not tried (None: a mutation, or middleware).
        self.planned: bool | None = None

    def execute_operation(self, operation: OperationDefinitionNode, root_value: Any) -> Any:
        if operation.operation == OperationType.QUERY and self.middleware_manager is None:
            try:
                data = self._planned_operation(operation, root_value)
            except Exception:  # _Abandon, or anything unforeseen (a RecursionError...)
                self._answers.clear()
                self.planned = False
            else:
                self.planned = True
                return data
        return super().execute_operation(operation, root_value)

    def _planned_operation(self, operation: OperationDefinitionNode, root_value: Any) -> Any:
        root_type = self.schema.query_type
        if root_type is None:
            raise _Abandon
        try:
            fields = collect_fields(
                self.schema,
                self.fragments,
                self.variable_values,
                root_type,
                operation.selection_set,
            )
        except RecursionError:
            raise _Abandon from None
        return self._run(self._plan(root_type, fields), root_value)

    # -- running a plan --------------------------------------------------------------------

    def _run(self, plan: list[_Field], source: Any) -> dict[str, Any]:
        """The answer for ``source`` with an object plan."""
        out: dict[str, Any] = {}
        mapping: bool | None = None
        for key, kind, name, resolve, args, info, complete, same in plan:
            try:
                if kind == _ATTR:
                    if mapping is None:
                        mapping = type(source) is dict or isinstance(source, Mapping)
                    value = source.get(name) if mapping else getattr(source, name, None)
                    if callable(value):
                        value = value(info, **args)
                elif kind == _RESOLVE:
                    value = resolve(source, info)
                elif kind == _RESOLVE_ARGS:
                    value = resolve(source, info, **args)
                elif kind == _TYPENAME:
                    out[key] = name
                    continue
                else:  # _BROKEN: its arguments did not coerce
                    raise _Abandon
            except Exception as exc:
                raise _Abandon from exc
            out[key] = value if type(value) in same else complete(value)
        return out

    # -- making a plan ---------------------------------------------------------------------

    def _plan(
        self, parent_type: GraphQLObjectType, fields: dict[str, list[FieldNode]]
    ) -> list[_Field]:
        """The plan of an object of ``parent_type`` with ``fields`` (graphql-core's collected
        fields: response key -> merged field nodes)."""
        plan: list[_Field] = []
        for key, nodes in fields.items():
            node = nodes[0]
            field_def = get_field_def(self.schema, parent_type, node)
            if field_def is None:  # graphql-core leaves the key out
                continue
            name = node.name.value
            if name == "__typename":
                plan.append(_Field(key, _TYPENAME, parent_type.name))
                continue
            resolve = field_def.resolve or self.field_resolver
            return_type = field_def.type
            info = GraphQLResolveInfo(
                name,
                nodes,
                return_type,
                parent_type,
                cast("Path", None),
                self.schema,
                self.fragments,
                self.root_value,
                self.operation,
                self.variable_values,
                self.context_value,
                self.is_awaitable,
            )
            try:
                args = get_argument_values(field_def, node, self.variable_values)
            except Exception:  # a field error in graphql-core: abandon if it runs
                plan.append(_Field(key, _BROKEN, name))
                continue
            attr = _attribute_read(resolve, name)
            kind = _ATTR if attr is not None else _RESOLVE_ARGS if args else _RESOLVE
            plan.append(
                _Field(
                    key,
                    kind,
                    attr or name,
                    resolve,
                    args,
                    info,
                    self._completion(return_type, nodes, info),
                    _as_is(return_type),
                )
            )
        return plan

    def _completion(
        self,
        return_type: GraphQLOutputType,
        nodes: list[FieldNode],
        info: GraphQLResolveInfo,
        nullable: bool = True,
    ) -> Complete:
        """A function completing a resolved value of ``return_type`` as graphql-core's
        ``complete_value`` does in the regular case (raising :class:`_Abandon` otherwise)."""
        if isinstance(return_type, GraphQLNonNull):
            return self._completion(return_type.of_type, nodes, info, nullable=False)
        if isinstance(return_type, (GraphQLScalarType, GraphQLEnumType)):
            return _leaf_completion(return_type, nullable)
        if isinstance(return_type, GraphQLList):
            return self._list_completion(return_type, nodes, info, nullable)
        if isinstance(return_type, GraphQLObjectType):
            return self._object_completion(return_type, nodes, info, nullable)
        if isinstance(return_type, (GraphQLInterfaceType, GraphQLUnionType)):
            return self._abstract_completion(return_type, nodes, info, nullable)
        raise _Abandon  # pragma: no cover - no other output types exist

    def _list_completion(
        self,
        return_type: GraphQLList[Any],
        nodes: list[FieldNode],
        info: GraphQLResolveInfo,
        nullable: bool,
    ) -> Complete:
        item_type = return_type.of_type
        complete_item = self._completion(item_type, nodes, info)
        named = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        # FastExecutionContext's shortcuts for long lists of plain leaves (same answers).
        strings = named is GraphQLString
        json = isinstance(named, GraphQLScalarType) and named.name == "JSON"

        def complete_list(value: Any) -> Any:
            if value is None or value is Undefined:
                if nullable:
                    return None
                raise _Abandon
            if type(value) is list or type(value) is Strings:
                if strings and (type(value) is Strings or all(type(item) is str for item in value)):
                    return value
                if json and all(item is not None for item in value):
                    return value
            elif isinstance(value, Exception) or not is_iterable(value):
                raise _Abandon
            return [complete_item(item) for item in value]

        return complete_list

    def _object_completion(
        self,
        object_type: GraphQLObjectType,
        nodes: list[FieldNode],
        info: GraphQLResolveInfo,
        nullable: bool,
    ) -> Complete:
        plan: list[_Field] | None = None
        answers = self._answers
        run = self._run
        is_type_of = object_type.is_type_of

        def complete_object(value: Any) -> Any:
            nonlocal plan
            if value is None or value is Undefined:
                if nullable:
                    return None
                raise _Abandon
            if isinstance(value, Exception):
                raise _Abandon
            if plan is None:
                plan = self._plan(object_type, self.collect_subfields(object_type, nodes))
            if is_type_of is not None:
                try:
                    accepted = is_type_of(value, info)
                except Exception as exc:
                    raise _Abandon from exc
                if not accepted:
                    raise _Abandon
            if type(value) is dict:  # fresh per answer (edges, page infos): nothing to reuse
                return run(plan, value)
            key = (id(value), id(plan))
            found = answers.get(key)
            if found is not None:
                return found[1]
            completed = run(plan, value)
            answers[key] = (value, completed)
            return completed

        return complete_object

    def _abstract_completion(
        self,
        abstract_type: GraphQLInterfaceType | GraphQLUnionType,
        nodes: list[FieldNode],
        info: GraphQLResolveInfo,
        nullable: bool,
    ) -> Complete:
        resolve_type = abstract_type.resolve_type or self.type_resolver
        possible = {t.name: t for t in self.schema.get_possible_types(abstract_type)}
        by_type: dict[str, Complete] = {}

        def complete_abstract(value: Any) -> Any:
            if value is None or value is Undefined:
                if nullable:
                    return None
                raise _Abandon
            if isinstance(value, Exception):
                raise _Abandon
            try:
                type_name = resolve_type(value, info, abstract_type)
            except Exception as exc:
                raise _Abandon from exc
            if not isinstance(type_name, str) or type_name not in possible:
                raise _Abandon
            complete = by_type.get(type_name)
            if complete is None:
                complete = by_type[type_name] = self._object_completion(
                    possible[type_name], nodes, info, nullable=False
                )
            return complete(value)

        return complete_abstract


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

    def complete_leaf(value: Any) -> Any:
        if value is None or value is Undefined:
            if nullable:
                return None
            raise _Abandon
        if isinstance(value, Exception):
            raise _Abandon
        try:
            serialized = serialize(value)
        except Exception as exc:  # GraphQLError included: graphql-core's field error
            raise _Abandon from exc
        if serialized is None or serialized is Undefined:
            raise _Abandon
        return serialized

    return complete_leaf
