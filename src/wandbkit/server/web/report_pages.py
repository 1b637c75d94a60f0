"""The page of a report: ``/{entity}/{project}/reports/{Title}--{id}`` (``Report.url``).

It shows what the report says, not its live panels: the title, description and authors, the
text of its heading and paragraph blocks, and each panel group's run sets with the runs they
select (linked). The title part of the URL is ignored, as in W&B: the id decides.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

from starlette.responses import Response

from wandbkit.server.ids import InvalidIdError, decode_int_id, encode_id
from wandbkit.server.store.reports import REPORT_VIEW_TYPE, ViewRow
from wandbkit.server.web.access import readable_project
from wandbkit.server.web.render import Page, path_of, project_crumbs

__all__ = ["report_page", "report_path"]

#: Blocks, run sets and selected runs a report page shows at most.
MAX_BLOCKS, MAX_RUN_SETS, MAX_SELECTED = 200, 50, 100


def report_path(entity: str, project: str, view: ViewRow) -> str:
    """A report's page, as W&B's app names it: ``/{entity}/{project}/reports/{Title}--{id}``
    (non-word characters of the title become dashes; the id loses its ``=`` padding)."""
    title = re.sub(r"-+", "-", re.sub(r"\W", "-", view.display_name or view.name)).strip("-")
    slug = f"{title}--{encode_id('View', view.pk).replace('=', '')}"
    return path_of(entity, project, "reports", slug)


def _text(node: Any) -> str:
    """The plain text of a Slate-style block (its children's ``text``, depth first)."""
    if isinstance(node, dict):
        own = node.get("text")
        return (own if isinstance(own, str) else "") + "".join(
            _text(child) for child in node.get("children") or []
        )
    if isinstance(node, list):
        return "".join(_text(child) for child in node)
    return ""


def _blocks(spec: dict[str, Any]) -> list[tuple[str, str]]:
    """``(kind, text)`` of the spec's heading and paragraph blocks with text."""
    found = []
    for block in (spec.get("blocks") or [])[:MAX_BLOCKS]:
        if isinstance(block, dict) and block.get("type") in ("heading", "paragraph"):
            text = _text(block).strip()
            if text:
                found.append((str(block["type"]), text))
    return found


def _run_sets(spec: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """``(name, selected run ids)`` of every panel group's run sets."""
    found: list[tuple[str, list[str]]] = []
    for group in spec.get("panelGroups") or []:
        if not isinstance(group, dict):
            continue
        for run_set in group.get("runSets") or []:
            if isinstance(run_set, dict) and len(found) < MAX_RUN_SETS:
                tree = (run_set.get("selections") or {}).get("tree") or []
                names = [n for n in tree if isinstance(n, str)][:MAX_SELECTED]
                label = f"{group.get('name') or 'panels'}: {run_set.get('name') or 'run set'}"
                found.append((label, names))
    return found


def report_page(page: Page, entity: str, project: str, slug: str) -> Response:
    """``/{entity}/{project}/reports/{Title}--{id}``: what the report says."""
    row = readable_project(page, entity, project)
    _, sep, raw = unquote(slug).rpartition("--")
    try:
        pk = decode_int_id(raw + "=" * (-len(raw) % 4), "View") if sep and raw else None
    except InvalidIdError:
        pk = None
    view = page.store.reports.get_by_pk(pk) if pk is not None and row is not None else None
    if row is None or view is None or view.project_pk != row.pk:
        return page.not_found(f"report {slug!r} in {entity}/{project}")
    if view.view_type != REPORT_VIEW_TYPE:
        return page.not_found(f"report {slug!r} in {entity}/{project}")
    try:
        spec = json.loads(view.spec)
    except ValueError:
        spec = {}
    spec = spec if isinstance(spec, dict) else {}
    authors = [a.get("username") for a in spec.get("authors") or [] if isinstance(a, dict)]
    creator = page.ctx.user(view.creator_pk) if view.creator_pk is not None else None
    known = page.store.runs.names(row.pk)
    title = view.display_name or view.name
    return page.render(
        "report.html.j2",
        title=title,
        crumbs=[
            *project_crumbs(entity, project),
            (title, path_of(entity, project, "reports", slug)),
        ],
        report=view,
        creator=creator,
        authors=[a for a in authors if isinstance(a, str)],
        blocks=_blocks(spec),
        run_sets=[
            (label, [(name, name in known) for name in names]) for label, names in _run_sets(spec)
        ],
        entity_name=entity,
        project_name=project,
    )
