"""What the command-line tests share: the seeded project and the ``wandbkit`` invoker."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from click.testing import CliRunner, Result

from wandbkit.cli import cli
from wandbkit.server import Store
from wandbkit.server.testing import ServerHandle, add_run

PROJECT = "demo/cli"


def _history(steps: int, offset: float) -> list[dict[str, object]]:
    return [
        {"loss": round(2.0 - i / steps + offset, 6), "acc": round(i / steps, 6), "epoch": i // 10}
        for i in range(steps)
    ]


def seed_project(store: Store) -> None:
    """Three runs with config, summary, history and files; one crashed, one without history."""
    add_run(
        store,
        PROJECT,
        "run-a",
        config={"lr": 0.1, "optimizer": {"name": "adam", "beta": 0.9}},
        history=_history(30, 0.0),
        files={"config.yaml": b"lr: 0.1\n", "media/plot.txt": b"a plot\n"},
        state="finished",
        tags=["baseline"],
    )
    add_run(
        store,
        PROJECT,
        "run-b",
        config={"lr": 0.01, "optimizer": {"name": "sgd", "beta": 0.0}},
        history=_history(20, 0.5),
        state="crashed",
    )
    add_run(store, PROJECT, "run-c", config={"lr": 0.001}, state="running")


@dataclass
class Invoker:
    """Runs ``wandbkit`` with the server's URL and key (``connect=False``: without them)."""

    server: ServerHandle
    runner: CliRunner

    def __call__(self, *args: str, connect: bool = True) -> Result:
        """The command's Result (``exit_code``, ``stdout``, ``stderr``)."""
        options = ["--base-url", self.server.base_url, "--api-key", self.server.api_key]
        return self.runner.invoke(cli, [*args, *(options if connect else [])], prog_name="wandbkit")


def parse_json(result: Result) -> list[dict[str, Any]]:
    """The JSON array a successful command printed."""
    assert result.exit_code == 0, result.output
    parsed = json.loads(result.stdout)
    assert isinstance(parsed, list)
    return parsed


def one_line_error(result: Result, code: int, *needles: str) -> str:
    """The error line of a failed command, checked: exit ``code``, one line naming each of
    ``needles``, no traceback."""
    assert result.exit_code == code, result.output
    err = result.stderr
    assert err.startswith("wandbkit: error: "), err
    assert err.count("\n") == 1, err
    for needle in needles:
        assert needle in err, err
    return err
