"""The automations vocabulary, with the names of the official ``wandb.automations``.

Code written for ``wandb.automations`` moves by an import change::

    from wandbkit.automations import OnRunMetric, RunEvent, SendWebhook

    event = OnRunMetric(scope=project, filter=RunEvent.metric("loss").max(5) > 0.5)
    automation = api.create_automation(
        event >> SendWebhook.from_integration(hook, payload={"run": "${run_name}"}),
        name="loss-alarm",
    )

Scopes say where an event must happen, events what happens (with a filter), actions what
follows; ``event >> action`` makes a :class:`NewAutomation`. Everything is checked when it is
built and again before a request: a bad value is a
:class:`~wandbkit._core.errors.UsageError` naming the field. The wire form (what
``Api.create_automation`` sends and how saved triggers are read) is in
``wandbkit.automations._wire``; it is the official client's, byte for byte.
"""

from wandbkit.automations._enums import (
    ActionType,
    Agg,
    AlertSeverity,
    ChangeDir,
    ChangeType,
    EventType,
    ReportedRunState,
    ScopeType,
)
from wandbkit.automations._metrics import (
    MetricChangeFilter,
    MetricThresholdFilter,
    MetricZScoreFilter,
    RunMetricFilter,
    RunStateFilter,
    StateFilter,
)
from wandbkit.automations._mongo import FilterableField, FilterExpr
from wandbkit.automations.actions import (
    DoNothing,
    QueueJob,
    SendNotification,
    SendPromptToAria,
    SendWebhook,
)
from wandbkit.automations.events import (
    ArtifactEvent,
    Automation,
    NewAutomation,
    OnAddArtifactAlias,
    OnAddArtifactTag,
    OnAddCollectionTag,
    OnCreateArtifact,
    OnLinkArtifact,
    OnRemoveArtifactTag,
    OnRemoveCollectionTag,
    OnRunMetric,
    OnRunState,
    OnUnlinkArtifact,
    RunEvent,
)
from wandbkit.automations.firings import AutomationFiring
from wandbkit.automations.integrations import Integration, SlackIntegration, WebhookIntegration
from wandbkit.automations.scopes import (
    ArtifactCollectionScope,
    EntityScope,
    OrgScope,
    ProjectScope,
    RegistryScope,
    TeamScope,
)

__all__ = [
    "ActionType",
    "Agg",
    "AlertSeverity",
    "ArtifactCollectionScope",
    "ArtifactEvent",
    "Automation",
    "AutomationFiring",
    "ChangeDir",
    "ChangeType",
    "DoNothing",
    "EntityScope",
    "EventType",
    "FilterExpr",
    "FilterableField",
    "Integration",
    "MetricChangeFilter",
    "MetricThresholdFilter",
    "MetricZScoreFilter",
    "NewAutomation",
    "OnAddArtifactAlias",
    "OnAddArtifactTag",
    "OnAddCollectionTag",
    "OnCreateArtifact",
    "OnLinkArtifact",
    "OnRemoveArtifactTag",
    "OnRemoveCollectionTag",
    "OnRunMetric",
    "OnRunState",
    "OnUnlinkArtifact",
    "OrgScope",
    "ProjectScope",
    "QueueJob",
    "RegistryScope",
    "ReportedRunState",
    "RunEvent",
    "RunMetricFilter",
    "RunStateFilter",
    "ScopeType",
    "SendNotification",
    "SendPromptToAria",
    "SendWebhook",
    "SlackIntegration",
    "StateFilter",
    "TeamScope",
    "WebhookIntegration",
]
