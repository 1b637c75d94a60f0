"""What ``Run.download_history_exports`` answers, as ``wandb``'s ``DownloadHistoryResult``."""

from __future__ import annotations

import pathlib
from dataclasses import dataclass

from wandbkit._html import Explorable

__all__ = ["DownloadHistoryResult", "export_file_name"]


@dataclass(frozen=True, repr=False)
class DownloadHistoryResult(Explorable):
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

    def __repr__(self) -> str:
        live = ", with live data not exported yet" if self.contains_live_data else ""
        failed = f", {len(self.errors)} failed" if self.errors else ""
        return f"<DownloadHistoryResult {len(self.paths)} files{live}{failed}>"


def export_file_name(entity: str, project: str, run_id: str, index: int) -> str:
    """The file name wandb-core gives the ``index``-th export of a run
    (``core/internal/runhistoryreader/parquet/downloader.go``)."""
    return f"{entity}_{project}_{run_id}_{index}.runhistory.parquet"
