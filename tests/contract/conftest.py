"""Print the official-document coverage after the run (see test_official_documents.py)."""

from __future__ import annotations

import pytest

from .test_official_documents import COVERAGE_KEY


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    coverage = terminalreporter.config.stash.get(COVERAGE_KEY, None)
    if coverage is not None:
        terminalreporter.write_line(coverage)
