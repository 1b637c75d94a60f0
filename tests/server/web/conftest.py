"""Fixtures for the web view's tests: one seeded world shared by every test (pages only read),
with a run whose names are HTML, a registry reader, and an outsider with a private project."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from starlette.applications import Starlette

from wandbkit.server import Store, create_app
from wandbkit.server.seed import SeedResult, seed_demo
from wandbkit.server.store import RunRow
from wandbkit.server.testing import add_run, asgi_transport
from wandbkit.server.web.session import COOKIE_NAME

BASE_URL = "http://wandbkit.test"
#: What the escaping tests put in names, keys, values and console lines.
XSS = "<script>alert(1)</script>"


@dataclass(frozen=True)
class WebWorld:
    """The data the web view's tests read.

    Attributes:
        app: the server app over ``store``.
        store: :func:`seed_demo`'s data, and the runs below.
        seed: the demo user (``demo``), its team and organization.
        reader_key: the key of ``reader``, an organization member outside the restricted
            registry.
        outsider_key: the key of ``outsider``, who shares nothing with ``demo``.
        xss_run: a run of ``demo/web-escaping`` whose display name, config, summary, console
            and file name are HTML.
        secret_run: a run in ``outsider``'s private project ``outsider/secret``.
    """

    app: Starlette
    store: Store
    seed: SeedResult
    api_key: str
    reader_key: str
    outsider_key: str
    xss_run: RunRow
    secret_run: RunRow


@pytest.fixture(scope="session")
def web_world() -> WebWorld:
    """The shared world (built once; no test writes to it)."""
    store = Store()
    seed = seed_demo(store, api_key="web-demo-key-0123456789")
    reader = store.accounts.get_user("reader")
    assert reader is not None
    reader_key, _ = store.accounts.create_api_key(reader.pk, key="web-reader-key-0123456789")
    outsider = store.accounts.create_user("outsider")
    outsider_key, _ = store.accounts.create_api_key(outsider.pk, key="web-outsider-key-012345")
    xss_run = add_run(
        store,
        "demo/web-escaping",
        "xss1",
        display_name=XSS,
        config={XSS: XSS, "lr": 0.1},
        history=[{"loss": 1.0 / (step + 1), XSS: step} for step in range(50)],
        files={"notes-<b>.txt": b"bold notes"},
        logs=[XSS, {"line": "an error line", "level": "error"}],
    )
    secret_run = add_run(store, "outsider/secret", "secret1", history=[{"loss": 1.0}])
    return WebWorld(
        app=create_app(store, run_silence_limit=None),
        store=store,
        seed=seed,
        api_key="web-demo-key-0123456789",
        reader_key=reader_key,
        outsider_key=outsider_key,
        xss_run=xss_run,
        secret_run=secret_run,
    )


@pytest.fixture
async def anonymous(web_world: WebWorld) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app with no session."""
    async with httpx.AsyncClient(
        transport=asgi_transport(web_world.app), base_url=BASE_URL
    ) as client:
        yield client


@pytest.fixture
async def browser_client(web_world: WebWorld) -> AsyncIterator[httpx.AsyncClient]:
    """A client signed in as the demo user with the session cookie (as a browser is)."""
    async with httpx.AsyncClient(
        transport=asgi_transport(web_world.app),
        base_url=BASE_URL,
        cookies={COOKIE_NAME: web_world.api_key},
    ) as client:
        yield client
