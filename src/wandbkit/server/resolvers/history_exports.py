"""``Run.parquetHistory``: a run's parquet history exports and its live rows."""

from __future__ import annotations

import json
from typing import Any

from graphql import GraphQLResolveInfo

from wandbkit.server.history_exports import exports_for
from wandbkit.server.resolvers.common import context
from wandbkit.server.signing import DOWNLOAD_URL_TTL, HISTORY_EXPORT
from wandbkit.server.store import RunRow
from wandbkit.server.urls import SIGNED_HISTORY_EXPORT_PATH


def resolve_run_parquet_history(
    run: RunRow, info: GraphQLResolveInfo, *, live_keys: list[str]
) -> dict[str, Any]:
    """The run's parquet exports (made once it has ended, :mod:`..history_exports`) as signed
    URLs, and the rows not exported yet reduced to the live keys they have.

    wandb-core reads the files, and the live steps through ``HistoryPage``/``SampledHistoryPage``.
    """
    ctx = context(info)
    store = ctx.store
    steps = store.history.steps(run.pk)
    parts = exports_for(store).ensure(run, steps)
    covered = parts[-1].last_step if parts else None
    urls = []
    if parts:
        token = ctx.signer.sign(HISTORY_EXPORT, run.pk, DOWNLOAD_URL_TTL)
        urls = [f"{ctx.base_url}{SIGNED_HISTORY_EXPORT_PATH}/{token}/{p.index}" for p in parts]
    keys = list(dict.fromkeys(live_keys))
    if keys == ["_step"]:
        # The common case (scan_history asks for _step only) needs no JSON parsing.
        live = [{"_step": step} for step in steps if covered is None or step > covered]
    else:
        live = []
        for text in store.history.rows(run.pk, min_step=None if covered is None else covered + 1):
            row = json.loads(text)
            live.append({key: row[key] for key in keys if key in row})
    return {"parquet_urls": urls, "live_data": live}
