"""Runs end to end against the local server: list, filter, order, page, read, edit, delete.

Every test runs on both flavours (``flavor``) but one: ``test_sync_runs_over_real_http`` is the
sync ``Api`` over real HTTP to a live server (no in-process transport)."""

from __future__ import annotations

from typing import Any

import pytest

import wandbkit
from wandbkit import RunState
from wandbkit.errors import NotFoundError, NotLoadedError, UsageError
from wandbkit.server.ids import decode_int_id
from wandbkit.server.testing import ServerHandle

from ..support import Flavor, seeded_once

RUNS = [
    # (run id, display name, state, config, summary, tags)
    ("run-a", "baseline", "finished", {"lr": 0.1, "bs": 32}, {"loss": 0.50, "acc": 0.80}, ["base"]),
    ("run-b", "bigger-lr", "finished", {"lr": 0.3, "bs": 32}, {"loss": 0.30, "acc": 0.85}, []),
    ("run-c", "crashed", "crashed", {"lr": 0.01, "bs": 64}, {"loss": 0.90}, ["oops"]),
    ("run-d", "best", "finished", {"lr": 0.05, "bs": 128}, {"loss": 0.10, "acc": 0.95}, ["base"]),
    ("run-e", "live", "running", {"lr": 0.2, "bs": 64}, {"loss": 0.40, "acc": 0.82}, []),
]


async def _seed_runs(flavor: Flavor, app: Any) -> str:
    """Project demo/proj with the five RUNS above, made through ``flavor``; returns its path."""
    api = flavor.api
    for run_id, name, state, config, summary, tags in RUNS:
        run = await flavor(api.create_run(run_id=run_id, project="proj"))
        run.name = name
        run.tags = tags
        run.config.update(config)
        await flavor(run.update())
        await flavor(run.summary.update(summary))
        # The public API has no way to set a state (runs report their own): the store can.
        app.state.store.runs.update(decode_int_id(run.storage_id, "Run"), state=state)
    flavor.transport.clear()
    return f"{flavor.seed.entity}/proj"


@pytest.fixture(scope="module")
def shared_app() -> tuple[Any, Any]:
    """A server holding project demo/proj with the five RUNS above, seeded once for the tests
    that only read it."""
    return seeded_once(_seed_runs)


@pytest.fixture
def runs_of(shared_flavor: Flavor) -> tuple[Flavor, str]:
    """A client on the shared server with the five RUNS, and their project's path."""
    return shared_flavor, f"{shared_flavor.seed.entity}/proj"


@pytest.fixture
async def fresh_runs_of(flavor: Flavor, seeded_app: tuple[Any, Any]) -> tuple[Flavor, str]:
    """``runs_of`` on a server of its own, for a test that changes it."""
    return flavor, await _seed_runs(flavor, seeded_app[0])


async def test_listing_runs_lazily_pages_and_counts(runs_of: Any) -> None:
    flavor, path = runs_of
    api, transport = flavor.api, flavor.transport
    runs = api.runs(path, per_page=2)
    assert transport.operations == []
    ids = [run.id for run in await flavor.list(runs)]
    assert ids == ["run-a", "run-b", "run-c", "run-d", "run-e"]
    assert len(runs) == 5
    assert transport.operations == ["GetRuns"] * 3


async def test_filters_and_order_are_evaluated_by_the_server(runs_of: Any) -> None:
    flavor, path = runs_of
    api = flavor.api
    runs = api.runs(path, {"config.lr": {"$gte": 0.05}}, order="-summary_metrics.acc")
    assert [run.id for run in await flavor.list(runs)] == ["run-d", "run-b", "run-e", "run-a"]
    tagged = api.runs(path, {"tags": "base"}, order="+config.lr")
    assert [run.id for run in await flavor.list(tagged)] == ["run-d", "run-a"]
    either = api.runs(path, {"$or": [{"display_name": "best"}, {"summary_metrics.loss": 0.9}]})
    assert sorted([run.id for run in await flavor.list(either)]) == ["run-c", "run-d"]


async def test_lazy_runs_load_config_for_the_whole_page_in_one_request(runs_of: Any) -> None:
    flavor, path = runs_of
    api, transport = flavor.api, flavor.transport
    runs = await flavor(api.runs(path, per_page=5).load())
    first = runs.objects[0]
    if flavor.is_async:
        with pytest.raises(NotLoadedError, match="upgrade_to_full"):
            _ = first.config
        await first.load_full_data()
    # The sync flavour loads the page's heavy fields on this first read.
    assert first.config["lr"] == 0.1
    assert transport.operations == ["GetRuns", "GetRunsHeavy"]
    assert all(run.loaded for run in runs.objects)
    assert {run.id: run.config["lr"] for run in runs.objects}["run-b"] == 0.3
    assert runs.objects[3].summary["acc"] == 0.95


async def test_full_listing_brings_config_and_summary_along(runs_of: Any) -> None:
    flavor, path = runs_of
    api, transport = flavor.api, flavor.transport
    runs = await flavor(api.runs(path, lazy=False).to_list())
    assert transport.operations == ["GetRunsFull"]
    best = next(run for run in runs if run.id == "run-d")
    assert best.config == {"lr": 0.05, "bs": 128}
    assert dict(best.summary) == {"loss": 0.10, "acc": 0.95}
    assert best.name == "best" and best.tags == ["base"]


async def test_server_side_key_selection_keeps_only_the_named_keys(runs_of: Any) -> None:
    flavor, path = runs_of
    api = flavor.api
    runs = await flavor(
        api.runs(path, lazy=False, config_keys=["lr"], summary_keys=["acc"]).to_list()
    )
    assert runs[0].config == {"lr": 0.1}
    assert dict(runs[0].summary) == {"acc": 0.80}
    with pytest.raises(UsageError, match="partial"):
        await flavor(runs[0].update())


async def test_one_run_by_path_is_typed_and_fully_loaded(runs_of: Any) -> None:
    flavor, path = runs_of
    api = flavor.api
    run = await flavor(api.run(f"{path}/run-b"))
    assert run.loaded and run.state in (RunState.FINISHED, RunState.RUNNING)
    assert run.path == [*path.split("/"), "run-b"]
    assert run.url.endswith(f"/{path}/runs/run-b")
    assert run.created_at.tzinfo is not None
    assert run.user is not None and run.user.username == path.split("/")[0]
    same = await flavor(api.run(f"https://wandb.ai/{path}/runs/run-b"))
    assert same == run


async def test_editing_a_run_persists_every_field_in_one_request(fresh_runs_of: Any) -> None:
    flavor, path = fresh_runs_of
    api, transport = flavor.api, flavor.transport
    run = await flavor(api.run(f"{path}/run-a"))
    transport.clear()
    run.name = "renamed"
    run.tags.append("promoted")
    run.notes = "looks good"
    run.group = "g1"
    run.job_type = "train"
    run.config["epochs"] = 10
    run.summary["best"] = 1
    await flavor(run.update())
    assert transport.operations == ["UpsertRun"]
    again = await flavor(api.run(f"{path}/run-a"))
    assert (again.name, again.tags, again.notes, again.group, again.job_type) == (
        "renamed",
        ["base", "promoted"],
        "looks good",
        "g1",
        "train",
    )
    assert again.config["epochs"] == 10 and again.summary["best"] == 1


async def test_deleting_a_run_makes_it_not_found(fresh_runs_of: Any) -> None:
    flavor, path = fresh_runs_of
    api = flavor.api
    run = await flavor(api.run(f"{path}/run-c"))
    await flavor(run.delete())
    with pytest.raises(NotFoundError, match=f"run '{path}/run-c' not found"):
        await flavor(api.run(f"{path}/run-c"))
    assert len(await flavor(api.runs(path).load())) == 4


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"filters": {"config.lr": {"$gte2": 1}}}, "unknown operator"),
        ({"filters": {"$and": {"state": "x"}}}, r"\$and"),
        ({"filters": "state=finished"}, "filters"),
        ({"order": "-summary_metrics"}, "order"),
        ({"order": "+bogus_field"}, "order"),
        ({"per_page": 0}, "per_page"),
        ({"path": "a/b/c"}, "path"),
    ],
)
async def test_bad_runs_arguments_fail_before_any_request(
    runs_of: Any, kwargs: dict[str, Any], message: str
) -> None:
    flavor, path = runs_of
    api, transport = flavor.api, flavor.transport
    call = {"path": path, **kwargs}
    with pytest.raises(UsageError, match=message):
        api.runs(**call)
    assert transport.operations == []


async def test_missing_project_and_run_are_not_found(runs_of: Any) -> None:
    flavor, path = runs_of
    api = flavor.api
    entity = path.split("/")[0]
    with pytest.raises(NotFoundError, match=f"project '{entity}/nope' not found"):
        await flavor(api.runs(f"{entity}/nope").load())
    with pytest.raises(NotFoundError, match=f"run '{path}/zzz' not found"):
        await flavor(api.run(f"{path}/zzz"))


def test_sync_runs_over_real_http(api: wandbkit.Api, live_server: ServerHandle) -> None:
    run = api.create_run(run_id="sync-1", project="p")
    run.config["lr"] = 0.5
    run.update()
    run.summary.update({"loss": 0.25})
    listed = api.runs(f"{live_server.seed.entity}/p")
    assert len(listed) == 1
    (only,) = list(listed)
    assert only.config == {"lr": 0.5}  # lazy: loads the page's heavy fields on first read
    assert only.summary["loss"] == 0.25
    assert only.state == "running"
    assert api.from_path(f"{live_server.seed.entity}/p/sync-1") == only
