# Generated from src/wandbkit/_async/artifacts/files.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""A version's stored files, listed page by page (``ArtifactFiles``)."""

from __future__ import annotations

from collections.abc import Sequence

from wandbkit._core.errors import NotFoundError, UsageError
from wandbkit._sync.artifacts.place import ArtifactPlace
from wandbkit._sync.context import ClientContext
from wandbkit._sync.files import File
from wandbkit._sync.pagination import Page, RelayPaginator


class ArtifactFiles(RelayPaginator[File]):
    """The stored files of a version, page by page (``len()`` is the server's count); each
    is a ``File``, downloaded verified."""

    def __init__(
        self,
        ctx: ClientContext,
        place: ArtifactPlace,
        *,
        names: Sequence[str] | None = None,
        per_page: int = 50,
        start: str | None = None,
    ) -> None:
        super().__init__(per_page=per_page, start=start)
        if names is not None and (
            isinstance(names, str) or not all(isinstance(n, str) and n for n in names)
        ):
            raise UsageError(f"names must be a list of file paths, got {names!r}")
        self._ctx = ctx
        self._place = place
        self.names = list(names) if names is not None else None

    @property
    def path(self) -> list[str]:
        """``[entity, project, collection:version]`` of the version."""
        place = self._place
        return [place.entity, place.project, f"{place.collection}:{place.version}"]

    def _fetch(self, cursor: str | None) -> Page[File]:
        place = self._place
        result = self._ctx.client.get_artifact_files(
            entity=place.entity,
            project=place.project,
            collection=place.collection,
            alias=place.version,
            file_names=self.names,
            cursor=cursor,
            per_page=self.per_page,
        )
        collection = result.project.artifact_collection if result.project is not None else None
        membership = collection.artifact_membership if collection is not None else None
        if membership is None:
            raise NotFoundError(
                f"artifact '{'/'.join(self.path)}' not found", operation_name="GetArtifactFiles"
            )
        connection = membership.files
        if connection is None:
            return Page([], None, False, 0)
        from wandbkit._generated.fragments import RunFileFields

        # The same fields as a run's files (the name is the file's base name, as in wandb).
        items = [
            File(
                self._ctx,
                self.path,
                RunFileFields.model_validate(edge.node.model_dump(by_alias=True)),
            )
            for edge in connection.edges
            if edge.node is not None
        ]
        info = connection.page_info
        return Page(items, info.end_cursor, info.has_next_page, connection.total_count)
