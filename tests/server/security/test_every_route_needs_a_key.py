"""Every route but the health check and the signed (capability) URLs needs a valid API key.

The web view's pages need one too: without it they send the browser to the sign-in form
(which, with the sign-out form and the stylesheet, is open by nature)."""

from __future__ import annotations

import re

import httpx
import pytest
from starlette.routing import Route

from wandbkit.server.testing import asgi_transport, basic_auth_header, make_seeded_app
from wandbkit.server.web import LOGIN_PATH, LOGOUT_PATH, STYLE_PATH, WebView

from ..conftest import BASE_URL

APP, SEED = make_seeded_app()
#: Routes that authenticate by something else: readiness, and signed URLs (the token).
OPEN = {
    "/healthz",
    "/signed/files/{token}",
    "/signed/upload/{token}",
    "/signed/artifact-files/{token}",
    "/signed/artifact-file-bundle",
    "/signed/artifact-manifests/{token}",
    "/signed/artifact-upload/{token}",
    "/signed/artifact-upload-part/{token}",
    "/signed/history-exports/{token}/{part}",
    "/signed/artifact-manifest-upload/{token}",
    # The web view's sign-in form, sign-out (it needs the page's token) and stylesheet.
    LOGIN_PATH,
    LOGOUT_PATH,
    STYLE_PATH,
}
#: The web view's pages: without a valid key, a redirect to the sign-in form.
PAGES = {
    route.path for route in WebView(APP.state.store).routes() if isinstance(route, Route)
} - OPEN
ROUTES = [
    (route.path, method)
    for route in APP.routes
    if isinstance(route, Route) and route.path not in OPEN
    for method in sorted(route.methods or ())
    if method != "HEAD"
]
BAD_CREDENTIALS = {
    "no header": {},
    "a wrong key": basic_auth_header("0" * 40),
    "an empty key": basic_auth_header(""),
    "a wrong bearer token": {"Authorization": "Bearer " + "1" * 40},
    "the key without a scheme": {"Authorization": SEED.api_key},
    "garbage": {"Authorization": "Basic !!!not-base64"},
    "a key with a newline": {"Authorization": "Basic " + "YXBpOmFiYwo="},
}


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path)


def test_the_app_has_authenticated_routes() -> None:
    assert {"/graphql"} <= {path for path, _ in ROUTES}
    assert any(path.startswith("/files/") for path, _ in ROUTES)
    assert any(path.startswith("/artifactsV2/") for path, _ in ROUTES)
    assert any(path.startswith("/artifacts/") for path, _ in ROUTES)
    assert "/{entity}/{project}/runs/{run}" in PAGES
    assert {path for path, _ in ROUTES} >= PAGES


@pytest.mark.parametrize("credentials", list(BAD_CREDENTIALS), ids=list(BAD_CREDENTIALS))
@pytest.mark.parametrize(("path", "method"), ROUTES)
async def test_a_request_without_a_valid_key_is_a_401(
    path: str, method: str, credentials: str
) -> None:
    async with httpx.AsyncClient(transport=asgi_transport(APP), base_url=BASE_URL) as client:
        response = await client.request(
            method, concrete(path), headers=BAD_CREDENTIALS[credentials], content=b"{}"
        )
    if path in PAGES:
        assert response.status_code == 303, response.text
        assert response.headers["location"].startswith(f"{LOGIN_PATH}?next=")
    else:
        assert response.status_code == 401, response.text
    assert SEED.api_key not in response.text
