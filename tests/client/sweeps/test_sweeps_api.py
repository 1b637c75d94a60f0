"""Sweeps end to end against the local server: one by path, a project's sweeps, a sweep's runs
and best run, a run's sweep, and runs listed with their sweeps.

Every test runs on both flavours (``flavor``) but two: ``test_an_unloaded_sweep_says_so`` is the
async flavour's "not loaded yet" rule (the sync ``Sweep`` loads on first read instead), and
``test_sync_sweeps_over_real_http`` is the sync ``Api`` over real HTTP to a live server."""

from __future__ import annotations

from typing import Any

import pytest

import wandbkit
from wandbkit.errors import GraphQLError, NotFoundError, NotLoadedError, UsageError
from wandbkit.server.ids import decode_int_id
from wandbkit.server.testing import ServerHandle

from ..support import Flavor, flavored_api, seeded_once

GRID = """\
name: lr-grid
method: grid
metric:
  name: val_loss
  goal: minimize
parameters:
  lr:
    values: [0.1, 0.01, 0.001]
"""
BAYES = "method: bayes\nmetric: {name: acc, goal: maximize}\n"

#: run id -> (sweep, val_loss, acc)
RUNS: dict[str, tuple[str | None, float, float]] = {
    "g1": ("grid1", 0.50, 0.70),
    "g2": ("grid1", 0.20, 0.90),
    "g3": ("grid1", 0.35, 0.80),
    "b1": ("bayes2", 0.40, 0.95),
    "solo": (None, 0.10, 0.99),
}


async def _seed_tune(flavor: Flavor, app: Any) -> None:
    """Project demo/tune: a grid sweep of three runs, a Bayesian sweep of one, an empty
    random sweep, and a run of no sweep; made through ``flavor`` and the store."""
    store = app.state.store
    api, transport = flavor.api, flavor.transport
    for run_id, (sweep, loss, acc) in RUNS.items():
        run = await flavor(api.create_run(run_id=run_id, project="tune"))
        await flavor(run.summary.update({"val_loss": loss, "acc": acc}))
        store.runs.update(decode_int_id(run.storage_id, "Run"), sweep_name=sweep)
    project = store.projects.get(store.entities.get("demo").pk, "tune")
    store.sweeps.create(
        project.pk,
        "grid1",
        config=GRID,
        method="grid",
        state="FINISHED",
        run_count_expected=3,
        best_loss=0.2,
    )
    store.sweeps.create(
        project.pk, "bayes2", config=BAYES, method="bayes", display_name="Bayes search"
    )
    store.sweeps.create(project.pk, "empty3", config="method: random\n", method="random")
    transport.clear()


@pytest.fixture(scope="module")
def shared_app() -> tuple[Any, Any]:
    """The server of ``_seed_tune``, seeded once for the tests that only read it."""
    return seeded_once(_seed_tune)


@pytest.fixture
def env(shared_flavor: Flavor) -> tuple[Flavor, Any, Any]:
    """``(flavor, api, transport)`` on the shared server holding project demo/tune."""
    return shared_flavor, shared_flavor.api, shared_flavor.transport


@pytest.fixture
async def fresh_env(flavor: Flavor, seeded_app: tuple[Any, Any]) -> tuple[Flavor, Any, Any]:
    """``env`` on a server of its own, for a test that changes it."""
    await _seed_tune(flavor, seeded_app[0])
    return flavor, flavor.api, flavor.transport


async def test_a_sweep_by_path_is_typed_with_its_yaml_config(env: Any) -> None:
    flavor, api, transport = env
    sweep = await flavor(api.sweep("demo/tune/grid1"))
    assert transport.operations == ["GetSweep"]
    assert (sweep.id, sweep.method, sweep.state) == ("grid1", "grid", "FINISHED")
    assert sweep.config["parameters"]["lr"]["values"] == [0.1, 0.01, 0.001]
    assert sweep.name == "lr-grid"  # no display name: the config's name
    assert sweep.order == "+summary_metrics.val_loss"
    assert (sweep.run_count, sweep.expected_run_count, sweep.best_loss) == (3, 3, 0.2)
    assert sweep.path == ["demo", "tune", "grid1"]
    assert sweep.url.endswith("/demo/tune/sweeps/grid1")
    assert sweep.created_at.tzinfo is not None
    same = await flavor(api.from_path("https://wandb.test/demo/tune/sweeps/grid1"))
    assert same == sweep and "FINISHED" in repr(sweep)


async def test_names_and_orders_follow_the_display_name_and_the_metric_goal(env: Any) -> None:
    flavor, api, _ = env
    bayes = await flavor(api.sweep("tune/bayes2"))
    assert bayes.name == "Bayes search" and bayes.order == "-summary_metrics.acc"
    empty = await flavor(api.sweep("demo/tune/sweeps/empty3"))
    assert empty.name == "empty3" and empty.order is None and empty.run_count == 0


async def test_a_sweeps_runs_and_its_best_run(env: Any) -> None:
    flavor, api, transport = env
    sweep = await flavor(api.sweep("demo/tune/grid1"))
    transport.clear()
    assert [run.id for run in await flavor.list(sweep.runs)] == ["g1", "g2", "g3"]
    best = await flavor(sweep.best_run())
    assert best is not None and best.id == "g2"  # lowest val_loss
    by_acc = await flavor(sweep.best_run(order="-summary_metrics.acc"))
    assert by_acc is not None and by_acc.id == "g2"
    worst = await flavor(sweep.best_run(order="-summary_metrics.val_loss"))
    assert worst is not None and worst.id == "g1"
    assert transport.operations == ["GetRuns"] * 4
    empty = await flavor(api.sweep("demo/tune/empty3"))
    assert await flavor(empty.best_run()) is None  # no metric, no order
    assert await flavor(empty.best_run(order="+created_at")) is None  # no runs


async def test_missing_sweeps_are_not_found_and_bad_paths_fail_first(env: Any) -> None:
    flavor, api, transport = env
    with pytest.raises(NotFoundError, match="sweep 'demo/tune/nope' not found"):
        await flavor(api.sweep("demo/tune/nope"))
    with pytest.raises(NotFoundError, match="project 'demo/ghost' not found"):
        await flavor(api.sweep("demo/ghost/grid1"))
    transport.clear()
    for bad in ("demo/tune/runs/g1", "a/b/c/d/e", "demo/tune/bad id"):
        with pytest.raises(UsageError):
            await flavor(api.sweep(bad))
    assert transport.requests == []


async def test_a_projects_sweeps_page_with_their_count(env: Any) -> None:
    flavor, api, transport = env
    sweeps = api.project("tune", entity="demo").sweeps(per_page=2)
    assert [s.id for s in await flavor.list(sweeps)] == ["grid1", "bayes2", "empty3"]
    assert len(sweeps) == 3 and sweeps.pages_loaded == 2
    assert transport.operations == ["GetSweeps", "GetSweeps"]
    assert sweeps.objects[1].display_name == "Bayes search"  # loaded with the page
    with pytest.raises(GraphQLError, match="accepts only an empty filter"):
        await flavor(
            api.project("tune", entity="demo").sweeps(filters={"state": "RUNNING"}).to_list()
        )
    # Any order is accepted, as wandb accepts it; one the server cannot apply warns.
    with pytest.warns(UserWarning, match="the order is not applied"):
        api.project("tune", entity="demo").sweeps(order="-created_at")


async def test_a_runs_sweep_loads_once_and_a_run_without_one_has_none(env: Any) -> None:
    flavor, api, transport = env
    run = await flavor(api.run("demo/tune/g3"))
    transport.clear()
    sweep = await flavor(run.sweep)
    assert sweep is not None and sweep.id == "grid1" and sweep.method == "grid"
    assert await flavor(run.get_sweep()) is sweep
    assert transport.operations == ["GetSweep"]
    solo = await flavor(api.run("demo/tune/solo"))
    assert await flavor(solo.sweep) is None


async def test_runs_listed_with_include_sweeps_come_with_their_sweeps(env: Any) -> None:
    flavor, api, transport = env
    runs = api.runs("demo/tune", include_sweeps=True)
    listed = await flavor.list(runs)
    # One listing, then one GetSweep per distinct sweep, however many runs share it.
    assert transport.operations == ["GetRuns", "GetSweep", "GetSweep"]
    transport.clear()
    sweeps = {run.id: await flavor(run.sweep) for run in listed}
    assert transport.operations == []
    assert {rid: s.id if s else None for rid, s in sweeps.items()} == {
        rid: sweep for rid, (sweep, _, _) in RUNS.items()
    }
    assert sweeps["g1"] is sweeps["g2"]


async def test_a_run_naming_an_unknown_sweep_still_lists(
    fresh_env: Any, seeded_app: tuple[Any, Any]
) -> None:
    flavor, api, _ = fresh_env
    store = seeded_app[0].state.store
    orphan = await flavor(api.create_run(run_id="orphan", project="tune"))
    store.runs.update(decode_int_id(orphan.storage_id, "Run"), sweep_name="gone9")
    listed = {run.id: run for run in await flavor.list(api.runs("demo/tune", include_sweeps=True))}
    assert "orphan" in listed and (await flavor(listed["g1"].sweep)) is not None
    with pytest.raises(NotFoundError, match="sweep 'demo/tune/gone9' not found"):
        await flavor(listed["orphan"].sweep)


async def test_a_config_that_is_not_yaml_fails_clearly_but_keeps_the_name(
    fresh_env: Any, seeded_app: tuple[Any, Any]
) -> None:
    flavor, api, _ = fresh_env
    store = seeded_app[0].state.store
    project = store.projects.get(store.entities.get("demo").pk, "tune")
    store.sweeps.create(project.pk, "broken4", config="method: [unclosed", method="grid")
    sweep = await flavor(api.sweep("demo/tune/broken4"))
    assert sweep.name == "broken4"
    with pytest.raises(UsageError, match="not valid YAML"):
        _ = sweep.config
    store.sweeps.create(project.pk, "list5", config="- a\n- b\n", method="grid")
    with pytest.raises(UsageError, match="not a YAML mapping"):
        _ = (await flavor(api.sweep("demo/tune/list5"))).config


async def test_an_unloaded_sweep_says_so(shared_app: tuple[Any, Any]) -> None:
    app, seed = shared_app
    async with flavored_api(app, seed, "async") as flavor:
        api = flavor.api
        from wandbkit._async.sweeps import AsyncSweep

        lazy = AsyncSweep(api._ctx, "demo", "tune", "grid1")
        with pytest.raises(NotLoadedError, match=r"await sweep\.load"):
            _ = lazy.method
        assert (await lazy.load()).method == "grid"


def test_sync_sweeps_over_real_http(api: wandbkit.Api, live_server: ServerHandle) -> None:
    store = live_server.store
    entity = live_server.seed.entity
    for run_id, loss in (("s1", 0.3), ("s2", 0.1)):
        run = api.create_run(run_id=run_id, project="sync-tune")
        run.summary.update({"val_loss": loss})
        store.runs.update(decode_int_id(run.storage_id, "Run"), sweep_name="sw")
    project = store.projects.get(store.entities.get(entity).pk, "sync-tune")
    store.sweeps.create(project.pk, "sw", config=GRID, method="grid")
    sweep = api.sweep(f"{entity}/sync-tune/sw")
    assert sweep.name == "lr-grid" and [r.id for r in sweep.runs] == ["s1", "s2"]
    best = sweep.best_run()
    assert best is not None and best.id == "s2"
    assert api.run(f"{entity}/sync-tune/s1").sweep == sweep
    sweeps = api.project("sync-tune").sweeps()
    assert len(sweeps) == 1 and [s.id for s in sweeps] == ["sw"]
