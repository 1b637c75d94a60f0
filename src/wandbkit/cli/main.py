"""The ``wandbkit`` command group, its entry point :func:`main`, and shell completion.

Each command group lives in a module of its own and is added to :data:`cli` here, in the order
``--help`` lists them. Commands call the library (``wandbkit.Api`` / ``wandbkit.AsyncApi``);
none holds query logic. Heavy imports (uvicorn, pyarrow, rich) happen inside the commands.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import click

from wandbkit._version import __version__
from wandbkit.cli import (
    artifacts,
    export,
    files,
    history,
    registries,
    reports,
    runs,
    schema,
    server,
    sweeps,
)
from wandbkit.cli._common import EXIT_USAGE, connection_options
from wandbkit.cli.automations import COMMANDS as AUTOMATION_COMMANDS
from wandbkit.cli.launch import COMMANDS as LAUNCH_COMMANDS

__all__ = ["ArgvParser", "build_parser", "cli", "main"]

EXAMPLES = """\b
Examples:
  export $(wandbkit server seed --db demo.db --demo)   # configure the client
  wandbkit runs demo-team/llm-finetune --order -summary.loss --limit 5
  wandbkit run demo-team/llm-finetune/RUN_ID
  wandbkit history demo-team/llm-finetune/RUN_ID --keys loss --format csv
  wandbkit export demo-team/llm-finetune --out ./export
  wandbkit artifact ls demo/cifar10-augment
  wandbkit registry versions model --filter '{"alias": "production"}'
  wandbkit sweep ls demo-team/diffusion-sweeps
  wandbkit queues show demo-team/gpu-a100

Settings come from --base-url/--api-key, else WANDB_BASE_URL, WANDB_API_KEY and ~/.netrc,
as for wandbkit.Api(). Exit status: 0 ok, 1 error, 2 usage error.
Shell completion: eval "$(wandbkit completion bash)" (or zsh, fish).
"""


@click.group(
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=EXAMPLES,
)
@click.version_option(
    __version__, "--version", prog_name="wandbkit", message="%(prog)s %(version)s"
)
@connection_options
@click.pass_context
def cli(ctx: click.Context) -> int | None:
    """A typed client for the W&B public API, and a W&B-compatible local server."""
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help(), err=True)
        return EXIT_USAGE
    return None


@cli.command(
    "completion",
    epilog="""\b
Examples:
  eval "$(wandbkit completion bash)"      # in ~/.bashrc
  eval "$(wandbkit completion zsh)"       # in ~/.zshrc
  wandbkit completion fish > ~/.config/fish/completions/wandbkit.fish
""",
)
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the shell completion script for SHELL (Click's completion)."""
    from click.shell_completion import get_completion_class

    completer = get_completion_class(shell)
    assert completer is not None  # the choices are the shells Click supports
    click.echo(completer(cli, {}, "wandbkit", "_WANDBKIT_COMPLETE").source())


cli.add_command(server.server)
cli.add_command(schema.schema)
for _command in (
    *runs.COMMANDS,
    *history.COMMANDS,
    *files.COMMANDS,
    *export.COMMANDS,
    *artifacts.COMMANDS,
    *registries.COMMANDS,
    *sweeps.COMMANDS,
    *reports.COMMANDS,
):
    cli.add_command(_command)
for _command in (*AUTOMATION_COMMANDS, *LAUNCH_COMMANDS):  # automations, integrations, queues, jobs
    cli.add_command(_command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``wandbkit`` command line.

    Args:
        argv: the arguments after the program name (default: ``sys.argv[1:]``).

    Returns:
        The exit status. A usage error (an unknown option, a bad value) prints Click's message
        and raises ``SystemExit(2)``, as ``argparse`` does.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        result = cli.main(args=args, prog_name="wandbkit", standalone_mode=False)
    except click.UsageError as exc:
        exc.show()
        raise SystemExit(EXIT_USAGE) from None
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        click.echo("wandbkit: aborted", err=True)
        return 1
    return result if isinstance(result, int) else 0


class ArgvParser:
    """Parses a ``wandbkit`` command line into its options without running it (for tests and
    tools that want to know what a command line means)."""

    def parse_args(self, argv: Sequence[str]) -> argparse.Namespace:
        """The options of every level of the command ``argv`` names, the innermost winning.

        Raises:
            click.UsageError: ``argv`` is not a valid command line.
        """
        ctx = cli.make_context("wandbkit", list(argv), resilient_parsing=False)
        values = dict(ctx.params)
        command: click.Command = cli
        rest = [*ctx._protected_args, *ctx.args]
        while isinstance(command, click.Group) and rest:
            name, sub, rest = command.resolve_command(ctx, rest)
            assert name is not None and sub is not None
            ctx = sub.make_context(name, rest, parent=ctx)
            values.update(ctx.params)
            command, rest = sub, [*ctx._protected_args, *ctx.args]
        return argparse.Namespace(**values)


def build_parser() -> ArgvParser:
    """A parser of ``wandbkit`` command lines (``build_parser().parse_args(argv)``)."""
    return ArgvParser()
