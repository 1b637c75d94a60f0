"""``GET /_wandbkit/automations/firings?entity=<name>[&after=<id>][&limit=<n>]``: what the
automations of an entity did, for tests of a webhook receiver against the local server.

The route needs an API key like ``/graphql`` and answers only members of the entity (anyone
else gets a 404, as for an entity that does not exist). The answer is
``{"firings": [...]}``, oldest first: per firing its ``id`` (pass the last one as ``after`` to
read only newer ones), the automation's ``automationId`` and ``automationName``, the
``eventType`` and ``actionType``, the ``event`` (the payload variables it was filled from), the
``payload`` sent or recorded, the webhook ``url``, its ``status`` (``PENDING`` while a webhook is
being tried, then ``DELIVERED`` or ``FAILED``; ``RECORDED`` for a Slack message or a no-op),
``attempts``, the last ``responseCode`` and ``error``, ``createdAt`` and ``finishedAt``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from wandbkit.server.http.auth import error_response, unauthorized_response
from wandbkit.server.ids import encode_id, parse_row_id
from wandbkit.server.store import FiringRow, Store, UserRow
from wandbkit.server.urls import AUTOMATION_FIRINGS_PATH

#: The most firings one answer holds.
MAX_FIRINGS = 1000


def firing_json(firing: FiringRow) -> dict[str, Any]:
    """The route's form of one firing."""
    return {
        "id": firing.pk,
        "automationId": encode_id("Trigger", firing.trigger_pk) if firing.trigger_pk else None,
        "automationName": firing.trigger_name,
        "eventType": firing.event_type,
        "actionType": firing.action_type,
        "event": json.loads(firing.event),
        "payload": json.loads(firing.payload) if firing.payload is not None else None,
        "url": firing.url,
        "status": firing.status,
        "attempts": firing.attempts,
        "responseCode": firing.response_code,
        "error": firing.error,
        "createdAt": firing.created_at,
        "finishedAt": firing.finished_at,
    }


def _int_param(request: Request, name: str, default: int) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    return parse_row_id(raw)


class AutomationRoutes:
    """The firings route of one app.

    Args:
        store: where firings are recorded.
        authenticate: the request's user, or ``None`` (the same check as ``/graphql``).
    """

    def __init__(self, store: Store, authenticate: Callable[[Request], UserRow | None]) -> None:
        self.store = store
        self.authenticate = authenticate

    def routes(self) -> list[Route]:
        """The Starlette routes."""
        return [Route(AUTOMATION_FIRINGS_PATH, self.firings, methods=["GET"])]

    async def firings(self, request: Request) -> Response:
        """The entity's firings, oldest first."""
        viewer = self.authenticate(request)
        if viewer is None:
            return unauthorized_response()
        name = request.query_params.get("entity", "")
        entity = self.store.entities.get(name) if name else None
        if entity is None or not self.store.accounts.can_write(viewer, entity):
            return error_response(f"no entity named {name!r}", 404)
        after = _int_param(request, "after", 0)
        limit = _int_param(request, "limit", 100)
        if after is None or limit is None:
            return error_response("after and limit must be non-negative integers", 400)
        rows = self.store.automations.firings(
            entity.pk,
            after_pk=after,
            limit=min(limit, MAX_FIRINGS),
            hidden_projects=self.store.registries.unreadable_restricted(entity, viewer),
        )
        return JSONResponse({"firings": [firing_json(row) for row in rows]})
