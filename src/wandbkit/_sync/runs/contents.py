# Generated from src/wandbkit/_async/runs/contents.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""What a run holds besides its fields: history rows, console output and files."""

from __future__ import annotations

import json
import pathlib
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wandbkit._core.errors import NotFoundError, UsageError
from wandbkit._core.flavor_sync import MaybeAwaitable
from wandbkit._sync.files import File, Files, find_file, upload_run_file
from wandbkit._sync.history import HistoryScan, fetch_history

if TYPE_CHECKING:
    import pandas as pd

    from wandbkit._sync.console import ConsoleLogs
    from wandbkit._sync.context import ClientContext
    from wandbkit._values.history_exports import DownloadHistoryResult


class RunContents:
    """The reads of a run's history, console output and files (a part of ``Run``).

    Each needs only the run's path; ``Run`` supplies it.
    """

    _ctx: ClientContext
    entity: str
    project: str

    @property
    def id(self) -> str:
        """The run id (``Run`` supplies it)."""
        raise NotImplementedError

    # -- history -------------------------------------------------------------------------

    def history(
        self,
        samples: int = 500,
        keys: list[str] | None = None,
        x_axis: str = "_step",
        pandas: bool = True,
        stream: str = "default",
    ) -> list[dict[str, Any]] | pd.DataFrame:
        """Sampled history rows, chosen by the server (at most ``samples``).

        Args:
            samples: how many rows at most.
            keys: metrics to return (rows having all of them, plus ``x_axis``); None = all.
            x_axis: the step key rows are indexed by.
            pandas: return a DataFrame (needs the ``pandas`` extra) instead of dicts.
            stream: ``"default"`` (logged metrics) or ``"system"`` (system metrics).
        """
        rows = fetch_history(
            self._ctx, self.entity, self.project, self.id, samples, keys, x_axis, stream
        )
        if pandas:
            from wandbkit._values.history import to_pandas

            return to_pandas(rows)
        return rows

    def scan_history(
        self,
        keys: list[str] | None = None,
        page_size: int = 1000,
        min_step: int | None = 0,
        max_step: int | None = None,
        use_cache: bool = True,
    ) -> HistoryScan:
        """Every history row in ``[min_step, max_step)``, streamed page by page.

        Memory stays constant whatever the row count: one page is held while the next one
        is fetched in the background. ``use_cache`` is accepted as ``wandb`` takes it; wandbkit
        keeps no local copy of history, so every scan reads the server.
        """
        if not isinstance(use_cache, bool):
            raise UsageError(f"use_cache must be a bool, got {use_cache!r}")
        return HistoryScan(
            self._ctx,
            self.entity,
            self.project,
            self.id,
            keys=keys,
            page_size=page_size,
            min_step=min_step,
            max_step=max_step,
            run=self,
        )

    def beta_scan_history(
        self,
        keys: list[str] | None = None,
        page_size: int = 1000,
        min_step: int | None = 0,
        max_step: int | None = None,
        use_cache: bool = True,
    ) -> HistoryScan:
        """Deprecated in ``wandb`` (which warns); the same as :meth:`scan_history`."""
        warnings.warn(
            "beta_scan_history is deprecated; use scan_history", DeprecationWarning, stacklevel=2
        )
        return self.scan_history(keys, page_size, min_step, max_step, use_cache)

    def download_history_exports(
        self, download_dir: pathlib.Path | str, require_complete_history: bool = True
    ) -> DownloadHistoryResult:
        """Download the run's parquet history files into ``download_dir``, named as ``wandb``
        names them (``<entity>_<project>_<run id>_<i>.runhistory.parquet``).

        Args:
            download_dir: the folder (created if missing).
            require_complete_history: raise :class:`~wandbkit.errors.IncompleteRunHistoryError`
                if the run has history not exported to parquet yet (it is still running).

        Returns:
            The downloaded paths, whether some history is live, and per-file errors.
        """
        from wandbkit._sync.history_exports import download_history_exports

        return download_history_exports(
            self._ctx, self.entity, self.project, self.id, download_dir, require_complete_history
        )

    def console_logs(self, *, per_page: int = 1000, last: int | None = None) -> ConsoleLogs:
        """What the run's process wrote to stdout and stderr, oldest line first.

        Args:
            per_page: lines per request when reading from the start (ignored with ``last``).
            last: read only the last ``last`` lines, in one request (the server answers with
                at most 1,000, the newest).

        Example:
            >>> for line in run.console_logs(last=50):
            ...     print(line.number, line.level or "info", line.content)
        """
        from wandbkit._sync.console import ConsoleLogs  # loads on first use

        return ConsoleLogs(
            self._ctx, self.entity, self.project, self.id, per_page=per_page, last=last, run=self
        )

    # -- files ---------------------------------------------------------------------------

    def files(
        self, names: list[str] | None = None, pattern: str | None = None, per_page: int = 50
    ) -> Files:
        """The run's files (exact ``names``, or an SQL LIKE ``pattern``; not both)."""
        return Files(
            self._ctx,
            self.entity,
            self.project,
            self.id,
            names,
            pattern,
            per_page=per_page,
            run=self,
        )

    def file(self, name: str) -> File:
        """One file of the run by name.

        Raises:
            NotFoundError: the run has no such file.
        """
        if not isinstance(name, str) or not name:
            raise UsageError(f"name must be a file name like 'config.yaml', got {name!r}")
        found = find_file(self._ctx, self.entity, self.project, self.id, name, run=self)
        if found is None:
            path = f"{self.entity}/{self.project}/{self.id}"
            raise NotFoundError(f"run '{path}' has no file {name!r}")
        return found

    def upload_file(self, path: str | Path, root: str | Path = ".") -> File:
        """Upload a local file; it is named by its path relative to ``root``."""
        return upload_run_file(self._ctx, self.entity, self.project, self.id, path, root, run=self)

    @property
    def metadata(self) -> MaybeAwaitable[dict[str, Any] | None]:
        """The run's ``wandb-metadata.json`` (host, python, GPU, ...), or None."""
        return self.get_metadata()

    def get_metadata(self) -> dict[str, Any] | None:
        """Fetch and parse ``wandb-metadata.json``; None when the run has none."""
        try:
            found = self.file("wandb-metadata.json")
        except NotFoundError:
            return None
        data = found.read_bytes()
        parsed = json.loads(data) if data else None
        return parsed if isinstance(parsed, dict) else None
