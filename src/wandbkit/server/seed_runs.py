"""Runs for the demo workspace, and a bulk data set for benchmarks.

:func:`seed_demo_runs` is a step of :func:`wandbkit.server.seed.seed_demo`: each demo project
gets 6-24 runs with realistic configs, summaries, states, tags, groups, sweeps, histories with
plausible curves (noisy exponential decay for losses, saturating accuracies, warmup-cosine
learning rates, evaluation metrics on every n-th step only), system-metric events and files
(``config.yaml``, ``requirements.txt``, ``wandb-metadata.json``, ``output.log`` and a 1-5 MB
``model.ckpt`` on the best run of some projects). Everything is deterministic given ``now``:
each project draws from its own fixed random seed.

:func:`seed_runs_benchmark` loads thousands of runs with long histories in one transaction,
for measuring clients against a big project.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

import yaml

from wandbkit.server.history import empty_history_keys, merge_history_keys
from wandbkit.server.seed_catalog import DEMO_PROJECTS, DemoContext
from wandbkit.server.store import NewRun, Store, StoreError, UserRow
from wandbkit.server.store.runs import wrap_config
from wandbkit.server.store.text import (
    GENERATED_RUN_NAME_LENGTH,
    RUN_NAME_ALPHABET,
    dumps_json,
    parse_timestamp,
    precise_timestamp,
)

Family = Literal["classification", "lm", "diffusion", "rl"]

#: Every demo project's random generator is seeded from this and the project's name.
DEMO_RUNS_SEED = "wandbkit-demo-runs-v1"

#: The second member of the demo team, who owns some of the team's runs.
TEAMMATE_USERNAME = "jordan"


@dataclass(frozen=True)
class DemoRunRecipe:
    """How the runs of one demo project look."""

    project: str
    family: Family
    count: int
    models: tuple[str, ...]
    steps: tuple[int, int]
    eval_every: int
    batch_sizes: tuple[int, ...]
    learning_rates: tuple[float, ...]
    optimizers: tuple[str, ...]
    tags: tuple[str, ...]
    groups: tuple[str, ...] = ()
    job_types: tuple[str, ...] = ("train",)
    sweeps: int = 0
    checkpoint: bool = False
    seconds_per_step: tuple[float, float] = (0.3, 1.5)


#: One recipe per project of :data:`wandbkit.server.seed_catalog.DEMO_PROJECTS`.
DEMO_RUN_RECIPES: tuple[DemoRunRecipe, ...] = (
    DemoRunRecipe(
        "mnist-baselines",
        "classification",
        12,
        ("cnn-small", "mlp-2x512", "lenet5"),
        (150, 600),
        50,
        (64, 128, 256),
        (1e-2, 1e-3, 3e-4),
        ("adam", "sgd"),
        ("baseline", "sanity-check", "cpu"),
        groups=("cnn", "mlp"),
        job_types=("train", "train", "train", "eval"),
        seconds_per_step=(0.05, 0.2),
    ),
    DemoRunRecipe(
        "imagenet-resnet",
        "classification",
        8,
        ("resnet50", "resnet101", "resnet18"),
        (600, 1500),
        100,
        (256, 512, 1024),
        (0.4, 0.1, 3e-2),
        ("sgd", "lamb"),
        ("mixed-precision", "baseline", "ablation", "8xA100"),
        groups=("recipe-v1", "recipe-v2"),
        checkpoint=True,
        seconds_per_step=(1.5, 4.0),
    ),
    DemoRunRecipe(
        "cifar10-augment",
        "classification",
        16,
        ("resnet18", "wrn-28-10", "vit-tiny"),
        (200, 700),
        50,
        (128, 256),
        (5e-2, 1e-2, 1e-3, 3e-4),
        ("sgd", "adamw"),
        ("randaugment", "cutmix", "mixup", "no-aug"),
        groups=("randaugment", "cutmix", "mixup"),
    ),
    DemoRunRecipe(
        "llm-finetune",
        "lm",
        6,
        ("llama-7b-lora-r8", "llama-7b-lora-r16", "llama-7b-lora-r64"),
        (400, 1200),
        100,
        (8, 16, 32),
        (3e-4, 1e-4, 3e-5),
        ("adamw",),
        ("lora", "support-tickets", "bf16"),
        job_types=("finetune",),
        checkpoint=True,
        seconds_per_step=(2.0, 5.0),
    ),
    DemoRunRecipe(
        "diffusion-sweeps",
        "diffusion",
        24,
        ("ldm-base", "ldm-small"),
        (150, 600),
        100,
        (32, 64, 128),
        (2e-4, 1e-4, 5e-5, 1e-5),
        ("adamw",),
        ("sweep", "ema"),
        sweeps=2,
        seconds_per_step=(1.0, 3.0),
    ),
    DemoRunRecipe(
        "rl-cartpole",
        "rl",
        10,
        ("ppo", "dqn"),
        (200, 500),
        25,
        (32, 64),
        (1e-3, 3e-4, 1e-4),
        ("adam",),
        ("cartpole", "playground"),
        groups=("ppo", "dqn"),
        seconds_per_step=(0.05, 0.2),
    ),
    DemoRunRecipe(
        "scratch",
        "classification",
        6,
        ("mlp-tiny", "cnn-tiny"),
        (50, 200),
        25,
        (32, 64),
        (1e-2, 1e-3),
        ("adam",),
        ("wip", "debug"),
        seconds_per_step=(0.02, 0.1),
    ),
)

_REQUIREMENTS = {
    "classification": ["torch==2.3.1", "torchvision==0.18.1", "numpy==1.26.4", "timm==1.0.7"],
    "lm": ["torch==2.3.1", "transformers==4.42.3", "peft==0.11.1", "datasets==2.20.0"],
    "diffusion": ["torch==2.3.1", "diffusers==0.29.2", "accelerate==0.31.0", "xformers==0.0.27"],
    "rl": ["torch==2.3.1", "gymnasium==0.29.1", "stable-baselines3==2.3.2"],
}
_EVAL_METRICS: dict[Family, tuple[str, str]] = {
    "classification": ("val_loss", "val_acc"),
    "lm": ("val_loss", "val_perplexity"),
    "diffusion": ("fid", "clip_score"),
    "rl": ("eval_reward", "eval_episode_length"),
}


@dataclass
class _PlannedRun:
    """A demo run before it is stored: the row, and what hangs off it."""

    run: NewRun
    history: list[dict[str, Any]]
    events: list[dict[str, Any]]
    files: dict[str, bytes]
    files_at: str
    logs: list[dict[str, Any]] = field(default_factory=list)


# -- demo runs --------------------------------------------------------------------------------


def seed_demo_runs(ctx: DemoContext) -> None:
    """Give every demo project its runs (a step of ``seed_demo``; skips runs that exist)."""
    teammate = _teammate(ctx)
    for recipe in DEMO_RUN_RECIPES:
        owner = ctx.team if _is_team_project(recipe.project) else None
        entity_pk = owner.pk if owner else ctx.user.entity_pk
        project = ctx.store.projects.get(entity_pk, recipe.project)
        if project is None:
            continue
        users = [ctx.user] + ([teammate] if owner is not None and teammate else [])
        plans = _plan_project(recipe, parse_timestamp(project.created_at), ctx.now, users)
        existing = ctx.store.runs.names(project.pk)
        plans = [plan for plan in plans if plan.run.name not in existing]
        if plans:
            _store_plans(ctx.store, project.pk, plans)
        _store_sweeps(ctx.store, project.pk, recipe, plans)


def _store_sweeps(
    store: Store, project_pk: int, recipe: DemoRunRecipe, plans: list[_PlannedRun]
) -> None:
    """The sweeps the planned runs belong to: a Bayesian search over the recipe's choices,
    created a minute before its first run, finished once all its runs have stopped."""
    metric, _ = _EVAL_METRICS[recipe.family]
    for name in dict.fromkeys(p.run.sweep_name for p in plans if p.run.sweep_name):
        if store.sweeps.get(project_pk, name) is not None:
            continue
        members = [p for p in plans if p.run.sweep_name == name]
        values = [_summary(p)[metric] for p in members if metric in _summary(p)]
        created = min(parse_timestamp(p.run.created_at) for p in members)
        running = any(p.run.state in ("running", "pending") for p in members)
        config = {
            "program": "train.py",
            "method": "bayes",
            "metric": {"name": metric, "goal": "minimize"},
            "parameters": {
                "lr": {"values": list(recipe.learning_rates)},
                "batch_size": {"values": list(recipe.batch_sizes)},
                "model": {"values": list(recipe.models)},
            },
        }
        store.sweeps.create(
            project_pk,
            name,
            # W&B keeps a sweep's config as the YAML text it was given.
            config=yaml.safe_dump(config, sort_keys=False, default_flow_style=None),
            method="bayes",
            state="RUNNING" if running else "FINISHED",
            display_name=f"{recipe.project}-{name[:4]}",
            best_loss=min(values) if values else None,
            created_at=precise_timestamp(created - timedelta(minutes=1)),
        )


def _is_team_project(name: str) -> bool:

    return any(demo.name == name and demo.owner == "team" for demo in DEMO_PROJECTS)


def _teammate(ctx: DemoContext) -> UserRow | None:
    """A second member of the demo team, unless the name is taken by something else."""
    store = ctx.store
    if ctx.user.username == TEAMMATE_USERNAME:
        return None
    user = store.accounts.get_user(TEAMMATE_USERNAME)
    if user is None:
        if store.entities.get(TEAMMATE_USERNAME) is not None:
            return None
        user = store.accounts.create_user(
            TEAMMATE_USERNAME, name="Jordan Lee", email=f"{TEAMMATE_USERNAME}@example.com"
        )
    if not store.entities.is_team_member(ctx.team.pk, user.pk):
        store.entities.add_team_member(ctx.team.pk, user.pk, role="member")
    return user


def _store_plans(store: Store, project_pk: int, plans: list[_PlannedRun]) -> None:
    with store.transaction():
        pks = store.runs.bulk_insert(project_pk, [plan.run for plan in plans])
        store.history.bulk_insert(
            (pk, row["_step"], dumps_json(row))
            for pk, plan in zip(pks, plans, strict=True)
            for row in plan.history
        )
        for pk, plan in zip(pks, plans, strict=True):
            store.history.append_events(pk, plan.events)
            store.console.append(pk, plan.logs)
            for name, data in plan.files.items():
                store.run_files.put(pk, name, data, updated_at=plan.files_at, fsync=False)


def _plan_project(
    recipe: DemoRunRecipe, project_created: datetime, now: datetime, users: list[UserRow]
) -> list[_PlannedRun]:
    rng = random.Random(f"{DEMO_RUNS_SEED}:{recipe.project}")
    first = project_created + timedelta(hours=6)
    last = now - timedelta(hours=2)
    span = max((last - first).total_seconds(), 3600.0)
    offsets = sorted(rng.uniform(0, span) for _ in range(recipe.count))
    sweeps = [_random_name(rng) for _ in range(recipe.sweeps)]
    # In most projects the newest run is still going.
    still_running = rng.random() < 0.6
    plans = [
        _plan_run(
            recipe,
            rng,
            i,
            first + timedelta(seconds=offset),
            now,
            users,
            sweeps,
            running=still_running and i == recipe.count - 1,
        )
        for i, offset in enumerate(offsets)
    ]
    if recipe.checkpoint:
        finished = [p for p in plans if p.run.state == "finished"]
        best = sorted(finished, key=lambda p: _summary(p).get("loss", math.inf))[:2]
        for plan in best:
            size = rng.randint(1, 5) * 1024 * 1024 + rng.randint(0, 4095)
            plan.files["model.ckpt"] = rng.randbytes(size)
    return plans


def _summary(plan: _PlannedRun) -> dict[str, Any]:
    summary = plan.run.summary
    return dict(summary) if not isinstance(summary, str) else dict(json.loads(summary))


def _random_name(rng: random.Random) -> str:
    # The store's run-name alphabet and length, drawn from the seed's generator.
    return "".join(rng.choice(RUN_NAME_ALPHABET) for _ in range(GENERATED_RUN_NAME_LENGTH))


def _format_lr(lr: float) -> str:
    """``3e-4`` for 0.0003, ``1e-1`` for 0.1: the way people write learning rates in names."""
    mantissa, exponent = f"{lr:.1e}".split("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"


def _plan_run(
    recipe: DemoRunRecipe,
    rng: random.Random,
    index: int,
    created: datetime,
    now: datetime,
    users: list[UserRow],
    sweeps: list[str],
    *,
    running: bool,
) -> _PlannedRun:
    name = _random_name(rng)
    model = rng.choice(recipe.models)
    lr = rng.choice(recipe.learning_rates)
    batch_size = rng.choice(recipe.batch_sizes)
    optimizer = rng.choice(recipe.optimizers)
    epochs = rng.choice((5, 10, 20, 30, 50))
    config = {
        "lr": lr,
        "batch_size": batch_size,
        "optimizer": optimizer,
        "epochs": epochs,
        "model": model,
        "dropout": rng.choice((0.0, 0.1, 0.2, 0.3)),
        "seed": rng.randrange(10_000),
        "weight_decay": rng.choice((0.0, 1e-4, 5e-4, 0.01)),
        "warmup_steps": rng.choice((0, 100, 500)),
        "dataset": recipe.project.split("-")[0],
    }
    # How good this run can get: best near the middle learning rate, with some luck.
    best_lr = sorted(recipe.learning_rates)[len(recipe.learning_rates) // 2]
    quality = 1.0 - 0.35 * abs(math.log10(lr) - math.log10(best_lr)) + rng.gauss(0, 0.08)
    quality = min(1.0, max(0.05, quality))
    planned_steps = rng.randint(*recipe.steps)
    seconds_per_step = rng.uniform(*recipe.seconds_per_step)
    if running:
        created = now - timedelta(seconds=planned_steps * seconds_per_step * rng.uniform(0.2, 0.8))

    state, logged_steps = _state_and_steps(rng, created, now, planned_steps, seconds_per_step)
    history = _history(
        recipe, rng, quality, lr, epochs, planned_steps, logged_steps, seconds_per_step
    )
    started = created.timestamp()
    for row in history:
        row["_timestamp"] = round(started + row["_runtime"], 3)
    runtime = history[-1]["_runtime"] if history else 0.0
    ended = created + timedelta(seconds=runtime)
    heartbeat = ended  # the last sign of life is the last logged step

    summary = _summary_of(recipe, history, runtime)
    user = users[1] if len(users) > 1 and rng.random() < 0.35 else users[0]
    sweep = sweeps[index % len(sweeps)] if sweeps else None
    tags = sorted(rng.sample(recipe.tags, k=rng.randint(0, min(2, len(recipe.tags)))))
    host = f"gpu-node-{rng.randint(1, 16):02d}"
    wandb_internal = {
        "cli_version": "0.31.0",
        "python_version": "3.11.9",
        "framework": "torch",
        "is_jupyter_run": False,
        "start_time": round(started, 3),
    }
    run = NewRun(
        name=name,
        created_at=precise_timestamp(created),
        updated_at=precise_timestamp(heartbeat),
        heartbeat_at=precise_timestamp(heartbeat),
        display_name=f"{model}-lr{_format_lr(lr)}-bs{batch_size}",
        state=state,
        config={**wrap_config(config), "_wandb": {"value": wandb_internal, "desc": None}},
        summary=summary,
        system_metrics=_system_summary(rng),
        tags=tags,
        notes=rng.choice(
            (None, None, None, "Baseline with the default recipe.", "Re-run with a new seed.")
        ),
        description=rng.choice((None, None, None, f"{model} at lr={lr}, bs={batch_size}.")),
        group_name=rng.choice(recipe.groups) if recipe.groups else None,
        job_type=rng.choice(recipe.job_types),
        host=host,
        commit_hash=f"{rng.getrandbits(160):040x}",
        sweep_name=sweep,
        user_pk=user.pk,
        history_line_count=len(history),
        last_step=history[-1]["_step"] if history else -1,
        history_keys=merge_history_keys(
            empty_history_keys(), history, history[-1]["_step"] if history else -1
        ),
    )
    events = _events(rng, started, runtime)
    logs = _console(recipe, history, name, created, state)
    files = _files(recipe, rng, config, history, host, created, name, model, logs)
    return _PlannedRun(run, history, events, files, precise_timestamp(ended), logs)


def _state_and_steps(
    rng: random.Random, created: datetime, now: datetime, planned: int, seconds_per_step: float
) -> tuple[str, int]:
    elapsed = (now - created).total_seconds()
    if elapsed < planned * seconds_per_step:
        # Still within its planned training time: running, with the steps done so far (steps
        # vary by up to 10% in length, so the last one cannot land after `now`).
        return "running", max(1, int(0.85 * elapsed / seconds_per_step))
    draw = rng.random()
    if draw < 0.08:
        return "crashed", max(1, int(planned * rng.uniform(0.1, 0.8)))
    if draw < 0.14:
        return "failed", max(1, int(planned * rng.uniform(0.02, 0.3)))
    if draw < 0.17:
        return "killed", max(1, int(planned * rng.uniform(0.3, 0.9)))
    return "finished", planned


def _lr_at(lr: float, t: float) -> float:
    warmup = 0.05
    if t < warmup:
        return lr * t / warmup
    return lr * 0.5 * (1 + math.cos(math.pi * (t - warmup) / (1 - warmup)))


def _history(
    recipe: DemoRunRecipe,
    rng: random.Random,
    quality: float,
    lr: float,
    epochs: int,
    planned: int,
    logged: int,
    seconds_per_step: float,
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    runtime = 0.0
    gauss = rng.gauss
    for step in range(logged):
        t = step / max(planned - 1, 1)
        runtime += seconds_per_step * rng.uniform(0.9, 1.1)
        row: dict[str, Any] = {
            "_step": step,
            "_runtime": round(runtime, 3),
            "epoch": step * epochs // planned,
        }
        row.update(_train_metrics(recipe.family, t, quality, lr, gauss))
        if (step + 1) % recipe.eval_every == 0 or step == planned - 1:
            row.update(_eval_metrics(recipe.family, t, quality, gauss))
        rows.append(row)
    return rows


def _r(value: float) -> float:
    return round(value, 6)


def _train_metrics(
    family: Family, t: float, q: float, lr: float, gauss: Any
) -> dict[str, float | int]:
    decay = math.exp(-5 * t)
    noise = 1 + gauss(0, 0.04)
    grad_norm = _r(abs(0.4 + 3.5 * math.exp(-3 * t) + gauss(0, 0.15)))
    if family == "classification":
        end_loss = 0.02 + (1 - q) * 0.6
        loss = (end_loss + (2.3 - end_loss) * decay) * noise
        acc_end = 0.80 + 0.19 * q
        acc = min(1.0, acc_end - (acc_end - 0.1) * math.exp(-6 * t) + gauss(0, 0.01))
        return {
            "loss": _r(loss),
            "accuracy": _r(max(0.0, acc)),
            "lr": _r(_lr_at(lr, t)),
            "grad_norm": grad_norm,
        }
    if family == "lm":
        end_loss = 1.0 + (1 - q) * 0.6
        loss = (end_loss + (2.8 - end_loss) * decay) * noise
        return {
            "loss": _r(loss),
            "perplexity": _r(math.exp(loss)),
            "lr": _r(_lr_at(lr, t)),
            "grad_norm": grad_norm,
            "tokens_per_sec": _r(3200 + gauss(0, 90)),
        }
    if family == "diffusion":
        end_loss = 0.08 + (1 - q) * 0.05
        loss = (end_loss + (0.9 - end_loss) * math.exp(-4 * t)) * (1 + gauss(0, 0.08))
        return {
            "loss": _r(loss),
            "ema_loss": _r(end_loss + (0.9 - end_loss) * math.exp(-4 * t)),
            "lr": _r(_lr_at(lr, t)),
            "grad_norm": grad_norm,
        }
    reward = min(500.0, max(9.0, 500 * q * (1 - math.exp(-4 * t)) + 10 + gauss(0, 15)))
    return {
        "episode_reward": _r(reward),
        "episode_length": int(reward),
        "value_loss": _r((0.05 + 2.0 * decay) * noise),
        "policy_loss": _r(gauss(0, 0.02)),
        "entropy": _r(0.1 + 0.59 * math.exp(-3 * t)),
        "lr": _r(_lr_at(lr, t)),
    }


def _eval_metrics(family: Family, t: float, q: float, gauss: Any) -> dict[str, float | int]:
    first, second = _EVAL_METRICS[family]
    if family == "classification":
        end_loss = 0.05 + (1 - q) * 0.6
        val_loss = (end_loss + (2.3 - end_loss) * math.exp(-5 * t)) * 1.08 + 0.1 * t * (1 - q)
        val_acc = 0.78 + 0.19 * q - (0.68 + 0.19 * q) * math.exp(-6 * t) + gauss(0, 0.008)
        return {first: _r(val_loss), second: _r(min(1.0, max(0.0, val_acc)))}
    if family == "lm":
        val_loss = (1.05 + (1 - q) * 0.6 + 1.8 * math.exp(-5 * t)) * (1 + gauss(0, 0.01))
        return {first: _r(val_loss), second: _r(math.exp(val_loss))}
    if family == "diffusion":
        fid = 12 + (1 - q) * 30 + 250 * math.exp(-4 * t) + gauss(0, 1.5)
        clip = 0.22 + 0.1 * q * (1 - math.exp(-3 * t)) + gauss(0, 0.003)
        return {first: _r(fid), second: _r(clip)}
    reward = min(500.0, max(9.0, 500 * q * (1 - math.exp(-4 * t)) + 10 + gauss(0, 8)))
    return {first: _r(reward), second: int(reward)}


def _summary_of(recipe: DemoRunRecipe, history: list[dict[str, Any]], runtime: float) -> Any:
    summary: dict[str, Any] = {}
    for row in history:
        summary.update(row)
    first, second = _EVAL_METRICS[recipe.family]
    evals = [row for row in history if first in row]
    if evals:
        higher_is_better = first == "eval_reward"
        best = (max if higher_is_better else min)(evals, key=lambda row: row[first])
        steps_per_epoch = max(1, (history[-1]["_step"] + 1) // max(1, len(evals)))
        summary["best_epoch"] = best["_step"] // steps_per_epoch
        summary["eval"] = {_short(first): best[first], _short(second): best[second]}
    summary["_wandb"] = {"runtime": int(runtime)}
    return summary


def _short(metric: str) -> str:
    for prefix in ("val_", "eval_"):
        if metric.startswith(prefix):
            return metric[len(prefix) :]
    return metric


def _system_summary(rng: random.Random) -> dict[str, float]:
    return {
        "system.cpu": round(rng.uniform(10, 90), 2),
        "system.memory_percent": round(rng.uniform(20, 80), 2),
        "system.gpu.0.gpu": round(rng.uniform(40, 99), 2),
        "system.gpu.0.memoryAllocated": round(rng.uniform(30, 95), 2),
        "system.gpu.0.temp": round(rng.uniform(45, 80), 1),
    }


def _events(rng: random.Random, started: float, runtime: float) -> list[dict[str, Any]]:
    count = min(60, max(5, int(runtime / 30)))
    events = []
    for i in range(count):
        at = runtime * (i + 1) / count
        row: dict[str, Any] = _system_summary(rng)
        row.update({"_runtime": round(at, 3), "_timestamp": round(started + at, 3)})
        events.append(row)
    return events


def _files(
    recipe: DemoRunRecipe,
    rng: random.Random,
    config: dict[str, Any],
    history: list[dict[str, Any]],
    host: str,
    created: datetime,
    name: str,
    model: str,
    logs: list[dict[str, Any]],
) -> dict[str, bytes]:
    yaml_lines = ["wandb_version: 1", ""]
    for key, value in config.items():
        yaml_lines += [f"{key}:", "  desc: null", f"  value: {json.dumps(value)}"]
    metadata = {
        "os": "Linux-5.15.0-1057-aws-x86_64-with-glibc2.35",
        "python": "CPython 3.11.9",
        "startedAt": precise_timestamp(created),
        "program": "train.py",
        "args": [
            f"--model={model}",
            f"--lr={config['lr']}",
            f"--batch-size={config['batch_size']}",
        ],
        "host": host,
        "username": "demo",
        "executable": "/usr/bin/python3",
        "cpu_count": 32,
        "gpu": "NVIDIA A100-SXM4-80GB",
        "gpu_count": rng.choice((1, 4, 8)),
        "run_id": name,
    }
    # output.log holds the console lines as W&B writes the file: stderr lines marked ERROR.
    log = [("ERROR " if entry.get("level") == "error" else "") + entry["line"] for entry in logs]
    return {
        "config.yaml": ("\n".join(yaml_lines) + "\n").encode(),
        "requirements.txt": ("\n".join(_REQUIREMENTS[recipe.family]) + "\n").encode(),
        "wandb-metadata.json": json.dumps(metadata, indent=2).encode(),
        "output.log": ("\n".join(log) + "\n").encode(),
    }


def _console(
    recipe: DemoRunRecipe,
    history: list[dict[str, Any]],
    name: str,
    created: datetime,
    state: str,
) -> list[dict[str, Any]]:
    """A run's console output: a banner, a line per evaluation, a traceback if it failed."""
    first, _ = _EVAL_METRICS[recipe.family]
    lines = [
        {
            "line": f"wandb: Tracking run with wandb version 0.31.0 (run {name})",
            "timestamp": created,
        }
    ]
    for row in history:
        if first in row:
            metrics = " ".join(f"{k}={v}" for k, v in row.items() if not k.startswith("_"))
            at = datetime.fromtimestamp(row["_timestamp"], timezone.utc)
            lines.append({"line": f"[step {row['_step']:>6}] {metrics}", "timestamp": at})
    if state in ("failed", "crashed") and history:
        at = datetime.fromtimestamp(history[-1]["_timestamp"], timezone.utc)
        for text in (
            "Traceback (most recent call last):",
            '  File "train.py", line 212, in <module>',
            "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB",
        ):
            lines.append({"line": text, "timestamp": at, "level": "error"})
    return lines


# -- benchmark data set -----------------------------------------------------------------------

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
        display_name=f"{model}-lr{_format_lr(lr)}-bs{batch_size}-{index}",
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
