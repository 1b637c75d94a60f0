"""The report helpers wandb exports (QueryGenerator, PythonMongoishQueryGenerator,
PanelMetricsHelper) and the report spec logic (run set queries, URLs, paths), as tables.
The filters they make are accepted by the run filter language."""

from __future__ import annotations

from typing import Any

import pytest

from wandbkit import PanelMetricsHelper, PythonMongoishQueryGenerator, QueryGenerator
from wandbkit._values.report_queries import without_empty
from wandbkit._values.reports import (
    report_id_from_slug,
    report_slug,
    report_url,
    run_set_query,
    sections_of,
)
from wandbkit.errors import UsageError
from wandbkit.filters import validate_run_filters

Q = QueryGenerator()


@pytest.mark.parametrize(
    ("key", "order"),
    [
        ("loss", "-summary_metrics.loss"),
        ("+loss", "+summary_metrics.loss"),
        ("-acc.top1", "-summary_metrics.acc.top1"),
        ("+config.lr", "+config.lr"),
        ("tags.x", "-tags.x"),
        ("+createdAt", "+createdAt"),
        ("name", "-name"),
    ],
)
def test_format_order_key(key: str, order: str) -> None:
    assert QueryGenerator.format_order_key(key) == order


@pytest.mark.parametrize(
    ("key", "path"),
    [
        ({"section": "config", "name": "lr"}, "config.lr"),
        ({"section": "summary", "name": "acc"}, "summary_metrics.acc"),
        ({"section": "keys_info", "name": "loss"}, "keys_info.keys.loss"),
        ({"section": "run", "name": "createdAt"}, "createdAt"),
        ({"section": "tags", "name": "best"}, "tags.best"),
    ],
)
def test_keys_and_server_paths_round_trip(key: dict[str, str], path: str) -> None:
    assert Q.key_to_server_path(key) == path
    assert Q.server_path_to_key(path) == key


def test_unknown_sections_and_orders_are_refused() -> None:
    with pytest.raises(UsageError, match="key must have a section"):
        Q.key_to_server_path({"section": "nope", "name": "x"})
    with pytest.raises(UsageError, match=r"must start with \+ or -"):
        Q.order_to_keys(["name"])


def test_sort_keys_and_orders_convert_both_ways() -> None:
    keys = Q.order_to_keys(["+name", "-createdAt"])
    assert keys == {
        "keys": [
            {"key": {"section": "run", "name": "name"}, "ascending": True},
            {"key": {"section": "run", "name": "createdAt"}, "ascending": False},
        ]
    }
    assert Q.keys_to_order(keys) == ["+name", "-createdAt"]


def leaf(section: str, name: str, op: str, value: Any, disabled: bool = False) -> dict[str, Any]:
    return {
        "key": {"section": section, "name": name},
        "op": op,
        "value": value,
        "disabled": disabled,
    }


TREE = {
    "op": "OR",
    "filters": [
        {
            "op": "AND",
            "filters": [
                leaf("run", "state", "=", "finished"),
                leaf("config", "lr", "<", 0.1),
                leaf("summary", "acc", ">=", 0.9),
                leaf("tags", "best", "=", True),
                leaf("run", "group", "=", "x", disabled=True),
                leaf("run", "", "=", "ignored"),
            ],
        }
    ],
}


def test_filter_trees_become_run_filters_the_language_accepts() -> None:
    mongo = without_empty(Q.filter_to_mongo(TREE))
    assert mongo == {
        "$or": [
            {
                "$and": [
                    {"state": "finished"},
                    {"config.lr": {"$lt": 0.1}},
                    {"summary_metrics.acc": {"$gte": 0.9}},
                    {"tags": "best"},
                ]
            }
        ]
    }
    assert validate_run_filters(mongo) == mongo
    assert Q.filter_to_mongo(leaf("tags", "best", "IN", ["a"])) == {"tags": {"$in": ["a"]}}
    assert Q.filter_to_mongo(leaf("tags", "best", "=", False)) == {
        "$or": [{"tags": None}, {"tags": {"$ne": "best"}}]
    }
    with pytest.raises(UsageError, match="filter op must be one of"):
        Q.filter_to_mongo(leaf("run", "state", "~", "x"))


def test_mongo_filters_become_filter_trees() -> None:
    tree = Q.mongo_to_filter(
        {"$or": [{"$and": [{"state": "finished"}, {"config.lr": {"$lt": 1}}]}]}
    )
    assert tree == {
        "op": "OR",
        "filters": [
            {
                "op": "AND",
                "filters": [
                    {"key": {"section": "run", "name": "state"}, "op": "=", "value": "finished"},
                    {"key": {"section": "config", "name": "lr"}, "op": "<", "value": 1},
                ],
            }
        ],
    }
    assert Q.mongo_to_filter(None) is None


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("loss < 0.5", {"$or": [{"$and": [{"summary_metrics.loss": {"$lt": 0.5}}]}]}),
        (
            "State == 'finished' and lr >= 1e-3",
            {"$or": [{"$and": [{"state": "finished"}, {"config.lr.value": {"$gte": 0.001}}]}]},
        ),
        (
            "acc.top1 > .9 or Name != 'x'",
            {
                "$or": [
                    {
                        "$or": [
                            {"summary_metrics.acc.top1": {"$gt": 0.9}},
                            {"displayName": {"$ne": "x"}},
                        ]
                    }
                ]
            },
        ),
        ("Tags in ['a', 'b']", {"$or": [{"$and": [{"tags": {"$in": ["a", "b"]}}]}]}),
        ("delta > -1", {"$or": [{"$and": [{"summary_metrics.delta": {"$gt": -1}}]}]}),
    ],
)
def test_python_expressions_become_run_filters(expression: str, expected: Any) -> None:
    generator = PythonMongoishQueryGenerator({"lr": 0.01})
    assert generator.python_to_mongo(expression) == expected


def test_python_expressions_are_parsed_never_run() -> None:
    generator = PythonMongoishQueryGenerator()
    for bad in ("__import__('os').system('true') == 1", "loss <", "f(x)"):
        with pytest.raises(UsageError):
            generator.python_to_mongo(bad)
    assert generator.back_to_front("config.lr.value") == "lr"
    assert generator.back_to_front("summary_metrics.acc") == "acc"
    assert generator.back_to_front("state") == "State"
    assert generator.pc_front_to_back("Step") == "summary:_step"
    assert generator.pc_back_to_front("summary:_step") == "Step"


@pytest.mark.parametrize(
    ("front", "back", "again"),
    [
        ("c::lr", "config:lr.value", "c::lr"),
        ("c::opt.beta", "config:opt.value.beta", "c::opt.beta"),
        ("s::acc", "summary:acc", "s::acc"),
        ("Created Timestamp", "run:createdAt", "Created Timestamp"),
        ("Step", "summary:_step", "s::_step"),
        ("loss", "summary:loss", "s::loss"),
    ],
)
def test_panel_metric_names(front: str, back: str, again: str) -> None:
    helper = PanelMetricsHelper()
    assert helper.special_front_to_back(front) == back
    assert helper.special_back_to_front(back) == again


def test_panel_metric_plain_names_and_bad_names() -> None:
    helper = PanelMetricsHelper()
    assert helper.front_to_back("Wall Time") == "_timestamp"
    assert helper.back_to_front("_timestamp") == "Wall Time"
    assert helper.special_front_to_back("Index") == "Index"
    assert helper.special_front_to_back(None) is None
    with pytest.raises(UsageError, match=r"config:key\.value"):
        helper.special_back_to_front("config:lr")
    with pytest.raises(UsageError, match="kind:name"):
        helper.special_back_to_front("plain")


def section(tree: list[str], **run_set: Any) -> dict[str, Any]:
    return {
        "name": "s",
        "runSets": [
            {
                "filters": {
                    "op": "OR",
                    "filters": [{"op": "AND", "filters": [leaf("run", "state", "=", "finished")]}],
                },
                "sort": {"key": {"section": "summary", "name": "acc"}, "ascending": False},
                "selections": {"root": 1, "bounds": [], "tree": tree},
                **run_set,
            }
        ],
    }


def test_a_run_set_gives_its_filters_order_and_selection() -> None:
    query = run_set_query(section(["a", "b"]))
    assert query.order == "-summary_metrics.acc"
    assert query.filters == {
        "$or": [{"$and": [{"state": "finished"}, {"name": {"$in": ["a", "b"]}}]}]
    }
    assert run_set_query(section(["a"]), only_selected=False).filters == {
        "$or": [{"$and": [{"state": "finished"}]}]
    }
    bare = run_set_query({"runSets": [{}]})
    assert bare.order == "-createdAt" and bare.filters == {
        "$or": [{"$and": [{"name": {"$in": []}}]}]
    }
    with pytest.raises(UsageError, match=r"one of report\.sections"):
        run_set_query({"name": "no run sets"})
    with pytest.raises(UsageError, match="openRunSet 3"):
        run_set_query({**section([]), "openRunSet": 3})
    assert sections_of({"panelGroups": [{"name": "x"}, 3]}) == [{"name": "x"}]
    assert sections_of({}) == []


def test_report_urls_and_paths() -> None:
    assert report_slug("Loss: ablation (v2)") == "Loss-ablation-v2"
    url = report_url("https://wandb.ai", "team", "proj", "Loss: ablation (v2)", "Vmlldzox=")
    assert url == "https://wandb.ai/team/proj/reports/Loss-ablation-v2--Vmlldzox"
    assert report_url("https://wandb.ai", "t", "p", None, "x") is None
    assert report_id_from_slug("Loss-ablation-v2--Vmlldzox") == "Vmlldzox"
    assert report_id_from_slug("T--Vmlldzo0NQ") == "Vmlldzo0NQ=="
    with pytest.raises(UsageError, match="ends in '<Title>--<id>'"):
        report_id_from_slug("no-id-here")
