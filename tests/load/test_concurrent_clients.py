"""50 concurrent ``AsyncApi`` clients reading and writing one local server over loopback: no
write lost or applied twice, no server error. (Latency and throughput are measured by
``benchmarks/bench_load.py``, not asserted here.)"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter

import pytest

import wandbkit
from wandbkit.server.testing import running_server

CLIENTS = 50
RUNS_EACH = 3


async def client_session(base_url: str, api_key: str, entity: str, number: int) -> list[str]:
    """Create runs, read them back, list the project: what a busy script does."""
    created = []
    async with wandbkit.AsyncApi(api_key=api_key, base_url=base_url) as api:
        for j in range(RUNS_EACH):
            run_id = f"c{number:02d}-{j}"
            run = await api.create_run(run_id=run_id, project="load", entity=entity)
            created.append(run.id)
            again = await api.run(f"{entity}/load/{run_id}")
            assert again.id == run_id
        assert len([r async for r in api.runs(f"{entity}/load", per_page=25)]) >= RUNS_EACH
    return created


async def test_fifty_clients_lose_and_duplicate_no_write(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="wandbkit.server")
    with running_server() as server:
        entity = server.seed.entity
        results = await asyncio.gather(
            *(client_session(server.base_url, server.api_key, entity, i) for i in range(CLIENTS))
        )
        created = [run_id for ids in results for run_id in ids]
        async with wandbkit.AsyncApi(api_key=server.api_key, base_url=server.base_url) as api:
            listed = [run.id async for run in api.runs(f"{entity}/load", per_page=100)]
    assert len(created) == CLIENTS * RUNS_EACH
    assert Counter(listed) == Counter(created)  # every write once, none lost, none twice
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
