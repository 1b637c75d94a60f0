"""The local server's ASGI app: the wiring of ``POST /graphql``
(:mod:`wandbkit.server.http.graphql_endpoint`), ``GET /healthz``, the run file endpoints
(:mod:`wandbkit.server.http.file_routes`), the artifact endpoints
(:mod:`wandbkit.server.http.artifact_routes`) and the fault-injection middleware.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from wandbkit.server.faults import FaultMiddleware, Faults
from wandbkit.server.http.artifact_bundle import ArtifactBundleRoute
from wandbkit.server.http.artifact_routes import ArtifactRoutes
from wandbkit.server.http.file_routes import FileRoutes
from wandbkit.server.http.file_stream import FileStreamRoute
from wandbkit.server.http.graphql_endpoint import GraphQLEndpoint
from wandbkit.server.run_watch import DEFAULT_SILENCE_LIMIT, RunWatcher
from wandbkit.server.schema import build_executable_schema
from wandbkit.server.store import Store
from wandbkit.server.urls import GRAPHQL_PATH, HEALTH_PATH

__all__ = ["GRAPHQL_PATH", "HEALTH_PATH", "create_app", "healthz"]


async def healthz(_: Request) -> Response:
    """Readiness probe; needs no API key."""
    return JSONResponse({"ok": True})


def create_app(
    store: Store,
    *,
    debug: bool = False,
    faults: Faults | None = None,
    run_silence_limit: float | None = DEFAULT_SILENCE_LIMIT,
) -> Starlette:
    """Create the local W&B server as an ASGI app.

    Args:
        store: where the server's data lives; the app does not close it.
        debug: add exception details to GraphQL errors (for local debugging only).
        faults: a fault-injection plan (:mod:`wandbkit.server.faults`); default an empty one,
            which rules can be added to while the app runs.
        run_silence_limit: seconds without a ``file_stream`` request after which a running
            run becomes ``crashed`` (checked while the app's lifespan runs; ``None``: never).

    Returns:
        A Starlette app; ``app.state.store`` is ``store`` and ``app.state.faults`` the plan.

    Example:
        >>> from wandbkit.server import Store, create_app, seed_basic
        >>> store = Store()
        >>> seed = seed_basic(store)
        >>> app = create_app(store)  # serve with uvicorn, or test with httpx.ASGITransport
    """
    endpoint = GraphQLEndpoint(store, build_executable_schema(), debug=debug)
    files = FileRoutes(store, endpoint.authenticate)
    artifacts = ArtifactRoutes(store, endpoint.authenticate)
    faults = faults if faults is not None else Faults()
    app = Starlette(
        debug=False,
        middleware=[Middleware(FaultMiddleware, faults=faults)],
        lifespan=RunWatcher(store, run_silence_limit).lifespan,
        routes=[
            Route(GRAPHQL_PATH, endpoint.handle, methods=["POST"]),
            Route(HEALTH_PATH, healthz, methods=["GET"]),
            *FileStreamRoute(store, endpoint.authenticate).routes(),
            *files.routes(),
            *artifacts.routes(),
            *ArtifactBundleRoute(store).routes(),
        ],
    )
    app.state.store = store
    app.state.faults = faults
    return app
