"""``wandbkit schema pull|check|diff``: the schema tools on the command line.

Exit status:
    * ``pull``: 0 written; 1 the server could not be introspected.
    * ``check``: 0 every document is valid; 1 some are not (each error printed as
      ``path:line:column: message`` on stdout); 2 the check could not run (no documents given
      and no source checkout, an unreadable schema, an unreachable server).
    * ``diff``: 0 unless ``--fail-on`` says otherwise; 1 the diff has changes at or above the
      ``--fail-on`` level; 2 a schema cannot be loaded.

Only the standard library is imported here; graphql-core and httpx load inside the handlers,
so ``wandbkit --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    _SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]

__all__ = ["default_queries_dir", "register_schema_commands"]

_MISSING_GRAPHQL = (
    "wandbkit schema: graphql-core is missing ({name}); reinstall wandbkit or "
    "pip install 'graphql-core>=3.2'"
)


def default_queries_dir() -> Path | None:
    """``queries/`` of the wandbkit source checkout this package runs from, if it is one.

    ``queries/`` is not packaged: a wheel install has no default and needs explicit paths.
    """
    # src/wandbkit/schema_tools/cli.py -> <repo>; a checkout also has schema/wandb.graphql.
    root = Path(__file__).resolve().parents[3]
    queries = root / "queries"
    if queries.is_dir() and (root / "schema" / "wandb.graphql").is_file():
        return queries
    return None


def _err(message: str) -> None:
    print(f"wandbkit schema: {message}", file=sys.stderr)


# -- pull -----------------------------------------------------------------------------------


def run_pull(args: argparse.Namespace) -> int:
    """``wandbkit schema pull``: introspect a server; write stable SDL to ``--out``."""
    try:
        from wandbkit._core.errors import WandbkitError
        from wandbkit.schema_tools.pull import pull_schema
    except ImportError as exc:
        _err(_MISSING_GRAPHQL.format(name=exc.name))
        return 1
    try:
        sdl = pull_schema(args.base_url, api_key=args.api_key, timeout=args.timeout)
    except WandbkitError as exc:
        _err(f"cannot pull the schema: {exc}")
        return 1
    if args.out in (None, "-"):
        sys.stdout.write(sdl)
    else:
        out = Path(args.out)
        try:
            out.write_text(sdl, encoding="utf-8")
        except OSError as exc:
            _err(f"cannot write {out}: {exc.strerror}")
            return 1
        print(f"wandbkit schema: wrote {out} ({sdl.count(chr(10))} lines)", file=sys.stderr)
    return 0


# -- check ----------------------------------------------------------------------------------


def run_check(args: argparse.Namespace) -> int:
    """``wandbkit schema check``: validate documents; print ``path:line:col: message``."""
    try:
        from wandbkit._core.errors import WandbkitError
        from wandbkit._schema import schema_path
        from wandbkit.schema_tools.check import check_document_sets, document_sets, load_schema
        from wandbkit.schema_tools.pull import pull_schema
    except ImportError as exc:
        _err(_MISSING_GRAPHQL.format(name=exc.name))
        return 2

    paths: list[str] = list(args.paths)
    if not paths:
        default = default_queries_dir()
        if default is None:
            _err("give the .graphql files or directories to check (no default outside a checkout)")
            return 2
        paths = [str(default)]

    label: str
    try:
        if args.base_url is not None:
            schema = load_schema(
                pull_schema(args.base_url, api_key=args.api_key, timeout=args.timeout)
            )
            label = args.base_url
        else:
            # A Path, never a str: load_schema would take a str with "{" in it for SDL text.
            schema_file = Path(args.schema) if args.schema else schema_path()
            schema, label = load_schema(schema_file), str(schema_file)
    except (WandbkitError, FileNotFoundError) as exc:  # FileNotFoundError: a broken install
        _err(str(exc))
        return 2

    sets, problems = document_sets(paths, shared_fragments=not args.isolated)
    errors = check_document_sets(schema, sets, problems)
    for error in errors:
        print(error)
    files = sum(len(s) for s in sets)
    noun = "file" if files == 1 else "files"
    if errors:
        count = f"{len(errors)} error" + ("" if len(errors) == 1 else "s")
        _err(f"{count} in {files} {noun} checked against {label}")
        return 1
    _err(f"{files} {noun} valid against {label}")
    return 0


# -- diff -----------------------------------------------------------------------------------


def run_diff(args: argparse.Namespace) -> int:
    """``wandbkit schema diff``: print the changes; fail at ``--fail-on``."""
    try:
        from wandbkit.schema_tools.diff import diff_schemas
        from wandbkit.schema_tools.errors import SchemaToolError
    except ImportError as exc:
        _err(_MISSING_GRAPHQL.format(name=exc.name))
        return 2
    try:
        diff = diff_schemas(Path(args.old), Path(args.new))
    except SchemaToolError as exc:
        _err(str(exc))
        return 2
    sys.stdout.write(diff.format())
    return 1 if diff.fails(args.fail_on) else 0


# -- registration ---------------------------------------------------------------------------


def _add_server_options(parser: argparse.ArgumentParser, *, with_base_url: bool) -> None:
    parser.add_argument(
        "--api-key",
        default=None,
        metavar="KEY",
        help="API key (default: WANDB_API_KEY, then ~/.netrc)",
    )
    parser.add_argument(
        "--timeout", type=float, default=None, metavar="SECONDS", help="request timeout"
    )
    if with_base_url:
        parser.add_argument(
            "--base-url",
            default=None,
            metavar="URL",
            help="the server to introspect (default: WANDB_BASE_URL, else https://api.wandb.ai)",
        )


def _print_help(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    def handler(_: argparse.Namespace) -> int:
        parser.print_help(sys.stderr)
        return 2

    return handler


def register_schema_commands(commands: _SubParsers) -> None:
    """Add ``wandbkit schema pull``, ``wandbkit schema check`` and ``wandbkit schema diff``."""
    schema = commands.add_parser(
        "schema",
        help="pull, check and diff GraphQL schemas (contract testing)",
        description=(
            "Contract tools: pull a live server's schema, check .graphql documents against a "
            "schema, diff two schemas for breaking changes."
        ),
    )
    schema.set_defaults(handler=_print_help(schema))
    actions = schema.add_subparsers(title="schema commands", metavar="COMMAND")

    pull = actions.add_parser(
        "pull",
        help="introspect a server and write its schema as sorted, stable SDL",
        description=(
            "Introspect a W&B-compatible server (POST {base_url}/graphql) and write its schema "
            "as SDL: types, fields, arguments and enum values sorted by name, descriptions "
            "kept, so that two pulls of the same schema are byte-identical."
        ),
    )
    _add_server_options(pull, with_base_url=True)
    pull.add_argument(
        "--out", default=None, metavar="FILE", help="file to write (default: standard output)"
    )
    pull.set_defaults(handler=run_pull)

    check = actions.add_parser(
        "check",
        help="validate .graphql documents against a schema",
        description=(
            "Validate GraphQL documents against a schema and print every error as "
            "path:line:column: message. The files under a directory share fragments (as "
            "ariadne-codegen reads them); a file given by itself stands alone."
        ),
        epilog=(
            "Exit status: 0 all valid, 1 errors found, 2 the check could not run. Without "
            "--schema or --base-url, wandbkit's own schema is used; without paths, the "
            "queries/ of the wandbkit checkout."
        ),
    )
    source = check.add_mutually_exclusive_group()
    source.add_argument(
        "--schema",
        default=None,
        metavar="FILE",
        help="SDL or introspection-JSON file (default: the schema wandbkit is built from)",
    )
    source.add_argument(
        "--base-url",
        default=None,
        metavar="URL",
        help="introspect this server and check against it",
    )
    _add_server_options(check, with_base_url=False)
    check.add_argument(
        "--isolated",
        action="store_true",
        help="validate every file on its own (no fragments shared across files)",
    )
    check.add_argument("paths", nargs="*", metavar="PATH", help=".graphql files or directories")
    check.set_defaults(handler=run_check)

    diff = actions.add_parser(
        "diff",
        help="breaking, dangerous and safe changes between two schemas",
        description=(
            "Compare two schemas (SDL or introspection-JSON files) and list the changes, "
            "breaking first. Breaking: removed types, fields, arguments, enum values or union "
            "members; changed types and nullability that old clients cannot handle; newly "
            "required arguments and input fields. Dangerous: additions old clients may trip "
            "over (enum values, union members, optional arguments). Safe: the rest."
        ),
    )
    diff.add_argument("old", metavar="OLD", help="the schema clients were written against")
    diff.add_argument("new", metavar="NEW", help="the schema they will meet")
    diff.add_argument(
        "--fail-on",
        choices=["breaking", "dangerous", "none"],
        default="none",
        help="exit 1 when changes at this level or above exist (default: %(default)s)",
    )
    diff.set_defaults(handler=run_diff)
