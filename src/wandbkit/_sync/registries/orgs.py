# Generated from src/wandbkit/_async/registries/orgs.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""Which organization a registry call means: the argument, the configured default
(``overrides["organization"]``), or the only organization of the viewer's entity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from wandbkit._core.errors import NotFoundError, UsageError
from wandbkit.paths import check_name

if TYPE_CHECKING:
    from wandbkit._sync.context import ClientContext


@dataclass(frozen=True)
class OrgRef:
    """An organization and its own entity (where its registries live)."""

    name: str
    entity: str


def organization_name(ctx: ClientContext, organization: str | None) -> str:
    """The organization's name: ``organization``, else the configured default, else the one
    the viewer's entity belongs to.

    Raises:
        UsageError: a malformed name; or none given and the entity is in no organization or
            in several (the message names them: pass one as ``organization=``).
    """
    if organization is not None:
        return check_name(organization, "organization")
    if ctx.default_organization is not None:
        return ctx.default_organization
    entity = ctx.resolve_entity(ctx.settings.entity)
    found = ctx.client.get_org_info_from_entity(entity=entity)
    owner = found.entity
    if owner is not None and owner.organization is not None:
        return owner.organization.name
    names = sorted(
        {org.name for org in owner.user.organizations} if owner and owner.user else set()
    )
    if len(names) == 1:
        return names[0]
    if not names:
        raise UsageError(f"organization is required: entity {entity!r} belongs to no organization")
    raise UsageError(
        f"organization is required: entity {entity!r} belongs to several organizations "
        f"({', '.join(repr(n) for n in names)}); pass one as organization="
    )


def resolve_org(ctx: ClientContext, organization: str | None) -> OrgRef:
    """The organization and its entity (``FetchOrganization``).

    Raises:
        UsageError: see :func:`organization_name`.
        NotFoundError: no organization of that name.
    """
    name = organization_name(ctx, organization)
    result = ctx.client.get_organization(name=name)
    found = result.organization
    if found is None or found.org_entity is None:
        raise NotFoundError(f"organization {name!r} not found", operation_name="GetOrganization")
    return OrgRef(found.name, found.org_entity.name)
