"""What an automation did, as the wandbkit local server records it (a wandbkit extension: W&B
has no public API for an automation's history).

Each time an automation's event happens and its action runs, the local server records a
*firing*: the event's payload variables, the payload it sent (a webhook) or recorded (a Slack
message), and for a webhook every delivery attempt. ``Api.automation_firings`` reads them
through ``GET /_wandbkit/automations/firings``, so a test of a webhook receiver can check what
the server sent without the receiver's help.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from wandbkit._core.errors import ResponseValidationError
from wandbkit._core.scalars import parse_datetime
from wandbkit._html import Explorable, HtmlSummary

__all__ = ["FIRINGS_PATH", "FIRING_STATUSES", "AutomationFiring", "firing_from_json"]

#: The local server's route of firings (``wandbkit.server.urls.AUTOMATION_FIRINGS_PATH``).
FIRINGS_PATH: Final = "/_wandbkit/automations/firings"
#: ``PENDING`` while a webhook is being tried, then ``DELIVERED`` or ``FAILED``; ``RECORDED``
#: for an action that is only recorded (a Slack message, a no-op).
FIRING_STATUSES: Final = ("PENDING", "DELIVERED", "FAILED", "RECORDED")


@dataclass(frozen=True, repr=False)
class AutomationFiring(Explorable):
    """One time an automation fired.

    Attributes:
        id: the firing's number, increasing (pass the last one as ``after`` to read newer ones).
        automation_id: the automation's id (``None`` once it was deleted).
        automation_name: its name when it fired.
        event_type: what happened (``RUN_METRIC``, ``ADD_ARTIFACT_ALIAS``...).
        action_type: what ran (``GENERIC_WEBHOOK``, ``NOTIFICATION``, ``NO_OP``...).
        event: the payload variables of the event (``run_name``, ``metric_value``,
            ``event_author``, ``artifact_version_string``...).
        payload: the payload sent (a webhook's filled template) or recorded, or ``None``.
        url: the webhook URL it went to (``None`` for other actions).
        status: one of :data:`FIRING_STATUSES`.
        attempts: how many webhook requests were made so far.
        response_code: the receiver's last HTTP status, if any.
        error: why the last attempt failed, if it did.
        created_at: when it fired.
        finished_at: when its delivery ended (``None`` while ``PENDING``).
    """

    id: int
    automation_id: str | None
    automation_name: str
    event_type: str
    action_type: str
    event: dict[str, Any] = field(repr=False)
    payload: Any = field(repr=False)
    url: str | None
    status: str
    attempts: int
    response_code: int | None
    error: str | None
    created_at: datetime | None = field(repr=False)
    finished_at: datetime | None = field(repr=False)

    @property
    def settled(self) -> bool:
        """Whether its delivery is over (anything but ``PENDING``)."""
        return self.status != "PENDING"

    @property
    def delivered(self) -> bool:
        """Whether a webhook receiver accepted it (answered 2xx)."""
        return self.status == "DELIVERED"

    def __repr__(self) -> str:
        code = f", HTTP {self.response_code}" if self.response_code is not None else ""
        tries = f", {self.attempts} attempt{'s' if self.attempts != 1 else ''}" if self.url else ""
        return (
            f"<AutomationFiring {self.id} {self.automation_name}: {self.event_type} -> "
            f"{self.action_type} {self.status}{tries}{code}>"
        )

    def _html_summary(self) -> HtmlSummary:
        fields = {
            "automation": self.automation_name,
            "event": self.event_type,
            "action": self.action_type,
            "status": self.status,
            "url": self.url,
            "attempts": self.attempts,
            "response code": self.response_code,
            "error": self.error,
            "payload": self.payload,
            "fired": self.created_at,
            "finished": self.finished_at,
        }
        return HtmlSummary("AutomationFiring", f"{self.automation_name} #{self.id}", fields)


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return parse_datetime(value)  # type: ignore[no-any-return]
    except ValueError:
        return None


def firing_from_json(node: Mapping[str, Any]) -> AutomationFiring:
    """A firing from the route's JSON form.

    Raises:
        ResponseValidationError: a firing without its id, names or status.
    """
    required = ("id", "automationName", "eventType", "actionType", "status")
    bad = [
        key
        for key in required
        if not isinstance(node.get(key), int if key == "id" else str)
        or isinstance(node.get(key), bool)
    ]
    if bad:
        errors = [{"loc": ("firings", key), "msg": "missing or of the wrong type"} for key in bad]
        raise ResponseValidationError(errors, operation_name="automation_firings")
    pk, name = node["id"], node["automationName"]
    event_type, action_type, status = node["eventType"], node["actionType"], node["status"]
    event = node.get("event")
    return AutomationFiring(
        id=pk,
        automation_id=node.get("automationId"),
        automation_name=name,
        event_type=event_type,
        action_type=action_type,
        event=dict(event) if isinstance(event, Mapping) else {},
        payload=node.get("payload"),
        url=node.get("url"),
        status=status,
        attempts=int(node.get("attempts") or 0),
        response_code=node.get("responseCode"),
        error=node.get("error"),
        created_at=_time(node.get("createdAt")),
        finished_at=_time(node.get("finishedAt")),
    )
