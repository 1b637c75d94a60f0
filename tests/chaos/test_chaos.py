"""The client under a hostile network, end to end against the in-process server.

Under 30% 502s, 429 bursts and dropped connections every paginated read returns each object
exactly once, every download is byte-exact (or fails leaving nothing behind), and a mutation
whose answer was lost is not applied twice. The 5xx answers carry a short ``Retry-After`` so
the suite stays fast; the retry maths itself is table-tested in ``tests/unit/test_retry.py``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from starlette.applications import Starlette

import wandbkit
from wandbkit.errors import WandbkitError
from wandbkit.server.faults import Fault, Faults
from wandbkit.server.testing import add_run, asgi_transport, make_seeded_app

RUNS = 75
STEPS = 1200
BLOB = os.urandom(300_000)


@dataclass
class Chaos:
    api: wandbkit.AsyncApi
    faults: Faults
    project: str
    app: Starlette
    api_key: str = field(repr=False)


@pytest.fixture
async def chaos() -> AsyncIterator[Chaos]:
    app, seed = make_seeded_app()
    project = f"{seed.entity}/chaos"
    for i in range(RUNS):
        add_run(app.state.store, project, f"run-{i:03d}", config={"i": i})
    add_run(
        app.state.store,
        project,
        "deep",
        history=[{"loss": 1 / (step + 1)} for step in range(STEPS)],
        files={"model.bin": BLOB},
    )
    async with wandbkit.AsyncApi(
        api_key=seed.api_key,
        base_url="http://wandbkit.test",
        transport=asgi_transport(app),
        max_retries=8,
    ) as api:
        yield Chaos(api, app.state.faults, project, app, seed.api_key)


def hostile_network(faults: Faults) -> None:
    faults.add(Fault.status(429, retry_after=0.01), times=3)  # a burst at the start
    faults.add(Fault.status(502, retry_after=0.01), rate=0.3)
    faults.add(Fault.drop(), rate=0.15)


async def test_every_run_is_listed_exactly_once_under_faults(chaos: Chaos) -> None:
    hostile_network(chaos.faults)
    names = [run.name async for run in chaos.api.runs(chaos.project, per_page=5)]
    assert sorted(names) == sorted([f"run-{i:03d}" for i in range(RUNS)] + ["deep"])
    assert len(names) == len(set(names))
    kinds = {injected.fault.kind.value for injected in chaos.faults.injected}
    assert kinds == {"status", "drop"}  # the faults really were injected


async def test_a_history_scan_returns_every_step_once_under_faults(chaos: Chaos) -> None:
    run = await chaos.api.run(f"{chaos.project}/deep")
    hostile_network(chaos.faults)
    steps = [row["_step"] async for row in run.scan_history(page_size=100)]
    assert steps == list(range(STEPS))


async def test_a_download_is_byte_exact_under_dropped_connections(
    chaos: Chaos, tmp_path: Path
) -> None:
    file = await (await chaos.api.run(f"{chaos.project}/deep")).file("model.bin")
    chaos.faults.add(Fault.drop(), route="/signed/files/*", times=2)
    chaos.faults.add(Fault.status(503, retry_after=0.01), route="/signed/files/*", times=1)
    path = await file.download(root=tmp_path)
    assert path.read_bytes() == BLOB
    assert len(chaos.faults.injected) == 3


async def test_a_download_that_cannot_succeed_leaves_nothing_behind(
    chaos: Chaos, tmp_path: Path
) -> None:
    async with wandbkit.AsyncApi(  # few retries: the retry budget is not what is tested here
        api_key=chaos.api_key,
        base_url="http://wandbkit.test",
        transport=asgi_transport(chaos.app),
        max_retries=1,
    ) as api:
        file = await (await api.run(f"{chaos.project}/deep")).file("model.bin")
        chaos.faults.add(Fault.drop(), route="/signed/files/*")
        with pytest.raises(WandbkitError):
            await file.download(root=tmp_path)
    assert list(tmp_path.rglob("*")) == []
    assert len(chaos.faults.injected) == 2  # the first try and one retry


async def test_a_truncated_download_is_refused_and_not_kept(chaos: Chaos, tmp_path: Path) -> None:
    file = await (await chaos.api.run(f"{chaos.project}/deep")).file("model.bin")
    chaos.faults.add(Fault.truncate(), route="/signed/files/*")
    with pytest.raises(WandbkitError):
        await file.download(root=tmp_path)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


async def test_a_mutation_whose_answer_was_lost_is_not_sent_again(chaos: Chaos) -> None:
    chaos.faults.add(Fault.status(502, after_apply=True), operation="UpsertModel*", times=1)
    chaos.faults.add(Fault.status(502, after_apply=True), operation="CreateProject*", times=1)
    with pytest.raises(WandbkitError) as caught:
        await chaos.api.create_project("lost-answer")
    assert "may have been applied" in str(caught.value)
    mutations = [f for f in chaos.faults.injected if f.operation]
    assert len(mutations) == 1  # sent once: a 502 after a mutation is not retried
    project = chaos.api.project("lost-answer")
    await project.load()  # the change did happen: the project is there
    assert project.id


async def test_a_mutation_whose_connection_dropped_says_it_may_have_been_applied(
    chaos: Chaos,
) -> None:
    chaos.faults.add(Fault.drop(), route="/graphql", method="POST", operation="*Project*")
    with pytest.raises(WandbkitError) as caught:
        await chaos.api.create_project("dropped-answer")
    assert "may have been applied" in str(caught.value)
    assert len(chaos.faults.injected) == 1


async def test_a_mutation_refused_before_acting_is_retried_and_applied_once(chaos: Chaos) -> None:
    chaos.faults.add(Fault.status(503, retry_after=0.01), operation="*Project*", times=2)
    await chaos.api.create_project("after-503s")
    assert len(chaos.faults.injected) == 2
    project = chaos.api.project("after-503s")
    await project.load()
    assert project.id
