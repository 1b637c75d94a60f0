"""A W&B-compatible local server: the real GraphQL schema over a SQLite store.

It serves ``POST /graphql`` (the same ``schema/wandb.graphql`` the client is generated from,
executed by Ariadne), ``GET /healthz`` and the run file endpoints behind ``File.url``,
``File.directUrl`` and upload URLs (:mod:`wandbkit.server.http.file_routes`). The official
``wandb`` client and wandbkit both talk to it unchanged: point ``WANDB_BASE_URL`` at it and use
a key from a seed.

This package knows nothing of the client side of wandbkit. It needs the ``server`` extra
(``pip install 'wandbkit[server]'``).

Example:
    >>> from wandbkit.server import Store, create_app, seed_basic
    >>> store = Store("wandbkit-server.db")
    >>> seed = seed_basic(store)
    >>> app = create_app(store)  # uvicorn.run(app, port=8080)
"""

from __future__ import annotations

from wandbkit.server.app import create_app
from wandbkit.server.seed import SeedResult, seed_basic, seed_demo, seed_runs_benchmark
from wandbkit.server.store import Store

__all__ = ["SeedResult", "Store", "create_app", "seed_basic", "seed_demo", "seed_runs_benchmark"]
