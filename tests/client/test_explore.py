"""Exploration: every public object has a short ``repr`` (its path, state and key fields,
never the API key), a ``_repr_html_`` for notebooks (escaped; jinja2), and a ``dir()`` of its
public, typed attributes only."""

from __future__ import annotations

import enum
import inspect
from collections.abc import Iterator
from typing import Any

import pytest

import wandbkit
from wandbkit._html import Explorable, HtmlSummary, summary_html
from wandbkit.server import Store
from wandbkit.server.seed import seed_demo
from wandbkit.server.testing import ServerHandle, running_server


@pytest.fixture(scope="module")
def server() -> Iterator[ServerHandle]:
    store = Store()
    seed = seed_demo(store)
    with running_server(store, seed=seed) as handle:
        yield handle
    store.close()


@pytest.fixture(scope="module")
def objects(server: ServerHandle) -> Iterator[dict[str, Any]]:
    """One of every kind of public object, read from the demo workspace."""
    with wandbkit.Api(base_url=server.base_url, api_key=server.api_key) as api:
        project = api.project("cifar10-augment", entity="demo")
        runs = api.runs("demo/cifar10-augment", per_page=5)
        run = next(iter(runs))
        files = run.files()
        artifact = api.artifact("demo/cifar10-augment/classifier:v1")
        collection = artifact.collection
        sweep = api.sweep("demo-team/diffusion-sweeps/ln9hu362")
        registries = api.registries()
        registry = api.registry("model")
        team = api.team("demo-team")
        reports = api.reports("demo/mnist-baselines")
        found: dict[str, Any] = {
            "Api": api,
            "Project": project.load(),
            "Projects": api.projects("demo"),
            "Run": run,
            "Runs": runs,
            "Summary": run.summary,
            "HistoryScan": run.scan_history(keys=["loss"]),
            "File": next(iter(files)),
            "Files": files,
            "Artifact": artifact,
            "Artifacts": collection.artifacts(),
            "ArtifactCollection": collection.load(),
            "ArtifactType": api.artifact_type("model", "demo/cifar10-augment").load(),
            "ArtifactTypes": api.artifact_types("demo/cifar10-augment"),
            "ArtifactManifestEntry": artifact.get_entry("config.json"),
            "ArtifactFiles": artifact.files(),
            "ArtifactDraft": api.create_artifact("demo/scratch/draft", type="dataset"),
            "Sweep": sweep,
            "Sweeps": project.sweeps(),
            "Registry": registry,
            "Registries": registries,
            "RegistryCollections": registry.collections(),
            "RegistryVersions": registry.versions(),
            "Team": team,
            "Member": team.members[0],
            "User": api.viewer,
            "Organization": api.organization("demo-org"),
            "BetaReport": next(iter(reports)),
            "Reports": reports,
            "ConsoleLogs": run.console_logs(),
        }
        yield found


def test_repr_is_short_one_line_and_names_the_object(objects: dict[str, Any]) -> None:
    for kind, obj in objects.items():
        text = repr(obj)
        assert "\n" not in text and len(text) <= 160, (kind, text)
        assert "object at 0x" not in text, (kind, text)
    assert repr(objects["Run"]).startswith("<Run demo/cifar10-augment/")
    assert repr(objects["Artifact"]) == "<Artifact demo/cifar10-augment/classifier:v1 (model)>"
    assert repr(objects["Sweep"]) == "<Sweep demo-team/diffusion-sweeps/ln9hu362 (FINISHED)>"
    assert repr(objects["Registry"]) == "<Registry demo-org/model>"


def test_nothing_shows_the_api_key(server: ServerHandle, objects: dict[str, Any]) -> None:
    for kind, obj in objects.items():
        assert server.api_key not in repr(obj), kind
        assert server.api_key not in obj._repr_html_(), kind
        assert server.api_key not in str(obj), kind


def test_every_object_has_an_html_view(objects: dict[str, Any]) -> None:
    for kind, obj in objects.items():
        html = obj._repr_html_()
        assert isinstance(html, str) and html.startswith("<"), kind
    artifact = objects["Artifact"]._repr_html_()
    assert "<strong>Artifact</strong>" in artifact
    assert 'href="http' in artifact and "demo/cifar10-augment/classifier:v1" in artifact
    for needle in ("latest, production", "Classifier checkpoint 1", "COMMITTED"):
        assert needle in artifact
    registry = objects["Registry"]._repr_html_()
    assert "demo-org/model" in registry and "organization" in registry
    team = objects["Team"]._repr_html_()
    assert "demo (" in team
    file_html = objects["File"]._repr_html_()
    assert "signed" not in file_html and "href" not in file_html  # no capability URL
    assert "<iframe" in objects["Run"]._repr_html_()  # the app's page, as wandb embeds it


def test_html_escapes_every_value_and_links_only_http() -> None:
    html = summary_html(
        HtmlSummary(
            "Artifact",
            '<img src=x onerror="alert(1)">',
            {"description": "<script>alert(2)</script>", "tags": ["a&b", '"q"']},
            "javascript:alert(3)",
        )
    )
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    assert "a&amp;b, &#34;q&#34;" in html
    assert "javascript:" not in html and "href" not in html
    linked = summary_html(HtmlSummary("Run", "e/p/r", {}, "https://wandb.ai/e/p/runs/r?a=1&b=2"))
    assert 'href="https://wandb.ai/e/p/runs/r?a=1&amp;b=2"' in linked


def test_html_of_a_real_object_escapes_its_server_values(server: ServerHandle) -> None:
    with wandbkit.Api(base_url=server.base_url, api_key=server.api_key) as api:
        draft = api.create_artifact(
            "demo/scratch/escaping", type="dataset", description="<b>bold</b> & <i>it</i>"
        )
        with draft.new_file("a.txt", mode="w") as f:
            f.write("x")
        published = draft.publish()
    html = published._repr_html_()
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;i&gt;it&lt;/i&gt;" in html
    assert "<b>bold" not in html


def test_dir_lists_public_typed_attributes_only(objects: dict[str, Any]) -> None:
    for kind, obj in objects.items():
        names = dir(obj)
        assert names == sorted(names), kind
        assert [n for n in names if n.startswith("_")] == [], kind
        for name in names:
            attribute = inspect.getattr_static(obj, name)
            if isinstance(attribute, property):
                hints = attribute.fget.__annotations__ if attribute.fget else {}
                assert "return" in hints, f"{kind}.{name} has no return type"
    run_names = dir(objects["Run"])
    for name in ("id", "name", "state", "config", "summary", "history", "scan_history", "url"):
        assert name in run_names
    assert "_ctx" not in run_names and "_fields" not in run_names
    assert {"version", "aliases", "download", "verify"} <= set(dir(objects["Artifact"]))


def _public_classes() -> list[type]:
    classes = []
    for name in wandbkit.__all__:
        value = getattr(wandbkit, name)
        module = getattr(value, "__module__", "")
        domain = module.startswith(("wandbkit._sync.", "wandbkit._async.", "wandbkit.users"))
        if inspect.isclass(value) and domain and not issubclass(value, enum.Enum):
            classes.append(value)
    return classes


def test_every_public_domain_class_is_explorable() -> None:
    classes = _public_classes()
    assert len(classes) > 40
    assert [c.__name__ for c in classes if not issubclass(c, Explorable)] == []
