# Generated from src/wandbkit/_async/runs/artifact_links.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""A run's artifacts: the versions it logged and used, and declaring more (a part of ``Run``).

Runs sit below artifacts, so a run never imports them: the Api provides the
:class:`RunArtifactsLoader` under :data:`RUN_ARTIFACTS`, and these methods ask the context.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any, Literal, Protocol

from wandbkit._sync.context import LoaderKey

if TYPE_CHECKING:
    from wandbkit._sync.context import ClientContext
    from wandbkit._sync.pagination import RelayPaginator


class RunArtifactsLoader(Protocol):
    """What runs need of the artifacts domain (the Api wires it in)."""

    def listed(
        self,
        ctx: ClientContext,
        entity: str,
        project: str,
        run_id: str,
        mode: Literal["logged", "used"],
        per_page: int,
        /,
    ) -> RelayPaginator[Any]:
        """The versions the run logged or used, lazily."""

    def use(
        self,
        ctx: ClientContext,
        entity: str,
        project: str,
        run_id: str,
        artifact: Any,
        use_as: str | None,
        /,
    ) -> Any:
        """Declare ``artifact`` (a version, or its name) an input of the run; returns it."""

    def log(
        self,
        ctx: ClientContext,
        entity: str,
        project: str,
        run_id: str,
        artifact: Any,
        aliases: Collection[str] | None,
        tags: Collection[str] | None,
        /,
    ) -> Any:
        """Declare an existing version an output of the run; returns it."""


#: The key the Api provides the runs' artifacts loader under.
RUN_ARTIFACTS: LoaderKey[RunArtifactsLoader] = LoaderKey("a run's artifacts")


class RunArtifactLinks:
    """The artifacts methods of ``Run`` (which supplies the context and its path)."""

    _ctx: ClientContext
    entity: str
    project: str

    @property
    def id(self) -> str:
        """The run id (``Run`` supplies it)."""
        raise NotImplementedError

    def logged_artifacts(self, per_page: int = 100) -> RelayPaginator[Any]:
        """The artifact versions the run logged, lazily (``len()`` is the server's count)."""
        loader = self._ctx.loader(RUN_ARTIFACTS)
        return loader.listed(self._ctx, self.entity, self.project, self.id, "logged", per_page)

    def used_artifacts(self, per_page: int = 100) -> RelayPaginator[Any]:
        """The artifact versions the run used, lazily (``len()`` is the server's count)."""
        loader = self._ctx.loader(RUN_ARTIFACTS)
        return loader.listed(self._ctx, self.entity, self.project, self.id, "used", per_page)

    def use_artifact(self, artifact: Any, use_as: str | None = None) -> Any:
        """Declare a version an input of the run (lineage); returns it.

        Args:
            artifact: an ``Artifact`` from ``api.artifact()`` (or its name).
            use_as: a label for how the run used it.

        Raises:
            UsageError: not an artifact or an artifact name.
        """
        loader = self._ctx.loader(RUN_ARTIFACTS)
        return loader.use(self._ctx, self.entity, self.project, self.id, artifact, use_as)

    def log_artifact(
        self,
        artifact: Any,
        aliases: Collection[str] | None = None,
        tags: Collection[str] | None = None,
    ) -> Any:
        """Declare an existing version an output of the run, with aliases and tags; returns it.

        Raises:
            UsageError: not an artifact, or one logged in another project.
        """
        loader = self._ctx.loader(RUN_ARTIFACTS)
        return loader.log(self._ctx, self.entity, self.project, self.id, artifact, aliases, tags)
