"""The flavour fixtures: a behaviour test that takes one runs on ``AsyncApi`` and on ``Api``.

``flavor`` is a client on a fresh seeded server (``seeded_app``). ``shared_flavor`` is a client
on the test module's ``shared_app``: a module-scoped server seeded once (``support.seeded_once``)
for the tests that only read it, so a costly seed is not repeated for every test and flavour.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from .support import Flavor, flavored_api

FLAVORS = ["async", "sync"]


@pytest.fixture(params=FLAVORS)
async def flavor(
    request: pytest.FixtureRequest, seeded_app: tuple[Any, Any]
) -> AsyncIterator[Flavor]:
    """The client in one flavour on the seeded in-process server (see ``support.Flavor``)."""
    app, seed = seeded_app
    async with flavored_api(app, seed, request.param) as flavored:
        yield flavored


@pytest.fixture(params=FLAVORS)
async def shared_flavor(
    request: pytest.FixtureRequest, shared_app: tuple[Any, Any]
) -> AsyncIterator[Flavor]:
    """The client in one flavour on the module's ``shared_app``; only for tests that leave
    the server as they found it."""
    app, seed = shared_app
    async with flavored_api(app, seed, request.param) as flavored:
        yield flavored
