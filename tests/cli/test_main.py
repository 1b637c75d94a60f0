"""The ``wandbkit`` command group itself: help, version, completion, and what it imports."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from wandbkit import __version__
from wandbkit.cli import cli, main


def test_help_lists_the_commands_and_examples() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in ("server", "schema", "completion"):
        assert name in result.output
    assert "Examples:" in result.output


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"wandbkit {__version__}\n"


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_clicks_script(shell: str) -> None:
    result = CliRunner().invoke(cli, ["completion", shell])
    assert result.exit_code == 0
    assert "_WANDBKIT_COMPLETE" in result.output


def test_completion_completes_command_names() -> None:
    env = {"_WANDBKIT_COMPLETE": "bash_complete", "COMP_WORDS": "wandbkit se", "COMP_CWORD": "1"}
    result = CliRunner().invoke(cli, [], env=env, prog_name="wandbkit")
    assert result.exit_code == 0
    assert "plain,server" in result.output.splitlines()


def test_an_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["nonsense"])
    assert exited.value.code == 2
    assert "No such command 'nonsense'" in capsys.readouterr().err


def test_import_wandbkit_loads_no_command_line_library() -> None:
    code = (
        "import sys, wandbkit; wandbkit.Api; "
        "print(sorted(m for m in ('click', 'rich', 'pyarrow') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_python_dash_m_runs_the_command_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "wandbkit.cli", "--version"], capture_output=True, text=True
    )
    assert (done.returncode, done.stdout) == (0, f"wandbkit {__version__}\n")


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
    return found


def test_every_command_has_help_with_examples() -> None:
    paths = _commands(cli)
    for expected in [("artifact", "publish"), ("registry", "versions"), ("sweep", "show")]:
        assert expected in paths
    missing = []
    for path in paths:
        result = CliRunner().invoke(cli, [*path, "--help"], prog_name="wandbkit")
        assert result.exit_code == 0, (path, result.output)
        if "Examples:" not in result.output or f"wandbkit {path[0]}" not in result.output:
            missing.append(" ".join(path))
    assert missing == []
