"""What the seed steps share: the result of the basic seed, the demo's projects and their run
recipes, the context every demo step receives, and small naming helpers.

Both :mod:`wandbkit.server.seed` (which orders the steps) and the step modules
(:mod:`~wandbkit.server.seed.basic`, :mod:`~wandbkit.server.seed.demo_runs`,
:mod:`~wandbkit.server.seed.benchmark`, later artifacts and registries) import from here and
never from each other, so the seed modules form no import cycle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from wandbkit._lang.artifact_digest import artifact_digest
from wandbkit.server.store import EntityRow, NewArtifact, NewEntry, Store, UserRow


@dataclass(frozen=True)
class SeedResult:
    """What a seed created or reused, and the key to use it with.

    Attributes:
        api_key: a key for ``username`` (40 lowercase hex characters unless supplied).
        username: the user.
        entity: the user's default entity (their personal entity).
        team: a team the user belongs to.
        organization: the organization the team belongs to.
    """

    api_key: str = field(repr=False)
    username: str
    entity: str
    team: str
    organization: str


@dataclass(frozen=True)
class DemoProject:
    """A demo project: where it lives (the user or the team), and how old it is."""

    owner: Literal["user", "team"]
    name: str
    description: str
    days_ago: int
    access: str = "PRIVATE"


#: The demo workspace's projects, oldest first (so creation order matches row order).
DEMO_PROJECTS: tuple[DemoProject, ...] = (
    DemoProject(
        "user", "mnist-baselines", "CNN and MLP baselines on MNIST; the sanity check.", 180
    ),
    DemoProject(
        "team",
        "imagenet-resnet",
        "ResNet-50 training recipes on ImageNet-1k, mixed precision.",
        150,
    ),
    DemoProject(
        "user", "cifar10-augment", "Augmentation ablations on CIFAR-10 (RandAugment, CutMix).", 120
    ),
    DemoProject("team", "llm-finetune", "LoRA fine-tuning of a 7B model on support tickets.", 90),
    DemoProject(
        "team", "diffusion-sweeps", "Hyperparameter sweeps for a latent diffusion model.", 60
    ),
    DemoProject(
        "team",
        "rl-cartpole",
        "PPO vs. DQN on CartPole; a playground for new members.",
        30,
        access="USER_READ",
    ),
    DemoProject("user", "scratch", "Quick experiments; anything goes.", 7),
)


@dataclass(frozen=True)
class DemoContext:
    """What a demo step needs: the store, the basic seed, its user and team, and 'now'."""

    store: Store
    seed: SeedResult
    user: UserRow
    team: EntityRow
    now: datetime


Family = Literal["classification", "lm", "diffusion", "rl"]


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


#: One recipe per project of :data:`DEMO_PROJECTS`.
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


def format_lr(lr: float) -> str:
    """``3e-4`` for 0.0003, ``1e-1`` for 0.1: the way people write learning rates in names."""
    mantissa, exponent = f"{lr:.1e}".split("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"


def store_files(store: Store, files: dict[str, bytes]) -> list[NewEntry]:
    """Store file bytes by md5 (once each) and return their manifest entries."""
    entries = []
    for path, data in files.items():
        blob = store.artifact_manifests.put_blob(data, fsync=False)
        entries.append(NewEntry(path, blob.md5, len(data)))
    return entries


def version(
    entries: Sequence[NewEntry],
    *,
    description: str | None = None,
    metadata: dict[str, object] | None = None,
    aliases: Sequence[str] = (),
    tags: Sequence[str] = (),
    created_by_run_pk: int | None = None,
    history_step: int | None = None,
) -> NewArtifact:
    """A committed version of these entries, its digest computed as W&B does."""
    return NewArtifact(
        digest=artifact_digest((e.path, e.digest) for e in entries),
        entries=entries,
        description=description,
        metadata=metadata or {},
        aliases=aliases,
        tags=tags,
        created_by_run_pk=created_by_run_pk,
        history_step=history_step,
    )
