"""The registries tests' seed: the organization's model, dataset and restricted registries
over the artifacts seed (``wandbkit.server.seed.registries.seed_basic_registries``), and a
second client for ``reader``, a member of the organization outside the restricted registry."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest

from wandbkit.server.seed import seed_basic_artifacts, seed_basic_registries
from wandbkit.server.seed.registries import RegistrySeed

from ..support import Flavor, flavored_api


@pytest.fixture
def regs(seeded_app: tuple[Any, Any]) -> RegistrySeed:
    """The seeded registries, in the store of the test's server."""
    app, seed = seeded_app
    seed_basic_artifacts(app.state.store, seed)
    return seed_basic_registries(app.state.store, seed)


@pytest.fixture
def as_user(
    seeded_app: tuple[Any, Any], flavor: Flavor, regs: RegistrySeed
) -> Callable[[str], AbstractAsyncContextManager[Flavor]]:
    """``async with as_user("reader") as other:`` gives the same flavour signed in as another
    user of the store (with a fresh API key)."""
    app, seed = seeded_app
    store = app.state.store

    def connect(username: str) -> AbstractAsyncContextManager[Flavor]:
        user = store.accounts.get_user(username) or store.accounts.create_user(username)
        key, _ = store.accounts.create_api_key(user.pk)
        return flavored_api(app, dataclasses.replace(seed, api_key=key), flavor.name)

    return connect
