"""``wandbkit registry …``, ``wandbkit sweep …`` and ``wandbkit report …`` against the demo
workspace: what each lists, its filters, bad arguments (exit 2) and missing objects (exit 1)."""

from __future__ import annotations

import pytest

from wandbkit.server.testing import ServerHandle

from .support import Invoker, one_line_error, parse_json

Invoke = Invoker
SWEEPS = "demo-team/diffusion-sweeps"


@pytest.fixture(scope="module")
def server(demo_server: ServerHandle) -> ServerHandle:
    """The demo workspace, for ``invoke``."""
    return demo_server


def test_registry_ls_and_its_filter(invoke: Invoke) -> None:
    names = [r["name"] for r in parse_json(invoke("registry", "ls", "--format", "json"))]
    assert sorted(names) == ["dataset", "model", "restricted"]
    result = invoke("registry", "ls", "--filter", '{"name": "model"}', "--format", "json")
    assert [r["name"] for r in parse_json(result)] == ["model"]
    table = invoke("registry", "ls", "--org", "demo-org")
    assert table.exit_code == 0, table.output
    assert "restricted" in table.stdout
    assert "3 registries" in table.stderr


def test_registry_collections_everywhere_and_in_one(invoke: Invoke) -> None:
    rows = parse_json(invoke("registry", "collections", "--format", "json"))
    assert {(r["registry"], r["name"]) for r in rows} == {
        ("model", "classifier"),
        ("dataset", "images"),
        ("dataset", "images-holdout"),
        ("restricted", "secret-classifier"),
    }
    one = invoke("registry", "collections", "dataset", "--format", "json")
    assert sorted(r["name"] for r in parse_json(one)) == ["images", "images-holdout"]
    regex = '{"name": {"$regex": "holdout"}}'
    found = invoke("registry", "collections", "--filter", regex, "--format", "json")
    assert [r["name"] for r in parse_json(found)] == ["images-holdout"]


def test_registry_versions_with_filters(invoke: Invoke) -> None:
    rows = parse_json(invoke("registry", "versions", "model", "--format", "json"))
    assert sorted(r["version"] for r in rows) == ["v0", "v1"]
    assert all(str(r["name"]).startswith("demo-org/wandb-registry-model/") for r in rows)
    prod = invoke("registry", "versions", "--filter", '{"alias": "production"}', "--format", "json")
    assert [r["name"] for r in parse_json(prod)] == ["demo-org/wandb-registry-model/classifier:v1"]
    limited = invoke("registry", "versions", "--limit", "2", "--format", "csv")
    assert limited.exit_code == 0, limited.output
    assert len(limited.stdout.splitlines()) == 3  # the header and two rows


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["registry", "ls", "--filter", "{"], "not JSON"),
        (["registry", "versions", "--filter", '["alias"]'], "JSON object"),
        (["registry", "collections", "--filter", '{"colour": "red"}'], "colour"),
        (["registry", "ls", "--limit", "0"], "--limit"),
        (["sweep", "ls", "demo-team"], "ENTITY/PROJECT"),
        (["sweep", "show", "not/a/valid/sweep/path/at/all"], "sweep"),
        (["report", "ls", "a/b/c"], "ENTITY/PROJECT"),
        (["report", "show", f"{SWEEPS}/sweeps/ln9hu362"], "not a report path"),
    ],
)
def test_bad_arguments_exit_2(invoke: Invoke, args: list[str], needle: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert needle in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["registry", "collections", "no-such-registry"], "no-such-registry"),
        (["registry", "ls", "--org", "no-such-org"], "no-such-org"),
        (["sweep", "show", f"{SWEEPS}/nosuchid"], "nosuchid"),
        (["sweep", "ls", "demo-team/no-such-project"], "no-such-project"),
        (["report", "show", "demo/mnist-baselines/reports/Gone--Vmlldzo5OTk"], "not found"),
    ],
)
def test_missing_objects_exit_1(invoke: Invoke, args: list[str], needle: str) -> None:
    one_line_error(invoke(*args), 1, needle)


def test_sweep_ls_and_show(invoke: Invoke) -> None:
    rows = parse_json(invoke("sweep", "ls", SWEEPS, "--format", "json"))
    assert sorted(r["id"] for r in rows) == ["8c9cw3l2", "ln9hu362"]
    assert all(r["method"] == "bayes" and r["runs"] == 12 for r in rows)
    args = ["--runs", "5", "--format", "json"]
    [sweep] = parse_json(invoke("sweep", "show", f"{SWEEPS}/ln9hu362", *args))
    assert sweep["metric"] == {"name": "fid", "goal": "minimize"}
    assert len(sweep["runs"]) == 5
    assert str(sweep["best_run"]).startswith(f"{SWEEPS}/")
    assert sweep["config"]["parameters"]["model"] == {"values": ["ldm-base", "ldm-small"]}
    table = invoke("sweep", "show", f"{SWEEPS}/sweeps/ln9hu362", "--runs", "2")
    assert table.exit_code == 0, table.output
    assert "best_run" in table.stdout
    assert "parameters.lr" in table.stdout
    assert "runs (first 2)" in table.stdout


def test_report_ls_and_show_through_its_url(invoke: Invoke) -> None:
    [row] = parse_json(invoke("report", "ls", "demo/mnist-baselines", "--format", "json"))
    assert row["title"] == "MNIST baselines"
    assert row["author"] == "demo"
    none = invoke("report", "ls", "demo/mnist-baselines", "--name", "Other", "--format", "json")
    assert parse_json(none) == []
    [shown] = parse_json(invoke("report", "show", str(row["url"]), "--format", "json"))
    assert shown["id"] == row["id"]
    assert [s["name"] for s in shown["sections"]] == ["Finished runs", "Adam runs"]
    table = invoke("report", "show", str(row["url"]))
    assert table.exit_code == 0, table.output
    assert "Which baseline to beat" in table.stdout
