"""The local server's automations: checking definitions (:mod:`.spec`,
:mod:`.conditions`), evaluating them on every committed write (:mod:`.dispatch`), filling
payloads (:mod:`.payload`) and delivering webhooks with a bounded retry (:mod:`.webhook`).

:func:`wandbkit.server.create_app` attaches a :class:`Dispatcher` to its store
(``app.state.automations``); firings are read back through
``GET /_wandbkit/automations/firings`` (:mod:`wandbkit.server.http.automation_routes`).
"""

from __future__ import annotations

from wandbkit.server.automations.dispatch import Dispatcher
from wandbkit.server.automations.webhook import WebhookPolicy, WebhookSender

__all__ = ["Dispatcher", "WebhookPolicy", "WebhookSender"]
