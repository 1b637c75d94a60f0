"""Users inject faults into the pytest plugin's server: a marker, or ``wandb_server.faults``."""

from __future__ import annotations

import pytest

import wandbkit
from wandbkit.pytest_plugin import WandbServer
from wandbkit.server.faults import Fault, FaultKind


@pytest.mark.wandb_seed(projects=["one", "two"])
@pytest.mark.wandb_faults(Fault.status(503, retry_after=0.01), route="/graphql", times=2)
def test_the_marker_injects_faults_the_client_rides_out(
    wandb_server: WandbServer, wandb_api: wandbkit.Api
) -> None:
    assert sorted(p.name for p in wandb_api.projects()) == ["one", "two"]
    assert [f.fault.status_code for f in wandb_server.faults.injected] == [503, 503]


def test_a_connection_dropped_over_a_real_socket_is_retried(
    wandb_server: WandbServer, wandb_api: wandbkit.Api
) -> None:
    wandb_server.seed(projects=["kept"])
    wandb_server.faults.add(Fault.drop(), route="/graphql", times=1)
    assert [p.name for p in wandb_api.projects()] == ["kept"]
    assert [f.fault.kind for f in wandb_server.faults.injected] == [FaultKind.DROP]
