"""Field tables: which fields a filter language has, and what each one holds.

A domain's filters (runs today; artifacts and registries next) differ only in their fields, so
the grammar in :mod:`wandbkit._lang.filters` takes a :class:`FieldTable` instead of knowing the
fields itself: a new filter language is a new table, not a new walker.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["Field", "FieldKind", "FieldTable"]


class FieldKind(enum.Enum):
    """What a field holds, which decides the operands it accepts (the value is for messages)."""

    TEXT = "a string"
    TIME = "a time"
    DURATION = "a number of seconds"
    TAGS = "a list of strings"
    JSON = "a JSON value"


@dataclass(frozen=True)
class Field:
    """A field a filter or order names, resolved against its table.

    Attributes:
        name: the field as written, e.g. ``"state"`` or ``"config.lr.value"``.
        kind: what it holds; ``JSON`` for a path into a document.
        document: for a path, the document prefix (``"config"``); ``None`` for a plain field.
        keys: for a path, the dot-separated keys after the prefix (``("lr", "value")``).
    """

    name: str
    kind: FieldKind
    document: str | None = None
    keys: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class FieldTable:
    """The fields of one filter language, in the order error messages list them.

    Tables are constants compared by identity (``eq=False``), so they hash and can key caches.

    Attributes:
        kinds: plain field names and their kinds.
        documents: prefixes of JSON documents addressed as ``<prefix>.<key>[.<key>...]``.
        default_order: the order used when none is given, e.g. ``"+created_at"``.
        extra_ops: field operators beyond the common ones that this language takes (the
            registry search's ``$contains``, ``$size`` and ``$all``).
    """

    kinds: Mapping[str, FieldKind]
    documents: tuple[str, ...]
    default_order: str
    extra_ops: tuple[str, ...] = ()
    filter_list: str = field(init=False, compare=False)
    order_list: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        paths = ", or a path under " + ", ".join(f"{p}." for p in self.documents)
        paths = paths if self.documents else ""
        orderable = (name for name, kind in self.kinds.items() if kind is not FieldKind.TAGS)
        # Precomputed: every error message that names a field lists them.
        object.__setattr__(self, "filter_list", ", ".join(self.kinds) + paths)
        object.__setattr__(self, "order_list", ", ".join(orderable) + paths)
