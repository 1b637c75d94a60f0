"""A toy training loop that reports to W&B with the official SDK, as real projects do.

Nothing in it knows about wandbkit: ``wandb.init()`` reads the server, key and directories
from the environment, which the tests point at a local server.
"""

from __future__ import annotations

import math
import os

import wandb


def train(epochs: int = 20, lr: float = 0.1, project: str = "toy-regression") -> str:
    """Fit ``y = 3x`` by gradient descent; log the loss per epoch, the final weight as the
    summary, the weights as a file. Returns the run id."""
    with wandb.init(project=project, config={"epochs": epochs, "lr": lr}, tags=["toy"]) as run:
        weight = 0.0
        points = [(x / 10, 3 * x / 10) for x in range(1, 11)]
        for epoch in range(epochs):
            gradient = sum(2 * (weight * x - y) * x for x, y in points) / len(points)
            weight -= run.config.lr * gradient
            loss = sum((weight * x - y) ** 2 for x, y in points) / len(points)
            run.log({"epoch": epoch, "loss": loss, "weight": weight})
            if not math.isfinite(loss) or loss > 1e6:
                raise RuntimeError(f"training diverged at epoch {epoch}")
        run.summary["final_weight"] = weight
        print(f"trained: weight={weight:.4f}")
        path = os.path.join(run.dir, "weights.txt")
        with open(path, "w") as file:
            file.write(f"{weight}\n")
        run.save(path, base_path=run.dir, policy="now")
        return run.id
