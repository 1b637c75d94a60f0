# Generated from src/wandbkit/_async/registries/registry.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""The typed ``Registry`` (one registry of an organization, as ``wandb.Api().registry()``
gives it) and ``Registries`` (an organization's registries, page by page).

A registry is the project ``wandb-registry-<name>`` of the organization's entity. Its
``name``, ``description``, ``visibility``, ``allow_all_artifact_types`` and (add-only)
``artifact_types`` are edited locally and sent by ``save()``; a new name is a rename.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from wandbkit._core.errors import APIError, NotFoundError, UsageError
from wandbkit._html import HtmlSummary
from wandbkit._lang.artifact_names import REGISTRY_PREFIX
from wandbkit._lang.registry_fields import BASIC, COLLECTION_ORDERS, EITHER, REGISTRY_ORDERS
from wandbkit._sync.artifacts.resolve import organization_name
from wandbkit._sync.context import ClientContext
from wandbkit._sync.lazy import LazyRecord
from wandbkit._sync.pagination import Page, RelayPaginator
from wandbkit._sync.registries.listing import (
    DEFAULT_PER_PAGE,
    Chain,
    CollectionsChain,
    RegistryCollections,
    RegistryVersions,
    check_filter,
    check_order,
    registry_filter_for,
)
from wandbkit._sync.registries.members import (
    RegistryTeam,
    RegistryUser,
    TeamMember,
    UserMember,
    check_role,
    member_id,
    split_members,
)
from wandbkit._sync.registries.settings import (
    ArtifactTypes,
    Visibility,
    check_registry_name,
    check_visibility,
)

if TYPE_CHECKING:
    from wandbkit._generated.fragments import RegistryFields
    from wandbkit._sync.artifacts.artifact import Artifact

Filter = Mapping[str, Any]


class Registry(LazyRecord["RegistryFields"]):
    """One registry of an organization.

    Fields load with one request on first need (``await registry.load()`` first with
    ``AsyncApi``); ``Api.registry()`` and listings hand it out loaded.

    Args:
        ctx: the client context.
        organization: the organization's name.
        entity: the organization's entity, where the registry's project lives.
        name: the registry's name without the ``wandb-registry-`` prefix.
        fields: the fields, when the request that found it brought them.
    """

    def __init__(
        self,
        ctx: ClientContext,
        organization: str,
        entity: str,
        name: str,
        fields: RegistryFields | None = None,
    ) -> None:
        super().__init__(None)
        self._ctx = ctx
        self._organization = organization
        self._entity = entity
        self._saved_name = check_registry_name(name)
        self._edits: dict[str, Any] = {}
        self._types = ArtifactTypes([])
        if fields is not None:
            self._set_fields(fields)

    @classmethod
    def from_fields(cls, ctx: ClientContext, organization: str, fields: RegistryFields) -> Registry:
        """The registry a ``RegistryFields`` answer describes."""
        return cls(ctx, organization, fields.entity.name, fields.name, fields)

    @classmethod
    def create(
        cls,
        api: Any,
        organization: str,
        name: str,
        visibility: Visibility,
        description: str | None = None,
        artifact_types: list[str] | None = None,
    ) -> Registry:
        """Create a registry, as ``wandb``'s ``Registry.create`` (which its docs say to call
        through ``api.create_registry()``; this is the same call).

        Args:
            api: the ``Api`` (or ``AsyncApi``) to create it with.
            organization: the organization's name.
            name: the name, without the ``wandb-registry-`` prefix.
            visibility: ``"organization"`` or ``"restricted"``.
            description: an optional description.
            artifact_types: the artifact types it accepts (default: all).

        Raises:
            UsageError: bad arguments (before any request), ``api`` is not an ``Api``, or the
                registry exists.
        """
        create = getattr(api, "create_registry", None)
        if create is None:
            raise UsageError(f"api must be a wandbkit Api or AsyncApi, got {type(api).__name__}")
        registry: Registry = create(
            name,
            visibility,
            organization=organization,
            description=description,
            artifact_types=artifact_types,
        )
        return registry

    def _set_fields(self, fields: RegistryFields) -> None:
        self._fields = fields
        self._saved_name = fields.name.removeprefix(REGISTRY_PREFIX)
        self._edits = {}
        self._types = ArtifactTypes([e.node.name for e in fields.artifact_types.edges if e.node])

    def _fetch(self) -> RegistryFields:
        return fetch_registry(self._ctx, self._entity, self._saved_name)

    def _not_loaded(self) -> str:
        return f"registry {self._saved_name!r} is not loaded yet: `await registry.load()` first"

    # -- identity ------------------------------------------------------------------------

    @property
    def id(self) -> str:
        """The server's id of the registry's project."""
        return self._require().id

    @property
    def internal_id(self) -> str | None:
        """The base64 internal id (it holds the integer project id)."""
        return self._require().internal_id

    @property
    def organization(self) -> str:
        """The organization's name."""
        return self._organization

    @property
    def entity(self) -> str:
        """The organization's entity, which owns the registry's project."""
        return self._entity

    @property
    def name(self) -> str:
        """The name without the ``wandb-registry-`` prefix; settable (a rename on save)."""
        return str(self._edits.get("name", self._saved_name))

    @name.setter
    def name(self, value: str) -> None:
        self._edits["name"] = check_registry_name(value)

    @property
    def full_name(self) -> str:
        """The project's name: ``wandb-registry-<name>``."""
        return REGISTRY_PREFIX + self.name

    @property
    def path(self) -> list[str]:
        """``[entity, full_name]``."""
        return [self._entity, self.full_name]

    @property
    def created_at(self) -> datetime:
        """When the registry was created."""
        return self._require().created_at

    @property
    def updated_at(self) -> datetime | None:
        """When it last changed."""
        return self._require().updated_at

    # -- settings ------------------------------------------------------------------------

    @property
    def description(self) -> str | None:
        """The description; settable."""
        if "description" in self._edits:
            return str(self._edits["description"])
        return self._require().description

    @description.setter
    def description(self, value: str) -> None:
        if not isinstance(value, str):
            raise UsageError(f"description must be a string, got {type(value).__name__}")
        self._edits["description"] = value

    @property
    def visibility(self) -> Visibility:
        """``"organization"`` (every member of the organization) or ``"restricted"`` (only the
        registry's members); settable."""
        access = self._edits["access"] if "access" in self._edits else self._require().access
        return "restricted" if access == "RESTRICTED" else "organization"

    @visibility.setter
    def visibility(self, value: Visibility) -> None:
        self._edits["access"] = check_visibility(value)

    @property
    def allow_all_artifact_types(self) -> bool:
        """Whether any artifact type may be linked in; settable."""
        if "allow_all" in self._edits:
            return bool(self._edits["allow_all"])
        return self._require().allow_all_artifact_types

    @allow_all_artifact_types.setter
    def allow_all_artifact_types(self, value: bool) -> None:
        if not isinstance(value, bool):
            raise UsageError(f"allow_all_artifact_types must be a bool, got {value!r}")
        self._edits["allow_all"] = value

    @property
    def artifact_types(self) -> ArtifactTypes:
        """The allowed artifact types: ``append``/``extend`` add (sent by ``save()``)."""
        self._require()
        return self._types

    # -- saving --------------------------------------------------------------------------

    def save(self) -> Registry:
        """Send the edits: description, visibility, types allowed (added only), then the new
        name if it changed; returns self.

        Raises:
            UsageError: new types while every type is allowed.
            APIError: the server refused or answered nothing.
        """
        from wandbkit._generated.input_types import (
            ArtifactTypeInput,
            RenameProjectInput,
            UpsertModelInput,
        )

        self.load()
        new_types = self._types.draft
        if new_types and self.allow_all_artifact_types:
            raise UsageError(
                "artifact types cannot be added while allow_all_artifact_types is True; set it "
                "to False first"
            )
        old, new = REGISTRY_PREFIX + self._saved_name, self.full_name
        result = self._ctx.client.upsert_registry(
            input=UpsertModelInput(
                entity_name=self._entity,
                name=old,
                description=self.description,
                access=self._edits.get("access", self._require().access),
                allow_all_artifact_types_in_registry=self.allow_all_artifact_types,
                artifact_types=[ArtifactTypeInput(name=t) for t in new_types] or None,
            )
        )
        saved = result.upsert_model.project if result.upsert_model is not None else None
        if saved is None:
            raise APIError(f"the server did not save registry {self._saved_name!r}")
        self._set_fields(saved)
        if old != new:
            renamed = self._ctx.client.rename_registry(
                input=RenameProjectInput(
                    entity_name=self._entity, old_project_name=old, new_project_name=new
                )
            )
            moved = renamed.rename_project.project if renamed.rename_project else None
            if moved is None:
                raise APIError(f"the server did not rename registry {old!r} to {new!r}")
            self._set_fields(moved)
        return self

    def delete(self) -> None:
        """Delete the registry, its collections and their links (irreversible).

        Raises:
            APIError: the server refused.
        """
        result = self._ctx.client.delete_registry(id=self.id if self.loaded else (self.load()).id)
        if result.delete_model is None or not result.delete_model.success:
            raise APIError(f"the server did not delete registry {self._saved_name!r}")

    # -- contents ------------------------------------------------------------------------

    def collections(
        self,
        filter: Filter | None = None,
        order: str | None = None,
        per_page: int = DEFAULT_PER_PAGE,
        start: str | None = None,
    ) -> RegistryCollections:
        """The registry's collections (see ``Api.registries().collections``)."""
        return RegistryCollections(
            self._ctx, self._organization, {"name": self.full_name}, filter, order, per_page, start
        )

    def versions(
        self,
        filter: Filter | None = None,
        order: str | None = None,
        per_page: int = DEFAULT_PER_PAGE,
        start: str | None = None,
    ) -> RegistryVersions:
        """The versions linked into the registry (see ``Api.registries().versions``)."""
        return RegistryVersions(
            self._ctx, self._organization, {"name": self.full_name}, None, filter, order,
            per_page, start,
        )  # fmt: skip

    # -- members -------------------------------------------------------------------------

    def members(self) -> list[UserMember | TeamMember]:
        """Every member: users, then teams."""
        users: list[UserMember | TeamMember] = [*self.user_members()]
        return [*users, *self.team_members()]

    def user_members(self) -> list[UserMember]:
        """The users in the registry, with their roles."""
        result = self._ctx.client.get_registry_user_members(
            project=REGISTRY_PREFIX + self._saved_name, entity=self._entity
        )
        if result.project is None:
            raise self._missing("GetRegistryUserMembers")
        return [
            UserMember(RegistryUser(m.id, m.username, m.name, m.email), m.role.name)
            for m in result.project.members
        ]

    def team_members(self) -> list[TeamMember]:
        """The teams in the registry, with their roles."""
        result = self._ctx.client.get_registry_team_members(
            project=REGISTRY_PREFIX + self._saved_name, entity=self._entity
        )
        if result.project is None:
            raise self._missing("GetRegistryTeamMembers")
        return [
            TeamMember(RegistryTeam(m.team.id, m.team.name), m.role.name)
            for m in result.project.team_members
        ]

    def add_members(self, *members: object) -> Registry:
        """Add users and teams (``User``/``Team`` objects, ``UserMember``/``TeamMember``, or
        their ids) as members; returns self.

        Raises:
            UsageError: no members, or one that names no user or team (before any request).
            APIError: the server refused (only registry admins change members).
        """
        from wandbkit._generated.input_types import CreateProjectMembersInput

        users, teams = split_members(members)
        self.load()
        result = self._ctx.client.create_registry_members(
            input=CreateProjectMembersInput(project_id=self.id, user_ids=users, team_ids=teams)
        )
        if result.result is None or not result.result.success:
            raise APIError(f"the server did not add members to registry {self.name!r}")
        return self

    def remove_members(self, *members: object) -> Registry:
        """Take users and teams out of the registry; returns self (see :meth:`add_members`)."""
        from wandbkit._generated.input_types import DeleteProjectMembersInput

        users, teams = split_members(members)
        self.load()
        result = self._ctx.client.delete_registry_members(
            input=DeleteProjectMembersInput(project_id=self.id, user_ids=users, team_ids=teams)
        )
        if result.result is None or not result.result.success:
            raise APIError(f"the server did not remove members from registry {self.name!r}")
        return self

    def update_member(self, member: object, role: str) -> Registry:
        """Give a user or team member the ``role`` (admin, member, viewer, restricted_viewer);
        returns self.

        Raises:
            UsageError: a bad member or role (before any request).
            APIError: the server refused (not an admin, not a member).
        """
        from wandbkit._generated.input_types import (
            UpdateProjectMemberInput,
            UpdateProjectTeamMemberInput,
        )

        kind, value = member_id(member)
        wire_role = check_role(role)
        self.load()
        if kind == "User":
            done = self._ctx.client.update_user_registry_role(
                input=UpdateProjectMemberInput(
                    project_id=self.id, user_id=value, user_project_role=wire_role
                )
            )
            ok = done.result is not None and done.result.success
        else:
            team = self._ctx.client.update_team_registry_role(
                input=UpdateProjectTeamMemberInput(
                    project_id=self.id, team_id=value, team_project_role=wire_role
                )
            )
            ok = team.result is not None and team.result.success
        if not ok:
            raise APIError(f"the server did not change the role of {value!r} in {self.name!r}")
        return self

    def _missing(self, operation: str) -> NotFoundError:
        return registry_not_found(self._organization, self._saved_name, operation)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._organization}/{self.name}>"

    def _html_summary(self) -> HtmlSummary:
        fields: dict[str, Any] = {"organization": self._organization}
        if self._fields is not None:
            fields.update(
                full_name=self.full_name,
                visibility=self.visibility,
                description=self.description,
                created_at=self.created_at,
            )
        return HtmlSummary("Registry", f"{self._organization}/{self.name}", fields)


def registry_not_found(organization: str, name: str, operation: str) -> NotFoundError:
    """The error for a registry the server answered ``null`` for."""
    return NotFoundError(
        f"registry {name!r} not found in organization {organization!r}", operation_name=operation
    )


def fetch_registry(ctx: ClientContext, entity: str, name: str) -> RegistryFields:
    """One registry's fields (``GetRegistry``).

    Raises:
        NotFoundError: no such registry (or one the viewer may not see).
    """
    result = ctx.client.get_registry(entity=entity, name=REGISTRY_PREFIX + name)
    found = result.entity.project if result.entity is not None else None
    if found is None:
        raise NotFoundError(
            f"registry {name!r} not found in entity {entity!r}", operation_name="GetRegistry"
        )
    return found


class Registries(RelayPaginator[Registry]):
    """An organization's registries, page by page (``filter`` fields: id, name, entity_id,
    description, created_at, updated_at; ``order``: name, created_at, updated_at)."""

    def __init__(
        self,
        ctx: ClientContext,
        organization: str | None,
        filter: Filter | None = None,
        order: str | None = None,
        per_page: int = DEFAULT_PER_PAGE,
        start: str | None = None,
    ) -> None:
        super().__init__(per_page=per_page, start=start)
        self._ctx = ctx
        #: The organization (resolved on the first page when not given).
        self.organization = organization
        self.filter = check_filter(filter, BASIC["registries"])
        self._raw_filter = dict(filter) if filter else None
        self.order = check_order(order, REGISTRY_ORDERS, "registries")

    def _org(self) -> str:
        if self.organization is None:
            self.organization = organization_name(self._ctx, None)
        return self.organization

    def _fetch(self, cursor: str | None) -> Page[Registry]:
        org = self._org()
        result = self._ctx.client.get_registries(
            organization=org,
            filters=self.filter,
            cursor=cursor,
            per_page=self.per_page,
            order=self.order,
        )
        found = result.organization
        if found is None or found.org_entity is None:
            raise NotFoundError(f"organization {org!r} not found", operation_name="GetRegistries")
        connection = found.org_entity.projects
        if connection is None:
            return Page([], None, False)
        items = [
            Registry.from_fields(self._ctx, org, edge.node)
            for edge in connection.edges
            if edge.node is not None
        ]
        info = connection.page_info
        return Page(items, info.end_cursor, info.has_next_page)

    def collections(
        self,
        filter: Filter | None = None,
        order: str | None = None,
        per_page: int = DEFAULT_PER_PAGE,
        start: str | None = None,
    ) -> RegistryCollections | CollectionsChain:
        """The collections of these registries (``filter`` fields: artifact_collection_id
        (alias id, collection_id), name, tag, description, created_at, updated_at).

        Raises:
            UsageError: a bad filter or order, or ``start`` with registries listed in order.
        """
        check_filter(filter, BASIC["collections"])
        check_order(order, COLLECTION_ORDERS, "collections")
        if self.order is None:
            return RegistryCollections(
                self._ctx, self.organization, self._raw_filter, filter, order, per_page, start,
                owner=self,
            )  # fmt: skip
        if start is not None:
            raise UsageError("start is not supported on collections of registries listed in order")
        return CollectionsChain(
            self._ctx,
            self,
            lambda registry: RegistryCollections(
                self._ctx,
                registry.organization,
                registry_filter_for(registry.internal_id, registry.full_name),
                filter,
                order,
                per_page,
            ),
        )

    def versions(
        self,
        filter: Filter | None = None,
        order: str | None = None,
        per_page: int = DEFAULT_PER_PAGE,
        start: str | None = None,
    ) -> RegistryVersions | Chain[Registry, Artifact]:
        """The versions linked into these registries (``filter`` fields: id, version, tag,
        alias, metadata.<key>, created_at, updated_at; more in advanced search).

        Raises:
            UsageError: a bad filter, or ``start`` with registries listed in order.
        """
        check_filter(filter, EITHER["versions"])
        if self.order is None:
            return RegistryVersions(
                self._ctx, self.organization, self._raw_filter, None, filter, order, per_page,
                start, owner=self,
            )  # fmt: skip
        if start is not None:
            raise UsageError("start is not supported on versions of registries listed in order")
        return Chain(
            self,
            lambda registry: RegistryVersions(
                self._ctx,
                registry.organization,
                registry_filter_for(registry.internal_id, registry.full_name),
                None,
                filter,
                order,
                per_page,
            ),
        )
