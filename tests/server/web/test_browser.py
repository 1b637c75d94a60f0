"""The web view in a real headless browser: the distribution's Chromium, driven by Playwright.

One server (uvicorn on a free loopback port, over the shared seeded world) and one browser
serve every test of this module. The tour signs in through the form and clicks from the
entity to a project, a run, a sweep, a report, an artifact version and a registry: every page
loads without a console error, the charts are drawn, every link it follows opens. Without a
``chromium`` binary the module is skipped with that reason; ``make install`` installs one.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from wandbkit.server.testing import ServerHandle, running_server

from .conftest import WebWorld

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="no chromium binary on PATH (make install runs: apt-get install -y chromium)",
    ),
]


@pytest.fixture(scope="module")
def server(web_world: WebWorld) -> Iterator[ServerHandle]:
    """The shared world served over HTTP."""
    with running_server(web_world.store, seed=web_world.seed, run_silence_limit=None) as handle:
        yield handle


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the module."""
    assert CHROMIUM is not None
    # Chromium's sandbox needs user namespaces, which containers running as root lack.
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        yield browser
        browser.close()


class Tab:
    """A fresh browser context's page that records console errors and page errors."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.context = browser.new_context(base_url=base_url)
        self.page: Page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"{self.page.url}: {message.text}")

    def sign_in(self, api_key: str, start: str = "/") -> None:
        self.page.goto(start)
        assert "/login" in self.page.url
        self.page.fill("#api_key", api_key)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state()

    def click(self, selector: str) -> str:
        """Click the first link matching ``selector``; returns the page it led to, checked."""
        link = self.page.locator(selector).first
        href = link.get_attribute("href")
        with self.page.expect_navigation():
            link.click()
        assert self.page.title() != "Not found · wandbkit", f"{href} led to a 404"
        return self.page.url


@pytest.fixture
def tab(browser: Browser, server: ServerHandle) -> Iterator[Tab]:
    tab = Tab(browser, server.base_url)
    yield tab
    tab.context.close()


def drawn_points(page: Page) -> list[int]:
    """How many points each drawn chart's series has (counted from its path data)."""
    counts: list[int] = page.eval_on_selector_all(
        "svg.chart path.series",
        "paths => paths.map(p => (p.getAttribute('d').match(/[ML]/g) || []).length)",
    )
    return counts


def test_a_bad_key_keeps_the_login_form_with_an_error(tab: Tab) -> None:
    tab.sign_in("definitely-not-a-key")
    assert "/login" in tab.page.url
    assert tab.page.locator("p.error").inner_text() == "That API key is not valid."
    assert tab.page.input_value("#api_key") == ""
    cookies = tab.context.cookies()
    assert cookies == []


def test_a_tour_from_the_entity_to_runs_sweeps_artifacts_and_registries(
    tab: Tab, web_world: WebWorld, server: ServerHandle
) -> None:
    tab.sign_in(web_world.api_key, "/demo-team")
    assert tab.page.url == f"{server.base_url}/demo-team"
    (cookie,) = tab.context.cookies()
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert tab.page.evaluate("document.cookie") == ""  # page scripts cannot read the key

    # entity -> project -> run: the charts are drawn
    tab.click("a.project-link[href='/demo-team/diffusion-sweeps']")
    assert tab.page.locator("table.runs tbody tr").count() > 5
    tab.click("a.run-link")
    points = drawn_points(tab.page)
    assert points and max(points) > 100 and min(points) >= 1
    box = tab.page.locator("svg.chart").first.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100

    # run -> its sweep -> the best run
    tab.click("a.sweep-link")
    assert tab.page.locator("pre.config").inner_text().startswith("program:")
    tab.click("a.best-link")
    assert drawn_points(tab.page)

    # a project's report -> a run it selects
    tab.page.goto("/demo/mnist-baselines")
    tab.click("a.report-link")
    tab.click("ul.report-runs a.run-link")
    assert drawn_points(tab.page)

    # a sortable runs table: a header click re-orders
    tab.page.goto("/demo/cifar10-augment")
    tab.click("th a:text-is('state')")
    assert "order=-state" in tab.page.url

    # project -> artifacts -> collection -> version -> a file downloads
    tab.click("a.artifacts-link")
    tab.click("a.collection-link")
    tab.click("a.version-link")
    with tab.page.expect_download() as download:
        tab.page.locator("a.file-link").first.click()
    assert download.value.path().stat().st_size > 0

    # the organization's registries -> a registry -> a collection -> a version
    tab.page.goto("/demo-org")
    tab.click("a.registries-link")
    assert tab.page.locator("a.registry-link").count() == 3
    tab.click("a.registry-link")
    tab.click("a.collection-link")
    tab.click("a.version-link")
    assert tab.page.locator("a.file-link").count() > 0

    assert tab.errors == []

    # signing out ends the session
    with tab.page.expect_navigation():
        tab.page.click("form.logout button")
    assert "/login" in tab.page.url
    tab.page.goto("/demo")
    assert "/login" in tab.page.url


def test_html_in_a_runs_names_stays_text_in_the_browser(tab: Tab, web_world: WebWorld) -> None:
    tab.sign_in(web_world.api_key, "/demo/web-escaping/runs/xss1")
    assert tab.page.locator("h1").inner_text().startswith("<script>alert(1)</script>")
    assert tab.page.locator("main script").count() == 0
    assert tab.errors == []


def test_a_restricted_registry_of_the_organization_is_a_404_to_a_non_member(
    tab: Tab, web_world: WebWorld
) -> None:
    tab.sign_in(web_world.reader_key, "/orgs/demo-org/registry")
    assert tab.page.locator("a.registry-link").count() == 2
    response = tab.page.goto("/orgs/demo-org/registry/restricted")
    assert response is not None and response.status == 404
    assert tab.page.locator("h1").inner_text() == "Not found"
