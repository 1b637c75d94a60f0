"""``wandb.apis.public.api``'s ``Api`` (``from wandbkit.apis.public.api import Api``)."""

from __future__ import annotations

from wandbkit import Api

__all__ = ["Api"]
