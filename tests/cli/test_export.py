"""``wandbkit export`` and ``wandbkit.export.export_project``: the dataset reads back in Polars
with the server's row counts; an export interrupted (an injected server failure, or the
process killed) resumes, skipping the finished runs and leaving no half-written file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

import wandbkit
from wandbkit.errors import BadRequestError, UsageError
from wandbkit.export import ExportProgress, Manifest, export_project
from wandbkit.server.faults import Fault
from wandbkit.server.testing import ServerHandle, add_run, running_server

from .support import Invoker

PROJECT = "demo/exp"
RUNS = 12


def _seed(handle: ServerHandle) -> None:
    for i in range(RUNS):
        steps = 0 if i == 5 else 20 + 7 * i
        history: list[dict[str, object]] = [
            {"loss": 1.0 / (s + 1), "acc": s / 100, "phase": "warmup" if s < 5 else "train"}
            for s in range(steps)
        ]
        if i == 3:  # a media-like value and a metric only this run has
            for s, row in enumerate(history):
                row["image"] = {"_type": "image-file", "path": f"media/{s}.png"}
                row["only_here"] = s
        add_run(
            handle.store,
            PROJECT,
            f"r{i:02d}",
            config={"lr": 10.0**-i, "arch": {"depth": i}},
            history=history,
            state="finished" if i % 3 else "crashed",
        )


@pytest.fixture
def server() -> Iterator[ServerHandle]:
    """A fresh loopback server per test (tests add faults and runs)."""
    with running_server() as handle:
        _seed(handle)
        yield handle


def _api(server: ServerHandle) -> wandbkit.AsyncApi:
    return wandbkit.AsyncApi(api_key=server.api_key, base_url=server.base_url, max_retries=0)


def _server_rows(server: ServerHandle) -> dict[str, int]:
    api = wandbkit.Api(api_key=server.api_key, base_url=server.base_url)
    return {run.id: run.history_line_count for run in api.runs(PROJECT)}


def _read_back(out: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    history = pl.read_parquet(out / "history" / "*.parquet")
    runs = pl.read_parquet(out / "runs" / "*.parquet")
    return history, runs


def _rows_per_run(history: pl.DataFrame) -> dict[str, int]:
    counts = history.group_by("run_id").len()
    return dict(zip(counts["run_id"].to_list(), counts["len"].to_list(), strict=True))


async def test_the_export_reads_back_in_polars_with_the_servers_row_counts(
    server: ServerHandle, tmp_path: Path
) -> None:
    out = tmp_path / "export"
    events: list[ExportProgress] = []
    async with _api(server) as api:
        result = await export_project(api, PROJECT, out, on_progress=events.append)
    expected = _server_rows(server)
    assert (result.runs, result.exported, result.skipped) == (RUNS, RUNS, 0)
    assert result.history_rows == sum(expected.values())

    history, runs = _read_back(out)
    assert _rows_per_run(history) == {k: v for k, v in expected.items() if v}
    assert runs.height == RUNS and sorted(runs["run_id"]) == sorted(expected)
    # One schema in every file: the union of the runs' metrics, typed.
    schemas = {tuple(pl.read_parquet_schema(f).items()) for f in (out / "history").iterdir()}
    assert len(schemas) == 1
    schema = dict(next(iter(schemas)))
    assert schema["run_id"] == pl.String and schema["_step"] == pl.Int64
    assert schema["loss"] == pl.Float64 and schema["phase"] == pl.String
    assert schema["image"] == pl.String  # media as JSON text
    assert schema["only_here"] == pl.Float64
    r03 = history.filter(pl.col("run_id") == "r03").sort("_step")
    assert json.loads(r03["image"][2]) == {"_type": "image-file", "path": "media/2.png"}
    assert history.filter(pl.col("run_id") == "r04")["only_here"].null_count() == 48
    # The runs table: fields, config and summary, flattened and as JSON.
    row = runs.filter(pl.col("run_id") == "r02").row(0, named=True)
    assert row["state"] == "finished" and row["config.lr"] == pytest.approx(0.01)
    assert row["config.arch.depth"] == 2 and json.loads(row["config"])["arch"] == {"depth": 2}
    assert row["summary.loss"] == pytest.approx(1 / 34)
    assert row["history_line_count"] == 34

    manifest = Manifest.load(out / "manifest.json")
    assert manifest is not None and manifest.complete
    assert manifest.source["entity"] == "demo" and manifest.source["project"] == "exp"
    assert {name: e.rows for name, e in manifest.runs.items()} == expected
    assert manifest.runs_table == {"file": "runs/part-0.parquet", "rows": RUNS}
    assert events[-1].phase == "done" and events[-1].runs_done == RUNS
    umask = os.umask(0o022)
    os.umask(umask)
    for written in (out / "manifest.json", out / "runs" / "part-0.parquet"):
        assert written.stat().st_mode & 0o777 == 0o666 & ~umask  # as open() makes files


async def test_an_export_that_fails_halfway_resumes_and_skips_the_finished_runs(
    server: ServerHandle, tmp_path: Path
) -> None:
    out = tmp_path / "export"

    def fail_after_four(event: ExportProgress) -> None:
        if event.phase == "history" and event.runs_done == 4:
            # The next history request fails, batched (GetRunsHistories) or not.
            server.faults.add(Fault.status(400), operation="GetRun*Histor*", times=1)

    async with _api(server) as api:
        with pytest.raises(BadRequestError):
            await export_project(api, PROJECT, out, concurrency=1, on_progress=fail_after_four)
    manifest = Manifest.load(out / "manifest.json")
    assert manifest is not None and not manifest.complete
    done = len(manifest.runs)
    assert 4 <= done < RUNS  # a batch of runs (10 with concurrency 1) came before the failure
    assert not (out / "runs").exists()
    assert len(list((out / "history").glob("*.parquet"))) == done
    assert [p for p in (out / "history").iterdir() if not p.name.endswith(".parquet")] == []

    async with _api(server) as api:
        result = await export_project(api, PROJECT, out, concurrency=1)
    assert (result.skipped, result.exported) == (done, RUNS - done)
    history, runs = _read_back(out)
    expected = _server_rows(server)
    assert _rows_per_run(history) == {k: v for k, v in expected.items() if v}
    assert runs.height == RUNS


async def test_a_run_with_new_steps_is_exported_again(server: ServerHandle, tmp_path: Path) -> None:
    out = tmp_path / "export"
    async with _api(server) as api:
        await export_project(api, PROJECT, out)
    run = server.store.runs.find("demo", "exp", "r01")
    assert run is not None
    server.store.history.append(run.pk, [{"loss": 0.0}], update_summary=True)
    add_run(server.store, PROJECT, "r-new", history=[{"loss": 1.0}])
    async with _api(server) as api:
        result = await export_project(api, PROJECT, out)
    assert (result.exported, result.skipped) == (2, RUNS - 1)
    history, _ = _read_back(out)
    assert _rows_per_run(history)["r01"] == 28


async def test_export_refuses_an_out_directory_of_another_export(
    server: ServerHandle, tmp_path: Path
) -> None:
    async with _api(server) as api:
        await export_project(api, PROJECT, tmp_path, keys=["loss"])
        with pytest.raises(UsageError, match="holds an export of demo/exp with other options"):
            await export_project(api, PROJECT, tmp_path)
        with pytest.raises(UsageError, match="concurrency must be a positive int"):
            await export_project(api, PROJECT, tmp_path, concurrency=0)


def test_the_export_command_with_a_filter_and_keys(server: ServerHandle, tmp_path: Path) -> None:
    out = tmp_path / "crashed"
    invoke = Invoker(server, CliRunner())
    result = invoke("export", PROJECT, "--out", str(out), "-f", "state=crashed", "--keys", "loss")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out)
    assert "4 runs" in result.stderr and "4 exported" in result.stderr
    history, runs = _read_back(out)
    assert sorted(runs["run_id"]) == ["r00", "r03", "r06", "r09"]
    assert history.columns == ["run_id", "_step", "loss"]
    again = invoke("export", PROJECT, "--out", str(out), "-f", "state=crashed", "--keys", "loss")
    assert again.exit_code == 0 and "4 already complete" in again.stderr
    other = invoke("export", PROJECT, "--out", str(out))
    assert other.exit_code == 2 and "with other options" in other.stderr
    (tmp_path / "file").write_text("x")
    bad = invoke("export", PROJECT, "--out", str(tmp_path / "file"))
    assert bad.exit_code == 2


def test_an_export_killed_halfway_resumes(server: ServerHandle, tmp_path: Path) -> None:
    out = tmp_path / "export"
    server.faults.add(Fault.latency(0.5), operation="GetRun*Histor*")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WANDB_")}
    env.update(server.env(), NETRC=str(tmp_path / "no-netrc"))
    argv = [sys.executable, "-m", "wandbkit.cli", "export", PROJECT, "--out", str(out)]
    process = subprocess.Popen(
        [*argv, "--concurrency", "1"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while len(list((out / "history").glob("*.parquet"))) < 3:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the export did not start"
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
    written = list((out / "history").glob("*.parquet"))
    assert 3 <= len(written) < RUNS
    for path in written:  # every *.parquet file is whole
        assert pl.read_parquet(path).height > 0 or path.stem == "r05"
    server.faults.clear()

    result = Invoker(server, CliRunner())("export", PROJECT, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"{len(written)} already complete" in result.stderr
    history, runs = _read_back(out)
    expected = _server_rows(server)
    assert _rows_per_run(history) == {k: v for k, v in expected.items() if v}
    assert runs.height == RUNS
    leftovers = [p.name for p in out.rglob(".*")]
    assert leftovers == []


async def test_metadata_comes_along_and_survives_a_resume(
    server: ServerHandle, tmp_path: Path
) -> None:
    document = {"host": "gpu-7", "python": "3.11.7", "gpu_count": 8}
    run = server.store.runs.find("demo", "exp", "r02")
    assert run is not None
    server.store.run_files.put(run.pk, "wandb-metadata.json", json.dumps(document).encode())
    out = tmp_path / "export"

    def fail_after_six(event: ExportProgress) -> None:
        if event.phase == "history" and event.runs_done == 6:
            server.faults.add(Fault.status(400), operation="GetRun*Histor*", times=1)

    async with _api(server) as api:
        with pytest.raises(BadRequestError):
            await export_project(
                api, PROJECT, out, concurrency=1, metadata=True, on_progress=fail_after_six
            )
        result = await export_project(api, PROJECT, out, concurrency=1, metadata=True)
    assert 6 <= result.skipped < RUNS
    _, runs = _read_back(out)
    by_run = dict(zip(runs["run_id"].to_list(), runs["metadata"].to_list(), strict=True))
    assert json.loads(by_run["r02"]) == document  # r02 was exported before the failure
    assert by_run["r07"] is None


async def test_long_runs_and_incomplete_batches_are_scanned_page_by_page(
    server: ServerHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wandbkit.export import _engine

    monkeypatch.setattr(_engine, "BATCH_MAX_STEPS", 60)  # r06.. have more rows: scanned
    batched = _engine._batched_histories

    async def losing_a_row(*args: object) -> dict[str, list[dict[str, object]]]:
        by_run = await batched(*args)  # type: ignore[arg-type]
        by_run.get("r01", [None]).pop()  # an answer short of rows: r01 must be scanned again
        return by_run

    monkeypatch.setattr(_engine, "_batched_histories", losing_a_row)
    async with _api(server) as api:
        result = await export_project(api, PROJECT, tmp_path, page_size=16)
    assert result.exported == RUNS
    history, _ = _read_back(tmp_path)
    expected = _server_rows(server)
    assert _rows_per_run(history) == {k: v for k, v in expected.items() if v}
    r01 = history.filter(pl.col("run_id") == "r01").sort("_step")
    assert r01["_step"].to_list() == list(range(27))
