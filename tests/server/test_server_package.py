"""The server package's names load on first use, so the store alone stays free of the web stack."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import wandbkit.server


def test_every_public_name_resolves_to_the_object_its_module_defines() -> None:
    for name, module in wandbkit.server._LAZY.items():
        assert getattr(wandbkit.server, name) is getattr(importlib.import_module(module), name)
    assert sorted(dir(wandbkit.server)) == wandbkit.server.__all__ == sorted(wandbkit.server._LAZY)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="nothing_here"):
        wandbkit.server.nothing_here  # noqa: B018


def test_the_store_loads_neither_starlette_nor_ariadne() -> None:
    code = (
        "import wandbkit.server.store, sys; "
        "assert 'starlette' not in sys.modules and 'ariadne' not in sys.modules"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
