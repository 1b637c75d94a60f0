"""The automations Api end to end against the local server (both flavours): a webhook
integration, an automation created from ``event >> action``, listed, fetched, edited, refused
when its name is taken, and deleted."""

from __future__ import annotations

import pytest

from wandbkit._core.errors import ConflictError, NotFoundError
from wandbkit.automations import (
    ArtifactEvent,
    Automation,
    OnAddArtifactAlias,
    OnRunMetric,
    ProjectScope,
    RunEvent,
    SendWebhook,
)

from ..support import Flavor


async def test_an_automation_goes_through_its_life_on_the_local_server(flavor: Flavor) -> None:
    api, team = flavor.api, flavor.seed.team
    await flavor(api.create_project("auto-e2e", entity=team))
    project = await flavor(api.project("auto-e2e", entity=team))
    if flavor.is_async:
        await project.load()
    hook = await flavor(
        api.create_webhook_integration("e2e-hook", "http://127.0.0.1:9/hook", entity=team)
    )
    assert hook in await flavor.list(api.webhook_integrations(team))

    event = OnRunMetric(scope=project, filter=RunEvent.metric("loss").max(3) > 0.5)
    assert event.scope == ProjectScope(project.id, "auto-e2e")
    action = SendWebhook.from_integration(hook, payload={"run": "${run_name}"})
    created = await flavor(api.create_automation(event >> action, name="e2e", description="d"))
    assert isinstance(created, Automation)
    assert (created.name, created.description, created.enabled) == ("e2e", "d", True)
    assert created.event == event and created.action == action

    listed = await flavor.list(api.automations(team))
    assert [a.id for a in listed] == [created.id]
    fetched = await flavor(api.automation("e2e", entity=team))
    assert fetched.event == event and fetched.scope == event.scope

    with pytest.raises(ConflictError):
        await flavor(api.create_automation(event >> action, name="e2e"))
    existing = await flavor(api.create_automation(event >> action, name="e2e", fetch_existing=True))
    assert existing.id == created.id

    fetched.enabled = False
    alias_event = OnAddArtifactAlias(scope=project, filter=ArtifactEvent.alias.eq("prod"))
    updated = await flavor(api.update_automation(fetched, description="off", event=alias_event))
    assert (updated.id, updated.enabled, updated.description) == (created.id, False, "off")
    assert updated.event == alias_event

    assert await flavor(api.delete_automation(updated)) is True
    assert await flavor.list(api.automations(team)) == []
    with pytest.raises(NotFoundError):
        await flavor(api.automation("e2e", entity=team))
