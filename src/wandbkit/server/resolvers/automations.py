"""Automations and integrations: ``createFilterTrigger``, ``updateFilterTrigger``,
``deleteTrigger``, ``createGenericWebhookIntegration``, ``Entity.triggers``,
``Project.triggers``, ``Entity.integrations`` and the ``Trigger`` type with its unions.

An entity's automations and integrations are its members' alone: anyone else sees none (an
empty list, or "not found" for a mutation naming one), and only members may create, change or
delete them. What a trigger may contain is checked by :mod:`wandbkit.server.automations.spec`;
a refusal is a GraphQL error naming the field. A second automation of the same name in an
entity is a ``CONFLICT`` error, which the endpoint answers with HTTP 409 as W&B does (the
official client's ``create_automation(fetch_existing=True)`` relies on it).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ariadne import InterfaceType, MutationType, ObjectType, UnionType
from graphql import GraphQLResolveInfo

from wandbkit.server.automations.conditions import SpecError
from wandbkit.server.automations.spec import (
    ACTION_INPUT_KEYS,
    check_action,
    check_event,
    check_webhook_url,
    saved_filter,
)
from wandbkit.server.ids import InvalidIdError, decode_int_id, encode_id
from wandbkit.server.resolvers.artifact_common import collection_typename
from wandbkit.server.resolvers.common import (
    ClientError,
    NotFound,
    RequestContext,
    context,
    empty_connection,
    paginate_by_pk,
)
from wandbkit.server.resolvers.errors import client_errors
from wandbkit.server.store import (
    ArtifactCollectionRow,
    EntityRow,
    IntegrationRow,
    NameConflictError,
    ProjectRow,
    StoreError,
    TriggerRow,
    TriggerSpec,
)
from wandbkit.server.store.automations import SLACK

#: The error code of a name that is taken (answered with HTTP 409).
CONFLICT = "CONFLICT"
_TYPENAMES_OF_ACTION = {
    "GENERIC_WEBHOOK": "GenericWebhookTriggeredAction",
    "NOTIFICATION": "NotificationTriggeredAction",
    "NO_OP": "NoOpTriggeredAction",
    "ARIA": "ARIATriggeredAction",
    "QUEUE_JOB": "QueueJobTriggeredAction",
}


def _member(ctx: RequestContext, entity: EntityRow | None) -> bool:
    return entity is not None and ctx.can_write(entity)


def _hidden_projects(ctx: RequestContext, entity: EntityRow) -> list[int]:
    """The restricted registries of ``entity`` the viewer may not read: the automations
    watching them (or their collections) are hidden from the viewer, as the registries are."""
    return ctx.store.registries.unreadable_restricted(entity, ctx.viewer)


def _decode(value: Any, *types: str, what: str) -> int:
    try:
        return decode_int_id(str(value or ""), *types)
    except InvalidIdError as exc:
        raise ClientError(f"{what}: {exc}") from None


# -- reading ---------------------------------------------------------------------------------


def _name_filter(filters: Any) -> str | None:
    if not filters:
        return None
    name = filters.get("name") if isinstance(filters, dict) and set(filters) == {"name"} else None
    if isinstance(name, dict) and set(name) == {"$eq"}:
        name = name["$eq"]
    if not isinstance(name, str):
        raise ClientError('triggers: filters may only be {"name": "<automation name>"}')
    return name


def resolve_entity_triggers(
    entity: EntityRow,
    info: GraphQLResolveInfo,
    *,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    order: str | None = None,
    filters: Any = None,
) -> dict[str, Any]:
    """The entity's automations, oldest first (members only; ``order`` is ignored)."""
    ctx = context(info)
    if not _member(ctx, entity):
        return empty_connection()
    name = _name_filter(filters)
    automations = ctx.store.automations
    return paginate_by_pk(
        lambda after_pk, limit: automations.of_entities(
            [entity.pk],
            name=name,
            after_pk=after_pk,
            limit=limit,
            hidden_projects=_hidden_projects(ctx, entity),
        ),
        lambda row: row.pk,
        first=first,
        after=after,
        last=last,
        before=before,
    )


def resolve_project_triggers(project: ProjectRow, info: GraphQLResolveInfo) -> list[TriggerRow]:
    """The automations watching the project (members of its entity only)."""
    ctx = context(info)
    if not _member(ctx, ctx.entity(project.entity_pk)):
        return []
    return ctx.store.automations.of_scope("PROJECT", project.pk)


def resolve_entity_integrations(
    entity: EntityRow,
    info: GraphQLResolveInfo,
    *,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> dict[str, Any]:
    """The entity's Slack and webhook integrations, oldest first (members only)."""
    ctx = context(info)
    if not _member(ctx, entity):
        return empty_connection()
    automations = ctx.store.automations
    return paginate_by_pk(
        lambda after_pk, limit: automations.integrations(entity.pk, after_pk=after_pk, limit=limit),
        lambda row: row.pk,
        first=first,
        after=after,
        last=last,
        before=before,
    )


def resolve_trigger_scope(trigger: TriggerRow, info: GraphQLResolveInfo) -> Any:
    store = context(info).store
    if trigger.scope_type == "PROJECT":
        return store.projects.get_by_pk(trigger.scope_pk)
    if trigger.scope_type == "ARTIFACT_COLLECTION":
        return store.artifact_collections.get_by_pk(trigger.scope_pk, include_deleted=True)
    return store.entities.get_by_pk(trigger.scope_pk)


def resolve_trigger_condition(trigger: TriggerRow, _: GraphQLResolveInfo) -> dict[str, Any]:
    return {
        "event_type": trigger.event_type,
        "filter": saved_filter(trigger.event_type, trigger.event_filter),
    }


def resolve_trigger_action(trigger: TriggerRow, info: GraphQLResolveInfo) -> dict[str, Any]:
    config = json.loads(trigger.action_config)
    integration = (
        context(info).store.automations.integration(trigger.integration_pk)
        if trigger.integration_pk is not None
        else None
    )
    action: dict[str, Any] = {"__typename": _TYPENAMES_OF_ACTION[trigger.action_type]}
    if trigger.action_type == "GENERIC_WEBHOOK":
        payload = config.get("request_payload")
        action |= {"integration": integration, "request_payload": payload}
    elif trigger.action_type == "NOTIFICATION":
        action |= {"integration": integration, **config}
    elif trigger.action_type == "ARIA":
        action |= {"prompt": config.get("prompt", "")}
    elif trigger.action_type == "QUEUE_JOB":
        action |= {"queue": None, "template": config.get("template", "{}")}
    else:
        action |= {"no_op": True}
    return action


def _scope_type(obj: Any, *_: Any) -> str:
    if isinstance(obj, ProjectRow):
        return "Project"
    if isinstance(obj, ArtifactCollectionRow):
        return collection_typename(obj)
    return "Entity"


def _integration_type(obj: IntegrationRow, *_: Any) -> str:
    return obj.kind


def _action_type(obj: dict[str, Any], *_: Any) -> str:
    return str(obj["__typename"])


# -- writing ---------------------------------------------------------------------------------


def _scope(ctx: RequestContext, scope_type: str, scope_id: Any) -> tuple[EntityRow, int]:
    """The entity and row id of a trigger's scope (an unreadable one is "not found")."""
    store = ctx.store
    entity: EntityRow | None = None
    if scope_type == "PROJECT":
        project = ctx.readable(
            store.projects.get_by_pk(_decode(scope_id, "Project", what="scopeID"))
        )
        entity = ctx.entity(project.entity_pk) if project else None
        pk = project.pk if project else 0
    elif scope_type == "ARTIFACT_COLLECTION":
        types = ("ArtifactSequence", "ArtifactPortfolio", "ArtifactCollection")
        collection = store.artifact_collections.get_by_pk(_decode(scope_id, *types, what="scopeID"))
        project = (
            ctx.readable(store.projects.get_by_pk(collection.project_pk)) if collection else None
        )
        entity = ctx.entity(project.entity_pk) if project else None
        pk = collection.pk if collection else 0
    elif scope_type == "ENTITY":
        entity = store.entities.get_by_pk(_decode(scope_id, "Entity", what="scopeID"))
        pk = entity.pk if entity else 0
    else:
        raise ClientError(f"unknown scopeType {scope_type!r}")
    if entity is None:
        raise NotFound(f"no {scope_type.lower().replace('_', ' ')} with id {scope_id!r}")
    return entity, pk


def _spec(
    ctx: RequestContext, values: dict[str, Any], operation: str
) -> tuple[EntityRow, TriggerSpec]:
    name = str(values.get("name") or "").strip()
    if not name:
        raise ClientError(f"{operation}: name must not be empty")
    entity, scope_pk = _scope(ctx, str(values["scope_type"]), values["scope_id"])
    ctx.require_write(entity, "change automations")
    with client_errors(operation, errors=(SpecError,)):
        event_filter = check_event(
            str(values["triggering_event_type"]), str(values["scope_type"]), values["event_filter"]
        )
        action = check_action(
            str(values["triggered_action_type"]), values["triggered_action_config"]
        )
    integration_pk: int | None = None
    if action.integration_id is not None:
        pk = _decode(action.integration_id, "Integration", what=f"{operation}: integrationID")
        integration = ctx.store.automations.integration(pk)
        if integration is None or integration.entity_pk != entity.pk:
            raise NotFound(
                f"{operation}: no integration {action.integration_id!r} in {entity.name!r}"
            )
        if integration.kind != action.integration_kind:
            kind = "a Slack" if action.integration_kind == SLACK else "a webhook"
            raise ClientError(
                f"{operation}: a {values['triggered_action_type']} action needs {kind} integration"
            )
        integration_pk = integration.pk
    spec = TriggerSpec(
        name=name,
        description=values.get("description"),
        enabled=bool(values.get("enabled", True)),
        scope_type=str(values["scope_type"]),
        scope_pk=scope_pk,
        event_type=str(values["triggering_event_type"]),
        event_filter=event_filter,
        action_type=str(values["triggered_action_type"]),
        action_config=action.config,
        integration_pk=integration_pk,
    )
    return entity, spec


def _save(operation: str, save: Callable[[], TriggerRow]) -> TriggerRow:
    try:
        return save()
    except NameConflictError as exc:
        raise ClientError(f"{operation}: {exc}", code=CONFLICT) from None
    except StoreError as exc:
        raise ClientError(f"{operation}: {exc}", code=exc.code) from None


def resolve_create_filter_trigger(
    _: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]
) -> dict[str, Any]:
    """Save a new automation in the entity of its scope."""
    ctx = context(info)
    entity, spec = _spec(ctx, input, "createFilterTrigger")
    store = ctx.store.automations
    row = _save(
        "createFilterTrigger", lambda: store.create(entity.pk, spec, creator_pk=ctx.viewer.pk)
    )
    return {"trigger": row}


def _own_trigger(ctx: RequestContext, trigger_id: Any, operation: str) -> TriggerRow:
    trigger = ctx.store.automations.get(_decode(trigger_id, "Trigger", what=f"{operation}: id"))
    entity = ctx.entity(trigger.entity_pk) if trigger else None
    if (
        trigger is None
        or entity is None
        or not _member(ctx, entity)
        or _hidden(ctx, entity, trigger)
    ):
        raise NotFound(f"{operation}: no automation with id {trigger_id!r}")
    return trigger


def _hidden(ctx: RequestContext, entity: EntityRow, trigger: TriggerRow) -> bool:
    hidden = _hidden_projects(ctx, entity)
    return bool(hidden) and not ctx.store.automations.of_entities(
        [entity.pk], name=trigger.name, after_pk=trigger.pk - 1, limit=1, hidden_projects=hidden
    )


def resolve_update_filter_trigger(
    _: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]
) -> dict[str, Any]:
    """Change an automation: fields not given keep their values."""
    ctx = context(info)
    current = _own_trigger(ctx, input.get("id"), "updateFilterTrigger")
    scope_type = input.get("scope_type") or current.scope_type
    if input.get("scope_id") is not None:
        scope_id = input["scope_id"]
    else:
        scope_id = _current_scope_id(current)
    action_type = input.get("triggered_action_type") or current.action_type
    config = input.get("triggered_action_config")
    if config is None:
        if action_type != current.action_type:
            raise ClientError(
                "updateFilterTrigger: a new triggeredActionType needs its triggeredActionConfig"
            )
        config = _current_config(current)
    values = {
        "name": input.get("name") or current.name,
        "description": input.get("description", current.description),
        "enabled": input["enabled"] if input.get("enabled") is not None else current.enabled,
        "scope_type": scope_type,
        "scope_id": scope_id,
        "triggering_event_type": input.get("triggering_event_type") or current.event_type,
        "event_filter": (
            input["event_filter"] if "event_filter" in input else json.loads(current.event_filter)
        ),
        "triggered_action_type": action_type,
        "triggered_action_config": config,
    }
    entity, spec = _spec(ctx, values, "updateFilterTrigger")
    if entity.pk != current.entity_pk:
        raise ClientError("updateFilterTrigger: an automation cannot move to another entity")
    store = ctx.store.automations
    return {"trigger": _save("updateFilterTrigger", lambda: store.update(current.pk, spec))}


def _current_scope_id(trigger: TriggerRow) -> str:
    if trigger.scope_type == "PROJECT":
        return encode_id("Project", trigger.scope_pk)
    if trigger.scope_type == "ENTITY":
        return encode_id("Entity", trigger.scope_pk)
    return encode_id("ArtifactCollection", trigger.scope_pk)


def _current_config(trigger: TriggerRow) -> dict[str, Any]:
    config = json.loads(trigger.action_config)
    key = ACTION_INPUT_KEYS.get(trigger.action_type, ACTION_INPUT_KEYS["NO_OP"])
    if trigger.integration_pk is not None:
        config["integration_id"] = encode_id("Integration", trigger.integration_pk)
    return {key: config}


def resolve_delete_trigger(
    _: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]
) -> dict[str, Any]:
    """Delete an automation (its firings stay readable)."""
    ctx = context(info)
    trigger = _own_trigger(ctx, input.get("trigger_id"), "deleteTrigger")
    return {"success": ctx.store.automations.delete(trigger.pk)}


def resolve_create_generic_webhook_integration(
    _: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]
) -> dict[str, Any]:
    """Add a webhook to an entity the viewer is a member of."""
    ctx = context(info)
    entity_name = str(input.get("entity_name") or "")
    entity = ctx.store.entities.get(entity_name) if entity_name else None
    if entity is None or not _member(ctx, entity):
        raise NotFound(f"createGenericWebhookIntegration: no entity named {entity_name!r}")
    with client_errors("createGenericWebhookIntegration", errors=(SpecError, StoreError)):
        url = check_webhook_url(str(input.get("url_endpoint") or ""))
        row = ctx.store.automations.create_webhook(
            entity.pk,
            str(input.get("name") or ""),
            url,
            secret_ref=input.get("secret_ref"),
            access_token_ref=input.get("access_token_ref"),
            creator_pk=ctx.viewer.pk,
        )
    return {"integration": row}


def resolve_integration_id(integration: IntegrationRow, _: GraphQLResolveInfo) -> str:
    return encode_id("Integration", integration.pk)


def resolve_trigger_id(trigger: TriggerRow, _: GraphQLResolveInfo) -> str:
    return encode_id("Trigger", trigger.pk)


def bindables() -> list[ObjectType | UnionType | InterfaceType]:
    """The automation mutations, fields and types."""
    mutation = MutationType()
    mutation.set_field("createFilterTrigger", resolve_create_filter_trigger)
    mutation.set_field("updateFilterTrigger", resolve_update_filter_trigger)
    mutation.set_field("deleteTrigger", resolve_delete_trigger)
    mutation.set_field(
        "createGenericWebhookIntegration", resolve_create_generic_webhook_integration
    )
    entity = ObjectType("Entity")
    entity.set_field("triggers", resolve_entity_triggers)
    entity.set_field("integrations", resolve_entity_integrations)
    project = ObjectType("Project")
    project.set_field("triggers", resolve_project_triggers)
    trigger = ObjectType("Trigger")
    trigger.set_field("id", resolve_trigger_id)
    trigger.set_field("scope", resolve_trigger_scope)
    trigger.set_field("triggeringCondition", resolve_trigger_condition)
    trigger.set_field("triggeredAction", resolve_trigger_action)
    slack = ObjectType("SlackIntegration")
    slack.set_field("id", resolve_integration_id)
    webhook = ObjectType("GenericWebhookIntegration")
    webhook.set_field("id", resolve_integration_id)
    return [
        mutation,
        entity,
        project,
        trigger,
        slack,
        webhook,
        UnionType("TriggerScope", _scope_type),
        UnionType("TriggeredAction", _action_type),
        UnionType("TriggeringCondition", lambda *_: "FilterEventTriggeringCondition"),
        InterfaceType("Integration", _integration_type),
    ]


__all__ = ["CONFLICT", "bindables"]
