"""The demo's automations: in the user's ``cifar10-augment`` project (where the demo's
artifacts live), a webhook integration and two automations that send to it — one when a run's
``val_acc`` rises above 0.9, one when a version of the project's artifacts is given the
``production`` alias — so the demo, ``wandbkit automations ls`` and the web view have some;
and in the team, a Slack channel (``#team-alerts-ml``; recorded only: nothing is ever posted to
Slack), so ``next(api.slack_integrations(entity="demo-team"))`` finds one.

The webhook points at ``http://127.0.0.1:9/wandbkit-demo`` (the discard port: nothing
listens), so firings made while trying the demo are recorded as ``FAILED`` after their retries
until the integration is pointed at a real receiver. The definitions are stored in exactly
the form the server's ``createFilterTrigger`` stores what the official client sends.
"""

from __future__ import annotations

import json

from wandbkit.server.seed.catalog import DemoContext
from wandbkit.server.store.automations import TriggerSpec

__all__ = [
    "DEMO_AUTOMATION_PROJECT",
    "DEMO_SLACK_CHANNEL",
    "DEMO_WEBHOOK",
    "DEMO_WEBHOOK_URL",
    "seed_demo_automations",
]

DEMO_AUTOMATION_PROJECT = "cifar10-augment"
DEMO_WEBHOOK = "demo-alerts"
DEMO_WEBHOOK_URL = "http://127.0.0.1:9/wandbkit-demo"
DEMO_SLACK_TEAM = "demo-workspace"
DEMO_SLACK_CHANNEL = "team-alerts-ml"

_RUN_PAYLOAD = {
    "text": "${run_name} of ${project_name}: ${metric_name} = ${metric_value}",
    "author": "${event_author}",
}
_ALIAS_PAYLOAD = {
    "text": "${artifact_version_string} is now ${alias}",
    "author": "${event_author}",
    "version": "${artifact_version}",
}


def _compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def seed_demo_automations(ctx: DemoContext) -> None:
    """The demo step: the webhook and the two automations, unless the user's entity has an
    integration of that name already; the team's Slack channel, unless it has it already."""
    store = ctx.store
    team_pk = ctx.team.pk
    if not any(
        row.name == DEMO_SLACK_CHANNEL
        for row in store.automations.integrations(team_pk, after_pk=0, limit=1000)
    ):
        store.automations.create_slack(
            team_pk, DEMO_SLACK_TEAM, DEMO_SLACK_CHANNEL, creator_pk=ctx.user.pk
        )
    entity_pk = ctx.user.entity_pk
    project = store.projects.get(entity_pk, DEMO_AUTOMATION_PROJECT)
    if project is None or any(
        row.name == DEMO_WEBHOOK
        for row in store.automations.integrations(entity_pk, after_pk=0, limit=1000)
    ):
        return
    hook = store.automations.create_webhook(
        entity_pk, DEMO_WEBHOOK, DEMO_WEBHOOK_URL, creator_pk=ctx.user.pk
    )
    threshold = {
        "name": "val_acc",
        "agg_op": None,
        "window_size": 1,
        "cmp_op": "$gt",
        "threshold": 0.9,
    }
    alias_filter = {"$or": [{"$and": [{"alias": {"$eq": "production"}}]}]}
    for name, description, event_type, event_filter, payload in (
        (
            "val-acc-above-0.9",
            "Tell the team when a run's validation accuracy passes 90%.",
            "RUN_METRIC",
            {
                "run_filter": _compact({"$and": []}),
                "run_metric_filter": {"threshold_filter": threshold},
            },
            _RUN_PAYLOAD,
        ),
        (
            "production-alias",
            "Announce every artifact version promoted to production.",
            "ADD_ARTIFACT_ALIAS",
            alias_filter,
            _ALIAS_PAYLOAD,
        ),
    ):
        spec = TriggerSpec(
            name=name,
            description=description,
            enabled=True,
            scope_type="PROJECT",
            scope_pk=project.pk,
            event_type=event_type,
            event_filter=_compact(event_filter),
            action_type="GENERIC_WEBHOOK",
            action_config=_compact({"request_payload": payload}),
            integration_pk=hook.pk,
        )
        store.automations.create(entity_pk, spec, creator_pk=ctx.user.pk)
