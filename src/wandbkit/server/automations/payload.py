"""Filling a webhook's payload template with the event's variables, as W&B does.

A payload is a JSON object whose strings may hold ``${name}`` placeholders (W&B's payload
variables: ``${event_type}``, ``${event_author}``, ``${entity_name}``, ``${project_name}``,
``${artifact_version_string}``, ``${artifact_collection_name}``, ``${alias}``, ``${tag}``,
``${artifact_metadata.<key>}``; for run events ``${run_name}``, ``${run_id}``,
``${run_state}``, ``${metric_name}``, ``${metric_value}``). A string that is exactly one
placeholder takes the variable's JSON value (``"${artifact_version}"`` becomes an object);
placeholders inside longer strings take its text. Unknown placeholders are left as they are,
so a receiver sees what it was not given (secrets, ``${ACCESS_TOKEN}``: this server keeps no
secret values).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["fill_template", "lookup"]

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.\-]*)\}")
_MISSING = object()


def lookup(variables: Mapping[str, Any], name: str) -> Any:
    """The variable ``name`` (``artifact_metadata.a.b`` walks into the metadata), or a
    sentinel when there is none."""
    if name in variables:
        return variables[name]
    head, _, rest = name.partition(".")
    value: Any = variables.get(head, _MISSING)
    for part in rest.split(".") if rest else ():
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _fill_string(text: str, variables: Mapping[str, Any]) -> Any:
    whole = _PLACEHOLDER.fullmatch(text)
    if whole is not None:
        value = lookup(variables, whole.group(1))
        return text if value is _MISSING else value

    def replace(match: re.Match[str]) -> str:
        value = lookup(variables, match.group(1))
        return match.group(0) if value is _MISSING else _text(value)

    return _PLACEHOLDER.sub(replace, text)


def fill_template(template: Any, variables: Mapping[str, Any]) -> Any:
    """``template`` with every placeholder in its strings (keys too) filled in.

    Example:
        >>> fill_template({"text": "${run_name} is ${run_state}", "n": "${metric_value}"},
        ...               {"run_name": "r1", "run_state": "finished", "metric_value": 0.5})
        {'text': 'r1 is finished', 'n': 0.5}
    """
    if isinstance(template, str):
        return _fill_string(template, variables)
    if isinstance(template, list):
        return [fill_template(item, variables) for item in template]
    if isinstance(template, dict):
        return {
            _text(fill_template(key, variables)): fill_template(value, variables)
            for key, value in template.items()
        }
    return template
