# Generated from src/wandbkit/_async/automations_api.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""The automations and integrations methods of the Api, with ``wandb.Api``'s names and
arguments: ``automation``, ``automations``, ``create_automation``, ``update_automation``,
``delete_automation``, ``integrations``, ``slack_integrations``, ``webhook_integrations`` (and
``create_webhook_integration``, which ``wandb.Api`` lacks)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from wandbkit._core.errors import APIError, ConflictError, GraphQLError, NotFoundError, UsageError
from wandbkit._core.flavor_sync import monotonic, sync_sleep
from wandbkit._sync.automations import (
    DEFAULT_PER_PAGE,
    Automations,
    Integrations,
    automation_of,
    read_firings,
)
from wandbkit.automations._wire import (
    integration_from_node,
    to_create_variables,
    to_update_variables,
    to_webhook_integration_variables,
)
from wandbkit.automations.events import Automation, NewAutomation
from wandbkit.automations.firings import AutomationFiring
from wandbkit.automations.integrations import Integration, SlackIntegration, WebhookIntegration
from wandbkit.automations.scopes import EntityScope
from wandbkit.paths import check_name

if TYPE_CHECKING:
    from wandbkit._sync.context import ClientContext


def _check_entity(entity: str | None) -> None:
    if entity is not None:
        check_name(entity, "entity")


def _is_missing(exc: APIError) -> bool:
    """Whether the server said the automation to update does not exist."""
    return isinstance(exc, NotFoundError) or (
        isinstance(exc, GraphQLError) and "not found" in str(exc).lower()
    )


class AutomationsMethods:
    """The Api's automations methods (a part of ``Api``, which supplies the context)."""

    _ctx: ClientContext

    def automations(
        self,
        entity: str | None = None,
        *,
        name: str | None = None,
        per_page: int = DEFAULT_PER_PAGE,
        start: str | None = None,
    ) -> Automations:
        """Automations, page by page: an entity's, or without one all those in the projects
        you can see (as ``wandb.Api``).

        Args:
            entity: the entity (team or user) whose automations to list.
            name: only the automation(s) of this name.
            per_page: automations (or, without an entity, projects) per request.
            start: a ``cursor`` from an earlier listing, to resume from.

        Raises:
            UsageError: a malformed entity, name or page size (before any request).
        """
        _check_entity(entity)
        if name is not None and (not isinstance(name, str) or not name):
            raise UsageError(f"name must be a non-empty string, got {name!r}")
        return Automations(self._ctx, entity, name=name, per_page=per_page, start=start)

    def automation(self, name: str, *, entity: str | None = None) -> Automation:
        """The one automation named ``name``.

        Raises:
            UsageError: a malformed name or entity.
            NotFoundError: no automation of that name.
            APIError: several automations of that name (the message says how many); pass
                ``entity=`` to narrow the search.
        """
        if not isinstance(name, str) or not name:
            raise UsageError(f"name must be a non-empty string, got {name!r}")
        found = self.automations(entity, name=name).to_list()
        if not found:
            where = f" in entity {entity!r}" if entity else ""
            raise NotFoundError(f"no automation named {name!r}{where}")
        if len(found) > 1:
            raise APIError(
                f"{len(found)} automations are named {name!r}; expected exactly one (pass "
                "entity=... to narrow the search)"
            )
        return found[0]

    def create_automation(
        self, obj: NewAutomation, *, fetch_existing: bool = False, **kwargs: Any
    ) -> Automation:
        """Create an automation from ``event >> action``; ``kwargs`` (``name``,
        ``description``, ``enabled``, ``scope``, ``event``, ``action``) override its fields.

        Args:
            obj: the new automation.
            fetch_existing: when one of that name exists already, return it instead of
                raising.

        Raises:
            UsageError: no name, an event that does not fit its scope, any bad field (named;
                before any request).
            ConflictError: an automation of that name exists (and not ``fetch_existing``).
        """
        variables = to_create_variables(obj, **kwargs)
        from wandbkit._generated.input_types import CreateFilterTriggerInput

        name = variables["input"]["name"]
        scope = kwargs.get("scope") or (obj.scope if obj is not None else None)
        # Where to look for the existing one: the scope's entity when known. (wandb.Api walks
        # the viewer's projects only, which misses a team's automations.)
        owner = scope.name if isinstance(scope, EntityScope) else getattr(scope, "entity", None)
        try:
            result = self._ctx.client.create_automation(
                input=CreateFilterTriggerInput.model_validate(variables["input"])
            )
        except ConflictError:
            if fetch_existing:
                return self.automation(name, entity=owner)
            raise
        trigger = result.result.trigger if result.result is not None else None
        if trigger is None:
            raise APIError(
                f"the server created automation {name!r} but answered no trigger",
                operation_name="CreateAutomation",
            )
        return automation_of(trigger, "CreateAutomation")

    def update_automation(
        self, obj: Automation, *, create_missing: bool = False, **kwargs: Any
    ) -> Automation:
        """Save changes to an automation (edit its fields, or pass them as ``kwargs``).

        Args:
            obj: the saved automation (from ``automation()`` or ``automations()``).
            create_missing: when it no longer exists, create it instead of raising.

        Raises:
            UsageError: a bad field (named; before any request).
            NotFoundError: the automation does not exist (and not ``create_missing``).
        """
        variables = to_update_variables(obj, **kwargs)
        from wandbkit._generated.input_types import UpdateFilterTriggerInput

        try:
            result = self._ctx.client.update_automation(
                input=UpdateFilterTriggerInput.model_validate(variables["input"])
            )
        except APIError as exc:
            if not _is_missing(exc):
                raise
            if create_missing:
                new = NewAutomation(
                    name=obj.name,
                    description=obj.description,
                    enabled=obj.enabled,
                    event=obj.event,  # type: ignore[arg-type]
                    action=obj.action,  # type: ignore[arg-type]
                )
                return self.create_automation(new, **kwargs)
            raise NotFoundError(
                f"automation {obj.name!r} not found; cannot update it (create_missing=True "
                "creates it)",
                operation_name="UpdateAutomation",
            ) from exc
        trigger = result.result.trigger if result.result is not None else None
        if trigger is None:
            raise NotFoundError(
                f"automation {obj.name!r} not found", operation_name="UpdateAutomation"
            )
        return automation_of(trigger, "UpdateAutomation")

    def delete_automation(self, obj: Automation | str) -> Literal[True]:
        """Delete an automation (given as itself or its id); returns True.

        Raises:
            UsageError: neither an automation nor an id.
            APIError: the server did not delete it.
        """
        id_ = obj.id if isinstance(obj, Automation) else obj
        if not isinstance(id_, str) or not id_:
            raise UsageError(f"obj must be an Automation or its id, got {obj!r}")
        result = self._ctx.client.delete_automation(id=id_)
        if result.result is None or not result.result.success:
            raise APIError(
                f"the server did not delete automation {id_!r}", operation_name="DeleteAutomation"
            )
        return True

    def integrations(
        self,
        entity: str | None = None,
        *,
        per_page: int = DEFAULT_PER_PAGE,
        start: str | None = None,
    ) -> Integrations[Integration]:
        """An entity's Slack and webhook integrations (default: your entity), page by page."""
        _check_entity(entity)
        kinds = (SlackIntegration, WebhookIntegration)
        return Integrations(self._ctx, entity, kinds, per_page=per_page, start=start)

    def slack_integrations(
        self,
        *,
        entity: str | None = None,
        per_page: int = DEFAULT_PER_PAGE,
        start: str | None = None,
    ) -> Integrations[SlackIntegration]:
        """An entity's Slack integrations (default: your entity), page by page."""
        _check_entity(entity)
        return Integrations(self._ctx, entity, (SlackIntegration,), per_page=per_page, start=start)

    def webhook_integrations(
        self,
        entity: str | None = None,
        *,
        per_page: int = DEFAULT_PER_PAGE,
        start: str | None = None,
    ) -> Integrations[WebhookIntegration]:
        """An entity's webhook integrations (default: your entity), page by page."""
        _check_entity(entity)
        return Integrations(
            self._ctx, entity, (WebhookIntegration,), per_page=per_page, start=start
        )

    def create_webhook_integration(
        self,
        name: str,
        url_endpoint: str,
        *,
        entity: str | None = None,
        secret_ref: str | None = None,
        access_token_ref: str | None = None,
    ) -> WebhookIntegration:
        """Add a webhook integration (a URL that ``SendWebhook`` actions POST to) to an
        entity (default: yours). Not in ``wandb.Api``: the official client generates this
        mutation but has no method for it.

        Raises:
            UsageError: a bad name or a URL that is not http(s) (before any request).
        """
        to_webhook_integration_variables(name, url_endpoint, "-")  # check before resolving
        _check_entity(entity)
        resolved = self._ctx.resolve_entity(entity)
        variables = to_webhook_integration_variables(
            name, url_endpoint, resolved, secret_ref=secret_ref, access_token_ref=access_token_ref
        )
        from wandbkit._generated.input_types import CreateGenericWebhookIntegrationInput

        result = self._ctx.client.create_generic_webhook_integration(
            input=CreateGenericWebhookIntegrationInput.model_validate(variables["input"])
        )
        node = result.result.integration if result.result is not None else None
        found = integration_from_node(node.model_dump(by_alias=True)) if node is not None else None
        if not isinstance(found, WebhookIntegration):
            raise APIError(
                f"the server created webhook integration {name!r} but answered none",
                operation_name="CreateGenericWebhookIntegration",
            )
        return found

    def automation_firings(
        self,
        entity: str | None = None,
        *,
        automation: Automation | str | None = None,
        after: int = 0,
        limit: int = 100,
        wait_for: int = 0,
        timeout: float = 10.0,
    ) -> list[AutomationFiring]:
        """What an entity's automations did, oldest first: each firing's event, the payload
        sent and the webhook delivery's outcome. A wandbkit extension that only the wandbkit
        local server answers (``GET /_wandbkit/automations/firings``; W&B publishes no such
        history), for testing a webhook receiver or an automation against it.

        Args:
            entity: the entity (default: yours); you must be a member.
            automation: only the firings of this automation (itself, its id or its name).
            after: only firings with a larger ``id`` (the last one you read, to poll).
            limit: the most firings to read (1 to 1000).
            wait_for: wait until at least this many (matching) firings exist and none of them
                is still ``PENDING`` (a webhook being tried), or ``timeout`` passed; then
                answer what there is.
            timeout: the most seconds to wait for ``wait_for``.

        Raises:
            UsageError: a bad argument (before any request).
            NotFoundError: not an entity of yours, or not the wandbkit local server.

        Example:
            >>> api.automation_firings("my-team", automation="loss-alarm", wait_for=1)
            ... # doctest: +SKIP
            [<AutomationFiring 1 loss-alarm: RUN_METRIC -> GENERIC_WEBHOOK DELIVERED, ...>]
        """
        _check_entity(entity)
        for value, what, low, high in ((after, "after", 0, None), (limit, "limit", 1, 1000)):
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or value < low
                or (high is not None and value > high)
            ):
                span = f"from {low} to {high}" if high else f"of at least {low}"
                raise UsageError(f"{what} must be an integer {span}, got {value!r}")
        if isinstance(wait_for, bool) or not isinstance(wait_for, int) or wait_for < 0:
            raise UsageError(f"wait_for must be a non-negative integer, got {wait_for!r}")
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout < 0:
            raise UsageError(f"timeout must be a non-negative number of seconds, got {timeout!r}")
        wanted = automation.id if isinstance(automation, Automation) else automation
        if wanted is not None and (not isinstance(wanted, str) or not wanted):
            raise UsageError(
                f"automation must be an Automation, its id or its name, got {automation!r}"
            )
        resolved = self._ctx.resolve_entity(entity)
        deadline = monotonic() + timeout
        while True:
            found = [
                firing
                for firing in read_firings(self._ctx, resolved, after=after, limit=limit)
                if wanted is None or wanted in (firing.automation_id, firing.automation_name)
            ]
            done = len(found) >= wait_for and all(firing.settled for firing in found)
            if done or monotonic() >= deadline:
                return found
            sync_sleep(0.05)
