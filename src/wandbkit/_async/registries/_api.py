"""The registries methods of the Api: ``registries``, ``registry`` and ``create_registry``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from wandbkit._async.registries.listing import DEFAULT_PER_PAGE
from wandbkit._async.registries.orgs import resolve_org
from wandbkit._async.registries.registry import AsyncRegistries, AsyncRegistry, fetch_registry
from wandbkit._async.registries.settings import (
    Visibility,
    check_artifact_types,
    check_registry_name,
    check_visibility,
)
from wandbkit._core.errors import APIError, NotFoundError, UsageError
from wandbkit._lang.artifact_names import REGISTRY_PREFIX
from wandbkit.paths import check_name

if TYPE_CHECKING:
    from wandbkit._async.context import ClientContext


class AsyncRegistriesMethods:
    """The Api's registry methods (a part of ``Api``, which supplies the context)."""

    _ctx: ClientContext

    def registries(
        self,
        organization: str | None = None,
        filter: Mapping[str, Any] | None = None,
        order: str | None = None,
        per_page: int = DEFAULT_PER_PAGE,
        start: str | None = None,
    ) -> AsyncRegistries:
        """An organization's registries, page by page; chain ``.collections(filter=…)`` and
        ``.versions(filter=…)`` to search inside them.

        Args:
            organization: the organization (default: ``overrides["organization"]``, else the
                only organization of your entity).
            filter: a Mongo-style filter on ``id``, ``name`` (the ``wandb-registry-`` prefix
                is added), ``entity_id``, ``description``, ``created_at``, ``updated_at``.
            order: ``[+|-]name``, ``created_at`` or ``updated_at``.
            per_page: registries per request.
            start: a ``cursor`` from an earlier listing, to resume from.

        Raises:
            UsageError: a bad filter, order, page size or organization name (before any
                request).
        """
        if organization is not None:
            check_name(organization, "organization")
        return AsyncRegistries(self._ctx, organization, filter, order, per_page, start)

    async def registry(self, name: str, organization: str | None = None) -> AsyncRegistry:
        """One registry, loaded; ``name`` without the ``wandb-registry-`` prefix.

        Raises:
            UsageError: a bad name, or no organization given and none or several to choose.
            NotFoundError: no such organization or registry (or one you may not see).
        """
        short = check_registry_name(name)
        org = await resolve_org(self._ctx, organization)
        fields = await fetch_registry(self._ctx, org.entity, short)
        return AsyncRegistry(self._ctx, org.name, org.entity, short, fields)

    async def create_registry(
        self,
        name: str,
        visibility: Visibility,
        organization: str | None = None,
        description: str | None = None,
        artifact_types: Sequence[str] | None = None,
    ) -> AsyncRegistry:
        """Create a registry and return it.

        Args:
            name: the name, without the ``wandb-registry-`` prefix.
            visibility: ``"organization"`` (every member) or ``"restricted"`` (members only).
            organization: as for :meth:`registries`.
            description: an optional description.
            artifact_types: the artifact types it accepts (default: all).

        Raises:
            UsageError: bad arguments (before any request), or the registry exists.
            NotFoundError: no such organization.
            APIError: the server refused.
        """
        from wandbkit._generated.input_types import ArtifactTypeInput, UpsertModelInput

        short = check_registry_name(name)
        access = check_visibility(visibility)
        types = check_artifact_types(artifact_types) if artifact_types is not None else []
        if description is not None and not isinstance(description, str):
            raise UsageError(f"description must be a string, got {type(description).__name__}")
        org = await resolve_org(self._ctx, organization)
        try:
            await fetch_registry(self._ctx, org.entity, short)
        except NotFoundError:
            pass
        else:
            raise UsageError(f"registry {short!r} already exists in organization {org.name!r}")
        result = await self._ctx.client.upsert_registry(
            input=UpsertModelInput(
                entity_name=org.entity,
                name=REGISTRY_PREFIX + short,
                description=description,
                access=access,
                allow_all_artifact_types_in_registry=not types,
                artifact_types=[ArtifactTypeInput(name=t) for t in types] or None,
            )
        )
        payload = result.upsert_model
        if payload is None or payload.project is None:
            raise APIError(f"the server did not create registry {short!r}")
        if not payload.inserted:
            raise UsageError(f"registry {short!r} already exists in organization {org.name!r}")
        return AsyncRegistry(self._ctx, org.name, org.entity, short, payload.project)
