"""Run history: sampled rows, every row streamed page by page, many runs at once."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from wandbkit._async.context import ClientContext
from wandbkit._async.pagination import AsyncStepping
from wandbkit._core.errors import UsageError
from wandbkit._core.flavor_async import discard, gather_limited, resolve, spawn
from wandbkit._core.not_found import project_not_found, run_not_found
from wandbkit._html import Explorable
from wandbkit._values.checks import check_keys, check_positive_int
from wandbkit._values.history import (
    check_format,
    check_step,
    check_stream,
    parse_rows,
    to_pandas,
    to_polars,
)
from wandbkit.filters import runs_named

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

    from wandbkit._async.files import FileRun
    from wandbkit._core.flavor_async import Pending


def _check_history_args(
    samples: object, keys: object, x_axis: object, stream: object
) -> tuple[list[str] | None, str]:
    """Validate what ``history``/``histories`` take; returns the checked keys and stream."""
    check_positive_int(samples, "samples")
    checked_keys = check_keys(keys)
    if not isinstance(x_axis, str) or not x_axis:
        raise UsageError(f"x_axis must be a metric name like '_step', got {x_axis!r}")
    return checked_keys, check_stream(stream)


def _sampled_spec(keys: list[str], x_axis: str, samples: int) -> dict[str, Any]:
    # A sampledHistory spec: the JSONString scalar sends it as JSON text.
    return {"keys": [x_axis, *keys], "samples": samples}


def _having(rows: list[dict[str, Any]], keys: list[str] | None) -> list[dict[str, Any]]:
    # What sampledHistory does on the server, for the streams that have no such query.
    if not keys:
        return rows
    return [row for row in rows if all(key in row for key in keys)]


async def fetch_history(
    ctx: ClientContext,
    entity: str,
    project: str,
    run_id: str,
    samples: int,
    keys: list[str] | None,
    x_axis: str,
    stream: str,
) -> list[dict[str, Any]]:
    """One run's sampled history, as ``Run.history`` returns it (without pandas)."""
    keys, stream = _check_history_args(samples, keys, x_axis, stream)
    if keys and stream == "default":
        sampled = await ctx.client.get_run_sampled_history(
            entity=entity,
            project=project,
            name=run_id,
            specs=[_sampled_spec(keys, x_axis, samples)],
        )
        run = sampled.project.run if sampled.project is not None else None
        if run is None:
            raise run_not_found(entity, project, run_id, "GetRunSampledHistory")
        first = run.sampled_history[0] if run.sampled_history else []
        return parse_rows(first if isinstance(first, list) else [])
    if stream == "system":
        events = await ctx.client.get_run_events(
            entity=entity, project=project, name=run_id, samples=samples
        )
        event_run = events.project.run if events.project is not None else None
        if event_run is None:
            raise run_not_found(entity, project, run_id, "GetRunEvents")
        rows = parse_rows(event_run.events)
    else:
        full = await ctx.client.get_run_history(
            entity=entity, project=project, name=run_id, samples=samples
        )
        full_run = full.project.run if full.project is not None else None
        if full_run is None:
            raise run_not_found(entity, project, run_id, "GetRunHistory")
        rows = parse_rows(full_run.history)
    return _having(rows, keys)


async def _fetch_batch(
    ctx: ClientContext,
    entity: str,
    project: str,
    names: list[str],
    samples: int,
    keys: list[str] | None,
    x_axis: str,
    stream: str,
) -> dict[str, list[dict[str, Any]]]:
    """The sampled histories of up to a batch of runs of one project, in one request."""
    filters = runs_named(names)
    found: dict[str, list[dict[str, Any]]] = {}
    if keys and stream == "default":
        sampled = await ctx.client.get_runs_sampled_histories(
            entity=entity,
            project=project,
            filters=filters,
            per_page=len(names),
            specs=[_sampled_spec(keys, x_axis, samples)],
        )
        if sampled.project is None or sampled.project.runs is None:
            raise project_not_found(entity, project, "GetRunsSampledHistories")
        for sampled_edge in sampled.project.runs.edges:
            node = sampled_edge.node
            first = node.sampled_history[0] if node.sampled_history else []
            found[node.name] = parse_rows(first if isinstance(first, list) else [])
        return found
    if stream == "system":
        events = await ctx.client.get_runs_events(
            entity=entity, project=project, filters=filters, per_page=len(names), samples=samples
        )
        if events.project is None or events.project.runs is None:
            raise project_not_found(entity, project, "GetRunsEvents")
        for event_edge in events.project.runs.edges:
            found[event_edge.node.name] = parse_rows(event_edge.node.events)
    else:
        full = await ctx.client.get_runs_histories(
            entity=entity, project=project, filters=filters, per_page=len(names), samples=samples
        )
        if full.project is None or full.project.runs is None:
            raise project_not_found(entity, project, "GetRunsHistories")
        for full_edge in full.project.runs.edges:
            found[full_edge.node.name] = parse_rows(full_edge.node.history)
    return {name: _having(rows, keys) for name, rows in found.items()}


async def histories_of(
    ctx: ClientContext,
    runs: list[tuple[str, str, str]],
    *,
    samples: int,
    keys: list[str] | None,
    x_axis: str,
    format: str,
    stream: str,
    concurrency: int,
    batch_size: int,
) -> list[dict[str, Any]] | pd.DataFrame | pl.DataFrame:
    """The sampled histories of many runs, tagged with ``run_id``.

    Runs are fetched ``batch_size`` per request (one GraphQL request selects the history of
    every run of a batch), ``concurrency`` requests at a time.
    """
    fmt = check_format(format)
    keys, stream = _check_history_args(samples, keys, x_axis, stream)
    batches: list[tuple[str, str, list[str]]] = []
    for entity, project, run_id in runs:
        last = batches[-1] if batches else None
        if last is None or last[:2] != (entity, project) or len(last[2]) >= batch_size:
            batches.append((entity, project, [run_id]))
        else:
            last[2].append(run_id)
    calls = [
        functools.partial(_fetch_batch, ctx, e, p, names, samples, keys, x_axis, stream)
        for e, p, names in batches
    ]
    results = await gather_limited(calls, concurrency)
    rows: list[dict[str, Any]] = []
    for (entity, project, names), found in zip(batches, results, strict=True):
        for run_id in names:
            if run_id not in found:
                raise run_not_found(entity, project, run_id, "GetRunsHistories")
            run_rows = found[run_id]
            for row in run_rows:
                row["run_id"] = run_id
            rows.extend(run_rows)
    if fmt == "pandas":
        return to_pandas(rows)
    if fmt == "polars":
        return to_polars(rows)
    return rows


class AsyncHistoryScan(AsyncStepping[dict[str, Any]], Explorable):
    """Every history row of a run in ``[min_step, max_step)`` (``max_step`` as
    ``scan_history`` takes it), in step order.

    Rows arrive one page (``page_size`` steps) per request; while the caller consumes a page,
    the next one is already being fetched, and only those two pages are held in memory.

    Attributes:
        min_step: the first step scanned.
        stop_step: the step the scan stops before (``None`` until known: the run's last
            logged step + 1); ``max_step`` is the highest step it can yield, as in
            ``wandb``.
        keys: the metrics asked for (rows having all of them), or None for whole rows.
        page_size: steps per request.
        pages_read: requests answered so far.
    """

    def __init__(
        self,
        ctx: ClientContext,
        entity: str,
        project: str,
        run_id: str,
        *,
        keys: list[str] | None,
        page_size: int,
        min_step: int | None,
        max_step: int | None,
        run: FileRun | None = None,
    ) -> None:
        self._ctx = ctx
        self._run = run
        self._path = (entity, project, run_id)
        self.keys = check_keys(keys)
        self.page_size = check_positive_int(page_size, "page_size")
        self.min_step = check_step(min_step, "min_step") or 0
        self.stop_step = check_step(max_step, "max_step")
        if self.stop_step is not None and self.stop_step < self.min_step:
            raise UsageError(
                f"max_step ({self.stop_step}) must not be below min_step ({self.min_step})"
            )
        self.pages_read = 0

    @property
    def run(self) -> FileRun | None:
        """The run this scan reads (``None`` when made without one)."""
        return self._run

    @property
    def max_step(self) -> int | None:
        """The highest step the scan can yield (``stop_step - 1``, as ``wandb``'s
        ``HistoryScan.max_step``); ``None`` until the stop is known (after iterating starts,
        when ``scan_history`` was given no ``max_step``)."""
        return self.stop_step - 1 if self.stop_step is not None else None

    async def _last_step(self) -> int:
        entity, project, run_id = self._path
        result = await self._ctx.client.get_run_history_keys(
            entity=entity, project=project, name=run_id
        )
        run = result.project.run if result.project is not None else None
        if run is None:
            raise run_not_found(entity, project, run_id, "GetRunHistoryKeys")
        keys = run.history_keys if isinstance(run.history_keys, dict) else {}
        last = keys.get("lastStep", -1)
        return int(last) if isinstance(last, int) else -1

    async def _fetch_window(self, start: int, stop: int) -> list[dict[str, Any]]:
        entity, project, run_id = self._path
        if self.keys:
            # Both bounds are inclusive in a sampledHistory spec.
            spec = {
                "keys": ["_step", *self.keys],
                "minStep": start,
                "maxStep": stop - 1,
                "samples": stop - start,
            }
            sampled = await self._ctx.client.get_run_sampled_history(
                entity=entity, project=project, name=run_id, specs=[spec]
            )
            sampled_run = sampled.project.run if sampled.project is not None else None
            if sampled_run is None:
                raise run_not_found(entity, project, run_id, "GetRunSampledHistory")
            first = sampled_run.sampled_history[0] if sampled_run.sampled_history else []
            rows = parse_rows(first if isinstance(first, list) else [])
        else:
            page = await self._ctx.client.get_run_history(
                entity=entity,
                project=project,
                name=run_id,
                samples=stop - start,
                min_step=start,
                max_step=stop,
            )
            page_run = page.project.run if page.project is not None else None
            if page_run is None:
                raise run_not_found(entity, project, run_id, "GetRunHistory")
            rows = parse_rows(page_run.history)
        self.pages_read += 1
        return rows

    def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        return self._rows()

    async def _rows(self) -> AsyncIterator[dict[str, Any]]:
        if self.stop_step is None:
            self.stop_step = await self._last_step() + 1
        stop = self.stop_step
        start = self.min_step
        if start >= stop:
            return
        pending: Pending[list[dict[str, Any]]] | None = spawn(
            self._fetch_window, start, min(start + self.page_size, stop)
        )
        try:
            while pending is not None:
                rows = await resolve(pending)
                start += self.page_size
                pending = (
                    spawn(self._fetch_window, start, min(start + self.page_size, stop))
                    if start < stop
                    else None
                )
                for row in rows:
                    yield row
        finally:
            discard(pending)

    def __repr__(self) -> str:
        entity, project, run_id = self._path
        return (
            f"<{type(self).__name__} {entity}/{project}/{run_id} "
            f"steps [{self.min_step}, {self.stop_step}) keys={self.keys}>"
        )
