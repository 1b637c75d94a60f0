"""The bookkeeping of a batch of transfers (wandbkit._core.transfer_jobs)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from wandbkit._core.transfer_jobs import (
    Directories,
    Totals,
    TransferProgress,
    TransferReport,
    WorkQueue,
    run_threads,
)


def test_the_queue_hands_out_each_job_once_across_threads() -> None:
    queue = WorkQueue(list(range(2000)))
    taken: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        while (job := queue.next()) is not None:
            with lock:
                taken.append(job)

    run_threads(worker, 8, queue)

    assert sorted(taken) == list(range(2000))


def test_after_a_failure_no_new_job_is_handed_out_and_the_first_is_raised() -> None:
    queue = WorkQueue([1, 2, 3, 4])
    assert queue.next() == 1
    queue.fail(ValueError("first"))
    queue.fail(KeyError("second"))
    assert queue.failed
    assert queue.failures == 2
    assert queue.next() is None
    with pytest.raises(ValueError, match="first"):
        queue.raise_failure()


def test_a_stopped_queue_is_empty_and_raises_nothing() -> None:
    queue = WorkQueue(["a", "b"])
    queue.stop()
    assert queue.next() is None
    queue.raise_failure()


def test_run_threads_with_one_worker_runs_inline() -> None:
    seen: list[str] = []
    queue = WorkQueue([1])
    run_threads(lambda: seen.append(threading.current_thread().name), 1, queue)
    assert seen == [threading.current_thread().name]


def test_totals_count_from_many_threads() -> None:
    totals = Totals()
    queue = WorkQueue(list(range(1000)))

    def worker() -> None:
        while (job := queue.next()) is not None:
            if job % 2:
                totals.count(transferred=3)
            else:
                totals.count(from_cache=5, already_present=job % 4 == 0)

    run_threads(worker, 6, queue)

    assert totals.files == 1000
    assert totals.bytes_transferred == 1500
    assert totals.bytes_from_cache == 2500
    assert totals.files_already_present == 250


def test_directories_removes_only_what_it_created_and_only_if_empty(tmp_path: Path) -> None:
    (tmp_path / "existing").mkdir()
    made = Directories()
    made.make(tmp_path / "existing" / "new" / "deeper")
    made.make(tmp_path / "existing" / "new" / "kept")
    made.make(tmp_path / "existing")  # exists: nothing to do
    (tmp_path / "existing" / "new" / "kept" / "file").write_bytes(b"x")

    made.remove_empty()

    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "existing",
        "existing/new",
        "existing/new/kept",
        "existing/new/kept/file",
    ]


def test_a_disabled_progress_bar_does_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    with TransferProgress("downloading", 100, enabled=False) as bar:
        bar.advance(50)
    assert capsys.readouterr() == ("", "")


def test_an_enabled_progress_bar_shows_and_goes(capsys: pytest.CaptureFixture[str]) -> None:
    with TransferProgress("downloading", 100, enabled=True) as bar:
        bar.advance(100)
    # transient: nothing is left on the terminal once the batch is done
    assert "Traceback" not in capsys.readouterr().err


def test_the_report_names_its_bytes_both_ways() -> None:
    report = TransferReport(2, 10, 0, 0, 0.5)
    assert report.bytes_transferred == report.bytes_downloaded == 10
