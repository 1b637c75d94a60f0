"""graphql-core's executor with fast paths for what this server's answers are made of.

Queries are first executed by :mod:`wandbkit.server.http.planned`, which falls back to this
executor for whatever it does not handle; mutations always run here.

* Long lists of plain leaf values: history pages are lists of thousands of strings
  (``Run.history``) or JSON values (``sampledHistory``); completing them item by item costs
  microseconds each for nothing, since ``String`` accepts a ``str`` as it is and ``JSON``
  passes every value through. A resolver that returns
  :class:`~wandbkit.server.resolvers.Strings` vouches for its items, so not even their types
  are checked.
* Leaf fields called without arguments (``Artifact.state``, ``Run.name``...), which are most of the
  fields of a listing: their value is resolved and serialized directly, without the resolve
  info, argument coercion and awaitable checks of the general path (about a third of the
  cost of a page of 1,000 artifact versions). Whatever is unusual (a null, a value the scalar
  does not serialize, a callable attribute, arguments or defaults) takes the general path,
  so errors are exactly graphql-core's.

* The same row completed with the same selection twice in one query (every version of a
  page has the same ``artifactSequence { name project { name entity { name } } }``, and
  every alias the same collection): the answer of the first time is used again. No resolver
  of this server looks at the path it is reached by, so the answer depends on the row and
  the selection only; an answer that raised errors is not reused (its errors carry the first
  path), and mutations do not reuse at all.

Every resolver of this server is synchronous (the endpoint runs ``graphql_sync`` on a worker
thread), so nothing is ever awaitable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    ExecutionContext,
    FieldNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    OperationType,
    Undefined,
    located_error,
)
from graphql.execution.execute import get_field_def
from graphql.pyutils import Path

from wandbkit.server.resolvers import Strings

__all__ = ["FastExecutionContext"]


_UNPLANNED = object()


def _never_awaitable(value: Any) -> bool:
    return False


def _no_arguments(field_def: GraphQLField, node: FieldNode) -> bool:
    """Whether the field is called without arguments and none has a default (so its resolver
    gets none, as graphql-core's coercion would give it)."""
    return not node.arguments and all(
        arg.default_value is Undefined and not isinstance(arg.type, GraphQLNonNull)
        for arg in field_def.args.values()
    )


class FastExecutionContext(ExecutionContext):
    """graphql-core's executor with the fast paths described in the module docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.is_awaitable = _never_awaitable
        self._leaf_plans: dict[tuple[int, int], Any] = {}
        # Completed objects by (row, type, selection): queries only, where nothing changes
        # while the answer is built (a mutation's answer may read a row it has just changed).
        self._reusable: dict[tuple[Any, ...], tuple[Any, Any]] | None = (
            {} if self.operation.operation == OperationType.QUERY else None
        )

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_nodes: list[FieldNode],
        path: Path,
    ) -> Any:
        node = field_nodes[0]
        key = (id(parent_type), id(node))
        plan = self._leaf_plans.get(key, _UNPLANNED)
        if plan is _UNPLANNED:
            plan = self._leaf_plans[key] = self._leaf_plan(parent_type, node)
        if plan is None:
            return super().execute_field(parent_type, source, field_nodes, path)
        field_def, named = plan
        return_type = field_def.type
        resolve = field_def.resolve
        info: GraphQLResolveInfo | None = None
        try:
            if resolve is None:  # graphql-core's default resolver, without its info
                name = node.name.value
                if type(source) is dict or isinstance(source, Mapping):
                    result = source.get(name)
                else:
                    result = getattr(source, name, None)
                if callable(result):
                    return super().execute_field(parent_type, source, field_nodes, path)
            else:
                info = self.build_resolve_info(field_def, field_nodes, parent_type, path)
                result = resolve(source, info)
            if result is not None and not isinstance(result, Exception):
                serialized = named.serialize(result)
                if serialized is not Undefined:
                    return serialized
            if info is None:
                info = self.build_resolve_info(field_def, field_nodes, parent_type, path)
            # The general completion: the same errors as graphql-core's.
            return self.complete_value(return_type, field_nodes, info, path, result)
        except Exception as raw_error:
            error = located_error(raw_error, field_nodes, path.as_list())
            self.handle_field_error(error, return_type, path)
            return None

    def _leaf_plan(
        self, parent_type: GraphQLObjectType, node: FieldNode
    ) -> tuple[GraphQLField, GraphQLScalarType | GraphQLEnumType] | None:
        """The field and its leaf type when the fast path applies to it, else None (worked
        out once per field of the document: the document's nodes live as long as this)."""
        field_def = get_field_def(self.schema, parent_type, node)
        if (
            field_def is None
            or (field_def.args and not _no_arguments(field_def, node))
            or self.middleware_manager is not None
        ):
            return None
        return_type = field_def.type
        named = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
        if not isinstance(named, (GraphQLScalarType, GraphQLEnumType)):
            return None
        return field_def, named

    def complete_object_value(
        self,
        return_type: GraphQLObjectType,
        field_nodes: list[FieldNode],
        info: GraphQLResolveInfo,
        path: Path,
        result: Any,
    ) -> Any:
        if self._reusable is None or isinstance(result, dict):
            return super().complete_object_value(return_type, field_nodes, info, path, result)
        key = (id(result), return_type.name, *map(id, field_nodes))
        found = self._reusable.get(key)
        if found is not None:
            return found[1]
        errors = len(self.collected_errors.errors)
        completed = super().complete_object_value(return_type, field_nodes, info, path, result)
        if len(self.collected_errors.errors) == errors:
            # The row is kept with its answer, so its id cannot be reused by another object.
            self._reusable[key] = (result, completed)
        return completed

    def complete_list_value(
        self,
        return_type: GraphQLList[GraphQLOutputType],
        field_nodes: list[FieldNode],
        info: GraphQLResolveInfo,
        path: Path,
        result: Any,
    ) -> Any:
        item_type = return_type.of_type
        named = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        if isinstance(result, list) and isinstance(named, GraphQLScalarType):
            if named.name == "String" and (
                type(result) is Strings or all(type(item) is str for item in result)
            ):
                return result
            if named.name == "JSON" and all(item is not None for item in result):
                return result
        return super().complete_list_value(return_type, field_nodes, info, path, result)
