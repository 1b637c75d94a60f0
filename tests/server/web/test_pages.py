"""The web view's pages over plain HTTP: what each shows, filtering, sorting, paging,
downloads, escaping, and the same read permissions as GraphQL."""

from __future__ import annotations

import html
import json
import re
from html import unescape
from urllib.parse import quote

import httpx
import pytest

import wandbkit
from wandbkit.server.testing import asgi_transport
from wandbkit.server.web.charts import MAX_POINTS

from .conftest import BASE_URL, XSS, WebWorld


def links(html: str, css_class: str) -> list[str]:
    """The ``href`` of every link of a class, unescaped."""
    return [unescape(h) for h in re.findall(rf'class="{css_class}" href="([^"]+)"', html)]


def run_names(html: str) -> list[str]:
    """The run ids a runs table lists, in order."""
    return [h.rsplit("/", 1)[-1] for h in links(html, "run-link")]


async def assert_hidden(client: httpx.AsyncClient, path: str, key: str, name: str) -> None:
    """``path`` is a 404 for the holder of ``key``, word for word the 404 of a path naming
    something that does not exist instead of ``name`` (so the page tells nothing)."""
    headers = {"Authorization": f"Bearer {key}"}
    response = await client.get(path, headers=headers)
    assert response.status_code == 404
    missing = await client.get(path.replace(name, "nonesuch"), headers=headers)
    assert response.text.replace(name, "nonesuch") == missing.text


async def test_the_entity_page_lists_its_projects_with_links_that_open(
    browser_client: httpx.AsyncClient, web_world: WebWorld
) -> None:
    page = await browser_client.get("/demo")
    assert page.status_code == 200
    found = links(page.text, "project-link")
    assert {"/demo/mnist-baselines", "/demo/cifar10-augment", "/demo/scratch"} <= set(found)
    for href in found:
        assert (await browser_client.get(href)).status_code == 200


async def test_an_organizations_entity_page_links_its_registries(
    browser_client: httpx.AsyncClient,
) -> None:
    page = await browser_client.get("/demo-org")
    assert links(page.text, "registries-link") == ["/orgs/demo-org/registry"]


async def test_the_runs_table_lists_every_run_of_the_project_newest_first(
    browser_client: httpx.AsyncClient, web_world: WebWorld
) -> None:
    store = web_world.store
    project = store.projects.find("demo", "cifar10-augment")
    assert project is not None
    expected = [run.name for run in store.run_listing.list(project.pk, order="-created_at")]
    page = await browser_client.get("/demo/cifar10-augment")
    assert page.status_code == 200
    assert run_names(page.text) == expected
    assert f"({len(expected)})" in page.text


async def test_the_runs_table_sorts_by_a_summary_metric_both_ways(
    browser_client: httpx.AsyncClient, web_world: WebWorld
) -> None:
    store = web_world.store
    project = store.projects.find("demo", "cifar10-augment")
    assert project is not None
    for order in ("-summary_metrics.loss", "+summary_metrics.loss"):
        expected = [r.name for r in store.run_listing.list(project.pk, order=order)]
        page = await browser_client.get("/demo/cifar10-augment", params={"order": order})
        assert run_names(page.text) == expected
    losses = [
        json.loads(r.summary).get("loss")
        for r in store.run_listing.list(project.pk, order="+summary_metrics.loss")
    ]
    numeric = [x for x in losses if isinstance(x, (int, float))]
    assert numeric == sorted(numeric) and len(numeric) > 1


async def test_a_header_click_toggles_the_order(browser_client: httpx.AsyncClient) -> None:
    page = await browser_client.get("/demo/cifar10-augment", params={"order": "-created_at"})
    header = re.search(r'<th scope="col"><a href="([^"]+)">created</a>', page.text)
    assert header is not None and "order=%2Bcreated_at" in unescape(header[1])


async def test_the_runs_table_filters_by_json_state_and_search(
    browser_client: httpx.AsyncClient, web_world: WebWorld
) -> None:
    store = web_world.store
    project = store.projects.find("demo", "cifar10-augment")
    assert project is not None
    runs = store.run_listing.list(project.pk)
    finished = {r.name for r in runs if r.state == "finished"}
    by_state = await browser_client.get("/demo/cifar10-augment", params={"state": "finished"})
    assert set(run_names(by_state.text)) == finished
    target = runs[0]
    filters = json.dumps({"name": target.name})
    by_json = await browser_client.get("/demo/cifar10-augment", params={"filters": filters})
    assert run_names(by_json.text) == [target.name]
    word = (target.display_name or target.name)[:6].upper()  # search ignores case
    expected = {
        r.name for r in runs if word.lower() in (r.display_name or "").lower() + r.name.lower()
    }
    searched = await browser_client.get("/demo/cifar10-augment", params={"search": word})
    assert set(run_names(searched.text)) == expected and target.name in expected


async def test_a_bad_filter_or_order_is_a_400_naming_the_problem(
    browser_client: httpx.AsyncClient,
) -> None:
    bad_json = await browser_client.get("/demo/scratch", params={"filters": "{nope"})
    assert bad_json.status_code == 400
    assert "filters is not valid JSON" in bad_json.text
    bad_op = await browser_client.get(
        "/demo/scratch", params={"filters": json.dumps({"config.lr": {"$bogus": 1}})}
    )
    assert bad_op.status_code == 400 and "$bogus" in bad_op.text
    bad_order = await browser_client.get("/demo/scratch", params={"order": "-nonsense"})
    assert bad_order.status_code == 400


async def test_the_runs_table_pages_without_repeating_a_run(
    browser_client: httpx.AsyncClient, web_world: WebWorld
) -> None:
    seen: list[str] = []
    url: str | None = "/demo/cifar10-augment?per_page=5"
    while url is not None:
        page = await browser_client.get(url)
        seen.extend(run_names(page.text))
        found = re.search(r'rel="next" href="([^"]+)"', page.text)
        url = unescape(found[1]) if found else None
    project = web_world.store.projects.find("demo", "cifar10-augment")
    assert project is not None
    listed = web_world.store.run_listing.list(project.pk, order="-created_at")
    assert seen == [r.name for r in listed]
    assert len(seen) > 10


async def test_the_run_page_shows_config_summary_charts_files_and_console(
    browser_client: httpx.AsyncClient, web_world: WebWorld
) -> None:
    store = web_world.store
    project = store.projects.find("demo-team", "imagenet-resnet")
    assert project is not None
    run = max(store.run_listing.list(project.pk), key=lambda r: r.history_line_count)
    assert run.history_line_count > MAX_POINTS  # the chart must sample
    page = await browser_client.get(f"/demo-team/imagenet-resnet/runs/{run.name}")
    assert page.status_code == 200
    config = json.loads(run.config)
    some_key = next(k for k in config if not k.startswith("_"))
    assert f'<th scope="row">{some_key}</th>' in page.text
    summary = json.loads(run.summary)
    assert "loss" in summary or summary  # the seed logs metrics
    paths = re.findall(r'<path class="series" d="([^"]*)"[^>]*data-points="(\d+)"', page.text)
    assert paths, "no chart drawn"
    for d, count in paths:
        assert 1 < int(count) <= MAX_POINTS
        assert d.startswith("M") and d.count("L") + d.count("M") == int(count)
    files = links(page.text, "file-link")
    listed = store.run_files.list(run.pk)
    assert len(files) == len(listed) > 0
    body = await browser_client.get(files[0])
    assert body.status_code == 200
    assert body.content == store.run_files.path(listed[0]).read_bytes()
    for line in store.console.tail(run.pk, 3):
        assert line.line in unescape(page.text)


async def test_the_sweep_page_shows_config_runs_and_the_best_run(
    browser_client: httpx.AsyncClient, web_world: WebWorld
) -> None:
    store = web_world.store
    project = store.projects.find("demo-team", "diffusion-sweeps")
    assert project is not None
    sweep = store.sweeps.list(project.pk, limit=1)[0]
    runs = store.run_listing.list(project.pk, filters={"sweep": sweep.name})
    scored = [
        (json.loads(r.summary)["fid"], r.name) for r in runs if "fid" in json.loads(r.summary)
    ]
    page = await browser_client.get(f"/demo-team/diffusion-sweeps/sweeps/{sweep.name}")
    assert page.status_code == 200
    assert "metric: {name: fid, goal: minimize}" in unescape(page.text)
    assert sorted(run_names(page.text)) == sorted(r.name for r in runs)
    best = links(page.text, "best-link")
    assert best == [f"/demo-team/diffusion-sweeps/runs/{min(scored)[1]}"]
    run_page = await browser_client.get(best[0])
    assert links(run_page.text, "sweep-link") == [
        f"/demo-team/diffusion-sweeps/sweeps/{sweep.name}"
    ]


async def test_artifact_pages_go_from_the_project_to_a_version_and_its_files(
    browser_client: httpx.AsyncClient, web_world: WebWorld
) -> None:
    listing = await browser_client.get("/demo/cifar10-augment/artifacts")
    collections = links(listing.text, "collection-link")
    assert "/demo/cifar10-augment/artifacts/dataset/images" in collections
    versions = await browser_client.get("/demo/cifar10-augment/artifacts/dataset/images")
    assert links(versions.text, "version-link") == [
        f"/demo/cifar10-augment/artifacts/dataset/images/v{i}" for i in (2, 1, 0)
    ]
    version = await browser_client.get("/demo/cifar10-augment/artifacts/dataset/images/v1")
    assert version.status_code == 200
    files = links(version.text, "file-link")
    assert files
    body = await browser_client.get(files[0])
    assert body.status_code == 200
    store = web_world.store
    path = files[0].split("/files/", 1)[1]
    collection = store.artifact_collections.get(
        store.projects.find("demo", "cifar10-augment").pk,
        "images",  # type: ignore[union-attr]
    )
    assert collection is not None
    member = store.artifact_memberships.resolve(collection.pk, "v1")
    assert member is not None
    entry = store.artifact_manifests.entry(member.artifact_pk, path)
    assert entry is not None and len(body.content) == entry.size
    latest = await browser_client.get("/demo/cifar10-augment/artifacts/dataset/images/latest")
    assert latest.status_code == 200 and "images:v2" in latest.text


async def test_registry_pages_list_registries_collections_and_versions(
    browser_client: httpx.AsyncClient,
) -> None:
    page = await browser_client.get("/orgs/demo-org/registry")
    assert links(page.text, "registry-link") == [
        "/orgs/demo-org/registry/model",
        "/orgs/demo-org/registry/dataset",
        "/orgs/demo-org/registry/restricted",
    ]
    model = await browser_client.get("/orgs/demo-org/registry/model")
    collections = links(model.text, "collection-link")
    assert collections == ["/demo-org/wandb-registry-model/artifacts/model/classifier"]
    versions = await browser_client.get(collections[0])
    assert len(links(versions.text, "version-link")) == 2
    assert "registries" in versions.text  # breadcrumbs lead back to the registry


async def test_the_urls_the_client_hands_out_open_pages(web_world: WebWorld) -> None:
    async with (
        wandbkit.AsyncApi(
            api_key=web_world.api_key, base_url=BASE_URL, transport=asgi_transport(web_world.app)
        ) as api,
        httpx.AsyncClient(
            transport=asgi_transport(web_world.app),
            base_url=BASE_URL,
            headers={"Authorization": f"Bearer {web_world.api_key}"},
            follow_redirects=True,
        ) as web,
    ):
        run = await api.run(
            "demo-team/diffusion-sweeps/"
            + web_world.store.run_listing.list(
                web_world.store.projects.find("demo-team", "diffusion-sweeps").pk  # type: ignore[union-attr]
            )[0].name
        )
        project = api.project("cifar10-augment", entity="demo")
        sweep_name = web_world.store.sweeps.list(
            web_world.store.projects.find("demo-team", "diffusion-sweeps").pk,  # type: ignore[union-attr]
            limit=1,
        )[0].name
        sweep = await api.sweep(f"demo-team/diffusion-sweeps/{sweep_name}")
        artifact = await api.artifact("demo/cifar10-augment/images:v1")
        linked = await api.artifact("demo-org/wandb-registry-model/classifier:latest")
        urls = [run.url, project.url, sweep.url, artifact.url, linked.url]
        assert any("/orgs/demo-org/registry/model?selectionPath=" in url for url in urls)
        for url in urls:
            assert url.startswith(BASE_URL)
            response = await web.get(url)
            assert response.status_code == 200, url
            assert "Not found" not in response.text


async def test_the_selection_path_of_a_linked_version_redirects_to_its_page(
    browser_client: httpx.AsyncClient,
) -> None:
    selection = quote("demo-org/wandb-registry-model/classifier", safe="")
    response = await browser_client.get(
        f"/orgs/demo-org/registry/model?selectionPath={selection}&view=membership&version=v1"
    )
    assert response.status_code == 303
    assert response.headers["location"] == (
        "/demo-org/wandb-registry-model/artifacts/model/classifier/v1"
    )
    bad = await browser_client.get("/orgs/demo-org/registry/model?selectionPath=a/b")
    assert bad.status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/orgs/demo-org/registry/restricted",
        "/demo-org/wandb-registry-restricted",
        "/demo-org/wandb-registry-restricted/artifacts",
        "/demo-org/wandb-registry-restricted/artifacts/model/secret-classifier",
        "/demo-org/wandb-registry-restricted/artifacts/model/secret-classifier/v0",
        "/orgs/demo-org/registry/model?selectionPath="
        "demo-org%2Fwandb-registry-restricted%2Fsecret-classifier",
    ],
)
async def test_a_restricted_registry_is_a_404_to_an_organization_member_outside_it(
    anonymous: httpx.AsyncClient, web_world: WebWorld, path: str
) -> None:
    await assert_hidden(anonymous, path, web_world.reader_key, "restricted")
    member = await anonymous.get(path, headers={"Authorization": f"Bearer {web_world.api_key}"})
    assert member.status_code in (200, 303)


async def test_the_reader_does_not_see_the_restricted_registry_listed(
    anonymous: httpx.AsyncClient, web_world: WebWorld
) -> None:
    page = await anonymous.get(
        "/orgs/demo-org/registry", headers={"Authorization": f"Bearer {web_world.reader_key}"}
    )
    assert links(page.text, "registry-link") == [
        "/orgs/demo-org/registry/model",
        "/orgs/demo-org/registry/dataset",
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/outsider/secret",
        "/outsider/secret/runs/secret1",
        "/outsider/secret/runs/secret1/files/output.log",
        "/outsider/secret/artifacts",
    ],
)
async def test_another_entitys_private_project_is_a_404(
    anonymous: httpx.AsyncClient, web_world: WebWorld, path: str
) -> None:
    await assert_hidden(anonymous, path, web_world.api_key, "secret")
    if "files" not in path:
        owner = await anonymous.get(
            path, headers={"Authorization": f"Bearer {web_world.outsider_key}"}
        )
        assert owner.status_code == 200


async def test_an_entitys_page_lists_only_the_projects_the_viewer_may_read(
    anonymous: httpx.AsyncClient, web_world: WebWorld
) -> None:
    page = await anonymous.get(
        "/demo-team", headers={"Authorization": f"Bearer {web_world.outsider_key}"}
    )
    assert links(page.text, "project-link") == ["/demo-team/rl-cartpole"]  # the public one


@pytest.mark.parametrize(
    "path",
    [
        "/nobody",
        "/demo/no-such-project",
        "/demo/scratch/runs/nosuchrun",
        "/demo/scratch/runs/nosuchrun/files/a.txt",
        "/demo-team/diffusion-sweeps/sweeps/nosweep",
        "/demo/cifar10-augment/artifacts/dataset/images/v99",
        "/demo/cifar10-augment/artifacts/model/images/v0",  # the wrong type
        "/demo/cifar10-augment/artifacts/dataset/images/v0/files/no-such-file",
        "/orgs/no-such-org/registry",
        "/orgs/demo-org/registry/no-such-registry",
    ],
)
async def test_what_does_not_exist_is_an_html_404(
    browser_client: httpx.AsyncClient, path: str
) -> None:
    response = await browser_client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Not found" in response.text


async def test_html_in_names_keys_values_and_console_lines_is_shown_as_text(
    browser_client: httpx.AsyncClient, web_world: WebWorld
) -> None:
    escaped = html.escape(XSS, quote=False)
    project = await browser_client.get("/demo/web-escaping")
    run = await browser_client.get("/demo/web-escaping/runs/xss1")
    for page in (project, run):
        assert page.status_code == 200
        assert "<script" not in page.text
        assert escaped in page.text
    assert run.text.count(escaped) >= 4  # title, config key and value, console, chart key
    assert 'data-key="&lt;script&gt;' in run.text
    file_link = links(run.text, "file-link")
    assert file_link == ["/demo/web-escaping/runs/xss1/files/notes-%3Cb%3E.txt"]
    download = await browser_client.get(file_link[0])
    assert download.content == b"bold notes"
    assert "attachment" in download.headers["content-disposition"]


async def test_the_legacy_model_registry_url_redirects_by_its_selection_path(
    browser_client: httpx.AsyncClient,
) -> None:
    selection = quote("demo/cifar10-augment/classifier-releases", safe="")
    response = await browser_client.get(
        f"/demo/registry/model?selectionPath={selection}&view=membership&version=v0"
    )
    assert response.status_code == 303
    target = response.headers["location"]
    assert target == "/demo/cifar10-augment/artifacts/model/classifier-releases/v0"
    assert (await browser_client.get(target)).status_code == 200
    assert (await browser_client.get("/demo/registry/model")).status_code == 404


async def test_a_reports_url_from_the_client_opens_its_page_with_its_text_and_runs(
    web_world: WebWorld, browser_client: httpx.AsyncClient
) -> None:
    async with wandbkit.AsyncApi(
        api_key=web_world.api_key, base_url=BASE_URL, transport=asgi_transport(web_world.app)
    ) as api:
        reports = [report async for report in api.reports("demo/mnist-baselines")]
    assert reports
    url = reports[0].url
    assert url is not None and url.startswith(f"{BASE_URL}/demo/mnist-baselines/reports/")
    page = await browser_client.get(url[len(BASE_URL) :])
    assert page.status_code == 200
    assert f"<h2>{reports[0].display_name}</h2>" in page.text  # its heading block
    runs = links(page.text, "run-link")
    assert runs and all(href.startswith("/demo/mnist-baselines/runs/") for href in runs)
    for href in runs[:3]:
        assert (await browser_client.get(href)).status_code == 200
    project = await browser_client.get("/demo/mnist-baselines")
    assert url[len(BASE_URL) :] in links(project.text, "report-link")
    wrong_project = url[len(BASE_URL) :].replace("mnist-baselines", "scratch")
    assert (await browser_client.get(wrong_project)).status_code == 404
    assert (await browser_client.get("/demo/scratch/reports/no-id")).status_code == 404
    assert (await browser_client.get("/demo/scratch/reports/X--bm90IGFuIGlk")).status_code == 404


async def test_the_run_page_charts_system_metrics_by_runtime(
    browser_client: httpx.AsyncClient, web_world: WebWorld
) -> None:
    store = web_world.store
    project = store.projects.find("demo-team", "imagenet-resnet")
    assert project is not None
    run = next(r for r in store.run_listing.list(project.pk) if store.history.event_count(r.pk))
    page = await browser_client.get(f"/demo-team/imagenet-resnet/runs/{run.name}")
    system = page.text.split('<div class="charts system">', 1)[1].split("</div>", 1)[0]
    assert 'data-key="system.cpu"' in system
    counts = [int(n) for n in re.findall(r'data-points="(\d+)"', system)]
    assert counts and max(counts) == min(store.history.event_count(run.pk), MAX_POINTS)
