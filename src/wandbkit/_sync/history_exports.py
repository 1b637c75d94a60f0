# Generated from src/wandbkit/_async/history_exports.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""``Run.download_history_exports``: a run's parquet history files, as ``wandb`` downloads them.

wandb-core (``core/internal/wbapi/readrunhistoryhandler.go``) asks ``RunParquetHistory`` with
the live key ``_step``; with ``require_complete_history`` and any live (not yet exported) step
it raises ``IncompleteRunHistoryError`` before downloading anything; otherwise it creates the
folder and downloads each URL to ``<entity>_<project>_<run id>_<i>.runhistory.parquet``,
collecting per-file errors instead of stopping at the first.
"""

from __future__ import annotations

import os
import pathlib
import tempfile

from wandbkit._core.errors import IncompleteRunHistoryError, UsageError, WandbkitError
from wandbkit._core.not_found import run_not_found
from wandbkit._sync.context import ClientContext
from wandbkit._values.history_exports import DownloadHistoryResult, export_file_name

__all__ = ["download_history_exports"]


def download_history_exports(
    ctx: ClientContext,
    entity: str,
    project: str,
    run_id: str,
    download_dir: pathlib.Path | str,
    require_complete_history: bool = True,
) -> DownloadHistoryResult:
    """Download the run's parquet history exports into ``download_dir`` (see the module).

    Raises:
        UsageError: ``download_dir`` is not a path or ``require_complete_history`` not a bool.
        IncompleteRunHistoryError: ``require_complete_history`` and the run has live rows.
        NotFoundError: no such run.
    """
    if not isinstance(download_dir, (str, os.PathLike)) or not str(download_dir):
        raise UsageError(f"download_dir must be a directory path, got {download_dir!r}")
    if not isinstance(require_complete_history, bool):
        raise UsageError(
            f"require_complete_history must be a bool, got {require_complete_history!r}"
        )
    answer = ctx.client.run_parquet_history(
        entity=entity, project=project, run_name=run_id, live_keys=["_step"]
    )
    if answer.project is None or answer.project.run is None:
        raise run_not_found(entity, project, run_id)
    history = answer.project.run.parquet_history
    contains_live_data = bool(history.live_data)
    if require_complete_history and contains_live_data:
        raise IncompleteRunHistoryError(
            f"run {entity}/{project}/{run_id} has history not exported to parquet yet "
            "(is it still running?); pass require_complete_history=False to download the "
            "exported part"
        )
    folder = pathlib.Path(download_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[pathlib.Path] = []
    errors: dict[pathlib.Path, str] = {}
    for index, url in enumerate(history.parquet_urls):
        path = folder / export_file_name(entity, project, run_id, index)
        try:
            _download(ctx, url, path)
        except (WandbkitError, OSError) as exc:
            errors[path] = str(exc)
        else:
            paths.append(path)
    return DownloadHistoryResult(paths=paths, contains_live_data=contains_live_data, errors=errors)


def _download(ctx: ClientContext, url: str, path: pathlib.Path) -> None:
    """GET ``url`` into ``path`` atomically (a failed download leaves no file)."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w+b") as sink:
            ctx.transport.download(
                url, sink, authenticate=False, description=f"download of {path.name}"
            )
        os.replace(name, path)
    except BaseException:
        pathlib.Path(name).unlink(missing_ok=True)
        raise
