"""Two writers of one run's summary (issue 9): ``run.summary.update(...)`` changes only the
keys it names (and the keys set or deleted locally), on the summary as the server holds it, so
writers of different keys keep each other's keys; ``run.update()`` writes the whole summary
and the last writer wins, as on W&B.

Every test runs on both flavours (``flavor``) but one: ``test_fifty_concurrent_async_writers_
lose_no_key`` is about ``AsyncApi`` concurrency (fifty updates in one ``asyncio.gather``)."""

from __future__ import annotations

import asyncio
from typing import Any

import wandbkit
from wandbkit._lang.summary_merge import SUMMARY_KEYS_HEADER

from ..support import Flavor, recording_api


async def _two_copies(flavor: Flavor, run_id: str) -> tuple[Any, Any, str]:
    api = flavor.api
    run = await flavor(api.create_run(run_id=run_id, project="writers"))
    await flavor(run.summary.update({"base": 1}))
    path = f"{flavor.seed.entity}/writers/{run_id}"
    # Two writers load the run before either of them writes.
    first = await flavor(api.run(path))
    second = await flavor(api.run(path))
    return first, second, path


async def test_writers_of_different_keys_keep_each_others_keys(flavor: Flavor) -> None:
    first, second, path = await _two_copies(flavor, "two-keys")
    await flavor(first.summary.update({"a": 1}))
    await flavor(second.summary.update({"b": 2}))
    fresh = await flavor(flavor.api.run(path))
    assert dict(fresh.summary) == {"base": 1, "a": 1, "b": 2}
    # The writer's own copy shows the server's summary after its write.
    assert dict(second.summary) == {"base": 1, "a": 1, "b": 2}


async def test_local_edits_are_written_by_the_next_summary_update(flavor: Flavor) -> None:
    first, second, path = await _two_copies(flavor, "edits")
    await flavor(first.summary.update({"a": 1, "gone": 0}))
    second.summary["b"] = 2
    del second.summary["base"]
    await flavor(second.summary.update())
    fresh = await flavor(flavor.api.run(path))
    # "a" and "gone" were written by another writer since `second` loaded; they stay.
    assert dict(fresh.summary) == {"a": 1, "gone": 0, "b": 2}


async def test_run_update_writes_the_whole_summary_and_the_last_writer_wins(
    flavor: Flavor,
) -> None:
    first, second, path = await _two_copies(flavor, "whole")
    await flavor(first.summary.update({"a": 1}))
    second.summary["b"] = 2
    await flavor(second.update())
    fresh = await flavor(flavor.api.run(path))
    assert dict(fresh.summary) == {"base": 1, "b": 2}  # W&B's upsertBucket semantics


async def test_the_update_names_its_keys_in_the_summary_keys_header(flavor: Flavor) -> None:
    first, _, _ = await _two_copies(flavor, "header")
    flavor.transport.clear()
    await flavor(first.summary.update({"a": 1}))
    upserts = [r for r in flavor.transport.requests if b"UpsertRun" in r.content]
    assert [r.headers[SUMMARY_KEYS_HEADER] for r in upserts] == ['["a"]']


async def test_fifty_concurrent_async_writers_lose_no_key(seeded_app: tuple[Any, Any]) -> None:
    app, seed = seeded_app
    async with recording_api(app, seed.api_key) as (api, _):
        await api.create_run(run_id="many", project="writers")
        path = f"{seed.entity}/writers/many"
        copies = [await api.run(path) for _ in range(50)]
        await asyncio.gather(*(c.summary.update({f"k{i}": i}) for i, c in enumerate(copies)))
        fresh = await api.run(path)
        assert dict(fresh.summary) == {f"k{i}": i for i in range(50)}
        assert isinstance(fresh, wandbkit.AsyncRun)


async def test_a_summary_update_reads_the_summary_alone_then_writes_it(flavor: Flavor) -> None:
    first, _, path = await _two_copies(flavor, "one-field")
    flavor.transport.clear()
    await flavor(first.summary.update({"a": 1}))
    # The fresh read asks for the summary only, not the whole run (config, history keys, ...).
    assert flavor.transport.operations == ["GetRunSummary", "UpsertRun"]
    fresh = await flavor(flavor.api.run(path))
    assert dict(fresh.summary) == {"base": 1, "a": 1}


async def test_a_summary_update_of_a_deleted_run_is_not_found(flavor: Flavor) -> None:
    first, second, _ = await _two_copies(flavor, "deleted")
    await flavor(second.delete())
    try:
        await flavor(first.summary.update({"a": 1}))
    except wandbkit.NotFoundError as exc:
        assert "deleted" in str(exc) and "GetRunSummary" in str(exc)
    else:
        raise AssertionError("the update of a deleted run did not fail")
