"""``api.write_run(...)``: a run written by wandbkit itself, without the official SDK, through
the endpoints wandb-core uses (``upsertBucket``, ``file_stream``, ``createRunFiles``); no helper
process.

Example:
    >>> async with api.write_run(project="mnist", config={"lr": 0.1}) as run:  # doctest: +SKIP
    ...     for step in range(100):
    ...         await run.log({"loss": 1 / (step + 1)})
    ...     run.summary["best"] = 0.99
    ...     await run.log_console("done\\n")
    ...     await run.save("model.pt")

The run is created (``upsertBucket``) on entering; rows, console text and the summary are
batched into ``file_stream`` requests (sent when enough waits or ``flush_every`` seconds have
passed, at the next call; there is no background thread); leaving the block sends the rest and
marks the run ``finished``, or ``failed`` when the block raised. In the sync ``Api`` the same
calls block and ``with`` replaces ``async with``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from wandbkit._async.files import upload_run_file
from wandbkit._async.runs.stream import AsyncFileStream
from wandbkit._core.errors import NotFoundError, UsageError
from wandbkit._core.flavor_async import monotonic
from wandbkit._core.retry import RetryPolicy
from wandbkit._html import Explorable
from wandbkit._values.file_stream import StreamBuffer, check_finite_step, encode_row
from wandbkit.paths import check_name

if TYPE_CHECKING:
    from wandbkit._async.context import ClientContext
    from wandbkit._async.runs.run import AsyncRun, SweepLoader

__all__ = ["AsyncRunWriter"]

#: Default batching: send when this many history rows wait...
DEFAULT_MAX_ROWS = 5000
#: ...or this many seconds passed since the last send (checked at each call).
DEFAULT_FLUSH_EVERY = 5.0


class AsyncRunWriter(Explorable):
    """A run being written: ``log`` history rows, edit ``summary`` and ``config``,
    ``log_console`` output, ``save`` files; use it as an async context manager.

    Build it with ``api.write_run(...)`` (arguments documented there).

    Attributes:
        summary: the run's summary; every logged row updates it, and edits are sent with the
            next batch (the whole summary, as W&B keeps it).
        config: the run's config (plain values); changes are sent with the next batch.
        stopped: ``True`` once the server answered that the run was stopped (through the UI or
            ``Run.stop()``); the training code may check it and end early.
    """

    def __init__(
        self,
        ctx: ClientContext,
        load_sweep: SweepLoader,
        *,
        project: str,
        entity: str | None,
        run_id: str | None,
        config: Mapping[str, Any] | None,
        name: str | None,
        notes: str | None,
        tags: Sequence[str] | None,
        group: str | None,
        job_type: str | None,
        resume: bool,
        max_rows: int,
        flush_every: float,
        retry: RetryPolicy | None,
    ) -> None:
        self._ctx = ctx
        self._load_sweep = load_sweep
        self.project = check_name(project, "project")
        self._entity_arg = check_name(entity, "entity") if entity is not None else None
        self._run_id_arg = check_name(run_id, "run_id") if run_id is not None else None
        if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1:
            raise UsageError(f"max_rows must be an integer >= 1, got {max_rows!r}")
        if isinstance(flush_every, bool) or not isinstance(flush_every, (int, float)):
            raise UsageError(f"flush_every must be a number of seconds, got {flush_every!r}")
        if tags is not None and (
            isinstance(tags, str) or not all(isinstance(t, str) for t in tags)
        ):
            raise UsageError(f"tags must be a list of strings, got {tags!r}")
        self.config: dict[str, Any] = dict(config or {})
        encode_row(self.config, "config")  # bad values fail here, before any request
        self.summary: dict[str, Any] = {}
        self.stopped = False
        self._fields = {
            "display_name": name,
            "notes": notes,
            "tags": list(tags) if tags is not None else None,
            "group_name": group,
            "job_type": job_type,
        }
        self._resume = resume
        self._max_rows = max_rows
        self._flush_every = float(flush_every)
        self._retry = retry
        self._entity: str | None = None
        self._run_id: str | None = None
        self._stream: AsyncFileStream | None = None
        self._buffer = StreamBuffer()
        self._sent_config: str | None = None
        self._step = -1
        self._runtime_offset = 0.0
        self._started = 0.0
        self._last_flush = 0.0
        self._finished = False
        self._open_row: dict[str, Any] | None = None

    def __repr__(self) -> str:
        where = f"{self._entity or '?'}/{self.project}/{self._run_id or '?'}"
        return f"{type(self).__name__}({where!r})"

    # -- identity -----------------------------------------------------------------------------

    @property
    def entity(self) -> str:
        """The run's entity (known once the run is started)."""
        return self._require()[0]

    @property
    def id(self) -> str:
        """The run's id (known once the run is started)."""
        return self._require()[1]

    @property
    def path(self) -> str:
        """``entity/project/run_id``."""
        entity, run_id = self._require()
        return f"{entity}/{self.project}/{run_id}"

    @property
    def step(self) -> int:
        """The last logged step (``-1`` before the first row)."""
        return self._step

    def _require(self) -> tuple[str, str]:
        if self._entity is None or self._run_id is None:
            raise UsageError("the run is not started: use the writer in a with block")
        return self._entity, self._run_id

    def _live_stream(self) -> AsyncFileStream:
        if self._finished:
            raise UsageError(f"run {self._run_id!r} is finished; start a new writer")
        if self._stream is None:
            raise UsageError("the run is not started: use the writer in a with block")
        return self._stream

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> AsyncRunWriter:
        """Create the run (or, with ``resume``, continue the existing one); entering the
        context manager calls this."""
        if self._stream is not None:
            raise UsageError("the writer was started already")
        from wandbkit._async.runs.run import fetch_run

        entity = await self._ctx.resolve_entity(self._entity_arg)
        existing: AsyncRun | None = None
        if self._run_id_arg is not None:
            try:
                existing = await fetch_run(
                    self._ctx, entity, self.project, self._run_id_arg, self._load_sweep
                )
            except NotFoundError:
                existing = None
            if existing is not None and not self._resume:
                raise UsageError(
                    f"run {entity}/{self.project}/{self._run_id_arg} exists; pass resume=True "
                    "to continue it"
                )
        if existing is not None:
            await self._continue(existing)
        run = await self._upsert(entity, create=existing is None)
        self._entity, self._run_id = entity, run.id
        self._stream = AsyncFileStream(self._ctx, entity, self.project, run.id, retry=self._retry)
        self._started = self._last_flush = monotonic()
        return self

    async def _continue(self, run: AsyncRun) -> None:
        """Take over a resumed run's offsets, step, runtime, summary and config."""
        logs = run.console_logs(per_page=1, last=1)
        async for _ in logs:
            break
        self._buffer = StreamBuffer(
            history_offset=run.history_line_count, console_offset=logs.line_count or 0
        )
        self._step = run.last_history_step
        self.summary = {**run.summary_metrics, **self.summary}
        runtime = self.summary.get("_runtime")
        self._runtime_offset = float(runtime) if isinstance(runtime, (int, float)) else 0.0
        self._buffer.set_summary(encode_row(self.summary, "summary"))
        self._sent_config = None
        self.config = {**run.config, **self.config}

    async def _upsert(self, entity: str, *, create: bool) -> AsyncRun:
        from wandbkit._async.runs.fields import heavy_of
        from wandbkit._async.runs.run import AsyncRun
        from wandbkit._generated.input_types import UpsertBucketInput

        config_text = encode_row(self.config, "config")
        values: dict[str, Any] = {
            "model_name": self.project,
            "entity_name": entity,
            "config": {key: {"value": value} for key, value in json.loads(config_text).items()},
        }
        run_id = self._run_id or self._run_id_arg
        if run_id is not None:
            values["name"] = run_id
        if create:
            values["state"] = "running"
            values.update({k: v for k, v in self._fields.items() if v is not None})
        result = await self._ctx.client.upsert_run(input=UpsertBucketInput(**values))
        bucket = result.upsert_bucket.bucket if result.upsert_bucket is not None else None
        if bucket is None:
            raise NotFoundError(f"the server did not create a run in '{entity}/{self.project}'")
        self._sent_config = config_text
        return AsyncRun(
            self._ctx,
            entity,
            self.project,
            bucket,
            load_sweep=self._load_sweep,
            heavy=heavy_of(bucket),
        )

    async def __aenter__(self) -> AsyncRunWriter:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._stream is None or self._finished:
            return
        await self.finish(exit_code=0 if exc_type is None else 1)

    # -- writing ------------------------------------------------------------------------------

    async def log(
        self, row: Mapping[str, Any], *, step: int | None = None, commit: bool = True
    ) -> None:
        """Log one history row (metric name to value) at the next step, or at ``step``.

        Args:
            row: JSON data by metric name; keys starting with ``_`` are W&B's own
                (``_step``, ``_runtime``, ``_timestamp`` are filled in).
            step: the row's step: above the last one (default: the next).
            commit: ``False`` keeps the row open: the next ``log`` adds to it.

        Raises:
            UsageError: a bad row or step, or a finished writer (before any request).
        """
        self._live_stream()
        if not isinstance(row, Mapping):
            raise UsageError(f"row must be a mapping of metric names to values, got {row!r}")
        values: dict[str, Any] = dict(self._open_row or {})
        values.update(row)
        if not commit:
            encode_row(values, "row")
            self._open_row = values
            return
        self._open_row = None
        target = check_finite_step(step if step is not None else self._step + 1, self._step)
        values["_step"] = target
        values.setdefault("_timestamp", time.time())
        values.setdefault("_runtime", self._runtime_offset + monotonic() - self._started)
        self._buffer.add_row(encode_row(values, "row"))
        self._step = target
        self.summary.update(values)
        await self._maybe_flush()

    async def log_console(self, text: str, *, error: bool = False) -> None:
        """Write console output: ``"\\n"`` ends a line, ``"\\r"`` rewrites the current one.

        Args:
            text: the output, as a program would print it.
            error: whether it went to stderr (W&B shows it as an error line).
        """
        self._live_stream()
        if not isinstance(text, str):
            raise UsageError(f"text must be a string, got {type(text).__name__}")
        self._buffer.add_console(text, error=error, timestamp=time.time())
        await self._maybe_flush()

    async def save(self, path: str | Path, *, root: str | Path | None = None) -> str:
        """Upload a file to the run now, named by its path relative to ``root`` (default: the
        file's directory, so the name is the file name); returns the name.

        Raises:
            UsageError: not a file inside ``root``.
            IntegrityError: the server stored other bytes than were sent.
        """
        entity, run_id = self._require()
        self._live_stream()
        source = Path(path)
        base = Path(root) if root is not None else source.parent
        uploaded = await upload_run_file(self._ctx, entity, self.project, run_id, source, base)
        self._buffer.add_uploaded(uploaded.name)
        return uploaded.name

    # -- sending ------------------------------------------------------------------------------

    async def _maybe_flush(self) -> None:
        buffer = self._buffer
        if (
            buffer.pending_rows >= self._max_rows
            or buffer.pending_bytes >= buffer.max_bytes
            or monotonic() - self._last_flush >= self._flush_every
        ):
            await self.flush()

    async def flush(self) -> None:
        """Send everything that waits (config, then history, console and summary in as few
        ``file_stream`` requests as their size allows); an empty flush is a heartbeat."""
        stream = self._live_stream()
        await self._send(stream, complete=False, exitcode=0)

    async def _send(self, stream: AsyncFileStream, *, complete: bool, exitcode: int) -> None:
        config_text = encode_row(self.config, "config")
        if config_text != self._sent_config:
            await self._upsert(self.entity, create=False)
        self._buffer.set_summary(encode_row(self.summary, "summary"))
        while True:
            chunk = self._buffer.take(complete=complete, exitcode=exitcode)
            answer = await stream.send(chunk.body)
            self._buffer.commit(chunk)
            if answer.get("stopped") is True:
                self.stopped = True
            if chunk.final or (not complete and self._buffer.empty):
                break
        self._last_flush = monotonic()

    async def finish(self, *, exit_code: int = 0) -> None:
        """Send what waits and end the run: ``finished`` for exit code 0, else ``failed``.

        Leaving the ``with`` block calls this; calling it again does nothing.
        """
        if self._finished:
            return
        stream = self._live_stream()
        if self._open_row:
            await self.log({})
        await self._send(stream, complete=True, exitcode=exit_code)
        self._finished = True
