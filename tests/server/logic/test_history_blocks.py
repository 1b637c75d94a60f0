"""History kept in blocks of rows: the pure layout, the store's reads against brute force,
the move from one table row per history row (schema version 3), and index use."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from wandbkit.server import Store, seed_basic
from wandbkit.server.history import downsample
from wandbkit.server.history_blocks import (
    BLOCK_ROWS,
    SEPARATOR,
    Block,
    HistoryLayoutError,
    append_blocks,
    pack_steps,
    rows_between,
    split_rows,
    unpack_steps,
)
from wandbkit.server.store import StoreError
from wandbkit.server.store import migrations as migrations_module
from wandbkit.server.testing import add_run

from ..conftest import ServerApp
from ..runs_support import PATH

B = BLOCK_ROWS


def texts(steps: range | list[int]) -> list[str]:
    return [json.dumps({"_step": s, "x": s * 0.5}) for s in steps]


def layout(blocks: list[Block]) -> list[tuple[int, int, int, int]]:
    return [(b.seq, b.first_step, b.last_step, b.row_count) for b in blocks]


# -- the pure layout -----------------------------------------------------------------------


def test_steps_pack_as_little_endian_int64_and_unpack_back() -> None:
    steps = [0, 1, 2**40, -3]
    assert pack_steps(steps)[:16] == b"\x00" * 8 + b"\x01" + b"\x00" * 7
    assert unpack_steps(pack_steps(steps)) == tuple(steps)


def test_a_first_append_cuts_full_blocks_and_a_partial_last_one() -> None:
    steps = list(range(2 * B + 5))
    refilled, new = append_blocks(None, steps, texts(steps))
    assert refilled is None
    assert layout(new) == [(0, 0, B - 1, B), (1, B, 2 * B - 1, B), (2, 2 * B, 2 * B + 4, 5)]
    assert [row for block in new for row in split_rows(block.rows)] == texts(steps)
    assert unpack_steps(new[2].steps) == tuple(range(2 * B, 2 * B + 5))


def test_a_later_append_fills_the_last_block_before_starting_new_ones() -> None:
    _, (first,) = append_blocks(None, [0, 1, 2], texts([0, 1, 2]))
    steps = list(range(10, 10 + B))
    refilled, new = append_blocks(first, steps, texts(steps))
    assert refilled is not None
    assert (refilled.seq, refilled.first_step, refilled.last_step, refilled.row_count) == (
        0,
        0,
        10 + B - 4,
        B,
    )
    assert split_rows(refilled.rows) == texts([0, 1, 2]) + texts(steps[: B - 3])
    assert layout(new) == [(1, 10 + B - 3, 10 + B - 1, 3)]


def test_a_full_last_block_is_left_alone() -> None:
    _, (full,) = append_blocks(None, list(range(B)), texts(range(B)))
    refilled, new = append_blocks(full, [B], texts([B]))
    assert refilled is None and layout(new) == [(1, B, B, 1)]


@pytest.mark.parametrize(
    ("stored", "steps", "message"),
    [
        (None, [3, 3], "step 3 follows 3"),
        (None, [5, 4], "step 4 follows 5"),
        ([0, 1, 7], [7], "step 7 follows 7"),
        ([0, 1, 7], [6, 8], "step 6 follows 7"),
    ],
)
def test_steps_that_do_not_rise_strictly_are_refused(
    stored: list[int] | None, steps: list[int], message: str
) -> None:
    last = append_blocks(None, stored, texts(stored))[1][-1] if stored else None
    with pytest.raises(HistoryLayoutError, match=message):
        append_blocks(last, steps, texts(steps))


def test_a_row_holding_the_separator_is_refused() -> None:
    with pytest.raises(HistoryLayoutError, match="U\\+001E"):
        append_blocks(None, [0, 1], ['{"a":1}', '{"a":"x' + SEPARATOR + '"}'])


def test_a_logged_value_holding_the_separator_reads_back_intact(server_app: ServerApp) -> None:
    # The separator is safe because stored rows are JSON text, which escapes it inside strings.
    store = server_app.store
    row = {"_step": 0, "k" + SEPARATOR: "v" + SEPARATOR + "w"}
    run = add_run(store, PATH, "sep", history=[row, {"_step": 1}])
    (first, second) = [json.loads(text) for text in store.history.rows(run.pk)]
    assert first["k" + SEPARATOR] == "v" + SEPARATOR + "w" and second["_step"] == 1


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (None, None, [10, 12, 14, 16]),
        (12, None, [12, 14, 16]),
        (11, None, [12, 14, 16]),
        (None, 14, [10, 12]),
        (None, 15, [10, 12, 14]),
        (13, 16, [14]),
        (0, 100, [10, 12, 14, 16]),
        (17, None, []),
        (13, 14, []),
    ],
)
def test_rows_between_bounds_a_block_half_open(
    low: int | None, high: int | None, expected: list[int]
) -> None:
    steps = [10, 12, 14, 16]
    got = rows_between(10, 16, pack_steps(steps), SEPARATOR.join(texts(steps)), low, high)
    assert got == texts(expected)


# -- the store against brute force ------------------------------------------------------------


@pytest.fixture
def gapped(server_app: ServerApp) -> tuple[int, list[int]]:
    """A run (its pk) whose 1,000 steps (3 apart, from 7) were logged in calls of odd sizes."""
    store = server_app.store
    run = add_run(store, PATH, "gapped")
    steps = [7 + 3 * i for i in range(1000)]
    at = 0
    for size in (1, B - 2, 1, 3 * B + 1, 5, 300, 1000):
        chunk = steps[at : at + size]
        if chunk:
            store.history.append(run.pk, [{"_step": s, "x": s} for s in chunk])
        at += size
    return run.pk, steps


def steps_of(texts: list[str]) -> list[int]:
    return [json.loads(text)["_step"] for text in texts]


def test_rows_logged_in_many_calls_read_back_in_order(
    server_app: ServerApp, gapped: tuple[int, list[int]]
) -> None:
    pk, logged = gapped
    assert steps_of(server_app.store.history.rows(pk)) == logged
    assert server_app.store.history.steps(pk) == logged
    counts = server_app.store.db.all(
        "SELECT row_count FROM history_blocks WHERE run_pk = ? ORDER BY seq", (pk,)
    )
    # Every block but the last is full, whatever the sizes of the appends.
    assert [c[0] for c in counts] == [B] * (1000 // B) + [1000 % B]


@pytest.mark.parametrize(
    ("low", "high", "limit"),
    [
        (None, None, None),
        (None, None, 0),
        (None, None, 1),
        (None, None, B + 1),
        (7, None, None),
        (8, None, 10),
        (7 + 3 * B, 7 + 3 * 2 * B, None),  # exactly one block
        (7 + 3 * B - 1, 7 + 3 * 2 * B + 1, None),  # one row either side of it
        (500, 1200, 50),
        (2000, 2500, None),
        (3000, 10_000, None),  # past the last step
        (0, 7, None),  # before the first step
        (100, 100, None),
        (None, 1000, None),
    ],
)
def test_step_ranges_and_limits_match_brute_force(
    server_app: ServerApp,
    gapped: tuple[int, list[int]],
    low: int | None,
    high: int | None,
    limit: int | None,
) -> None:
    pk, logged = gapped
    got = steps_of(server_app.store.history.rows(pk, min_step=low, max_step=high, limit=limit))
    wanted = [s for s in logged if (low is None or s >= low) and (high is None or s < high)]
    assert got == (wanted if limit is None else wanted[:limit])


@pytest.mark.parametrize("samples", [0, 1, 2, 3, 7, 8, 100, 127, 128, 129, 500, 999, 1000, 5000])
def test_sampled_rows_are_the_downsampled_rows(
    server_app: ServerApp, gapped: tuple[int, list[int]], samples: int
) -> None:
    # Few samples read only the blocks holding a kept row; many read every block.
    store = server_app.store
    pk, _ = gapped
    assert store.history.rows_sampled(pk, samples) == downsample(store.history.rows(pk), samples)


def test_a_block_short_of_rows_still_samples_like_downsample(
    server_app: ServerApp, gapped: tuple[int, list[int]]
) -> None:
    # Not a layout the store writes (every block but the last is full), e.g. a hand-edited
    # database: positions no longer follow from the row number, so sampling reads everything.
    store = server_app.store
    pk, logged = gapped
    (seq, steps, joined) = store.db.all(
        "SELECT seq, steps, rows FROM history_blocks WHERE run_pk = ? AND seq = 1", (pk,)
    )[0]
    store.db.connection.execute(
        "UPDATE history_blocks SET row_count = ?, last_step = ?, steps = ?, rows = ?"
        " WHERE run_pk = ? AND seq = ?",
        (
            BLOCK_ROWS - 1,
            unpack_steps(steps)[-2],
            steps[:-8],
            SEPARATOR.join(split_rows(joined)[:-1]),
            pk,
            seq,
        ),
    )
    rows = store.history.rows(pk)
    assert len(rows) == len(logged) - 1
    for samples in (2, 10, 500):  # 2: the short block is not among those that hold kept rows
        assert store.history.rows_sampled(pk, samples) == downsample(rows, samples)


def test_a_run_without_history_has_no_rows(server_app: ServerApp) -> None:
    run = add_run(server_app.store, PATH, "empty")
    store = server_app.store
    assert store.history.rows(run.pk) == [] == store.history.rows_sampled(run.pk, 10)
    assert store.history.steps(run.pk) == []


def test_bulk_rows_out_of_order_are_refused_and_nothing_is_written(server_app: ServerApp) -> None:
    store = server_app.store
    run = add_run(store, PATH, "bulk", history=[{"_step": 5}])
    with pytest.raises(StoreError, match="step 5 follows 6"):
        store.history.bulk_insert([(run.pk, 6, '{"_step":6}'), (run.pk, 5, '{"_step":5}')])
    with pytest.raises(StoreError, match="step 3 follows 5"):
        store.history.bulk_insert([(run.pk, 3, '{"_step":3}')])
    assert store.history.steps(run.pk) == [5]


def test_deleting_a_run_deletes_its_blocks(server_app: ServerApp) -> None:
    store = server_app.store
    run = add_run(store, PATH, "gone", history=[{"x": i} for i in range(3 * B)])
    store.runs.delete(run.pk)
    assert store.db.all("SELECT 1 FROM history_blocks WHERE run_pk = ?", (run.pk,)) == []


# -- the move from version 3, and index use --------------------------------------------------


def test_a_version_3_database_moves_its_history_into_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "v3.db"
    # A database made by a wandbkit that knew migrations 1-3, with history the old way.
    monkeypatch.setattr(migrations_module, "MIGRATIONS", migrations_module.MIGRATIONS[:3])
    with Store(db) as old_store:
        seed_basic(old_store)
        runs = [add_run(old_store, PATH, name) for name in ("old", "other", "none")]
        assert old_store.schema_version == 3
    old = {runs[0].pk: list(range(2 * B + 3)), runs[1].pk: [4, 9]}
    conn = sqlite3.connect(db)
    conn.executemany(
        "INSERT INTO history VALUES (?, ?, ?)",
        [(pk, s, json.dumps({"_step": s})) for pk, steps in old.items() for s in steps],
    )
    conn.commit()
    conn.close()
    monkeypatch.undo()
    with Store(db) as store:
        assert store.schema_version == migrations_module.MIGRATIONS[-1].version
        for pk, steps in old.items():
            assert store.history.rows(pk) == [json.dumps({"_step": s}) for s in steps]
            assert store.history.steps(pk) == steps
        assert store.history.rows(runs[2].pk) == []
        tables = {r[0] for r in store.db.all("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "history" not in tables and "history_blocks" in tables
        # Appending after the move continues the last block.
        store.history.append(runs[1].pk, [{"_step": 10}])
        assert store.history.steps(runs[1].pk) == [4, 9, 10]


def query_plan(store: Store, sql: str, params: tuple[object, ...]) -> str:
    return " | ".join(str(row[3]) for row in store.db.all(f"EXPLAIN QUERY PLAN {sql}", params))


def test_history_reads_seek_the_block_indexes(
    server_app: ServerApp, gapped: tuple[int, list[int]]
) -> None:
    plan = query_plan(
        server_app.store,
        "SELECT seq FROM history_blocks WHERE run_pk = ? AND last_step >= ?"
        " ORDER BY last_step LIMIT 1",
        (1, 5),
    )
    assert "INDEX history_blocks_last (run_pk=? AND last_step>?)" in plan, plan


def test_a_run_name_list_filter_seeks_the_name_index(server_app: ServerApp) -> None:
    # $in on a NOT NULL column compiles without ifnull(), which would hide the index.
    from wandbkit.server.run_filters import compile_run_filters

    fragment = compile_run_filters({"name": {"$in": ["a", "b"]}})
    assert "ifnull" not in fragment.sql
    plan = query_plan(
        server_app.store,
        f"SELECT r.pk FROM runs r WHERE r.project_pk = ? AND ({fragment.sql})",
        (1, *fragment.params),
    )
    assert plan.startswith("SEARCH r USING") and "(project_pk=? AND name=?)" in plan, plan
