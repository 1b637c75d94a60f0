"""A bulk data set for benchmarks: thousands of runs with long histories, loaded in one
transaction, for measuring clients against a big project.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from wandbkit.server.seed.catalog import format_lr
from wandbkit.server.store import NewRun, Store, StoreError
from wandbkit.server.store.runs import wrap_config
from wandbkit.server.store.text import dumps_json, precise_timestamp

#: Metric names of benchmark runs, in order; more metrics than these are ``metric_<i>``.
BENCHMARK_METRICS = ("loss", "val_loss", "accuracy", "val_accuracy", "lr")


@dataclass(frozen=True)
class BenchmarkSeed:
    """What :func:`seed_runs_benchmark` loaded, and how long it took.

    Attributes:
        entity: the entity of the project.
        project: the project.
        runs: runs inserted (runs that already existed are not counted).
        history_rows: history rows inserted.
        seconds: wall-clock time of generating and inserting.
    """

    entity: str
    project: str
    runs: int
    history_rows: int
    seconds: float
    metrics: tuple[str, ...] = field(default=())


def seed_runs_benchmark(
    store: Store,
    *,
    project: str = "bench",
    runs: int = 2000,
    steps: int = 1000,
    metrics: int = 5,
    username: str = "demo",
    entity: str | None = None,
    seed: int = 0,
    now: datetime | None = None,
) -> BenchmarkSeed:
    """Bulk-load a project of ``runs`` runs, each with a ``steps``-long history.

    Every run has a wrapped config (lr, batch_size, optimizer, epochs, model, dropout, seed),
    a summary holding the last values, and a history row per step with ``_step``,
    ``_runtime``, ``_timestamp`` and ``metrics`` metrics (see :data:`BENCHMARK_METRICS`).
    Everything goes in with ``executemany`` in one transaction. Runs are named
    ``b0000000``, ``b0000001``...; names that exist are skipped, so a second call adds nothing.

    Args:
        store: the store (it must have the user; run ``seed_basic`` first).
        project: the project's name (created if missing).
        runs: how many runs.
        steps: history rows per run.
        metrics: metrics per history row (besides ``_step``, ``_runtime``, ``_timestamp``).
        username: the runs' user, and the default entity.
        entity: the project's entity (default: the user's default entity).
        seed: the random seed of the data.
        now: the newest run's creation time (default: now).

    Returns:
        Counts and the time taken.

    Raises:
        StoreError: no such user or entity, or negative sizes.
    """
    if runs < 0 or steps < 0 or metrics < 1:
        raise StoreError("runs and steps must be zero or more, and metrics at least one")
    started = time.perf_counter()
    user = store.accounts.get_user(username)
    if user is None:
        raise StoreError(f"user {username!r} does not exist; seed it first")
    owner = (
        store.entities.get(entity) if entity else store.entities.get_by_pk(user.default_entity_pk)
    )
    if owner is None:
        raise StoreError(f"entity {entity!r} does not exist")
    project_row, _ = store.projects.upsert(owner.pk, project, creator_pk=user.pk)
    names = [f"b{i:07d}" for i in range(runs)]
    existing = store.runs.names(project_row.pk)
    todo = [i for i, name in enumerate(names) if name not in existing]
    metric_names = tuple(BENCHMARK_METRICS[:metrics]) + tuple(
        f"metric_{i}" for i in range(len(BENCHMARK_METRICS), metrics)
    )
    rng = random.Random(seed)
    newest = (now or datetime.now(timezone.utc)).timestamp()
    plans = [_bench_plan(rng, i, runs, steps, metric_names, newest) for i in todo]
    history_keys = _bench_history_keys(metric_names, steps)
    with store.transaction():
        pks = store.runs.bulk_insert(
            project_row.pk,
            [
                NewRun(
                    name=names[i],
                    created_at=precise_timestamp(
                        datetime.fromtimestamp(plan.created, timezone.utc)
                    ),
                    display_name=plan.display_name,
                    state="finished",
                    config=plan.config,
                    summary=plan.summary,
                    user_pk=user.pk,
                    heartbeat_at=precise_timestamp(
                        datetime.fromtimestamp(plan.created + plan.runtime, timezone.utc)
                    ),
                    history_line_count=steps,
                    last_step=steps - 1,
                    history_keys=history_keys,
                )
                for i, plan in zip(todo, plans, strict=True)
            ],
        )
        store.history.bulk_insert(_bench_rows(pks, plans, metric_names, steps, seed))
    return BenchmarkSeed(
        entity=owner.name,
        project=project,
        runs=len(pks),
        history_rows=len(pks) * steps,
        seconds=time.perf_counter() - started,
        metrics=metric_names,
    )


@dataclass(frozen=True)
class _BenchPlan:
    created: float
    runtime: float
    display_name: str
    config: dict[str, Any]
    summary: dict[str, Any]
    starts: tuple[float, ...]
    ends: tuple[float, ...]
    rates: tuple[float, ...]


def _bench_plan(
    rng: random.Random, index: int, runs: int, steps: int, metrics: tuple[str, ...], newest: float
) -> _BenchPlan:
    lr = 10 ** rng.uniform(-5, -1)
    batch_size = rng.choice((32, 64, 128, 256))
    model = rng.choice(("resnet18", "resnet50", "vit-s16", "convnext-t"))
    config = {
        "lr": lr,
        "batch_size": batch_size,
        "optimizer": rng.choice(("adam", "adamw", "sgd")),
        "epochs": rng.choice((10, 20, 50)),
        "model": model,
        "dropout": rng.choice((0.0, 0.1, 0.2)),
        "seed": index,
    }
    # Metric i moves from starts[i] to ends[i] with rate rates[i] per step; accuracy-like
    # metrics (names with "acc") rise, everything else decays.
    starts, ends, rates = [], [], []
    for name in metrics:
        rising = "acc" in name
        starts.append(rng.uniform(0.05, 0.15) if rising else rng.uniform(1.5, 3.0))
        ends.append(rng.uniform(0.7, 0.99) if rising else rng.uniform(0.01, 0.5))
        rates.append(math.exp(-rng.uniform(2.0, 8.0) / max(steps, 1)))
    runtime = steps * rng.uniform(0.1, 1.0)
    # The summary holds the last row's values; that row is logged without noise.
    summary: dict[str, Any] = {}
    for name, start, end, rate in zip(metrics, starts, ends, rates, strict=True):
        summary[name] = float("%.6g" % (end + (start - end) * rate ** max(steps - 1, 0)))
    created = newest - (runs - index) * 600.0
    summary.update(
        {"_step": steps - 1, "_runtime": round(runtime, 2), "_timestamp": created + runtime}
    )
    return _BenchPlan(
        created=created,
        runtime=runtime,
        display_name=f"{model}-lr{format_lr(lr)}-bs{batch_size}-{index}",
        config=wrap_config(config),
        summary=summary,
        starts=tuple(starts),
        ends=tuple(ends),
        rates=tuple(rates),
    )


def _bench_history_keys(metrics: tuple[str, ...], steps: int) -> str:
    count = [{"type": "number", "count": steps}]
    keys = {key: {"typeCounts": count} for key in ("_step", "_runtime", "_timestamp", *metrics)}
    return dumps_json({"lastStep": steps - 1, "keys": keys})


def _bench_rows(
    pks: list[int], plans: list[_BenchPlan], metrics: tuple[str, ...], steps: int, seed: int
) -> Iterator[tuple[int, int, str]]:
    # Rows are formatted from one template per data set: json.dumps per row would dominate.
    template = (
        '{"_step":%d,"_runtime":%.3f,"_timestamp":%.3f,'
        + ",".join(f'"{name}":%.6g' for name in metrics)
        + "}"
    )
    noise = random.Random(seed + 1).random
    width = len(metrics)
    for pk, plan in zip(pks, plans, strict=True):
        ends = plan.ends
        gaps = [start - end for start, end in zip(plan.starts, ends, strict=True)]
        rates = plan.rates
        step_time = plan.runtime / max(steps, 1)
        last = steps - 1
        for step in range(steps):
            runtime = step * step_time
            if step == last:
                values = [ends[i] + gaps[i] for i in range(width)]
            else:
                values = [ends[i] + gaps[i] * (1.0 + 0.1 * (noise() - 0.5)) for i in range(width)]
            yield pk, step, template % (step, runtime, plan.created + runtime, *values)
            for i in range(width):
                gaps[i] *= rates[i]
