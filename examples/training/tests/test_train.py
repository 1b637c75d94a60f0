"""The training script, run unchanged against wandbkit's local server.

``wandb_server`` (the wandbkit pytest plugin) starts the server and points the official SDK at
it for the test; ``wandb_api`` reads back what the script logged.
"""

import pytest
from train import train


def test_training_logs_a_falling_loss_and_the_fitted_weight(wandb_server, wandb_api, tmp_path):
    run_id = train(epochs=20, lr=0.5)

    run = wandb_api.run(f"{wandb_server.account.entity}/toy-regression/{run_id}")
    assert run.state == "finished"
    assert run.config == {"epochs": 20, "lr": 0.5}
    losses = [row["loss"] for row in run.scan_history(keys=["loss"])]
    assert len(losses) == 20
    assert losses == sorted(losses, reverse=True)
    assert run.summary["final_weight"] == pytest.approx(3.0, abs=1e-3)
    weight = float(run.file("weights.txt").download(root=tmp_path).read_text())
    assert weight == run.summary["final_weight"]
    assert [line.content for line in run.console_logs()] == [f"trained: weight={weight:.4f}"]


def test_a_diverging_run_is_marked_failed(wandb_server, wandb_api):
    with pytest.raises(RuntimeError, match="diverged"):
        train(epochs=50, lr=5.0)

    [run] = wandb_api.runs(f"{wandb_server.account.entity}/toy-regression")
    assert run.state == "failed"
