"""The string enums of the automations vocabulary, looked up leniently as the official ones.

A value can be given as the member, its value in any case (``"finished"``) or its member name
(``"AVG"``, ``"CRASHED"``); anything else is a :class:`~wandbkit._core.errors.UsageError`
naming the field and the accepted values.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, TypeVar

from wandbkit._core.errors import UsageError

E = TypeVar("E", bound="LenientStrEnum")


class LenientStrEnum(str, Enum):
    """A string enum whose lookups ignore case (the official ``LenientStrEnum``)."""

    def __repr__(self) -> str:
        return self.name

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            wanted = value.strip().lower()
            for member in cls:
                if member.value.lower() == wanted:
                    return member
            for name, member in cls.__members__.items():
                if name.lower() == wanted:
                    return member
        return None


def lookup(cls: type[E], value: object, where: str) -> E:
    """``value`` as a member of ``cls``.

    Raises:
        UsageError: not one of the members, naming ``where``.
    """
    if isinstance(value, cls):
        return value
    if isinstance(value, str):
        try:
            return cls(value)
        except ValueError:
            pass
    accepted = ", ".join(sorted({m.value for m in cls}))
    raise UsageError(f"{where} must be one of {accepted}, got {value!r}")


class ScopeType(LenientStrEnum):
    """The kind of scope that triggers an automation."""

    PROJECT = "PROJECT"
    ARTIFACT_COLLECTION = "ARTIFACT_COLLECTION"
    ENTITY = "ENTITY"


class EventType(LenientStrEnum):
    """The type of event that triggers an automation (the server's names as values)."""

    UPDATE_ARTIFACT_ALIAS = "UPDATE_ARTIFACT_ALIAS"  # parsed only; not for new automations
    CREATE_ARTIFACT = "CREATE_ARTIFACT"
    ADD_ARTIFACT_ALIAS = "ADD_ARTIFACT_ALIAS"
    ADD_ARTIFACT_TAG = "ADD_ARTIFACT_TAG"
    REMOVE_ARTIFACT_TAG = "REMOVE_ARTIFACT_TAG"
    ADD_COLLECTION_TAG = "ADD_COLLECTION_TAG"
    REMOVE_COLLECTION_TAG = "REMOVE_COLLECTION_TAG"
    # "LINK_MODEL" is the server's (legacy) name; the public name is LINK_ARTIFACT.
    LINK_ARTIFACT = "LINK_MODEL"
    LINK_MODEL = "LINK_MODEL"
    UNLINK_ARTIFACT = "UNLINK_ARTIFACT"
    RUN_METRIC_THRESHOLD = "RUN_METRIC"
    RUN_METRIC = "RUN_METRIC"
    RUN_METRIC_CHANGE = "RUN_METRIC_CHANGE"
    RUN_METRIC_ZSCORE = "RUN_METRIC_ZSCORE"
    RUN_STATE = "RUN_STATE"


class ActionType(LenientStrEnum):
    """The type of action an automation triggers."""

    NO_OP = "NO_OP"
    QUEUE_JOB = "QUEUE_JOB"  # parsed only; not for new automations
    GENERIC_WEBHOOK = "GENERIC_WEBHOOK"
    NOTIFICATION = "NOTIFICATION"
    ARIA = "ARIA"
    PUSH_NOTIFICATION = "PUSH_NOTIFICATION"  # parsed only; not for new automations


class AlertSeverity(LenientStrEnum):
    """The severity of a notification."""

    ERROR = "ERROR"
    INFO = "INFO"
    WARN = "WARN"


class Agg(LenientStrEnum):
    """How a run metric is aggregated over its window."""

    MAX = "MAX"
    MIN = "MIN"
    AVERAGE = "AVERAGE"
    AVG = "AVERAGE"


class ChangeType(LenientStrEnum):
    """Whether a metric change is an absolute difference or a relative (fractional) one."""

    ABSOLUTE = "ABSOLUTE"
    RELATIVE = "RELATIVE"
    ABS = "ABSOLUTE"
    REL = "RELATIVE"


class ChangeDir(LenientStrEnum):
    """The direction of a metric change."""

    INCREASE = "INCREASE"
    DECREASE = "DECREASE"
    ANY = "ANY"
    INC = "INCREASE"
    DEC = "DECREASE"


class ReportedRunState(LenientStrEnum):
    """The run states a run-state automation can watch for (``CRASHED`` means ``FAILED``)."""

    RUNNING = "RUNNING"
    FINISHED = "FINISHED"
    FAILED = "FAILED"
    CRASHED = "FAILED"
