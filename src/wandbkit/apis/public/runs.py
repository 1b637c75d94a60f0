"""``wandb.apis.public.runs``'s ``Run`` and ``Runs`` (``from wandbkit.apis.public.runs
import Runs``). Make them with ``Api().runs(...)`` and ``Api().run(...)``, as ``wandb``'s
guide does; the constructors are not ``wandb``'s."""

from __future__ import annotations

from wandbkit import Run, Runs

__all__ = ["Run", "Runs"]
