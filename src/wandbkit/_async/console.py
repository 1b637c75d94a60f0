"""A run's console output (``Run.console_logs()``): what its process wrote to stdout and
stderr, read back page by page, or only its last lines."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wandbkit._async.pagination import AsyncRelayPaginator, Page
from wandbkit._core.errors import UsageError
from wandbkit._core.not_found import run_not_found
from wandbkit._values.console import ConsoleLogLine, console_line

if TYPE_CHECKING:
    from wandbkit._async.context import ClientContext
    from wandbkit._async.files import FileRun
    from wandbkit._generated.fragments import RunLogLine


class AsyncConsoleLogs(AsyncRelayPaginator[ConsoleLogLine]):
    """A run's console lines, oldest first.

    Lines load ``per_page`` at a time as the caller iterates; with ``last``, the last
    ``last`` lines come in one request (the server gives at most 1,000 in one answer, the
    newest ones). ``len()`` is how many lines this iterates: the server's count of the
    run's lines, or the tail's length.

    Attributes:
        last: how many lines of the end of the log to read, or None for the whole log.
        line_count: the server's count of all the run's lines, once a page is loaded.

    Example:
        >>> async for line in run.console_logs(last=20):
        ...     print(line.timestamp, line.level or "info", line.content)
    """

    def __init__(
        self,
        ctx: ClientContext,
        entity: str,
        project: str,
        run_id: str,
        *,
        per_page: int = 1000,
        last: int | None = None,
        run: FileRun | None = None,
    ) -> None:
        super().__init__(per_page=per_page)
        self._run = run
        if last is not None and (isinstance(last, bool) or not isinstance(last, int) or last < 0):
            raise UsageError(f"last must be None or a number of lines (0 or more), got {last!r}")
        self._ctx = ctx
        self._path = (entity, project, run_id)
        self.last = last
        self.line_count: int | None = None

    @property
    def run(self) -> FileRun | None:
        """The run these lines are of (``None`` when made without one)."""
        return self._run

    async def _fetch(self, cursor: str | None) -> Page[ConsoleLogLine]:
        entity, project, run_id = self._path
        if self.last is not None:
            tail = await self._ctx.client.get_run_log_tail(
                entity=entity, project=project, name=run_id, last=self.last
            )
            tail_run = tail.project.run if tail.project is not None else None
            if tail_run is None:
                raise run_not_found(entity, project, run_id, "GetRunLogTail")
            self.line_count = tail_run.log_line_count
            edges = tail_run.log_lines.edges if tail_run.log_lines is not None else []
            lines = [_line(edge.node) for edge in edges]
            return Page(lines, None, False, len(lines))
        page = await self._ctx.client.get_run_log_lines(
            entity=entity, project=project, name=run_id, first=self.per_page, after=cursor
        )
        run = page.project.run if page.project is not None else None
        if run is None:
            raise run_not_found(entity, project, run_id, "GetRunLogLines")
        self.line_count = run.log_line_count
        if run.log_lines is None:
            return Page([], None, False, run.log_line_count)
        info = run.log_lines.page_info
        return Page(
            [_line(edge.node) for edge in run.log_lines.edges],
            info.end_cursor,
            info.has_next_page,
            run.log_line_count,
        )

    def __repr__(self) -> str:
        entity, project, run_id = self._path
        tail = f" last={self.last}" if self.last is not None else ""
        return f"<{type(self).__name__} {entity}/{project}/{run_id}{tail}>"


def _line(node: RunLogLine) -> ConsoleLogLine:
    return console_line(node.number, node.timestamp, node.level, node.label, node.line)
