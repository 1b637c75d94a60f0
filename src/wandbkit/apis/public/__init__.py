"""The classes of ``wandb.apis.public`` under the same import path: switching a script from
``from wandb.apis.public import Api`` to ``from wandbkit.apis.public import Api`` is the whole
change. Each name is the one :mod:`wandbkit` exports (``wandbkit.apis.public.Api is
wandbkit.Api``).

Example:
    >>> from wandbkit.apis.public import Api
    >>> runs = Api().runs(path="entity/project", filters={"state": "finished"})
"""

from __future__ import annotations

from wandbkit import (
    Api,
    Artifact,
    ArtifactCollection,
    ArtifactCollections,
    Artifacts,
    ArtifactType,
    ArtifactTypes,
    BetaReport,
    File,
    Files,
    Job,
    Member,
    Project,
    Projects,
    QueuedRun,
    Registries,
    Registry,
    Reports,
    Run,
    RunArtifacts,
    RunQueue,
    Runs,
    Sweep,
    Team,
    User,
)

__all__ = [
    "Api",
    "Artifact",
    "ArtifactCollection",
    "ArtifactCollections",
    "ArtifactType",
    "ArtifactTypes",
    "Artifacts",
    "BetaReport",
    "File",
    "Files",
    "Job",
    "Member",
    "Project",
    "Projects",
    "QueuedRun",
    "Registries",
    "Registry",
    "Reports",
    "Run",
    "RunArtifacts",
    "RunQueue",
    "Runs",
    "Sweep",
    "Team",
    "User",
]
