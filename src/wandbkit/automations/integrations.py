"""Integrations an automation's action sends through: a Slack workspace channel or a generic
webhook (the official ``wandb.automations.integrations``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from wandbkit._core.errors import UsageError
from wandbkit._html import Explorable

__all__ = ["Integration", "SlackIntegration", "WebhookIntegration", "check_webhook_url"]

#: The server's rule for webhook integration names (official CreateGenericWebhookIntegrationInput).
WEBHOOK_NAME: Final = re.compile(r"^[-\w]+([ ]+[-\w]+)*$")
MAX_WEBHOOK_NAME: Final = 64


def check_webhook_url(url: object, where: str = "url_endpoint") -> str:
    """A webhook URL: ``http://`` or ``https://`` with a host.

    Raises:
        UsageError: anything else, naming ``where``.
    """
    if not isinstance(url, str) or not url:
        raise UsageError(f"{where} must be an http(s) URL, got {url!r}")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"{where} must be an http:// or https:// URL with a host, got {url!r}")
    return url


def check_webhook_name(name: object, where: str = "name") -> str:
    """A webhook integration name: words of letters, digits, ``_`` and ``-``, at most 64.

    Raises:
        UsageError: anything else, naming ``where``.
    """
    if not isinstance(name, str) or not WEBHOOK_NAME.match(name) or len(name) > MAX_WEBHOOK_NAME:
        raise UsageError(
            f"{where} must be 1-{MAX_WEBHOOK_NAME} characters of letters, digits, '_', '-' "
            f"and single spaces between words, got {name!r}"
        )
    return name


@dataclass(frozen=True)
class SlackIntegration(Explorable):
    """A Slack channel of a workspace that notifications post to."""

    id: str
    team_name: str
    channel_name: str
    typename__ = "SlackIntegration"


@dataclass(frozen=True)
class WebhookIntegration(Explorable):
    """A URL that webhook actions POST to."""

    id: str
    name: str
    url_endpoint: str
    typename__ = "GenericWebhookIntegration"


Integration = SlackIntegration | WebhookIntegration
