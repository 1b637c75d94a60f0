"""The registry search: registries, their collections and the versions linked into them,
across one organization's entity, filtered, ordered and paged in SQL.

A read model over tables other repositories own (``projects``, ``artifact_collections``,
``artifact_memberships``, ``artifacts``): it writes nothing, and answers row ids that the owning
repositories turn into rows. Filters and orders are compiled by
:mod:`wandbkit.server.registry_filters`; visibility comes in as the set of registries the
viewer may read among the restricted ones (``None``: all of them), decided by the caller.

Pages are keyset pages over ``(sort key, row id)``: a cursor is the last item's pair, so a page
costs the same however deep it is and items added meanwhile are neither skipped nor repeated.

A versions search first decides which collections it searches (the live portfolios of the
registries the viewer may read that pass the registry and collection filters): one subquery,
evaluated once per statement, not per membership. In row order (no ``order``) a page then
walks the memberships from the cursor on in row id order and stops at the page's end, instead
of gathering and sorting every match again for every page.
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
from wandbkit.server.run_filters import FilterError
from wandbkit.server.store._db import Database
from wandbkit.server.store.artifact_memberships import (
    MEMBERSHIP_COLUMNS,
    MembershipRow,
    membership_at,
)

__all__ = ["RegistryQuery", "RegistrySearch"]

_REGISTRY = "p.entity_id = ? AND substr(p.name, 1, 15) = 'wandb-registry-' AND length(p.name) > 15"
_FROM: dict[LevelName, str] = {
    "registries": "projects p",
    "collections": "artifact_collections c JOIN projects p ON p.id = c.project_pk",
    "versions": "artifact_memberships m JOIN artifacts a ON a.pk = m.artifact_pk",
}
#: A versions page in row order: memberships first, walked by row id (``CROSS JOIN`` keeps
#: SQLite from starting at the versions).
_VERSIONS_IN_ROW_ORDER = "artifact_memberships m CROSS JOIN artifacts a ON a.pk = m.artifact_pk"
_LIVE: dict[LevelName, str] = {
    "registries": "",
    "collections": " AND c.state = 'READY'",
    "versions": " AND c.state = 'READY' AND c.kind = 'PORTFOLIO'",
}
#: The searched collections of a versions search, and the memberships' own conditions.
_SEARCHED = "SELECT c.pk FROM artifact_collections c JOIN projects p ON p.id = c.project_pk WHERE "
_LIVE_MEMBERSHIP = " AND m.live = 1 AND a.state = 'COMMITTED'"


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

    def _where(
        self, level: LevelName, query: RegistryQuery, *, row_order: bool = False
    ) -> tuple[str, list[Any]]:
        """The ``WHERE`` of a search over :data:`_FROM` and its parameters; a versions
        search's ``row_order`` form keeps SQLite from driving the search by the collections
        (``+m.collection_pk``: the unary plus hides the index)."""
        if level != "versions":
            return self._where_in(level, query)
        searched, params = self._where_in("versions", query)
        where = f"{'+' if row_order else ''}m.collection_pk IN ({_SEARCHED}{searched})"
        where += _LIVE_MEMBERSHIP
        fragment = compile_level("versions", query.version_filter, argument="filters")
        if fragment.sql != "1":
            where += f" AND {fragment.sql}"
            params.extend(fragment.params)
        return where, params

    def _where_in(self, level: LevelName, query: RegistryQuery) -> tuple[str, list[Any]]:
        # Over registries (``p``) and collections (``c``); a versions search's collections.
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
        pk = default_order_column(level)
        rows = self._page(level, query, f"{pk}, ", order=order, after=after, limit=limit)
        return [(int(row[0]), row[-1]) for row in rows]

    def membership_page(
        self,
        query: RegistryQuery,
        *,
        order: str | None,
        after: tuple[Any, int] | None,
        limit: int,
    ) -> list[tuple[MembershipRow, Any]]:
        """One page of a versions search with its memberships: ``(membership, sort value)``
        of each item, in order (as :meth:`page`, in the same query).

        Raises:
            FilterError: a filter or order this search does not understand.
        """
        columns = f"{MEMBERSHIP_COLUMNS}, "
        rows = self._page("versions", query, columns, order=order, after=after, limit=limit)
        return [(membership_at(row), row[-1]) for row in rows]

    def _page(
        self,
        level: LevelName,
        query: RegistryQuery,
        columns: str,
        *,
        order: str | None,
        after: tuple[Any, int] | None,
        limit: int,
    ) -> list[Any]:
        try:
            order_by = compile_order(level, order)
        except FilterError:
            self._where(level, query)  # a bad filter is named first, then a bad order
            raise
        row_order = level == "versions" and order_by.key is None
        where, params = self._where(level, query, row_order=row_order)
        source = _VERSIONS_IN_ROW_ORDER if row_order else _FROM[level]
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
            f"SELECT {columns}{key} FROM {source} WHERE {where}"
            f" ORDER BY {key} {direction}, {pk} {direction} LIMIT ?"
        )
        return self._db.all(sql, (*params, limit))
