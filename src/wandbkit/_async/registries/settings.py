"""A registry's settings as users write them: visibility, the registry name rule, and the
add-only list of allowed artifact types."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from wandbkit._core.errors import UsageError
from wandbkit._lang.artifact_names import REGISTRY_PREFIX
from wandbkit.paths import check_name

__all__ = [
    "VISIBILITY_ACCESS",
    "ArtifactTypes",
    "Visibility",
    "check_artifact_types",
    "check_registry_name",
    "check_visibility",
]

Visibility = Literal["organization", "restricted"]
#: ``visibility`` as users write it -> the project ``access`` the server stores.
VISIBILITY_ACCESS: dict[str, str] = {"organization": "PRIVATE", "restricted": "RESTRICTED"}


def check_visibility(value: object) -> str:
    """The server's access value for a visibility.

    Raises:
        UsageError: not ``"organization"`` or ``"restricted"``.
    """
    if not isinstance(value, str) or value not in VISIBILITY_ACCESS:
        raise UsageError(f"visibility must be 'organization' or 'restricted', got {value!r}")
    return VISIBILITY_ACCESS[value]


def check_registry_name(name: object, argument: str = "name") -> str:
    """A registry's name without the prefix (a prefixed name is accepted and stripped).

    Raises:
        UsageError: not a valid project name once prefixed.
    """
    if not isinstance(name, str):
        raise UsageError(f"{argument} must be a string, got {type(name).__name__}")
    short = name.removeprefix(REGISTRY_PREFIX)
    if not short:
        raise UsageError(f"{argument} must name a registry, got {name!r}")
    check_name(REGISTRY_PREFIX + short, argument)
    return short


def check_artifact_types(types: object, argument: str = "artifact_types") -> list[str]:
    """Artifact type names, each once, in order.

    Raises:
        UsageError: not a list of valid names, or a name W&B keeps for itself (``wandb-…``).
    """
    if isinstance(types, str) or not isinstance(types, (list, tuple)):
        raise UsageError(f"{argument} must be a list of type names, got {type(types).__name__}")
    names: list[str] = []
    for item in types:
        check_name(item, argument)
        if item.startswith("wandb-"):
            raise UsageError(
                f"{argument}: type names starting with 'wandb-' are reserved: {item!r}"
            )
        if item not in names:
            names.append(item)
    return names


class ArtifactTypes:
    """A registry's allowed artifact types: add-only, as on W&B. Types added since the last
    ``save()`` (``draft``) may be removed again; saved ones may not."""

    def __init__(self, saved: list[str]) -> None:
        self._saved = list(saved)
        self._draft: list[str] = []

    @property
    def draft(self) -> list[str]:
        """The types added since the last save."""
        return list(self._draft)

    def append(self, name: str) -> None:
        """Allow one more type (sent by ``save()``).

        Raises:
            UsageError: not a valid type name.
        """
        (checked,) = check_artifact_types([name], "artifact type")
        if checked not in self._saved and checked not in self._draft:
            self._draft.append(checked)

    def extend(self, names: list[str]) -> None:
        """Allow more types."""
        for name in check_artifact_types(names):
            self.append(name)

    def remove(self, name: str) -> None:
        """Take back a type added since the last save.

        Raises:
            UsageError: the type is saved already (a registry's types are never removed).
        """
        if name in self._draft:
            self._draft.remove(name)
        elif name in self._saved:
            raise UsageError(
                f"artifact type {name!r} is saved; a registry's types cannot be removed"
            )
        else:
            raise UsageError(f"artifact type {name!r} is not in this registry")

    def __iter__(self) -> Iterator[str]:
        return iter([*self._saved, *self._draft])

    def __len__(self) -> int:
        return len(self._saved) + len(self._draft)

    def __contains__(self, name: object) -> bool:
        return name in self._saved or name in self._draft

    def __eq__(self, other: object) -> bool:
        return (
            list(self) == list(other)
            if isinstance(other, (list, ArtifactTypes))
            else NotImplemented
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ArtifactTypes({list(self)!r})"
