"""``api.write_run(...)``: runs written by wandbkit itself, end to end against the local server,
in both flavours (``AsyncApi`` and ``Api``)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from wandbkit._core.retry import RetryPolicy
from wandbkit.errors import BadRequestError, UsageError
from wandbkit.server.faults import Fault

from ..support import Flavor

Body = Callable[[Any], Awaitable[None]]
FAST_RETRY = RetryPolicy(max_retries=10, initial_delay=0.001, max_delay=0.01, max_total=5)


async def write(flavor: Flavor, body: Body, **options: Any) -> Any:
    """Enter ``api.write_run(**options)`` as the flavour does, run ``body(writer)`` inside."""
    writer = flavor.api.write_run(**options)
    if flavor.is_async:
        async with writer as entered:
            await body(entered)
    else:
        with writer as entered:
            await body(entered)
    return writer


def stored_run(app: Any, writer: Any) -> Any:
    store = app.state.store
    run = store.runs.find(writer.entity, writer.project, writer.id)
    assert run is not None
    return run


async def test_a_written_run_reads_back_with_history_summary_config_console_and_files(
    flavor: Flavor, seeded_app: tuple[Any, Any], tmp_path: Path
) -> None:
    app, _ = seeded_app
    weights = tmp_path / "weights.txt"
    weights.write_text("w" * 1000)

    async def body(run: Any) -> None:
        for step in range(1200):
            await flavor(run.log({"loss": 1 / (step + 1), "acc": step / 1200}))
        run.summary["best"] = 0.99
        run.config["epochs"] = 3
        await flavor(run.log_console("epoch 1\nprogress 10%\rprogress 100%\n"))
        await flavor(run.log_console("boom\n", error=True))
        assert await flavor(run.save(weights)) == "weights.txt"

    writer = await write(
        flavor,
        body,
        project="written",
        config={"lr": 0.1},
        name="by wandbkit",
        tags=["w"],
        max_rows=500,
        flush_every=3600,
    )
    run = await flavor(flavor.api.run(writer.path))
    assert run.state == "finished"
    assert (run.display_name, run.tags) == ("by wandbkit", ["w"])
    assert run.config == {"lr": 0.1, "epochs": 3}
    rows = await flavor.list(run.scan_history())
    assert [row["_step"] for row in rows] == list(range(1200))
    assert rows[-1]["loss"] == 1 / 1200
    assert run.summary["best"] == 0.99 and run.summary["_step"] == 1199
    console = [(line.content, line.level) for line in await flavor.list(run.console_logs())]
    assert console == [
        ("epoch 1", ""),
        ("progress 100%", ""),
        ("boom", "error"),
    ]
    names = [file.name for file in await flavor.list(run.files())]
    assert "weights.txt" in names
    stored = stored_run(app, writer)
    assert stored.history_line_count == 1200
    # The config went in the SDK's form (no "desc").
    assert json.loads(stored.config)["lr"] == {"value": 0.1}


async def test_a_block_that_raises_ends_the_run_failed(
    flavor: Flavor, seeded_app: tuple[Any, Any]
) -> None:
    app, _ = seeded_app
    holder: dict[str, Any] = {}

    async def body(run: Any) -> None:
        holder["run"] = run
        await flavor(run.log({"loss": 1.0}))
        raise RuntimeError("training diverged")

    with pytest.raises(RuntimeError, match="diverged"):
        await write(flavor, body, project="written")
    stored = stored_run(app, holder["run"])
    assert stored.state == "failed"
    assert stored.history_line_count == 1


async def test_file_stream_failures_are_retried_and_nothing_is_duplicated(
    flavor: Flavor, seeded_app: tuple[Any, Any]
) -> None:
    app, _ = seeded_app
    faults = app.state.faults
    # A lost answer after the rows were stored, then plain failures before they are.
    faults.add(Fault.status(502, after_apply=True), route="/files/*/file_stream", times=2)
    faults.add(Fault.status(429, retry_after=0.001), route="/files/*/file_stream", times=2)
    faults.add(Fault.status(503), route="/files/*/file_stream", times=1)

    async def body(run: Any) -> None:
        for step in range(300):
            await flavor(run.log({"x": step}))
            if step % 100 == 99:
                await flavor(run.flush())

    writer = await write(flavor, body, project="written", retry=FAST_RETRY, flush_every=3600)
    stored = stored_run(app, writer)
    store = app.state.store
    assert [json.loads(r)["x"] for r in store.history.rows(stored.pk)] == list(range(300))
    assert stored.state == "finished"
    assert len([f for f in faults.injected if f.path.endswith("/file_stream")]) == 5


async def test_a_failure_that_does_not_clear_is_raised(
    flavor: Flavor, seeded_app: tuple[Any, Any]
) -> None:
    app, _ = seeded_app
    app.state.faults.add(Fault.status(400), route="/files/*/file_stream")

    async def body(run: Any) -> None:
        await flavor(run.log({"x": 1}))
        await flavor(run.flush())

    with pytest.raises(BadRequestError, match="file_stream"):
        await write(flavor, body, project="written", retry=FAST_RETRY)


async def test_resume_continues_history_console_and_summary(
    flavor: Flavor, seeded_app: tuple[Any, Any]
) -> None:
    app, _ = seeded_app

    async def first(run: Any) -> None:
        for step in range(3):
            await flavor(run.log({"loss": step}))
        run.summary["best"] = 5
        await flavor(run.log_console("one\n"))

    async def second(run: Any) -> None:
        assert run.step == 2 and run.summary["best"] == 5 and run.config == {"lr": 1}
        for _ in range(2):
            await flavor(run.log({"loss": 9}))
        await flavor(run.log_console("two\n"))

    await write(flavor, first, project="written", run_id="again", config={"lr": 1})

    async def nothing(run: Any) -> None:
        return None

    with pytest.raises(UsageError, match="resume=True"):
        await write(flavor, nothing, project="written", run_id="again")
    writer = await write(flavor, second, project="written", run_id="again", resume=True)
    store = app.state.store
    stored = stored_run(app, writer)
    assert store.history.steps(stored.pk) == [0, 1, 2, 3, 4]
    assert [line.line for line in store.console.lines(stored.pk, limit=10)] == ["one", "two"]
    assert json.loads(stored.summary)["best"] == 5
    assert stored.state == "finished"


async def test_a_stop_requested_through_the_api_reaches_the_writer(
    flavor: Flavor, seeded_app: tuple[Any, Any]
) -> None:
    async def body(run: Any) -> None:
        await flavor(run.log({"x": 1}))
        await flavor(run.flush())
        assert run.stopped is False
        remote = await flavor(flavor.api.run(run.path))
        await flavor(remote.stop())
        await flavor(run.log({"x": 2}))
        await flavor(run.flush())
        assert run.stopped is True

    writer = await write(flavor, body, project="written")
    app, _ = seeded_app
    assert stored_run(app, writer).state == "killed"


async def test_bad_input_fails_before_any_request(flavor: Flavor) -> None:
    with pytest.raises(UsageError, match="max_rows"):
        flavor.api.write_run(project="p", max_rows=0)
    with pytest.raises(UsageError, match="config"):
        flavor.api.write_run(project="p", config={"f": object()})
    with pytest.raises(UsageError, match="run_id"):
        flavor.api.write_run(project="p", run_id="bad/id")
    writer = flavor.api.write_run(project="p")
    with pytest.raises(UsageError, match="not started"):
        await flavor(writer.log({"x": 1}))
    flavor.transport.clear()

    async def body(run: Any) -> None:
        with pytest.raises(UsageError, match="JSON data"):
            await flavor(run.log({"x": object()}))
        with pytest.raises(UsageError, match="step must be above"):
            await flavor(run.log({"x": 1}, step=-1))
        with pytest.raises(UsageError, match="mapping"):
            await flavor(run.log([1, 2]))

    await write(flavor, body, project="p")
