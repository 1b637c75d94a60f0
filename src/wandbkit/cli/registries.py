"""``wandbkit registry ls|collections|versions``: an organization's registries, the
collections in them and the versions linked into them, each with the library's Mongo-style
``--filter`` (``Api.registries``, ``.collections(filter=…)``, ``.versions(filter=…)``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from wandbkit.cli._common import connection_options, handle_errors, json_object, limited, session
from wandbkit.cli.artifacts import VERSION_COLUMNS, version_row
from wandbkit.cli.render import FORMATS, write_listing

if TYPE_CHECKING:
    import wandbkit

__all__ = ["COMMANDS", "registry"]

F = TypeVar("F", bound=Callable[..., Any])

REGISTRY_COLUMNS = ("name", "visibility", "description", "created_at")
COLLECTION_COLUMNS = ("registry", "name", "type", "description", "tags", "created_at")


def _listing_options(command: F) -> F:
    options = [
        click.option(
            "--org", "organization", metavar="ORG", help="The organization (default: yours)."
        ),
        click.option("--filter", "filter_json", metavar="JSON", help="A Mongo-style filter."),
        click.option(
            "--limit", type=click.IntRange(min=1), metavar="N", help="Show at most N rows."
        ),
        click.option(
            "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return connection_options(command)


def _scope(
    api: wandbkit.Api, name: str | None, organization: str | None
) -> wandbkit.Registry | wandbkit.Registries:
    """One registry (loaded, so a missing one fails here), or all of the organization's."""
    if name is None:
        return api.registries(organization)
    return api.registry(name, organization)


@click.group(
    "registry",
    epilog="""\b
Examples:
  wandbkit registry ls
  wandbkit registry collections dataset
  wandbkit registry versions --filter '{"alias": "production"}'
""",
)
def registry() -> None:
    """Search an organization's registries, their collections and linked versions."""


LS_EPILOG = """\b
Examples:
  wandbkit registry ls
  wandbkit registry ls --org demo-org --filter '{"name": {"$regex": "mod"}}' --format json
"""


@registry.command("ls", epilog=LS_EPILOG)
@_listing_options
@handle_errors
def ls(organization: str | None, filter_json: str | None, limit: int | None, fmt: str) -> None:
    """List the organization's registries (filter on name, description, created_at...)."""
    filters = json_object(filter_json, "--filter", '{"name": "model"}')
    api = session(click.get_current_context()).api()
    listing = api.registries(organization, filter=filters)
    rows = (
        {
            "name": r.name,
            "visibility": str(r.visibility),
            "description": r.description,
            "created_at": r.created_at,
            "organization": r.organization,
            "full_name": r.full_name,
        }
        for r in limited(listing, limit)
    )
    write_listing(fmt, REGISTRY_COLUMNS, rows, "registries", extra=("organization",))


COLLECTIONS_EPILOG = """\b
Examples:
  wandbkit registry collections                     # in every registry
  wandbkit registry collections dataset --filter '{"name": {"$regex": "^images"}}'
  wandbkit registry collections --filter '{"tag": "prod"}' --format csv
"""


@registry.command("collections", epilog=COLLECTIONS_EPILOG)
@click.argument("name", metavar="[REGISTRY]", required=False)
@_listing_options
@handle_errors
def collections(
    name: str | None,
    organization: str | None,
    filter_json: str | None,
    limit: int | None,
    fmt: str,
) -> None:
    """List the collections of REGISTRY (without it: of every registry).

    Filter fields: name, tag, description, created_at, updated_at.
    """
    filters = json_object(filter_json, "--filter", '{"name": "classifier"}')
    api = session(click.get_current_context()).api()
    listing = _scope(api, name, organization).collections(filter=filters)
    rows = (
        {
            "registry": c.project.removeprefix("wandb-registry-"),
            "name": c.name,
            "type": c.type,
            "description": c.description,
            "tags": c.tags,
            "created_at": c.created_at,
        }
        for c in limited(listing, limit)
    )
    write_listing(fmt, COLLECTION_COLUMNS, rows, "collections")


VERSIONS_EPILOG = """\b
Examples:
  wandbkit registry versions model
  wandbkit registry versions --filter '{"alias": "production"}'
  wandbkit registry versions model --filter '{"metadata.accuracy": {"$gte": 0.8}}' --format json
"""


@registry.command("versions", epilog=VERSIONS_EPILOG)
@click.argument("name", metavar="[REGISTRY]", required=False)
@_listing_options
@handle_errors
def versions(
    name: str | None,
    organization: str | None,
    filter_json: str | None,
    limit: int | None,
    fmt: str,
) -> None:
    """List the versions linked into REGISTRY (without it: into every registry).

    Filter fields: id, version, tag, alias, metadata.<key>, created_at, updated_at.
    """
    filters = json_object(filter_json, "--filter", '{"alias": "production"}')
    api = session(click.get_current_context()).api()
    listing = _scope(api, name, organization).versions(filter=filters)
    rows = (version_row(a) for a in limited(listing, limit))
    write_listing(fmt, (*VERSION_COLUMNS, "type"), rows, "versions", extra=("url",))


#: The commands of this module, in the order ``wandbkit --help`` lists them.
COMMANDS = (registry,)
