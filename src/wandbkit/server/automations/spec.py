"""Checking a ``createFilterTrigger`` / ``updateFilterTrigger`` input, and the trigger JSON the
server answers with.

The inputs are what the official client (wandb 0.31.0) sends: ``triggeringEventType``,
``scopeType``/``scopeID``, ``eventFilter`` (JSON text), ``triggeredActionType`` and a
``triggeredActionConfig`` with exactly the one action input that type names. What may go with
what follows the official client's own rules: ``CREATE_ARTIFACT`` only on an artifact
collection, run events only on a project or an entity, no new ``UPDATE_ARTIFACT_ALIAS``
events (legacy) nor ``QUEUE_JOB``/``PUSH_NOTIFICATION`` actions.

Saved filters come back the way the official ``SavedEvent`` parses them: a mutation event's
filter wrapped once more, as ``{"filter": <the input filter>}``; a run event's filter as it
was given (``{"run_filter": "...", "run_metric_filter" | "run_state_filter": {...}}``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from wandbkit.server.automations.conditions import (
    SpecError,
    check_depth,
    check_mutation_filter,
    parse_metric_condition,
    run_filter_of,
)
from wandbkit.server.store.automations import SLACK, WEBHOOK

__all__ = [
    "ACTION_INPUT_KEYS",
    "MUTATION_EVENTS",
    "RUN_METRIC_EVENTS",
    "RUN_STATES",
    "ActionSpec",
    "check_action",
    "check_event",
    "check_webhook_url",
    "saved_filter",
]

#: Events the server's own mutations raise (artifacts and collections).
MUTATION_EVENTS = (
    "CREATE_ARTIFACT",
    "ADD_ARTIFACT_ALIAS",
    "LINK_MODEL",
    "UNLINK_ARTIFACT",
    "ADD_ARTIFACT_TAG",
    "REMOVE_ARTIFACT_TAG",
    "ADD_COLLECTION_TAG",
    "REMOVE_COLLECTION_TAG",
)
RUN_METRIC_EVENTS = ("RUN_METRIC", "RUN_METRIC_CHANGE", "RUN_METRIC_ZSCORE")
RUN_EVENTS = (*RUN_METRIC_EVENTS, "RUN_STATE")
#: The states a run state filter may name (W&B's coarse run states).
RUN_STATES = ("RUNNING", "FINISHED", "FAILED")
#: Event types that saved automations may have but new or edited ones may not.
_REFUSED_EVENTS = {
    "UPDATE_ARTIFACT_ALIAS": "UPDATE_ARTIFACT_ALIAS is a legacy event; use ADD_ARTIFACT_ALIAS",
    "WEAVE_METRIC_THRESHOLD": "WEAVE_METRIC_THRESHOLD events are not supported by this server",
}
#: Which scope types each kind of event accepts.
_SCOPES_OF = {
    "CREATE_ARTIFACT": ("ARTIFACT_COLLECTION",),
    **{event: ("PROJECT", "ENTITY") for event in RUN_EVENTS},
}
_DEFAULT_SCOPES = ("PROJECT", "ARTIFACT_COLLECTION", "ENTITY")
#: The ``triggeredActionConfig`` key of each action type (snake_case, as resolvers see it).
ACTION_INPUT_KEYS = {
    "GENERIC_WEBHOOK": "generic_webhook_action_input",
    "NOTIFICATION": "notification_action_input",
    "NO_OP": "no_op_action_input",
    "ARIA": "aria_action_input",
    "QUEUE_JOB": "queue_job_action_input",
    "PUSH_NOTIFICATION": "push_notification_action_input",
}
_REFUSED_ACTIONS = ("QUEUE_JOB", "PUSH_NOTIFICATION")
#: The largest event filter or request payload kept, in characters of JSON text.
MAX_JSON_CHARS = 100_000
#: The longest webhook URL accepted.
MAX_URL_CHARS = 2048
_SEVERITIES = ("INFO", "WARN", "ERROR")


def _dumps(value: Any, what: str) -> str:
    text = json.dumps(value, separators=(",", ":"), sort_keys=False)
    if len(text) > MAX_JSON_CHARS:
        raise SpecError(f"{what} is larger than {MAX_JSON_CHARS} characters")
    return text


def check_event(event_type: str, scope_type: str, event_filter: Any) -> str:
    """Check an event against its scope and return its filter as stored (JSON text).

    Args:
        event_type: ``triggeringEventType``.
        scope_type: ``scopeType``.
        event_filter: ``eventFilter``, already parsed from its JSON text (``None`` when empty).

    Raises:
        SpecError: a refused event, a scope the event does not fit, or a filter of the wrong
            shape for the event.
    """
    if event_type in _REFUSED_EVENTS:
        raise SpecError(_REFUSED_EVENTS[event_type])
    check_depth(event_filter, "eventFilter")
    allowed = _SCOPES_OF.get(event_type, _DEFAULT_SCOPES)
    if scope_type not in allowed:
        raise SpecError(
            f"a {event_type} event cannot have a {scope_type} scope; "
            f"expected {' or '.join(allowed)}"
        )
    if event_filter is None:
        event_filter = {} if event_type in MUTATION_EVENTS else None
    if not isinstance(event_filter, dict):
        raise SpecError("eventFilter must be a JSON object")
    if event_type in MUTATION_EVENTS:
        check_mutation_filter(event_filter)
    else:
        run_filter_of(event_filter)
        if event_type == "RUN_STATE":
            _check_states(event_filter.get("run_state_filter"))
        else:
            parse_metric_condition(event_type, event_filter)
    return _dumps(event_filter, "eventFilter")


def _check_states(spec: Any) -> None:
    states = spec.get("states") if isinstance(spec, Mapping) else None
    if not isinstance(states, list) or not states:
        raise SpecError("a RUN_STATE event needs eventFilter.run_state_filter.states, a list")
    for state in states:
        if not isinstance(state, str) or state.upper() not in RUN_STATES:
            raise SpecError(f"run_state_filter.states: {state!r} is not one of {list(RUN_STATES)}")


def saved_filter(event_type: str, stored: str) -> str:
    """The ``FilterEventTriggeringCondition.filter`` text of a stored filter."""
    if event_type in MUTATION_EVENTS or event_type == "UPDATE_ARTIFACT_ALIAS":
        return json.dumps({"filter": json.loads(stored)}, separators=(",", ":"))
    return stored


def check_webhook_url(url: str) -> str:
    """An absolute ``http``/``https`` URL with a host (loopback allowed: testing a receiver
    is the point).

    Raises:
        SpecError: anything else.
    """
    if len(url) > MAX_URL_CHARS:
        raise SpecError(f"urlEndpoint is longer than {MAX_URL_CHARS} characters")
    if any(char.isspace() or not char.isprintable() for char in url):
        raise SpecError(f"urlEndpoint {url!r} has a space or a control character")
    try:
        parts = urlsplit(url)
        _ = parts.port  # a port that is not a number raises here
    except ValueError as exc:
        raise SpecError(f"urlEndpoint {url!r} is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SpecError(f"urlEndpoint must be an http:// or https:// URL with a host, got {url!r}")
    return url


@dataclass(frozen=True)
class ActionSpec:
    """A checked action: its stored config, and the integration it needs (an opaque id and
    the kind it must be), if any."""

    config: str
    integration_id: str | None
    integration_kind: str | None


def check_action(action_type: str, config: Mapping[str, Any] | None) -> ActionSpec:
    """Check ``triggeredActionType`` against ``triggeredActionConfig``.

    Raises:
        SpecError: a refused action type, a config without that type's input (or with
            another's), or a bad field in it.
    """
    if action_type in _REFUSED_ACTIONS:
        raise SpecError(f"{action_type} actions cannot be assigned to automations")
    check_depth(config, "triggeredActionConfig")
    key = ACTION_INPUT_KEYS.get(action_type)
    if key is None:
        raise SpecError(f"unknown triggeredActionType {action_type!r}")
    given = {k: v for k, v in (config or {}).items() if v is not None}
    others = sorted(_camel(k) for k in set(given) - {key})
    if others:
        raise SpecError(f"triggeredActionConfig for {action_type} must not have {others}")
    spec = given.get(key)
    if not isinstance(spec, Mapping):
        raise SpecError(f"a {action_type} action needs triggeredActionConfig.{_camel(key)}")
    if action_type == "GENERIC_WEBHOOK":
        payload = spec.get("request_payload")
        if payload is not None and not isinstance(payload, dict):
            raise SpecError("genericWebhookActionInput.requestPayload must be a JSON object")
        return ActionSpec(
            _dumps({"request_payload": payload}, "requestPayload"), _id(spec), WEBHOOK
        )
    if action_type == "NOTIFICATION":
        severity = spec.get("severity") or "INFO"
        if severity not in _SEVERITIES:
            raise SpecError(f"notificationActionInput.severity must be one of {list(_SEVERITIES)}")
        stored = {
            "title": str(spec.get("title") or ""),
            "message": str(spec.get("message") or ""),
            "severity": severity,
        }
        return ActionSpec(_dumps(stored, "notificationActionInput"), _id(spec), SLACK)
    if action_type == "ARIA":
        prompt = spec.get("prompt")
        if not isinstance(prompt, str) or not prompt.strip():
            raise SpecError("ariaActionInput.prompt must not be empty")
        return ActionSpec(_dumps({"prompt": prompt.strip()}, "ariaActionInput"), None, None)
    return ActionSpec(_dumps({"no_op": True}, "noOpActionInput"), None, None)


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part.title() for part in rest)


def _id(spec: Mapping[str, Any]) -> str:
    value = spec.get("integration_id")
    if not isinstance(value, str) or not value:
        raise SpecError("the action needs an integrationID")
    return value
