"""The local server's web view: read-only HTML pages at the URLs the client hands out.

``run.url``, ``project.url``, ``sweep.url``, ``artifact.url`` and registry links follow W&B's
app URLs (``/{entity}/{project}/runs/{id}``...); on the local server they open these pages,
rendered on the server with Jinja2 (no JavaScript; charts are inline SVG). Pages are behind
the same API-key check as the API: a login form stores the key in a cookie
(:mod:`~wandbkit.server.web.session`), and every page applies the GraphQL read rules through
the same :class:`~wandbkit.server.resolvers.common.RequestContext`.

The routes are mounted after the API's, and never answer for the API's own top-level paths
(``/graphql``, ``/files``...), so a ``GET /graphql`` is still the API's 405.

Modules: :mod:`~wandbkit.server.web.run_pages` (entities, projects, runs, sweeps),
:mod:`~wandbkit.server.web.artifact_pages` (artifacts, registries),
:mod:`~wandbkit.server.web.report_pages` (reports),
:mod:`~wandbkit.server.web.charts` (SVG line charts), :mod:`~wandbkit.server.web.render`
(templates, paging), :mod:`~wandbkit.server.web.session` (the cookie).
"""

from __future__ import annotations

import functools
import importlib.resources
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import Scope

from wandbkit.server import urls
from wandbkit.server.limits import BodyTooLargeError, read_body
from wandbkit.server.store import Store, StoreError
from wandbkit.server.web import artifact_pages, report_pages, run_pages
from wandbkit.server.web.render import SECURITY_HEADERS, Page, path_of, render
from wandbkit.server.web.session import (
    clear_session,
    safe_next,
    same_origin,
    start_session,
    valid_csrf,
    viewer_of,
)

__all__ = ["LOGIN_PATH", "LOGOUT_PATH", "STYLE_PATH", "WebView"]

LOGIN_PATH = "/login"
LOGOUT_PATH = "/logout"
STYLE_PATH = "/_web/style.css"
#: The longest API key the login form accepts (W&B keys are 40 to 86 characters).
MAX_KEY_LENGTH = 512
#: The largest login or logout form body.
MAX_FORM_BYTES = 4096
#: Top-level path segments that belong to the API; no page answers under them.
RESERVED = frozenset(
    path.strip("/").split("/")[0]
    for path in (
        urls.GRAPHQL_PATH,
        urls.HEALTH_PATH,
        urls.FILES_PATH,
        urls.SIGNED_DOWNLOAD_PATH,
        urls.ARTIFACTS_V2_PATH,
        urls.ARTIFACTS_V1_PATH,
        LOGIN_PATH,
        LOGOUT_PATH,
        STYLE_PATH,
    )
)


class _PageRoute(Route):
    """A page route that leaves the API's top-level paths alone."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path: str = scope.get("path", "")
        if path.strip("/").split("/")[0] in RESERVED:
            return Match.NONE, {}
        return super().matches(scope)


class WebView:
    """The web view's routes over one store.

    Args:
        store: where the data is; pages only read it.
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    def routes(self) -> list[BaseRoute]:
        """The login, logout, stylesheet and page routes."""
        pages: list[tuple[str, Callable[..., Response]]] = [
            ("/orgs/{org}/registry", artifact_pages.registries_page),
            ("/orgs/{org}/registry/{registry}", artifact_pages.registry_page),
            ("/{entity}/registry/model", artifact_pages.legacy_model_registry),
            ("/{entity}/{project}/runs/{run}/files/{name:path}", run_pages.run_file),
            ("/{entity}/{project}/runs/{run}", run_pages.run_page),
            ("/{entity}/{project}/sweeps/{sweep}", run_pages.sweep_page),
            ("/{entity}/{project}/reports/{slug}", report_pages.report_page),
            (
                "/{entity}/{project}/artifacts/{type_name}/{collection}/{version}/files/{path:path}",
                artifact_pages.artifact_file,
            ),
            (
                "/{entity}/{project}/artifacts/{type_name}/{collection}/{version}",
                artifact_pages.version_page,
            ),
            (
                "/{entity}/{project}/artifacts/{type_name}/{collection}",
                artifact_pages.collection_page,
            ),
            ("/{entity}/{project}/artifacts", artifact_pages.artifacts_page),
            ("/{entity}/{project}", run_pages.project_page),
            ("/{entity}", run_pages.entity_page),
        ]
        return [
            Route(LOGIN_PATH, self.login_form, methods=["GET"]),
            Route(LOGIN_PATH, self.login, methods=["POST"]),
            Route(LOGOUT_PATH, self.logout, methods=["POST"]),
            Route(STYLE_PATH, self.style, methods=["GET"]),
            Route("/", self.home, methods=["GET"]),
            *(_PageRoute(path, self._page(handler), methods=["GET"]) for path, handler in pages),
        ]

    def _page(self, handler: Callable[..., Response]) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            viewer = viewer_of(self.store, request)
            if viewer is None:
                return _to_login(request)
            page = Page.of(request, self.store, viewer)
            # Off the event loop, as GraphQL requests are: a page runs several store queries.
            return await run_in_threadpool(_answer, handler, page, request.path_params)

        return endpoint

    async def home(self, request: Request) -> Response:
        """``/``: the viewer's default entity, or the login form."""
        viewer = viewer_of(self.store, request)
        if viewer is None:
            return _to_login(request)
        entity = self.store.entities.get_by_pk(viewer.default_entity_pk)
        return RedirectResponse(path_of(entity.name) if entity else LOGIN_PATH, status_code=303)

    async def style(self, _: Request) -> Response:
        """The stylesheet every page links."""
        return Response(
            _stylesheet(),
            media_type="text/css",
            headers={"Cache-Control": "max-age=3600", "X-Content-Type-Options": "nosniff"},
        )

    async def login_form(self, request: Request) -> Response:
        """``GET /login``: the form asking for an API key."""
        return _login_page(safe_next(request.query_params.get("next")))

    async def login(self, request: Request) -> Response:
        """``POST /login``: check the key; a valid one starts a session and goes on to
        ``next``, a bad one shows the form again (401) without repeating the key."""
        if not same_origin(request):
            return _login_page("/", error="Cross-site login refused.", status=403)
        form = await _read_form(request)
        if form is None:
            return _login_page("/", error="The form is too large.", status=413)
        key = form.get("api_key", "").strip()
        target = safe_next(form.get("next"))
        user = (
            self.store.accounts.user_for_api_key(key)
            if key and len(key) <= MAX_KEY_LENGTH
            else None
        )
        if user is None:
            return _login_page(target, error="That API key is not valid.", status=401)
        response = RedirectResponse(target, status_code=303)
        start_session(response, request, key)
        return response

    async def logout(self, request: Request) -> Response:
        """``POST /logout``: end the session (needs the page's token and this origin)."""
        form = await _read_form(request)
        token = form.get("csrf") if form is not None else None
        if not same_origin(request) or not valid_csrf(self.store, request, token):
            message = "Logout refused: bad or missing token."
            return _bare("error.html.j2", 403, title="Forbidden", message=message)
        response = RedirectResponse(LOGIN_PATH, status_code=303)
        clear_session(response, request)
        return response


@functools.cache
def _stylesheet() -> str:
    """The stylesheet's text, read once (it is part of the package)."""
    return importlib.resources.files(__name__).joinpath("templates/style.css").read_text()


def _answer(handler: Callable[..., Response], page: Page, params: dict[str, Any]) -> Response:
    try:
        return handler(page, **params)
    except StoreError as exc:  # a name the store refuses: bad input, not a crash
        return page.bad_request(str(exc))


async def _read_form(request: Request) -> dict[str, str] | None:
    """A small ``application/x-www-form-urlencoded`` body's fields (the first value of
    each), or ``None`` past :data:`MAX_FORM_BYTES`."""
    try:
        body = await read_body(request, MAX_FORM_BYTES)
    except BodyTooLargeError:
        return None
    try:
        fields = parse_qs(body.decode("utf-8"), max_num_fields=8)
    except (UnicodeDecodeError, ValueError):
        return {}
    return {name: values[0] for name, values in fields.items()}


def _bare(template: str, status: int, **values: Any) -> Response:
    """A page for a visitor who is not signed in."""
    return render(template, status, **{"crumbs": [], "viewer": None, "csrf": "", **values})


def _login_page(target: str, *, error: str | None = None, status: int = 200) -> Response:
    return _bare("login.html.j2", status, title="Sign in", error=error, next=target)


def _to_login(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(
        f"{LOGIN_PATH}?{urlencode({'next': target})}", status_code=303, headers=SECURITY_HEADERS
    )
