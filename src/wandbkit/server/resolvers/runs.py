"""Runs: ``Project.runs``/``runCount``/``run``, the ``Run`` type with its history, and the
``upsertBucket`` and ``deleteRun`` mutations (the schema's legacy name for a run: bucket).

Listing is stable under concurrent change: the first page snapshots the ordered matches and
every cursor points into that snapshot (see
:meth:`wandbkit.server.store.run_listing.RunListing.page`).
Filters and order are compiled by :mod:`wandbkit.server.run_filters`; what it refuses comes
back as a ``BAD_USER_INPUT`` error.

History follows the official client's expectations (wire report §4): ``history`` returns JSON
*strings*, ``sampledHistory`` and ``parquetHistory.liveData`` JSON *values*, ``historyKeys`` a
JSON object with ``lastStep``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ariadne import MutationType, ObjectType
from graphql import GraphQLResolveInfo

from wandbkit.server.history import (
    clamp_samples,
    downsample,
    parse_sampled_history_spec,
    project_row,
)
from wandbkit.server.ids import (
    InvalidCursorError,
    InvalidIdError,
    decode_cursor,
    decode_int_id,
    encode_id,
)
from wandbkit.server.limits import MAX_RUN_JSON_BYTES
from wandbkit.server.resolvers.common import (
    MAX_PAGE_SIZE,
    ClientError,
    Cursor,
    NotFound,
    PermissionDenied,
    RequestContext,
    Strings,
    context,
    forbid_backward_paging,
    invalid_cursor,
    non_null,
    page_info,
    page_size,
    paginate_by_pk,
)
from wandbkit.server.resolvers.errors import client_errors
from wandbkit.server.resolvers.history_exports import resolve_run_parquet_history
from wandbkit.server.run_filters import FilterError
from wandbkit.server.store import (
    EntityRow,
    ProjectRow,
    RunRow,
    StoreError,
    UnknownRowError,
    UnknownSnapshotError,
    UserRow,
)
from wandbkit.server.store.text import check_name, dumps_json, precise_timestamp

#: Where ``upsertBucket`` puts a run when no project is named (W&B's default).
DEFAULT_PROJECT = "uncategorized"


# -- Project ------------------------------------------------------------------------------------


def resolve_project_runs(
    project: ProjectRow,
    info: GraphQLResolveInfo,
    *,
    filters: Any = None,
    order: str | None = None,
    names: list[str | None] | None = None,
    after: str | None = None,
    first: int | None = None,
    last: int | None = None,
    before: str | None = None,
    group_keys: list[str | None] | None = None,
    group_aggregation: Any = None,
    group_level: int | None = None,
    job_key: str | None = None,
    **__: Any,
) -> dict[str, Any]:
    """A page of the project's runs matching ``filters`` in ``order``.

    ``first`` defaults to 50 and is clamped to 1000. ``fields`` and ``historyFields`` (hints
    for the real server's column loading) are accepted and ignored; grouping, ``jobKey`` and
    backward paging are refused rather than silently ignored.
    """
    forbid_backward_paging(last, before)
    if group_keys or group_aggregation is not None or group_level is not None or job_key:
        raise ClientError("Project.runs: grouping and jobKey are not supported by this server")
    limit = page_size(first)
    position = _decode_runs_cursor(after) if after else None
    ctx = context(info)
    try:
        with client_errors(errors=(FilterError,)):
            page = ctx.store.run_listing.page(
                project.pk,
                limit=limit,
                filters=filters,
                order=order,
                names=non_null(names),
                after=position,
            )
    except UnknownSnapshotError as exc:
        raise invalid_cursor(str(exc)) from None
    # Every run of the page shares this project, and their users load in one query if asked.
    ctx.remember_project(project)
    ctx.expect_users(run.user_pk for _, run in page.runs)
    cursors = [Cursor(page.snapshot_pk, pos) for pos, _ in page.runs]
    edges = [
        {"node": ctx.remember_run(run), "cursor": cursor}
        for (_, run), cursor in zip(page.runs, cursors, strict=True)
    ]
    return {
        "edges": edges,
        "page_info": page_info(
            cursors, has_next_page=page.has_next_page, has_previous_page=position is not None
        ),
    }


def _decode_runs_cursor(cursor: str) -> tuple[int, int]:
    try:
        keys = decode_cursor(cursor)
    except InvalidCursorError:
        raise invalid_cursor() from None
    if len(keys) != 2 or not all(isinstance(k, int) and k >= 0 for k in keys):
        raise invalid_cursor()
    snapshot_pk, position = keys
    assert isinstance(snapshot_pk, int) and isinstance(position, int)
    return snapshot_pk, position


def resolve_project_run_count(
    project: ProjectRow, info: GraphQLResolveInfo, *, filters: Any = None
) -> int:
    """How many of the project's runs match ``filters`` (same language as ``runs``)."""
    with client_errors(errors=(FilterError,)):
        return context(info).store.run_listing.count(project.pk, filters=filters)


def resolve_project_run(
    project: ProjectRow, info: GraphQLResolveInfo, *, name: str, **__: Any
) -> RunRow | None:
    """The run called ``name`` (its id), or ``null``."""
    ctx = context(info)
    run = ctx.store.runs.get(project.pk, name)
    if run is None:
        return None
    ctx.remember_project(project)
    return ctx.remember_run(run)


# -- Run --------------------------------------------------------------------------------------


def resolve_run_id(run: RunRow, _: GraphQLResolveInfo) -> str:
    return encode_id("Run", run.pk)


def resolve_run_project_id(run: RunRow, _: GraphQLResolveInfo) -> str:
    # The official client calls int() on it; W&B sends the project's integer id.
    return str(run.project_pk)


def resolve_run_config(
    run: RunRow, _: GraphQLResolveInfo, *, keys: list[str] | None = None, **__: Any
) -> str:
    """The stored config (wrapped form), optionally only the top-level ``keys``."""
    return _select_keys(run.config, keys)


def resolve_run_summary_metrics(
    run: RunRow, _: GraphQLResolveInfo, *, keys: list[str] | None = None, **__: Any
) -> str:
    """The summary, optionally only the top-level ``keys``."""
    return _select_keys(run.summary, keys)


def _select_keys(text: str, keys: list[str] | None) -> str:
    if keys is None:
        return text  # stored JSON text goes out as is, with no re-encoding
    document = json.loads(text)
    return dumps_json({key: document[key] for key in keys if key in document})


def resolve_run_system_metrics(run: RunRow, _: GraphQLResolveInfo) -> str:
    return run.system_metrics


def resolve_run_tags(run: RunRow, _: GraphQLResolveInfo) -> list[str]:
    return list(run.tags)


def resolve_run_group(run: RunRow, _: GraphQLResolveInfo) -> str | None:
    return run.group_name


def resolve_run_commit(run: RunRow, _: GraphQLResolveInfo) -> str | None:
    return run.commit_hash


def resolve_run_user(run: RunRow, info: GraphQLResolveInfo) -> UserRow | None:
    return context(info).user(run.user_pk) if run.user_pk is not None else None


def resolve_run_project(run: RunRow, info: GraphQLResolveInfo) -> ProjectRow | None:
    return context(info).project(run.project_pk)


def resolve_run_read_only(run: RunRow, info: GraphQLResolveInfo) -> bool:
    """Runs of locked projects, and of entities the viewer cannot write to."""
    ctx = context(info)
    project = ctx.project(run.project_pk)
    if project is None:  # pragma: no cover - guarded by foreign keys
        return True
    return ctx.project_read_only(project)


def resolve_run_history_keys(run: RunRow, _: GraphQLResolveInfo, **__: Any) -> Any:
    # A JSON value, not text: the official client calls .get("lastStep") on it.
    return json.loads(run.history_keys)


def resolve_run_history(
    run: RunRow,
    info: GraphQLResolveInfo,
    *,
    samples: int | None = None,
    min_step: int | None = None,
    max_step: int | None = None,
    **__: Any,
) -> list[str]:
    """History rows as JSON strings.

    With ``minStep`` or ``maxStep``: the rows with steps in ``[minStep, maxStep)``, in step
    order, at most ``samples`` of them (a page; wandb-core's ``HistoryPage``). Without: the
    whole history thinned to at most ``samples`` (default 500) evenly spaced rows, the first
    and the last always kept.
    """
    with client_errors(errors=(ValueError,)):
        limit = clamp_samples(samples)
    store = context(info).store
    if min_step is not None or max_step is not None:
        return Strings(
            store.history.rows(run.pk, min_step=min_step, max_step=max_step, limit=limit)
        )
    return Strings(store.history.rows_sampled(run.pk, limit))


def resolve_run_sampled_history(
    run: RunRow, info: GraphQLResolveInfo, *, specs: list[Any], **__: Any
) -> list[list[dict[str, Any]]]:
    """One list of row objects per spec: rows having every key of the spec, reduced to those
    keys, with steps in ``[minStep, maxStep]`` (both inclusive), thinned to ``samples``."""
    with client_errors(errors=(ValueError,)):
        parsed = [parse_sampled_history_spec(spec) for spec in specs]
    store = context(info).store
    results: list[list[dict[str, Any]]] = []
    for spec in parsed:
        texts = store.history.rows(
            run.pk,
            min_step=spec.min_step,
            max_step=spec.max_step + 1 if spec.max_step is not None else None,
        )
        rows = [project_row(json.loads(text), spec.keys) for text in texts]
        results.append(downsample([row for row in rows if row is not None], spec.samples))
    return results


def resolve_run_events(
    run: RunRow, info: GraphQLResolveInfo, *, samples: int | None = None
) -> list[str]:
    """System-metric rows as JSON strings, thinned like ``history`` to ``samples`` rows."""
    with client_errors(errors=(ValueError,)):
        limit = clamp_samples(samples)
    return downsample(context(info).store.history.event_rows(run.pk), limit)


def resolve_run_log_line_count(run: RunRow, info: GraphQLResolveInfo) -> int:
    """How many lines of console output the run has."""
    return context(info).store.console.count(run.pk)


def resolve_run_log_lines(
    run: RunRow,
    info: GraphQLResolveInfo,
    *,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    **__: Any,
) -> dict[str, Any]:
    """The run's console output, one edge per line, oldest first.

    Forward pages with ``first``/``after`` (wandb-core's ``RunConsoleLogPage``), or the last
    ``last`` lines in one page (``RunConsoleLogTail``); ``before`` is not supported, nor
    ``last`` together with ``first``/``after``. ``useImprovedPagination`` is accepted: this
    server has one way to page.
    """
    store = context(info).store
    if last is not None:
        if first is not None or after is not None or before is not None:
            raise ClientError("logLines: pass last alone, or first/after")
        if last < 0:
            raise ClientError(f"logLines: last must be zero or more, got {last}")
        tail = store.console.tail(run.pk, min(last, MAX_PAGE_SIZE))
        cursors = [Cursor(line.seq) for line in tail]
        return {
            "edges": [{"node": line, "cursor": c} for line, c in zip(tail, cursors, strict=True)],
            # Lines are numbered from 0: earlier lines exist when the tail starts later.
            "page_info": page_info(
                cursors, has_next_page=False, has_previous_page=bool(tail) and tail[0].number > 0
            ),
        }
    return paginate_by_pk(
        lambda after_seq, limit: store.console.lines(run.pk, after_seq=after_seq, limit=limit),
        lambda line: line.seq,
        first=first,
        after=after,
        before=before,
    )


# -- Mutation ---------------------------------------------------------------------------------


def require_writable_run(ctx: RequestContext, run: RunRow, action: str) -> ProjectRow:
    """The run's project, if the viewer may change the run.

    Raises:
        PermissionDenied: the viewer cannot write to the entity, or the project is locked.
    """
    project = ctx.project(run.project_pk)
    if project is None:  # pragma: no cover - guarded by foreign keys
        raise NotFound("the run's project is gone")
    _require_writable_project(ctx, ctx.required_entity(project.entity_pk), project, action)
    return project


def _require_writable_project(
    ctx: RequestContext, entity: EntityRow, project: ProjectRow | None, action: str
) -> None:
    ctx.require_write(entity, action)
    if project is not None and project.read_only:
        raise PermissionDenied(f"permission denied: project {project.name!r} is read-only")


def run_from_id(ctx: RequestContext, run_id: str, what: str) -> RunRow:
    """The run an opaque ``Run`` id names.

    Raises:
        ClientError: not a run id of this server.
        NotFound: no such run (any more).
    """
    try:
        pk = decode_int_id(run_id, "Run")
    except InvalidIdError:
        raise ClientError(f"{what}: {run_id!r} is not a run id") from None
    run = ctx.store.runs.get_by_pk(pk)
    if run is None:
        raise NotFound(f"{what}: no run has id {run_id!r}")
    return run


def _run_changes(input: dict[str, Any]) -> dict[str, Any]:
    """The run fields an ``UpsertBucketInput`` sets; ``null`` or absent means "unchanged"."""
    tags = input.get("tags")
    changes = {
        "display_name": input.get("display_name"),
        "notes": input.get("notes"),
        "description": input.get("description"),
        # `[String]` may hold nulls; they are not tags.
        "tags": non_null(tags) if tags is not None else None,
        # JSONString arguments arrive parsed; the store dumps them back to JSON text.
        "config": input.get("config"),
        "summary": input.get("summary_metrics"),
        "group_name": input.get("group_name"),
        "job_type": input.get("job_type"),
        "state": input.get("state"),
        "sweep_name": input.get("sweep"),
        "host": input.get("host"),
        "commit_hash": input.get("commit"),
    }
    for key in ("config", "summary"):
        field = "config" if key == "config" else "summaryMetrics"
        if changes[key] is not None and not isinstance(changes[key], dict):
            raise ClientError(f"upsertBucket: input.{field} must be a JSON object")
        if changes[key] is not None and len(dumps_json(changes[key])) > MAX_RUN_JSON_BYTES:
            raise ClientError(
                f"upsertBucket: input.{field} is larger than {MAX_RUN_JSON_BYTES // 2**20} MiB"
                " of JSON; keep large values in files or artifacts",
                code="LIMIT_EXCEEDED",
            )
    return {key: value for key, value in changes.items() if value is not None}


def resolve_upsert_bucket(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    """Create or update a run.

    With ``input.id`` the run with that id is updated. Otherwise the run ``input.name``
    (default: a new random 8-character name) in project ``input.modelName`` (default
    ``uncategorized``, created if missing, as W&B does) of entity ``input.entityName``
    (default: the viewer's) is updated if it exists and created if not. ``summaryMetrics``
    and ``config`` replace the stored ones whole (but see :func:`_update` for wandbkit's
    summary-keys header). The viewer must be able to write to the entity.
    """
    ctx = context(info)
    changes = _run_changes(input)
    # Every store error but a vanished row is the input's fault.
    with client_errors("upsertBucket", errors=(StoreError,)):
        try:
            if input.get("id"):
                run = run_from_id(ctx, input["id"], "upsertBucket")
                if input.get("name") and input["name"] != run.name:
                    raise ClientError("upsertBucket: a run's name (its id) cannot be changed")
                require_writable_run(ctx, run, "change runs")
                return _payload(ctx, _update(ctx, run.pk, changes), inserted=False)
            return _create_or_update(ctx, input, changes)
        except UnknownRowError:  # pragma: no cover - deleted between two statements
            raise NotFound("upsertBucket: the run was deleted meanwhile") from None


def _create_or_update(ctx: RequestContext, input: dict[str, Any], changes: dict[str, Any]) -> Any:
    entity_name = input.get("entity_name")
    entity = ctx.entity_or_default(entity_name)
    if entity is None:
        raise NotFound(f"upsertBucket: entity {entity_name!r} not found")
    project_name = check_name(input.get("model_name") or DEFAULT_PROJECT, "project")
    name = input.get("name")
    if name is not None:
        check_name(name, "run")
    project = ctx.store.projects.get(entity.pk, project_name)
    _require_writable_project(ctx, entity, project, "create or change runs")
    if project is None:
        project, _ = ctx.store.projects.upsert(entity.pk, project_name, creator_pk=ctx.viewer.pk)
    existing = ctx.store.runs.get(project.pk, name) if name else None
    if existing is not None:
        return _payload(ctx, _update(ctx, existing.pk, changes), inserted=False)
    run = ctx.store.runs.create(project.pk, name, user_pk=ctx.viewer.pk, **changes)
    return _payload(ctx, run, inserted=True)


def _update(ctx: RequestContext, pk: int, changes: dict[str, Any]) -> RunRow:
    """Apply ``changes`` to run ``pk``. With wandbkit's summary-keys header (see
    :mod:`wandbkit._lang.summary_merge`) only the named summary keys change, atomically;
    without it the summary is replaced whole, as on W&B."""
    keys = ctx.summary_keys
    summary = changes.pop("summary", None) if keys is not None else None
    run = ctx.store.runs.update(pk, **changes)
    if summary is not None and keys is not None:
        run = ctx.store.runs.merge_summary(pk, summary, keys)
    return run


def _payload(ctx: RequestContext, run: RunRow, *, inserted: bool) -> dict[str, Any]:
    return {"bucket": ctx.remember_run(run), "inserted": inserted}


def resolve_delete_run(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    """Delete a run with its history and files; with ``deleteArtifacts`` also the artifact
    versions it logged (otherwise they stay, without their logging run)."""
    ctx = context(info)
    run = run_from_id(ctx, input["id"], "deleteRun")
    require_writable_run(ctx, run, "delete runs")
    with ctx.store.transaction():
        if input.get("delete_artifacts"):
            ctx.store.artifacts.delete_logged_by_run(run.pk)
        ctx.store.runs.delete(run.pk)
    ctx.forget_run(run.pk)
    return {"client_mutation_id": input.get("client_mutation_id")}


#: ``updateRunState``: target state -> the states a run may move to it from (as W&B allows).
STATE_TRANSITIONS: dict[str, frozenset[str]] = {
    "pending": frozenset({"running", "failed", "crashed", "preempted"}),
    "failed": frozenset({"pending", "running"}),
}


def resolve_update_run_state(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    """Requeue a run (to ``pending``) or give it up (to ``failed``), as ``Run.update_state``.

    Allowed: to ``pending`` from running, failed, crashed or preempted; to ``failed`` from
    pending or running. Sweep runs cannot change state this way.
    """
    ctx = context(info)
    run = run_from_id(ctx, input["id"], "updateRunState")
    require_writable_run(ctx, run, "change runs")
    target = input["state"]
    allowed = STATE_TRANSITIONS.get(target)
    if allowed is None:
        raise ClientError(
            f"updateRunState: state must be one of {', '.join(STATE_TRANSITIONS)}, got {target!r}"
        )
    if run.sweep_name:
        raise ClientError("updateRunState: the state of a sweep run cannot be changed")
    if run.state not in allowed:
        raise ClientError(
            f"updateRunState: a {run.state!r} run cannot become {target!r} "
            f"(allowed from: {', '.join(sorted(allowed))})"
        )
    ctx.remember_run(ctx.store.runs.update(run.pk, state=target))
    return {"success": True}


def resolve_stop_run(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    """Stop a run (``Run.stop``, wandb-core's ``StopRun``).

    On W&B this raises a flag that the run's process sees on its next heartbeat, and the run
    ends as ``killed``. The emulator has no process to tell, so a ``running`` or ``pending``
    run becomes ``killed`` at once; stopping a run that is no longer running does nothing.
    """
    ctx = context(info)
    run = run_from_id(ctx, input["id"], "stopRun")
    require_writable_run(ctx, run, "stop runs")
    if run.state in ("running", "pending"):
        ctx.remember_run(
            ctx.store.runs.update(
                run.pk, state="killed", heartbeat_at=precise_timestamp(ctx.store.now())
            )
        )
    return {"success": True}


def bindables() -> list[ObjectType]:
    """The Project run fields, the Run type and the run mutations."""
    project = ObjectType("Project")
    project.set_field("runs", resolve_project_runs)
    project.set_field("runCount", resolve_project_run_count)
    project.set_field("run", resolve_project_run)

    run = ObjectType("Run")
    resolvers: dict[str, Callable[..., Any]] = {
        "id": resolve_run_id,
        "projectId": resolve_run_project_id,
        "config": resolve_run_config,
        "summaryMetrics": resolve_run_summary_metrics,
        "systemMetrics": resolve_run_system_metrics,
        "tags": resolve_run_tags,
        "group": resolve_run_group,
        "commit": resolve_run_commit,
        "user": resolve_run_user,
        "project": resolve_run_project,
        "readOnly": resolve_run_read_only,
        "historyKeys": resolve_run_history_keys,
        "history": resolve_run_history,
        "sampledHistory": resolve_run_sampled_history,
        "parquetHistory": resolve_run_parquet_history,
        "events": resolve_run_events,
        "logLineCount": resolve_run_log_line_count,
        "logLines": resolve_run_log_lines,
    }
    for field_name, resolver in resolvers.items():
        run.set_field(field_name, resolver)

    mutation = MutationType()
    mutation.set_field("upsertBucket", resolve_upsert_bucket)
    mutation.set_field("deleteRun", resolve_delete_run)
    mutation.set_field("updateRunState", resolve_update_run_state)
    mutation.set_field("stopRun", resolve_stop_run)
    return [project, run, mutation]
