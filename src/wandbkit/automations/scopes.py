"""Scopes in which an automation's event must happen: a project, a registry, an artifact
collection, or a team or organization entity (the official ``wandb.automations.scopes``).

A scope is the id and name of the thing; the Api's objects convert: pass a project, registry,
artifact collection, team or organization wherever a scope is expected (``scope_from``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Final

from wandbkit._core.errors import UsageError
from wandbkit._html import Explorable
from wandbkit.automations._enums import ScopeType

__all__ = [
    "ArtifactCollectionScope",
    "AutomationScope",
    "EntityScope",
    "OrgScope",
    "ProjectScope",
    "RegistryScope",
    "ScopeType",
    "TeamScope",
    "describe_scope",
    "scope_from",
]

REGISTRY_PREFIX: Final = "wandb-registry-"
COLLECTION_TYPENAMES: Final = ("ArtifactSequence", "ArtifactPortfolio")


def _check_text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise UsageError(f"{where} must be a non-empty string, got {value!r}")
    return value


class _Scope(Explorable):
    """What every scope has: the server's id and the thing's name."""

    id: str
    name: str
    scope_type: ClassVar[ScopeType]
    typename__: str

    def __post_init__(self) -> None:
        _check_text(self.id, f"{type(self).__name__}.id")
        _check_text(self.name, f"{type(self).__name__}.name")


@dataclass(frozen=True)
class ProjectScope(_Scope):
    """A project: its runs' events and its artifacts' events."""

    id: str
    name: str
    #: The owning entity, when the scope was made from an Api object (not sent; not compared).
    entity: str | None = field(default=None, compare=False, repr=False)
    scope_type: ClassVar[ScopeType] = ScopeType.PROJECT
    typename__: ClassVar[str] = "Project"  # type: ignore[misc]
    is_registry: ClassVar[bool] = False


@dataclass(frozen=True)
class RegistryScope(_Scope):
    """A registry (a project named ``wandb-registry-<name>``); ``name`` is the full name."""

    id: str
    name: str
    #: The owning entity, when the scope was made from an Api object (not sent; not compared).
    entity: str | None = field(default=None, compare=False, repr=False)
    scope_type: ClassVar[ScopeType] = ScopeType.PROJECT
    typename__: ClassVar[str] = "Project"  # type: ignore[misc]
    is_registry: ClassVar[bool] = True


@dataclass(frozen=True)
class ArtifactCollectionScope(_Scope):
    """An artifact collection: a sequence (logged versions) or a portfolio (links, as in a
    registry collection); ``typename__`` says which."""

    id: str
    name: str
    typename__: str = "ArtifactSequence"
    #: The owning entity, when the scope was made from an Api object (not sent; not compared).
    entity: str | None = field(default=None, compare=False, repr=False)
    scope_type: ClassVar[ScopeType] = ScopeType.ARTIFACT_COLLECTION

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.typename__ not in COLLECTION_TYPENAMES:
            raise UsageError(
                f"ArtifactCollectionScope.typename__ must be one of "
                f"{', '.join(COLLECTION_TYPENAMES)}, got {self.typename__!r}"
            )

    def is_sequence(self) -> bool:
        """Whether the collection is a sequence (else a portfolio)."""
        return self.typename__ == "ArtifactSequence"


class EntityScope(_Scope):
    """A team or organization entity (the base of :class:`TeamScope` and :class:`OrgScope`)."""

    scope_type: ClassVar[ScopeType] = ScopeType.ENTITY
    typename__: ClassVar[str] = "Entity"  # type: ignore[misc]
    entity_type: ClassVar[str]


@dataclass(frozen=True)
class TeamScope(EntityScope):
    """A team entity: events of runs in all its projects."""

    id: str
    name: str
    entity_type: ClassVar[str] = "team"


@dataclass(frozen=True)
class OrgScope(EntityScope):
    """An organization's entity."""

    id: str
    name: str
    entity_type: ClassVar[str] = "organization"


AutomationScope = ProjectScope | RegistryScope | ArtifactCollectionScope | TeamScope | OrgScope
SCOPE_TYPES: Final = (ProjectScope, RegistryScope, ArtifactCollectionScope, TeamScope, OrgScope)


def describe_scope(scope: object) -> str:
    """``project cifar10-augment``, ``registry wandb-registry-model``, ``collection images``,
    ``team demo-team``: a scope in words, for reprs."""
    if isinstance(scope, RegistryScope):
        kind = "registry"
    elif isinstance(scope, ArtifactCollectionScope):
        kind = "collection"
    elif isinstance(scope, (TeamScope, OrgScope)):
        kind = scope.entity_type
    else:
        kind = "project"
    return f"{kind} {getattr(scope, 'name', '?')}"


def scope_from(value: Any, where: str = "scope") -> AutomationScope:
    """A scope from a scope, or from the Api's project, registry, artifact collection, team or
    organization (what the official client's ``parse_scope`` converts).

    Raises:
        UsageError: anything else, naming ``where``.
    """
    if isinstance(value, SCOPE_TYPES):
        return value
    org_entity = getattr(value, "org_entity", None)
    if org_entity is not None:
        return OrgScope(_check_text(org_entity.id, f"{where}.id"), org_entity.name)
    owner = getattr(value, "entity", None)
    owner = owner if isinstance(owner, str) else None
    is_sequence = getattr(value, "is_sequence", None)
    if callable(is_sequence) and hasattr(value, "id"):
        typename = "ArtifactSequence" if is_sequence() else "ArtifactPortfolio"
        return ArtifactCollectionScope(value.id, value.name, typename, owner)
    full_name = getattr(value, "full_name", None)
    if isinstance(full_name, str) and full_name.startswith(REGISTRY_PREFIX):
        return RegistryScope(value.id, full_name, owner)
    entity_type = getattr(value, "entity_type", None)
    if entity_type in ("team", "organization") and hasattr(value, "id"):
        cls = TeamScope if entity_type == "team" else OrgScope
        return cls(value.id, value.name)
    if hasattr(value, "id") and isinstance(getattr(value, "name", None), str):
        if value.name.startswith(REGISTRY_PREFIX):
            return RegistryScope(value.id, value.name, owner)
        return ProjectScope(value.id, value.name, owner)
    raise UsageError(
        f"{where} must be a project, registry, artifact collection, team or organization "
        f"(or a ProjectScope, RegistryScope, ArtifactCollectionScope, TeamScope, OrgScope), "
        f"got {type(value).__name__}"
    )
