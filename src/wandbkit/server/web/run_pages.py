"""The pages of entities, projects, runs and sweeps (W&B's app URLs).

* ``/{entity}``: the entity's projects the viewer may read.
* ``/{entity}/{project}``: the runs table, filtered (``filters`` as the API's Mongo-style
  JSON, ``state``, ``search`` on the name), sorted (``order`` as the API's, a header click
  toggles it) and paged; the project's sweeps.
* ``/{entity}/{project}/runs/{run}``: config, summary, line charts of the sampled history,
  files with download links, the console's last lines.
* ``/{entity}/{project}/runs/{run}/files/{name}``: one file's bytes.
* ``/{entity}/{project}/sweeps/{sweep}``: the sweep's config, its runs and the best one.

Unreadable and missing things are the same 404 (:mod:`wandbkit.server.permissions`).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

import yaml
from starlette.responses import Response

from wandbkit.server.limits import MAX_JSON_DEPTH, json_depth_error
from wandbkit.server.run_filters import FilterError
from wandbkit.server.store import ProjectRow, RunRow
from wandbkit.server.web.access import entity_projects, readable_project
from wandbkit.server.web.charts import MAX_POINTS, charts_from_rows
from wandbkit.server.web.render import Page, file_download, paging, path_of, project_crumbs
from wandbkit.server.web.report_pages import report_path

__all__ = [
    "entity_page",
    "project_page",
    "run_file",
    "run_page",
    "sweep_page",
]

#: Rows per page of a listing, unless the request asks for fewer (``per_page``).
PAGE_SIZE = 50
#: The most rows one page of a listing may show.
MAX_PAGE_SIZE = 200
#: Summary and config columns the runs table adds (the first keys of the page's runs).
SUMMARY_COLUMNS, CONFIG_COLUMNS = 6, 4
#: Console lines a run page shows (the last ones), and files it lists.
CONSOLE_TAIL, MAX_FILES = 200, 200
#: Keys a config or summary table shows.
MAX_KEYS = 500
#: Reports a project page lists.
MAX_REPORTS = 100
#: The longest ``search`` text.
MAX_SEARCH = 200


def _page_size(page: Page) -> int:
    try:
        size = int(page.request.query_params.get("per_page", PAGE_SIZE))
    except ValueError:
        size = PAGE_SIZE
    return min(max(size, 1), MAX_PAGE_SIZE)


def entity_page(page: Page, entity: str) -> Response:
    """``/{entity}``: the entity's readable projects, paged."""
    row = page.store.entities.get(entity)
    if row is None:
        return page.not_found(f"entity {entity!r}")
    projects = [p for p in entity_projects(page, row) if page.ctx.readable(p) is not None]
    size = _page_size(page)
    pages = paging(page.request, len(projects), size)
    shown = projects[pages.offset : pages.offset + size]
    organization = (
        page.store.entities.get_organization_by_pk(row.organization_pk)
        if row.kind == "organization" and row.organization_pk is not None
        else None
    )
    return page.render(
        "entity.html.j2",
        title=row.name,
        crumbs=[(row.name, path_of(row.name))],
        entity=row,
        organization=organization,
        projects=[(p, page.store.run_listing.count(p.pk)) for p in shown],
        paging=pages,
    )


def _listing_filters(page: Page) -> Any:
    """The runs table's filter: the ``filters`` JSON, ``state`` and ``search`` together."""
    params = page.request.query_params
    parts: list[Any] = []
    if text := params.get("filters", "").strip():
        try:
            value = json.loads(text)
            too_deep = json_depth_error(value) is not None
        except ValueError as exc:
            raise FilterError(f"filters is not valid JSON: {exc}") from None
        except RecursionError:
            too_deep = True
        if too_deep:
            raise FilterError(f"filters nests more than {MAX_JSON_DEPTH} levels deep")
        parts.append(value)
    if state := params.get("state", "").strip():
        parts.append({"state": state})
    if search := params.get("search", "").strip():
        if len(search) > MAX_SEARCH:
            raise FilterError(f"search is longer than {MAX_SEARCH} characters")
        pattern = "(?i)" + re.escape(search)
        parts.append(
            {"$or": [{"name": {"$regex": pattern}}, {"display_name": {"$regex": pattern}}]}
        )
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"$and": parts}


def _plain_config(run: RunRow) -> dict[str, Any]:
    """A run's config without W&B's ``{"value": ...}`` wrapping (and its ``_wandb`` key)."""
    try:
        wrapped = json.loads(run.config)
    except ValueError:
        return {}
    if not isinstance(wrapped, dict):
        return {}
    return {
        key: value.get("value") if isinstance(value, dict) and "value" in value else value
        for key, value in wrapped.items()
        if key != "_wandb"
    }


def _summary(run: RunRow) -> dict[str, Any]:
    try:
        summary = json.loads(run.summary)
    except ValueError:
        return {}
    return summary if isinstance(summary, dict) else {}


def _columns(documents: list[dict[str, Any]], limit: int) -> list[str]:
    """The first ``limit`` scalar keys of the documents, in order of appearance."""
    keys: dict[str, None] = {}
    for document in documents:
        for key, value in document.items():
            if not key.startswith("_") and not isinstance(value, (dict, list)):
                keys.setdefault(key)
    return list(keys)[:limit]


def _toggled(order: str, column: str) -> str:
    """The order a click on ``column``'s header asks for: descending first, then ascending."""
    return f"+{column}" if order == f"-{column}" else f"-{column}"


def _runs_rows(page: Page, runs: list[RunRow]) -> list[dict[str, Any]]:
    page.ctx.expect_users(run.user_pk for run in runs)
    rows = []
    for run in runs:
        user = page.ctx.user(run.user_pk) if run.user_pk is not None else None
        rows.append(
            {
                "run": run,
                "user": user.username if user else "",
                "summary": _summary(run),
                "config": _plain_config(run),
            }
        )
    return rows


def project_page(page: Page, entity: str, project: str) -> Response:
    """``/{entity}/{project}``: the runs table (filtered, sorted, paged) and the sweeps."""
    row = readable_project(page, entity, project)
    if row is None:
        return page.not_found(f"project {entity}/{project}")
    order = page.request.query_params.get("order", "").strip() or "-created_at"
    try:
        filters = _listing_filters(page)
        pks = page.store.run_listing.pks(row.pk, filters=filters, order=order)
    except FilterError as exc:
        return page.bad_request(f"cannot list the runs: {exc}")
    size = _page_size(page)
    pages = paging(page.request, len(pks), size)
    found = page.store.runs.get_by_pks(pks[pages.offset : pages.offset + size])
    runs = [found[pk] for pk in pks[pages.offset : pages.offset + size] if pk in found]
    rows = _runs_rows(page, runs)
    summary_columns = _columns([r["summary"] for r in rows], SUMMARY_COLUMNS)
    config_columns = _columns([r["config"] for r in rows], CONFIG_COLUMNS)
    sort_links = {
        column: _sort_link(page, _toggled(order, column))
        for column in [
            "created_at",
            "display_name",
            "state",
            *(f"summary_metrics.{k}" for k in summary_columns),
            *(f"config.{k}" for k in config_columns),
        ]
    }
    return page.render(
        "project.html.j2",
        title=f"{entity}/{project}",
        crumbs=project_crumbs(entity, project),
        project=row,
        entity_name=entity,
        rows=rows,
        summary_columns=summary_columns,
        config_columns=config_columns,
        sort_links=sort_links,
        order=order,
        params=page.request.query_params,
        paging=pages,
        sweeps=page.store.sweeps.list(row.pk, limit=100),
        sweep_count=page.store.sweeps.count(row.pk),
        collections=page.store.artifact_collections.count(row.pk),
        reports=[
            (view, report_path(entity, project, view))
            for view in page.store.reports.page(row.pk, limit=MAX_REPORTS)
        ],
    )


def _sort_link(page: Page, order: str) -> str:
    query = {k: v for k, v in page.request.query_params.items() if k not in ("order", "page")}
    query["order"] = order
    return f"{page.request.url.path}?{urlencode(query)}"


def _run_of(page: Page, entity: str, project: str, run: str) -> tuple[ProjectRow, RunRow] | None:
    row = readable_project(page, entity, project)
    found = page.store.runs.get(row.pk, run) if row is not None else None
    return (row, found) if row is not None and found is not None else None


def run_page(page: Page, entity: str, project: str, run: str) -> Response:
    """``/{entity}/{project}/runs/{run}``: the run's config, summary, charts, files, console."""
    found = _run_of(page, entity, project, run)
    if found is None:
        return page.not_found(f"run {entity}/{project}/{run}")
    project_row, row = found
    charts, undrawn = charts_from_rows(page.store.history.rows_sampled(row.pk, MAX_POINTS))
    system, _ = charts_from_rows(
        page.store.history.event_tail(row.pk, MAX_POINTS), x_key="_runtime", max_charts=12
    )
    files = page.store.run_files.list(row.pk, limit=MAX_FILES)
    user = page.ctx.user(row.user_pk) if row.user_pk is not None else None
    sweep = page.store.sweeps.get(project_row.pk, row.sweep_name) if row.sweep_name else None
    summary = _summary(row)
    config = _plain_config(row)
    run_path = path_of(entity, project, "runs", row.name)
    return page.render(
        "run.html.j2",
        title=row.display_name or row.name,
        crumbs=[*project_crumbs(entity, project), (row.display_name or row.name, run_path)],
        run=row,
        run_path=run_path,
        entity_name=entity,
        project_name=project,
        user=user,
        sweep=sweep,
        config=sorted(config.items())[:MAX_KEYS],
        config_count=len(config),
        summary=sorted((k, v) for k, v in summary.items() if not k.startswith("_"))[:MAX_KEYS],
        summary_count=len(summary),
        charts=charts,
        undrawn=undrawn,
        history_rows=row.history_line_count,
        system=system,
        max_points=MAX_POINTS,
        system_rows=page.store.history.event_count(row.pk) if system else 0,
        files=files,
        file_count=page.store.run_files.count(row.pk),
        console=page.store.console.tail(row.pk, CONSOLE_TAIL),
        console_count=page.store.console.count(row.pk),
    )


def run_file(page: Page, entity: str, project: str, run: str, name: str) -> Response:
    """``/{entity}/{project}/runs/{run}/files/{name}``: an uploaded file's bytes."""
    found = _run_of(page, entity, project, run)
    file = page.store.run_files.get(found[1].pk, name) if found is not None else None
    if file is None or not file.uploaded:
        return page.not_found(f"file {name!r}")
    path = page.store.run_files.path(file)
    if not path.is_file():
        return page.not_found(f"file {name!r}")
    return file_download(path, name, file.mimetype or "application/octet-stream")


def _metric(config_text: str) -> tuple[str | None, bool]:
    """The sweep's metric name and whether it is maximised, from its YAML config."""
    try:
        config = yaml.safe_load(config_text)
    except yaml.YAMLError:
        return None, False
    metric = config.get("metric") if isinstance(config, dict) else None
    if not isinstance(metric, dict) or not isinstance(metric.get("name"), str):
        return None, False
    return metric["name"], metric.get("goal") == "maximize"


def sweep_page(page: Page, entity: str, project: str, sweep: str) -> Response:
    """``/{entity}/{project}/sweeps/{sweep}``: config, runs (best first) and the best run."""
    row = readable_project(page, entity, project)
    found = page.store.sweeps.get(row.pk, sweep) if row is not None else None
    if row is None or found is None:
        return page.not_found(f"sweep {entity}/{project}/{sweep}")
    metric, maximize = _metric(found.config)
    order = f"{'-' if maximize else '+'}summary_metrics.{metric}" if metric else "-created_at"
    try:
        pks = page.store.run_listing.pks(row.pk, filters={"sweep": found.name}, order=order)
    except FilterError:  # a metric name the order language cannot say
        pks = page.store.run_listing.pks(row.pk, filters={"sweep": found.name})
    size = _page_size(page)
    pages = paging(page.request, len(pks), size)
    wanted = pks[pages.offset : pages.offset + size]
    by_pk = page.store.runs.get_by_pks(wanted)
    runs = [by_pk[pk] for pk in wanted if pk in by_pk]
    best, best_value = None, None
    if metric and pks:
        first = page.store.runs.get_by_pk(pks[0])
        summary = _summary(first) if first is not None else {}
        if metric in summary:
            best, best_value = first, summary[metric]
    return page.render(
        "sweep.html.j2",
        title=found.display_name or found.name,
        crumbs=[
            *project_crumbs(entity, project),
            (f"sweep {found.name}", path_of(entity, project, "sweeps", found.name)),
        ],
        sweep=found,
        entity_name=entity,
        project_name=project,
        metric=metric,
        maximize=maximize,
        best=best,
        best_value=best_value,
        rows=_runs_rows(page, runs),
        paging=pages,
    )
