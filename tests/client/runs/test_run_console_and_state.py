"""Run console output, state changes and stopping, end to end against the local server; and
the deprecated spellings ``wandb`` still accepts.

Every test runs on both flavours (``flavor``) but two: ``test_console_timestamps_are_read_
leniently_as_utc`` reads one value (no client, no server), and ``test_sync_console_logs_state_
and_stop_over_real_http`` is the sync ``Api`` over real HTTP to a live server."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

import wandbkit
from wandbkit import ConsoleLogLine, RunState
from wandbkit._values.console import console_line
from wandbkit.errors import GraphQLError, NotFoundError, UsageError
from wandbkit.server.ids import decode_int_id
from wandbkit.server.testing import ServerHandle

from ..support import Flavor, seeded_once

LINES = 2500


async def _seed_console(flavor: Flavor, app: Any) -> None:
    """A run "talky" in demo/console with LINES console lines (every 100th on stderr, from
    rank1), and a quiet run "mute"."""
    api = flavor.api
    run = await flavor(api.create_run(run_id="talky", project="console"))
    await flavor(api.create_run(run_id="mute", project="console"))
    lines: list[Any] = []
    for i in range(LINES):
        if i % 100 == 99:
            lines.append({"line": f"warn {i}", "level": "error", "label": "rank1"})
        else:
            stamp = datetime(2025, 3, 1, tzinfo=timezone.utc).timestamp() + i
            lines.append({"line": f"step {i}", "timestamp": _iso(stamp)})
    app.state.store.console.append(decode_int_id(run.storage_id, "Run"), lines)


async def _env_of(flavor: Flavor, app: Any) -> tuple[Flavor, Any, Any, Any, Any]:
    run = await flavor(flavor.api.run("demo/console/talky"))
    flavor.transport.clear()
    return flavor, flavor.api, flavor.transport, run, app.state.store


@pytest.fixture(scope="module")
def shared_app() -> tuple[Any, Any]:
    """The server of ``_seed_console``, seeded once for the tests that only read it."""
    return seeded_once(_seed_console)


@pytest.fixture
async def env(
    shared_flavor: Flavor, shared_app: tuple[Any, Any]
) -> tuple[Flavor, Any, Any, Any, Any]:
    """``(flavor, api, transport, talky, store)`` on the shared server of ``_seed_console``."""
    return await _env_of(shared_flavor, shared_app[0])


@pytest.fixture
async def fresh_env(
    flavor: Flavor, seeded_app: tuple[Any, Any]
) -> tuple[Flavor, Any, Any, Any, Any]:
    """``env`` on a server of its own, for a test that changes it."""
    await _seed_console(flavor, seeded_app[0])
    return await _env_of(flavor, seeded_app[0])


def _iso(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, timezone.utc).isoformat()


async def test_console_logs_read_every_line_in_order_page_by_page(env: Any) -> None:
    flavor, _, transport, run, _ = env
    logs = run.console_logs(per_page=1000)
    lines = await flavor.list(logs)
    assert [line.number for line in lines] == list(range(LINES))
    assert len(logs) == LINES == logs.line_count
    assert transport.operations == ["GetRunLogLines"] * 3
    assert lines[0] == ConsoleLogLine(
        number=0,
        timestamp=datetime(2025, 3, 1, tzinfo=timezone.utc),
        level="",
        label="",
        content="step 0",
    )
    assert lines[99] == ConsoleLogLine(99, None, "error", "rank1", "warn 99")


async def test_a_tail_is_one_request_for_the_newest_lines(env: Any) -> None:
    flavor, _, transport, run, _ = env
    logs = run.console_logs(last=3)
    assert [line.content for line in await flavor(logs.to_list())] == [
        "step 2497",
        "step 2498",
        "warn 2499",
    ]
    assert transport.operations == ["GetRunLogTail"]
    assert logs.line_count == LINES and len(logs) == 3
    assert "last=3" in repr(logs)


async def test_a_tail_longer_than_the_server_gives_is_cut_to_the_newest(env: Any) -> None:
    flavor, _, _, run, _ = env
    lines = await flavor(run.console_logs(last=5000).to_list())
    assert len(lines) == 1000 and lines[-1].number == LINES - 1


async def test_a_quiet_run_has_no_lines_and_a_missing_run_is_not_found(fresh_env: Any) -> None:
    flavor, api, _, _, _ = fresh_env
    mute = await flavor(api.run("demo/console/mute"))
    assert await flavor(mute.console_logs().to_list()) == []
    assert await flavor(mute.console_logs(last=10).to_list()) == []
    gone = await flavor(api.run("demo/console/talky"))
    await flavor(gone.delete())
    with pytest.raises(NotFoundError, match="demo/console/talky"):
        await flavor(gone.console_logs().to_list())


@pytest.mark.parametrize("last", [-1, 2.5, "10", True])
async def test_a_bad_tail_fails_before_any_request(env: Any, last: Any) -> None:
    _, _, transport, run, _ = env
    with pytest.raises(UsageError, match="last must be None or a number of lines"):
        run.console_logs(last=last)
    with pytest.raises(UsageError, match="per_page"):
        run.console_logs(per_page=0)
    assert transport.requests == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-01T10:00:00Z", datetime(2025, 3, 1, 10, tzinfo=timezone.utc)),
        ("2025-03-01T10:00:00.5Z", datetime(2025, 3, 1, 10, 0, 0, 500000, tzinfo=timezone.utc)),
        ("2025-03-01T10:00:00.123456789", datetime(2025, 3, 1, 10, 0, 0, 123456, timezone.utc)),
        ("2025-03-01T12:00:00+02:00", datetime(2025, 3, 1, 10, tzinfo=timezone.utc)),
        ("", None),
        (None, None),
        ("yesterday", None),
    ],
)
def test_console_timestamps_are_read_leniently_as_utc(
    text: str | None, expected: datetime | None
) -> None:
    assert console_line(0, text, None, None, "x").timestamp == expected


async def test_update_state_requeues_a_crashed_run_and_refuses_what_the_server_refuses(
    fresh_env: Any,
) -> None:
    flavor, api, transport, run, store = fresh_env
    store.runs.update(decode_int_id(run.storage_id, "Run"), state="crashed")
    assert await flavor(run.update_state("pending")) is True
    assert run.state is RunState.PENDING
    assert (await flavor(api.run("demo/console/talky"))).state == "pending"
    with pytest.raises(GraphQLError, match="a 'pending' run cannot become 'pending'"):
        await flavor(run.update_state("pending"))
    assert transport.operations == ["UpdateRunState", "GetRun", "UpdateRunState"]


@pytest.mark.parametrize("state", ["finished", "running", "", None, "FAILED"])
async def test_update_state_takes_only_pending_or_failed(env: Any, state: Any) -> None:
    flavor, _, transport, run, _ = env
    with pytest.raises(UsageError, match="state must be 'pending' or 'failed'"):
        await flavor(run.update_state(state))
    assert transport.requests == []


async def test_stop_flags_the_run_and_the_emulator_ends_it_killed(fresh_env: Any) -> None:
    flavor, api, transport, run, _ = fresh_env
    await flavor(run.stop())
    assert transport.operations == ["StopRun"]
    assert await flavor(run.wait_until_finished(poll_interval=0.01)) is RunState.KILLED
    await flavor(run.stop())  # no longer running: nothing happens
    assert (await flavor(api.run("demo/console/talky"))).state == "killed"


async def test_deprecated_spellings_still_work_and_warn(env: Any) -> None:
    _, _, _, run, _ = env
    with pytest.warns(DeprecationWarning, match="use Run.entity"):
        assert run.username == "demo"
    with pytest.warns(DeprecationWarning, match="use scan_history"):
        scan = run.beta_scan_history(keys=["x"], use_cache=False)
    assert scan.keys == ["x"]
    with pytest.raises(UsageError, match="use_cache must be a bool"):
        run.scan_history(use_cache="no")


def test_sync_console_logs_state_and_stop_over_real_http(
    api: wandbkit.Api, live_server: ServerHandle
) -> None:
    run = api.create_run(run_id="sync-console", project="p")
    pk = decode_int_id(run.storage_id, "Run")
    live_server.store.console.append(pk, ["one", {"line": "two", "level": "error"}, "three"])
    assert [line.content for line in run.console_logs(per_page=2)] == ["one", "two", "three"]
    assert [line.level for line in run.console_logs(last=2)] == ["error", ""]
    assert run.update_state("failed") is True and run.state == "failed"
    run.stop()
    assert api.run(f"{live_server.seed.entity}/p/sync-console").state == "failed"
