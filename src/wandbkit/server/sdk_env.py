"""Pointing the official W&B SDK (``wandb``) at a local server, in this process and its children.

``wandb.init()`` reads its settings from the environment: the server (``WANDB_BASE_URL``), the
key (``WANDB_API_KEY``), where it writes (``WANDB_DIR`` and the cache, config, data and artifact
directories) and the mode. :func:`official_sdk_pointed_at` sets exactly those for a block, takes
out the variables that would send a run elsewhere (a run id, a sweep, an entity, offline mode,
a proxy for loopback), and restores the environment afterwards. ``wandb`` keeps its settings in
a process-wide singleton from its first ``wandb.init()``; the block tears that down on entry and
exit (when ``wandb`` is imported), so each block's ``wandb.init()`` sees its own server.

Example:
    >>> from wandbkit.server.testing import running_server
    >>> with running_server() as server, official_sdk_pointed_at(  # doctest: +SKIP
    ...     server.base_url, server.api_key, tmp_path
    ... ):
    ...     import wandb
    ...     with wandb.init(project="demo") as run:
    ...         run.log({"loss": 0.5})
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

#: Variables that would make ``wandb`` write elsewhere or join something the server lacks.
CLEARED_VARIABLES = (
    "WANDB_ENTITY",
    "WANDB_PROJECT",
    "WANDB_RUN_ID",
    "WANDB_RESUME",
    "WANDB_RUN_GROUP",
    "WANDB_SWEEP_ID",
    "WANDB_SWEEP_PARAM_PATH",
    "WANDB_AGENT_REPORT_INTERVAL",
    "WANDB_DISABLED",
    "WANDB_USERNAME",
    "WANDB_USER_EMAIL",
    "WANDB_SERVICE",
    "WANDB_HTTP_TIMEOUT",
)
#: The directories ``wandb`` writes to, each given its own sub-directory.
DIRECTORY_VARIABLES = ("DIR", "CONFIG_DIR", "CACHE_DIR", "DATA_DIR", "ARTIFACT_DIR")


def official_sdk_environment(base_url: str, api_key: str, directory: Path) -> dict[str, str]:
    """The variables that point ``wandb`` at ``base_url`` and keep its files under
    ``directory`` (created): online mode, quiet, no error reports, loopback never proxied."""
    env = {
        "WANDB_BASE_URL": base_url,
        "WANDB_API_KEY": api_key,
        "WANDB_MODE": "online",
        "WANDB_SILENT": "true",
        "WANDB_ERROR_REPORTING": "false",
        "WANDB_CONSOLE": "auto",
    }
    for name in DIRECTORY_VARIABLES:
        path = directory / name.lower().replace("_", "-")
        path.mkdir(parents=True, exist_ok=True)
        env[f"WANDB_{name}"] = str(path)
    loopback = "127.0.0.1,localhost,::1"
    for name in ("NO_PROXY", "no_proxy"):
        current = os.environ.get(name)
        env[name] = f"{current},{loopback}" if current else loopback
    return env


def _teardown_wandb() -> None:
    """Forget ``wandb``'s process-wide settings (and stop its wandb-core), if it is loaded."""
    wandb = sys.modules.get("wandb")
    teardown = getattr(wandb, "teardown", None)
    if teardown is None:
        return
    active = getattr(wandb, "run", None)
    if active is not None:  # a test that forgot finish(): end it as failed, as wandb would
        with contextlib.suppress(Exception):
            active.finish(exit_code=1)
    with contextlib.suppress(Exception):
        teardown()


@contextlib.contextmanager
def official_sdk_pointed_at(
    base_url: str, api_key: str, directory: Path
) -> Iterator[Mapping[str, str]]:
    """For the block, ``wandb`` in this process (and processes it starts) writes to
    ``base_url`` with ``api_key``, its files under ``directory``; yields the variables set.

    The environment is restored afterwards, variable by variable.
    """
    env = official_sdk_environment(base_url, api_key, directory)
    names = (*env, *CLEARED_VARIABLES)
    saved = {name: os.environ.get(name) for name in names}
    _teardown_wandb()
    for name in CLEARED_VARIABLES:
        os.environ.pop(name, None)
    os.environ.update(env)
    try:
        yield env
    finally:
        _teardown_wandb()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
