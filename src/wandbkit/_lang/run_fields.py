"""The run filter language's fields: the table :func:`wandbkit._lang.filters.parse` reads for
``Api.runs(filters=…, order=…)`` on the client and ``project.runs`` on the server."""

from __future__ import annotations

from wandbkit._lang.fields import FieldKind, FieldTable

__all__ = ["DOCUMENT_PREFIXES", "FIELD_KINDS", "RUN_FIELDS"]

#: Plain field names and their kinds, in the order error messages list them.
FIELD_KINDS: dict[str, FieldKind] = {
    "name": FieldKind.TEXT,
    "displayName": FieldKind.TEXT,
    "display_name": FieldKind.TEXT,
    "state": FieldKind.TEXT,
    "tags": FieldKind.TAGS,
    "createdAt": FieldKind.TIME,
    "created_at": FieldKind.TIME,
    "updatedAt": FieldKind.TIME,
    "updated_at": FieldKind.TIME,
    "heartbeatAt": FieldKind.TIME,
    "heartbeat_at": FieldKind.TIME,
    "duration": FieldKind.DURATION,
    "group": FieldKind.TEXT,
    "jobType": FieldKind.TEXT,
    "job_type": FieldKind.TEXT,
    "host": FieldKind.TEXT,
    "username": FieldKind.TEXT,
    "sweep": FieldKind.TEXT,
    "notes": FieldKind.TEXT,
    "description": FieldKind.TEXT,
}

#: JSON documents addressed as ``<prefix>.<key>[.<key>...]`` (``config.lr``, ...).
DOCUMENT_PREFIXES = ("config", "summary_metrics", "summaryMetrics", "summary", "system_metrics")

#: The run filter and order language's field table.
RUN_FIELDS = FieldTable(FIELD_KINDS, DOCUMENT_PREFIXES, default_order="+created_at")
