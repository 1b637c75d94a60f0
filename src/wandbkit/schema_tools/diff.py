"""``schema diff``: what changed between two schemas, and whether it breaks clients.

graphql-core's :func:`~graphql.utilities.find_breaking_changes` and
:func:`~graphql.utilities.find_dangerous_changes` do the real work (removed types, fields, enum
values, union members and arguments; changed kinds; newly required arguments and input fields;
added enum values, optional arguments and input fields; changed defaults). They deliberately
say nothing about changes that cannot hurt a client, and they miss one breaking case; this
module adds exactly those:

* ``TYPE_ADDED``, ``FIELD_ADDED``, ``DIRECTIVE_ADDED`` (safe);
* ``FIELD_TYPE_CHANGED_SAFELY``: an output field became stricter (``String`` → ``String!``);
* ``ARG_TYPE_CHANGED_SAFELY`` / ``INPUT_FIELD_TYPE_CHANGED_SAFELY``: an argument or input field
  became more lenient (``Int!`` → ``Int``);
* ``FIELD_DEPRECATED`` / ``ENUM_VALUE_DEPRECATED`` (safe, but worth knowing);
* ``ARG_BECAME_REQUIRED`` / ``INPUT_FIELD_BECAME_REQUIRED`` (breaking): a non-null argument or
  input field lost its default value, so callers that left it out now fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    is_introspection_type,
    is_specified_directive,
    is_specified_scalar_type,
)
from graphql.utilities import find_breaking_changes, find_dangerous_changes
from graphql.utilities.find_breaking_changes import (
    is_change_safe_for_input_object_field_or_field_arg,
    is_change_safe_for_object_or_interface_field,
)

from wandbkit.schema_tools.check import SchemaInput, load_schema

__all__ = ["FAIL_ON_CHOICES", "ChangeLevel", "FailOn", "SchemaChange", "SchemaDiff", "diff_schemas"]

ChangeLevel = Literal["breaking", "dangerous", "safe"]
FailOn = Literal["breaking", "dangerous", "none"]
#: The values of ``wandbkit schema diff --fail-on``.
FAIL_ON_CHOICES: tuple[FailOn, ...] = ("breaking", "dangerous", "none")


@dataclass(frozen=True)
class SchemaChange:
    """One difference between two schemas.

    Attributes:
        level: ``"breaking"`` (existing clients can fail), ``"dangerous"`` (they keep working
            but may see something new, such as an enum value they do not know) or ``"safe"``.
        kind: what changed, in graphql-core's vocabulary (``FIELD_REMOVED``,
            ``VALUE_ADDED_TO_ENUM``, ...) or this module's (``FIELD_ADDED``, ...).
        description: a sentence naming the type, field or argument.
    """

    level: ChangeLevel
    kind: str
    description: str

    def __str__(self) -> str:
        return f"{self.level.upper():<9} {self.kind:<32} {self.description}"


@dataclass(frozen=True)
class SchemaDiff:
    """The changes from an old schema to a new one, by level.

    Attributes:
        breaking: changes that can break existing clients.
        dangerous: changes that keep clients working but may change what they see.
        safe: additions and relaxations that no client can notice unless it asks.

    Example:
        >>> diff = diff_schemas("type Query { a: Int b: Int }", "type Query { a: Int! }")
        >>> [c.kind for c in diff.breaking], [c.kind for c in diff.safe]
        (['FIELD_REMOVED'], ['FIELD_TYPE_CHANGED_SAFELY'])
        >>> diff.fails("breaking")
        True
    """

    breaking: tuple[SchemaChange, ...]
    dangerous: tuple[SchemaChange, ...]
    safe: tuple[SchemaChange, ...]

    @property
    def changes(self) -> tuple[SchemaChange, ...]:
        """Every change: breaking first, then dangerous, then safe."""
        return self.breaking + self.dangerous + self.safe

    def fails(self, fail_on: FailOn) -> bool:
        """Whether a CI check with ``--fail-on fail_on`` fails on this diff.

        Args:
            fail_on: ``"breaking"``, ``"dangerous"`` (breaking or dangerous) or ``"none"``.

        Raises:
            ValueError: an unknown ``fail_on``.
        """
        if fail_on == "breaking":
            return bool(self.breaking)
        if fail_on == "dangerous":
            return bool(self.breaking or self.dangerous)
        if fail_on == "none":
            return False
        raise ValueError(f"fail_on must be one of {FAIL_ON_CHOICES}, got {fail_on!r}")

    def summary(self) -> str:
        """One line: ``"3 changes: 1 breaking, 1 dangerous, 1 safe"``."""
        total = len(self.changes)
        noun = "change" if total == 1 else "changes"
        return (
            f"{total} {noun}: {len(self.breaking)} breaking, {len(self.dangerous)} dangerous, "
            f"{len(self.safe)} safe"
        )

    def format(self) -> str:
        """The changes, one per line (level, kind, description), then :meth:`summary`."""
        return "".join(f"{change}\n" for change in self.changes) + self.summary() + "\n"


def diff_schemas(old: SchemaInput, new: SchemaInput) -> SchemaDiff:
    """Compare two schemas.

    Args:
        old: the schema clients were written against: SDL text, an SDL or introspection JSON
            file, or a :class:`graphql.GraphQLSchema` (see
            :func:`wandbkit.schema_tools.load_schema`).
        new: the schema they will meet.

    Returns:
        The changes, each list sorted by description.

    Raises:
        SchemaToolError: a schema cannot be loaded.

    Example:
        >>> from wandbkit.schema_tools import diff_schemas
        >>> diff = diff_schemas("old.graphql", "new.graphql")  # doctest: +SKIP
        >>> for change in diff.breaking:  # doctest: +SKIP
        ...     print(change.description)  # Project.sweeps was removed.
    """
    old_schema, new_schema = load_schema(old), load_schema(new)
    breaking = [
        SchemaChange("breaking", c.type.name, c.description)
        for c in find_breaking_changes(old_schema, new_schema)
    ]
    dangerous = [
        SchemaChange("dangerous", c.type.name, c.description)
        for c in find_dangerous_changes(old_schema, new_schema)
    ]
    safe: list[SchemaChange] = []
    for change in _changes_graphql_core_leaves_out(old_schema, new_schema):
        (breaking if change.level == "breaking" else safe).append(change)
    return SchemaDiff(
        *(tuple(sorted(changes, key=_key)) for changes in (breaking, dangerous, safe))
    )


def _key(change: SchemaChange) -> tuple[str, str]:
    return change.description, change.kind


def _user_types(schema: GraphQLSchema) -> dict[str, GraphQLNamedType]:
    return {
        name: type_
        for name, type_ in schema.type_map.items()
        if not is_introspection_type(type_) and not is_specified_scalar_type(type_)
    }


def _changes_graphql_core_leaves_out(
    old: GraphQLSchema, new: GraphQLSchema
) -> Iterator[SchemaChange]:
    old_types = _user_types(old)
    for name, new_type in sorted(_user_types(new).items()):
        old_type = old_types.get(name)
        if old_type is None:
            yield SchemaChange("safe", "TYPE_ADDED", f"{name} was added.")
        elif type(old_type) is type(new_type):
            # A changed kind is graphql-core's TYPE_CHANGED_KIND; nothing to add then.
            yield from _type_changes(old_type, new_type)
    old_directives = {d.name for d in old.directives}
    for directive in new.directives:
        if directive.name not in old_directives and not is_specified_directive(directive):
            yield SchemaChange("safe", "DIRECTIVE_ADDED", f"@{directive.name} was added.")


def _type_changes(old: GraphQLNamedType, new: GraphQLNamedType) -> Iterator[SchemaChange]:
    if isinstance(old, (GraphQLObjectType, GraphQLInterfaceType)):
        assert isinstance(new, (GraphQLObjectType, GraphQLInterfaceType))
        for field_name, field in new.fields.items():
            where = f"{new.name}.{field_name}"
            old_field = old.fields.get(field_name)
            if old_field is None:
                yield SchemaChange("safe", "FIELD_ADDED", f"{where} was added.")
                continue
            if str(old_field.type) != str(
                field.type
            ) and is_change_safe_for_object_or_interface_field(old_field.type, field.type):
                yield SchemaChange(
                    "safe",
                    "FIELD_TYPE_CHANGED_SAFELY",
                    f"{where} changed type from {old_field.type} to {field.type}.",
                )
            if field.deprecation_reason is not None and old_field.deprecation_reason is None:
                yield SchemaChange("safe", "FIELD_DEPRECATED", f"{where} was deprecated.")
            for arg_name, arg in field.args.items():
                old_arg = old_field.args.get(arg_name)
                if old_arg is not None:
                    yield from _input_value_changes(f"{where} arg {arg_name}", old_arg, arg, "ARG")
    elif isinstance(old, GraphQLInputObjectType):
        assert isinstance(new, GraphQLInputObjectType)
        for field_name, input_field in new.fields.items():
            old_input = old.fields.get(field_name)
            if old_input is not None:
                yield from _input_value_changes(
                    f"{new.name}.{field_name}", old_input, input_field, "INPUT_FIELD"
                )
    elif isinstance(old, GraphQLEnumType):
        assert isinstance(new, GraphQLEnumType)
        for value_name, value in new.values.items():
            old_value = old.values.get(value_name)
            if (
                old_value is not None
                and value.deprecation_reason is not None
                and old_value.deprecation_reason is None
            ):
                yield SchemaChange(
                    "safe", "ENUM_VALUE_DEPRECATED", f"{value_name} in {new.name} was deprecated."
                )


def _input_value_changes(
    where: str,
    old: GraphQLArgument | GraphQLInputField,
    new: GraphQLArgument | GraphQLInputField,
    kind: Literal["ARG", "INPUT_FIELD"],
) -> Iterator[SchemaChange]:
    if str(old.type) != str(new.type) and is_change_safe_for_input_object_field_or_field_arg(
        old.type, new.type
    ):
        yield SchemaChange(
            "safe",
            f"{kind}_TYPE_CHANGED_SAFELY",
            f"{where} changed type from {old.type} to {new.type}.",
        )
    # graphql-core calls a dropped default "dangerous"; on a non-null value it means callers
    # that relied on the default must now pass it: that breaks them.
    if (
        isinstance(old.type, GraphQLNonNull)
        and isinstance(new.type, GraphQLNonNull)
        and old.default_value is not Undefined
        and new.default_value is Undefined
    ):
        yield SchemaChange(
            "breaking",
            f"{kind}_BECAME_REQUIRED",
            f"{where} lost its default value and is now required.",
        )
