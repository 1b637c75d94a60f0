"""The registry search: registries, their collections and the versions linked into them,
across one organization's entity, filtered, ordered and paged in SQL.

A read model over tables other repositories own (``projects``, ``artifact_collections``,
``artifact_memberships``, ``artifacts``): it writes nothing, and answers row ids that the owning
repositories turn into rows. Filters and orders are compiled by
:mod:`wandbkit.server.registry_filters`; visibility comes in as the set of registries the
viewer may read among the restricted ones (``None``: all of them), decided by the caller.

Pages are keyset pages over ``(sort key, row id)``: a cursor is the last item's pair, so a page
costs the same however deep it is and items added meanwhile are neither skipped nor repeated.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from wandbkit._lang.registry_fields import LevelName
from wandbkit.server.registry_filters import (
    compile_level,
    compile_order,
    default_order_column,
)
from wandbkit.server.store._db import Database
from wandbkit.server.store.artifact_memberships import MembershipRow

__all__ = ["RegistryQuery", "RegistrySearch"]

_REGISTRY = "p.entity_id = ? AND substr(p.name, 1, 15) = 'wandb-registry-' AND length(p.name) > 15"
_FROM: dict[LevelName, str] = {
    "registries": "projects p",
    "collections": "artifact_collections c JOIN projects p ON p.id = c.project_pk",
    "versions": (
        "artifact_memberships m"
        " JOIN artifact_collections c ON c.pk = m.collection_pk"
        " JOIN projects p ON p.id = c.project_pk"
        " JOIN artifacts a ON a.pk = m.artifact_pk"
    ),
}
_LIVE: dict[LevelName, str] = {
    "registries": "",
    "collections": " AND c.state = 'READY'",
    "versions": (
        " AND c.state = 'READY' AND c.kind = 'PORTFOLIO' AND m.live = 1 AND a.state = 'COMMITTED'"
    ),
}


@dataclass(frozen=True)
class RegistryQuery:
    """One search: where, what the viewer may see, and the filters of each level.

    Attributes:
        entity_pk: the organization's entity.
        restricted_in: the restricted registries (project ids) the viewer may read; ``None``
            for all of them.
        registry_filter: the registries level's filter (parsed JSON, or ``None``).
        collection_filter: the collections level's (collections and versions searches).
        version_filter: the versions level's (versions searches).
        collection_kinds: for a collections search, the kinds to list (``PORTFOLIO``...).
    """

    entity_pk: int
    restricted_in: Sequence[int] | None
    registry_filter: Any = None
    collection_filter: Any = None
    version_filter: Any = None
    collection_kinds: Sequence[str] = ("PORTFOLIO",)


class RegistrySearch:
    """Searches over the registries of an organization's entity."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def _where(self, level: LevelName, query: RegistryQuery) -> tuple[str, list[Any]]:
        clauses = [_REGISTRY + _LIVE[level]]
        params: list[Any] = [query.entity_pk]
        if query.restricted_in is not None:
            clauses.append("(p.access != 'RESTRICTED' OR p.id IN (SELECT value FROM json_each(?)))")
            params.append(json.dumps(list(query.restricted_in)))
        levels: list[tuple[LevelName, Any, str]] = [
            (
                "registries",
                query.registry_filter,
                "filters" if level == "registries" else "projectFilters",
            )
        ]
        if level == "collections":
            clauses.append("c.kind IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(list(query.collection_kinds)))
            levels.append(("collections", query.collection_filter, "filters"))
        if level == "versions":
            levels.append(("collections", query.collection_filter, "collectionFilters"))
            levels.append(("versions", query.version_filter, "filters"))
        for name, filters, argument in levels:
            fragment = compile_level(name, filters, argument=argument)
            if fragment.sql != "1":
                clauses.append(fragment.sql)
                params.extend(fragment.params)
        return " AND ".join(clauses), params

    def count(self, level: LevelName, query: RegistryQuery) -> int:
        """How many items the search matches.

        Raises:
            FilterError: a filter this search does not understand.
        """
        where, params = self._where(level, query)
        row = self._db.one(f"SELECT count(*) FROM {_FROM[level]} WHERE {where}", tuple(params))
        return int(row[0]) if row is not None else 0

    def page(
        self,
        level: LevelName,
        query: RegistryQuery,
        *,
        order: str | None,
        after: tuple[Any, int] | None,
        limit: int,
    ) -> list[tuple[int, Any]]:
        """One page of a search: ``(row id, sort value)`` of each item, in order.

        Args:
            level: what to list.
            query: where and with which filters.
            order: ``[+|-]<key>`` of the level, or ``None`` for the order of creation.
            after: the ``(sort value, row id)`` of the last item already seen.
            limit: how many items at most.

        Raises:
            FilterError: a filter or order this search does not understand.
        """
        where, params = self._where(level, query)
        order_by = compile_order(level, order)
        pk = default_order_column(level)
        key = order_by.key or pk
        direction = "DESC" if order_by.descending else "ASC"
        compare = "<" if order_by.descending else ">"
        if after is not None:
            value, after_pk = after
            if order_by.key is None:
                where += f" AND {pk} {compare} ?"
                params.append(after_pk)
            else:
                where += f" AND ({key} {compare} ? OR ({key} = ? AND {pk} {compare} ?))"
                params.extend([value, value, after_pk])
        sql = (
            f"SELECT {pk}, {key} FROM {_FROM[level]} WHERE {where}"
            f" ORDER BY {key} {direction}, {pk} {direction} LIMIT ?"
        )
        rows = self._db.all(sql, (*params, limit))
        return [(int(row[0]), row[1]) for row in rows]

    def memberships(self, pks: Sequence[int]) -> dict[int, MembershipRow]:
        """The memberships with these row ids, by row id (one query for a page)."""
        rows = self._db.rows_by_pks("SELECT * FROM artifact_memberships WHERE pk IN", pks)
        return {
            int(row["pk"]): MembershipRow(**{**dict(row), "live": bool(row["live"])})
            for row in rows
        }
