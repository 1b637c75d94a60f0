"""Reports: the typed ``BetaReport`` (its fields, its sections and the runs of each section's
run set) and a lazy paginator over a project's reports."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from wandbkit._async.lazy import LazyRecord
from wandbkit._async.pagination import AsyncRelayPaginator, Page, check_per_page
from wandbkit._async.runs.listing import AsyncRuns
from wandbkit._async.sweeps import load_sweep
from wandbkit._core.errors import NotFoundError, UsageError
from wandbkit._core.not_found import project_not_found
from wandbkit._html import Displayable
from wandbkit._values.report_queries import QueryGenerator
from wandbkit._values.reports import ReportUser, report_url, run_set_query, sections_of
from wandbkit.paths import check_name

if TYPE_CHECKING:
    from collections.abc import Mapping

    from wandbkit._async.context import ClientContext
    from wandbkit._generated.fragments import ReportFields


class AsyncBetaReport(LazyRecord["ReportFields"], Displayable):
    """A W&B report (``wandb``'s ``BetaReport``): its fields, its spec as a dict, its
    sections (the spec's ``panelGroups``) and the runs of each section's run set.

    A report from ``Api.reports()`` comes loaded; one from ``Api.from_path()`` knows its id
    and title and loads the rest on first need (``await report.load()`` with ``AsyncApi``).

    Attributes:
        entity: the entity of the report's project.
        project: the project's name.
        query_generator: the filter and order conversions ``runs()`` uses.
    """

    def __init__(
        self,
        ctx: ClientContext,
        entity: str,
        project: str,
        report_id: str,
        fields: ReportFields | None = None,
        *,
        display_name: str | None = None,
    ) -> None:
        super().__init__(fields)
        self._ctx = ctx
        self.entity = entity
        self.project = project
        self._id = report_id
        self._display_name = display_name
        self.query_generator = QueryGenerator()

    async def _fetch(self) -> ReportFields:
        # The listing is the only way to a report: narrowed by title when it is known.
        for name in (self._display_name, None) if self._display_name else (None,):
            reports = AsyncReports(self._ctx, self.entity, self.project, name=name, per_page=100)
            async for report in reports:
                if report.id.rstrip("=") == self._id.rstrip("="):
                    assert report._fields is not None
                    return report._fields
        raise NotFoundError(
            f"report {self._id!r} not found in '{self.entity}/{self.project}'",
            operation_name="GetReports",
        )

    def _not_loaded(self) -> str:
        return f"report {self._id!r} is not loaded: `await report.load()` first"

    @property
    def id(self) -> str:
        """The report's id (the end of its URL, padded as the server gives it)."""
        return self._fields.id if self._fields is not None else self._id

    @property
    def name(self) -> str | None:
        """The report's internal name (``display_name`` is its title)."""
        return self._require().name

    @property
    def display_name(self) -> str | None:
        """The report's title."""
        if self._fields is None and self._display_name is not None:
            return self._display_name
        return self._require().display_name

    @property
    def description(self) -> str | None:
        """The report's subtitle."""
        return self._require().description

    @property
    def spec(self) -> dict[str, Any]:
        """The report's JSON document, as a dict (``{}`` when it has none)."""
        spec = self._require().spec
        return dict(spec) if isinstance(spec, dict) else {}

    @property
    def sections(self) -> list[dict[str, Any]]:
        """The report's sections: its spec's ``panelGroups``, each with ``runSets``."""
        return sections_of(self.spec)

    @property
    def user(self) -> ReportUser | None:
        """Who wrote the report."""
        user = self._require().user
        if user is None:
            return None
        return ReportUser(username=user.username, email=user.email, photo_url=user.photo_url)

    @property
    def created_at(self) -> datetime:
        """When the report was made."""
        return self._require().created_at

    @property
    def updated_at(self) -> datetime | None:
        """When it last changed."""
        return self._require().updated_at

    @property
    def url(self) -> str | None:
        """``<app>/<entity>/<project>/reports/<Title>--<id>``; ``None`` without a title."""
        return report_url(self._ctx.app_url, self.entity, self.project, self.display_name, self.id)

    def runs(
        self, section: Mapping[str, Any], per_page: int = 50, only_selected: bool = True
    ) -> AsyncRuns:
        """The runs of a section's run set, as the report shows them: its filters and sort
        (``QueryGenerator``), and with ``only_selected`` only its selected runs.

        Args:
            section: one of ``sections``.
            per_page: runs per request.
            only_selected: keep only the run set's selected runs (``selections.tree``).

        Raises:
            UsageError: ``section`` has no run set, or a filter the run filter language
                refuses (before any request).
        """
        if not isinstance(only_selected, bool):
            raise UsageError(f"only_selected must be a bool, got {only_selected!r}")
        query = run_set_query(section, only_selected=only_selected)
        return AsyncRuns(
            self._ctx,
            self.entity,
            self.project,
            load_sweep=load_sweep,
            filters=query.filters,
            order=query.order,
            per_page=check_per_page(per_page),
        )

    def to_html(self, height: int = 1024, hidden: bool = False) -> str:
        """HTML that embeds the report (for notebooks), rendered from a template."""
        from wandbkit._html import render

        if isinstance(height, bool) or not isinstance(height, int) or height <= 0:
            raise UsageError(f"height must be a positive int of pixels, got {height!r}")
        url = self.url
        return render(
            "report.html.j2", url=url, title=self.display_name, height=height, hidden=hidden
        )

    def display(self, height: int = 420, hidden: bool = False) -> bool:
        """Show the report in a Jupyter notebook; False (with a warning) elsewhere."""
        from wandbkit._html import display_html

        return display_html(self.to_html(height, hidden), "report")

    def _repr_html_(self) -> str:
        return self.to_html()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AsyncBetaReport):
            return NotImplemented
        return (other.entity, other.project, other.id.rstrip("=")) == (
            self.entity,
            self.project,
            self.id.rstrip("="),
        )

    def __hash__(self) -> int:
        return hash(("Report", self.entity, self.project, self.id.rstrip("=")))

    def __repr__(self) -> str:
        title = self.display_name if self._fields is not None or self._display_name else self.id
        return f"<BetaReport {self.entity}/{self.project}/{title}>"


class AsyncReports(AsyncRelayPaginator[AsyncBetaReport]):
    """The reports of a project, oldest first, loaded page by page; with ``name``, only those
    of that title. ``len()`` is known once the last page is loaded (the server gives no
    count).

    Attributes:
        entity: the project's entity (resolved on the first page when not given).
        project: the project's name.
        name: the title the listing is narrowed to, or ``None``.
    """

    def __init__(
        self,
        ctx: ClientContext,
        entity: str | None,
        project: str,
        *,
        name: str | None = None,
        per_page: int = 50,
        start: str | None = None,
    ) -> None:
        super().__init__(per_page=per_page, start=start)
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise UsageError(f"name must be a report title or None, got {name!r}")
        self._ctx = ctx
        self.entity = check_name(entity, "entity") if entity is not None else None
        self.project = check_name(project, "project")
        self.name = name

    async def _fetch(self, cursor: str | None) -> Page[AsyncBetaReport]:
        entity = await self._ctx.resolve_entity(self.entity)
        self.entity = entity
        result = await self._ctx.client.get_reports(
            entity=entity,
            project=self.project,
            name=self.name,
            cursor=cursor,
            per_page=self.per_page,
        )
        if result.project is None:
            raise project_not_found(entity, self.project, "GetReports")
        connection = result.project.all_views
        if connection is None:
            return Page([], None, False, len(self.objects))
        reports = [
            AsyncBetaReport(self._ctx, entity, self.project, edge.node.id, edge.node)
            for edge in connection.edges
            if edge.node is not None
        ]
        info = connection.page_info
        total = None if info.has_next_page else len(self.objects) + len(reports)
        return Page(reports, info.end_cursor, info.has_next_page, total)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.entity}/{self.project} loaded={len(self.objects)}>"
