"""Run history: pages, downsampling, sampled history, parquet live data, keys, events."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from wandbkit.server.history import downsample, downsample_indices
from wandbkit.server.store import RunRow, StoreError
from wandbkit.server.testing import add_run

from ..conftest import Data, PostGraphQL, ServerApp
from ..runs_support import PATH, RUN, error_of, variables

STEPS = 100


def logged_rows() -> list[dict[str, Any]]:
    """100 steps: loss and lr on every step, val_loss on every 10th, a string now and then."""
    rows: list[dict[str, Any]] = []
    for step in range(STEPS):
        row: dict[str, Any] = {
            "_step": step,
            "_runtime": step * 0.5,
            "_timestamp": 1_700_000_000 + step * 0.5,
            "loss": round(2.0 * 0.97**step, 6),
            "lr": 0.001,
        }
        if step % 10 == 9:
            row["val_loss"] = round(2.1 * 0.97**step, 6)
        if step % 25 == 0:
            row["phase"] = "warmup" if step < 50 else "main"
        rows.append(row)
    return rows


@pytest.fixture
def run(server_app: ServerApp) -> RunRow:
    return add_run(server_app.store, PATH, "hist", history=logged_rows())


async def history(gql: PostGraphQL, data: Data, arguments: str) -> list[dict[str, Any]]:
    body = data(await gql(RUN % f"history({arguments})", variables(name="hist")))
    lines = body["project"]["run"]["history"]
    assert all(isinstance(line, str) for line in lines)  # JSON strings, as W&B sends them
    return [json.loads(line) for line in lines]


async def sampled(gql: PostGraphQL, data: Data, *specs: dict[str, Any]) -> list[Any]:
    query = """
    query ($entity: String!, $project: String!, $name: String!, $specs: [JSONString!]!) {
      project(name: $project, entityName: $entity) {
        run(name: $name) { sampledHistory(specs: $specs) }
      }
    }
    """
    body = data(await gql(query, variables(name="hist", specs=[json.dumps(s) for s in specs])))
    result: list[Any] = body["project"]["run"]["sampledHistory"]
    return result


@pytest.mark.parametrize(
    ("min_step", "max_step", "samples", "expected"),
    [
        (0, 4, 4, [0, 1, 2, 3]),  # half-open: maxStep itself is not included
        (4, 8, 4, [4, 5, 6, 7]),
        (8, 10, 2, [8, 9]),
        (95, 200, 10, [95, 96, 97, 98, 99]),
        (10, 50, 3, [10, 11, 12]),  # samples is the page size
        (50, 50, 10, []),
    ],
)
async def test_history_with_a_step_range_is_a_half_open_page(
    gql: PostGraphQL,
    data: Data,
    run: RunRow,
    min_step: int,
    max_step: int,
    samples: int,
    expected: list[int],
) -> None:
    rows = await history(gql, data, f"minStep: {min_step}, maxStep: {max_step}, samples: {samples}")
    assert [row["_step"] for row in rows] == expected
    assert rows == [logged_rows()[step] for step in expected]


async def test_paging_like_wandb_core_reads_every_row_once(
    gql: PostGraphQL, data: Data, run: RunRow
) -> None:
    seen: list[dict[str, Any]] = []
    for start in range(0, STEPS, 7):
        seen += await history(gql, data, f"minStep: {start}, maxStep: {start + 7}, samples: 7")
    assert seen == logged_rows()


@pytest.mark.parametrize("samples", [1, 2, 3, 10, 33, 99])
async def test_history_without_a_range_is_downsampled_evenly_keeping_first_and_last(
    gql: PostGraphQL, data: Data, run: RunRow, samples: int
) -> None:
    rows = await history(gql, data, f"samples: {samples}")
    assert len(rows) == samples
    steps = [row["_step"] for row in rows]
    assert steps == sorted(steps) and steps[0] == 0
    if samples > 1:
        assert steps[-1] == STEPS - 1
        gaps = {b - a for a, b in itertools.pairwise(steps)}
        assert max(gaps) - min(gaps) <= 1  # evenly spaced
    assert rows == [logged_rows()[i] for i in downsample_indices(STEPS, samples)]


@pytest.mark.parametrize("samples", [0, 1, 2, 7, 49, 50, 99, 100, 500])
def test_sampled_store_rows_are_the_downsampled_rows_with_or_without_step_gaps(
    server_app: ServerApp, samples: int
) -> None:
    # Rows are found by position in their blocks, whatever the steps: gaps and a first step
    # above 0 must give exactly downsample(history_rows) too.
    store = server_app.store
    contiguous = add_run(store, PATH, "contiguous", history=logged_rows())
    gapped = add_run(store, PATH, "gapped", history=[{"_step": 3 * i, "x": i} for i in range(50)])
    shifted = add_run(store, PATH, "shifted", history=[{"_step": 10 + i} for i in range(60)])
    for run in (contiguous, gapped, shifted):
        rows = store.history.rows(run.pk)
        sampled = store.history.rows_sampled(run.pk, samples)
        assert sampled == downsample(rows, samples), run.name


async def test_history_returns_everything_when_samples_exceed_the_rows_and_defaults_to_500(
    gql: PostGraphQL, data: Data, server_app: ServerApp, run: RunRow
) -> None:
    assert await history(gql, data, "samples: 1000") == logged_rows()
    long = [{"x": i} for i in range(600)]
    add_run(server_app.store, PATH, "long", history=long)
    body = data(await gql(RUN % "history", variables(name="long")))
    assert len(body["project"]["run"]["history"]) == 500
    negative = error_of(await gql(RUN % "history(samples: -1)", variables(name="hist")))
    assert negative["extensions"]["code"] == "BAD_USER_INPUT"


async def test_sampled_history_has_only_rows_with_all_keys_and_inclusive_bounds(
    gql: PostGraphQL, data: Data, run: RunRow
) -> None:
    # wandb-core's page spec: _step twice, maxStep inclusive.
    spec = {"keys": ["_step", "loss", "val_loss", "_step"], "minStep": 9, "maxStep": 29}
    (rows,) = await sampled(gql, data, {**spec, "samples": 100})
    assert rows == [
        {
            "_step": step,
            "loss": logged_rows()[step]["loss"],
            "val_loss": logged_rows()[step]["val_loss"],
        }
        for step in (9, 19, 29)
    ]
    (one,) = await sampled(
        gql, data, {"keys": ["_step", "loss"], "minStep": 9, "maxStep": 9, "samples": 1}
    )
    assert one == [{"_step": 9, "loss": logged_rows()[9]["loss"]}]


async def test_sampled_history_downsamples_to_samples_keeping_first_and_last(
    gql: PostGraphQL, data: Data, run: RunRow
) -> None:
    everything, few, default = await sampled(
        gql,
        data,
        {"keys": ["_step", "loss"], "samples": 100},
        {"keys": ["_step", "loss"], "samples": 10},
        {"keys": ["val_loss"]},
    )
    assert [row["_step"] for row in everything] == list(range(STEPS))
    assert len(few) == 10 and few[0] == everything[0] and few[-1] == everything[-1]
    assert few == [everything[i] for i in downsample_indices(STEPS, 10)]
    assert default == [{"val_loss": row["val_loss"]} for row in logged_rows() if "val_loss" in row]


async def test_sampled_history_of_a_key_never_logged_is_empty(
    gql: PostGraphQL, data: Data, run: RunRow
) -> None:
    assert await sampled(gql, data, {"keys": ["_step", "nope"], "samples": 5}) == [[]]
    strings = (await sampled(gql, data, {"keys": ["phase"], "samples": 10}))[0]
    assert strings == [
        {"phase": "warmup"},
        {"phase": "warmup"},
        {"phase": "main"},
        {"phase": "main"},
    ]


@pytest.mark.parametrize(
    "spec",
    [
        {"samples": 3},
        {"keys": [], "samples": 3},
        {"keys": "loss"},
        {"keys": ["loss"], "samples": "many"},
        {"keys": ["loss"], "minStep": 1.5},
        [1, 2],
    ],
)
async def test_a_bad_sampled_history_spec_is_a_bad_user_input_error(
    gql: PostGraphQL, run: RunRow, spec: Any
) -> None:
    query = """
    query ($specs: [JSONString!]!) {
      project(name: "runs-test", entityName: "demo") {
        run(name: "hist") { sampledHistory(specs: $specs) }
      }
    }
    """
    error = error_of(await gql(query, {"specs": [json.dumps(spec)]}))
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_parquet_history_has_no_urls_and_every_step_live(
    gql: PostGraphQL, data: Data, run: RunRow
) -> None:
    fields = """
      steps: parquetHistory(liveKeys: ["_step"]) { parquetUrls liveData }
      more: parquetHistory(liveKeys: ["_step", "val_loss"]) { liveData }
    """
    body = data(await gql(RUN % fields, variables(name="hist")))["project"]["run"]
    assert body["steps"] == {"parquetUrls": [], "liveData": [{"_step": s} for s in range(STEPS)]}
    assert body["more"]["liveData"][:10] == [{"_step": s} for s in range(9)] + [
        {"_step": 9, "val_loss": logged_rows()[9]["val_loss"]}
    ]


def number(count: int) -> dict[str, Any]:
    return {"typeCounts": [{"type": "number", "count": count}]}


async def test_history_keys_count_types_and_know_the_last_step(
    gql: PostGraphQL, data: Data, server_app: ServerApp, run: RunRow
) -> None:
    body = data(await gql(RUN % "historyKeys historyLineCount", variables(name="hist")))
    keys = body["project"]["run"]["historyKeys"]
    assert keys["lastStep"] == STEPS - 1
    assert body["project"]["run"]["historyLineCount"] == STEPS
    assert keys["keys"]["loss"] == number(STEPS)
    assert keys["keys"]["_step"] == number(STEPS)
    assert keys["keys"]["val_loss"] == number(10)
    assert keys["keys"]["phase"] == {"typeCounts": [{"type": "string", "count": 4}]}
    # More history moves lastStep on and adds to the counts.
    server_app.store.history.append(run.pk, [{"loss": 0.1, "phase": 3}])
    keys = data(await gql(RUN % "historyKeys", variables(name="hist")))["project"]["run"][
        "historyKeys"
    ]
    assert keys["lastStep"] == STEPS
    assert keys["keys"]["phase"]["typeCounts"] == [
        {"type": "string", "count": 4},
        {"type": "number", "count": 1},
    ]


async def test_a_run_without_history_has_empty_answers(
    gql: PostGraphQL, data: Data, server_app: ServerApp
) -> None:
    add_run(server_app.store, PATH, "empty")
    fields = """historyKeys history(samples: 5) page: history(minStep: 0, maxStep: 9)
      sampledHistory(specs: ["{\\"keys\\": [\\"loss\\"]}"]) events
      parquetHistory(liveKeys: ["_step"]) { liveData parquetUrls }"""
    body = data(await gql(RUN % fields, variables(name="empty")))["project"]["run"]
    assert body == {
        "historyKeys": {"lastStep": -1, "keys": {}},
        "history": [],
        "page": [],
        "sampledHistory": [[]],
        "events": [],
        "parquetHistory": {"liveData": [], "parquetUrls": []},
    }


async def test_events_are_system_metric_rows_as_json_strings(
    gql: PostGraphQL, data: Data, server_app: ServerApp, run: RunRow
) -> None:
    events = [{"system.cpu": i, "_runtime": i * 30.0, "_timestamp": 1e9 + i} for i in range(20)]
    assert server_app.store.history.append_events(run.pk, events) == 20
    body = data(await gql(RUN % "all: events few: events(samples: 4)", variables(name="hist")))
    got = body["project"]["run"]
    assert [json.loads(e) for e in got["all"]] == events
    assert [json.loads(e)["system.cpu"] for e in got["few"]] == [0, 6, 13, 19]


def test_history_steps_must_increase_and_bookkeeping_is_filled_in(server_app: ServerApp) -> None:
    store = server_app.store
    run = add_run(store, PATH, "steps")
    run = store.history.append(run.pk, [{"a": 1}, {"_step": 5, "a": 2}], update_summary=True)
    assert (run.last_step, run.history_line_count) == (5, 2)
    rows = [json.loads(text) for text in store.history.rows(run.pk)]
    assert [row["_step"] for row in rows] == [0, 5]
    assert all("_runtime" in row and "_timestamp" in row for row in rows)
    assert json.loads(run.summary)["a"] == 2 and json.loads(run.summary)["_step"] == 5
    for bad in ({"_step": 5}, {"_step": 3}, {"_step": "6"}, {"_step": True}):
        with pytest.raises(StoreError, match="_step"):
            store.history.append(run.pk, [bad])
    assert store.runs.get_by_pk(run.pk) == run  # nothing half-written
