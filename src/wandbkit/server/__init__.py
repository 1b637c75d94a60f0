"""A W&B-compatible local server: the real GraphQL schema over a SQLite store.

It serves ``POST /graphql`` (the same ``schema/wandb.graphql`` the client is generated from,
executed by Ariadne), ``GET /healthz`` and the run file endpoints behind ``File.url``,
``File.directUrl`` and upload URLs (:mod:`wandbkit.server.http.file_routes`). The official
``wandb`` client and wandbkit both talk to it unchanged: point ``WANDB_BASE_URL`` at it and use
a key from a seed.

This package knows nothing of the client side of wandbkit. It needs the ``server`` extra
(``pip install 'wandbkit[server]'``). Its names load on first use, so
``from wandbkit.server.store import Store`` does not load the web stack (Starlette, Ariadne).

Example:
    >>> from wandbkit.server import Store, create_app, seed_basic
    >>> store = Store("wandbkit-server.db")
    >>> seed = seed_basic(store)
    >>> app = create_app(store)  # uvicorn.run(app, port=8080)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wandbkit._lang.exports import LazyExports

if TYPE_CHECKING:
    # "X as X" marks an explicit re-export for type checkers (``__all__`` is computed).
    from wandbkit.server.app import create_app as create_app
    from wandbkit.server.seed import SeedResult as SeedResult
    from wandbkit.server.seed import seed_basic as seed_basic
    from wandbkit.server.seed import seed_demo as seed_demo
    from wandbkit.server.seed import seed_runs_benchmark as seed_runs_benchmark
    from wandbkit.server.store import Store as Store

#: Where each public name lives, grouped by module like the ``TYPE_CHECKING`` imports above.
_PUBLIC: dict[str, tuple[str, ...]] = {
    "wandbkit.server.app": ("create_app",),
    "wandbkit.server.seed": ("SeedResult", "seed_basic", "seed_demo", "seed_runs_benchmark"),
    "wandbkit.server.store": ("Store",),
}
_EXPORTS = LazyExports(__name__, globals(), _PUBLIC)
_LAZY: dict[str, str] = _EXPORTS.lazy
__all__ = _EXPORTS.all
__getattr__ = _EXPORTS.getattr
__dir__ = _EXPORTS.dir
