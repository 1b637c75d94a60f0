"""Order strings (``[+|-]<field>``) over a domain's field table, shared by client and server."""

from __future__ import annotations

from dataclasses import dataclass

from wandbkit._lang.fields import Field, FieldTable
from wandbkit._lang.filters import FilterSyntaxError, resolve_field
from wandbkit._lang.values import describe

__all__ = ["OrderKey", "parse_order"]


@dataclass(frozen=True)
class OrderKey:
    """A parsed order.

    Attributes:
        text: the order as it is sent: stripped of surrounding whitespace, or the table's
            default when none was given.
        field: the field to sort by.
        descending: ``-`` was given (``+`` or no sign is ascending).
    """

    text: str
    field: Field
    descending: bool


def parse_order(order: object, fields: FieldTable, *, argument: str = "order") -> OrderKey:
    """Parse an order string: ``+`` or no sign is ascending, ``-`` descending.

    Args:
        order: the order string, or ``None``/``""`` for the table's default order.
        fields: the domain's field table; every field but lists can be ordered by.
        argument: the parameter name used in error messages.

    Raises:
        FilterSyntaxError: not a string, no field, a NUL character, or a field that is unknown
            or cannot be ordered by.

    Example:
        >>> from wandbkit._lang.run_fields import RUN_FIELDS
        >>> key = parse_order(" -state", RUN_FIELDS)
        >>> key.text, key.field.name, key.descending
        ('-state', 'state', True)
    """
    if order is not None and not isinstance(order, str):
        example = "-" + fields.default_order.lstrip("+-")
        raise FilterSyntaxError(
            argument, f"expected a string like {example!r}, got {describe(order)}"
        )
    text = (order or "").strip() or fields.default_order
    name = text[1:] if text[0] in "+-" else text
    if not name:
        raise FilterSyntaxError(
            argument, f"{order!r} names no field; expected one of {fields.order_list}"
        )
    if "\x00" in name:
        # Python's sqlite3 refuses statement text with a NUL; say so before building one.
        raise FilterSyntaxError(argument, "field name contains a NUL character")
    field = resolve_field(fields, name, argument, for_order=True)
    return OrderKey(text, field, text.startswith("-"))
