"""Actions an automation triggers: a Slack notification, a webhook request, a prompt to ARIA,
or nothing (the official ``wandb.automations.actions``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final

from wandbkit._core.errors import UsageError
from wandbkit._html import Explorable
from wandbkit.automations._enums import ActionType, AlertSeverity, lookup
from wandbkit.automations.integrations import SlackIntegration, WebhookIntegration

__all__ = [
    "ActionType",
    "AlertSeverity",
    "DoNothing",
    "InputAction",
    "QueueJob",
    "SendNotification",
    "SendPromptToAria",
    "SendWebhook",
]

#: The server's limit on an ARIA prompt (official ``_MAX_ARIA_PROMPT_BYTES``).
MAX_ARIA_PROMPT_BYTES: Final = 4000


def _check_id(value: object, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise UsageError(f"{where} must be a non-empty id string, got {value!r}")
    return value


@dataclass(kw_only=True, repr=False)
class SendNotification(Explorable):
    """Post a notification through a Slack integration.

    ``text=`` and ``level=`` are accepted for ``message`` and ``severity`` (the names of
    ``wandb.alert``), as in the official class.
    """

    integration_id: str
    title: str = ""
    message: str = ""
    severity: AlertSeverity = AlertSeverity.INFO
    #: The integration, when the server sent it with a saved automation.
    integration: SlackIntegration | None = field(default=None, compare=False, repr=False)
    action_type: ClassVar[ActionType] = ActionType.NOTIFICATION

    def __init__(
        self,
        *,
        integration_id: str,
        title: str | None = "",
        message: str | None = None,
        severity: AlertSeverity | str | None = None,
        text: str | None = None,
        level: AlertSeverity | str | None = None,
        integration: SlackIntegration | None = None,
    ) -> None:
        self.integration_id = _check_id(integration_id, "integration_id")
        self.title = _text(title, "title")
        self.message = _text(message if message is not None else text, "message")
        chosen = severity if severity is not None else level
        self.severity = (
            AlertSeverity.INFO if chosen is None else lookup(AlertSeverity, chosen, "severity")
        )
        self.integration = integration

    @classmethod
    def from_integration(
        cls,
        integration: SlackIntegration,
        *,
        title: str = "",
        text: str = "",
        level: AlertSeverity | str = AlertSeverity.INFO,
    ) -> SendNotification:
        """A notification sent to ``integration``."""
        if not isinstance(integration, SlackIntegration):
            raise UsageError(
                f"integration must be a SlackIntegration, got {type(integration).__name__}"
            )
        return cls(integration_id=integration.id, title=title, message=text, severity=level)

    def __repr__(self) -> str:
        via = self.integration.channel_name if self.integration else self.integration_id
        title = f" {self.title!r}" if self.title else ""
        return f"<SendNotification {self.severity.value}{title} via {via}>"


def _text(value: object, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise UsageError(f"{where} must be a string, got {type(value).__name__}")
    return value


def _payload(value: object) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, (str, bytes)):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise UsageError(f"request_payload: not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise UsageError(
            f"request_payload must be a JSON object (a dict), got {type(value).__name__}"
        )
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"request_payload: cannot be sent as JSON ({exc})") from None
    return value


@dataclass(kw_only=True, repr=False)
class SendWebhook(Explorable):
    """POST a request, its body the payload template, through a webhook integration."""

    integration_id: str
    request_payload: dict[str, Any] | None = None
    integration: WebhookIntegration | None = field(default=None, compare=False, repr=False)
    action_type: ClassVar[ActionType] = ActionType.GENERIC_WEBHOOK

    def __post_init__(self) -> None:
        _check_id(self.integration_id, "integration_id")
        self.request_payload = _payload(self.request_payload)

    @classmethod
    def from_integration(
        cls, integration: WebhookIntegration, *, payload: dict[str, Any] | str | None = None
    ) -> SendWebhook:
        """A webhook request sent to ``integration`` with ``payload`` (a dict or JSON text;
        template variables such as ``${run_name}`` are filled in by the server)."""
        if not isinstance(integration, WebhookIntegration):
            raise UsageError(
                f"integration must be a WebhookIntegration, got {type(integration).__name__}"
            )
        return cls(integration_id=integration.id, request_payload=_payload(payload))

    def __repr__(self) -> str:
        via = self.integration.name if self.integration else self.integration_id
        keys = ", ".join(self.request_payload or {})
        return f"<SendWebhook via {via}{f' (payload: {keys})' if keys else ''}>"


@dataclass(frozen=True)
class DoNothing(Explorable):
    """An action that intentionally does nothing (to test an event, or as a placeholder)."""

    no_op: bool = field(default=True, repr=False)
    action_type: ClassVar[ActionType] = ActionType.NO_OP


@dataclass(repr=False)
class SendPromptToAria(Explorable):
    """Send a prompt to ARIA (stripped; at most 4000 bytes, as the server allows)."""

    prompt: str
    action_type: ClassVar[ActionType] = ActionType.ARIA

    def __post_init__(self) -> None:
        if not isinstance(self.prompt, str) or not self.prompt.strip():
            raise UsageError("prompt must be a non-empty string")
        self.prompt = self.prompt.strip()
        if len(self.prompt.encode()) > MAX_ARIA_PROMPT_BYTES:
            raise UsageError(f"prompt must be at most {MAX_ARIA_PROMPT_BYTES} bytes")

    def __repr__(self) -> str:
        short = self.prompt if len(self.prompt) <= 60 else self.prompt[:59] + "…"
        return f"<SendPromptToAria {short!r}>"


@dataclass
class QueueJob(Explorable):
    """A saved automation's (deprecated) Launch action: read from the server, not creatable."""

    queue_id: str | None
    queue_name: str | None
    template: str
    action_type: ClassVar[ActionType] = ActionType.QUEUE_JOB


InputAction = SendNotification | SendWebhook | DoNothing | SendPromptToAria
INPUT_ACTION_TYPES: Final = (SendNotification, SendWebhook, DoNothing, SendPromptToAria)
Action = InputAction | QueueJob
ACTION_TYPES: Final = (*INPUT_ACTION_TYPES, QueueJob)
