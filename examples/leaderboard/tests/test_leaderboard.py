"""The leaderboard against W&B, without W&B.

* ``pytest --disable-recording``: against wandbkit's local server, seeded from seed.yaml.
* ``pytest --record-mode=once``: the same, recording cassettes into tests/cassettes/.
* ``pytest``: replayed from the cassettes; no server, no network.
"""

import pytest
from leaderboard import Entry, count_finished_runs, model_card, top_runs

pytestmark = [pytest.mark.vcr, pytest.mark.wandb_seed("seed.yaml")]


def test_the_best_finished_runs_lead(wandb_api):
    assert top_runs(wandb_api, "demo/mnist", metric="accuracy", n=2) == [
        Entry("resnet", "ResNet-18", 0.99),
        Entry("cnn-small", "small CNN", 0.95),
    ]


def test_unfinished_runs_and_runs_without_the_metric_are_left_out(wandb_api):
    ids = [entry.run_id for entry in top_runs(wandb_api, "demo/mnist", metric="accuracy", n=10)]
    assert ids == ["resnet", "cnn-small", "mlp"]


def test_the_model_card_is_read_from_the_runs_files(wandb_api):
    assert model_card(wandb_api, "demo/mnist/cnn-small").startswith("# Small CNN")


def test_the_custom_query_counts_finished_runs(wandb_api):
    assert count_finished_runs(wandb_api, "demo/mnist") == 4
