"""Every route but the health check and the signed (capability) URLs needs a valid API key."""

from __future__ import annotations

import re

import httpx
import pytest
from starlette.routing import Route

from wandbkit.server.testing import asgi_transport, basic_auth_header, make_seeded_app

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
    "/signed/artifact-manifest-upload/{token}",
}
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


@pytest.mark.parametrize("credentials", list(BAD_CREDENTIALS), ids=list(BAD_CREDENTIALS))
@pytest.mark.parametrize(("path", "method"), ROUTES)
async def test_a_request_without_a_valid_key_is_a_401(
    path: str, method: str, credentials: str
) -> None:
    async with httpx.AsyncClient(transport=asgi_transport(APP), base_url=BASE_URL) as client:
        response = await client.request(
            method, concrete(path), headers=BAD_CREDENTIALS[credentials], content=b"{}"
        )
    assert response.status_code == 401, response.text
    assert SEED.api_key not in response.text
