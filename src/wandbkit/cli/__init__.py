"""The ``wandbkit`` command line (Click), one module per command group.

``wandbkit.cli:main`` is the console script. Nothing in the library imports this package:
``import wandbkit`` loads neither Click nor rich.
"""

from __future__ import annotations

from wandbkit.cli.main import build_parser, cli, main

__all__ = ["build_parser", "cli", "main"]
