# Generated from src/wandbkit/_async/artifacts/versions.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""The versions of a collection (``Artifacts``) and the versions a run logged or used
(``RunArtifacts``), listed page by page."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from wandbkit._core.errors import NotFoundError, UsageError
from wandbkit._core.not_found import project_not_found, run_not_found
from wandbkit._generated.fragments import ArtifactLightFields
from wandbkit._sync.artifacts.artifact import Artifact
from wandbkit._sync.artifacts.listed import ListedPage
from wandbkit._sync.artifacts.place import place_in
from wandbkit._sync.artifacts.resolve import Where, fetch_collection, type_not_found
from wandbkit._sync.context import ClientContext
from wandbkit._sync.pagination import Page, RelayPaginator
from wandbkit._values.artifacts import check_tags
from wandbkit._values.checks import sanitize_json
from wandbkit.paths import check_name

if TYPE_CHECKING:
    from wandbkit._generated.fragments import (
        ArtifactHeavyFields,
        ArtifactLightWithAliases,
        ArtifactWithAliases,
    )
    from wandbkit._generated.get_artifacts import GetArtifactsProject
    from wandbkit._generated.get_artifacts_light import GetArtifactsLightProject

#: The filter ``Artifacts`` sends unless told otherwise: committed versions only.
COMMITTED = {"state": "COMMITTED"}
_ORDER = re.compile(r"[+-]?[A-Za-z_]\w*", re.ASCII)


def check_order(order: object) -> str | None:
    """An order for artifacts and collections: ``[+|-]field`` (``+`` when unsigned), as
    ``wandb`` validates it; dotted paths are refused.

    Raises:
        UsageError: anything else.
    """
    if order is None:
        return None
    if not isinstance(order, str) or not _ORDER.fullmatch(order):
        raise UsageError(f"order must look like '[+|-]field' (e.g. '-createdAt'), got {order!r}")
    return order if order[0] in "+-" else f"+{order}"


def check_filters(filters: object) -> str | None:
    """Filters as the JSON text the server takes (``None`` for none).

    Raises:
        UsageError: not a dict of JSON values.
    """
    if filters is None:
        return None
    if not isinstance(filters, Mapping):
        raise UsageError(f"filters must be a dict, got {type(filters).__name__}")
    return json.dumps(sanitize_json(dict(filters), "filters"))


class Artifacts(RelayPaginator[Artifact]):
    """The versions of one collection, page by page (``len()`` is the server's count).

    Only committed versions are listed unless ``filters`` says otherwise; ``tags`` keeps the
    versions that carry every tag named (checked on the client, as ``wandb`` does).

    Versions arrive with their light fields (``Artifact`` says which); the first read of
    another field loads the rest for its page at once, and the pages listed after that bring
    every field. With ``tags`` every page brings every field (the tags are needed).
    """

    pipelined = True

    def __init__(
        self,
        ctx: ClientContext,
        where: Where,
        collection_name: str,
        type: str,
        filters: Mapping[str, Any] | None = None,
        order: str | None = None,
        per_page: int = 50,
        tags: Sequence[str] | None = None,
        start: str | None = None,
    ) -> None:
        super().__init__(per_page=per_page, start=start)
        self._ctx = ctx
        self._where = where
        #: Filled in from the name's defaults when the first page loads.
        self.entity: str | None = where.known[0] if where.known else where.name.prefix
        self.project: str | None = where.known[1] if where.known else where.name.project
        self._organization: str | None = where.known[2] if where.known else None
        self.collection_name = check_name(collection_name, "name")
        self.type = check_name(type, "type_name")
        self.filters = dict(COMMITTED if filters is None else filters)
        self._filters_json = check_filters(self.filters)
        self.order = check_order(order)
        self.tags = check_tags(tags) if tags is not None else None
        #: Whether pages are listed with the light fields (until one's heavy fields are read).
        self.lazy = self.tags is None

    def _variables(self, cursor: str | None) -> dict[str, Any]:
        return {
            "entity": str(self.entity),  # resolved by the first page's locate()
            "project": str(self.project),
            "type_": self.type,
            "collection": self.collection_name,
            "cursor": cursor,
            "per_page": self.per_page,
            "order": self.order,
            "filters": self._filters_json,
        }

    def _heavy_page(self, cursor: str | None) -> list[ArtifactHeavyFields]:
        """The heavy fields of the page listed after ``cursor`` (``GetArtifactsHeavy``)."""
        result = self._ctx.client.get_artifacts_heavy(**self._variables(cursor))
        kind = result.project.artifact_type if result.project is not None else None
        connection = None
        if kind is not None and kind.artifact_collection is not None:
            connection = kind.artifact_collection.artifacts
        if connection is None:  # gone since listed: each version asks for itself
            return []
        return [edge.node for edge in connection.edges if edge.node is not None]

    def _fetch(self, cursor: str | None) -> Page[Artifact]:
        self.entity, self.project, self._organization = self._where.locate(self._ctx)
        variables = self._variables(cursor)
        page: ListedPage | None = None
        found: GetArtifactsProject | GetArtifactsLightProject | None
        if self.lazy:
            page = ListedPage(self, cursor)
            found = (
                self._ctx.client.get_artifacts_light(**variables, on_data=self._on_data(cursor))
            ).project
        else:
            found = (
                self._ctx.client.get_artifacts(**variables, on_data=self._on_data(cursor))
            ).project
        if found is None:
            raise project_not_found(self.entity, self.project, "GetArtifacts")
        kind = found.artifact_type
        if kind is None:
            raise type_not_found(self.entity, self.project, self.type, "GetArtifacts")
        collection = kind.artifact_collection
        if collection is None:
            fetch_collection(self._ctx, self.entity, self.project, self.type, self.collection_name)
            raise NotFoundError(f"artifact collection {self.collection_name!r} not found")
        connection = collection.artifacts
        if connection is None:
            return Page([], None, False, 0)
        wanted = set(self.tags or [])
        items = []
        for edge in connection.edges:
            node = edge.node
            if node is None or (wanted and not wanted.issubset(_tag_names(node))):
                continue
            place = place_in(
                node,
                self.entity,
                self.project,
                self.collection_name,
                edge.version,
                collection_kind=collection.typename__,
                organization=self._organization,
            )
            items.append(Artifact(self._ctx, node, place, page=page))
        info = connection.page_info
        return Page(items, info.end_cursor, info.has_next_page, connection.total_count)


def _tag_names(node: ArtifactWithAliases | ArtifactLightWithAliases) -> list[str]:
    """The tags of a version listed with every field (a tags filter lists them so)."""
    assert not isinstance(node, ArtifactLightFields), "a tags filter lists every field"
    return [tag.name for tag in node.tags]


RunArtifactsMode = Literal["logged", "used"]


class RunArtifacts(RelayPaginator[Artifact]):
    """The versions a run logged (``mode="logged"``) or used (``"used"``), page by page
    (``len()`` is the server's count). Each is named by the collection that logged it."""

    def __init__(
        self,
        ctx: ClientContext,
        entity: str,
        project: str,
        run_id: str,
        mode: RunArtifactsMode = "logged",
        per_page: int = 50,
        start: str | None = None,
    ) -> None:
        super().__init__(per_page=per_page, start=start)
        if mode not in ("logged", "used"):
            raise UsageError(f"mode must be 'logged' or 'used', got {mode!r}")
        self._ctx = ctx
        self.entity = entity
        self.project = project
        self.run_id = run_id
        self.mode = mode

    def _fetch(self, cursor: str | None) -> Page[Artifact]:
        variables: dict[str, Any] = {
            "entity": self.entity,
            "project": self.project,
            "run": self.run_id,
            "cursor": cursor,
            "per_page": self.per_page,
        }
        nodes: list[ArtifactWithAliases] = []
        if self.mode == "logged":
            output = self._ctx.client.get_run_output_artifacts(**variables)
            run = output.project.run if output.project is not None else None
            if run is None:
                raise run_not_found(self.entity, self.project, self.run_id, "GetRunOutputArtifacts")
            out = run.output_artifacts
            if out is None:
                return Page([], None, False, 0)
            nodes = [edge.node for edge in out.edges if edge.node is not None]
            info, total = out.page_info, out.total_count
        else:
            used = self._ctx.client.get_run_input_artifacts(**variables)
            used_run = used.project.run if used.project is not None else None
            if used_run is None:
                raise run_not_found(self.entity, self.project, self.run_id, "GetRunInputArtifacts")
            into = used_run.input_artifacts
            if into is None:
                return Page([], None, False, 0)
            nodes = [edge.node for edge in into.edges if edge.node is not None]
            info, total = into.page_info, into.total_count
        items = [Artifact(self._ctx, node, place_in(node)) for node in nodes]
        return Page(items, info.end_cursor, info.has_next_page, total)
