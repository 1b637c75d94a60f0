"""The runs slice replayed from recorded traffic (re-record with `make cassettes`)."""

from __future__ import annotations

import pytest

import wandbkit
from wandbkit import RunState
from wandbkit.errors import NotFoundError

from .conftest import assert_cassettes_hold_no_credentials, recordings_of

CASSETTES = recordings_of(__name__)
PATH = "demo/cifar10-augment"


@pytest.mark.vcr
def test_a_filtered_ordered_lazy_listing_replays_with_its_heavy_fields(
    cassette_api: wandbkit.Api,
) -> None:
    runs = cassette_api.runs(
        PATH, {"state": "finished", "config.lr": {"$lte": 0.01}}, "-summary_metrics.val_acc"
    )
    accuracies = [run.summary["val_acc"] for run in runs]
    assert len(runs) == len(accuracies) >= 2
    assert accuracies == sorted(accuracies, reverse=True)
    assert all(run.state is RunState.FINISHED and run.config["lr"] <= 0.01 for run in runs)


@pytest.mark.vcr
def test_one_run_replays_its_history_and_console_tail(cassette_api: wandbkit.Api) -> None:
    best = cassette_api.runs(PATH, order="-summary_metrics.val_acc", per_page=1)[0]
    run = cassette_api.run(f"{PATH}/{best.id}")
    rows = run.history(samples=20, keys=["val_acc"], pandas=False)
    assert 2 <= len(rows) <= 20 and all(set(row) == {"_step", "val_acc"} for row in rows)
    tail = list(run.console_logs(last=3))
    assert [line.number for line in tail] == [tail[0].number + i for i in range(3)]
    assert tail[-1].content.startswith("[step")


@pytest.mark.vcr
def test_histories_of_several_runs_replay_tagged_by_run(cassette_api: wandbkit.Api) -> None:
    runs = cassette_api.runs(PATH, {"state": "finished"}, "+created_at")
    rows = runs.histories(samples=5, keys=["loss"])
    assert isinstance(rows, list)
    ids = list(dict.fromkeys(row["run_id"] for row in rows))
    assert len(ids) >= 3 and all(set(row) == {"_step", "loss", "run_id"} for row in rows)


@pytest.mark.vcr
def test_a_missing_run_replays_as_not_found(cassette_api: wandbkit.Api) -> None:
    with pytest.raises(NotFoundError, match=f"run '{PATH}/nope' not found"):
        cassette_api.run(f"{PATH}/nope")


def test_run_cassettes_exist_and_hold_no_credentials() -> None:
    assert_cassettes_hold_no_credentials(CASSETTES, 4)
