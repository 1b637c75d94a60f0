"""``wandbkit history``, ``wandbkit files`` and ``wandbkit download`` against the local server."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import polars as pl

from .support import PROJECT, Invoker


def test_history_as_csv_has_every_row_and_column(invoke: Invoker) -> None:
    result = invoke("history", f"{PROJECT}/run-a")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 30
    assert list(rows[0])[:1] == ["_step"]
    assert {"loss", "acc", "epoch", "_runtime", "_timestamp"} <= set(rows[0])
    assert [int(row["_step"]) for row in rows] == list(range(30))
    assert float(rows[0]["loss"]) == 2.0


def test_history_keys_and_step_range_as_json(invoke: Invoker) -> None:
    result = invoke(
        "history", f"{PROJECT}/run-b", "--keys", "loss", "--format", "json", "--min-step", "5",
        "--max-step", "8",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [row["_step"] for row in rows] == [5, 6, 7]
    assert all(set(row) == {"_step", "loss"} for row in rows)


def test_history_csv_with_keys_has_just_those_columns(invoke: Invoker) -> None:
    result = invoke("history", f"{PROJECT}/run-b", "--keys", "acc,loss")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "_step,acc,loss" and len(lines) == 21


def test_history_to_parquet_reads_back_in_polars(invoke: Invoker, tmp_path: Path) -> None:
    out = tmp_path / "run-a.parquet"
    result = invoke("history", f"{PROJECT}/run-a", "--format", "parquet", "--out", str(out))
    assert result.exit_code == 0, result.output
    frame = pl.read_parquet(out)
    assert frame.height == 30
    assert frame["_step"].dtype == pl.Int64 and frame["loss"].dtype == pl.Float64
    assert frame["run_id"].unique().to_list() == ["run-a"]
    assert "30 rows" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["run-a.parquet"]  # no temporary left


def test_history_to_a_csv_file(invoke: Invoker, tmp_path: Path) -> None:
    out = tmp_path / "h.csv"
    result = invoke("history", f"{PROJECT}/run-b", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert len(out.read_text().splitlines()) == 21


def test_history_parquet_needs_out(invoke: Invoker) -> None:
    result = invoke("history", f"{PROJECT}/run-a", "--format", "parquet")
    assert result.exit_code == 2
    assert "--format parquet needs --out FILE" in result.stderr


def test_history_of_a_missing_run(invoke: Invoker) -> None:
    result = invoke("history", f"{PROJECT}/ghost")
    assert result.exit_code == 1
    assert result.stderr == "wandbkit: error: GetRun: run 'demo/cli/ghost' not found\n"


def test_files_lists_names_and_sizes(invoke: Invoker) -> None:
    result = invoke("files", f"{PROJECT}/run-a", "--format", "json")
    assert result.exit_code == 0, result.output
    files = {f["name"]: f for f in json.loads(result.stdout)}
    assert set(files) == {"config.yaml", "media/plot.txt"}
    assert files["config.yaml"]["size"] == len(b"lr: 0.1\n")
    assert files["config.yaml"]["md5"]
    table = invoke("files", f"{PROJECT}/run-a")
    assert "media/plot.txt" in table.stdout and "2 files" in table.stderr


def test_download_one_file(invoke: Invoker, tmp_path: Path) -> None:
    result = invoke("download", f"{PROJECT}/run-a/config.yaml", "--root", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "config.yaml").read_bytes() == b"lr: 0.1\n"
    assert result.stdout.strip() == str(tmp_path / "config.yaml")


def test_download_every_file_keeps_folders_and_existing_files(
    invoke: Invoker, tmp_path: Path
) -> None:
    (tmp_path / "config.yaml").write_bytes(b"mine")
    result = invoke("download", f"{PROJECT}/runs/run-a", "--root", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "media" / "plot.txt").read_bytes() == b"a plot\n"
    assert (tmp_path / "config.yaml").read_bytes() == b"mine"
    assert "1 of 2 files downloaded" in result.stderr and "--replace" in result.stderr
    replaced = invoke("download", f"{PROJECT}/run-a", "--root", str(tmp_path), "--replace")
    assert replaced.exit_code == 0
    assert (tmp_path / "config.yaml").read_bytes() == b"lr: 0.1\n"


def test_download_by_pattern(invoke: Invoker, tmp_path: Path) -> None:
    result = invoke("download", f"{PROJECT}/run-a", "--pattern", "media/%", "--root", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["plot.txt"]


def test_download_errors(invoke: Invoker, tmp_path: Path) -> None:
    missing = invoke("download", f"{PROJECT}/run-a/nope.bin", "--root", str(tmp_path))
    assert missing.exit_code == 1
    assert missing.stderr == "wandbkit: error: run 'demo/cli/run-a' has no file 'nope.bin'\n"
    short = invoke("download", "demo/cli", "--root", str(tmp_path))
    assert short.exit_code == 2 and "entity/project/run_id" in short.stderr
    both = invoke("download", f"{PROJECT}/run-a/x", "--pattern", "%", "--root", str(tmp_path))
    assert both.exit_code == 2 and "not both" in both.stderr
    assert list(tmp_path.iterdir()) == []


def test_history_plot_writes_a_png(invoke: Invoker, tmp_path: Path) -> None:
    out = tmp_path / "plots" / "run-a.png"
    result = invoke("history", f"{PROJECT}/run-a", "--plot", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # the rows go out only with --out
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000
    assert "plot of loss, acc, epoch (30 rows)" in result.stderr
    assert [p.name for p in out.parent.iterdir()] == ["run-a.png"]


def test_history_plot_and_rows_together(invoke: Invoker, tmp_path: Path) -> None:
    png, csv_file = tmp_path / "loss.png", tmp_path / "loss.csv"
    result = invoke(
        "history", f"{PROJECT}/run-b", "--keys", "loss", "--plot", str(png), "--out", str(csv_file)
    )
    assert result.exit_code == 0, result.output
    assert png.is_file() and len(csv_file.read_text().splitlines()) == 21


def test_history_plot_errors_are_usage_errors(invoke: Invoker, tmp_path: Path) -> None:
    wrong = invoke("history", f"{PROJECT}/run-a", "--plot", str(tmp_path / "x.svg"))
    assert wrong.exit_code == 2 and "must end in .png" in wrong.stderr
    nothing = invoke("history", f"{PROJECT}/run-c", "--plot", str(tmp_path / "x.png"))
    assert nothing.exit_code == 2 and "no metric with numeric values" in nothing.stderr
    assert list(tmp_path.iterdir()) == []


def test_plot_histories_draws_one_line_per_run(tmp_path: Path) -> None:
    from wandbkit.plots import plot_histories

    rows = {"a": [{"_step": i, "loss": 1 / (i + 1)} for i in range(50)], "b": [{"acc": 1}]}
    out = plot_histories(rows, "loss", tmp_path / "runs.png", title="loss")
    assert out.read_bytes()[:4] == b"\x89PNG"
    umask = os.umask(0o022)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask  # as open() makes files
