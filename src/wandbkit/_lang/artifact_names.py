"""The one parser for artifact names, shared by the client and the local server.

W&B names an artifact version ``[entity/]project/name[:version|:alias]``: ``my-team/mnist/
dataset:v3``, ``mnist/model:latest``. A registry holds linked collections under the
organization's entity, named ``[organization/]wandb-registry-<registry>/<collection>:<alias>``.
A collection is named the same way without the ``:version`` part.

The parser is pure: missing parts stay ``None`` for the caller to fill from its defaults
(settings, the viewer's entity, the organization an entity belongs to). Errors are the neutral
:class:`ArtifactNameError` (a ``ValueError``) with a message that names the argument and the
expected form; the client re-raises it as ``UsageError``, the server as its own error.

Rules: entity, organization, project, registry and collection names follow the one name rule
(:mod:`wandbkit._lang.names`); a version is ``v`` and digits; an alias is at most
:data:`~wandbkit._lang.names.MAX_NAME_LENGTH` characters, none of them ``/``, ``:``,
whitespace or a control character.

Example:
    >>> parse_artifact_name("my-team/mnist/dataset:v3")
    ArtifactName(prefix='my-team', project='mnist', collection='dataset', alias='v3')
    >>> parse_artifact_name("wandb-registry-model/classifier:production").registry
    'model'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from wandbkit._lang.names import MAX_NAME_LENGTH, name_problem

__all__ = [
    "ARTIFACT_FORMS",
    "COLLECTION_FORMS",
    "REGISTRY_PREFIX",
    "ArtifactName",
    "ArtifactNameError",
    "alias_problem",
    "is_registry_project",
    "is_version",
    "parse_artifact_name",
    "parse_collection_name",
]

#: Projects named so are registries (the organization's, under its entity).
REGISTRY_PREFIX = "wandb-registry-"
#: The forms an artifact version name may take, for error messages.
ARTIFACT_FORMS = (
    "'[entity/]project/name[:version|:alias]' or "
    "'[organization/]wandb-registry-<registry>/<collection>[:alias]'"
)
#: The forms a collection name may take, for error messages.
COLLECTION_FORMS = (
    "'[entity/]project/name' or '[organization/]wandb-registry-<registry>/<collection>'"
)

_VERSION = re.compile(r"v[0-9]+", re.ASCII)
_ALIAS_FORBIDDEN = re.compile(r"[/:\s\x00-\x1f\x7f]")

AliasRule = Literal["optional", "forbidden"]


class ArtifactNameError(ValueError):
    """A malformed artifact or collection name; the message names the expected form."""


def is_version(alias: str) -> bool:
    """Whether ``alias`` is a version (``v0``, ``v12``) rather than a movable alias."""
    return _VERSION.fullmatch(alias) is not None


def is_registry_project(project: str) -> bool:
    """Whether ``project`` names a registry (``wandb-registry-<registry>``)."""
    return project.startswith(REGISTRY_PREFIX) and project != REGISTRY_PREFIX


def alias_problem(alias: object, what: str = "alias") -> str | None:
    """Why ``alias`` cannot be an alias (or a tag-free version), or ``None`` if it can.

    Example:
        >>> alias_problem("best"), alias_problem("a/b")
        (None, "alias 'a/b' may not contain '/', ':', whitespace or control characters")
    """
    if not isinstance(alias, str) or not alias:
        return f"{what} must be a non-empty string"
    if len(alias) > MAX_NAME_LENGTH:
        return f"{what} must be at most {MAX_NAME_LENGTH} characters"
    if _ALIAS_FORBIDDEN.search(alias):
        return f"{what} {alias!r} may not contain '/', ':', whitespace or control characters"
    return None


@dataclass(frozen=True)
class ArtifactName:
    """A parsed artifact (version) or collection name.

    Attributes:
        prefix: the entity; for a registry name, the organization. ``None`` when left out.
        project: the project (``wandb-registry-<registry>`` for a registry); ``None`` when the
            name is a bare ``name[:alias]``.
        collection: the collection (the artifact's name without its version).
        alias: the version (``v3``) or alias (``latest``) after the ``:``; ``None`` if none.
    """

    prefix: str | None
    project: str | None
    collection: str
    alias: str | None = None

    @property
    def is_registry(self) -> bool:
        """Whether the name points into a registry."""
        return self.project is not None and is_registry_project(self.project)

    @property
    def registry(self) -> str | None:
        """The registry's short name (``model`` for ``wandb-registry-model``), if any."""
        if self.project is None or not self.is_registry:
            return None
        return self.project[len(REGISTRY_PREFIX) :]

    @property
    def version_index(self) -> int | None:
        """The version number when ``alias`` is a version (``3`` for ``v3``), else ``None``."""
        if self.alias is None or not is_version(self.alias):
            return None
        return int(self.alias[1:])

    @property
    def member(self) -> str:
        """``collection:alias`` (or just ``collection``), as the server's look-ups take it."""
        return self.collection if self.alias is None else f"{self.collection}:{self.alias}"

    def __str__(self) -> str:
        parts = [part for part in (self.prefix, self.project) if part is not None]
        return "/".join([*parts, self.member])


def _fail(argument: str, name: object, forms: str, why: str | None = None) -> ArtifactNameError:
    shown = repr(name) if isinstance(name, str) else type(name).__name__
    reason = f" ({why})" if why else ""
    return ArtifactNameError(f"{argument} must look like {forms}, got {shown}{reason}")


def _check_part(value: str, what: str, name: str, argument: str, forms: str) -> str:
    problem = name_problem(value, what)
    if problem is not None:
        raise _fail(argument, name, forms, problem)
    return value


def _parse(name: object, argument: str, forms: str, aliases: AliasRule) -> ArtifactName:
    if not isinstance(name, str) or not name.strip():
        raise _fail(argument, name, forms)
    # The alias goes first: everything after the first ':' (it may not hold ':' or '/').
    path, sep, alias = name.partition(":")
    parts = path.split("/")
    if len(parts) > 3 or any(part == "" for part in parts):
        raise _fail(argument, name, forms)
    if sep:
        if aliases == "forbidden":
            raise _fail(argument, name, forms, "a collection name has no ':version' part")
        problem = alias_problem(alias, "version or alias")
        if problem is not None:
            raise _fail(argument, name, forms, problem)
    prefix: str | None = None
    project: str | None = None
    if len(parts) == 3:
        prefix = _check_part(parts[0], "entity", name, argument, forms)
        parts = parts[1:]
    if len(parts) == 2:
        project = _check_part(parts[0], "project", name, argument, forms)
        if project.startswith(REGISTRY_PREFIX) and not is_registry_project(project):
            raise _fail(argument, name, forms, "the registry name after 'wandb-registry-' is empty")
    collection = _check_part(parts[-1], "artifact", name, argument, forms)
    return ArtifactName(prefix, project, collection, alias if sep else None)


def parse_artifact_name(name: object, *, argument: str = "name") -> ArtifactName:
    """Parse an artifact version name: ``[entity/]project/name[:version|:alias]`` or a
    registry name ``[organization/]wandb-registry-<registry>/<collection>[:alias]``.

    Args:
        name: the name as the caller wrote it.
        argument: the argument name used in error messages.

    Raises:
        ArtifactNameError: the name has none of the accepted forms.
    """
    return _parse(name, argument, ARTIFACT_FORMS, "optional")


def parse_collection_name(name: object, *, argument: str = "name") -> ArtifactName:
    """Parse a collection name: ``[entity/]project/name`` or
    ``[organization/]wandb-registry-<registry>/<collection>`` (no ``:version``).

    Raises:
        ArtifactNameError: the name has none of the accepted forms, or carries a version.
    """
    return _parse(name, argument, COLLECTION_FORMS, "forbidden")
