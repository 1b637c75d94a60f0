# Generated from src/wandbkit/_async/automations.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""Listings of automations and integrations: lazy relay paginators over the official
documents (``GetEntityAutomations``, ``GetAutomationsLegacy``, ``IntegrationsByEntity``).

The vocabulary and the wire form live in :mod:`wandbkit.automations`; this module only asks the
server and hands each node to :func:`wandbkit.automations._wire.automation_from_trigger`.
"""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from urllib.parse import urlencode

from pydantic_core import to_json

from wandbkit._core.errors import APIError, GraphQLError, NotFoundError
from wandbkit._sync.pagination import Page, RelayPaginator
from wandbkit.automations._wire import automation_from_trigger, integration_from_node
from wandbkit.automations.events import Automation
from wandbkit.automations.firings import FIRINGS_PATH, AutomationFiring, firing_from_json
from wandbkit.automations.integrations import Integration, SlackIntegration, WebhookIntegration

if TYPE_CHECKING:
    from pydantic import BaseModel

    from wandbkit._generated.get_automations_legacy import GetAutomationsLegacyScopeProjects
    from wandbkit._generated.get_entity_automations_legacy import (
        GetEntityAutomationsLegacyScopeProjects,
    )
    from wandbkit._sync.context import ClientContext

IntegrationT = TypeVar("IntegrationT", SlackIntegration, WebhookIntegration, Integration)

DEFAULT_PER_PAGE = 50


def automation_of(node: BaseModel, operation_name: str) -> Automation:
    """The :class:`Automation` of a generated ``TriggerFields`` node."""
    return automation_from_trigger(node.model_dump(by_alias=True), operation_name=operation_name)


#: The server feature that says ``Entity.triggers`` exists.
ENTITY_TRIGGERS_FEATURE = "QUERY_AUTOMATIONS_ON_ENTITY"


def _entity_triggers_supported(ctx: ClientContext) -> bool:
    """Whether the server lists an entity's automations itself (else: walk its projects). A
    server too old to report features has not got them either."""
    try:
        features = ctx.server_features()
    except GraphQLError:
        return False
    return features.get(ENTITY_TRIGGERS_FEATURE, False)


class Automations(RelayPaginator[Automation]):
    """Automations, page by page: an entity's (``entity.triggers``, filtered on the server by
    ``name``), or, without an entity, those of every project the viewer sees (the official
    client's walk over ``viewer.projects``, filtered by ``name`` here)."""

    def __init__(
        self,
        ctx: ClientContext,
        entity: str | None,
        *,
        name: str | None = None,
        per_page: int = DEFAULT_PER_PAGE,
        start: str | None = None,
    ) -> None:
        super().__init__(per_page=per_page, start=start)
        self._ctx = ctx
        #: The entity whose automations are listed (``None``: the viewer's projects').
        self.entity = entity
        #: Only automations of this name.
        self.name = name
        # Whether the server lacks ``Entity.triggers`` (W&B Server before 0.83), so that an
        # entity's automations are read from its projects, as wandb.Api does; asked once.
        self._legacy: bool | None = None

    def _fetch(self, cursor: str | None) -> Page[Automation]:
        if self.entity is None:
            return self._fetch_viewer_projects(cursor)
        if self._legacy is None:
            self._legacy = not _entity_triggers_supported(self._ctx)
        if self._legacy:
            return self._fetch_entity_projects(self.entity, cursor)
        filters = to_json({"name": self.name}).decode() if self.name else None
        result = self._ctx.client.get_entity_automations(
            entity=self.entity, cursor=cursor, per_page=self.per_page, filters=filters
        )
        if result.scope is None:
            raise NotFoundError(
                f"entity {self.entity!r} not found", operation_name="GetEntityAutomations"
            )
        connection = result.scope.triggers
        items = [automation_of(edge.node, "GetEntityAutomations") for edge in connection.edges]
        info = connection.page_info
        return Page(items, info.end_cursor, info.has_next_page)

    def _fetch_viewer_projects(self, cursor: str | None) -> Page[Automation]:
        result = self._ctx.client.get_automations_legacy(cursor=cursor, per_page=self.per_page)
        projects = result.scope.projects if result.scope is not None else None
        return self._projects_page(projects, "GetAutomationsLegacy")

    def _fetch_entity_projects(self, entity: str, cursor: str | None) -> Page[Automation]:
        result = self._ctx.client.get_entity_automations_legacy(
            entity=entity, cursor=cursor, per_page=self.per_page
        )
        if result.scope is None:
            raise NotFoundError(
                f"entity {entity!r} not found", operation_name="GetEntityAutomationsLegacy"
            )
        return self._projects_page(result.scope.projects, "GetEntityAutomationsLegacy")

    def _projects_page(
        self,
        projects: GetAutomationsLegacyScopeProjects
        | GetEntityAutomationsLegacyScopeProjects
        | None,
        operation_name: str,
    ) -> Page[Automation]:
        """The automations (of ``name``, when given) of a page of projects and their
        ``triggers``, as both legacy documents answer it."""
        if projects is None:
            return Page([], None, False)
        items = [
            automation_of(trigger, operation_name)
            for edge in projects.edges
            if edge.node is not None
            for trigger in edge.node.triggers
            if self.name is None or trigger.name == self.name
        ]
        info = projects.page_info
        return Page(items, info.end_cursor, info.has_next_page)

    def __repr__(self) -> str:
        return f"<AsyncAutomations entity={self.entity!r} loaded={len(self.objects)}>"


class Integrations(RelayPaginator[IntegrationT], Generic[IntegrationT]):
    """An entity's integrations, page by page; ``kinds`` keeps only some types (the server
    lists every type, so the official client filters here too)."""

    def __init__(
        self,
        ctx: ClientContext,
        entity: str | None,
        kinds: tuple[type[Any], ...],
        *,
        per_page: int = DEFAULT_PER_PAGE,
        start: str | None = None,
    ) -> None:
        super().__init__(per_page=per_page, start=start)
        self._ctx = ctx
        #: The entity (resolved to your default entity on the first page when not given).
        self.entity = entity
        self._kinds = kinds

    def _fetch(self, cursor: str | None) -> Page[IntegrationT]:
        if self.entity is None:
            self.entity = self._ctx.resolve_entity(None)
        result = self._ctx.client.integrations_by_entity(
            entity=self.entity, cursor=cursor, per_page=self.per_page
        )
        if result.entity is None or result.entity.integrations is None:
            raise NotFoundError(
                f"entity {self.entity!r} not found", operation_name="IntegrationsByEntity"
            )
        connection = result.entity.integrations
        items: list[IntegrationT] = []
        for edge in connection.edges:
            if edge.node is None:
                continue
            found = integration_from_node(edge.node.model_dump(by_alias=True))
            if found is not None and isinstance(found, self._kinds):
                items.append(found)  # type: ignore[arg-type]
        info = connection.page_info
        return Page(items, info.end_cursor, info.has_next_page)

    def __repr__(self) -> str:
        return f"<AsyncIntegrations entity={self.entity!r} loaded={len(self.objects)}>"


def read_firings(
    ctx: ClientContext, entity: str, *, after: int, limit: int
) -> list[AutomationFiring]:
    """One answer of the local server's firings route (oldest first)."""
    query = urlencode({"entity": entity, "after": after, "limit": limit})
    url = f"{ctx.settings.base_url}{FIRINGS_PATH}?{query}"
    sink = io.BytesIO()
    try:
        ctx.transport.download(
            url, sink, authenticate=True, description="reading automation firings"
        )
    except NotFoundError as exc:
        raise NotFoundError(
            f"no automation firings of entity {entity!r}: the entity does not exist or is not "
            "yours, or the server is not the wandbkit local server (W&B does not publish "
            "firings)",
            response=exc.response,
            operation_name="automation_firings",
        ) from exc
    try:
        answer = json.loads(sink.getvalue())
    except ValueError:
        answer = None
    firings = answer.get("firings") if isinstance(answer, dict) else None
    if not isinstance(firings, list):
        raise APIError(
            f"the firings route answered something else than firings ({url})",
            operation_name="automation_firings",
        )
    return [firing_from_json(node) for node in firings]
