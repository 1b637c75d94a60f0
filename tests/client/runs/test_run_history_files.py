"""Run history (sampled, scanned, many runs) and run files (verified downloads, uploads).

Every test runs on both flavours (``flavor``) but one: ``test_sync_scan_history_prefetches_on_a_
thread`` is the sync ``Api`` over real HTTP to a live server."""

from __future__ import annotations

import base64
import hashlib
import json
import math
from contextlib import aclosing
from pathlib import Path
from typing import Any

import pytest

import wandbkit
from wandbkit.errors import IntegrityError, NotFoundError, UsageError
from wandbkit.server.ids import decode_int_id

from ..support import Flavor, seeded_once

STEPS = 2500


def _row(step: int) -> dict[str, Any]:
    row: dict[str, Any] = {"loss": round(2.0 * math.exp(-step / 700), 6), "lr": 0.001}
    if step % 10 == 0:
        row["val_acc"] = round(1 - math.exp(-step / 900), 6)
    return row


async def _seed_hist(flavor: Flavor, app: Any) -> None:
    """Two runs h1, h2 in demo/hist with histories of STEPS rows (loss every step, val_acc
    every 10th) and five system events each; h1 has three files."""
    store = app.state.store
    runs = []
    for run_id in ("h1", "h2"):
        run = await flavor(flavor.api.create_run(run_id=run_id, project="hist"))
        pk = decode_int_id(run.storage_id, "Run")
        store.history.append(pk, [_row(step) for step in range(STEPS)])
        store.history.append_events(
            pk, [{"system.gpu.0.gpu": 50 + i, "_runtime": i} for i in range(5)]
        )
        runs.append(run)
    pk = decode_int_id(runs[0].storage_id, "Run")
    store.run_files.put(pk, "config.yaml", b"lr: 0.001\n")
    store.run_files.put(pk, "media/plot.png", bytes(range(256)) * 64)
    store.run_files.put(pk, "wandb-metadata.json", json.dumps({"host": "gpu-7"}).encode())


async def _env_of(flavor: Flavor, app: Any) -> tuple[Flavor, Any, Any, Any, Any]:
    run = await flavor(flavor.api.run("demo/hist/h1"))
    flavor.transport.clear()
    return flavor, flavor.api, flavor.transport, run, app.state.store


@pytest.fixture(scope="module")
def shared_app() -> tuple[Any, Any]:
    """The server of ``_seed_hist``, seeded once for the tests that only read it."""
    return seeded_once(_seed_hist)


@pytest.fixture
async def env(
    shared_flavor: Flavor, shared_app: tuple[Any, Any]
) -> tuple[Flavor, Any, Any, Any, Any]:
    """``(flavor, api, transport, h1, store)`` on the shared server of ``_seed_hist``."""
    return await _env_of(shared_flavor, shared_app[0])


@pytest.fixture
async def fresh_env(
    flavor: Flavor, seeded_app: tuple[Any, Any]
) -> tuple[Flavor, Any, Any, Any, Any]:
    """``env`` on a server of its own, for a test that changes it."""
    await _seed_hist(flavor, seeded_app[0])
    return await _env_of(flavor, seeded_app[0])


async def test_history_with_keys_is_sampled_by_the_server(env: Any) -> None:
    flavor, _, transport, run, _ = env
    rows = await flavor(run.history(samples=100, keys=["val_acc"], pandas=False))
    assert 2 <= len(rows) <= 100
    assert all(set(row) == {"_step", "val_acc"} for row in rows)
    assert rows[0]["_step"] == 0 and rows[-1]["_step"] == STEPS - 10
    assert transport.operations == ["GetRunSampledHistory"]


async def test_history_without_keys_returns_whole_rows_and_a_dataframe(env: Any) -> None:
    flavor, _, _, run, _ = env
    rows = await flavor(run.history(samples=50, pandas=False))
    assert len(rows) <= 50 and {"_step", "loss", "lr"} <= set(rows[0])
    frame = await flavor(run.history(samples=50))
    assert list(frame["_step"]) == [row["_step"] for row in rows]


async def test_system_history_comes_from_the_events_stream(env: Any) -> None:
    flavor, _, transport, run, _ = env
    rows = await flavor(run.history(stream="system", pandas=False))
    assert [row["system.gpu.0.gpu"] for row in rows] == [50, 51, 52, 53, 54]
    assert transport.operations == ["GetRunEvents"]


async def test_scan_history_streams_every_row_in_pages(env: Any) -> None:
    flavor, _, transport, run, _ = env
    scan = run.scan_history(page_size=1000)
    steps = [row["_step"] for row in await flavor.list(scan)]
    assert steps == list(range(STEPS))
    assert scan.pages_read == 3 and scan.stop_step == STEPS and scan.max_step == STEPS - 1
    assert transport.operations == ["GetRunHistoryKeys", *["GetRunHistory"] * 3]


async def test_scan_history_with_keys_and_a_half_open_range(env: Any) -> None:
    flavor, _, _, run, _ = env
    scan = run.scan_history(keys=["val_acc"], page_size=300, min_step=100, max_step=1000)
    rows = await flavor.list(scan)
    assert [row["_step"] for row in rows] == list(range(100, 1000, 10))
    assert set(rows[0]) == {"_step", "val_acc"}


async def test_stopping_a_scan_early_cancels_the_prefetch(env: Any) -> None:
    flavor, _, _, run, _ = env
    seen = []
    async with aclosing(flavor.iterate(run.scan_history(page_size=100))) as rows:
        async for row in rows:
            seen.append(row["_step"])
            if len(seen) == 5:
                break
    assert seen == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"page_size": 0}, "page_size"),
        ({"min_step": -1}, "min_step"),
        ({"min_step": 10, "max_step": 5}, "max_step"),
        ({"keys": "loss"}, "keys must be a list"),
    ],
)
async def test_bad_scan_arguments_fail_before_any_request(
    env: Any, kwargs: dict[str, Any], message: str
) -> None:
    _, _, transport, run, _ = env
    with pytest.raises(UsageError, match=message):
        run.scan_history(**kwargs)
    assert transport.requests == []


async def test_histories_of_many_runs_tag_rows_with_their_run(env: Any) -> None:
    flavor, api, _, _, _ = env
    runs = api.runs("demo/hist")
    rows = await flavor(runs.histories(samples=20, keys=["loss"]))
    assert {row["run_id"] for row in rows} == {"h1", "h2"}
    frame = await flavor(runs.histories(samples=20, keys=["loss"], format="pandas"))
    assert set(frame["run_id"]) == {"h1", "h2"}
    polars_frame = await flavor(runs.histories(samples=20, keys=["loss"], format="polars"))
    assert polars_frame.height == len(rows)
    with pytest.raises(UsageError, match="format must be"):
        await flavor(runs.histories(format="csv"))


async def test_histories_of_runs_not_listed_yet_list_only_their_names(env: Any) -> None:
    flavor, api, transport, _, _ = env
    runs = api.runs("demo/hist", order="-created_at")
    rows = await flavor(runs.histories(samples=5))
    # Newest first (the runs' order), every row whole and tagged; the runs stay unloaded.
    assert [row["run_id"] for row in rows] == ["h2"] * 5 + ["h1"] * 5
    assert rows[0]["_step"] == 0 and rows[4]["_step"] == STEPS - 1
    assert transport.operations == ["GetRunNames", "GetRunsHistories"]
    assert runs.pages_loaded == 0 and runs.objects == []


async def test_histories_of_listed_runs_reuse_the_listing(env: Any) -> None:
    flavor, api, transport, _, _ = env
    runs = api.runs("demo/hist", filters={"name": "h1"})
    assert [run.id for run in await flavor(runs.to_list())] == ["h1"]
    transport.clear()
    rows = await flavor(runs.histories(samples=3, keys=["val_acc"]))
    assert {row["run_id"] for row in rows} == {"h1"} and len(rows) == 3
    assert transport.operations == ["GetRunsSampledHistories"]


async def test_histories_start_at_the_runs_start_cursor(env: Any) -> None:
    flavor, api, _, _, _ = env
    first = api.runs("demo/hist", per_page=1)
    await flavor(first.load())
    rest = api.runs("demo/hist", per_page=1, start=first.cursor)
    rows = await flavor(rest.histories(samples=2))
    assert {row["run_id"] for row in rows} == {"h2"}


async def test_histories_of_a_missing_project_name_it(env: Any) -> None:
    flavor, api, _, _, _ = env
    with pytest.raises(NotFoundError, match="demo/nope"):
        await flavor(api.runs("demo/nope").histories())


async def test_files_list_with_counts_names_and_patterns(env: Any) -> None:
    flavor, _, _, run, _ = env
    files = await flavor(run.files(per_page=1).load())
    assert len(files) == 3
    assert sorted(f.name for f in await flavor(files.to_list())) == [
        "config.yaml",
        "media/plot.png",
        "wandb-metadata.json",
    ]
    pngs = await flavor(run.files(pattern="%.png").to_list())
    assert [f.name for f in pngs] == ["media/plot.png"]
    with pytest.raises(UsageError, match="not both"):
        run.files(names=["a"], pattern="%")
    with pytest.raises(NotFoundError, match=r"no file 'missing\.txt'"):
        await flavor(run.file("missing.txt"))


async def test_download_is_verified_and_sends_no_key_to_signed_urls(
    env: Any, tmp_path: Path
) -> None:
    flavor, _, transport, run, _ = env
    png = await flavor(run.file("media/plot.png"))
    transport.clear()
    path = await flavor(png.download(root=tmp_path))
    data = bytes(range(256)) * 64
    assert path == tmp_path / "media" / "plot.png" and path.read_bytes() == data
    assert png.md5 == base64.b64encode(hashlib.md5(data).digest()).decode()
    (download,) = [r for r in transport.requests if "/signed/" in r.url.path]
    assert "authorization" not in download.headers
    assert [p.name for p in path.parent.iterdir()] == ["plot.png"]


async def test_download_onto_an_existing_file_keeps_it_unless_told(
    env: Any, tmp_path: Path
) -> None:
    flavor, _, _, run, _ = env
    config = await flavor(run.file("config.yaml"))
    target = tmp_path / "config.yaml"
    target.write_text("mine")
    with pytest.raises(UsageError, match="File already exists, pass replace=True"):
        await flavor(config.download(root=tmp_path))
    assert target.read_text() == "mine"
    assert await flavor(config.download(root=tmp_path, exist_ok=True)) == target
    assert target.read_text() == "mine"
    await flavor(config.download(root=tmp_path, replace=True))
    assert target.read_text() == "lr: 0.001\n"


async def test_a_corrupted_download_leaves_nothing_behind(env: Any, tmp_path: Path) -> None:
    flavor, _, transport, run, _ = env
    config = await flavor(run.file("config.yaml"))
    transport.corrupt_downloads = True
    with pytest.raises(IntegrityError, match="md5"):
        await flavor(config.download(root=tmp_path))
    assert list(tmp_path.iterdir()) == []


async def test_upload_then_read_back_then_delete(fresh_env: Any, tmp_path: Path) -> None:
    flavor, _, _, run, _ = fresh_env
    local = tmp_path / "out" / "weights.bin"
    local.parent.mkdir()
    local.write_bytes(b"\x00\x01" * 300_000)
    uploaded = await flavor(run.upload_file(local, root=tmp_path))
    assert uploaded.name == "out/weights.bin" and uploaded.size == 600_000
    assert await flavor(uploaded.read_bytes()) == local.read_bytes()
    await flavor(uploaded.delete())
    with pytest.raises(NotFoundError):
        await flavor(run.file("out/weights.bin"))
    with pytest.raises(UsageError, match="not inside root"):
        await flavor(run.upload_file(local, root=tmp_path / "elsewhere"))


async def test_metadata_and_html_view(env: Any) -> None:
    flavor, _, _, run, _ = env
    assert await flavor(run.metadata) == {"host": "gpu-7"}
    html = run.to_html(height=300, hidden=True)
    assert html.startswith("<iframe") and "height:300px" in html and "display:none" in html
    assert f"/runs/{run.id}?jupyter=true" in html
    with pytest.raises(UsageError, match="height"):
        run.to_html(height=0)


async def test_waiting_for_a_run_returns_its_final_state_or_times_out(fresh_env: Any) -> None:
    flavor, _, _, run, store = fresh_env
    with pytest.raises(TimeoutError, match="still running"):
        await flavor(run.wait_until_finished(poll_interval=0.01, timeout=0.02))
    store.runs.update(decode_int_id(run.storage_id, "Run"), state="finished")
    assert await flavor(run.wait_until_finished(poll_interval=0.01)) == "finished"
    assert run.state.is_terminal


def test_sync_scan_history_prefetches_on_a_thread(api: wandbkit.Api, live_server: Any) -> None:
    run = api.create_run(run_id="sync-h", project="p")
    pk = decode_int_id(run.storage_id, "Run")
    live_server.store.history.append(pk, [_row(step) for step in range(1200)])
    scan = run.scan_history(keys=["loss"], page_size=500)
    assert [row["_step"] for row in scan] == list(range(1200))
    assert scan.pages_read == 3


async def test_the_lists_and_scans_of_a_run_know_their_run(env: Any) -> None:
    _, _, _, run, _ = env
    assert run.files().run is run and run.console_logs().run is run
    scan = run.scan_history(keys=["loss"])
    assert scan.run is run and scan.min_step == 0  # wandb's default min_step
    assert run.snake_to_camel("history_line_count") == "historyLineCount"


async def test_download_with_another_api_uses_its_credentials(env: Any, tmp_path: Path) -> None:
    flavor, _, transport, run, _ = env
    config = await flavor(run.file("config.yaml"))
    async with flavor.connect(api_key="x" * 40) as stranger:
        transport.clear()
        # The file's signed URL carries its own authorization, so any Api can fetch it...
        path = await flavor(config.download(root=tmp_path, api=stranger))
        assert path.read_text() == "lr: 0.001\n"
    with pytest.raises(UsageError, match="api must be a wandbkit Api"):
        await flavor(config.download(root=tmp_path, replace=True, api=object()))  # type: ignore[arg-type]
    html = config.to_html(hidden=True)
    assert "config.yaml" in html and html.startswith('<div style="display:none">')
    with pytest.warns(UserWarning, match=r"display\(\) shows HTML only in a Jupyter notebook"):
        assert config.display() is False
