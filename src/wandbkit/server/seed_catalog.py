"""What the seed steps share: the result of the basic seed, the demo's projects and the context
every demo step receives.

Both :mod:`wandbkit.server.seed` (which orders the steps) and the step modules
(:mod:`wandbkit.server.seed_runs`, later artifacts and registries) import from here and never
from each other, so the seed modules form no import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from wandbkit.server.store import EntityRow, Store, UserRow


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
