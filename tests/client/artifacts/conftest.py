"""The artifacts tests' seed: ``<entity>/artifacts`` with a dataset (``images``, 3 versions),
a model (``classifier``, 2 versions), a portfolio link and the runs that logged and used them
(``wandbkit.server.seed.artifacts.seed_basic_artifacts``); and a cache of each test's own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wandbkit.server.seed import ArtifactSeed, seed_basic_artifacts


@pytest.fixture(autouse=True)
def own_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Each test downloads through a cache and a default download directory of its own."""
    monkeypatch.setenv("WANDBKIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("WANDB_ARTIFACT_DIR", str(tmp_path / "artifacts"))
    return tmp_path / "cache"


@pytest.fixture
def arts(seeded_app: tuple[Any, Any]) -> ArtifactSeed:
    """The seeded artifacts, in the store of the test's server."""
    app, seed = seeded_app
    return seed_basic_artifacts(app.state.store, seed)
