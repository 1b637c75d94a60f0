"""Exploration: every public object has a short ``repr`` (its path, state and key fields,
never the API key), a ``_repr_html_`` for notebooks (escaped; jinja2), and a ``dir()`` of its
public, typed attributes only."""

from __future__ import annotations

import enum
import inspect
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

import wandbkit
import wandbkit.automations as vocabulary
from wandbkit._html import Explorable, HtmlSummary, summary_html
from wandbkit.automations import (
    ArtifactEvent,
    DoNothing,
    OnAddArtifactAlias,
    OnRunMetric,
    OnRunState,
    RunEvent,
    SendNotification,
    SendWebhook,
    SlackIntegration,
)
from wandbkit.server import Store
from wandbkit.server.history_exports import exports_for
from wandbkit.server.seed import seed_demo
from wandbkit.server.testing import ServerHandle, running_server, webhook_receiver


@pytest.fixture(scope="module")
def server() -> Iterator[ServerHandle]:
    store = Store()
    seed = seed_demo(store)
    exports_for(store).delay = timedelta(0)  # finished runs' history exports to parquet now
    with running_server(store, seed=seed) as handle:
        yield handle
    store.close()


def automation_objects(api: wandbkit.Api) -> dict[str, Any]:
    """The automations vocabulary: the demo's saved automations and integration, new events,
    actions, filters and scopes, and a real firing (a summary update crossing a threshold,
    delivered to a receiver on loopback)."""
    saved = api.automation("val-acc-above-0.9", entity="demo")
    alias = api.automation("production-alias", entity="demo")
    project = api.project("scratch", entity="demo")
    with webhook_receiver() as receiver:
        hook = api.create_webhook_integration("explore-hook", receiver.url, entity="demo")
        metric = OnRunMetric(scope=project, filter=RunEvent.metric("loss").max(5) > 100)
        action = SendWebhook.from_integration(hook, payload={"run": "${run_name}"})
        fired = api.create_automation(metric >> action, name="explore-alarm")
        run = next(iter(api.runs("demo/scratch", per_page=1)))
        run.summary["loss"] = 1000
        run.update()
        [firing] = api.automation_firings("demo", automation=fired, wait_for=1)
        assert firing.delivered and receiver.bodies == [{"run": run.name}]
    state = OnRunState(scope=project, filter=RunEvent.state.in_(["finished", "failed"]))
    slack = SlackIntegration("U2xhY2s6MQ==", "demo-workspace", "#alerts")
    return {
        "Automation": saved,
        "NewAutomation": metric >> action,
        "OnRunMetric": metric,
        "OnRunState": state,
        "OnAddArtifactAlias": alias.event,
        "OnAddArtifactAlias(new)": OnAddArtifactAlias(
            scope=project, filter=ArtifactEvent.alias.eq("prod")
        ),
        "SendWebhook": saved.action,
        "SendNotification": SendNotification.from_integration(slack, title="Loss", text="high"),
        "DoNothing": DoNothing(),
        "ProjectScope": saved.scope,
        "WebhookIntegration": hook,
        "SlackIntegration": slack,
        "MetricThresholdFilter": RunEvent.metric("loss") > 1,
        "MetricChangeFilter": RunEvent.metric("loss").changes_by(diff=0.5),
        "RunMetricFilter": metric.filter,
        "RunStateFilter": state.filter,
        "StateFilter": RunEvent.state.eq("crashed"),
        "FilterExpr": ArtifactEvent.alias.eq("prod"),
        "AutomationFiring": firing,
    }


def launch_objects(api: wandbkit.Api, root: str) -> dict[str, Any]:
    """The demo's run queue (loaded), one of its items, its job, and a run's history exports."""
    queue = api.run_queue("demo-team", "gpu-a100").load()
    run = next(iter(api.runs("demo/cifar10-augment", {"state": "finished"}, per_page=1)))
    return {
        "RunQueue": queue,
        "QueuedRun": queue.items[0],
        "Job": api.job("demo-team/llm-finetune/job-train-lora:latest", path=f"{root}/job"),
        "DownloadHistoryResult": run.download_history_exports(f"{root}/history"),
    }


@pytest.fixture(scope="module")
def objects(
    server: ServerHandle, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """One of every kind of public object, read from the demo workspace."""
    root = str(tmp_path_factory.mktemp("explore"))
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
            **automation_objects(api),
            **launch_objects(api, root),
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
    assert repr(objects["Automation"]) == (
        "<Automation val-acc-above-0.9: RUN_METRIC in project cifar10-augment -> GENERIC_WEBHOOK>"
    )
    assert repr(objects["NewAutomation"]) == (
        "<NewAutomation (unnamed): RUN_METRIC in project scratch -> GENERIC_WEBHOOK>"
    )
    assert repr(objects["OnRunMetric"]) == "<OnRunMetric in project scratch: MAX(loss) > 100>"
    assert repr(objects["OnRunState"]) == (
        "<OnRunState in project scratch: state in FAILED, FINISHED>"
    )
    assert repr(objects["OnAddArtifactAlias(new)"]) == (
        '<OnAddArtifactAlias in project scratch: {"$or":[{"$and":[{"alias":{"$eq":"prod"}}]}]}>'
    )
    assert repr(objects["SendWebhook"]) == "<SendWebhook via demo-alerts (payload: text, author)>"
    assert repr(objects["SendNotification"]) == "<SendNotification INFO 'Loss' via U2xhY2s6MQ==>"
    assert repr(objects["AutomationFiring"]).endswith(
        "explore-alarm: RUN_METRIC -> GENERIC_WEBHOOK DELIVERED, 1 attempt, HTTP 200>"
    )
    assert repr(objects["RunQueue"]) == "<RunQueue demo-team/gpu-a100 (kubernetes, V0)>"
    assert repr(objects["QueuedRun"]).startswith("<QueuedRun demo-team/gpu-a100 item ")
    assert repr(objects["QueuedRun"]).endswith(" -> llm-finetune, priority 2>")
    assert repr(objects["Job"]) == "<Job demo-team/llm-finetune/job-train-lora:latest (image)>"
    assert repr(objects["DownloadHistoryResult"]) == "<DownloadHistoryResult 1 files>"


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
    automation = objects["Automation"]._repr_html_()
    for needle in ("<strong>Automation</strong>", "val-acc-above-0.9", "project cifar10-augment"):
        assert needle in automation
    assert "val_acc &gt; 0.9" in automation and "demo-alerts" in automation
    firing = objects["AutomationFiring"]._repr_html_()
    assert "DELIVERED" in firing and "${run_name}" not in firing  # the payload sent, filled in
    queue = objects["RunQueue"]._repr_html_()
    assert "kubernetes" in queue and "gpus" in queue and "model-registry" in queue
    job = objects["Job"]._repr_html_()
    assert "python train_lora.py" in job and "lora_rank" in job and 'href="http' in job
    hook = objects["WebhookIntegration"]._repr_html_()
    assert "explore-hook" in hook and "url_endpoint" in hook  # a dataclass shows its fields


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


def test_every_class_of_the_automations_vocabulary_is_explorable() -> None:
    classes = [
        value
        for name in vocabulary.__all__
        if inspect.isclass(value := getattr(vocabulary, name)) and not issubclass(value, enum.Enum)
    ]
    assert len(classes) > 30
    assert [c.__name__ for c in classes if not issubclass(c, Explorable)] == []
    from wandbkit._values.history_exports import DownloadHistoryResult

    assert issubclass(DownloadHistoryResult, Explorable)
