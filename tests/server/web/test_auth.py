"""The web view's sign-in: the login form, the session cookie, logout, and what stays the API's."""

from __future__ import annotations

import re

import httpx

from wandbkit.server import Store, create_app
from wandbkit.server.seed import seed_basic
from wandbkit.server.testing import asgi_transport
from wandbkit.server.web.session import COOKIE_NAME, safe_next

from .conftest import BASE_URL, WebWorld


async def test_a_page_without_a_session_redirects_to_the_login_form_naming_the_page(
    anonymous: httpx.AsyncClient,
) -> None:
    response = await anonymous.get("/demo/mnist-baselines?order=-created_at")
    assert response.status_code == 303
    assert response.headers["location"] == (
        "/login?next=%2Fdemo%2Fmnist-baselines%3Forder%3D-created_at"
    )
    form = await anonymous.get(response.headers["location"])
    assert form.status_code == 200
    assert 'name="api_key"' in form.text
    assert 'value="/demo/mnist-baselines?order=-created_at"' in form.text


async def test_a_bad_key_shows_the_form_again_with_an_error_and_never_the_key(
    anonymous: httpx.AsyncClient,
) -> None:
    response = await anonymous.post(
        "/login", data={"api_key": "not-a-key-XYZZY-secret", "next": "/demo"}
    )
    assert response.status_code == 401
    assert "That API key is not valid." in response.text
    assert "XYZZY" not in response.text
    assert COOKIE_NAME not in response.headers.get("set-cookie", "")


async def test_a_good_key_sets_an_httponly_samesite_strict_cookie_and_goes_to_next(
    anonymous: httpx.AsyncClient, web_world: WebWorld
) -> None:
    response = await anonymous.post(
        "/login", data={"api_key": web_world.api_key, "next": "/demo/scratch"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/demo/scratch"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    assert "Path=/" in cookie
    page = await anonymous.get("/demo/scratch")  # the client keeps the cookie
    assert page.status_code == 200
    assert web_world.api_key not in page.text


def test_next_never_leads_off_the_server() -> None:
    for target in (
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
        "",
        None,
        "javascript:alert(1)",
        "/ok\r\nSet-Cookie: x=1",
    ):
        assert safe_next(target) == "/"
    assert safe_next("/demo/scratch?order=-created_at") == "/demo/scratch?order=-created_at"


async def test_a_login_posted_from_another_site_is_refused(
    anonymous: httpx.AsyncClient, web_world: WebWorld
) -> None:
    response = await anonymous.post(
        "/login",
        data={"api_key": web_world.api_key, "next": "/"},
        headers={"Origin": "http://evil.example"},
    )
    assert response.status_code == 403
    assert "set-cookie" not in response.headers


async def test_logout_needs_the_token_of_the_page_and_then_ends_the_session(
    anonymous: httpx.AsyncClient, web_world: WebWorld
) -> None:
    browser_client = anonymous
    await browser_client.post("/login", data={"api_key": web_world.api_key})
    refused = await browser_client.post("/logout", data={"csrf": "forged"})
    assert refused.status_code == 403
    assert "set-cookie" not in refused.headers
    page = await browser_client.get("/demo")
    token = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text)
    assert token is not None
    cross_site = await browser_client.post(
        "/logout", data={"csrf": token[1]}, headers={"Origin": "http://evil.example"}
    )
    assert cross_site.status_code == 403
    done = await browser_client.post("/logout", data={"csrf": token[1]})
    assert done.status_code == 303
    assert done.headers["location"] == "/login"
    assert "Max-Age=0" in done.headers["set-cookie"] or "expires=" in done.headers["set-cookie"]
    assert (await browser_client.get("/demo")).status_code == 303


async def test_an_oversized_login_form_is_refused(anonymous: httpx.AsyncClient) -> None:
    response = await anonymous.post("/login", data={"api_key": "x" * 10_000})
    assert response.status_code == 413


async def test_an_authorization_header_opens_pages_as_it_opens_the_api(
    anonymous: httpx.AsyncClient, web_world: WebWorld
) -> None:
    response = await anonymous.get(
        "/demo", headers={"Authorization": f"Bearer {web_world.api_key}"}
    )
    assert response.status_code == 200
    assert "mnist-baselines" in response.text


async def test_a_cookie_holding_an_unknown_key_is_sent_to_the_login_form(
    anonymous: httpx.AsyncClient,
) -> None:
    anonymous.cookies.set(COOKIE_NAME, "revoked-key")
    response = await anonymous.get("/demo")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


async def test_the_api_paths_stay_the_apis(
    browser_client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    assert (await browser_client.get("/graphql")).status_code == 405
    assert (await anonymous.get("/healthz")).json() == {"ok": True}
    files = await anonymous.get("/files/demo/scratch/x/y.txt")
    assert files.status_code == 401  # the API's answer, not a login redirect


async def test_the_home_page_goes_to_the_viewers_entity(
    browser_client: httpx.AsyncClient,
) -> None:
    response = await browser_client.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/demo"


async def test_pages_are_private_and_inert(browser_client: httpx.AsyncClient) -> None:
    response = await browser_client.get("/demo")
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-frame-options"] == "DENY"
    style = await browser_client.get("/_web/style.css")
    assert style.status_code == 200
    assert style.headers["content-type"].startswith("text/css")


async def test_a_key_with_characters_a_cookie_must_quote_still_signs_in() -> None:
    store = Store()
    odd = 'odd key;with "quotes",commas\\and-more'
    seed = seed_basic(store, api_key=odd)
    async with httpx.AsyncClient(
        transport=asgi_transport(create_app(store)), base_url=BASE_URL
    ) as client:
        response = await client.post("/login", data={"api_key": odd, "next": "/"})
        assert response.status_code == 303
        page = await client.get(f"/{seed.entity}")
        assert page.status_code == 200 and seed.entity in page.text
