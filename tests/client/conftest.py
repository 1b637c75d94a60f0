"""The ``flavor`` fixture: a behaviour test that takes it runs on ``AsyncApi`` and on ``Api``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from .support import Flavor, flavored_api


@pytest.fixture(params=["async", "sync"])
async def flavor(
    request: pytest.FixtureRequest, seeded_app: tuple[Any, Any]
) -> AsyncIterator[Flavor]:
    """The client in one flavour on the seeded in-process server (see ``support.Flavor``)."""
    app, seed = seeded_app
    async with flavored_api(app, seed, request.param) as flavored:
        yield flavored
