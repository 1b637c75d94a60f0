"""The runs part of the store and the seeds: file bytes on disk, the demo runs, the benchmark."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from wandbkit.cli import main
from wandbkit.server import Store, seed_basic, seed_demo
from wandbkit.server.seed import DEMO_PROJECTS, seed_runs_benchmark
from wandbkit.server.seed.catalog import DEMO_RUN_RECIPES, format_lr
from wandbkit.server.seed.demo_runs import TEAMMATE_USERNAME
from wandbkit.server.store import (
    InvalidNameError,
    NameConflictError,
    RunRow,
    StoreError,
    UnknownRowError,
    UnknownSnapshotError,
)
from wandbkit.server.store.migrations import MIGRATIONS
from wandbkit.server.store.run_files import check_file_name
from wandbkit.server.testing import add_run

from ..runs_support import md5_b64

NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)


def all_runs(store: Store) -> list[RunRow]:
    pks = [row[0] for row in store.db.all("SELECT pk FROM runs ORDER BY pk")]
    found = store.runs.get_by_pks(pks)
    return [found[pk] for pk in pks]


@pytest.fixture(scope="module")
def demo_store() -> Store:
    store = Store()
    seed_demo(store, now=NOW)
    return store


def test_the_runs_migration_is_the_latest_and_survives_reopening(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    with Store(db) as store:
        seed_basic(store)
        run = add_run(store, "demo/p", "r1", history=[{"loss": 1.0}], files={"a.txt": b"abc"})
        assert store.schema_version == MIGRATIONS[-1].version
        (file,) = store.run_files.list(run.pk)
        # Bytes live beside the database file.
        assert store.run_files.path(file).is_relative_to(Path(f"{db}.files"))
        secret = store.db.signing_secret
    with Store(db) as reopened:
        again = reopened.runs.get_by_pk(run.pk)
        assert again == run
        (file,) = reopened.run_files.list(run.pk)
        assert reopened.run_files.path(file).read_bytes() == b"abc"
        assert reopened.db.signing_secret == secret and len(secret) == 32


def test_an_in_memory_store_keeps_bytes_in_a_temporary_directory_until_closed() -> None:
    store = Store()
    seed_basic(store)
    run = add_run(store, "demo/p", files={"a.txt": b"abc"})
    root = store.run_files.blobs.root
    assert (root / "runs" / str(run.pk)).is_dir()
    store.close()
    assert not root.exists()


def test_every_store_gets_its_own_signing_secret() -> None:
    assert Store().db.signing_secret != Store().db.signing_secret


def test_run_names_are_checked_and_unique_per_project() -> None:
    store = Store()
    seed_basic(store)
    run = add_run(store, "demo/p", "same")
    with pytest.raises(NameConflictError):
        add_run(store, "demo/p", "same")
    add_run(store, "demo/other", "same")  # another project is fine
    with pytest.raises(InvalidNameError):
        add_run(store, "demo/p", "has space")
    with pytest.raises(StoreError, match="state"):
        add_run(store, "demo/p", state="exploded")
    with pytest.raises(UnknownRowError):
        store.runs.update(run.pk + 100, notes="x")
    with pytest.raises(StoreError, match="entity/project"):
        add_run(store, "nobody/p")


def test_a_file_of_a_missing_run_is_refused_without_a_trace() -> None:
    store = Store()
    seed_basic(store)
    run = add_run(store, "demo/p")
    with pytest.raises(UnknownRowError, match="run not found"):
        store.run_files.create(run.pk + 100, "a.txt")
    with pytest.raises(UnknownRowError, match="run not found"):
        store.run_files.put(run.pk + 100, "b.txt", b"bytes")
    assert store.db.all("SELECT * FROM run_files") == []
    assert store.run_files.create(run.pk, "a.txt").run_pk == run.pk


@pytest.mark.parametrize("name", ["a.txt", "media/images/x.png", "a b/c d.txt", ".hidden"])
def test_good_file_names(name: str) -> None:
    assert check_file_name(name) == name


@pytest.mark.parametrize("name", ["", "/abs", "a//b", "../x", "a/../b", "./a", "a\\b", "a\x00b"])
def test_unsafe_file_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidNameError):
        check_file_name(name)


def test_a_snapshot_cursor_of_another_project_is_refused() -> None:
    store = Store()
    seed_basic(store)
    one = add_run(store, "demo/one")
    two = add_run(store, "demo/two")
    page = store.run_listing.page(one.project_pk, limit=1)
    with pytest.raises(UnknownSnapshotError):
        store.run_listing.page(two.project_pk, limit=1, after=(page.snapshot_pk, 1))


def test_old_snapshots_are_pruned_when_new_ones_are_made(monkeypatch: pytest.MonkeyPatch) -> None:
    import wandbkit.server.store.run_listing as run_listing_module

    monkeypatch.setattr(run_listing_module, "MAX_RUN_SNAPSHOTS", 3)
    store = Store()
    seed_basic(store)
    run = add_run(store, "demo/p")
    snapshots = [store.run_listing.page(run.project_pk, limit=1).snapshot_pk for _ in range(5)]
    assert store.db.one("SELECT COUNT(*) FROM run_cursor_snapshots")[0] == 3  # type: ignore[index]
    with pytest.raises(UnknownSnapshotError):
        store.run_listing.page(run.project_pk, limit=1, after=(snapshots[0], 1))
    assert store.run_listing.page(run.project_pk, limit=1, after=(snapshots[-1], 1)).runs == ()


def test_the_demo_seed_gives_every_project_realistic_runs(demo_store: Store) -> None:
    store = demo_store
    team = store.entities.get("demo-team")
    user = store.accounts.get_user("demo")
    teammate = store.accounts.get_user(TEAMMATE_USERNAME)
    assert team is not None and user is not None and teammate is not None
    assert store.entities.is_team_member(team.pk, teammate.pk)
    states: set[str] = set()
    for demo in DEMO_PROJECTS:
        owner = team.pk if demo.owner == "team" else user.entity_pk
        project = store.projects.get(owner, demo.name)
        assert project is not None
        runs = store.run_listing.list(project.pk)
        assert 6 <= len(runs) <= 40, demo.name
        for run in runs:
            states.add(run.state)
            config = json.loads(run.config)
            assert {"lr", "batch_size", "optimizer", "epochs", "model", "seed", "_wandb"} <= set(
                config
            )
            assert all(set(value) == {"value", "desc"} for value in config.values())
            assert run.display_name and run.display_name.startswith(config["model"]["value"])
            summary = json.loads(run.summary)
            assert summary["_step"] == run.last_step == run.history_line_count - 1
            keys = json.loads(run.history_keys)
            metrics = [k for k in keys["keys"] if not k.startswith("_")]
            assert len(metrics) >= 5, (demo.name, metrics)
            assert run.created_at < (run.heartbeat_at or "") <= "2025-06-01T00:00:00.000000Z"
            assert run.created_at > project.created_at
            assert run.user_pk in {user.pk, teammate.pk}
            assert store.run_files.count(run.pk) >= 4
            assert len(store.history.event_rows(run.pk)) >= 5
        assert any(run.tags for run in runs)
        if demo.name not in {"llm-finetune", "diffusion-sweeps", "scratch"}:
            assert any(run.group_name for run in runs)
    assert {"finished", "running"} <= states and states & {"crashed", "failed", "killed"}
    sweeps = {r.sweep_name for r in all_runs(store) if r.sweep_name}
    assert len(sweeps) == 2


def test_demo_histories_have_plausible_curves(demo_store: Store) -> None:
    run = max(all_runs(demo_store), key=lambda r: r.history_line_count)
    assert run.history_line_count >= 500
    rows = [json.loads(text) for text in demo_store.history.rows(run.pk)]
    assert [row["_step"] for row in rows] == list(range(len(rows)))
    runtimes = [row["_runtime"] for row in rows]
    assert runtimes == sorted(runtimes)
    tenth = len(rows) // 10
    early = sum(row["loss"] for row in rows[:tenth]) / tenth
    late = sum(row["loss"] for row in rows[-tenth:]) / tenth
    assert late < early / 2  # the loss comes down
    lrs = [row["lr"] for row in rows]
    assert lrs[0] < max(lrs) and lrs[-1] < max(lrs) / 10  # warmup, then decay
    evaluated = [row for row in rows if "val_loss" in row or "val_perplexity" in row]
    assert 0 < len(evaluated) < len(rows) / 10  # evaluation only every n-th step


def test_demo_files_have_the_sizes_and_md5s_of_their_bytes(demo_store: Store) -> None:
    checkpoints = 0
    for run in all_runs(demo_store):
        for file in demo_store.run_files.list(run.pk):
            data = demo_store.run_files.path(file).read_bytes()
            assert (file.size_bytes, file.md5) == (len(data), md5_b64(data))
            if file.name == "model.ckpt":
                checkpoints += 1
                assert 1024 * 1024 <= len(data) <= 6 * 1024 * 1024
            if file.name == "wandb-metadata.json":
                assert json.loads(data)["run_id"] == run.name
    assert checkpoints >= 2


def test_the_demo_seed_is_deterministic_and_idempotent(demo_store: Store) -> None:
    other = Store()
    seed_demo(other, now=NOW)

    def snapshot(store: Store) -> list[tuple[object, ...]]:
        return [
            (
                r.name,
                r.display_name,
                r.state,
                r.config,
                r.summary,
                r.created_at,
                r.tags,
                *store.history.rows(r.pk)[-3:],
                *((f.name, f.md5) for f in store.run_files.list(r.pk)),
            )
            for r in all_runs(store)
        ]

    assert snapshot(other) == snapshot(demo_store)
    before = other.counts()
    seed_demo(other, now=NOW)
    assert other.counts() == before


def test_recipes_cover_every_demo_project() -> None:
    assert {recipe.project for recipe in DEMO_RUN_RECIPES} == {p.name for p in DEMO_PROJECTS}
    assert [format_lr(lr) for lr in (3e-4, 0.1, 2.5e-4, 1e-5)] == [
        "3e-4",
        "1e-1",
        "2.5e-4",
        "1e-5",
    ]


def test_the_benchmark_seed_loads_runs_with_full_histories() -> None:
    store = Store()
    seed_basic(store)
    result = seed_runs_benchmark(store, runs=12, steps=40, metrics=7, now=NOW)
    assert (result.entity, result.project, result.runs, result.history_rows) == (
        "demo",
        "bench",
        12,
        480,
    )
    assert result.metrics == (
        "loss",
        "val_loss",
        "accuracy",
        "val_accuracy",
        "lr",
        "metric_5",
        "metric_6",
    )
    user = store.accounts.get_user("demo")
    assert user is not None
    project = store.projects.get(user.entity_pk, "bench")
    assert project is not None
    runs = store.run_listing.list(project.pk)
    assert [r.name for r in runs] == [f"b{i:07d}" for i in range(12)]
    for run in runs:
        rows = [json.loads(text) for text in store.history.rows(run.pk)]
        assert [row["_step"] for row in rows] == list(range(40))
        assert set(rows[0]) == {"_step", "_runtime", "_timestamp", *result.metrics}
        summary = json.loads(run.summary)
        assert all(summary[m] == rows[-1][m] for m in result.metrics)
        assert rows[-1]["loss"] < rows[0]["loss"] and rows[-1]["accuracy"] > rows[0]["accuracy"]
        keys = json.loads(run.history_keys)
        assert keys["lastStep"] == 39 == run.last_step
        assert keys["keys"]["metric_6"] == {"typeCounts": [{"type": "number", "count": 40}]}
        assert json.loads(run.config)["lr"]["value"] > 0
    # Filters and orders work on bulk-loaded runs like on any other.
    assert store.run_listing.count(project.pk, filters={"config.batch_size": {"$gte": 32}}) == 12
    again = seed_runs_benchmark(store, runs=14, steps=40, now=NOW)
    assert (again.runs, store.run_listing.count(project.pk)) == (2, 14)
    with pytest.raises(StoreError):
        seed_runs_benchmark(store, username="nobody")


def test_the_seed_command_loads_the_benchmark(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "bench.db"
    argv = ["server", "seed", "--db", str(db), "--bench-runs", "5", "--bench-steps", "20"]
    assert main([*argv, "--bench-metrics", "6", "--bench-project", "perf"]) == 0
    out, err = capsys.readouterr()
    assert out.count("\n") == 2 and "5 runs and 100 history rows" in err
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT SUM(row_count) FROM history_blocks").fetchone() == (100,)
    assert conn.execute("SELECT COUNT(*) FROM runs").fetchone() == (5,)
    conn.close()


def test_the_seed_command_refuses_negative_benchmark_sizes(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["server", "seed", "--db", str(tmp_path / "x.db"), "--bench-runs", "-1"])
