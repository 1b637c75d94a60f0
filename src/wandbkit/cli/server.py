"""``wandbkit server`` and ``wandbkit server seed``: the local W&B-compatible server.

Usage:
    wandbkit server [--host 127.0.0.1] [--port 8080] [--db ./wandbkit-server.db]
    wandbkit server seed --db PATH [--base-url URL] [--demo] [--api-key KEY] [--username NAME]
        [--team NAME] [--organization NAME]
        [--bench-runs N [--bench-steps M] [--bench-metrics K] [--bench-project NAME]]

``wandbkit server seed`` prints exactly two lines to stdout, ready for a shell::

    WANDB_API_KEY=<key>
    WANDB_BASE_URL=<url>

so ``export $(wandbkit server seed --db my.db)`` configures both wandbkit and ``wandb``.
Everything else goes to stderr. uvicorn and ariadne load inside the commands, so the rest of
the command line works without the ``server`` extra.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import Any

import click

__all__ = ["DEFAULT_DB", "DEFAULT_HOST", "DEFAULT_PORT", "seed_server", "serve", "server"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_DB = "./wandbkit-server.db"
LOG_LEVELS = ("critical", "error", "warning", "info", "debug")
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


def serve(
    *,
    host: str,
    port: int,
    db: str,
    log_level: str,
    run_timeout: float = DEFAULT_RUN_TIMEOUT,
    history_exports_delay: float | None = None,
) -> int:
    """Serve the database at ``db`` on ``host:port`` until interrupted; the exit status.

    ``history_exports_delay``: seconds after a run stops before its history is exported to
    parquet (``parquetHistory``); ``None`` (the default) exports nothing, W&B waits 14400.
    """
    try:
        import uvicorn

        from wandbkit.server import Store, create_app
        from wandbkit.server.history_exports import exports_for
    except ImportError as exc:
        return _missing_server_extra(exc)

    store = Store(db)
    if history_exports_delay is not None:
        exports_for(store).delay = timedelta(seconds=history_exports_delay)
    try:
        if store.counts()["users"] == 0:
            print(
                f"wandbkit: {db} has no users yet; every request will get 401. "
                f"Run: wandbkit server seed --db {db}",
                file=sys.stderr,
            )
        print(
            f"wandbkit: serving {db} at http://{host}:{port} (Ctrl+C to stop)",
            file=sys.stderr,
        )
        uvicorn.run(
            create_app(store, run_silence_limit=run_timeout),
            host=host,
            port=port,
            log_level=log_level,
            lifespan="on",  # crashes runs whose writer went silent (server/run_watch.py)
        )
    finally:
        store.close()
    return 0


def seed_server(
    *,
    db: str,
    base_url: str,
    demo: bool,
    api_key: str | None,
    username: str,
    team: str,
    organization: str,
    bench_runs: int,
    bench_steps: int,
    bench_metrics: int,
    bench_project: str,
) -> int:
    """Seed ``db`` and print the client's two settings; the exit status."""
    try:
        from wandbkit.server import Store, seed_basic, seed_demo, seed_runs_benchmark
        from wandbkit.server.store import StoreError
    except ImportError as exc:
        return _missing_server_extra(exc)

    seeder = seed_demo if demo else seed_basic
    try:
        with Store(db) as store:
            seed = seeder(
                store, username=username, team=team, organization=organization, api_key=api_key
            )
            if bench_runs:
                bench = seed_runs_benchmark(
                    store,
                    project=bench_project,
                    runs=bench_runs,
                    steps=bench_steps,
                    metrics=bench_metrics,
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
        print(f"wandbkit: cannot seed {db}: {exc}", file=sys.stderr)
        return 1
    print(
        f"wandbkit: seeded {db}: user {seed.username!r} (entity {seed.entity!r}), "
        f"team {seed.team!r} in organization {seed.organization!r}; "
        f"{counts['projects']} projects, {counts['runs']} runs",
        file=sys.stderr,
    )
    # Exactly these two lines on stdout: callers eval or export them.
    print(f"WANDB_API_KEY={seed.api_key}")
    print(f"WANDB_BASE_URL={base_url.rstrip('/')}")
    return 0


@click.group(
    invoke_without_command=True,
    epilog="""\b
Examples:
  wandbkit server --port 8080 --db ./wandbkit-server.db
  export $(wandbkit server seed --db ./wandbkit-server.db --demo)
""",
)
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Interface to listen on.")
@click.option("--port", type=int, default=DEFAULT_PORT, show_default=True, help="Port.")
@click.option(
    "--db", default=DEFAULT_DB, metavar="PATH", show_default=True, help="SQLite database file."
)
@click.option(
    "--log-level",
    type=click.Choice(LOG_LEVELS),
    default="info",
    metavar="LEVEL",
    show_default=True,
    help="uvicorn log level: critical, error, warning, info, debug.",
)
@click.option(
    "--run-timeout",
    type=click.FloatRange(min=0, min_open=True, max=1e9),
    default=DEFAULT_RUN_TIMEOUT,
    metavar="SECONDS",
    show_default=True,
    help="A running run whose writer sends nothing to file_stream for this long becomes crashed.",
)
@click.option(
    "--history-exports-delay",
    type=click.FloatRange(min=0, max=1e9),
    default=None,
    metavar="SECONDS",
    help="Export a stopped run's history to parquet (parquetHistory, what "
    "Run.download_history_exports reads) this long after it stops; W&B waits 14400. "
    "Default: no exports, every history read is live.",
)
@click.pass_context
def server(
    ctx: click.Context,
    host: str,
    port: int,
    db: str,
    log_level: str,
    run_timeout: float,
    history_exports_delay: float | None,
) -> int | None:
    """Run the local W&B-compatible server (GraphQL at /graphql)."""
    if ctx.invoked_subcommand is not None:
        return None
    return serve(
        host=host,
        port=port,
        db=db,
        log_level=log_level,
        run_timeout=run_timeout,
        history_exports_delay=history_exports_delay,
    )


@server.command(
    "seed",
    epilog="""\b
Examples:
  wandbkit server seed --db demo.db --demo
  export $(wandbkit server seed --db demo.db --base-url http://127.0.0.1:9000)
  wandbkit server seed --db bench.db --bench-runs 2000 --bench-steps 1000
""",
)
@click.option("--db", required=True, metavar="PATH", help="SQLite database file.")
@click.option(
    "--base-url",
    default=f"http://{DEFAULT_HOST}:{DEFAULT_PORT}",
    show_default=True,
    help="The server's URL, printed as WANDB_BASE_URL.",
)
@click.option("--demo", is_flag=True, help="Also create demo projects with runs and files.")
@click.option(
    "--api-key", default=None, metavar="KEY", help="Register this key instead of a new one."
)
@click.option("--username", default="demo", show_default=True, help="User name.")
@click.option("--team", default="demo-team", show_default=True, help="Team name.")
@click.option("--organization", default="demo-org", show_default=True, help="Organization name.")
@click.option(
    "--bench-runs",
    type=click.IntRange(min=0),
    default=0,
    metavar="N",
    help="Add N runs to the benchmark project, in one transaction (default: none).",
)
@click.option(
    "--bench-steps",
    type=click.IntRange(min=0),
    default=1000,
    metavar="M",
    show_default=True,
    help="History rows per benchmark run.",
)
@click.option(
    "--bench-metrics",
    type=click.IntRange(min=1),
    default=5,
    metavar="K",
    show_default=True,
    help="Metrics per history row.",
)
@click.option(
    "--bench-project",
    default="bench",
    metavar="NAME",
    show_default=True,
    help="The benchmark project, in the user's entity.",
)
def seed(**options: Any) -> int:
    """Create a user, team and API key; print WANDB_API_KEY and WANDB_BASE_URL.

    Seeds a server database (reusing what exists) and prints two lines for the client's
    environment: WANDB_API_KEY=... and WANDB_BASE_URL=...; everything else goes to stderr.
    """
    return seed_server(**options)
