"""The local server's ASGI app: the wiring of ``POST /graphql``
(:mod:`wandbkit.server.http.graphql_endpoint`), ``GET /healthz``, the run file endpoints
(:mod:`wandbkit.server.http.file_routes`), the artifact endpoints
(:mod:`wandbkit.server.http.artifact_routes`), the automations' firings route
(:mod:`wandbkit.server.http.automation_routes`), the fault-injection middleware, and after them
the web view's pages at the app URLs the client hands out (:mod:`wandbkit.server.web`).
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from wandbkit.server.actor import ActorMiddleware
from wandbkit.server.automations import Dispatcher, WebhookPolicy
from wandbkit.server.faults import FaultMiddleware, Faults
from wandbkit.server.http.artifact_bundle import ArtifactBundleRoute
from wandbkit.server.http.artifact_routes import ArtifactRoutes
from wandbkit.server.http.automation_routes import AutomationRoutes
from wandbkit.server.http.file_routes import FileRoutes
from wandbkit.server.http.file_stream import FileStreamRoute
from wandbkit.server.http.graphql_endpoint import GraphQLEndpoint
from wandbkit.server.run_watch import DEFAULT_SILENCE_LIMIT, RunWatcher
from wandbkit.server.schema import build_executable_schema
from wandbkit.server.store import Store
from wandbkit.server.urls import GRAPHQL_PATH, HEALTH_PATH
from wandbkit.server.web import WebView

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
    webhook_policy: WebhookPolicy | None = None,
) -> Starlette:
    """Create the local W&B server as an ASGI app.

    Args:
        store: where the server's data lives; the app does not close it.
        debug: add exception details to GraphQL errors (for local debugging only).
        faults: a fault-injection plan (:mod:`wandbkit.server.faults`); default an empty one,
            which rules can be added to while the app runs.
        webhook_policy: how automations' webhooks are retried (default
            :class:`~wandbkit.server.automations.WebhookPolicy`: 3 attempts).
        run_silence_limit: seconds without a ``file_stream`` request after which a running
            run becomes ``crashed`` (checked while the app's lifespan runs; ``None``: never).

    Returns:
        A Starlette app; ``app.state.store`` is ``store``, ``app.state.faults`` the plan and
        ``app.state.automations`` the :class:`~wandbkit.server.automations.Dispatcher` that
        runs the store's automations (the latest app over a store runs them).

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
        middleware=[Middleware(ActorMiddleware), Middleware(FaultMiddleware, faults=faults)],
        lifespan=RunWatcher(store, run_silence_limit).lifespan,
        routes=[
            Route(GRAPHQL_PATH, endpoint.handle, methods=["POST"]),
            Route(HEALTH_PATH, healthz, methods=["GET"]),
            *FileStreamRoute(store, endpoint.authenticate).routes(),
            *files.routes(),
            *artifacts.routes(),
            *AutomationRoutes(store, endpoint.authenticate).routes(),
            *ArtifactBundleRoute(store).routes(),
            *WebView(store).routes(),  # last: its /{entity}/... paths catch what is left
        ],
    )
    app.state.store = store
    app.state.faults = faults
    app.state.automations = Dispatcher(store, webhook_policy).attach()
    return app
