"""Sweep agents end to end: a sweep's agents and one by name, an agent's runs, ``Sweep.get``,
``Sweep.username`` and HTML.

Every test runs on both flavours (``flavor``)."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

import wandbkit
from wandbkit.errors import NotFoundError, UsageError
from wandbkit.server.testing import add_run

from ..support import Flavor


@pytest.fixture
def agents(seeded_app: tuple[Any, Any]) -> None:
    """demo/tune: sweep "sw1" with runs r0-r3; agent "a1" ran r0, r1 and r2, "a2" none."""
    store = seeded_app[0].state.store
    runs = [add_run(store, "demo/tune", f"r{i}", sweep_name="sw1") for i in range(4)]
    project = store.projects.get(store.entities.get("demo").pk, "tune")
    sweep = store.sweeps.create(project.pk, "sw1", config="method: grid\n", method="grid")
    a1 = store.agents.create(sweep.pk, "a1", host="gpu-1", created_at="2026-01-01T00:00:00Z")
    store.agents.create(sweep.pk, "a2", host="gpu-2", state="FAILED")
    for run in runs[:3]:
        store.agents.add_run(a1.pk, run.pk)
    store.agents.heartbeat(a1.pk, at="2026-01-01T01:00:00Z", state="FINISHED")


async def test_a_sweep_lists_its_agents_and_finds_one(flavor: Flavor, agents: None) -> None:
    sweep = await flavor(flavor.api.sweep("demo/tune/sw1"))
    found = await flavor(sweep.agents())
    assert [(a.name, a.host, a.state, a.total_runs) for a in found] == [
        ("a1", "gpu-1", "FINISHED", 3),
        ("a2", "gpu-2", "FAILED", 0),
    ]
    one = await flavor(sweep.agent("a1"))
    assert one == found[0] and one.id and one.sweep_id == "sw1"
    assert one.created_at.isoformat() == "2026-01-01T00:00:00+00:00"
    assert one.heartbeat_at.isoformat() == "2026-01-01T01:00:00+00:00"
    assert isinstance(one, (wandbkit.Agent, wandbkit.AsyncAgent))
    with pytest.raises(NotFoundError, match="agent 'zz' of sweep 'demo/tune/sw1' not found"):
        await flavor(sweep.agent("zz"))
    flavor.transport.clear()
    with pytest.raises(UsageError, match="agent_id"):
        await flavor(sweep.agent("bad name"))
    assert flavor.transport.operations == []


async def test_an_agent_lists_the_runs_it_executed(flavor: Flavor, agents: None) -> None:
    sweep = await flavor(flavor.api.sweep("demo/tune/sw1"))
    a1, a2 = await flavor(sweep.agents())
    runs = a1.runs(per_page=2)
    assert [r.id for r in await flavor.list(runs)] == ["r0", "r1", "r2"]
    assert runs.pages_loaded == 2 and len(runs) == 3
    newest = await flavor.list(a1.runs(order="-created_at"))
    assert [r.id for r in newest] == ["r2", "r1", "r0"]
    assert await flavor.list(a2.runs()) == []
    assert newest[0].project == "tune" and newest[0].entity == "demo"


async def test_sweep_get_username_and_html(flavor: Flavor, agents: None) -> None:
    cls = type(await flavor(flavor.api.sweep("demo/tune/sw1")))
    sweep = await flavor(cls.get(flavor.api, "demo", "tune", "sw1", order="-created_at"))
    assert sweep.id == "sw1" and sweep.method == "grid"
    assert [r.id for r in await flavor.list(sweep.runs)] == ["r3", "r2", "r1", "r0"]
    with pytest.raises(NotFoundError):
        await flavor(cls.get(flavor.api, "demo", "tune", "nope"))
    with pytest.raises(UsageError, match="no custom query"):
        await flavor(cls.get(flavor.api, "demo", "tune", "sw1", query="{ viewer { id } }"))
    with pytest.warns(DeprecationWarning, match="use Sweep.entity"):
        assert sweep.username == "demo"
    html = sweep.to_html(height=200)
    assert f'src="{sweep.url}?jupyter=true"' in html and "height:200px" in html
    assert sweep._repr_html_() == sweep.to_html()
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        assert sweep.display() is False
