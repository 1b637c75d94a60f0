"""The ``wandbkit`` command line.

Commands are grouped; each group registers its subcommands in a ``register_*`` function listed
in :data:`COMMAND_GROUPS`, so client-side groups (``wandbkit schema ...``) slot in beside the
server's. Every subcommand sets ``handler``: a function from the parsed arguments to an exit
status. Heavy imports (uvicorn, ariadne) happen inside handlers, so ``wandbkit --help`` and
client commands work without the ``server`` extra.

Usage:
    wandbkit server [--host 127.0.0.1] [--port 8080] [--db ./wandbkit-server.db]
    wandbkit server seed --db PATH [--base-url URL] [--demo] [--api-key KEY] [--username NAME]
        [--team NAME] [--organization NAME]
        [--bench-runs N [--bench-steps M] [--bench-metrics K] [--bench-project NAME]]

``wandbkit server seed`` prints exactly two lines to stdout, ready for a shell::

    WANDB_API_KEY=<key>
    WANDB_BASE_URL=<url>

so ``export $(wandbkit server seed --db my.db)`` configures both wandbkit and ``wandb``.
Everything else goes to stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from wandbkit._version import __version__
from wandbkit.schema_tools.cli import register_schema_commands

if TYPE_CHECKING:
    _SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]

Handler = Callable[[argparse.Namespace], int]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_DB = "./wandbkit-server.db"
#: ``--run-timeout``: the server's ``run_watch.DEFAULT_SILENCE_LIMIT`` (not imported: the CLI
#: loads without the server extra).
DEFAULT_RUN_TIMEOUT = 300.0


def _missing_server_extra(exc: ImportError) -> int:
    print(
        f"wandbkit: the local server needs the 'server' extra ({exc.name} is missing): "
        "pip install 'wandbkit[server]'",
        file=sys.stderr,
    )
    return 1


# -- wandbkit server ------------------------------------------------------------------------


def run_server(args: argparse.Namespace) -> int:
    """``wandbkit server``: serve the database at ``--db`` until interrupted."""
    try:
        import uvicorn

        from wandbkit.server import Store, create_app
    except ImportError as exc:
        return _missing_server_extra(exc)

    store = Store(args.db)
    try:
        if store.counts()["users"] == 0:
            print(
                f"wandbkit: {args.db} has no users yet; every request will get 401. "
                f"Run: wandbkit server seed --db {args.db}",
                file=sys.stderr,
            )
        print(
            f"wandbkit: serving {args.db} at http://{args.host}:{args.port} (Ctrl+C to stop)",
            file=sys.stderr,
        )
        uvicorn.run(
            create_app(store, run_silence_limit=args.run_timeout),
            host=args.host,
            port=args.port,
            log_level=args.log_level,
            lifespan="on",  # crashes runs whose writer went silent (server/run_watch.py)
        )
    finally:
        store.close()
    return 0


def seed_server(args: argparse.Namespace) -> int:
    """``wandbkit server seed``: seed ``--db`` and print the client's two settings."""
    try:
        from wandbkit.server import Store, seed_basic, seed_demo, seed_runs_benchmark
        from wandbkit.server.store import StoreError
    except ImportError as exc:
        return _missing_server_extra(exc)

    seeder = seed_demo if args.demo else seed_basic
    try:
        with Store(args.seed_db) as store:
            seed = seeder(
                store,
                username=args.username,
                team=args.team,
                organization=args.organization,
                api_key=args.api_key,
            )
            if args.bench_runs:
                bench = seed_runs_benchmark(
                    store,
                    project=args.bench_project,
                    runs=args.bench_runs,
                    steps=args.bench_steps,
                    metrics=args.bench_metrics,
                    username=seed.username,
                )
                print(
                    f"wandbkit: benchmark project {bench.entity}/{bench.project}: "
                    f"{bench.runs} runs and {bench.history_rows} history rows added "
                    f"in {bench.seconds:.1f} s",
                    file=sys.stderr,
                )
            counts = store.counts()
    except StoreError as exc:
        print(f"wandbkit: cannot seed {args.seed_db}: {exc}", file=sys.stderr)
        return 1
    print(
        f"wandbkit: seeded {args.seed_db}: user {seed.username!r} (entity {seed.entity!r}), "
        f"team {seed.team!r} in organization {seed.organization!r}; "
        f"{counts['projects']} projects, {counts['runs']} runs",
        file=sys.stderr,
    )
    # Exactly these two lines on stdout: callers eval or export them.
    print(f"WANDB_API_KEY={seed.api_key}")
    print(f"WANDB_BASE_URL={args.base_url.rstrip('/')}")
    return 0


def register_server_commands(commands: _SubParsers) -> None:
    """Add ``wandbkit server`` and ``wandbkit server seed``."""
    server = commands.add_parser(
        "server",
        help="run the local W&B-compatible server",
        # argparse would show the optional `seed` as required ("COMMAND ...").
        usage=(
            "wandbkit server [-h] [--host HOST] [--port PORT] [--db PATH] [--log-level LEVEL]"
            " [--run-timeout SECONDS]\n"
            "       wandbkit server seed --db PATH [options]"
        ),
        description="Run the local W&B-compatible server (GraphQL at /graphql).",
    )
    server.add_argument("--host", default=DEFAULT_HOST, help="interface (default: %(default)s)")
    server.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="port (default: %(default)s)"
    )
    server.add_argument(
        "--db",
        default=DEFAULT_DB,
        metavar="PATH",
        help="SQLite database file (default: %(default)s)",
    )
    server.add_argument(
        "--log-level",
        default="info",
        metavar="LEVEL",
        choices=["critical", "error", "warning", "info", "debug"],
        help="uvicorn log level: critical, error, warning, info, debug (default: %(default)s)",
    )
    server.add_argument(
        "--run-timeout",
        type=_positive_seconds,
        default=DEFAULT_RUN_TIMEOUT,
        metavar="SECONDS",
        help=(
            "a running run whose writer sends nothing to file_stream for this long becomes "
            "crashed (default: %(default)s)"
        ),
    )
    server.set_defaults(handler=run_server)

    actions = server.add_subparsers(title="server commands", metavar="COMMAND")
    seed = actions.add_parser(
        "seed",
        help="create a user, team and API key; print WANDB_API_KEY and WANDB_BASE_URL",
        description=(
            "Seed a server database (reusing what exists) and print two lines for the "
            "client's environment: WANDB_API_KEY=... and WANDB_BASE_URL=..."
        ),
    )
    # A dest of its own: `server --db` and `seed --db` would otherwise overwrite each other.
    seed.add_argument(
        "--db", dest="seed_db", required=True, metavar="PATH", help="SQLite database file"
    )
    seed.add_argument(
        "--base-url",
        default=f"http://{DEFAULT_HOST}:{DEFAULT_PORT}",
        help="the server's URL, printed as WANDB_BASE_URL (default: %(default)s)",
    )
    seed.add_argument(
        "--demo", action="store_true", help="also create demo projects with runs and files"
    )
    seed.add_argument(
        "--api-key", default=None, metavar="KEY", help="register this key instead of a new one"
    )
    seed.add_argument("--username", default="demo", help="user name (default: %(default)s)")
    seed.add_argument("--team", default="demo-team", help="team name (default: %(default)s)")
    seed.add_argument(
        "--organization", default="demo-org", help="organization name (default: %(default)s)"
    )
    bench = seed.add_argument_group(
        "benchmark data", "a big project for performance tests, loaded in one transaction"
    )
    bench.add_argument(
        "--bench-runs",
        type=_non_negative,
        default=0,
        metavar="N",
        help="add N runs to the benchmark project (default: none)",
    )
    bench.add_argument(
        "--bench-steps",
        type=_non_negative,
        default=1000,
        metavar="M",
        help="history rows per benchmark run (default: %(default)s)",
    )
    bench.add_argument(
        "--bench-metrics",
        type=_positive,
        default=5,
        metavar="K",
        help="metrics per history row (default: %(default)s)",
    )
    bench.add_argument(
        "--bench-project",
        default="bench",
        metavar="NAME",
        help="the benchmark project, in the user's entity (default: %(default)s)",
    )
    seed.set_defaults(handler=seed_server)


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be zero or more, got {value}")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


#: Every command group, in the order ``--help`` lists them.
COMMAND_GROUPS: list[Callable[[_SubParsers], None]] = [
    register_server_commands,
    register_schema_commands,
]


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds > 0, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The ``wandbkit`` argument parser with every command group registered."""
    parser = argparse.ArgumentParser(
        prog="wandbkit",
        description="A typed client for the W&B public API, and a W&B-compatible local server.",
    )
    parser.add_argument("--version", action="version", version=f"wandbkit {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for register in COMMAND_GROUPS:
        register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``wandbkit`` command line.

    Args:
        argv: the arguments after the program name (default: ``sys.argv[1:]``).

    Returns:
        The exit status.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
