"""Cassettes for W&B traffic: the wandbkit plugin's ready-made config.

The plugin (installed with wandbkit) already registers its GraphQL matcher with
pytest-recording; all a project needs is this fixture.
"""

import pytest


@pytest.fixture
def vcr_config(wandb_vcr_config):
    return wandb_vcr_config
