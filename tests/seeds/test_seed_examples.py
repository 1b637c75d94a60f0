"""Every code example of the user's seed pages (the official W&B public-API reference, in
Korean and Japanese), run with wandbkit against a local server seeded with the demo.

The examples are copied here as code, so nothing reads the seed pages. Each is adapted only
as the brief allows: ``import wandb; api = wandb.Api()`` becomes ``import wandbkit; api =
wandbkit.Api()``, and placeholder names become the demo's (``entity`` -> ``demo``,
``my-team``/``team`` -> ``demo-team``, ``project`` -> a demo project, ``artifact`` ->
``images``, ...). Call shapes, argument and keyword names stay as the pages write them, with
three exceptions each noted at its test: the pages' ``wandb.Api.method(...)`` calls on the
class (a ``TypeError`` with ``wandb`` too) are made on an instance, the old page's
``api.runs(path=..., {...})`` (a ``SyntaxError``) passes the dict as ``filters=``, and the
runs-module page's ``Api().runs(client=api.client, entity=..., project=...)`` (which
``wandb.Api.runs`` does not accept either) is ``Api().runs(path="entity/project", ...)``.

The seed pages, by file:

* 000: ``Api`` reference, Korean (current docs site).
* 001: ``Api`` reference, Korean (the old docs, ``wandb/client`` links).
* 002: ``wandb.apis.public`` ``Api`` reference, Japanese.
* 003: the old Korean "Public API Reference" (Api, Run, Sweep, File, Artifact objects).
* 004: the ``run`` module reference, Korean (``Runs``, ``Run``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from compat.conftest import OFFICIAL_CLIENT_TIMEOUT, official_client_env

import wandbkit
from wandbkit.server import Store
from wandbkit.server.seed import seed_demo
from wandbkit.server.testing import ServerHandle, running_server

pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def demo_server() -> Iterator[ServerHandle]:
    """One demo-seeded server for the module; the examples that write use names of their own
    (``seed-*``) or restore what they change."""
    store = Store()
    seed = seed_demo(store)
    with running_server(store, seed=seed) as handle:
        yield handle
    store.close()


@pytest.fixture(autouse=True)
def demo_env(
    demo_server: ServerHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> ServerHandle:
    """The server in the environment, as a user's shell has it; a scratch working directory."""
    for name in ("WANDB_ENTITY", "WANDB_PROJECT"):
        monkeypatch.delenv(name, raising=False)
    for key, value in {
        **demo_server.env(),
        "NETRC": str(tmp_path / "netrc"),
        "WANDB_DIR": str(tmp_path / "wandb"),
        "WANDB_ARTIFACT_DIR": str(tmp_path / "artifacts"),
        "WANDBKIT_CACHE_DIR": str(tmp_path / "cache"),
        "WANDBKIT_PROGRESS": "0",
    }.items():
        monkeypatch.setenv(key, value)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return demo_server


@pytest.fixture
def api() -> wandbkit.Api:
    return wandbkit.Api()


def first_run_id(api: wandbkit.Api, path: str) -> str:
    return next(iter(api.runs(path, order="+created_at"))).id


# -- Api() and its properties (000, 001, 002: "class Api", "Api.__init__", properties) ------


def test_api_construction_and_properties() -> None:
    # 000/002 "class Api" example: `wandb.Api()`; 001: `Api(overrides={})`.
    api = wandbkit.Api()
    assert isinstance(wandbkit.Api(overrides={}), wandbkit.Api)
    assert api.default_entity == "demo"
    assert api.api_key == os.environ["WANDB_API_KEY"]
    assert "wandbkit" in api.user_agent
    assert api.viewer.username == "demo"
    # 000 "Api.__init__": overrides (base_url, entity, project), timeout, api_key.
    scoped = wandbkit.Api(
        overrides={
            "base_url": os.environ["WANDB_BASE_URL"],
            "entity": "demo",
            "project": "mnist-baselines",
        },
        timeout=30,
        api_key=os.environ["WANDB_API_KEY"],
    )
    run_id = first_run_id(api, "demo/mnist-baselines")
    assert scoped.run(run_id).id == run_id  # 000 "Api.run": run_id alone with api.project
    assert wandbkit.Api(overrides={"entity": "demo"}).run(f"mnist-baselines/{run_id}").id == run_id


def test_flush(api: wandbkit.Api) -> None:
    # 000/001/002/003 "flush": `api.flush()` clears the local cache and returns None.
    assert api.default_entity == "demo"
    assert api.flush() is None
    assert api.viewer.username == "demo"


# -- artifacts (000/002 "Api.artifact", "artifact_collection", "artifact_exists", ...) ----------


def test_artifact_by_name_forms() -> None:
    # 000/002 "Api.artifact" examples: project/artifact:alias|version, with or without entity.
    scoped = wandbkit.Api(overrides={"entity": "demo"})
    assert scoped.artifact(name="cifar10-augment/images:latest").version == "v2"
    assert scoped.artifact(name="cifar10-augment/images:v1").aliases == ["best"]
    # Without an entity in the name: the default entity (the viewer's).
    assert wandbkit.Api().artifact(name="cifar10-augment/images:latest").version == "v2"
    assert wandbkit.Api().artifact(name="demo/cifar10-augment/images:best").version == "v1"
    assert wandbkit.Api().artifact(name="demo/cifar10-augment/images:v0").version == "v0"


def test_artifact_by_digest_and_type(api: wandbkit.Api) -> None:
    # 001 "artifact(name, type=None)": name:version, name:alias or digest; the type checked.
    v0 = api.artifact("demo/cifar10-augment/images:v0", type="dataset")
    assert api.artifact(f"demo/cifar10-augment/images:{v0.digest}").version == "v0"
    with pytest.raises(ValueError):
        api.artifact("demo/cifar10-augment/images:v0", type="model")


def test_artifact_collection_first_artifact_downloads(tmp_path: Path) -> None:
    # 000/002 "Api.artifact_collection" example.
    collections = wandbkit.Api().artifact_collection(
        type_name="dataset", name="demo/cifar10-augment/images"
    )
    artifact_example = collections.artifacts()[0]
    path = artifact_example.download()
    assert Path(path).is_dir() and any(Path(path).iterdir())
    assert Path(path).is_relative_to(tmp_path / "artifacts")


def test_artifact_collection_exists() -> None:
    # 000/002 "Api.artifact_collection_exists" (the pages call it on the class; an instance
    # here): entity and project from the overrides when the name has none.
    scoped = wandbkit.Api(overrides={"entity": "demo", "project": "cifar10-augment"})
    assert scoped.artifact_collection_exists(type="dataset", name="images") is True
    assert scoped.artifact_collection_exists(type="dataset", name="no-such-collection") is False
    api = wandbkit.Api()
    assert api.artifact_collection_exists(type="model", name="demo/cifar10-augment/classifier")
    # Neither in the name nor in overrides: the default entity, project "uncategorized".
    assert api.artifact_collection_exists(type="dataset", name="images") is False


def test_artifact_exists() -> None:
    # 000/002 "Api.artifact_exists" example.
    assert wandbkit.Api().artifact_exists("demo/cifar10-augment/images:v1") is True
    assert wandbkit.Api().artifact_exists("demo/cifar10-augment/images:best") is True
    assert wandbkit.Api().artifact_exists("demo/cifar10-augment/images:v9") is False


def test_artifacts_and_versions(api: wandbkit.Api) -> None:
    # 000/002 "Api.artifacts" example, its tags= argument, and 001's artifact_versions.
    names = [
        a.name
        for a in wandbkit.Api().artifacts(type_name="dataset", name="demo/cifar10-augment/images")
    ]
    assert names == ["images:v2", "images:v1", "images:v0"]
    tagged = api.artifacts("dataset", "demo/cifar10-augment/images", per_page=50, tags=["clean"])
    assert [a.name for a in tagged] == ["images:v2", "images:v1"]
    with pytest.warns(DeprecationWarning):
        versions = api.artifact_versions("dataset", "demo/cifar10-augment/images", per_page=50)
    assert [a.name for a in versions] == names


def test_artifact_types_and_collections(api: wandbkit.Api) -> None:
    # 000/001/002 "artifact_type", "artifact_types", "artifact_collections"; 003
    # "ArtifactType.collections(per_page=50)", and "ArtifactCollection.versions(per_page=50)",
    # which wandb 0.31 names ``artifacts(per_page=50)`` (it has no ``versions``).
    assert api.artifact_type("dataset", project="demo/cifar10-augment").name == "dataset"
    types = [t.name for t in api.artifact_types(project="demo/cifar10-augment")]
    assert types == ["dataset", "model"]
    collections = api.artifact_collections(
        project_name="demo/cifar10-augment", type_name="model", per_page=50
    )
    assert {c.name for c in collections} >= {"classifier"}
    dataset = api.artifact_type("dataset", project="demo/cifar10-augment")
    (images,) = list(dataset.collections(per_page=50))
    assert [v.name for v in images.artifacts(per_page=50)] == [
        "images:v2",
        "images:v1",
        "images:v0",
    ]


def test_artifact_object_methods(api: wandbkit.Api, tmp_path: Path) -> None:
    # 003 "Artifact Objects": download(root=None), verify(root=None), file(root=None), save().
    artifact = api.artifact("demo/cifar10-augment/images:v0")
    root = artifact.download(root=str(tmp_path / "dl"))
    artifact.verify(root=root)
    (tmp_path / "dl" / next(iter(artifact.manifest.entries))).write_bytes(b"tampered")
    with pytest.raises(ValueError):
        artifact.verify(root=root)
    with pytest.raises(ValueError, match="download"):  # file() is for single-file versions
        artifact.file(root=str(tmp_path / "one"))
    before = artifact.description
    artifact.description = "seed examples were here"
    artifact.save()
    assert api.artifact("demo/cifar10-augment/images:v0").description == "seed examples were here"
    artifact.description = before
    artifact.save()


def test_artifact_file_and_delete(api: wandbkit.Api, tmp_path: Path) -> None:
    # 003 "Artifact Objects": file(root=None) of a single-file version; delete() (0.31:
    # delete(delete_aliases=False), refused while the version has aliases).
    (tmp_path / "notes.txt").write_text("one file")
    draft = api.create_artifact("demo/seed-artifacts/notes", type="dataset")
    draft.add_file(str(tmp_path / "notes.txt"))
    published = draft.publish()
    path = published.file(root=str(tmp_path / "one"))
    assert Path(path).read_text() == "one file"
    with pytest.raises(wandbkit.APIError, match="aliases"):  # "latest" is an alias too
        published.delete()
    published.delete(delete_aliases=True)
    assert not api.artifact_exists("demo/seed-artifacts/notes:v0")


# -- automations and integrations (000/002 "Api.automation(s)", "create_/update_automation",
# "slack_integrations", "webhook_integrations", "integrations") -------------------------------


def test_automation_examples(api: wandbkit.Api) -> None:
    # 000/002 "Api.automation": by name, and by name in an entity.
    automation = api.automation(name="val-acc-above-0.9")
    assert automation.name == "val-acc-above-0.9"
    automation = api.automation(name="production-alias", entity="demo")
    assert automation.name == "production-alias"
    # "Api.automations": all of an entity's.
    automations = api.automations(entity="demo")
    assert {a.name for a in automations} >= {"val-acc-above-0.9", "production-alias"}


def test_create_automation_slack_example() -> None:
    # 000/002 "Api.create_automation" example ("my-team" -> demo-team, its Slack channel).
    from wandbkit.automations import OnRunMetric, RunEvent, SendNotification

    api = wandbkit.Api()

    project = api.project("llm-finetune", entity="demo-team")

    # The team's first Slack integration
    slack_hook = next(api.slack_integrations(entity="demo-team"))

    event = OnRunMetric(
        scope=project,
        filter=RunEvent.metric("custom-metric") > 10,
    )
    action = SendNotification.from_integration(slack_hook)

    automation = api.create_automation(
        event >> action,
        name="my-automation",
        description="Send a Slack message whenever 'custom-metric' exceeds 10.",
    )
    try:
        assert automation.name == "my-automation"
        assert automation.enabled
        assert api.automation(name="my-automation", entity="demo-team").id == automation.id
    finally:
        assert api.delete_automation(automation) is True


@pytest.fixture
def my_automation(api: wandbkit.Api) -> Iterator[Any]:
    """An automation named "my-automation" in the user's own project (the update examples
    fetch it by name alone), deleted afterwards."""
    from wandbkit.automations import OnRunMetric, RunEvent, SendWebhook

    hook = next(api.webhook_integrations(entity="demo"))
    event = OnRunMetric(
        scope=api.project("cifar10-augment", entity="demo"),
        filter=RunEvent.metric("custom-metric") > 10,
    )
    created = api.create_automation(
        event >> SendWebhook.from_integration(hook), name="my-automation"
    )
    yield created
    api.delete_automation(created.id)


@pytest.mark.usefixtures("my_automation")
def test_update_automation_by_attributes() -> None:
    # 000/002 "Api.update_automation", first example.
    api = wandbkit.Api()

    automation = api.automation(name="my-automation")
    automation.enabled = False
    automation.description = "Kept for reference, but no longer used."

    updated_automation = api.update_automation(automation)
    assert updated_automation.enabled is False
    assert updated_automation.description == "Kept for reference, but no longer used."
    assert api.automation(name="my-automation").enabled is False


@pytest.mark.usefixtures("my_automation")
def test_update_automation_by_keywords() -> None:
    # 000/002 "Api.update_automation", second example.
    api = wandbkit.Api()

    automation = api.automation(name="my-automation")

    updated_automation = api.update_automation(
        automation,
        enabled=False,
        description="Kept for reference, but no longer used.",
    )
    assert (updated_automation.enabled, updated_automation.description) == (
        False,
        "Kept for reference, but no longer used.",
    )


def test_slack_integrations_examples(api: wandbkit.Api) -> None:
    # 000/002 "Api.slack_integrations" examples ("my-team" -> demo-team).
    slack_integrations = api.slack_integrations(entity="demo-team")
    assert [ig.channel_name for ig in slack_integrations] == ["team-alerts-ml"]

    slack_integrations = api.slack_integrations(entity="demo-team")
    team_alert_integrations = [
        ig for ig in slack_integrations if ig.channel_name.startswith("team-alerts-")
    ]
    assert len(team_alert_integrations) == 1


def test_webhook_integrations_examples(api: wandbkit.Api) -> None:
    # 000/002 "Api.webhook_integrations" examples (the demo's hook is on the user's entity).
    webhook_integrations = api.webhook_integrations(entity="demo")
    assert [ig.name for ig in webhook_integrations] == ["demo-alerts"]

    webhook_integrations = api.webhook_integrations(entity="demo")
    my_webhooks = [
        ig for ig in webhook_integrations if ig.url_endpoint.startswith("http://127.0.0.1:9")
    ]
    assert len(my_webhooks) == 1


def test_integrations(api: wandbkit.Api) -> None:
    # 000/002 "Api.integrations(entity=None, per_page=50)": Slack and webhook ones alike.
    assert [type(ig).__name__ for ig in api.integrations(entity="demo-team", per_page=50)] == [
        "SlackIntegration"
    ]
    assert [ig.name for ig in api.integrations()] == ["demo-alerts"]


def test_paginators_are_iterators(api: wandbkit.Api) -> None:
    # `next(api.slack_integrations(...))` (000/002): wandb's paginators are iterators.
    runs = api.runs("demo/mnist-baselines", per_page=2, order="+created_at")
    ids = [next(runs).id, next(runs).id, next(runs).id]
    assert ids == [run.id for run in api.runs("demo/mnist-baselines", order="+created_at")][:3]
    hooks = api.webhook_integrations(entity="demo")
    assert next(hooks).name == "demo-alerts"
    with pytest.raises(StopIteration):
        next(hooks)
    rows = api.run(f"demo/mnist-baselines/{ids[0]}").scan_history(keys=["loss"])
    assert [next(rows)["_step"], next(rows)["_step"]] == [0, 1]
    assert next(api.registries()).name
    assert next(api.registries().collections()).name


# -- custom charts, projects, registries, teams, users, queues (000/002) --------------------


def test_create_custom_chart(api: wandbkit.Api) -> None:
    # 000/002 "Api.create_custom_chart" example (wandb.plot_table is the SDK's, not the API's).
    vega_spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "mark": "bar",
        "data": {"name": "wandb"},
        "encoding": {
            "x": {"field": "${field:x}", "type": "ordinal"},
            "y": {"field": "${field:y}", "type": "quantitative"},
        },
    }
    chart_id = api.create_custom_chart(
        entity="demo-team",
        name="my-bar-chart",
        display_name="My Custom Bar Chart",
        spec_type="vega2",
        access="private",
        spec=vega_spec,
    )
    assert chart_id == "demo-team/my-bar-chart"


def test_create_project_and_run(api: wandbkit.Api) -> None:
    # 000/002 "Api.create_project(name, entity)" and "Api.create_run(run_id, project, entity)";
    # 001 "create_run(**kwargs)".
    # wandb returns None; wandbkit the new project (a superset).
    assert api.create_project(name="seed-project", entity="demo").name == "seed-project"
    assert api.project("seed-project", entity="demo").name == "seed-project"
    run = api.create_run(run_id="seedrun01", project="seed-project", entity="demo")
    assert run.path == ["demo", "seed-project", "seedrun01"]
    anywhere = api.create_run()
    assert (anywhere.entity, anywhere.project) == ("demo", "uncategorized")
    assert api.create_run(project="seed-project").project == "seed-project"


def test_create_registry_and_update_it(api: wandbkit.Api) -> None:
    # 000/002 "Api.create_registry" and "Api.registry" examples ("my-org" -> demo-org).
    registry = api.create_registry(
        name="my-registry",
        visibility="restricted",
        organization="demo-org",
        description="This is a test registry",
        artifact_types=["model"],
    )
    assert registry.name == "my-registry"

    registry = api.registry(name="my-registry", organization="demo-org")
    registry.description = "This is an updated description"
    registry.save()
    assert api.registry(name="my-registry").description == "This is an updated description"


def test_registries_search_examples(api: wandbkit.Api) -> None:
    # 000/002 "Api.registries" examples ("model" and "my_collection" -> the demo's).
    found = wandbkit.Api().registries(filter={"name": {"$regex": "model"}})
    assert [r.name for r in found] == ["model"]

    collections = api.registries().collections(filter={"name": "classifier", "tag": "prod"})
    assert [c.name for c in collections] == ["classifier"]

    versions = (
        api.registries()
        .collections(filter={"name": {"$regex": "classifier"}})
        .versions(filter={"alias": "latest"})
    )
    assert {v.name for v in versions} >= {"classifier:v1"}

    versions = api.registries(filter={"name": {"$regex": "model"}}).versions(
        filter={"$or": [{"tag": "prod"}, {"alias": "latest"}]}
    )
    assert [v.name for v in versions] == ["classifier:v1"]
    assert list(api.registries(organization="demo-org", filter=None, per_page=100))


def test_projects_and_project(api: wandbkit.Api) -> None:
    # 000/001/002/003 "projects(entity=None, per_page=200)", "project(name, entity=None)".
    assert {p.name for p in api.projects()} >= {"mnist-baselines", "cifar10-augment"}
    assert {p.name for p in api.projects(entity="demo-team", per_page=200)} >= {"llm-finetune"}
    assert api.project("imagenet-resnet", entity="demo-team").entity == "demo-team"
    assert api.project("mnist-baselines").entity == "demo"


def test_teams(api: wandbkit.Api) -> None:
    # 000/002 "Api.team(team)", "Api.create_team(team, admin_username=None)".
    assert api.team("demo-team").name == "demo-team"
    team = api.create_team("seed-team")
    assert team.name == "seed-team"


@pytest.fixture
def admin_api(demo_env: ServerHandle) -> wandbkit.Api:
    """A local instance admin's Api ("only for local admins", say the pages)."""
    accounts = demo_env.store.accounts
    root = accounts.get_user("seed-root") or accounts.create_user(
        "seed-root", email="seed-root@example.com", admin=True
    )
    key, _ = accounts.create_api_key(root.pk)
    return wandbkit.Api(api_key=key)


def test_users_for_a_local_admin(admin_api: wandbkit.Api, api: wandbkit.Api) -> None:
    # 000/002 "Api.create_user(email, admin=False)", "Api.user(...)", "Api.users(...)".
    created = admin_api.create_user("seed-user@example.com", admin=False)
    assert created.email == "seed-user@example.com"
    assert admin_api.user("demo").username == "demo"
    assert admin_api.user("demo@example.com").username == "demo"
    assert admin_api.user("nobody-at-all@example.com") is None
    assert "demo" in [u.username for u in admin_api.users("demo")]
    with pytest.raises(wandbkit.PermissionDeniedError):  # not an instance admin
        api.users("demo")


def test_run_queues(api: wandbkit.Api) -> None:
    # 000/002 "create_run_queue", "upsert_run_queue", "run_queue", "list_jobs".
    queue = api.create_run_queue(
        name="seed-queue",
        type="local-container",
        entity="demo-team",
        prioritization_mode="V0",
        config={"env": ["LR={{lr}}"]},
        template_variables={"lr": {"schema": {"type": "number"}}},
    )
    assert queue.name == "seed-queue"
    assert api.run_queue("demo-team", "seed-queue").name == "seed-queue"
    upserted = api.upsert_run_queue(
        name="seed-queue-2", resource_config={}, resource_type="local-process", entity="demo-team"
    )
    assert upserted.name == "seed-queue-2"
    jobs = api.list_jobs(entity="demo-team", project="llm-finetune")
    assert jobs and jobs[0]["edges"]


# -- paths (000/002 "Api.from_path", "Api.run", "Api.sweep", "Api.reports") ----------------------


def test_from_path_examples(api: wandbkit.Api) -> None:
    # 000/002 "Api.from_path" example ("team" -> demo-team, a run, a sweep and a report of it).
    run_id = first_run_id(api, "demo-team/diffusion-sweeps")
    sweep_id = next(iter(api.project("diffusion-sweeps", entity="demo-team").sweeps())).id
    report = next(iter(api.reports("demo-team/imagenet-resnet")))

    project = wandbkit.Api(overrides={"entity": "demo-team"}).from_path("rl-cartpole")
    team_project = api.from_path("demo-team/diffusion-sweeps")
    run = api.from_path(f"demo-team/diffusion-sweeps/runs/{run_id}")
    sweep = api.from_path(f"demo-team/diffusion-sweeps/sweeps/{sweep_id}")
    found = api.from_path(f"demo-team/imagenet-resnet/reports/{report.id}")

    assert isinstance(project, wandbkit.Project) and project.entity == "demo-team"
    assert isinstance(team_project, wandbkit.Project) and team_project.name == "diffusion-sweeps"
    assert isinstance(run, wandbkit.Run) and run.id == run_id
    assert isinstance(sweep, wandbkit.Sweep) and sweep.id == sweep_id
    assert isinstance(found, wandbkit.BetaReport) and found.id == report.id
    named = api.from_path(f"demo-team/imagenet-resnet/reports/ResNet-recipes--{report.id}")
    assert isinstance(named, wandbkit.BetaReport) and named.id == report.id
    assert api.from_path("mnist-baselines").entity == "demo"


def test_sweep(api: wandbkit.Api) -> None:
    # 001/003 "sweep(path)"; 003 "Sweep Objects": runs, id, project, config, best_run(order).
    sweep_id = next(iter(api.project("diffusion-sweeps", entity="demo-team").sweeps())).id
    sweep = api.sweep(f"demo-team/diffusion-sweeps/{sweep_id}")
    assert (sweep.id, sweep.project) == (sweep_id, "diffusion-sweeps")
    assert isinstance(sweep.config, dict) and "metric" in sweep.config
    assert len(sweep.runs) >= 1
    best = sweep.best_run()
    assert best is not None and best.id in {r.id for r in sweep.runs}
    assert sweep.best_run(order="-created_at") is not None
    scoped = wandbkit.Api(overrides={"entity": "demo-team", "project": "diffusion-sweeps"})
    assert scoped.sweep(sweep_id).id == sweep_id


def test_reports(api: wandbkit.Api) -> None:
    # 000/002 "Api.reports" example (on an instance), 001/003 reports(path, name, per_page);
    # 003 "BetaReport Objects": name, description, user, spec, updated_at.
    reports = api.reports("demo-team/imagenet-resnet")
    (report,) = list(reports)
    assert report.display_name == "ResNet recipes"
    named = api.reports(path="demo-team/imagenet-resnet", name="ResNet recipes", per_page=50)
    assert [r.id for r in named] == [report.id]
    assert report.name and isinstance(report.spec, dict)
    assert report.user is not None and report.updated_at is not None
    assert isinstance(report.description, str)


# -- runs (000/001/002 "Api.runs" examples; 004 module and Runs examples) ----------------------


def test_runs_filter_examples(api: wandbkit.Api) -> None:
    # 000/002 "Api.runs" examples ("my_entity/project" -> demo/mnist-baselines, config keys
    # of the demo: config.optimizer and config.model for config.experiment_name).
    project = "demo/mnist-baselines"
    everything = list(api.runs(path=project))
    adam = api.runs(path=project, filters={"config.optimizer": "adam"})
    assert {r.config["optimizer"] for r in adam} == {"adam"}
    either = api.runs(
        path=project,
        filters={
            "$or": [
                {"config.optimizer": "adam"},
                {"config.optimizer": "sgd"},
            ]
        },
    )
    assert len(list(either)) == len(everything)
    matching = api.runs(path=project, filters={"config.model": {"$regex": "l.*"}})
    assert {r.config["model"] for r in matching} == {"cnn-small", "lenet5", "mlp-2x512"}
    named = api.runs(path=project, filters={"display_name": {"$regex": "^lenet.*"}})
    assert [r.name for r in named] and all(r.name.startswith("lenet") for r in named)
    ordered = api.runs(path=project, order="+summary_metrics.loss")
    losses = [r.summary["loss"] for r in ordered]
    assert losses == sorted(losses)


def test_old_runs_examples(api: wandbkit.Api) -> None:
    # 001/003 "runs(path, filters={}, order='-created_at', per_page=50)" examples; the pages'
    # `api.runs(path=..., {...})` is a SyntaxError, so the dict is passed as filters=.
    project = "demo/mnist-baselines"
    assert {
        r.config["optimizer"] for r in api.runs(path=project, filters={"config.optimizer": "adam"})
    } == {"adam"}
    either = api.runs(
        path=project,
        filters={"$or": [{"config.optimizer": "adam"}, {"config.optimizer": "sgd"}]},
    )
    assert len(list(either)) == 12
    newest_first = api.runs(project, filters={}, order="-created_at", per_page=50)
    created = [r.created_at for r in newest_first]
    assert created == sorted(created, reverse=True)
    # "{'order': '+summary_metrics.loss'}" as a filter names no run field: refused up front.
    with pytest.raises(wandbkit.UsageError, match="order"):
        api.runs(path=project, filters={"order": "+summary_metrics.loss"})


def test_runs_module_example(capsys: pytest.CaptureFixture[str]) -> None:
    # 004 module example ("entity/project" -> demo/mnist-baselines; batch size 128).
    from wandbkit.apis.public import Api

    # runs matching the filters
    runs = Api().runs(
        path="demo/mnist-baselines", filters={"state": "finished", "config.batch_size": 128}
    )

    for run in runs:
        print(f"Run: {run.name}")
        print(f"Config: {run.config}")
        print(f"Metrics: {run.summary}")

        history_df = run.history(keys=["loss", "accuracy"], pandas=True)
        assert list(history_df.columns) == ["_step", "loss", "accuracy"]

        for artifact in run.logged_artifacts():
            print(f"Artifact: {artifact.name}")
    out = capsys.readouterr().out
    assert "Run: " in out and "'batch_size': 128" in out
    # As wandb's, a summary prints as the dict of its values.
    assert re.search(r"Metrics: \{'_step': \d+, ", out)


def test_runs_class_example(capsys: pytest.CaptureFixture[str]) -> None:
    # 004 "class Runs" example. `Api().runs(client=api.client, entity=..., project=...)` is
    # not wandb.Api.runs's signature either; path="entity/project" says the same.
    from wandbkit.apis.public import Api
    from wandbkit.apis.public.runs import Runs

    # every run of the project matching the filters
    filters = {"state": "finished", "config.optimizer": "adam"}

    runs = Api().runs(path="demo/mnist-baselines", filters=filters)
    assert isinstance(runs, Runs)

    for run in runs:
        print(f"Run name: {run.name}")
        print(f"Run ID: {run.id}")
        print(f"Run URL: {run.url}")
        print(f"Run state: {run.state}")
        print(f"Run config: {run.config}")
        print(f"Run summary: {run.summary}")
        print(f"Run history (samples=5): {run.history(samples=5)}")
        print("----------")

    histories_df = runs.histories(
        samples=100,  # samples per run
        keys=["loss", "accuracy"],  # metrics to fetch
        x_axis="_step",  # x-axis metric
        format="pandas",  # a pandas DataFrame
    )
    out = capsys.readouterr().out
    assert "Run state: finished" in out and "/demo/mnist-baselines/runs/" in out
    assert isinstance(histories_df, pd.DataFrame)
    assert {"run_id", "_step", "loss", "accuracy"} <= set(histories_df.columns)
    assert set(histories_df["run_id"]) == {run.id for run in runs}


def test_runs_histories_formats(api: wandbkit.Api) -> None:
    # 004 "Runs.histories(samples=500, keys, x_axis, format, stream)": default, polars, system.
    runs = api.runs("demo/mnist-baselines")
    rows = runs.histories(samples=10, keys=["loss"])
    assert isinstance(rows, list) and {"_step", "loss", "run_id"} == set(rows[0])
    polars = pytest.importorskip("polars")
    assert isinstance(runs.histories(samples=10, keys=["loss"], format="polars"), polars.DataFrame)
    system = runs.histories(samples=10, stream="system")
    assert system and all("run_id" in row for row in system)


# -- one run (003 "Run Objects"; 004 "class Run") ----------------------------------------------


def test_scan_history_example(api: wandbkit.Api) -> None:
    # 003/004 "scan_history" example (the demo logs "loss", not "Loss").
    run = api.run(f"demo/mnist-baselines/{first_run_id(api, 'demo/mnist-baselines')}")
    history = run.scan_history(keys=["loss"])
    losses = [row["loss"] for row in history]
    assert len(losses) == run.lastHistoryStep + 1
    window = run.scan_history(keys=["loss"], page_size=1000, min_step=10, max_step=20)
    assert [row["_step"] for row in window] == list(range(10, 20))


def test_run_history(api: wandbkit.Api) -> None:
    # 003/004 "history(samples=500, keys=None, x_axis='_step', pandas=True, stream='default')".
    run = api.run(f"demo/mnist-baselines/{first_run_id(api, 'demo/mnist-baselines')}")
    frame = run.history()
    assert isinstance(frame, pd.DataFrame) and "_step" in frame.columns
    assert len(frame) <= 500
    rows = run.history(samples=500, keys=None, x_axis="_step", pandas=False, stream="default")
    assert isinstance(rows, list) and len(rows) == len(frame)
    assert isinstance(run.history(stream="system"), pd.DataFrame)
    assert len(run.history(samples=5, pandas=False)) <= 5


def test_run_attributes(api: wandbkit.Api) -> None:
    # 003 "Run Objects" attributes; 004 "class Run" attributes and properties.
    run_id = first_run_id(api, "demo/mnist-baselines")
    run = api.run(f"demo/mnist-baselines/{run_id}")
    assert isinstance(run.tags, list)
    assert run.url.endswith(f"/demo/mnist-baselines/runs/{run_id}")
    assert (run.id, run.entity, run.project) == (run_id, "demo", "mnist-baselines")
    assert run.path == ["demo", "mnist-baselines", run_id]
    assert isinstance(run.name, str) and run.state == "finished"
    assert isinstance(run.config, dict) and "lr" in run.config
    assert run.created_at.year >= 2020  # wandb gives the ISO string; wandbkit a datetime
    assert isinstance(run.system_metrics, dict)
    assert run.summary["loss"] == run.summary_metrics["loss"]
    assert run.user is not None and run.user.username == "demo"
    assert run.notes is None or isinstance(run.notes, str)
    assert run.read_only is False
    assert run.history_keys["lastStep"] == run.lastHistoryStep
    assert "loss" in run.history_keys["keys"]
    assert isinstance(run.metadata, dict)
    assert isinstance(run.storage_id, str) and run.storage_id != run.id
    assert isinstance(run.project_internal_id, int)
    with pytest.warns(DeprecationWarning):
        assert run.username == "demo"
    assert run.load(force=True) is not None
    assert run.to_html(height=420, hidden=False).startswith("<iframe")
    run.wait_until_finished()


def test_run_files(api: wandbkit.Api, tmp_path: Path) -> None:
    # 003 "files(names=[], per_page=50)", "file(name)"; "File Objects": name, url, md5,
    # mimetype, updated_at, size, download(root='.', replace=False).
    run = api.run(f"demo/mnist-baselines/{first_run_id(api, 'demo/mnist-baselines')}")
    files = list(run.files())
    assert files
    first = files[0]
    assert [f.name for f in run.files(names=[first.name], per_page=50)] == [first.name]
    file = run.file(first.name)
    assert file.url and file.md5 and file.mimetype and file.updated_at and file.size >= 0
    file.download(root=str(tmp_path))
    assert (tmp_path / first.name).is_file()
    with pytest.raises(ValueError):
        file.download(root=str(tmp_path), replace=False)
    file.download(root=str(tmp_path), replace=True)


def test_run_writes(api: wandbkit.Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 003/004 "create", "update", "save", "upload_file(path, root='.')", "delete".
    run = wandbkit.Run.create(api, run_id=None, project="seed-writes", entity="demo")
    assert run.state == "running"
    pending = wandbkit.Run.create(api, project="seed-writes", entity="demo", state="pending")
    assert pending.state == "pending"
    run.tags.append("seeded")
    run.config["lr"] = 0.1
    run.summary["best"] = 0.5
    run.notes = "from the seed pages"
    run.update()
    run.save()
    again = api.run(f"demo/seed-writes/{run.id}")
    assert again.config == {"lr": 0.1} and again.summary["best"] == 0.5
    assert again.tags == ["seeded"] and again.notes == "from the seed pages"
    # upload_file: a run saved "my_dir/file.txt" while working in "my_dir": root="../".
    (tmp_path / "my_dir").mkdir()
    (tmp_path / "my_dir" / "file.txt").write_text("hello")
    monkeypatch.chdir(tmp_path / "my_dir")
    uploaded = run.upload_file("file.txt", root="../")
    assert uploaded.name == "my_dir/file.txt"
    assert pending.delete(delete_artifacts=False) is None
    with pytest.raises(wandbkit.NotFoundError):
        api.run(f"demo/seed-writes/{pending.id}")


def test_logged_and_used_artifacts(api: wandbkit.Api) -> None:
    # 004 "logged_artifacts(per_page=100)" and "used_artifacts(per_page=100)" examples: the
    # wandb.init() half is the SDK's; the demo's first cifar10 run logged, its last used.
    runs = list(api.runs("demo/cifar10-augment", order="+created_at"))
    producer, consumer = runs[0], runs[-1]
    finished_run = api.run(f"{producer.entity}/{producer.project}/{producer.id}")
    logged = [logged_artifact.name for logged_artifact in finished_run.logged_artifacts()]
    assert "images:v0" in logged and "classifier:v1" in logged
    finished_run = api.run(f"{consumer.entity}/{consumer.project}/{consumer.id}")
    used = [used_artifact.name for used_artifact in finished_run.used_artifacts(per_page=100)]
    assert "images:v2" in used


def test_use_and_log_artifact(api: wandbkit.Api) -> None:
    # 003/004 "use_artifact(artifact, use_as=None)", "log_artifact(artifact, aliases, tags)".
    artifact = api.artifact("demo/cifar10-augment/images:v0")
    reader = api.create_run(project="seed-lineage", entity="demo")
    assert reader.use_artifact(artifact).name == "images:v0"
    assert reader.use_artifact(artifact, use_as="training-data").name == "images:v0"
    assert [a.name for a in api.run(f"demo/seed-lineage/{reader.id}").used_artifacts()] == [
        "images:v0"
    ]
    writer = api.create_run(project="cifar10-augment", entity="demo")
    logged = writer.log_artifact(artifact, aliases=["seed-alias"], tags=["seed-tag"])
    assert logged.name == "images:v0"
    again = api.artifact("demo/cifar10-augment/images:seed-alias")
    assert again.version == "v0" and "seed-tag" in again.tags
    again.aliases.remove("seed-alias")
    again.tags.remove("seed-tag")
    again.save()


def test_the_apis_public_import_paths() -> None:
    # 004: `from wandb.apis.public import Api`, `from wandb.apis.public.runs import Runs`.
    from wandbkit.apis.public import Api, Run, Runs
    from wandbkit.apis.public.api import Api as ApiToo
    from wandbkit.apis.public.runs import Run as RunToo
    from wandbkit.apis.public.runs import Runs as RunsToo

    assert Api is wandbkit.Api is ApiToo
    assert (Run, Runs) == (RunToo, RunsToo) == (wandbkit.Run, wandbkit.Runs)


# The two halves of 004's "Run.logged_artifacts" and "Run.used_artifacts" examples: the
# official SDK logs (wandb.init is no part of the public API), wandbkit reads back.
SDK_HALF = """
import json, tempfile
import wandb

with tempfile.NamedTemporaryFile(mode="w", delete=False, suffix=".txt") as tmp:
    tmp.write("This is a test artifact")
    tmp_path = tmp.name
run = wandb.init(project="artifact-example")
artifact = wandb.Artifact("test_artifact", type="dataset")
artifact.add_file(tmp_path)
run.log_artifact(artifact)
run.finish()
logged = [run.entity, run.project, run.id]

run = wandb.init(project="artifact-example")
run.use_artifact("test_artifact:latest")
run.finish()
print(json.dumps({"logged": logged, "used": [run.entity, run.project, run.id]}))
"""


@pytest.mark.official
def test_logged_and_used_artifacts_examples_with_the_official_sdk(
    demo_server: ServerHandle, tmp_path: Path
) -> None:
    pytest.importorskip("wandb", reason="the official wandb client is not installed")
    done = subprocess.run(
        [sys.executable, "-c", SDK_HALF],
        env=official_client_env(demo_server, tmp_path / "home"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=OFFICIAL_CLIENT_TIMEOUT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    runs = json.loads(done.stdout.strip().splitlines()[-1])

    api = wandbkit.Api()

    entity, project, run_id = runs["logged"]
    finished_run = api.run(f"{entity}/{project}/{run_id}")
    names = [logged_artifact.name for logged_artifact in finished_run.logged_artifacts()]
    assert names == ["test_artifact:v0"]

    entity, project, run_id = runs["used"]
    finished_run = api.run(f"{entity}/{project}/{run_id}")
    names = [used_artifact.name for used_artifact in finished_run.used_artifacts()]
    assert names == ["test_artifact:v0"]
