"""W&B Launch's vocabulary and its queue-config templates, shared by the client and the server.

A run queue runs its items on one kind of resource (:data:`RESOURCE_TYPES`) with a default
resource config: JSON whose strings may hold handlebars fields, ``{{gpus}}``. The queue's
*template variables* say which fields a run may set and what they accept (a JSON schema:
``type`` ``integer``/``number``/``string``, ``minimum``/``maximum``, ``enum``, ``default``).
When a run is pushed with values for them, the server fills the config and hands the agent
the filled ``resource_args``.

The client checks arguments with these rules before any request (``UsageError``), and the server
checks what any client sends with the same rules (a ``ClientError``): one walk, two callers,
as :mod:`wandbkit._lang.filters` does for filters. Stdlib only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "ACCESS_TYPES",
    "DEFAULT_PRIORITY",
    "ITEM_STATES",
    "LAUNCH_DEFAULT_PROJECT",
    "PRIORITIES",
    "PRIORITIZATION_MODES",
    "QUEUE_NAME_MAX",
    "RESOURCE_TYPES",
    "LaunchSpecError",
    "check_priority",
    "check_queue_name",
    "check_resource_type",
    "fill_template",
    "template_fields",
    "template_values",
    "template_variables",
]

#: The project of an entity that holds its run queues (``wandb.sdk.launch.utils``).
LAUNCH_DEFAULT_PROJECT = "model-registry"
#: What a queue may run on, as ``wandb.apis.public.RunQueueResourceType`` lists them.
RESOURCE_TYPES = ("local-container", "local-process", "kubernetes", "sagemaker", "gcp-vertex")
#: ``RunQueuePrioritizationMode``: ``V0`` orders items by priority, ``DISABLED`` by arrival.
PRIORITIZATION_MODES = ("DISABLED", "V0")
#: ``RunQueueAccessType``.
ACCESS_TYPES = ("PROJECT", "USER")
#: An item's states (``RunQueueItemState``): pushed, popped by an agent, acknowledged with
#: its run, failed.
ITEM_STATES = ("PENDING", "LEASED", "CLAIMED", "FAILED")
#: Priorities of a prioritized queue, most urgent first (the app's critical, high, medium, low).
PRIORITIES = range(0, 4)
#: The priority of an item pushed without one ("medium").
DEFAULT_PRIORITY = 2
#: ``Api.create_run_queue`` refuses longer names.
QUEUE_NAME_MAX = 64

_FIELD = re.compile(r"\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}")
_SCHEMA_TYPES = {"integer": (int,), "number": (int, float), "string": (str,)}


class LaunchSpecError(ValueError):
    """An argument the launch rules refuse; the message names it and the expected form."""


def check_queue_name(name: object, argument: str = "name") -> str:
    """A queue name: a non-empty string of at most :data:`QUEUE_NAME_MAX` characters."""
    if not isinstance(name, str) or not name.strip():
        raise LaunchSpecError(f"{argument} must be a non-empty string, got {name!r}")
    if len(name) > QUEUE_NAME_MAX:
        raise LaunchSpecError(
            f"{argument} must be at most {QUEUE_NAME_MAX} characters, got {len(name)}"
        )
    if "/" in name:
        raise LaunchSpecError(f"{argument} must not contain '/', got {name!r}")
    return name


def check_resource_type(resource: object, argument: str = "type") -> str:
    """One of :data:`RESOURCE_TYPES`."""
    if resource not in RESOURCE_TYPES:
        raise LaunchSpecError(
            f"{argument} must be one of {', '.join(map(repr, RESOURCE_TYPES))}, got {resource!r}"
        )
    assert isinstance(resource, str)
    return resource


def check_priority(priority: object, argument: str = "priority") -> int:
    """A priority in :data:`PRIORITIES` (0 is the most urgent)."""
    if isinstance(priority, bool) or not isinstance(priority, int) or priority not in PRIORITIES:
        raise LaunchSpecError(
            f"{argument} must be an int from {PRIORITIES.start} (most urgent) to "
            f"{PRIORITIES.stop - 1}, got {priority!r}"
        )
    return priority


def template_variables(
    variables: object, argument: str = "template_variables"
) -> list[dict[str, Any]]:
    """A queue's template variables, from the mapping users write, as the server lists them:
    ``[{"name", "description", "schema"}]``.

    Each key is a variable; its value is ``{"schema": {...}, "description": ...}`` (the
    Terraform provider's and the app's form, where ``"name"`` may rename the key) or the schema
    itself.

    Raises:
        LaunchSpecError: not a mapping of names to JSON objects, or a schema of another type
            than integer, number or string, or a default the schema refuses.
    """
    if variables is None:
        return []
    if not isinstance(variables, Mapping):
        raise LaunchSpecError(
            f"{argument} must be a dict of variable name to schema, got {type(variables).__name__}"
        )
    found: list[dict[str, Any]] = []
    for key, value in variables.items():
        where = f"{argument}[{key!r}]"
        if not isinstance(key, str) or not _FIELD.fullmatch("{{" + key + "}}"):
            raise LaunchSpecError(f"{argument} keys must be variable names, got {key!r}")
        if not isinstance(value, Mapping):
            raise LaunchSpecError(f"{where} must be a dict (a schema), got {value!r}")
        schema = value.get("schema", value)
        if not isinstance(schema, Mapping):
            raise LaunchSpecError(f"{where}['schema'] must be a dict, got {schema!r}")
        kind = schema.get("type")
        if kind not in _SCHEMA_TYPES:
            raise LaunchSpecError(
                f"{where} schema type must be 'integer', 'number' or 'string', got {kind!r}"
            )
        name = value.get("name", key) if "schema" in value else key
        description = value.get("description") if "schema" in value else None
        if not isinstance(name, str) or not name:
            raise LaunchSpecError(f"{where}['name'] must be a non-empty string, got {name!r}")
        entry = {"name": name, "description": description, "schema": dict(schema)}
        if "default" in schema:
            _check_value(entry, schema["default"], f"{where} default")
        found.append(entry)
    return found


def template_fields(config: object) -> set[str]:
    """The names of the ``{{fields}}`` a resource config's strings hold."""
    if isinstance(config, str):
        return set(_FIELD.findall(config))
    if isinstance(config, Mapping):
        return {name for value in config.values() for name in template_fields(value)}
    if isinstance(config, list):
        return {name for value in config for name in template_fields(value)}
    return set()


def template_values(
    variables: list[dict[str, Any]], values: object, argument: str = "template_variables"
) -> dict[str, Any]:
    """The values a run gives a queue's variables, checked, with the schemas' defaults for the
    rest.

    Raises:
        LaunchSpecError: not a mapping, a name the queue does not define, or a value its schema
            refuses.
    """
    if values is None:
        values = {}
    if not isinstance(values, Mapping):
        raise LaunchSpecError(
            f"{argument} must be a dict of variable name to value, got {type(values).__name__}"
        )
    by_name = {variable["name"]: variable for variable in variables}
    unknown = sorted(set(values) - set(by_name))
    if unknown:
        known = ", ".join(sorted(by_name)) or "none"
        raise LaunchSpecError(
            f"{argument} names {unknown}, which the queue does not define (it defines: {known})"
        )
    filled: dict[str, Any] = {}
    for name, variable in by_name.items():
        if name in values:
            filled[name] = _check_value(variable, values[name], f"{argument}[{name!r}]")
        elif "default" in variable["schema"]:
            filled[name] = variable["schema"]["default"]
    return filled


def fill_template(config: Any, values: Mapping[str, Any]) -> Any:
    """``config`` with its ``{{fields}}`` replaced by ``values``: a string that is one field
    becomes the value itself (so ``"{{gpus}}"`` becomes ``2``), a field inside text becomes
    its text; fields without a value stay as they are."""
    if isinstance(config, str):
        whole = _FIELD.fullmatch(config.strip())
        if whole and whole.group(1) in values:
            return values[whole.group(1)]
        return _FIELD.sub(
            lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), config
        )
    if isinstance(config, Mapping):
        return {key: fill_template(value, values) for key, value in config.items()}
    if isinstance(config, list):
        return [fill_template(value, values) for value in config]
    return config


def _check_value(variable: Mapping[str, Any], value: Any, where: str) -> Any:
    schema = variable["schema"]
    kind = schema["type"]
    if isinstance(value, bool) or not isinstance(value, _SCHEMA_TYPES[kind]):
        raise LaunchSpecError(f"{where} must be of type {kind}, got {value!r}")
    enum = schema.get("enum")
    if isinstance(enum, list) and value not in enum:
        raise LaunchSpecError(f"{where} must be one of {enum}, got {value!r}")
    if isinstance(value, (int, float)):
        low, high = schema.get("minimum"), schema.get("maximum")
        if isinstance(low, (int, float)) and value < low:
            raise LaunchSpecError(f"{where} must be at least {low}, got {value!r}")
        if isinstance(high, (int, float)) and value > high:
            raise LaunchSpecError(f"{where} must be at most {high}, got {value!r}")
    return value
