"""Reading the local server's firings route: a firing's JSON form to ``AutomationFiring``, and
an answer of the wrong shape refused as a ``ResponseValidationError`` naming the fields."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from wandbkit._core.errors import ResponseValidationError
from wandbkit.automations.firings import firing_from_json

NODE = {
    "id": 7, "automationId": "VHJpZ2dlcjox", "automationName": "loss-alarm",
    "eventType": "RUN_METRIC", "actionType": "GENERIC_WEBHOOK",
    "event": {"run_id": "r1", "metric_value": 0.7}, "payload": {"run": "r1"},
    "url": "http://127.0.0.1:1/hook", "status": "PENDING", "attempts": 1, "responseCode": 503,
    "error": "the receiver answered 503", "createdAt": "2025-06-01T10:00:00Z", "finishedAt": None,
}  # fmt: skip


def test_a_firing_reads_back_with_its_times_and_outcome() -> None:
    firing = firing_from_json(NODE)
    assert (firing.id, firing.automation_name, firing.event["metric_value"]) == (
        7,
        "loss-alarm",
        0.7,
    )
    assert firing.created_at == datetime(2025, 6, 1, 10, tzinfo=timezone.utc)
    assert firing.finished_at is None and not firing.settled and not firing.delivered
    done = firing_from_json({**NODE, "status": "DELIVERED", "finishedAt": "2025-06-01T10:00:01"})
    assert done.settled and done.delivered and done.finished_at is not None


@pytest.mark.parametrize(
    ("change", "field"),
    [({"id": "7"}, "id"), ({"id": True}, "id"), ({"status": None}, "status")],
)
def test_a_firing_of_the_wrong_shape_is_refused(change: dict[str, object], field: str) -> None:
    with pytest.raises(ResponseValidationError, match=field):
        firing_from_json({**NODE, **change})
