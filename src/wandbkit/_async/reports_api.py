"""The reports and custom charts methods of the Api. Reports load on first use: importing the
Api does not import the reports module."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from wandbkit._core.errors import NotFoundError, UsageError
from wandbkit.paths import check_name, parse_project_path

if TYPE_CHECKING:
    from wandbkit._async.context import ClientContext
    from wandbkit._async.reports import AsyncBetaReport, AsyncReports

#: What ``create_custom_chart`` accepts, as ``wandb`` types it.
CHART_SPEC_TYPES = ("vega2",)
CHART_ACCESS = ("private", "public")


def report_from_path(ctx: ClientContext, entity: str, project: str, path: str) -> AsyncBetaReport:
    """The report a path or URL ``entity/project/reports/<Title>--<id>`` names, unloaded (no
    request): its title and id come from the path, the rest loads on first need."""
    from wandbkit._async.reports import AsyncBetaReport  # reports load on first use
    from wandbkit._values.reports import report_id_from_slug

    text = urlsplit(path.strip()).path if "://" in path else path.strip()
    slug = text.split("?", 1)[0].split("#", 1)[0].strip("/").split("/")[-1]
    if "--" not in unquote(slug):
        slug = "--" + slug  # a bare id, as wandb accepts
    report_id = report_id_from_slug(slug)
    title, _, _ = unquote(slug).rpartition("--")
    return AsyncBetaReport(
        ctx, entity, project, report_id, display_name=title.replace("-", " ") or None
    )


class AsyncReportsMethods:
    """The Api's reports and custom charts methods (a part of ``Api``)."""

    _ctx: ClientContext

    def reports(self, path: str = "", name: str | None = None, per_page: int = 50) -> AsyncReports:
        """The reports of a project, fetched lazily page by page.

        Args:
            path: ``entity/project`` or ``project`` (default: ``WANDB_PROJECT``).
            name: only the reports with this title (URL-quoted titles are unquoted).
            per_page: reports per request.

        Raises:
            UsageError: a malformed path or no project (before any request).

        Example:
            >>> for report in api.reports("my-team/cifar10"):
            ...     print(report.display_name, report.url)
        """
        from wandbkit._async.reports import AsyncReports  # reports load on first use

        if path:
            parsed = parse_project_path(path)
            entity, project = parsed.entity, parsed.project
        else:
            entity, project = None, self._ctx.settings.project
        if project is None:
            raise UsageError("path is required: pass 'entity/project', or set WANDB_PROJECT")
        title = unquote(name) if isinstance(name, str) else name
        return AsyncReports(self._ctx, entity, project, name=title, per_page=per_page)

    async def create_custom_chart(
        self,
        entity: str,
        name: str,
        display_name: str,
        spec_type: str,
        access: str,
        spec: str | Mapping[str, Any],
    ) -> str:
        """Save a custom chart preset (a Vega-Lite spec) in an entity; returns its id,
        ``"entity/name"``, what ``wandb.plot_table`` takes as ``vega_spec_name``.

        Args:
            entity: where the preset lives (you must be able to write there).
            name: the preset's id.
            display_name: its title in the app.
            spec_type: ``"vega2"``.
            access: ``"private"`` or ``"public"``.
            spec: the Vega-Lite spec, as a dict or JSON text.

        Raises:
            UsageError: a bad name, type, access or spec (before any request).
            PermissionDeniedError: you cannot write to ``entity``.
            GraphQLError: the server refused (the name is taken, ...).
        """
        check_name(entity, "entity")
        check_name(name, "name")
        if not isinstance(display_name, str) or not display_name.strip():
            raise UsageError(f"display_name must be a non-empty string, got {display_name!r}")
        if spec_type not in CHART_SPEC_TYPES:
            raise UsageError(
                f"spec_type must be one of {list(CHART_SPEC_TYPES)}, got {spec_type!r}"
            )
        if not isinstance(access, str) or access.lower() not in CHART_ACCESS:
            raise UsageError(f"access must be one of {list(CHART_ACCESS)}, got {access!r}")
        if isinstance(spec, str):
            try:
                spec = json.loads(spec)
            except json.JSONDecodeError as exc:
                raise UsageError(f"spec must be a dict or JSON text: {exc.msg}") from None
        if not isinstance(spec, Mapping):
            raise UsageError(f"spec must be a JSON object, got {type(spec).__name__}")
        result = await self._ctx.client.create_custom_chart(
            entity=entity,
            chart_name=name,
            display_name=display_name,
            chart_type=spec_type,
            access=access.upper(),
            spec=dict(spec),
        )
        if result.create_custom_chart is None:
            raise NotFoundError(
                f"the server saved no chart {entity}/{name}", operation_name="CreateCustomChart"
            )
        return result.create_custom_chart.chart.id
