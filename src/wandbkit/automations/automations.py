"""Saved and new automations (the official ``wandb.automations.automations``)."""

from wandbkit.automations.events import Automation, NewAutomation

__all__ = ["Automation", "NewAutomation"]
