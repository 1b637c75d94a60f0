"""Helpers of the automations tests: official-client inputs, waiting for firings to settle
(the loopback receiver is :func:`wandbkit.server.testing.webhook_receiver`)."""

from __future__ import annotations

import time
from typing import Any

import httpx

from wandbkit.server.ids import encode_id
from wandbkit.server.store import Store

FIRINGS = "/_wandbkit/automations/firings"


async def settled_firings(
    client: httpx.AsyncClient, entity: str, count: int, timeout: float = 15.0
) -> list[dict[str, Any]]:
    """The entity's firings once at least ``count`` exist and none is ``PENDING``."""
    deadline = time.monotonic() + timeout
    while True:
        response = await client.get(FIRINGS, params={"entity": entity})
        assert response.status_code == 200, response.text
        firings: list[dict[str, Any]] = response.json()["firings"]
        done = len(firings) >= count and all(f["status"] != "PENDING" for f in firings)
        if done or time.monotonic() > deadline:
            return firings
        time.sleep(0.05)


def project_id(store: Store, entity: str, project: str) -> str:
    """The GraphQL id of a project (creating it if missing)."""
    found = store.projects.find(entity, project)
    if found is None:
        owner = store.entities.get(entity)
        assert owner is not None
        found, _ = store.projects.upsert(owner.pk, project, creator_pk=None)
    return encode_id("Project", found.pk)


def official_input(event: Any, action: Any, name: str) -> dict[str, Any]:
    """The ``CreateFilterTriggerInput`` the official client (wandb 0.31.0) sends for
    ``event >> action``; skips the test without the official package."""
    from wandb.automations._inputs import prepare_to_create

    created = prepare_to_create(event >> action, name=name)
    variables: dict[str, Any] = created.model_dump(mode="json", by_alias=True)
    return variables


def official_automation(trigger: dict[str, Any]) -> Any:
    """A ``Trigger`` of a response parsed as the official client parses it: through its
    generated ``TriggerFields`` model, then as a ``wandb.automations.Automation``."""
    from wandb.automations import Automation
    from wandb.automations._generated import TriggerFields

    return Automation.model_validate(TriggerFields.model_validate(trigger))
