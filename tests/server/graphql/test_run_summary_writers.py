"""Concurrent summary writers (issue 9): W&B's ``upsertBucket`` replaces the whole summary, so
the last writer wins; wandbkit's summary-keys header (``wandbkit._lang.summary_merge``) makes
the local server change only the named keys, atomically; and a summary or config past the
documented size limit is refused with a clear error."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from wandbkit._lang.summary_merge import SUMMARY_KEYS_HEADER, encode_summary_keys
from wandbkit.server.ids import encode_id
from wandbkit.server.limits import MAX_RUN_JSON_BYTES
from wandbkit.server.testing import add_run

from ..conftest import ServerApp
from ..runs_support import PATH, error_of

UPSERT = """
mutation UpsertBucket($input: UpsertBucketInput!) {
  upsertBucket(input: $input) { bucket { summaryMetrics config } }
}
"""


async def _upsert(
    client: httpx.AsyncClient, input: dict[str, Any], keys: list[str] | None = None
) -> httpx.Response:
    headers = {} if keys is None else {SUMMARY_KEYS_HEADER: encode_summary_keys(keys)}
    return await client.post(
        "/graphql", json={"query": UPSERT, "variables": {"input": input}}, headers=headers
    )


def _summary(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    summary: dict[str, Any] = json.loads(body["data"]["upsertBucket"]["bucket"]["summaryMetrics"])
    return summary


async def test_without_the_header_the_last_writer_replaces_the_whole_summary(
    client: httpx.AsyncClient, server_app: ServerApp
) -> None:
    run = add_run(server_app.store, PATH, "w1", summary={"base": 1})
    run_id = encode_id("Run", run.pk)
    # Two writers read {"base": 1}; each adds its own key and writes the whole summary back.
    await _upsert(client, {"id": run_id, "summaryMetrics": json.dumps({"base": 1, "a": 1})})
    last = await _upsert(client, {"id": run_id, "summaryMetrics": json.dumps({"base": 1, "b": 2})})
    assert _summary(last) == {"base": 1, "b": 2}  # "a" is lost: W&B's semantics


async def test_with_the_header_stale_writers_of_different_keys_keep_each_others_keys(
    client: httpx.AsyncClient, server_app: ServerApp
) -> None:
    run = add_run(server_app.store, PATH, "w2", summary={"base": 1, "old": 0})
    run_id = encode_id("Run", run.pk)
    # Both writers read the summary before either wrote; each names only its own keys.
    await _upsert(client, {"id": run_id, "summaryMetrics": json.dumps({"base": 1, "a": 1})}, ["a"])
    # The second writer also removes "old" (named, absent from the values).
    last = await _upsert(client, {"id": run_id, "summaryMetrics": json.dumps({"base": 1})}, ["old"])
    assert _summary(last) == {"base": 1, "a": 1}
    stored = server_app.store.runs.get_by_pk(run.pk)
    assert stored is not None and json.loads(stored.summary) == {"base": 1, "a": 1}


async def test_fifty_concurrent_writers_of_different_keys_lose_nothing(
    client: httpx.AsyncClient, server_app: ServerApp
) -> None:
    run = add_run(server_app.store, PATH, "w3", summary={})
    run_id = encode_id("Run", run.pk)

    async def write(i: int) -> httpx.Response:
        # Each writer's whole summary is what it read (nothing) plus its own key.
        return await _upsert(
            client, {"id": run_id, "summaryMetrics": json.dumps({f"k{i}": i})}, [f"k{i}"]
        )

    responses = await asyncio.gather(*(write(i) for i in range(50)))
    assert all(r.status_code == 200 and "errors" not in r.json() for r in responses)
    stored = server_app.store.runs.get_by_pk(run.pk)
    assert stored is not None
    assert json.loads(stored.summary) == {f"k{i}": i for i in range(50)}


async def test_a_malformed_summary_keys_header_is_a_400_naming_the_header(
    client: httpx.AsyncClient, server_app: ServerApp
) -> None:
    run = add_run(server_app.store, PATH, "w4", summary={"x": 1})
    for bad in ("not json", '{"a": 1}', "[1, 2]", json.dumps([f"k{i}" for i in range(1001)])):
        response = await client.post(
            "/graphql",
            json={"query": UPSERT, "variables": {"input": {"id": encode_id("Run", run.pk)}}},
            headers={SUMMARY_KEYS_HEADER: bad},
        )
        assert response.status_code == 400, bad
        assert SUMMARY_KEYS_HEADER in response.text
    stored = server_app.store.runs.get_by_pk(run.pk)
    assert stored is not None and json.loads(stored.summary) == {"x": 1}  # nothing applied


async def test_a_summary_or_config_past_the_size_limit_is_refused_by_name(
    client: httpx.AsyncClient, server_app: ServerApp
) -> None:
    run = add_run(server_app.store, PATH, "w5", summary={"x": 1})
    huge = json.dumps({"blob": "x" * (MAX_RUN_JSON_BYTES + 1)})
    for field in ("summaryMetrics", "config"):
        response = await _upsert(client, {"id": encode_id("Run", run.pk), field: huge})
        error = error_of(response)
        assert f"input.{field} is larger than 4 MiB" in error["message"]
        assert error["extensions"]["code"] == "LIMIT_EXCEEDED"
    stored = server_app.store.runs.get_by_pk(run.pk)
    assert stored is not None and json.loads(stored.summary) == {"x": 1}
