"""The server's trigger wire form, written and read exactly as the official client does.

* :func:`to_create_variables` / :func:`to_update_variables`: the variables of the
  ``CreateAutomation`` / ``UpdateAutomation`` mutations (``{"input": {...}}``), key for key what
  ``wandb.automations._inputs.prepare_to_create`` / ``prepare_to_update`` dump: ``None`` values
  left out, ``eventFilter`` and ``requestPayload`` as JSON text (dumped with pydantic-core, as
  the official ``to_json``, so the text is byte-identical).
* :func:`automation_from_trigger`: an :class:`~wandbkit.automations.events.Automation` from a
  ``TriggerFields`` node (a dict in the response's camelCase, JSON fields as text or parsed).
* :func:`integration_from_node`, :func:`to_webhook_integration_variables`: integrations.

Everything is checked before a request is built; bad input is a
:class:`~wandbkit._core.errors.UsageError` naming the field. A trigger the server sent in a
shape this module cannot read is a :class:`~wandbkit._core.errors.ResponseValidationError`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from pydantic_core import to_json

from wandbkit._core.errors import ResponseValidationError, UsageError
from wandbkit._core.scalars import parse_datetime
from wandbkit.automations._enums import EventType, lookup
from wandbkit.automations._metrics import (
    MetricChangeFilter,
    MetricFilter,
    MetricThresholdFilter,
    MetricZScoreFilter,
    RunMetricFilter,
    RunStateFilter,
    StateFilter,
)
from wandbkit.automations._mongo import FilterExpr, as_filter_json
from wandbkit.automations.actions import (
    Action,
    DoNothing,
    QueueJob,
    SendNotification,
    SendPromptToAria,
    SendWebhook,
)
from wandbkit.automations.events import (
    EVENT_TYPES,
    Automation,
    Event,
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
    UpdateArtifactAliasEvent,
    check_automation_name,
)
from wandbkit.automations.integrations import (
    Integration,
    SlackIntegration,
    WebhookIntegration,
    check_webhook_name,
    check_webhook_url,
)
from wandbkit.automations.scopes import (
    COLLECTION_TYPENAMES,
    REGISTRY_PREFIX,
    ArtifactCollectionScope,
    AutomationScope,
    OrgScope,
    ProjectScope,
    RegistryScope,
    TeamScope,
    scope_from,
)

__all__ = [
    "WRITE_KEYS",
    "action_config",
    "automation_from_trigger",
    "event_filter_text",
    "integration_from_node",
    "to_create_variables",
    "to_update_variables",
    "to_webhook_integration_variables",
]

#: The keyword arguments create_automation / update_automation take (official
#: ``WriteAutomationsKwargs``).
WRITE_KEYS: Final = frozenset({"name", "description", "enabled", "scope", "event", "action"})

_MUTATION_EVENTS: Final[dict[EventType, type[Any]]] = {
    EventType.LINK_ARTIFACT: OnLinkArtifact,
    EventType.UNLINK_ARTIFACT: OnUnlinkArtifact,
    EventType.ADD_ARTIFACT_ALIAS: OnAddArtifactAlias,
    EventType.ADD_ARTIFACT_TAG: OnAddArtifactTag,
    EventType.REMOVE_ARTIFACT_TAG: OnRemoveArtifactTag,
    EventType.ADD_COLLECTION_TAG: OnAddCollectionTag,
    EventType.REMOVE_COLLECTION_TAG: OnRemoveCollectionTag,
    EventType.CREATE_ARTIFACT: OnCreateArtifact,
}
_METRIC_KEYS: Final = {
    "threshold_filter": MetricThresholdFilter,
    "change_filter": MetricChangeFilter,
    "zscore_filter": MetricZScoreFilter,
}


def _dumps(value: Any) -> str:
    """JSON text as the official client's ``to_json`` (pydantic-core) writes it."""
    return to_json(value).decode()


# -- writing ------------------------------------------------------------------------------


def event_filter_text(event: Event) -> str:
    """The ``eventFilter`` of an event: the mutation events' wrapped Mongo filter, or the run
    events' ``run_filter`` + metric or state filter, as JSON text."""
    if isinstance(event, (OnRunMetric, OnRunState)):
        return _dumps(event.filter._wire_json())
    assert isinstance(event.filter, FilterExpr)
    return _dumps(event.filter.to_json())


def action_config(action: Action) -> dict[str, Any]:
    """The ``triggeredActionConfig`` of an action: its input under its own key.

    Raises:
        UsageError: a Launch (``QUEUE_JOB``) action, which new or edited automations may not
            have.
    """
    if isinstance(action, SendNotification):
        body = {
            "integrationID": action.integration_id,
            "message": action.message,
            "severity": action.severity.value,
            "title": action.title,
        }
        return {"notificationActionInput": body}
    if isinstance(action, SendWebhook):
        hook: dict[str, Any] = {"integrationID": action.integration_id}
        if action.request_payload is not None:
            hook["requestPayload"] = _dumps(action.request_payload)
        return {"genericWebhookActionInput": hook}
    if isinstance(action, DoNothing):
        return {"noOpActionInput": {"noOp": True}}
    if isinstance(action, SendPromptToAria):
        return {"ariaActionInput": {"prompt": action.prompt}}
    if isinstance(action, QueueJob):
        raise UsageError("action: QUEUE_JOB actions cannot be assigned to automations")
    raise UsageError(
        "action must be SendNotification, SendWebhook, SendPromptToAria or DoNothing, got "
        f"{type(action).__name__}"
    )


def _merged(obj: object, kwargs: Mapping[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    unknown = set(kwargs) - WRITE_KEYS
    if unknown:
        raise UsageError(
            f"unknown keyword arguments {sorted(unknown)}; expected some of {sorted(WRITE_KEYS)}"
        )
    values = {name: getattr(obj, name, None) for name in fields} if obj is not None else {}
    return {**values, **kwargs}


def _check_event(event: object, scope: AutomationScope | None) -> Event:
    if isinstance(event, UpdateArtifactAliasEvent):
        raise UsageError("event: UPDATE_ARTIFACT_ALIAS events cannot be assigned to automations")
    if not isinstance(event, EVENT_TYPES):
        raise UsageError(
            f"event must be an event such as OnRunMetric or OnLinkArtifact, got {event!r}"
        )
    # Check again (the event is mutable), on a copy: the caller's object is not changed.
    checked = dataclasses.replace(event, scope=scope if scope is not None else event.scope)
    return checked  # type: ignore[return-value]


def _check_action(action: object) -> Action:
    if action is None:
        raise UsageError("action is required: e.g. SendWebhook.from_integration(hook)")
    action_config(action)  # type: ignore[arg-type]
    return action  # type: ignore[return-value]


def _check_optional(values: Mapping[str, Any]) -> None:
    description, enabled = values.get("description"), values.get("enabled")
    if description is not None and not isinstance(description, str):
        raise UsageError(f"description must be a string, got {type(description).__name__}")
    if enabled is not None and not isinstance(enabled, bool):
        raise UsageError(f"enabled must be a bool, got {type(enabled).__name__}")


def _trigger_input(event: Event, action: Action, scope: AutomationScope) -> dict[str, Any]:
    return {
        "eventFilter": event_filter_text(event),
        "scopeID": scope.id,
        "scopeType": scope.scope_type.value,
        "triggeredActionConfig": action_config(action),
        "triggeredActionType": action.action_type.value,
        "triggeringEventType": event.event_type.value,
    }


def to_create_variables(obj: NewAutomation | None = None, /, **kwargs: Any) -> dict[str, Any]:
    """The ``CreateAutomation`` variables for ``obj`` with ``kwargs`` (name, description,
    enabled, scope, event, action) overriding its fields.

    Raises:
        UsageError: no name, event or action; an event that does not fit its scope; a legacy
            event or action type; any other bad field (named).
    """
    if obj is not None and not isinstance(obj, NewAutomation):
        raise UsageError(f"obj must be a NewAutomation (event >> action), got {obj!r}")
    values = _merged(obj, kwargs, ("name", "description", "enabled", "event", "action"))
    name = check_automation_name(values.get("name"))
    _check_optional(values)
    if values.get("event") is None:
        raise UsageError("event is required: e.g. OnRunMetric(scope=project, filter=...)")
    scope = scope_from(values["scope"]) if values.get("scope") is not None else None
    event = _check_event(values["event"], scope)
    action = _check_action(values.get("action"))
    enabled = values.get("enabled")
    body: dict[str, Any] = {}
    if values.get("description") is not None:
        body["description"] = values["description"]
    body["enabled"] = True if enabled is None else enabled
    trigger = _trigger_input(event, action, event.scope)
    body["eventFilter"] = trigger.pop("eventFilter")
    body["name"] = name
    body.update(trigger)
    return {"input": body}


def to_update_variables(obj: Automation, /, **kwargs: Any) -> dict[str, Any]:
    """The ``UpdateAutomation`` variables for a saved automation with ``kwargs`` overriding
    its fields. As officially, the automation's own ``scope`` is sent (a ``scope=`` keyword
    changes it), not the scope of a replacement ``event``.

    Raises:
        UsageError: not a saved automation; a legacy event or action type; a bad field.
    """
    if not isinstance(obj, Automation):
        raise UsageError(f"obj must be a saved Automation (from Api.automation), got {obj!r}")
    values = _merged(obj, kwargs, ("name", "description", "enabled", "scope", "event", "action"))
    if values.get("name") is not None:
        check_automation_name(values["name"])
    _check_optional(values)
    scope = scope_from(values["scope"])
    event = _check_event(values["event"], scope)
    action = _check_action(values.get("action"))
    body: dict[str, Any] = {}
    for key in ("description", "enabled"):
        if values.get(key) is not None:
            body[key] = values[key]
    trigger = _trigger_input(event, action, scope)
    body["eventFilter"] = trigger.pop("eventFilter")
    if not isinstance(obj.id, str) or not obj.id:
        raise UsageError(f"id must be the automation's id, got {obj.id!r}")
    body["id"] = obj.id
    if values.get("name") is not None:
        body["name"] = values["name"]
    body.update(trigger)
    return {"input": body}


def to_webhook_integration_variables(
    name: str,
    url_endpoint: str,
    entity: str,
    *,
    secret_ref: str | None = None,
    access_token_ref: str | None = None,
) -> dict[str, Any]:
    """The ``CreateGenericWebhookIntegration`` variables.

    Raises:
        UsageError: a bad name, a URL that is not http(s), or a bad secret name.
    """
    body: dict[str, Any] = {"entityName": entity, "name": check_webhook_name(name)}
    body["urlEndpoint"] = check_webhook_url(url_endpoint)
    for key, value in (("secretRef", secret_ref), ("accessTokenRef", access_token_ref)):
        if value is not None:
            if not isinstance(value, str) or not value:
                raise UsageError(f"{key} must be the name of a secret, got {value!r}")
            body[key] = value
    return {"input": body}


# -- reading ------------------------------------------------------------------------------


class _Bad(Exception):
    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.where, self.message = where, message


def _json(value: Any, where: str) -> Any:
    if isinstance(value, (str, bytes)):
        try:
            return json.loads(value)
        except ValueError:
            raise _Bad(where, "not valid JSON") from None
    return value


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    value = _json(value, where)
    if not isinstance(value, Mapping):
        raise _Bad(where, f"expected an object, got {type(value).__name__}")
    return value


def _scope(node: Mapping[str, Any]) -> AutomationScope:
    typename, id_, name = node.get("__typename"), str(node.get("id")), str(node.get("name"))
    if typename == "Project":
        cls: type[Any] = RegistryScope if name.startswith(REGISTRY_PREFIX) else ProjectScope
        return cls(id_, name)  # type: ignore[no-any-return]
    if typename in COLLECTION_TYPENAMES:
        return ArtifactCollectionScope(id_, name, typename)
    if typename == "Entity":
        cls = OrgScope if node.get("entityType") == "organization" else TeamScope
        return cls(id_, name)
    raise _Bad("scope", f"unknown scope type {typename!r}")


def _metric(data: Mapping[str, Any]) -> MetricFilter:
    chosen = data.get("run_metric_filter")
    if chosen is None and data.get("metric_filter") is not None:
        chosen = {"threshold_filter": _json(data["metric_filter"], "event.filter.metric_filter")}
    chosen = _mapping(chosen, "event.filter.run_metric_filter")
    for key, cls in _METRIC_KEYS.items():
        if chosen.get(key) is not None:
            raw = _mapping(chosen[key], f"event.filter.run_metric_filter.{key}")
            if cls is MetricThresholdFilter:
                return MetricThresholdFilter(
                    name=raw.get("name"),  # type: ignore[arg-type]
                    agg=raw.get("agg_op"),
                    window=raw.get("window_size", 1),
                    cmp=raw.get("cmp_op"),  # type: ignore[arg-type]
                    threshold=raw.get("threshold"),  # type: ignore[arg-type]
                )
            if cls is MetricChangeFilter:
                return MetricChangeFilter(
                    name=raw.get("name"),  # type: ignore[arg-type]
                    agg=raw.get("agg_op"),
                    window=raw.get("current_window_size", 1),
                    prior_window=raw.get("prior_window_size"),
                    change_type=raw.get("change_type"),  # type: ignore[arg-type]
                    change_dir=raw.get("change_dir"),  # type: ignore[arg-type]
                    threshold=raw.get("change_amount"),  # type: ignore[arg-type]
                )
            return MetricZScoreFilter(
                name=raw.get("name"),  # type: ignore[arg-type]
                window=raw.get("window_size", 30),
                threshold=raw.get("threshold", 3.0),
                change_dir=raw.get("change_dir", "ANY"),
            )
    raise _Bad("event.filter.run_metric_filter", "no threshold, change or z-score filter")


def _event(node: Mapping[str, Any], scope: AutomationScope) -> Event:
    event_type = lookup(EventType, node.get("eventType"), "event.eventType")
    data = _mapping(node.get("filter") or {}, "event.filter")
    if event_type in (
        EventType.RUN_METRIC,
        EventType.RUN_METRIC_CHANGE,
        EventType.RUN_METRIC_ZSCORE,
    ):
        run = _json(data.get("run_filter"), "event.filter.run_filter")
        return OnRunMetric(scope=scope, filter=RunMetricFilter(run=run, metric=_metric(data)))
    if event_type is EventType.RUN_STATE:
        run = _json(data.get("run_filter"), "event.filter.run_filter")
        state = _mapping(data.get("run_state_filter"), "event.filter.run_state_filter")
        states = StateFilter(tuple(state.get("states") or ()))
        return OnRunState(scope=scope, filter=RunStateFilter(run=run, state=states))
    # Saved artifact-event filters come wrapped once more: {"filter": <the Mongo filter>}.
    inner = _json(data["filter"], "event.filter.filter") if set(data) == {"filter"} else data
    mongo = FilterExpr(as_filter_json(inner, "event.filter"))
    if event_type is EventType.UPDATE_ARTIFACT_ALIAS:
        return UpdateArtifactAliasEvent(scope=scope, filter=mongo)
    return _MUTATION_EVENTS[event_type](scope=scope, filter=mongo)  # type: ignore[no-any-return]


def _integration_id(node: Mapping[str, Any]) -> str:
    integration = _mapping(node.get("integration"), "action.integration")
    return str(integration.get("id"))


def _action(node: Mapping[str, Any]) -> Action:
    typename = node.get("__typename")
    if typename == "NotificationTriggeredAction":
        slack = integration_from_node(_mapping(node.get("integration"), "action.integration"))
        return SendNotification(
            integration_id=_integration_id(node),
            title=node.get("title"),
            message=node.get("message"),
            severity=node.get("severity"),
            integration=slack if isinstance(slack, SlackIntegration) else None,
        )
    if typename == "GenericWebhookTriggeredAction":
        hook = integration_from_node(_mapping(node.get("integration"), "action.integration"))
        return SendWebhook(
            integration_id=_integration_id(node),
            request_payload=node.get("requestPayload"),
            integration=hook if isinstance(hook, WebhookIntegration) else None,
        )
    if typename == "NoOpTriggeredAction":
        return DoNothing()
    if typename == "ARIATriggeredAction":
        return SendPromptToAria(str(node.get("prompt") or ""))
    if typename == "QueueJobTriggeredAction":
        queue = node.get("queue") or {}
        return QueueJob(queue.get("id"), queue.get("name"), str(node.get("template") or ""))
    raise _Bad("action", f"unsupported action type {typename!r}")


def _time(value: Any, where: str) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return parse_datetime(value)  # type: ignore[no-any-return]
        except ValueError:
            pass
    raise _Bad(where, f"not a date-time: {value!r}")


def automation_from_trigger(
    node: Mapping[str, Any], *, operation_name: str | None = None
) -> Automation:
    """The :class:`Automation` of a ``TriggerFields`` node (the fragment of the official
    documents: ``scope``, ``event`` (``triggeringCondition``), ``action``
    (``triggeredAction``), in camelCase; ``filter``/``requestPayload`` as text or parsed).

    Raises:
        ResponseValidationError: a trigger this client cannot read (named field).
    """
    try:
        scope = _scope(_mapping(node.get("scope"), "scope"))
        created = _time(node.get("createdAt"), "createdAt")
        if created is None:
            raise _Bad("createdAt", "missing")
        return Automation(
            id=str(node.get("id")),
            name=str(node.get("name")),
            description=node.get("description"),
            enabled=bool(node.get("enabled")),
            scope=scope,
            event=_event(_mapping(node.get("event"), "event"), scope),
            action=_action(_mapping(node.get("action"), "action")),
            created_at=created,
            updated_at=_time(node.get("updatedAt"), "updatedAt"),
        )
    except _Bad as bad:
        errors = [
            {"loc": ("trigger", *bad.where.split(".")), "msg": bad.message, "type": "trigger"}
        ]
    except UsageError as exc:
        errors = [{"loc": ("trigger",), "msg": str(exc), "type": "trigger"}]
    raise ResponseValidationError(errors, operation_name=operation_name)


def integration_from_node(node: Mapping[str, Any]) -> Integration | None:
    """A Slack or webhook integration from an ``Integration`` node (others: ``None``)."""
    typename = node.get("__typename")
    if typename == "SlackIntegration" and "teamName" in node:
        return SlackIntegration(str(node["id"]), node["teamName"], node.get("channelName", ""))
    if typename == "GenericWebhookIntegration" and "urlEndpoint" in node:
        return WebhookIntegration(str(node["id"]), node.get("name", ""), node["urlEndpoint"])
    return None
