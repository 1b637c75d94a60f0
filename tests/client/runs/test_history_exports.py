"""``Run.download_history_exports`` on both flavours against the local server's real parquet
exports: an ended run's history downloads as parquet files (wandb's names) holding the rows
``scan_history`` reads; a running run's live rows make it incomplete; a resumed run that ends
again gets a second part; bad arguments are usage errors."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import wandbkit
from wandbkit.errors import IncompleteRunHistoryError, NotFoundError, UsageError
from wandbkit.server.history_exports import EXPORT_DELAY, exports_for
from wandbkit.server.ids import decode_int_id

from ..support import Flavor

pq = pytest.importorskip("pyarrow.parquet", reason="the exports need pyarrow")


def _rows(start: int, stop: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for step in range(start, stop):
        row: dict[str, Any] = {"loss": 1 / (step + 1), "epoch": step // 10, "tag": f"s{step}"}
        if step % 5 == 0:
            row["val"] = {"acc": step / 100, "n": step}
        rows.append(row)
    return rows


async def _run(flavor: Flavor, app: Any, run_id: str, rows: list[dict[str, Any]]) -> int:
    exports_for(app.state.store).delay = timedelta(0)  # W&B waits about 4 h
    run = await flavor(flavor.api.create_run(run_id=run_id, project="exports"))
    pk = decode_int_id(run.storage_id, "Run")
    app.state.store.history.append(pk, rows)
    return pk


def _read(paths: list[Path]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in paths:
        rows.extend(pq.read_table(path).to_pylist())
    return [{k: v for k, v in row.items() if v is not None} for row in rows]


async def test_an_ended_runs_exports_hold_what_scan_history_reads(
    flavor: Flavor, seeded_app: tuple[Any, Any], tmp_path: Path
) -> None:
    app, seed = seeded_app
    pk = await _run(flavor, app, "done", _rows(0, 40))
    app.state.store.runs.update(pk, state="finished")
    run = await flavor(flavor.api.run(f"{seed.entity}/exports/done"))
    result = await flavor(run.download_history_exports(tmp_path / "out"))
    assert isinstance(result, wandbkit.DownloadHistoryResult)
    assert result.paths == [tmp_path / "out" / f"{seed.entity}_exports_done_0.runhistory.parquet"]
    assert result.contains_live_data is False and result.errors == {}
    scanned = await flavor.list(run.scan_history())
    assert _read(result.paths) == scanned
    assert pq.read_schema(result.paths[0]).names[0] == "_step"

    # Resumed: the new rows are live while it runs (incomplete), a second part once it ends.
    app.state.store.runs.update(pk, state="running")
    app.state.store.history.append(pk, _rows(40, 55))
    with pytest.raises(IncompleteRunHistoryError, match="not exported"):
        await flavor(run.download_history_exports(tmp_path / "again"))
    partial = await flavor(run.download_history_exports(tmp_path / "partial", False))
    assert partial.contains_live_data is True and len(partial.paths) == 1
    app.state.store.runs.update(pk, state="finished")
    final = await flavor(run.download_history_exports(tmp_path / "final"))
    assert [p.name[-20:] for p in final.paths] == ["0.runhistory.parquet", "1.runhistory.parquet"]
    assert _read(final.paths) == await flavor.list(run.scan_history())


async def test_a_running_run_is_incomplete_and_downloads_nothing(
    flavor: Flavor, seeded_app: tuple[Any, Any], tmp_path: Path
) -> None:
    app, seed = seeded_app
    await _run(flavor, app, "live", _rows(0, 10))
    run = await flavor(flavor.api.run(f"{seed.entity}/exports/live"))
    with pytest.raises(IncompleteRunHistoryError):
        await flavor(run.download_history_exports(str(tmp_path / "x")))
    assert not (tmp_path / "x").exists()  # refused before anything was made
    result = await flavor(run.download_history_exports(tmp_path / "y", False))
    assert result == wandbkit.DownloadHistoryResult(paths=[], contains_live_data=True, errors={})


async def test_a_run_that_ended_recently_is_still_live(
    flavor: Flavor, seeded_app: tuple[Any, Any], tmp_path: Path
) -> None:
    app, seed = seeded_app
    pk = await _run(flavor, app, "recent", _rows(0, 10))
    app.state.store.runs.update(pk, state="finished")
    exports_for(app.state.store).delay = EXPORT_DELAY  # W&B's 4 h
    run = await flavor(flavor.api.run(f"{seed.entity}/exports/recent"))
    with pytest.raises(IncompleteRunHistoryError):
        await flavor(run.download_history_exports(tmp_path))
    now = app.state.store.db.now()
    app.state.store.db.clock = lambda: now + timedelta(hours=4)
    result = await flavor(run.download_history_exports(tmp_path))
    assert len(result.paths) == 1 and not result.contains_live_data


async def test_exports_are_off_unless_a_delay_is_set(
    flavor: Flavor, seeded_app: tuple[Any, Any], tmp_path: Path
) -> None:
    app, seed = seeded_app
    pk = await _run(flavor, app, "off", _rows(0, 5))
    app.state.store.runs.update(pk, state="finished")
    exports_for(app.state.store).delay = None
    run = await flavor(flavor.api.run(f"{seed.entity}/exports/off"))
    result = await flavor(run.download_history_exports(tmp_path, False))
    assert result.paths == [] and result.contains_live_data is True


async def test_bad_arguments_and_a_missing_run(
    flavor: Flavor, seeded_app: tuple[Any, Any], tmp_path: Path
) -> None:
    app, seed = seeded_app
    await _run(flavor, app, "args", _rows(0, 3))
    run = await flavor(flavor.api.run(f"{seed.entity}/exports/args"))
    with pytest.raises(UsageError, match="download_dir"):
        await flavor(run.download_history_exports(42))  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="require_complete_history"):
        await flavor(run.download_history_exports(tmp_path, "yes"))  # type: ignore[arg-type]
    app.state.store.runs.delete(decode_int_id(run.storage_id, "Run"))
    with pytest.raises(NotFoundError):
        await flavor(run.download_history_exports(tmp_path))
