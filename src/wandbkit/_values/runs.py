"""Run values as W&B stores them, and as Python code wants them: states and config.

The server keeps a run's config in a wrapped form, ``{"lr": {"value": 0.01, "desc": null}}``,
with internal keys (``_wandb``, ``wandb_version``) beside the user's; ``run.config`` gives the
plain values and ``run.rawconfig`` everything. :func:`split_config` unwraps a stored config,
:func:`join_config` wraps the two halves back for an update.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import Enum
from typing import Any

__all__ = ["WANDB_INTERNAL_KEYS", "RunState", "as_dict", "join_config", "split_config"]

WANDB_INTERNAL_KEYS = frozenset({"_wandb", "wandb_version"})


class RunState(str, Enum):
    """A run's state. Compares equal to the server's strings (``RunState.FINISHED == "finished"``).

    A state this version does not know (a newer server's) becomes a member named after it
    rather than an error.
    """

    RUNNING = "running"
    FINISHED = "finished"
    CRASHED = "crashed"
    FAILED = "failed"
    KILLED = "killed"
    PREEMPTING = "preempting"
    PREEMPTED = "preempted"
    PENDING = "pending"

    @classmethod
    def _missing_(cls, value: object) -> RunState | None:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value.upper()
        member._value_ = value
        return member

    @property
    def is_terminal(self) -> bool:
        """Whether the run has stopped for good (finished, crashed, failed, killed, preempted)."""
        return self in _TERMINAL

    def __str__(self) -> str:
        return str(self.value)


_TERMINAL = frozenset(
    {RunState.FINISHED, RunState.CRASHED, RunState.FAILED, RunState.KILLED, RunState.PREEMPTED}
)


def split_config(raw: Mapping[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Unwrap a server config into ``(config, rawconfig)``.

    ``config`` holds the user's keys with plain values; ``rawconfig`` holds every key
    (internal ones included), also unwrapped — as ``wandb.Api`` gives them.
    """
    user: dict[str, Any] = {}
    internal: dict[str, Any] = {}
    for key, value in (raw or {}).items():
        plain = value["value"] if isinstance(value, dict) and "value" in value else value
        (internal if key in WANDB_INTERNAL_KEYS else user)[key] = plain
    return user, {**internal, **user}


def join_config(config: Mapping[str, Any], rawconfig: Mapping[str, Any]) -> dict[str, Any]:
    """The wrapped form the server stores, from :func:`split_config`'s two halves.

    The user's keys come from ``config``; the internal keys of ``rawconfig`` are kept, so an
    update does not drop them. (The server's ``wrap_config(values)`` wraps one mapping.)
    """
    wrapped: dict[str, Any] = {}
    for key in WANDB_INTERNAL_KEYS:
        if key in rawconfig:
            wrapped[key] = {"value": rawconfig[key], "desc": None}
    for key, value in config.items():
        wrapped[key] = {"value": value, "desc": None}
    return wrapped


def as_dict(value: Any) -> dict[str, Any]:
    """A JSON object the server sent (parsed or as text); anything else becomes ``{}``."""
    if isinstance(value, str):
        value = json.loads(value) if value else {}
    return dict(value) if isinstance(value, Mapping) else {}
