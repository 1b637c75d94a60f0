"""The package's public names: every one resolves, lazily, to the class it names."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys

import wandbkit


def test_every_public_name_resolves() -> None:
    for name in wandbkit.__all__:
        assert getattr(wandbkit, name) is not None, name
    assert sorted(wandbkit.__all__) == sorted(set(wandbkit.__all__))


def type_checking_imports() -> dict[str, str]:
    """Name -> module of every import in ``wandbkit/__init__.py``'s ``TYPE_CHECKING`` block.

    Each must be spelt ``X as X`` (an explicit re-export, which strict type checkers need
    because ``__all__`` is computed).
    """
    tree = ast.parse(inspect.getsource(wandbkit))
    blocks = [
        node
        for node in tree.body
        if isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
    ]
    assert len(blocks) == 1
    imports: dict[str, str] = {}
    for node in blocks[0].body:
        assert isinstance(node, ast.ImportFrom) and node.module is not None
        for alias in node.names:
            assert alias.asname == alias.name, f"{alias.name} is not re-exported as itself"
            imports[alias.name] = node.module
    return imports


def test_the_lazy_table_and_the_type_checking_imports_name_the_same_things() -> None:
    assert type_checking_imports() == wandbkit._LAZY
    assert wandbkit.__all__ == sorted([*wandbkit._LAZY, "__version__"])
    assert sorted(dir(wandbkit)) == wandbkit.__all__


def test_domain_types_are_the_classes_the_api_returns() -> None:
    from wandbkit._async.sweeps import AsyncSweep
    from wandbkit._sync.runs.run import Run
    from wandbkit._sync.teams import Team

    assert wandbkit.Run is Run and wandbkit.Team is Team and wandbkit.AsyncSweep is AsyncSweep
    assert wandbkit.RunState.FINISHED == "finished"


def test_import_wandbkit_loads_no_domain_module() -> None:
    code = (
        "import sys, wandbkit; "
        "sys.exit(any(m.startswith(('wandbkit._sync', 'wandbkit._async', 'wandbkit.server',"
        " 'httpx', 'pydantic')) for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_the_api_loads_sweeps_teams_and_console_logs_only_when_used() -> None:
    code = (
        "import sys; from wandbkit import Api, AsyncApi; "
        "sys.exit(any(m.rsplit('.', 1)[-1] in ('sweeps', 'teams', 'console') "
        "for m in sys.modules if m.startswith('wandbkit.')))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
