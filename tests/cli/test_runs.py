"""``wandbkit runs`` and ``wandbkit run`` against the local server: output formats, filters,
bad arguments (exit 2) and missing objects (exit 1, one line)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from .support import PROJECT, Invoker

Invoke = Invoker


def test_runs_prints_a_table_of_every_run(invoke: Invoke) -> None:
    result = invoke("runs", PROJECT)
    assert result.exit_code == 0, result.output
    for name in ("run-a", "run-b", "run-c", "finished", "crashed"):
        assert name in result.stdout
    assert "3 of 3 runs in demo/cli" in result.stderr


def test_runs_as_json_with_config_and_summary_columns(invoke: Invoke) -> None:
    columns = "id,state,config.lr,config.optimizer.name,summary.loss,tags"
    result = invoke("runs", PROJECT, "--columns", columns, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    assert rows["run-a"] == {
        "id": "run-a",
        "state": "finished",
        "config.lr": 0.1,
        "config.optimizer.name": "adam",
        "summary.loss": round(2.0 - 29 / 30, 6),
        "tags": ["baseline"],
    }
    assert rows["run-c"]["summary.loss"] is None


def test_runs_as_csv(invoke: Invoke) -> None:
    result = invoke("runs", PROJECT, "--columns", "id,config.lr", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {row["id"]: row["config.lr"] for row in rows} == {
        "run-a": "0.1",
        "run-b": "0.01",
        "run-c": "0.001",
    }


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-f", "state=finished"], ["run-a"]),
        (["-f", "state!=finished"], ["run-b", "run-c"]),
        (["-f", "config.lr>=0.01"], ["run-a", "run-b"]),
        (["-f", "config.lr<0.05", "-f", "state=crashed"], ["run-b"]),
        (["-f", "config.optimizer.name=adam"], ["run-a"]),
        (["-f", "name~^run-[bc]$"], ["run-b", "run-c"]),
        (["--filter", '{"tags": "baseline"}'], ["run-a"]),
        (["--filter", '{"config.lr": {"$lt": 0.05}}', "-f", "state=running"], ["run-c"]),
    ],
)
def test_runs_filters(invoke: Invoke, args: list[str], expected: list[str]) -> None:
    result = invoke("runs", PROJECT, *args, "--columns", "id", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert sorted(result.stdout.split()[1:]) == expected


def test_runs_order_and_limit(invoke: Invoke) -> None:
    result = invoke(
        "runs",
        PROJECT,
        "--order",
        "-config.lr",
        "--limit",
        "2",
        "--columns",
        "id",
        "--format",
        "csv",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["id", "run-a", "run-b"]
    result = invoke("runs", PROJECT, "--order", "+config.lr", "--columns", "id", "--format", "csv")
    assert result.stdout.split() == ["id", "run-c", "run-b", "run-a"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], "Invalid value for '--format'"),
        (["-f", "no-operator"], "is not KEY=VALUE"),
        (["--filter", "{not json"], "not JSON"),
        (["--filter", "[1]"], "must be a JSON object"),
        (["--columns", "id,bogus"], "unknown column 'bogus'"),
        (["--limit", "0"], "Invalid value for '--limit'"),
        (["--filter", '{"config.lr": {"$gte2": 1}}'], "unknown operator '$gte2'"),
        (["--order", "sideways"], "order"),
    ],
)
def test_bad_arguments_exit_2(invoke: Invoke, args: list[str], message: str) -> None:
    result = invoke("runs", PROJECT, *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_a_malformed_path_is_a_usage_error(invoke: Invoke) -> None:
    result = invoke("runs", "a/b/c/d/e")
    assert result.exit_code == 2
    assert result.stderr.startswith("wandbkit: error: path must look like")
    assert result.stderr.endswith("(see 'wandbkit runs --help')\n")
    assert result.stderr.count("\n") == 1


def test_a_missing_run_exits_1_with_one_line(invoke: Invoke) -> None:
    result = invoke("run", f"{PROJECT}/nope")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "wandbkit: error: GetRun: run 'demo/cli/nope' not found\n"


def test_a_missing_project_exits_1_with_one_line(invoke: Invoke) -> None:
    result = invoke("runs", "demo/nowhere")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "project 'demo/nowhere' not found" in result.stderr


def test_debug_adds_the_traceback(invoke: Invoke) -> None:
    result = invoke("run", f"{PROJECT}/nope", "--debug")
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "NotFoundError" in result.stderr
    assert result.stderr.endswith("wandbkit: error: GetRun: run 'demo/cli/nope' not found\n")


def test_a_refused_key_says_how_to_configure_one_and_never_prints_it(invoke: Invoke) -> None:
    key = "f" * 40
    result = invoke(
        "runs", PROJECT, "--base-url", invoke.server.base_url, "--api-key", key, connect=False
    )
    assert result.exit_code == 1
    assert "401" in result.stderr and "--api-key" in result.stderr
    assert key not in result.output


def test_connection_options_before_the_command_name(invoke: Invoke) -> None:
    server = invoke.server
    result = invoke(
        "--base-url", server.base_url, "--api-key", server.api_key, "runs", PROJECT, connect=False
    )
    assert result.exit_code == 0, result.output
    assert "run-a" in result.stdout


def test_settings_come_from_the_environment(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = invoke.server
    monkeypatch.setenv("WANDB_BASE_URL", server.base_url)
    monkeypatch.setenv("WANDB_API_KEY", server.api_key)
    result = invoke("runs", PROJECT, "--columns", "id", "--format", "csv", connect=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["id", "run-a", "run-b", "run-c"]


def test_an_unreachable_server_names_the_setting_to_fix(invoke: Invoke) -> None:
    result = invoke(
        "runs", PROJECT, "--base-url", "http://127.0.0.1:9", "--api-key", "k" * 40, connect=False
    )
    assert result.exit_code == 1
    assert "cannot reach http://127.0.0.1:9" in result.stderr
    assert "--base-url" in result.stderr


def test_run_shows_fields_config_and_sparklines(invoke: Invoke) -> None:
    result = invoke("run", f"{PROJECT}/run-a")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "demo/cli/run-a" in out and "finished" in out and "baseline" in out
    assert "optimizer.name" in out and "adam" in out
    # loss falls from 2.0 and acc rises from 0: their sparklines start high / low.
    lines = {line.split()[1]: line for line in out.splitlines() if line.startswith("│ ")}
    assert "█" in lines["loss"] and "▁" in lines["loss"]
    assert lines["loss"].rstrip(" │").split()[-1].startswith("█")
    assert lines["acc"].rstrip(" │").split()[-1].startswith("▁")


def test_run_as_json(invoke: Invoke) -> None:
    result = invoke("run", f"{PROJECT}/run-b", "--format", "json")
    assert result.exit_code == 0, result.output
    (document,) = json.loads(result.stdout)
    assert document["state"] == "crashed"
    assert document["config"] == {"lr": 0.01, "optimizer": {"name": "sgd", "beta": 0.0}}
    assert document["history_rows"] == 20


def test_every_command_has_help_with_examples(invoke: Invoke) -> None:
    from wandbkit.cli import cli

    for name, command in cli.commands.items():
        result = invoke(name, "--help", connect=False)
        assert result.exit_code == 0, name
        assert "Examples:" in result.stdout, name
        for sub in getattr(command, "commands", {}):
            result = invoke(name, sub, "--help", connect=False)
            assert result.exit_code == 0 and "Examples:" in result.stdout, f"{name} {sub}"
