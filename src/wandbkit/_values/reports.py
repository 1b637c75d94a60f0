"""What a report's spec means, without requests: its sections, the runs query of a section's
run set, its URL, and report paths (``entity/project/reports/<Title>--<id>``)."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wandbkit._core.errors import UsageError
from wandbkit._values.report_queries import QueryGenerator, without_empty

__all__ = ["ReportUser", "RunSetQuery", "report_slug", "report_url", "run_set_query", "sections_of"]

_GENERATOR = QueryGenerator()


@dataclass(frozen=True)
class ReportUser:
    """The author of a report, as the report listing names them."""

    username: str | None
    email: str | None
    photo_url: str | None


@dataclass(frozen=True)
class RunSetQuery:
    """The ``Api.runs`` arguments that list a run set's runs."""

    filters: dict[str, Any]
    order: str


def sections_of(spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A report's sections: its spec's ``panelGroups`` (``[]`` when it has none)."""
    groups = spec.get("panelGroups")
    return [dict(g) for g in groups if isinstance(g, Mapping)] if isinstance(groups, list) else []


def run_set_query(section: Mapping[str, Any], *, only_selected: bool = True) -> RunSetQuery:
    """The filters and order of a section's open run set, as ``wandb``'s ``BetaReport.runs``
    makes them: the filter tree through ``QueryGenerator.filter_to_mongo`` (disabled leaves
    dropped), the sort key as the order, and with ``only_selected`` the run set's selected
    runs (``selections.tree``) added under the first ``$or``'s ``$and``.

    Raises:
        UsageError: ``section`` is not a report section with a run set.
    """
    run_sets = section.get("runSets") if isinstance(section, Mapping) else None
    if not isinstance(run_sets, Sequence) or not run_sets:
        raise UsageError("section must be one of report.sections, with a 'runSets' list")
    index = section.get("openRunSet", 0)
    if not isinstance(index, int) or not 0 <= index < len(run_sets):
        raise UsageError(f"section's openRunSet {index!r} names none of its run sets")
    run_set = run_sets[index]
    sort = run_set.get("sort") or {"key": {"section": "run", "name": "createdAt"}}
    order = ("+" if sort.get("ascending") else "-") + _GENERATOR.key_to_server_path(sort["key"])
    tree = run_set.get("filters") or {"op": "OR", "filters": [{"op": "AND", "filters": []}]}
    filters = without_empty(_GENERATOR.filter_to_mongo(tree)) or {}
    if only_selected:
        selected = list((run_set.get("selections") or {}).get("tree") or [])
        clause = {"name": {"$in": selected}}
        first = filters.get("$or", [None])[0] if isinstance(filters.get("$or"), list) else None
        if isinstance(first, dict) and isinstance(first.get("$and"), list):
            first["$and"].append(clause)
        else:
            filters = {"$and": [filters, clause]} if filters else clause
    return RunSetQuery(filters=filters, order=order)


def report_slug(display_name: str) -> str:
    """The title part of a report's URL, as the app makes it (non-word characters become
    dashes, runs of dashes one, none at the ends; then URL-quoted)."""
    return urllib.parse.quote(re.sub(r"-+", "-", re.sub(r"\W", "-", display_name)).strip("-"))


def report_url(
    app_url: str, entity: str, project: str, display_name: str | None, report_id: str
) -> str | None:
    """``<app>/<entity>/<project>/reports/<Slug>--<id without '='>``, or ``None`` without a
    title."""
    if not display_name or not report_id:
        return None
    slug = f"{report_slug(display_name)}--{report_id.replace('=', '')}"
    return f"{app_url.rstrip('/')}/{entity}/{project}/reports/{slug}"


def report_id_from_slug(slug: str) -> str:
    """The report id in a URL's ``<Title>--<id>`` part (padded back to base64).

    Raises:
        UsageError: no ``--<id>`` in it.
    """
    _, sep, raw = urllib.parse.unquote(slug).rpartition("--")
    if not sep or not raw:
        raise UsageError(f"a report path ends in '<Title>--<id>', got {slug!r}")
    return raw + "=" * (-len(raw) % 4)
