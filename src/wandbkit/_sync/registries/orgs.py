# Generated from src/wandbkit/_async/registries/orgs.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""Which organization a registry call means: the argument, the configured default
(``overrides["organization"]``), or the only organization of the viewer's entity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from wandbkit._core.errors import NotFoundError
from wandbkit._sync.artifacts.resolve import organization_name
from wandbkit.paths import check_name

if TYPE_CHECKING:
    from wandbkit._sync.context import ClientContext


@dataclass(frozen=True)
class OrgRef:
    """An organization and its own entity (where its registries live)."""

    name: str
    entity: str


def resolve_org(ctx: ClientContext, organization: str | None) -> OrgRef:
    """The organization and its entity (``FetchOrganization``).

    Raises:
        UsageError: a malformed name; or none given and the viewer's entity is in no
            organization or in several (see ``artifacts.resolve.organization_name``).
        NotFoundError: no organization of that name.
    """
    if organization is not None:
        check_name(organization, "organization")
    name = organization_name(ctx, organization)
    result = ctx.client.get_organization(name=name)
    found = result.organization
    if found is None or found.org_entity is None:
        raise NotFoundError(f"organization {name!r} not found", operation_name="GetOrganization")
    return OrgRef(found.name, found.org_entity.name)
