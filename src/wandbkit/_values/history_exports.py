"""What ``Run.download_history_exports`` answers, as ``wandb``'s ``DownloadHistoryResult``."""

from __future__ import annotations

import pathlib
from dataclasses import dataclass

__all__ = ["DownloadHistoryResult", "export_file_name"]


@dataclass(frozen=True)
class DownloadHistoryResult:
    """Result of downloading a run's history exports (``wandb.apis.public``'s, same fields).

    Attributes:
        paths: the paths of the downloaded parquet files.
        contains_live_data: whether the run has history not exported to parquet yet.
        errors: the files that failed to download, with why (empty when all succeeded, as
            ``wandb`` answers).
    """

    paths: list[pathlib.Path]
    contains_live_data: bool
    errors: dict[pathlib.Path, str] | None = None


def export_file_name(entity: str, project: str, run_id: str, index: int) -> str:
    """The file name wandb-core gives the ``index``-th export of a run
    (``core/internal/runhistoryreader/parquet/downloader.go``)."""
    return f"{entity}_{project}_{run_id}_{index}.runhistory.parquet"
