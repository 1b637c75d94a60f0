"""``python -m wandbkit.cli``: the ``wandbkit`` command line."""

from __future__ import annotations

import sys

from wandbkit.cli.main import main

sys.exit(main())
