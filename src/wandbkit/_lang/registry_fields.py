"""The registry search language's fields, per level: registries, collections and versions.

``Api.registries(filter=…)``, ``.collections(filter=…)`` and ``.versions(filter=…)`` send three
Mongo-style filters (``registryFilter``, ``collectionFilter``, ``artifactFilter``). They use the
grammar of the run filters (:func:`wandbkit._lang.filters.parse`) over a different
:class:`~wandbkit._lang.fields.FieldTable` per level and search mode, and before sending the
client rewrites them as the official client does (``wandb/apis/public/registries/_utils.py``):

* the field names of a level are checked (the root of a dotted path, like ``metadata.acc``);
* aliases are rewritten to their canonical names (``collection_id`` -> ``artifact_collection_id``),
  and two names of one field in one object are refused;
* a registry ``name`` operand gets the ``wandb-registry-`` prefix, except under ``$regex``.

The search mode is the organization's: "basic" has no aliases, "advanced" (versions queries
only) has the aliases and fields of W&B's ClickHouse search. The local server accepts the
canonical names of both (:data:`SERVER_LEVELS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from wandbkit._lang.artifact_names import REGISTRY_PREFIX
from wandbkit._lang.fields import FieldKind, FieldTable
from wandbkit._lang.filters import EXTRA_OPS, FilterSyntaxError, parse

__all__ = [
    "ADVANCED",
    "BASIC",
    "COLLECTION_ORDERS",
    "EITHER",
    "REGISTRY_ORDERS",
    "SERVER_LEVELS",
    "VERSION_ORDERS",
    "Level",
    "LevelName",
    "SearchMode",
    "add_registry_prefix",
    "rewrite_filter",
]

LevelName = Literal["registries", "collections", "versions"]
SearchMode = Literal["basic", "advanced"]

_ID = FieldKind.JSON  # an integer id, or the opaque base64 id the server hands out
_TEXT = FieldKind.TEXT
_TIME = FieldKind.TIME
_LIST = FieldKind.TAGS


@dataclass(frozen=True, eq=False)
class Level:
    """The fields of one level of the search in one mode.

    Attributes:
        name: ``registries``, ``collections`` or ``versions``.
        kinds: canonical field names and their kinds, in the order messages list them.
        aliases: accepted alias -> canonical name.
        documents: canonical prefixes of JSON paths (``metadata`` for versions).
        table: the grammar's table: canonical names and aliases alike.
    """

    name: LevelName
    kinds: Mapping[str, FieldKind]
    aliases: Mapping[str, str] = field(default_factory=dict)
    documents: tuple[str, ...] = ()
    table: FieldTable = field(init=False)

    def __post_init__(self) -> None:
        kinds = dict(self.kinds)
        documents = list(self.documents)
        for alias, canonical in self.aliases.items():
            if canonical in self.documents:
                documents.append(alias)
            else:
                kinds[alias] = self.kinds[canonical]
        table = FieldTable(
            kinds, tuple(documents), default_order="+created_at", extra_ops=EXTRA_OPS
        )
        object.__setattr__(self, "table", table)

    def canonical(self, name: str) -> str:
        """The canonical form of a field name (the root of a dotted path is rewritten)."""
        root, dot, rest = name.partition(".")
        return f"{self.aliases.get(root, root)}{dot}{rest}"


#: Basic search: what ``Api.registries``/``.collections`` always use, and ``.versions`` too on
#: an organization without advanced search.
BASIC: dict[LevelName, Level] = {
    "registries": Level(
        "registries",
        {
            "id": _ID,
            "name": _TEXT,
            "entity_id": _ID,
            "description": _TEXT,
            "created_at": _TIME,
            "updated_at": _TIME,
        },
    ),
    "collections": Level(
        "collections",
        {
            "artifact_collection_id": _ID,
            "name": _TEXT,
            "tag": _LIST,
            "description": _TEXT,
            "created_at": _TIME,
            "updated_at": _TIME,
        },
        {"collection_id": "artifact_collection_id", "id": "artifact_collection_id"},
    ),
    "versions": Level(
        "versions",
        {
            "id": _ID,
            "version": _ID,
            "tag": _LIST,
            "alias": _LIST,
            "created_at": _TIME,
            "updated_at": _TIME,
        },
        documents=("metadata",),
    ),
}

#: Advanced search (W&B's ClickHouse-backed one): ``.versions`` queries on an organization
#: whose ``advancedRegistryFeatures.advancedSearch`` is on.
ADVANCED: dict[LevelName, Level] = {
    "registries": Level(
        "registries",
        {"project_id": _ID, "name": _TEXT, "entity_id": _ID},
        {"id": "project_id"},
    ),
    "collections": Level(
        "collections",
        {"artifact_collection_id": _ID, "name": _TEXT, "tag": _LIST},
        {
            "collection_id": "artifact_collection_id",
            "id": "artifact_collection_id",
            "collection_name": "name",
            "artifact_collection_name": "name",
            "tags": "tag",
        },
    ),
    "versions": Level(
        "versions",
        {
            "artifact_id": _ID,
            "version": _ID,
            "tag": _LIST,
            "alias": _LIST,
            "artifact_created_at": _TIME,
            "artifact_size": _ID,
            "acm_created_at": _TIME,
        },
        {
            "id": "artifact_id",
            "version_index": "version",
            "tags": "tag",
            "aliases": "alias",
            "artifact_metadata": "metadata",
            "created_at": "artifact_created_at",
            "linked_at": "acm_created_at",
        },
        documents=("metadata",),
    ),
}


def _union(name: LevelName) -> Level:
    kinds = {**BASIC[name].kinds, **ADVANCED[name].kinds}
    return Level(name, kinds, documents=BASIC[name].documents)


def _either(name: LevelName) -> Level:
    basic, advanced = BASIC[name], ADVANCED[name]
    aliases = {a: c for a, c in advanced.aliases.items() if a not in basic.kinds}
    return Level(name, {**basic.kinds, **advanced.kinds}, aliases, documents=basic.documents)


#: What either mode accepts: a versions search is checked against it before the client knows
#: the organization's mode, then rewritten for the mode.
EITHER: dict[LevelName, Level] = {
    name: _either(name) for name in ("registries", "collections", "versions")
}

#: What the local server evaluates: the canonical names of both modes, no aliases (the client
#: rewrites them before sending, as the official one does).
SERVER_LEVELS: dict[LevelName, Level] = {
    name: _union(name) for name in ("registries", "collections", "versions")
}

#: Orders a registries or collections listing accepts (``+`` or no sign ascending).
REGISTRY_ORDERS = ("name", "created_at", "updated_at")
COLLECTION_ORDERS = REGISTRY_ORDERS
#: Orders of a versions listing (advanced search only): the accepted key -> what is sent.
VERSION_ORDERS: dict[str, str] = {
    "created_at": "artifact_created_at",
    "artifact_created_at": "artifact_created_at",
    "artifact_size": "artifact_size",
    "linked_at": "acm_created_at",
    "acm_created_at": "acm_created_at",
}


def add_registry_prefix(operand: Any) -> Any:
    """Prefix the strings of a registry-name operand with ``wandb-registry-`` (once), except
    ``$regex`` patterns, as the official client does.

    Example:
        >>> add_registry_prefix({"$in": ["model", "wandb-registry-x"]})
        {'$in': ['wandb-registry-model', 'wandb-registry-x']}
    """
    if isinstance(operand, str):
        return operand if operand.startswith(REGISTRY_PREFIX) else REGISTRY_PREFIX + operand
    if isinstance(operand, dict):
        return {
            key: value if key == "$regex" else add_registry_prefix(value)
            for key, value in operand.items()
        }
    if isinstance(operand, (list, tuple)):
        return [add_registry_prefix(value) for value in operand]
    return operand


def rewrite_filter(
    filters: object, level: Level, *, argument: str = "filter"
) -> dict[str, Any] | None:
    """Check a registry search filter against ``level`` and rewrite it for sending.

    Args:
        filters: the caller's dict (``None`` or ``{}`` for none).
        level: the level and mode's fields.
        argument: the parameter name errors start with.

    Returns:
        A new dict with aliases rewritten to canonical names and registry names prefixed, or
        ``None`` for no filter. The caller's structure is kept.

    Raises:
        FilterSyntaxError: the grammar refuses it (an unknown field names the allowed ones),
            or two names of one field appear in one object.

    Example:
        >>> rewrite_filter({"id": 3}, BASIC["collections"])
        {'artifact_collection_id': 3}
    """
    if filters is None or filters == {}:
        return None
    parse(filters, level.table, argument=argument)
    assert isinstance(filters, dict)  # parse refuses anything else
    return _rewrite(filters, level, argument)


def _rewrite(node: dict[str, Any], level: Level, where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.items():
        new_value: Any
        if key in ("$and", "$or", "$nor"):
            new_key, new_value = (
                key,
                [
                    _rewrite(child, level, f"{where}[{key!r}][{index}]")
                    for index, child in enumerate(value)
                ],
            )
        elif key == "$not":
            new_key, new_value = key, _rewrite(value, level, f"{where}[{key!r}]")
        else:
            new_key = level.canonical(key)
            new_value = value
            if level.name == "registries" and new_key == "name":
                new_value = add_registry_prefix(value)
        if new_key in out:
            raise FilterSyntaxError(
                where, f"field {new_key!r} is named twice (by an alias and its name)"
            )
        out[new_key] = new_value
    return out
