"""Launch's client-side values: argument checks, the launch spec a job call pushes, the check of
a job's config against its input types, and the errors both flavours share.

The rules a queue's names, types and template variables follow are in
:mod:`wandbkit._lang.launch` (the server applies them too); this module turns their refusals
into :class:`~wandbkit._core.errors.UsageError` and builds what ``wandb.sdk.launch`` builds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from wandbkit._core.errors import JobConfigError, QueuedRunFailedError, UsageError
from wandbkit._lang.launch import LaunchSpecError

__all__ = [
    "JobConfigError",
    "QueuedRunFailedError",
    "check_job_config",
    "checked",
    "external_links_value",
    "job_launch_spec",
]

T = TypeVar("T")


def checked(check: Callable[..., T], *args: Any) -> T:
    """``check(*args)``, its :class:`LaunchSpecError` raised as a ``UsageError``."""
    try:
        return check(*args)
    except LaunchSpecError as exc:
        raise UsageError(str(exc)) from None


def external_links_value(links: object) -> dict[str, Any]:
    """``{"label": "url"}`` as the server keeps external links: ``{"links": [{label, url}]}``.

    Raises:
        UsageError: not a dict of strings to http(s) URLs.
    """
    if links is None:
        links = {}
    if not isinstance(links, Mapping):
        raise UsageError(f"external_links must be a dict of label to URL, got {links!r}")
    found = []
    for label, url in links.items():
        if not isinstance(label, str) or not label:
            raise UsageError(f"external_links labels must be non-empty strings, got {label!r}")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise UsageError(f"external_links[{label!r}] must be an http(s) URL, got {url!r}")
        found.append({"label": label, "url": url})
    return {"links": found}


def job_launch_spec(
    job: str,
    *,
    entity: str,
    project: str,
    resource: str,
    resource_args: Mapping[str, Any] | None,
    run_config: Mapping[str, Any],
    entrypoint: list[str] | None,
) -> dict[str, Any]:
    """The launch spec ``Job.call`` pushes, as ``wandb.sdk.launch``'s ``construct_launch_spec``
    builds it; a ``set_entrypoint`` override goes in ``overrides.entry_point``."""
    overrides: dict[str, Any] = {"run_config": dict(run_config)}
    if entrypoint is not None:
        overrides["entry_point"] = list(entrypoint)
    spec: dict[str, Any] = {
        "overrides": overrides,
        "job": job,
        "entity": entity,
        "project": project,
        "docker": {},
        "resource": resource,
        "git": {},
    }
    if resource_args:
        spec["resource_args"] = dict(resource_args)
    return spec


# -- input types ------------------------------------------------------------------------------

_SCALARS: dict[str, Callable[[Any], bool]] = {
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "none": lambda v: v is None,
    "any": lambda v: True,
    "unknown": lambda v: True,
}


def check_job_config(input_types: object, config: Mapping[str, Any]) -> None:
    """Check a job's config against the job's ``input_types`` (W&B's type JSON).

    The kinds W&B writes for a config are checked: a typed dict (no key it does not declare),
    numbers, strings, booleans, ``None``, unions, lists; anything else is taken as it is.

    Raises:
        JobConfigError: naming the first key whose value does not fit.
    """
    if isinstance(input_types, Mapping):
        problem = _mismatch(input_types, dict(config), "config")
        if problem is not None:
            raise JobConfigError(problem)


def _mismatch(kind: Mapping[str, Any], value: Any, where: str) -> str | None:
    name = kind.get("wb_type")
    params = kind.get("params") or {}
    if name in _SCALARS:
        return None if _SCALARS[name](value) else f"{where} must be a {name}, got {value!r}"
    if name == "typedDict":
        if not isinstance(value, Mapping):
            return f"{where} must be a dict, got {value!r}"
        types = params.get("type_map") or {}
        extra = sorted(set(value) - set(types))
        if extra:
            return f"{where} has keys the job does not take: {extra} (it takes {sorted(types)})"
        for key, item in value.items():
            problem = _mismatch(types[key], item, f"{where}[{key!r}]")
            if problem is not None:
                return problem
        return None
    if name == "union":
        options = params.get("allowed_types") or []
        if any(_mismatch(option, value, where) is None for option in options):
            return None
        return f"{where} fits none of the job's types, got {value!r}"
    if name == "list":
        if not isinstance(value, list):
            return f"{where} must be a list, got {value!r}"
        element = params.get("element_type") or {}
        for index, item in enumerate(value):
            problem = _mismatch(element, item, f"{where}[{index}]")
            if problem is not None:
                return problem
    return None
