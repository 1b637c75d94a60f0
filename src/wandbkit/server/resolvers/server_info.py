"""``Query.serverInfo``: what this server can do.

The official client negotiates through these flags alone (it sends no introspection), so
claim only what the emulator serves, or is about to.
"""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType, QueryType
from graphql import GraphQLResolveInfo

#: Feature flags reported by ``serverInfo.features``, in the order they are listed.
#: ``ARTIFACT_REGISTRY_SEARCH`` gates ``api.registries()`` in the official client;
#: ``ARTIFACT_V2_DOWNLOAD_HANDLER_SUPPORTS_ARTIFACT_ID`` picks its artifact fallback URL shape.
SERVER_FEATURES: dict[str, bool] = {
    "ARTIFACT_REGISTRY_SEARCH": True,
    "ARTIFACT_DIGEST_ALGORITHM": True,
    "ARTIFACT_V2_DOWNLOAD_HANDLER_SUPPORTS_ARTIFACT_ID": True,
    "ARTIFACT_COLLECTIONS_FILTERING_SORTING": True,
    "TOTAL_COUNT_IN_FILE_CONNECTION": True,
    # Sweep.enqueue_run in the official client needs it (enqueueSweepRun, resolvers/launch_items).
    "SWEEPS_LOCAL_SCHEDULER": True,
    # wandb-core then streams console lines as {"ts", "content", "level", "label"} JSON.
    "STRUCTURED_CONSOLE_LOGS": True,
    # Registry.save() and Api.create_registry() in the official client need it.
    "INCLUDE_ARTIFACT_TYPES_IN_REGISTRY_CREATION": True,
    # Automations (resolvers/automations.py): the official client gates these events, the
    # entity scope, the no-op action and Entity.triggers listing on them.
    "AUTOMATION_EVENT_RUN_METRIC": True,
    "AUTOMATION_EVENT_RUN_METRIC_CHANGE": True,
    "AUTOMATION_EVENT_RUN_METRIC_ZSCORE": True,
    "AUTOMATION_EVENT_RUN_STATE": True,
    "AUTOMATION_EVENT_ADD_ARTIFACT_TAG": True,
    "AUTOMATION_EVENT_REMOVE_ARTIFACT_TAG": True,
    "AUTOMATION_EVENT_ADD_COLLECTION_TAG": True,
    "AUTOMATION_EVENT_REMOVE_COLLECTION_TAG": True,
    "AUTOMATION_EVENT_UNLINK_ARTIFACT": True,
    "AUTOMATION_SCOPE_ENTITY": True,
    "AUTOMATION_ACTION_NO_OP": True,
    "QUERY_AUTOMATIONS_ON_ENTITY": True,
}


def resolve_server_info(_: Any, __: GraphQLResolveInfo) -> dict[str, Any]:
    return {
        "polling_ok": True,
        "features": [
            {"name": name, "is_enabled": enabled} for name, enabled in SERVER_FEATURES.items()
        ],
    }


def bindables() -> list[QueryType | ObjectType]:
    """The Query fields this module resolves (``ServerInfo`` fields are plain dict keys)."""
    query = QueryType()
    query.set_field("serverInfo", resolve_server_info)
    return [query]
