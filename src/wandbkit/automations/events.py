"""Events that trigger automations, and the automations made of an event and an action (the
official ``wandb.automations.events`` and ``automations``).

``event >> action`` (or ``event.then(action)``) makes a :class:`NewAutomation`, which
``Api.create_automation`` saves; the Api hands back saved automations as :class:`Automation`,
which can be edited and passed to ``Api.update_automation``.

Which scopes an event accepts follows the official client: run events a project or a team or
organization entity; ``OnCreateArtifact`` an artifact collection; the other artifact events any
scope. A mismatch is a :class:`~wandbkit._core.errors.UsageError` naming ``scope``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Final

from wandbkit._core.errors import UsageError
from wandbkit._html import Explorable, HtmlSummary
from wandbkit.automations._enums import EventType
from wandbkit.automations._metrics import (
    METRIC_FILTER_TYPES,
    MetricVal,
    RunMetricFilter,
    RunStateFilter,
    StateFilter,
    StateOperand,
)
from wandbkit.automations._mongo import (
    FilterableField,
    FilterExpr,
    filter_text,
    wrap_mutation_filter,
)
from wandbkit.automations.actions import ACTION_TYPES, INPUT_ACTION_TYPES, Action, InputAction
from wandbkit.automations.scopes import (
    ArtifactCollectionScope,
    AutomationScope,
    OrgScope,
    ProjectScope,
    TeamScope,
    describe_scope,
    scope_from,
)

__all__ = [
    "ArtifactEvent",
    "Automation",
    "EventType",
    "InputEvent",
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
    "RunEvent",
]

#: The longest automation name the server takes.
MAX_NAME_LENGTH: Final = 255


class RunEvent(Explorable):
    """Fields of a run event that filters test: ``RunEvent.name``, ``RunEvent.state`` and
    ``RunEvent.metric(name)``."""

    #: The run's display name (filtered as ``display_name`` on the server, as officially).
    name = FilterableField(server_name="display_name")
    #: The run's state: ``RunEvent.state.in_(["finished", "failed"])``.
    state = StateOperand()

    @staticmethod
    def metric(name: str) -> MetricVal:
        """A metric of the run's summary, to compare (``> 1``), aggregate (``.max(5)``) or
        watch the change of (``.increases_by(diff=…)``)."""
        return MetricVal(name)


class ArtifactEvent(Explorable):
    """Fields of an artifact event that filters test: ``alias`` and ``tag``."""

    alias = FilterableField()
    tag = FilterableField()


@dataclass(kw_only=True, repr=False)
class _Event(Explorable):
    scope: AutomationScope
    filter: Any = None
    event_type: ClassVar[EventType]

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} in {describe_scope(self.scope)}: {filter_text(self.filter)}>"
        )

    def __post_init__(self) -> None:
        self.scope = self._check_scope(scope_from(self.scope))
        self.filter = self._check_filter(self.filter)

    def _check_scope(self, scope: AutomationScope) -> AutomationScope:
        return scope

    def _check_filter(self, value: Any) -> Any:
        return FilterExpr(wrap_mutation_filter(value))

    def then(self, action: InputAction) -> NewAutomation:
        """A new automation in which this event triggers ``action``."""
        if not isinstance(action, ACTION_TYPES):
            raise UsageError(
                "action must be SendNotification, SendWebhook, SendPromptToAria or DoNothing, "
                f"got {type(action).__name__}"
            )
        return NewAutomation(event=self, action=action)  # type: ignore[arg-type]

    def __rshift__(self, other: InputAction) -> NewAutomation:
        if not isinstance(other, ACTION_TYPES):
            return NotImplemented
        return self.then(other)


class _MutationEvent(_Event):
    """An event on an artifact or a collection; ``filter`` tests ``ArtifactEvent`` fields."""


@dataclass(kw_only=True, repr=False)
class OnLinkArtifact(_MutationEvent):
    """An artifact version is linked to a collection (e.g. of a registry)."""

    event_type: ClassVar[EventType] = EventType.LINK_ARTIFACT


@dataclass(kw_only=True, repr=False)
class OnUnlinkArtifact(_MutationEvent):
    """An artifact version is unlinked from a collection."""

    event_type: ClassVar[EventType] = EventType.UNLINK_ARTIFACT


@dataclass(kw_only=True, repr=False)
class OnAddArtifactAlias(_MutationEvent):
    """An alias is added to an artifact version."""

    event_type: ClassVar[EventType] = EventType.ADD_ARTIFACT_ALIAS


@dataclass(kw_only=True, repr=False)
class OnAddArtifactTag(_MutationEvent):
    """A tag is added to an artifact version."""

    event_type: ClassVar[EventType] = EventType.ADD_ARTIFACT_TAG


@dataclass(kw_only=True, repr=False)
class OnRemoveArtifactTag(_MutationEvent):
    """A tag is removed from an artifact version."""

    event_type: ClassVar[EventType] = EventType.REMOVE_ARTIFACT_TAG


@dataclass(kw_only=True, repr=False)
class OnAddCollectionTag(_MutationEvent):
    """A tag is added to an artifact collection."""

    event_type: ClassVar[EventType] = EventType.ADD_COLLECTION_TAG


@dataclass(kw_only=True, repr=False)
class OnRemoveCollectionTag(_MutationEvent):
    """A tag is removed from an artifact collection."""

    event_type: ClassVar[EventType] = EventType.REMOVE_COLLECTION_TAG


@dataclass(kw_only=True, repr=False)
class OnCreateArtifact(_MutationEvent):
    """A new artifact version is created in a collection (the scope must be a collection)."""

    event_type: ClassVar[EventType] = EventType.CREATE_ARTIFACT

    def _check_scope(self, scope: AutomationScope) -> AutomationScope:
        if not isinstance(scope, ArtifactCollectionScope):
            raise UsageError(
                "scope: OnCreateArtifact needs an artifact collection scope, got "
                f"{type(scope).__name__}"
            )
        return scope


class _RunEvent(_Event):
    def _check_scope(self, scope: AutomationScope) -> AutomationScope:
        if not isinstance(scope, (ProjectScope, TeamScope, OrgScope)):
            raise UsageError(
                f"scope: {type(self).__name__} needs a project, team or organization scope "
                f"(runs do not happen in a {type(scope).__name__.removesuffix('Scope')}), got "
                f"{type(scope).__name__}"
            )
        return scope


@dataclass(kw_only=True, repr=False)
class OnRunMetric(_RunEvent):
    """A run's metric meets a condition: a threshold, a change or a z-score.

    ``filter`` is a metric filter (``RunEvent.metric("loss") > 1``), optionally ``&`` a run
    filter (``RunEvent.name.contains("sweep")``).
    """

    filter: RunMetricFilter

    @property
    def event_type(self) -> EventType:  # type: ignore[override]
        """``RUN_METRIC_THRESHOLD``, ``RUN_METRIC_CHANGE`` or ``RUN_METRIC_ZSCORE``, by filter."""
        return EventType(self.filter.event_type_value)

    def _check_filter(self, value: Any) -> Any:
        if isinstance(value, METRIC_FILTER_TYPES):
            return RunMetricFilter(metric=value)
        if isinstance(value, RunMetricFilter):
            return value
        raise UsageError(
            "filter: OnRunMetric needs a metric filter such as RunEvent.metric('loss') > 1, "
            f"got {type(value).__name__}"
        )


@dataclass(kw_only=True, repr=False)
class OnRunState(_RunEvent):
    """A run's state changes to one of some states (``RunEvent.state.in_([...])``)."""

    filter: RunStateFilter
    event_type: ClassVar[EventType] = EventType.RUN_STATE

    def _check_filter(self, value: Any) -> Any:
        if isinstance(value, StateFilter):
            return RunStateFilter(state=value)
        if isinstance(value, RunStateFilter):
            return value
        raise UsageError(
            "filter: OnRunState needs a state filter such as RunEvent.state.eq('finished'), "
            f"got {type(value).__name__}"
        )


InputEvent = (
    OnLinkArtifact
    | OnUnlinkArtifact
    | OnAddArtifactAlias
    | OnAddArtifactTag
    | OnRemoveArtifactTag
    | OnAddCollectionTag
    | OnRemoveCollectionTag
    | OnCreateArtifact
    | OnRunMetric
    | OnRunState
)
EVENT_TYPES: Final = (_MutationEvent, OnRunMetric, OnRunState)


@dataclass(frozen=True, kw_only=True, repr=False)
class UpdateArtifactAliasEvent(Explorable):
    """A saved automation's legacy ``UPDATE_ARTIFACT_ALIAS`` event: read, not creatable."""

    scope: AutomationScope
    filter: FilterExpr
    event_type: ClassVar[EventType] = EventType.UPDATE_ARTIFACT_ALIAS

    __repr__ = _Event.__repr__


Event = InputEvent | UpdateArtifactAliasEvent


def check_automation_name(name: object, where: str = "name") -> str:
    """An automation name: a non-empty string of at most 255 characters."""
    if not isinstance(name, str) or not name.strip():
        raise UsageError(f"{where} must be a non-empty string, got {name!r}")
    if len(name) > MAX_NAME_LENGTH:
        raise UsageError(f"{where} must be at most {MAX_NAME_LENGTH} characters")
    return name


def _summary(name: str, event: Any, action: Any) -> str:
    """``name: EVENT in scope -> ACTION``, what the reprs of automations show."""
    if event is None:
        return f"{name}: no event yet"
    target = action.action_type.value if action is not None else "no action yet"
    return f"{name}: {event.event_type.value} in {describe_scope(event.scope)} -> {target}"


@dataclass(kw_only=True, repr=False)
class NewAutomation(Explorable):
    """An automation to create: ``event >> action``, then ``Api.create_automation(...,
    name=...)``. ``scope`` is the event's scope."""

    name: str | None = None
    description: str | None = None
    enabled: bool | None = None
    event: InputEvent | None = None
    action: InputAction | None = None

    def __post_init__(self) -> None:
        if self.event is not None and not isinstance(self.event, EVENT_TYPES):
            raise UsageError(f"event must be an event such as OnRunMetric, got {self.event!r}")
        if self.action is not None and not isinstance(self.action, INPUT_ACTION_TYPES):
            raise UsageError(f"action must be an action such as SendWebhook, got {self.action!r}")

    @property
    def scope(self) -> AutomationScope | None:
        """The scope in which the event must happen (the event's)."""
        return self.event.scope if self.event is not None else None

    @scope.setter
    def scope(self, value: AutomationScope) -> None:
        if self.event is None:
            raise UsageError("scope: cannot set the scope of an automation with no event")
        self.event.scope = self.event._check_scope(scope_from(value))

    def __repr__(self) -> str:
        return f"<NewAutomation {_summary(self.name or '(unnamed)', self.event, self.action)}>"


@dataclass(kw_only=True, repr=False)
class Automation(Explorable):
    """A saved automation; edit its fields and pass it to ``Api.update_automation``."""

    id: str
    name: str
    description: str | None
    enabled: bool
    scope: AutomationScope
    event: Event
    action: Action
    created_at: datetime = field(repr=False)
    updated_at: datetime | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        state = "" if self.enabled else " (disabled)"
        return f"<Automation {_summary(self.name, self.event, self.action)}{state}>"

    def _html_summary(self) -> HtmlSummary:
        fields = {
            "id": self.id,
            "description": self.description,
            "enabled": self.enabled,
            "scope": describe_scope(self.scope),
            "event": self.event.event_type.value,
            "filter": filter_text(self.event.filter, limit=400),
            "action": repr(self.action),
            "created": self.created_at,
            "updated": self.updated_at,
        }
        return HtmlSummary("Automation", self.name, fields)
