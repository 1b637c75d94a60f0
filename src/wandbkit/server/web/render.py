"""What every web page shares: the templates, the per-request :class:`Page`, value formatting
and paging.

Templates are Jinja2 with autoescaping on for every template, so a run named ``<script>`` is
shown as text. Pages are answered with headers that keep them private and inert: a strict
Content-Security-Policy (no scripts at all, styles only from this server), ``no-store``
caching, no framing, no sniffing.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response

from wandbkit.server.resolvers.common import RequestContext
from wandbkit.server.store import Store, UserRow
from wandbkit.server.web.session import api_key_of, csrf_token

__all__ = [
    "SECURITY_HEADERS",
    "Page",
    "Paging",
    "file_download",
    "format_time",
    "format_value",
    "paging",
    "path_of",
    "project_crumbs",
    "render",
]

#: Headers on every page.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
#: Longest text a table cell shows of one value (the rest is cut, with an ellipsis).
MAX_CELL_CHARS = 200


def path_of(*parts: str) -> str:
    """A URL path of escaped segments: ``path_of("a b", "c")`` is ``/a%20b/c``."""
    return "/" + "/".join(quote(part, safe="") for part in parts)


def file_download(
    path: Path, name: str, media_type: str = "application/octet-stream"
) -> FileResponse:
    """A stored file's bytes as a download named after the last part of ``name``: never
    sniffed as something else, never cached."""
    return FileResponse(
        path,
        media_type=media_type,
        filename=name.rsplit("/", 1)[-1],
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"},
    )


def project_crumbs(entity: str, project: str) -> list[tuple[str, str]]:
    """The breadcrumbs of a project's pages: the entity, then the project."""
    return [(entity, path_of(entity)), (project, path_of(entity, project))]


def format_time(stamp: str | None) -> str:
    """A stored timestamp to the minute: ``2026-10-25T02:28:34.3Z`` → ``2026-10-25 02:28``."""
    if not stamp:
        return ""
    return stamp[:16].replace("T", " ") if len(stamp) >= 16 and stamp[10] == "T" else stamp


def format_value(value: Any, limit: int = MAX_CELL_CHARS) -> str:
    """A config or summary value as short text: numbers to 6 significant digits, other values
    as compact JSON, cut at ``limit`` characters."""
    if isinstance(value, bool) or value is None:
        text = json.dumps(value)
    elif isinstance(value, float):
        text = f"{value:.6g}" if math.isfinite(value) else str(value)
    elif isinstance(value, (int, str)):
        text = str(value)
    else:
        text = json.dumps(value, default=str, separators=(",", ":"))
    return text if len(text) <= limit else text[: limit - 1] + "…"


_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("wandbkit.server.web", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["value"] = format_value
_ENV.filters["when"] = format_time
_ENV.globals["path_of"] = path_of


def render(template: str, status: int = 200, **values: Any) -> Response:
    """An HTML answer of ``template`` with :data:`SECURITY_HEADERS`."""
    body = _ENV.get_template(template).render(**values)
    return HTMLResponse(body, status_code=status, headers=SECURITY_HEADERS)


@dataclass(frozen=True)
class Paging:
    """Where a page sits in a listing: 1-based ``number`` of ``pages``, and the links to the
    neighbours (``None`` at the ends)."""

    number: int
    pages: int
    total: int
    offset: int
    size: int
    previous: str | None
    next: str | None


def paging(request: Request, total: int, size: int) -> Paging:
    """The page a request's ``page`` parameter asks for (clamped to the listing), with links
    that keep the request's other parameters."""
    try:
        number = int(request.query_params.get("page", "1"))
    except ValueError:
        number = 1
    pages = max(1, math.ceil(total / size))
    number = min(max(number, 1), pages)

    def link(to: int) -> str:
        query = {k: v for k, v in request.query_params.items() if k != "page"}
        query["page"] = str(to)
        return f"{request.url.path}?{urlencode(query)}"

    return Paging(
        number=number,
        pages=pages,
        total=total,
        offset=(number - 1) * size,
        size=size,
        previous=link(number - 1) if number > 1 else None,
        next=link(number + 1) if number < pages else None,
    )


@dataclass
class Page:
    """One request for a page by a signed-in viewer.

    Attributes:
        request: the request.
        store: the server's store.
        viewer: the signed-in user.
        ctx: the same request context GraphQL resolvers get, whose permission checks
            (``ctx.readable(project)``) every page uses.
    """

    request: Request
    store: Store
    viewer: UserRow
    ctx: RequestContext

    @classmethod
    def of(cls, request: Request, store: Store, viewer: UserRow) -> Page:
        """The page of ``request``, for ``viewer``."""
        base_url = str(request.base_url).rstrip("/")
        return cls(request, store, viewer, RequestContext(store, viewer, base_url=base_url))

    def render(
        self, template: str, *, title: str, crumbs: Sequence[tuple[str, str]] = (), **values: Any
    ) -> Response:
        """A page of ``template`` in the site layout (viewer, logout form, breadcrumbs)."""
        return self._layout(template, 200, title, crumbs, values)

    def not_found(self, what: str) -> Response:
        """The 404 page: ``what`` does not exist, or the viewer may not see it (the same
        answer, so a page cannot tell which)."""
        return self._layout("not_found.html.j2", 404, "Not found", (), {"what": what})

    def bad_request(self, message: str, template: str = "error.html.j2") -> Response:
        """A 400 page naming what is wrong with the request."""
        return self._layout(template, 400, "Bad request", (), {"message": message})

    def _layout(
        self,
        template: str,
        status: int,
        title: str,
        crumbs: Sequence[tuple[str, str]],
        values: Mapping[str, Any],
    ) -> Response:
        key = api_key_of(self.request) or ""
        return render(
            template,
            status,
            title=title,
            crumbs=list(crumbs),
            viewer=self.viewer,
            csrf=csrf_token(self.store, key),
            **values,
        )


#: A page handler: the page and the route's path parameters.
Handler = Callable[..., Response]
