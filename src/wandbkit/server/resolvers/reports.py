"""Reports and custom charts: ``Project.allViews``, the ``View`` type and
``createCustomChart``.

A report is a view of type ``runs``; ``allViews(viewType:, viewName:)`` lists a project's views
of one type, optionally only those whose title (or internal name) is ``viewName``, in creation
order and relay-paged. A project the viewer may not read resolves to ``null`` before its views
are asked for, so its reports are as invisible as it is.
"""

from __future__ import annotations

from typing import Any

from ariadne import MutationType, ObjectType
from graphql import GraphQLResolveInfo

from wandbkit.server.ids import encode_id
from wandbkit.server.resolvers.common import ClientError, context, paginate_by_pk
from wandbkit.server.resolvers.errors import client_errors
from wandbkit.server.store import ProjectRow, StoreError, UserRow, ViewRow


def resolve_project_all_views(
    project: ProjectRow,
    info: GraphQLResolveInfo,
    *,
    view_type: str | None = None,
    view_name: str | None = None,
    user_name: str | None = None,
    user_id: int | None = None,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    offset: int | None = None,
) -> dict[str, Any]:
    """The project's views of ``viewType`` (all types without one), oldest first."""
    if offset is not None or user_id is not None:
        raise ClientError("allViews: offset and userId are not supported; page with after")
    ctx = context(info)
    creator_pk: int | None = None
    if user_name:
        creator = ctx.store.accounts.get_user(user_name)
        if creator is None:
            return paginate_by_pk(lambda _a, _l: [], lambda _: 0, first=first, after=after)
        creator_pk = creator.pk
    reports = ctx.store.reports
    return paginate_by_pk(
        lambda after_pk, limit: reports.page(
            project.pk,
            view_type=view_type or None,
            display_name=view_name or None,
            creator_pk=creator_pk,
            after_pk=after_pk,
            limit=limit,
        ),
        lambda view: view.pk,
        first=first,
        after=after,
        last=last,
        before=before,
    )


def resolve_view_id(view: ViewRow, _: GraphQLResolveInfo) -> str:
    return encode_id("View", view.pk)


def resolve_view_user(view: ViewRow, info: GraphQLResolveInfo) -> UserRow | None:
    return context(info).user(view.creator_pk) if view.creator_pk is not None else None


def resolve_create_custom_chart(
    _: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]
) -> dict[str, Any]:
    """Save a custom chart preset in an entity the viewer may write to."""
    ctx = context(info)
    entity_name = str(input.get("entity") or "")
    entity = ctx.store.entities.get(entity_name) if entity_name else None
    if entity is None:
        raise ClientError(f"createCustomChart: no entity named {entity_name!r}")
    ctx.require_write(entity, "create custom charts")
    with client_errors("createCustomChart", errors=(StoreError,)):
        chart = ctx.store.reports.create_chart(
            entity.pk,
            str(input.get("name") or ""),
            display_name=str(input.get("display_name") or ""),
            chart_type=str(input.get("type") or ""),
            access=str(input.get("access") or "").upper(),
            spec=input.get("spec") or {},
            creator_pk=ctx.viewer.pk,
        )
    # W&B's chart ids read "entity/name": what wandb.plot_table takes as vega_spec_name.
    return {"chart": {"id": f"{entity.name}/{chart.name}"}}


def bindables() -> list[ObjectType]:
    """``Project.allViews``, the ``View`` type and ``createCustomChart``."""
    project = ObjectType("Project")
    project.set_field("allViews", resolve_project_all_views)
    view = ObjectType("View")
    view.set_field("id", resolve_view_id)
    view.set_field("user", resolve_view_user)
    mutation = MutationType()
    mutation.set_field("createCustomChart", resolve_create_custom_chart)
    return [project, view, mutation]
