"""``wandbkit automations ls|show|delete|firings`` and ``wandbkit integrations ls``: an
entity's automations and the integrations their actions send through."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import click

from wandbkit.cli._common import connection_options, handle_errors, out_console, session
from wandbkit.cli.render import cell, jsonable, write_json, write_records

if TYPE_CHECKING:
    import wandbkit
    from wandbkit.automations import Automation, AutomationFiring, Integration

__all__ = ["COMMANDS", "automation_record", "automations", "integrations"]

#: The formats these commands write.
FORMATS = ("table", "json")
#: The columns of ``automations ls`` (its JSON has every field of ``show``).
LIST_COLUMNS = ("name", "event", "scope", "action", "enabled", "id")
FIRING_COLUMNS = ("id", "automation", "event", "action", "status", "attempts", "code", "at")
INTEGRATION_COLUMNS = ("type", "name", "target", "id")

_format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True
)
_entity_option = click.option(
    "--entity", "-e", metavar="ENTITY", help="The entity (default: yours)."
)


def _parsed(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    if isinstance(value, Mapping):
        return {key: _parsed(item) for key, item in value.items()}
    return value


def automation_record(automation: Automation) -> dict[str, Any]:
    """Everything about an automation, as plain JSON values: its fields, and its scope, event
    (type and filter) and action (type and configuration) in the server's wire form."""
    from wandbkit.automations._wire import to_update_variables

    wire = to_update_variables(automation)["input"]
    return {
        "id": automation.id,
        "name": automation.name,
        "description": automation.description,
        "enabled": automation.enabled,
        "scope": {
            "type": wire["scopeType"],
            "id": wire["scopeID"],
            "name": automation.scope.name,
        },
        "event": {"type": wire["triggeringEventType"], "filter": _parsed(wire["eventFilter"])},
        "action": {
            "type": wire["triggeredActionType"],
            "config": _parsed(wire.get("triggeredActionConfig") or {}),
        },
        "created_at": automation.created_at,
        "updated_at": automation.updated_at,
    }


def _row(automation: Automation) -> dict[str, Any]:
    scope = automation.scope
    return {
        "name": automation.name,
        "event": str(automation.event.event_type.value),
        "scope": f"{scope.scope_type.value.lower()}:{scope.name}",
        "action": str(automation.action.action_type.value),
        "enabled": automation.enabled,
        "id": automation.id,
    }


def _entity(api: wandbkit.Api, entity: str | None) -> str:
    found = entity or api.default_entity
    if not found:
        raise click.UsageError("no default entity: pass --entity")
    return str(found)


@click.group(
    "automations",
    epilog="""\b
Examples:
  wandbkit automations ls --entity demo-team
  wandbkit automations firings --entity demo-team
""",
)
def automations() -> None:
    """An entity's automations (events that run actions, such as a webhook)."""


@automations.command(
    "ls",
    epilog="""\b
Examples:
  wandbkit automations ls
  wandbkit automations ls --entity demo-team --format json
""",
)
@_entity_option
@click.option("--name", metavar="NAME", help="Only the automation(s) of this name.")
@_format_option
@connection_options
@handle_errors
def list_automations(entity: str | None, name: str | None, fmt: str) -> None:
    """List the automations of an entity."""
    api = session(click.get_current_context()).api()
    owner = _entity(api, entity)
    found = list(api.automations(owner, name=name))
    if fmt == "json":
        write_json((automation_record(a) for a in found), sys.stdout)
        return
    shown = write_records(fmt, LIST_COLUMNS, (_row(a) for a in found), sys.stdout)
    click.echo(f"{shown} automations in {owner}", err=True)


def _show_table(record: Mapping[str, Any]) -> None:
    from rich.table import Table

    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    scope, event, action = record["scope"], record["event"], record["action"]
    for key, value in (
        ("name", record["name"]),
        ("id", record["id"]),
        ("description", record["description"]),
        ("enabled", record["enabled"]),
        ("scope", f"{scope['type']} {scope['name']} ({scope['id']})"),
        ("event", event["type"]),
        ("filter", json.dumps(jsonable(event["filter"]), indent=2)),
        ("action", action["type"]),
        ("config", json.dumps(jsonable(action["config"]), indent=2)),
        ("created_at", record["created_at"]),
        ("updated_at", record["updated_at"]),
    ):
        table.add_row(key, cell(value))
    out_console().print(table)


@automations.command(
    "show",
    epilog="""\b
Examples:
  wandbkit automations show loss-alarm
  wandbkit automations show loss-alarm --entity demo-team --format json
""",
)
@click.argument("name")
@_entity_option
@_format_option
@connection_options
@handle_errors
def show_automation(name: str, entity: str | None, fmt: str) -> None:
    """Show the automation NAME: its scope, event filter and action."""
    api = session(click.get_current_context()).api()
    record = automation_record(api.automation(name, entity=_entity(api, entity)))
    if fmt == "json":
        sys.stdout.write(json.dumps(jsonable(record), indent=2, default=str) + "\n")
        return
    _show_table(record)


@automations.command(
    "delete",
    epilog="""\b
Examples:
  wandbkit automations delete loss-alarm --yes
""",
)
@click.argument("name")
@_entity_option
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@connection_options
@handle_errors
def delete_automation(name: str, entity: str | None, yes: bool) -> None:
    """Delete the automation NAME."""
    api = session(click.get_current_context()).api()
    owner = _entity(api, entity)
    found = api.automation(name, entity=owner)
    if not yes:
        click.confirm(f"Delete automation {name!r} of {owner}?", abort=True, err=True)
    api.delete_automation(found)
    click.echo(f"deleted automation {name!r} ({found.id}) of {owner}", err=True)


def _firing_row(firing: AutomationFiring) -> dict[str, Any]:
    return {
        "id": firing.id,
        "automation": firing.automation_name,
        "event": firing.event_type,
        "action": firing.action_type,
        "status": firing.status,
        "attempts": firing.attempts,
        "code": firing.response_code,
        "at": firing.created_at,
    }


@automations.command(
    "firings",
    epilog="""\b
Examples:
  wandbkit automations firings --automation loss-alarm
  wandbkit automations firings --after 41 --format json

Only the wandbkit local server records firings (W&B does not publish them).
""",
)
@_entity_option
@click.option("--automation", metavar="NAME", help="Only this automation's firings.")
@click.option("--after", type=click.IntRange(min=0), default=0, help="Only firings after this id.")
@click.option("--limit", type=click.IntRange(1, 1000), default=100, show_default=True)
@_format_option
@connection_options
@handle_errors
def list_firings(
    entity: str | None, automation: str | None, after: int, limit: int, fmt: str
) -> None:
    """What an entity's automations did (local server): events, payloads, deliveries."""
    api = session(click.get_current_context()).api()
    owner = _entity(api, entity)
    found = api.automation_firings(owner, automation=automation, after=after, limit=limit)
    if fmt == "json":
        write_json((dataclasses.asdict(f) for f in found), sys.stdout)
        return
    shown = write_records(fmt, FIRING_COLUMNS, (_firing_row(f) for f in found), sys.stdout)
    click.echo(f"{shown} firings in {owner}", err=True)


def _integration_rows(found: list[Integration]) -> Iterator[dict[str, Any]]:
    from wandbkit.automations import SlackIntegration

    for item in found:
        if isinstance(item, SlackIntegration):
            target = f"{item.team_name} #{item.channel_name}"
            yield {"type": "slack", "name": item.channel_name, "target": target, "id": item.id}
        else:
            yield {"type": "webhook", "name": item.name, "target": item.url_endpoint, "id": item.id}


@click.group(
    "integrations",
    epilog="""\b
Examples:
  wandbkit integrations ls --entity demo-team
""",
)
def integrations() -> None:
    """An entity's integrations (Slack channels, webhooks) that automations send through."""


@integrations.command(
    "ls",
    epilog="""\b
Examples:
  wandbkit integrations ls --entity demo-team
  wandbkit integrations ls --format json
""",
)
@_entity_option
@_format_option
@connection_options
@handle_errors
def list_integrations(entity: str | None, fmt: str) -> None:
    """List the Slack and webhook integrations of an entity."""
    api = session(click.get_current_context()).api()
    owner = _entity(api, entity)
    rows = list(_integration_rows(list(api.integrations(owner))))
    shown = write_records(fmt, INTEGRATION_COLUMNS, rows, sys.stdout)
    if fmt == "table":
        click.echo(f"{shown} integrations in {owner}", err=True)


#: The command groups this module adds to ``wandbkit``.
COMMANDS = (automations, integrations)
