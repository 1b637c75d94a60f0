"""``wandbkit schema pull|check|diff``: contract tools on the command line.

The handlers (and their exit statuses) are :mod:`wandbkit.schema_tools.cli`'s; this module
declares the options and help.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import click

from wandbkit.schema_tools import cli as handlers

if TYPE_CHECKING:
    from wandbkit.schema_tools.diff import FailOn

__all__ = ["schema"]


def _server_options(with_base_url: bool) -> list[click.Option]:
    options = [
        click.Option(
            ["--api-key"],
            default=None,
            metavar="KEY",
            help="API key (default: WANDB_API_KEY, then ~/.netrc).",
        ),
        click.Option(
            ["--timeout"], type=float, default=None, metavar="SECONDS", help="Request timeout."
        ),
    ]
    if with_base_url:
        options.append(
            click.Option(
                ["--base-url"],
                default=None,
                metavar="URL",
                help="The server to introspect (default: WANDB_BASE_URL, else "
                "https://api.wandb.ai).",
            )
        )
    return options


@click.group(
    invoke_without_command=True,
    epilog="""\b
Examples:
  wandbkit schema pull --base-url http://127.0.0.1:8080 --out live.graphql
  wandbkit schema check queries/
  wandbkit schema diff old.graphql new.graphql --fail-on breaking
""",
)
@click.pass_context
def schema(ctx: click.Context) -> int | None:
    """Pull, check and diff GraphQL schemas (contract testing).

    Pull a live server's schema, check .graphql documents against a schema, diff two schemas
    for breaking changes.
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help(), err=True)
        return 2
    return None


def _pull(base_url: str | None, api_key: str | None, timeout: float | None, out: str | None) -> int:
    return handlers.run_pull(base_url=base_url, api_key=api_key, timeout=timeout, out=out)


pull = click.Command(
    "pull",
    callback=_pull,
    params=[
        *_server_options(with_base_url=True),
        click.Option(
            ["--out"], default=None, metavar="FILE", help="File to write (default: stdout)."
        ),
    ],
    help=(
        "Introspect a server and write its schema as sorted, stable SDL.\n\n"
        "POST {base_url}/graphql with the introspection query; types, fields, arguments and "
        "enum values are sorted by name, descriptions kept, so that two pulls of the same "
        "schema are byte-identical."
    ),
    short_help="Introspect a server and write its schema as sorted, stable SDL.",
    epilog="\b\nExamples:\n  wandbkit schema pull --base-url http://127.0.0.1:8080 --out s.graphql",
)


def _check(
    paths: tuple[str, ...],
    schema: str | None,
    base_url: str | None,
    api_key: str | None,
    timeout: float | None,
    isolated: bool,
) -> int:
    if schema is not None and base_url is not None:
        raise click.UsageError("--schema and --base-url cannot be used together")
    return handlers.run_check(
        paths=paths,
        schema=schema,
        base_url=base_url,
        api_key=api_key,
        timeout=timeout,
        isolated=isolated,
    )


check = click.Command(
    "check",
    callback=_check,
    params=[
        click.Option(
            ["--schema"],
            default=None,
            metavar="FILE",
            help="SDL or introspection-JSON file (default: the schema wandbkit is built from).",
        ),
        click.Option(
            ["--base-url"],
            default=None,
            metavar="URL",
            help="Introspect this server and check against it (not with --schema).",
        ),
        *_server_options(with_base_url=False),
        click.Option(
            ["--isolated"],
            is_flag=True,
            help="Validate every file on its own (no fragments shared across files).",
        ),
        click.Argument(["paths"], nargs=-1, metavar="[PATH]..."),
    ],
    help=(
        "Validate .graphql documents against a schema.\n\n"
        "Every error is printed as path:line:column: message. The files under a directory "
        "share fragments (as ariadne-codegen reads them); a file given by itself stands "
        "alone. Without --schema or --base-url, wandbkit's own schema is used; without "
        "paths, the queries/ of the wandbkit checkout."
    ),
    short_help="Validate .graphql documents against a schema.",
    epilog=(
        "\b\nExit status: 0 all valid, 1 errors found, 2 the check could not run.\n"
        "\b\nExamples:\n  wandbkit schema check queries/\n"
        "  wandbkit schema check --schema live.graphql my_queries/"
    ),
)


def _diff(old: str, new: str, fail_on: str) -> int:
    # click.Choice admits only the FailOn values.
    return handlers.run_diff(old=old, new=new, fail_on=cast("FailOn", fail_on))


diff = click.Command(
    "diff",
    callback=_diff,
    params=[
        click.Argument(["old"], metavar="OLD"),
        click.Argument(["new"], metavar="NEW"),
        click.Option(
            ["--fail-on"],
            type=click.Choice(["breaking", "dangerous", "none"]),
            default="none",
            show_default=True,
            help="Exit 1 when changes at this level or above exist.",
        ),
    ],
    help=(
        "Breaking, dangerous and safe changes between two schemas.\n\n"
        "OLD is the schema clients were written against, NEW the one they will meet (SDL or "
        "introspection-JSON files). Breaking: removed types, fields, arguments, enum values "
        "or union members; changed types and nullability that old clients cannot handle; "
        "newly required arguments and input fields. Dangerous: additions old clients may trip "
        "over (enum values, union members, optional arguments). Safe: the rest."
    ),
    short_help="Breaking, dangerous and safe changes between two schemas.",
    epilog="\b\nExamples:\n  wandbkit schema diff old.graphql new.graphql --fail-on breaking",
)

for _command in (pull, check, diff):
    schema.add_command(_command)
